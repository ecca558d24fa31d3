"""Shared HTTP plumbing of the YouTube clients: a JSON GET returning the body or raising a classified error.

This is the single place that decides which failures are transient, quota, auth or permanent (see
`errors`). It retries one thing only: a 401 with a token that can be refreshed is sent again once with a
fresh token (the old one expired or was revoked early); a 401 that persists is an `AuthError`. Messages
name the path but never the full URL, so an API key in the query string cannot leak into logs or task
error fields.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from catalog_ui.services.youtube.credentials import YouTubeCredentials
from catalog_ui.services.youtube.errors import (
    AuthError,
    PermanentApiError,
    QuotaExceededError,
    TransientApiError,
    YouTubeApiError,
)

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
# Google documents these 403 reasons as short-term rate limits, to be retried with exponential backoff.
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_MAX_MESSAGE_CHARS = 300


class GoogleApiTransport:
    """An `httpx.Client` bound to one API base URL, adding credentials and fixed query parameters.

    `credentials` (None: no Authorization header, e.g. the Data API with an API key only) give each
    request its bearer token. `calls` counts every request sent, failed ones included (Google charges
    quota for those too).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        credentials: YouTubeCredentials | None = None,
        default_params: Mapping[str, str] | None = None,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "catalog-ui"}
        self.timeout = timeout
        self.credentials = credentials
        self._default_params = dict(default_params or {})
        self._client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout), headers=headers)
        self._calls = 0
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        """Number of requests sent so far."""
        return self._calls

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET `path` (relative to the base URL) and return the JSON object, or raise a `YouTubeApiError`."""
        query = {**self._default_params, **(params or {})}
        credentials = self.credentials
        token = credentials.token() if credentials else None
        response = self._send(path, query, token)
        if response.status_code == 401 and credentials is not None:
            if credentials.refreshable:
                credentials.invalidate(token)
                response = self._send(path, query, credentials.token())
            if response.status_code == 401:
                raise auth_error(response, path, credentials)
        if not response.is_success:
            raise error_from_response(response, path)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # A non-JSON 200 comes from a proxy or a load balancer in trouble, not from the API.
            raise TransientApiError(
                f"GET {path} returned {response.status_code} without a JSON object",
                status=response.status_code,
                reason="invalidResponse",
            )
        return body

    def _send(self, path: str, query: Mapping[str, str], token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        with self._lock:
            self._calls += 1
        try:
            return self._client.get(path, params=query, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientApiError(
                f"GET {path} timed out after {self.timeout:g} s", reason="timeout"
            ) from exc
        except httpx.TransportError as exc:
            raise TransientApiError(
                f"GET {path} failed: {type(exc).__name__}: {exc}", reason="connectionError"
            ) from exc

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()


def auth_error(response: httpx.Response, path: str, credentials: YouTubeCredentials) -> AuthError:
    """The error for a 401 that a fresh token did not cure (or that no refresh can cure)."""
    reasons, detail = parse_google_error(response)
    reason = reasons[0] if reasons else None
    return AuthError(
        f"API 401 {reason or response.reason_phrase} on GET {path}: {detail}",
        settings=credentials.settings,
        status=401,
        reason=reason,
    )


def error_from_response(response: httpx.Response, path: str) -> YouTubeApiError:
    """Build the error for a non-2xx response from its status and Google's error JSON."""
    status = response.status_code
    reasons, detail = parse_google_error(response)
    quota_reason = next((r for r in reasons if r in QUOTA_REASONS), None)
    reason = quota_reason or (reasons[0] if reasons else None)
    message = f"YouTube API {status} {reason or response.reason_phrase} on GET {path}: {detail}"
    if status == 403 and quota_reason:
        return QuotaExceededError(message, status=status, reason=reason)
    if status in (408, 429) or status >= 500 or (status == 403 and reason in RATE_LIMIT_REASONS):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return TransientApiError(message, status=status, reason=reason, retry_after=retry_after)
    return PermanentApiError(message, status=status, reason=reason)


def parse_google_error(response: httpx.Response) -> tuple[list[str], str]:
    """Return (reasons, message) from `{"error": {"code", "message", "errors": [{"reason", ...}]}}`.

    Falls back to `error.details[].reason`, then `error.status`; a body that is not Google's format
    yields no reasons and a shortened copy of the body (or the status phrase) as the message.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):  # OAuth endpoints: {"error": "invalid_grant", "error_description": "..."}
        return [error], _shorten(str(body.get("error_description") or error))
    if not isinstance(error, dict):
        return [], _shorten(response.text) or response.reason_phrase
    reasons = [
        str(item["reason"])
        for item in error.get("errors") or []
        if isinstance(item, dict) and item.get("reason")
    ]
    if not reasons:
        reasons = [
            str(item["reason"])
            for item in error.get("details") or []
            if isinstance(item, dict) and item.get("reason")
        ]
    if not reasons and error.get("status"):
        reasons = [str(error["status"])]
    return reasons, _shorten(str(error.get("message") or "")) or response.reason_phrase


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent or invalid."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _shorten(text: str) -> str:
    collapsed = " ".join(text.split())
    if len(collapsed) <= _MAX_MESSAGE_CHARS:
        return collapsed
    return collapsed[: _MAX_MESSAGE_CHARS - 1] + "…"
