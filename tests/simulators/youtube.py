"""A local simulator of the YouTube endpoints the catalog calls, real HTTP on loopback, for tests and demos.

Endpoints (Google's documented JSON: kind, etag, items, pageInfo, nextPageToken; errors as
`{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}`):
- `GET /youtube/v3/videos?part=…&id=A,B` and `GET /youtube/v3/channels?part=…&id=…` (1 quota unit a call);
  private videos are listed only for a bearer token with `onBehalfOfContentOwner`, as YouTube lists them
  only for their owner
- `GET /youtube/partner/v1/claimSearch?videoId=…` (paginated at `claim_page_size`)
- `GET /youtube/partner/v1/assets/{assetId}?fetchMetadata=effective&fetchOwnership=effective`
- `GET /thumbnails/{channels|videos}/{id}/{size}.svg`: the thumbnail URLs the resources point at, served
  here so nothing (a browser in a demo included) ever reaches Google.
- `POST /token` (form): Google's OAuth 2.0 token endpoint (`token_url`). `grant_type=refresh_token` with
  `client_id`, `client_secret`, `refresh_token` registered by `add_oauth_client`, and
  `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an RS256 `assertion` signed by a key
  registered by `add_service_account` (issuer, audience, expiry and signature checked). Answers
  `{"access_token", "expires_in", "token_type", "scope"}` or Google's OAuth error JSON
  `{"error": "invalid_grant" | "invalid_client" | "unauthorized_client" | …, "error_description"}`.

Token switches: `set_token_lifetime(s)` (issued tokens expire after `s` seconds; default 3599),
`expire_tokens()` (every issued token expires now), `revoke_refresh_token(t)` (the grant and the access
tokens it gave stop working), `fail_token_next(n, status)` (5xx/429/408 from the token endpoint), and
`set_strict_tokens(True)`: only then does a bearer token the endpoint did not issue, or one that expired,
get 401 `authError` in Google's format (default off: any bearer token is accepted, as before).
`token_requests` counts the token endpoint's requests; `set_latency` delays them too.

Deviations from the real API, all deliberate: our own claims carry `appliedPolicy` (the Claim resource
has it, the claim snippet does not); another owner's claim carries `thirdPartyClaim: true` and a
`contentOwner: {"kind", "id", "displayName"}` object naming that owner (see
`catalog_ui.services.youtube.mapping`). Any API key or bearer token is accepted unless strict token
checking is on (see the token switches); none gives 401.

Run standalone for a demo: `python -m tests.simulators.youtube --port 8799 --report PATH [--changes-seed S]`.
"""

from __future__ import annotations

import argparse
import base64
import csv
import dataclasses
import gzip
import hashlib
import json
import random
import re
import secrets
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from catalog_ui.services.youtube.categories import CATEGORY_IDS, CATEGORY_NAMES

DATA_API_PREFIX = "/youtube/v3"
CONTENT_ID_PREFIX = "/youtube/partner/v1"
TOKEN_PATH = "/token"
JWT_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # the `aud` Google requires in assertions
DEFAULT_TOKEN_LIFETIME_S = 3599
MAX_IDS_PER_CALL = 50
DEFAULT_PUBLISHED = datetime(2020, 1, 1, tzinfo=UTC)
DEFAULT_CATEGORY_ID = "22"  # People & Blogs, YouTube's default for uploads
VIDEO_PARTS = frozenset(
    {
        "id",
        "snippet",
        "contentDetails",
        "statistics",
        "status",
        "liveStreamingDetails",
        "player",
        "topicDetails",
    }
)
CHANNEL_PARTS = frozenset(
    {"id", "snippet", "statistics", "brandingSettings", "contentDetails", "status", "topicDetails"}
)
POLICY_ACTIONS = ("monetize", "track", "block", "takedown")
CLAIM_STATUS_ALIASES = {"claim": "active", "claimed": "active", "appeal": "appealed", "dispute": "disputed"}
PRIVACY_CYCLE = {"public": "unlisted", "unlisted": "private", "private": "public"}
CLAIM_STATUS_CHANGES = {"active": "disputed", "disputed": "appealed", "appealed": "active"}
QUOTA_MESSAGE = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)
AUTH_MESSAGE = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential."
)
INVALID_TOKEN_MESSAGE = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential."
)
# Status → (reason, domain, message, gRPC status) of the errors `fail_next` can inject.
FAULTS: dict[int, tuple[str, str, str, str]] = {
    400: ("badRequest", "global", "Bad Request", "INVALID_ARGUMENT"),
    401: ("authError", "global", "Invalid Credentials", "UNAUTHENTICATED"),
    403: ("forbidden", "global", "The caller does not have permission", "PERMISSION_DENIED"),
    404: ("notFound", "global", "Requested entity was not found.", "NOT_FOUND"),
    429: ("rateLimitExceeded", "usageLimits", "Too many requests.", "RESOURCE_EXHAUSTED"),
    500: ("backendError", "global", "Backend Error", "INTERNAL"),
    502: ("backendError", "global", "Bad Gateway", "UNAVAILABLE"),
    503: ("backendError", "global", "The service is currently unavailable.", "UNAVAILABLE"),
    504: ("backendError", "global", "Deadline exceeded.", "DEADLINE_EXCEEDED"),
}
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_SLASHED_TIME = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_THUMBNAIL = re.compile(r"/thumbnails/(channels|videos)/([^/]+)/(\w+)\.svg")
_ASSET_PATH = re.compile(re.escape(CONTENT_ID_PREFIX) + r"/assets/([^/]+)")
_VIDEO_THUMB_SIZES = {"default": (120, 90), "medium": (320, 180), "high": (480, 360)}
_CHANNEL_THUMB_SIZES = {"default": (88, 88), "medium": (240, 240), "high": (800, 800)}


