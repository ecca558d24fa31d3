"""Calls-per-second limits on the YouTube APIs that hold across threads and worker processes.

A token bucket per API: it refills at `rate` tokens a second up to `rate` tokens (one second of burst).
`acquire` reserves its tokens at once, letting the balance go negative, and sleeps for the time the
refill needs to cover the debt; callers are therefore served in arrival order and nobody polls. With
REDIS_URL set the bucket lives in Redis and one Lua script reads and updates it atomically with Redis'
own clock, so every worker process shares it; without Redis it lives in this process.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Protocol

from catalog_ui.settings import get_settings

DATA_API = "data_api"
CONTENT_ID = "content_id"

# KEYS[1] = bucket; ARGV = rate (tokens/s), capacity, tokens wanted. Returns the wait in seconds, as text
# (a Lua number would be truncated to an integer on its way back).
_RESERVE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate) - wanted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
if tokens >= 0 then
  return '0'
end
return tostring(-tokens / rate)
"""


class RateLimiter(Protocol):
    """Something that makes callers wait so that `name` is called at most its rate per second."""

    def reserve(self, name: str, rate: float, tokens: float = 1.0) -> float:
        """Take `tokens` now and return the seconds the caller must wait before using them."""
        ...


class LocalTokenBucket:
    """Token buckets shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def reserve(self, name: str, rate: float, tokens: float = 1.0) -> float:
        """Take `tokens` from bucket `name` (refilling at `rate`/s); return the wait in seconds."""
        now = time.monotonic()
        with self._lock:
            balance, last = self._state.get(name, (rate, now))
            balance = min(rate, balance + (now - last) * rate) - tokens
            self._state[name] = (balance, now)
        return 0.0 if balance >= 0 else -balance / rate


class RedisTokenBucket:
    """Token buckets in Redis under `{namespace}:ratelimit:{name}`, shared by every process."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis  # only this mode needs it

        self._client = redis.Redis.from_url(url)
        self._namespace = namespace
        self._script = self._client.register_script(_RESERVE_SCRIPT)

    def reserve(self, name: str, rate: float, tokens: float = 1.0) -> float:
        """Take `tokens` from bucket `name` (refilling at `rate`/s); return the wait in seconds."""
        key = f"{self._namespace}:ratelimit:{name}"
        wait = self._script(keys=[key], args=[repr(float(rate)), repr(float(rate)), repr(float(tokens))])
        return float(wait.decode() if isinstance(wait, bytes) else wait)


@lru_cache(maxsize=4)
def _limiter(redis_url: str | None, namespace: str) -> RateLimiter:
    if redis_url:
        return RedisTokenBucket(redis_url, namespace)
    return LocalTokenBucket()


def get_rate_limiter() -> RateLimiter:
    """The limiter for the current settings: Redis-backed when REDIS_URL is set, else in-process."""
    settings = get_settings()
    return _limiter(settings.redis_url, settings.queue_namespace)


def api_rate(name: str) -> float:
    """Calls per second allowed on API `name` (`data_api` or `content_id`); 0 means unlimited."""
    settings = get_settings()
    rates = {
        DATA_API: settings.youtube_data_api_calls_per_s,
        CONTENT_ID: settings.youtube_content_id_calls_per_s,
    }
    if name not in rates:
        raise ValueError(f"unknown API {name!r}; use one of {', '.join(rates)}")
    return rates[name]


def acquire(name: str, tokens: float = 1.0, limiter: RateLimiter | None = None) -> float:
    """Wait until `tokens` calls to API `name` are allowed; returns the seconds waited."""
    rate = api_rate(name)
    if rate <= 0 or tokens <= 0:
        return 0.0
    wait = (limiter or get_rate_limiter()).reserve(name, rate, tokens)
    if wait > 0:
        time.sleep(wait)
    return wait