@dataclass
class SimVideo:
    """A video as the simulator holds it.

    `live`: was or is a live stream; `live_broadcast`: none, live (on air now) or upcoming.
    """

    video_id: str
    title: str
    channel_id: str
    channel_title: str
    published: datetime
    category_id: str
    duration: int
    views: int
    privacy: str
    embeddable: bool
    live: bool
    live_broadcast: str


@dataclass
class SimChannel:
    """A channel; `video_count`/`view_count` None means computed from the channel's visible videos."""

    channel_id: str
    title: str
    description: str = ""
    country: str | None = None
    subscribers: int = 0
    hidden_subscribers: bool = False
    video_count: int | None = None
    view_count: int | None = None
    thumbnail_url: str | None = None
    published: datetime = DEFAULT_PUBLISHED
    handle: str | None = None  # snippet.customUrl; None: "@" and the title's letters and digits


@dataclass
class SimClaim:
    """A claim; `owner` names another content owner when `third_party` is set."""

    claim_id: str
    video_id: str
    asset_id: str
    status: str
    policy: dict[str, Any] | None
    owner: str | None
    third_party: bool
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class Call:
    """One request received: path, query parameters (last value wins) and the Authorization header."""

    path: str
    params: dict[str, str]
    authorization: str | None = None


@dataclass
class _Fault:
    status: int
    retry_after: float | None
    quota: bool = False  # a 403 quotaExceeded (the daily quota spent) instead of FAULTS' reason


@dataclass
class _IssuedToken:
    expires_at: float  # time.monotonic()
    grant: str  # the refresh token or service account it came from


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


class YouTubeSimulator:
    """In-memory YouTube APIs behind a `ThreadingHTTPServer` on loopback; thread-safe; a context manager."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        daily_quota: int = 10_000,
        claim_page_size: int = 3,
    ) -> None:
        if claim_page_size < 1:
            raise ValueError("claim_page_size must be at least 1")
        self.host = host
        self.claim_page_size = claim_page_size
        self._requested_port = port
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._videos: dict[str, SimVideo] = {}
        self._channels: dict[str, SimChannel] = {}
        self._claims: dict[str, SimClaim] = {}
        self._assets: dict[str, dict[str, Any]] = {}
        self._hidden: set[str] = set()
        self._faults: deque[_Fault] = deque()
        self._latency = 0.0
        self._daily_quota = daily_quota
        self._quota_used = 0
        self._calls: list[Call] = []
        self._oauth_clients: dict[str, str] = {}  # client id → secret
        self._refresh_tokens: dict[str, str] = {}  # refresh token → client id
        self._service_accounts: dict[str, rsa.RSAPublicKey] = {}  # e-mail → public key
        self._delegations: dict[str, set[str]] = {}  # e-mail → users it may act as
        self._issued: dict[str, _IssuedToken] = {}
        self._token_lifetime = DEFAULT_TOKEN_LIFETIME_S
        self._token_faults: deque[int] = deque()
        self._strict_tokens = False
        self._token_requests = 0

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind the port (0 = a free one) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._stopping.clear()
        server = _Server((self.host, self._requested_port), _Handler)
        server.simulator = self
        self._server = server
        # A short poll interval keeps stop() quick: shutdown() waits for the serving loop's next poll.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="youtube-simulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port; requests still sleeping in `set_latency` are cut short."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after `start`)."""
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        return f"http://{self.host}:{self.port}"

    @property
    def data_api_url(self) -> str:
        """Base URL for `DataApiClient`."""
        return self.base_url + DATA_API_PREFIX

    @property
    def content_id_url(self) -> str:
        """Base URL for `ContentIdClient`."""
        return self.base_url + CONTENT_ID_PREFIX

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint (YOUTUBE_OAUTH_TOKEN_URL, a key file's `token_uri`)."""
        return self.base_url + TOKEN_PATH

    # -- seeding ---------------------------------------------------------------------------------------

    def add_video(
        self,
        video_id: str,
        *,
        title: str = "",
        channel_id: str = "",
        channel_title: str = "",
        published: datetime | str | None = None,
        category_id: str = DEFAULT_CATEGORY_ID,
        duration: int = 0,
        views: int = 0,
        privacy: str = "public",
        embeddable: bool = True,
        live: bool = False,
        live_broadcast: str = "none",
    ) -> None:
        """Add or replace a video; its channel is registered too when unknown. `category_id` may be a name."""
        if live_broadcast not in ("none", "live", "upcoming"):
            raise ValueError(f"live_broadcast must be none, live or upcoming, not {live_broadcast!r}")
        channel_title = channel_title or "Simulated channel"
        channel_id = channel_id or _derived_id("UC", channel_title, 22)
        video = SimVideo(
            video_id=video_id,
            title=title,
            channel_id=channel_id,
            channel_title=channel_title,
            published=_as_datetime(published),
            category_id=_category_id(category_id),
            duration=max(0, int(duration)),
            views=max(0, int(views)),
            privacy=privacy,
            embeddable=embeddable,
            live=live or live_broadcast != "none",
            live_broadcast=live_broadcast,
        )
        with self._lock:
            self._videos[video_id] = video
            if channel_id not in self._channels:
                self._channels[channel_id] = SimChannel(channel_id=channel_id, title=channel_title)

    def add_channel(
        self,
        channel_id: str,
        *,
        title: str = "",
        description: str = "",
        country: str | None = None,
        subscribers: int = 0,
        hidden_subscribers: bool = False,
        video_count: int | None = None,
        view_count: int | None = None,
        thumbnail_url: str | None = None,
        published: datetime | str | None = None,
        handle: str | None = None,
    ) -> None:
        """Add or replace a channel; counts left None are computed from its videos at each request.

        `handle` is sent as `snippet.customUrl` lower-cased, as YouTube sends handles (`@SomeArtist`
        gives `@someartist`; a legacy custom URL without "@" goes as given, lower-cased too); None
        derives one from the title."""
        channel = SimChannel(
            channel_id=channel_id,
            title=title or channel_id,
            description=description,
            country=country,
            subscribers=subscribers,
            hidden_subscribers=hidden_subscribers,
            video_count=video_count,
            view_count=view_count,
            thumbnail_url=thumbnail_url,
            published=_as_datetime(published),
            handle=handle.lower() if handle is not None else None,
        )
        with self._lock:
            self._channels[channel_id] = channel

    def add_claim(
        self,
        video_id: str,
        asset_id: str,
        status: str = "active",
        policy: str | Mapping[str, Any] | None = None,
        owner: str | None = None,
        *,
        third_party: bool | None = None,
    ) -> str:
        """Add (or update) a claim and return its id.

        `owner` None is our own claim; a name makes it another owner's claim. `third_party=True` with no
        owner adds an unnamed other owner's claim. `policy` is a policy resource or a name such as
        "Monetize in all countries" (its first word becomes the rule's action).
        """
        is_third_party = bool(third_party) or owner is not None
        claim_id = _derived_id("", f"{video_id}|{asset_id}|{owner or ''}|{is_third_party}", 11)
        with self._lock:
            video = self._videos.get(video_id)
            created = video.published if video else DEFAULT_PUBLISHED
            previous = self._claims.get(claim_id)
            self._claims[claim_id] = SimClaim(
                claim_id=claim_id,
                video_id=video_id,
                asset_id=asset_id,
                status=CLAIM_STATUS_ALIASES.get(status.strip().lower(), status.strip()),
                policy=_policy_resource(policy),
                owner=owner,
                third_party=is_third_party,
                created=previous.created if previous else created,
                modified=datetime.now(UTC) if previous else created,
            )
        return claim_id

    def add_asset(self, asset_id: str, **metadata: Any) -> None:
        """Add or update an asset's metadata.

        Keys: custom_id, isrc, upc, artist and genre (lists or '|'-joined strings), label, album, title.
        """
        allowed = {"custom_id", "isrc", "upc", "artist", "genre", "label", "album", "title"}
        unknown = set(metadata) - allowed
        if unknown:
            raise TypeError(f"unknown asset metadata: {', '.join(sorted(unknown))}")
        with self._lock:
            stored = self._assets.setdefault(asset_id, {})
            for key, value in metadata.items():
                if key in ("artist", "genre"):
                    value = _split_multi(value) if isinstance(value, str) else [str(v) for v in value or []]
                stored[key] = value or None

    def load_report(self, path: str | Path) -> int:
        """Seed videos, channels, claims and assets from a CMS "Videos" report (.csv or gzip); return #videos.

        Headers are matched by name (older aliases too); rows without a valid video id (blank lines,
        repeated headers, summary lines) are skipped; several rows of one video add their claims and
        assets, the last row's video fields win. Multi-valued cells are split on '|'.
        """
        with _open_text(Path(path)) as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None:
                return 0
            reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
            seen: set[str] = set()
            for row in reader:
                video_id = _cell(row, "video_id")
                if video_id is None or not _VIDEO_ID.fullmatch(video_id):
                    continue
                self._load_row(video_id, row)
                seen.add(video_id)
        return len(seen)

    def apply_scripted_changes(self, seed: int, fraction: float) -> dict[str, list[str]]:
        """Deterministically change `fraction` of the videos so a sync finds something; return what changed.

        Every chosen video gains views; about 15% of them also get a new title, 10% a new privacy status
        and 10% a new status on our claims. The result maps video id → changed column names.
        """
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must be between 0 and 1")
        rng = random.Random(seed)
        changes: dict[str, list[str]] = {}
        with self._lock:
            ids = sorted(self._videos)
            for video_id in sorted(rng.sample(ids, round(len(ids) * fraction))):
                video = self._videos[video_id]
                video.views += max(1, int(video.views * rng.uniform(0.01, 0.2))) + rng.randint(0, 25)
                changed = ["views"]
                roll = rng.random()
                if roll < 0.15:
                    video.title = _retitled(video.title)
                    changed.append("title")
                elif roll < 0.25:
                    video.privacy = PRIVACY_CYCLE.get(video.privacy, "public")
                    changed.append("privacy_status")
                elif roll < 0.35 and self._change_own_claims(video_id):
                    changed.append("claimed_status")
                changes[video_id] = changed
        return changes

    # -- faults and inspection -------------------------------------------------------------------------

    def fail_next(self, n: int, status: int = 500, retry_after: float | None = None) -> None:
        """Answer the next `n` API requests with `status` in Google's error format (after the auth check).

        Supported: 400, 401, 403 (forbidden), 404, 429, 500, 502, 503, 504; `retry_after` adds a
        Retry-After header. Calls queue up: `fail_next(1, 503); fail_next(1, 429)` fails twice.
        """
        if status not in FAULTS:
            raise ValueError(f"unsupported fault status {status}; use one of {sorted(FAULTS)}")
        with self._lock:
            self._faults.extend(_Fault(status, retry_after) for _ in range(n))

    def exhaust_quota_next(self, n: int) -> None:
        """Answer the next `n` API requests (of either API) with 403 quotaExceeded, as a spent daily quota
        does; `set_quota` spends the Data API's quota by calls instead."""
        with self._lock:
            self._faults.extend(_Fault(403, None, quota=True) for _ in range(n))

    def set_latency(self, seconds: float) -> None:
        """Delay every API response by `seconds` (0 to turn off)."""
        with self._lock:
            self._latency = max(0.0, seconds)

    def hide_video(self, video_id: str, hidden: bool = True) -> None:
        """Make a video vanish, or come back with `hidden=False`.

        A hidden video is absent from `items`; its claim search and the assets claimed only on hidden
        videos answer 404.
        """
        with self._lock:
            if hidden:
                self._hidden.add(video_id)
            else:
                self._hidden.discard(video_id)

    def set_quota(self, units: int) -> None:
        """Start a fresh quota day of `units` units (the used count goes back to 0)."""
        with self._lock:
            self._daily_quota = units
            self._quota_used = 0

    def reset_quota(self) -> None:
        """Start a new quota day with the same daily quota."""
        with self._lock:
            self._quota_used = 0

    @property
    def quota_used(self) -> int:
        """Units spent today."""
        with self._lock:
            return self._quota_used

    @property
    def calls(self) -> list[Call]:
        """Every request received, oldest first (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, endpoint: str) -> list[Call]:
        """Requests whose path ends with `endpoint` (e.g. "/videos", "/claimSearch")."""
        return [call for call in self.calls if call.path.endswith(endpoint)]

    def clear_calls(self) -> None:
        """Forget the call log."""
        with self._lock:
            self._calls.clear()

    def get_video(self, video_id: str) -> SimVideo | None:
        """A copy of a video's current state, or None."""
        with self._lock:
            video = self._videos.get(video_id)
            return dataclasses.replace(video) if video else None

    def claims_of(self, video_id: str) -> list[SimClaim]:
        """Copies of a video's claims in insertion order."""
        with self._lock:
            return [dataclasses.replace(c) for c in self._claims.values() if c.video_id == video_id]

    # -- OAuth token endpoint ---------------------------------------------------------------------------

    def add_oauth_client(self, client_id: str, client_secret: str, refresh_token: str) -> None:
        """Register an OAuth client and a refresh token granted to it (a client may hold several)."""
        with self._lock:
            self._oauth_clients[client_id] = client_secret
            self._refresh_tokens[refresh_token] = client_id

    def add_service_account(
        self, email: str, public_key_pem: bytes | str, *, delegated_users: Iterable[str] = ()
    ) -> None:
        """Register a service account by e-mail with the PEM public key its assertions are checked against.

        An assertion acting as a user (`sub`) not in `delegated_users` gets `unauthorized_client`, as
        Google answers when domain-wide delegation was not granted.
        """
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise TypeError("a service account's key is an RSA key")
        with self._lock:
            self._service_accounts[email] = key
            self._delegations[email] = set(delegated_users)

    def set_token_lifetime(self, seconds: float) -> None:
        """Tokens issued from now on expire after `seconds` (`expires_in` says so)."""
        with self._lock:
            self._token_lifetime = seconds

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (clients still think theirs are valid)."""
        with self._lock:
            now = time.monotonic()
            for issued in self._issued.values():
                issued.expires_at = min(issued.expires_at, now)

    def revoke_refresh_token(self, refresh_token: str) -> None:
        """Revoke a refresh token: it gets `invalid_grant`, and the access tokens it gave stop working."""
        with self._lock:
            self._refresh_tokens.pop(refresh_token, None)
            self._issued = {t: i for t, i in self._issued.items() if i.grant != refresh_token}

    def fail_token_next(self, n: int, status: int = 503) -> None:
        """Answer the next `n` token requests with `status` (5xx, 429 or 408) and Google's OAuth error JSON."""
        if not (status >= 500 or status in (408, 429)):
            raise ValueError("token endpoint faults are 5xx, 429 or 408; revoke a grant for a 400")
        with self._lock:
            self._token_faults.extend([status] * n)

    def set_strict_tokens(self, strict: bool = True) -> None:
        """Turn on (or off) 401 `authError` for bearer tokens the endpoint did not issue or that expired."""
        with self._lock:
            self._strict_tokens = strict

    @property
    def token_requests(self) -> int:
        """Requests the token endpoint received (failed ones included)."""
        with self._lock:
            return self._token_requests

    def _token_valid(self, authorization: str) -> bool:
        issued = self._issued.get(authorization.partition(" ")[2].strip())
        return issued is not None and issued.expires_at > time.monotonic()

    def _handle_token(self, raw_path: str, body: bytes) -> _Response:
        path = urlsplit(raw_path).path.rstrip("/")
        if path != TOKEN_PATH:
            return _error(404, "notFound", f"No such endpoint: {path}")
        form = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        with self._lock:
            self._token_requests += 1
            self._calls.append(Call(path, {k: v for k, v in form.items() if k == "grant_type"}))
            latency = self._latency
        if latency and self._stopping.wait(latency):
            return _oauth_error(503, "internal_failure", "Simulator stopping.")
        with self._lock:
            if self._token_faults:
                return _oauth_error(self._token_faults.popleft(), "internal_failure", "Backend Error")
            grant_type = form.get("grant_type", "")
            if grant_type == "refresh_token":
                return self._refresh_grant(form)
            if grant_type == JWT_GRANT_TYPE:
                return self._jwt_grant(form.get("assertion", ""))
            return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _refresh_grant(self, form: dict[str, str]) -> _Response:
        client_id = form.get("client_id", "")
        if client_id not in self._oauth_clients:
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        if form.get("client_secret") != self._oauth_clients[client_id]:
            return _oauth_error(401, "invalid_client", "Unauthorized")
        refresh_token = form.get("refresh_token", "")
        if self._refresh_tokens.get(refresh_token) != client_id:
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        return self._issue(
            refresh_token,
            "https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/youtubepartner",
        )

    def _jwt_grant(self, assertion: str) -> _Response:
        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims = json.loads(_b64decode(payload_b64))
            signature = _b64decode(signature_b64)
        except ValueError:
            return _oauth_error(400, "invalid_grant", "Invalid JWT: the assertion is not a JWT.")
        key = self._service_accounts.get(str(claims.get("iss")))
        if header.get("alg") != "RS256" or key is None:
            return _oauth_error(400, "invalid_grant", "Invalid grant: account not found")
        try:
            key.verify(signature, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        now = time.time()
        if claims.get("aud") != GOOGLE_TOKEN_AUDIENCE:
            return _oauth_error(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        if not (claims.get("iat", now + 1) <= now + 60 and now < claims.get("exp", 0) <= now + 3660):
            return _oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token.")
        if not claims.get("scope"):
            return _oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        if "sub" in claims and claims["sub"] not in self._delegations[claims["iss"]]:
            return _oauth_error(
                401,
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not "
                "authorized for any of the scopes requested.",
            )
        return self._issue(str(claims["iss"]), str(claims["scope"]))

    def _issue(self, grant: str, scope: str) -> _Response:
        token = "ya29.sim-" + secrets.token_urlsafe(24)
        self._issued[token] = _IssuedToken(time.monotonic() + self._token_lifetime, grant)
        body = {
            "access_token": token,
            "expires_in": self._token_lifetime,
            "token_type": "Bearer",
            "scope": scope,
        }
        return _json(200, body)

    # -- request handling (called from server threads) -------------------------------------------------

    def _handle(self, raw_path: str, authorization: str | None) -> _Response:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        params = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        thumbnail = _THUMBNAIL.fullmatch(path)
        if thumbnail:
            return _Response(200, _thumbnail_svg(thumbnail.group(2)), "image/svg+xml")
        with self._lock:
            self._calls.append(Call(path, params, authorization))
            latency = self._latency
        if latency and self._stopping.wait(latency):
            return _error(503, "backendError", "Simulator stopping.")

        with self._lock:
            route = self._route(path)
            if route is None:
                return _error(404, "notFound", f"No such endpoint: {path}")
            if not params.get("key") and not _bearer(authorization):
                return _error(401, "required", AUTH_MESSAGE, location="Authorization")
            if self._strict_tokens and authorization and not self._token_valid(authorization):
                return _error(401, "authError", INVALID_TOKEN_MESSAGE, location="Authorization")
            if self._faults:
                return _fault_response(self._faults.popleft())
            return route(path, params, authorization)

    def _route(self, path: str) -> Any:
        if path == DATA_API_PREFIX + "/videos":
            return self._videos_list
        if path == DATA_API_PREFIX + "/channels":
            return self._channels_list
        if path == CONTENT_ID_PREFIX + "/claimSearch":
            return self._claim_search
        if _ASSET_PATH.fullmatch(path):
            return self._asset_get
        return None

    def _charge_quota(self) -> _Response | None:
        if self._quota_used >= self._daily_quota:
            return _error(403, "quotaExceeded", QUOTA_MESSAGE, domain="youtube.quota")
        self._quota_used += 1
        return None

    def _videos_list(self, path: str, params: dict[str, str], authorization: str | None) -> _Response:
        # Private videos only for their content owner: OAuth and onBehalfOfContentOwner, as YouTube does.
        owner = bool(params.get("onBehalfOfContentOwner")) and _bearer(authorization)

        def items(ids: list[str], parts: set[str]) -> list[dict[str, Any]]:
            return self._video_items(ids, parts, private=owner)

        return self._data_list(params, VIDEO_PARTS, "youtube#videoListResponse", items)

    def _channels_list(self, path: str, params: dict[str, str], authorization: str | None) -> _Response:
        return self._data_list(params, CHANNEL_PARTS, "youtube#channelListResponse", self._channel_items)

    def _data_list(self, params: dict[str, str], known: frozenset[str], kind: str, build: Any) -> _Response:
        refused = self._charge_quota()
        if refused:
            return refused
        parts = [p.strip() for p in params.get("part", "").split(",") if p.strip()]
        if not parts:
            return _error(400, "required", "Required parameter: part", domain="global")
        unknown = [p for p in parts if p not in known]
        if unknown:
            return _error(400, "unknownPart", f"'{unknown[0]}'", domain="youtube.part")
        ids = list(dict.fromkeys(i.strip() for i in params.get("id", "").split(",") if i.strip()))
        if not ids:
            return _error(400, "missingRequiredParameter", "No filter selected. Expected one of: id.")
        if len(ids) > MAX_IDS_PER_CALL:
            return _error(
                400, "invalidFilters", f"At most {MAX_IDS_PER_CALL} ids are allowed, got {len(ids)}."
            )
        items = build(ids, set(parts))
        body = {
            "kind": kind,
            "etag": "",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
        body["items"] = items
        body["etag"] = _etag(body)
        return _json(200, body)

    def _video_items(self, ids: list[str], parts: set[str], *, private: bool) -> list[dict[str, Any]]:
        return [
            self._video_resource(self._videos[i], parts)
            for i in ids
            if i in self._videos
            and i not in self._hidden
            and (private or self._videos[i].privacy != "private")
        ]

    def _channel_items(self, ids: list[str], parts: set[str]) -> list[dict[str, Any]]:
        return [self._channel_resource(self._channels[i], parts) for i in ids if i in self._channels]

    def _video_resource(self, video: SimVideo, parts: set[str]) -> dict[str, Any]:
        item: dict[str, Any] = {"kind": "youtube#video", "etag": "", "id": video.video_id}
        if "snippet" in parts:
            item["snippet"] = {
                "publishedAt": _rfc3339(video.published),
                "channelId": video.channel_id,
                "title": video.title,
                "description": "",
                "thumbnails": self._thumbnails("videos", video.video_id, _VIDEO_THUMB_SIZES),
                "channelTitle": video.channel_title,
                "categoryId": video.category_id,
                "liveBroadcastContent": video.live_broadcast,
                "localized": {"title": video.title, "description": ""},
            }
        if "contentDetails" in parts:
            item["contentDetails"] = {
                "duration": "P0D" if video.live_broadcast != "none" else _iso_duration(video.duration),
                "dimension": "2d",
                "definition": "hd",
                "caption": "false",
                "licensedContent": True,
                "contentRating": {},
                "projection": "rectangular",
            }
        if "statistics" in parts:
            item["statistics"] = {
                "viewCount": str(video.views),
                "likeCount": str(video.views // 40),
                "favoriteCount": "0",
                "commentCount": str(video.views // 900),
            }
        if "status" in parts:
            item["status"] = {
                "uploadStatus": "processed",
                "privacyStatus": video.privacy,
                "license": "youtube",
                "embeddable": video.embeddable,
                "publicStatsViewable": True,
                "madeForKids": False,
            }
        if "liveStreamingDetails" in parts and video.live:
            item["liveStreamingDetails"] = _live_details(video)
        item["etag"] = _etag(item)
        return item

    def _channel_resource(self, channel: SimChannel, parts: set[str]) -> dict[str, Any]:
        visible = [
            v
            for v in self._videos.values()
            if v.channel_id == channel.channel_id and v.video_id not in self._hidden
        ]
        video_count = channel.video_count if channel.video_count is not None else len(visible)
        view_count = channel.view_count if channel.view_count is not None else sum(v.views for v in visible)
        item: dict[str, Any] = {"kind": "youtube#channel", "etag": "", "id": channel.channel_id}
        if "snippet" in parts:
            if channel.thumbnail_url:
                thumbnails = {"default": {"url": channel.thumbnail_url, "width": 88, "height": 88}}
            else:
                thumbnails = self._thumbnails("channels", channel.channel_id, _CHANNEL_THUMB_SIZES)
            snippet: dict[str, Any] = {
                "title": channel.title,
                "description": channel.description,
                "customUrl": channel.handle or "@" + re.sub(r"[^a-z0-9]", "", channel.title.lower())[:30],
                "publishedAt": _rfc3339(channel.published),
                "thumbnails": thumbnails,
                "localized": {"title": channel.title, "description": channel.description},
            }
            if channel.country:
                snippet["country"] = channel.country
            item["snippet"] = snippet
        if "statistics" in parts:
            statistics: dict[str, Any] = {"viewCount": str(view_count)}
            if not channel.hidden_subscribers:
                statistics["subscriberCount"] = str(channel.subscribers)
            statistics["hiddenSubscriberCount"] = channel.hidden_subscribers
            statistics["videoCount"] = str(video_count)
            item["statistics"] = statistics
        if "brandingSettings" in parts:
            branding: dict[str, Any] = {"title": channel.title, "description": channel.description}
            if channel.country:
                branding["country"] = channel.country
            item["brandingSettings"] = {"channel": branding, "image": {}}
        item["etag"] = _etag(item)
        return item

    def _thumbnails(self, kind: str, item_id: str, sizes: dict[str, tuple[int, int]]) -> dict[str, Any]:
        return {
            name: {"url": f"{self.base_url}/thumbnails/{kind}/{item_id}/{name}.svg", "width": w, "height": h}
            for name, (w, h) in sizes.items()
        }

    def _claim_search(self, path: str, params: dict[str, str], authorization: str | None) -> _Response:
        owner_refusal = _require_owner(params)
        if owner_refusal:
            return owner_refusal
        video_ids = [v for v in params.get("videoId", "").split(",") if v]
        asset_id = params.get("assetId") or None
        if not video_ids and not asset_id:
            return _error(400, "required", "One of assetId, videoId or q is required.")
        if video_ids and all(self._video_gone(v) for v in video_ids):
            return _error(404, "notFound", f"Video not found: {','.join(video_ids)}")
        include_third_party = params.get("includeThirdPartyClaims", "").lower() == "true"
        matches = [
            claim
            for claim in self._claims.values()
            if (not video_ids or claim.video_id in video_ids)
            and (asset_id is None or claim.asset_id == asset_id)
            and claim.video_id not in self._hidden
            and (include_third_party or not claim.third_party)
        ]
        offset = _decode_page_token(params.get("pageToken"))
        if offset is None or offset > len(matches):
            return _error(400, "invalidPageToken", "The page token is invalid.")
        size = self.claim_page_size
        body: dict[str, Any] = {
            "kind": "youtubePartner#claimSnippetList",
            "pageInfo": {"totalResults": len(matches), "resultsPerPage": size, "startIndex": offset},
            "items": [self._claim_snippet(claim) for claim in matches[offset : offset + size]],
        }
        if offset + size < len(matches):
            body["nextPageToken"] = _encode_page_token(offset + size)
        if offset > 0:
            body["previousPageToken"] = _encode_page_token(max(0, offset - size))
        return _json(200, body)

    def _claim_snippet(self, claim: SimClaim) -> dict[str, Any]:
        video = self._videos.get(claim.video_id)
        snippet: dict[str, Any] = {
            "kind": "youtubePartner#claimSnippet",
            "id": claim.claim_id,
            "assetId": claim.asset_id,
            "videoId": claim.video_id,
            "status": claim.status,
            "contentType": "audiovisual",
            "timeCreated": _rfc3339(claim.created),
            "timeStatusLastModified": _rfc3339(claim.modified),
            "thirdPartyClaim": claim.third_party,
            "isPartnerUploaded": not claim.third_party,
            "videoTitle": video.title if video else "",
            "videoViews": str(video.views if video else 0),
            "origin": {"source": "audioMatch" if claim.third_party else "partnerUploaded"},
        }
        if claim.third_party:
            if claim.owner:
                snippet["contentOwner"] = {
                    "kind": "youtubePartner#contentOwner",
                    "id": _derived_id("", claim.owner, 22),
                    "displayName": claim.owner,
                }
        elif claim.policy is not None:
            snippet["appliedPolicy"] = claim.policy
        return snippet

    def _asset_get(self, path: str, params: dict[str, str], authorization: str | None) -> _Response:
        owner_refusal = _require_owner(params)
        if owner_refusal:
            return owner_refusal
        match = _ASSET_PATH.fullmatch(path)
        asset_id = unquote(match.group(1)) if match else ""
        claimed_videos = {c.video_id for c in self._claims.values() if c.asset_id == asset_id}
        gone = bool(claimed_videos) and all(v in self._hidden for v in claimed_videos)
        if asset_id not in self._assets or gone:
            return _error(404, "notFound", f"Asset not found: {asset_id}")
        metadata = self._assets[asset_id]
        asset: dict[str, Any] = {
            "kind": "youtubePartner#asset",
            "id": asset_id,
            "type": "music_video" if metadata.get("isrc") or metadata.get("upc") else "web",
            "status": "active",
            "timeCreated": _rfc3339(DEFAULT_PUBLISHED),
        }
        if params.get("fetchMetadata") == "effective":
            names = {"custom_id": "customId"}
            asset["metadataEffective"] = {
                names.get(key, key): value for key, value in metadata.items() if value not in (None, "", [])
            }
        if params.get("fetchOwnership") == "effective":
            asset["ownershipEffective"] = {
                "kind": "youtubePartner#rightsOwnership",
                "general": [
                    {
                        "owner": params["onBehalfOfContentOwner"],
                        "ratio": 100,
                        "type": "exclude",
                        "territories": [],
                    }
                ],
            }
        return _json(200, asset)

    def _video_gone(self, video_id: str) -> bool:
        if video_id in self._hidden:
            return True
        return video_id not in self._videos and not any(c.video_id == video_id for c in self._claims.values())

    # -- report loading and scripted changes -----------------------------------------------------------

    def _load_row(self, video_id: str, row: Mapping[str, str | None]) -> None:
        channel_title = _cell(row, "channel_display_name", "username") or ""
        views = _report_int(_cell(row, "views", "view_count"))
        self.add_video(
            video_id,
            title=_cell(row, "video_title", "title") or "",
            channel_id=_cell(row, "channel_id") or "",
            channel_title=channel_title,
            published=_report_time(_cell(row, "time_published", "time_uploaded")),
            category_id=_cell(row, "category") or DEFAULT_CATEGORY_ID,
            duration=_report_duration(_cell(row, "video_length", "length")),
            views=max(0, views or 0),
            privacy=(_cell(row, "privacy_status") or "public").lower(),
            embeddable=_flag(_cell(row, "embedding_allowed"), default=True),
            live=_flag(_cell(row, "is_live_stream"), default=False),
        )
        asset_id = _cell(row, "asset_id")
        if asset_id:
            metadata = {
                key: _cell(row, key)
                for key in ("custom_id", "isrc", "upc", "artist", "genre", "label", "album")
            }
            self.add_asset(asset_id, title=_cell(row, "video_title", "title"), **metadata)
        status = _cell(row, "claimed_status")
        if status:
            self.add_claim(
                video_id,
                asset_id or _derived_id("A", video_id, 15, digits=True),
                status,
                _cell(row, "effective_policy", "policy"),
            )
        others = _split_multi(_cell(row, "other_owners_claiming"))
        for name in others:
            self.add_claim(
                video_id, _derived_id("A", f"{video_id}|{name}", 15, digits=True), "active", owner=name
            )
        if not others and _flag(_cell(row, "claimed_by_another_owner"), default=False):
            self.add_claim(video_id, _derived_id("A", f"{video_id}|other", 15, digits=True), third_party=True)

    def _change_own_claims(self, video_id: str) -> bool:
        own = [c for c in self._claims.values() if c.video_id == video_id and not c.third_party]
        if not own:
            return False
        now = datetime.now(UTC)
        new_status = CLAIM_STATUS_CHANGES.get(own[0].status, "active")
        for claim in own:
            claim.status = new_status
            claim.modified = now
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: YouTubeSimulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is expected (see set_latency); anything else is a bug.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._send(self.server.simulator._handle(self.path, self.headers.get("Authorization")))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(self.server.simulator._handle_token(self.path, body))

    def _send(self, response: _Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


# -- response helpers -----------------------------------------------------------------------------------


def _json(status: int, body: Mapping[str, Any], headers: dict[str, str] | None = None) -> _Response:
    return _Response(status, json.dumps(body).encode(), headers=headers or {})


def _bearer(authorization: str | None) -> bool:
    """Whether the request carries an OAuth bearer token (not whether the token is valid)."""
    return bool(re.fullmatch(r"Bearer\s+\S+", authorization or ""))


def _error(
    status: int,
    reason: str,
    message: str,
    *,
    domain: str = "global",
    location: str | None = None,
    headers: dict[str, str] | None = None,
) -> _Response:
    detail: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location:
        detail.update(location=location, locationType="header")
    grpc_status = FAULTS.get(status, (None, None, None, "UNKNOWN"))[3]
    if status == 403 and reason == "quotaExceeded":
        grpc_status = "PERMISSION_DENIED"
    body = {"error": {"code": status, "message": message, "errors": [detail], "status": grpc_status}}
    return _json(status, body, headers)


def _oauth_error(status: int, error: str, description: str) -> _Response:
    """Google's token endpoint error: `{"error": "invalid_grant", "error_description": "..."}`."""
    return _json(status, {"error": error, "error_description": description})


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fault_response(fault: _Fault) -> _Response:
    if fault.quota:
        return _error(403, "quotaExceeded", QUOTA_MESSAGE, domain="youtube.quota")
    reason, domain, message, _ = FAULTS[fault.status]
    headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
    return _error(fault.status, reason, message, domain=domain, headers=headers)


def _require_owner(params: Mapping[str, str]) -> _Response | None:
    if params.get("onBehalfOfContentOwner"):
        return None
    return _error(400, "required", "Required parameter: onBehalfOfContentOwner")


def _etag(body: Any) -> str:
    digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:27]


def _encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"claims:{offset}".encode()).decode().rstrip("=")


def _decode_page_token(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except ValueError:
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "claims" and number.isdigit() else None


def _thumbnail_svg(item_id: str) -> bytes:
    hue = int(hashlib.sha1(item_id.encode()).hexdigest()[:4], 16) % 360
    initial = (item_id[:1] or "?").upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 88 88">'
        f'<rect width="88" height="88" fill="hsl({hue},55%,45%)"/>'
        '<text x="44" y="58" font-size="40" text-anchor="middle" fill="#fff" font-family="sans-serif">'
        f"{initial}</text></svg>"
    ).encode()


def _live_details(video: SimVideo) -> dict[str, Any]:
    if video.live_broadcast == "upcoming":
        return {"scheduledStartTime": _rfc3339(video.published)}
    details = {"actualStartTime": _rfc3339(video.published), "scheduledStartTime": _rfc3339(video.published)}
    if video.live_broadcast == "live":
        details["concurrentViewers"] = str(max(1, video.views // 100))
    else:
        details["actualEndTime"] = _rfc3339(video.published + timedelta(seconds=video.duration))
    return details


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time_part = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    if days:
        return f"P{days}D" + (f"T{time_part}" if time_part else "")
    return f"PT{time_part or '0S'}"


# -- seeding helpers ------------------------------------------------------------------------------------


def _derived_id(prefix: str, seed: str, length: int, *, digits: bool = False) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    if digits:
        return prefix + str(int.from_bytes(digest, "big"))[:length]
    return prefix + base64.urlsafe_b64encode(digest).decode()[:length]


def _as_datetime(value: datetime | str | None) -> datetime:
    if value is None or value == "":
        return DEFAULT_PUBLISHED
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _category_id(value: str) -> str:
    text = str(value).strip()
    if text in CATEGORY_NAMES:
        return text
    return CATEGORY_IDS.get(text.lower(), DEFAULT_CATEGORY_ID)


def _policy_resource(policy: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    if isinstance(policy, Mapping):
        return {"kind": "youtubePartner#policy", **policy}
    name = policy.strip()
    if not name:
        return None
    first_word = name.split()[0].lower()
    rules = [{"action": first_word}] if first_word in POLICY_ACTIONS else []
    return {"kind": "youtubePartner#policy", "name": name, "rules": rules}


def _retitled(title: str) -> str:
    suffix = " (Remastered)"
    return title[: -len(suffix)] if title.endswith(suffix) else title + suffix


def _open_text(path: Path) -> TextIO:
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return path.open("r", encoding="utf-8-sig", errors="replace", newline="")


def _cell(row: Mapping[str, str | None], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _split_multi(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None:
        return default
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    return default


def _report_int(value: str | None) -> int | None:
    if value is None:
        return None
    digits = re.sub(r"[,\s\u00a0\u202f]", "", value)
    return int(digits) if re.fullmatch(r"-?\d+", digits) else None


def _report_duration(value: str | None) -> int:
    if value is None:
        return 0
    if re.fullmatch(r"\d+", value):
        return int(value)
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}", value):
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return total
    return 0


def _report_time(value: str | None) -> datetime:
    if value is None:
        return DEFAULT_PUBLISHED
    slashed = _SLASHED_TIME.fullmatch(value)
    if slashed:
        year, month, day, hour, minute, second = (int(part or 0) for part in slashed.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    try:
        return _as_datetime(value)
    except ValueError:
        return DEFAULT_PUBLISHED


# -- standalone ------------------------------------------------------------------------------------------


def main(argv: Iterable[str] | None = None) -> int:
    """Serve the simulator until SIGTERM or Ctrl-C; print its URLs as `NAME=value` lines for the demo."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulators.youtube", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8799, help="port (0 = a free one; default 8799)")
    parser.add_argument("--report", type=Path, help="CMS Videos report (.csv or .csv.gz) to seed from")
    parser.add_argument(
        "--changes-seed", type=int, help="apply scripted changes with this seed after loading"
    )
    parser.add_argument("--changes-fraction", type=float, default=0.1, help="share of videos changed (0.1)")
    parser.add_argument("--quota", type=int, default=10_000, help="daily Data API quota in units (10000)")
    parser.add_argument("--claim-page-size", type=int, default=3, help="claims per claimSearch page (3)")
    args = parser.parse_args(list(argv) if argv is not None else None)

    simulator = YouTubeSimulator(
        args.port, host=args.host, daily_quota=args.quota, claim_page_size=args.claim_page_size
    )
    if args.report:
        print(f"# loaded {simulator.load_report(args.report)} videos from {args.report}", flush=True)
    if args.changes_seed is not None:
        changed = simulator.apply_scripted_changes(args.changes_seed, args.changes_fraction)
        print(f"# scripted changes (seed {args.changes_seed}) on {len(changed)} videos", flush=True)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    simulator.start()
    try:
        print(f"YOUTUBE_DATA_API_URL={simulator.data_api_url}", flush=True)
        print(f"YOUTUBE_CONTENT_ID_URL={simulator.content_id_url}", flush=True)
        print("# any API key or bearer token is accepted; SIGTERM or Ctrl-C stops", flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        simulator.stop()
    print("# stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
