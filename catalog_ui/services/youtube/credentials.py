"""Credentials of the YouTube clients: an access token that refreshes itself shortly before it expires.

Three sources, chosen from settings in this order by `credentials_from_settings`:
1. a service-account key file (`YOUTUBE_SERVICE_ACCOUNT_FILE`, acting as `YOUTUBE_DELEGATED_USER` when set):
   a signed JWT exchanged at the key file's `token_uri`;
2. an OAuth client and a refresh token (`YOUTUBE_OAUTH_CLIENT_ID`, `_CLIENT_SECRET`, `_REFRESH_TOKEN`)
   exchanged at `YOUTUBE_OAUTH_TOKEN_URL`;
3. the static `YOUTUBE_ACCESS_TOKEN`, never refreshed (it stops working when it expires).
With none of them there are no credentials (the Data API's API-key-only mode).

`google-auth` builds and signs the grants; its HTTP goes through httpx with the clients' timeout. A grant
Google refuses (`invalid_grant`, `invalid_client`, …, any 4xx) raises `AuthError`; a token endpoint that
times out, cannot be reached or answers 5xx/429 raises `TransientApiError`.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import google.auth.exceptions
import google.auth.transport
import httpx
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from catalog_ui.services.youtube.errors import AuthError, ConfigurationError, TransientApiError
from catalog_ui.settings import Settings

DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPES = (
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/youtubepartner",
)
# Refresh this long before a token expires (a quarter of its lifetime when that is shorter), so a request
# never leaves with a token that dies on the way.
REFRESH_MARGIN_S = 300.0
# Assumed lifetime when the token endpoint gives no `expires_in` (Google's tokens last an hour).
DEFAULT_LIFETIME_S = 3600.0
_TRANSIENT_STATUSES = frozenset({408, 429})

SERVICE_ACCOUNT_SETTINGS = "YOUTUBE_SERVICE_ACCOUNT_FILE / YOUTUBE_DELEGATED_USER"
REFRESH_TOKEN_SETTINGS = "YOUTUBE_OAUTH_CLIENT_ID / YOUTUBE_OAUTH_CLIENT_SECRET / YOUTUBE_OAUTH_REFRESH_TOKEN"
ACCESS_TOKEN_SETTINGS = "YOUTUBE_ACCESS_TOKEN"


class YouTubeCredentials(ABC):
    """The interface the clients use: `token()` gives a valid bearer token, `invalidate()` forgets it.

    `settings` names the settings these credentials come from (for error messages); `refreshable` is
    False when a new token cannot be had (a static token), so retrying after a 401 is pointless.
    """

    settings: str = ""
    refreshable: bool = False

    @abstractmethod
    def token(self) -> str:
        """A bearer token valid for a while yet; may call the token endpoint (raises `YouTubeApiError`)."""

    @abstractmethod
    def invalidate(self, rejected: str | None = None) -> None:
        """Forget the token (YouTube answered 401 with it) so the next `token()` gets a fresh one.

        With `rejected`, only when that is still the current token: threads that got 401 with the same
        token cause one refresh, not one each.
        """

    @abstractmethod
    def close(self) -> None:
        """Release the connection pool used to reach the token endpoint, if any."""


class StaticToken(YouTubeCredentials):
    """A fixed access token from YOUTUBE_ACCESS_TOKEN; nothing can refresh it."""

    settings = ACCESS_TOKEN_SETTINGS
    refreshable = False

    def __init__(self, access_token: str) -> None:
        self._token = access_token

    def token(self) -> str:
        """The configured token."""
        return self._token

    def invalidate(self, rejected: str | None = None) -> None:
        """Nothing to forget: a fixed token stays what it is (its 401 is an `AuthError` at once)."""

    def close(self) -> None:
        """Nothing to release: a fixed token calls no token endpoint."""


class RefreshingCredentials(YouTubeCredentials):
    """A `google-auth` credentials object refreshed under a lock, ahead of expiry; thread-safe.

    `refreshes` counts the token-endpoint exchanges that succeeded.
    """

    refreshable = True

    def __init__(self, google_credentials: Any, *, settings: str, timeout: float) -> None:
        self.settings = settings
        self.refreshes = 0
        self._google = google_credentials
        self._request = HttpxRequest(timeout)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0  # time.monotonic() after which the token is refreshed

    def token(self) -> str:
        """The current token, refreshed first when it is missing or close to its expiry."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._refresh_at:
                self._refresh()
            assert self._token is not None
            return self._token

    def invalidate(self, rejected: str | None = None) -> None:
        """Drop the current token (or only `rejected`, when it is still current)."""
        with self._lock:
            if rejected is None or rejected == self._token:
                self._token = None

    def close(self) -> None:
        """Close the token endpoint's connection pool."""
        self._request.close()

    def _refresh(self) -> None:
        started = time.monotonic()
        self._request.last_status = None
        try:
            self._google.refresh(self._request)
        except google.auth.exceptions.TransportError as exc:
            raise TransientApiError(
                f"token endpoint unreachable: {exc}", reason="tokenEndpointUnavailable"
            ) from exc
        except google.auth.exceptions.RefreshError as exc:
            raise self._refresh_error(exc) from exc
        token = self._google.token
        if not token:
            raise TransientApiError(
                "token endpoint answered without an access token", reason="invalidResponse"
            )
        expiry = self._google.expiry  # naive UTC, as google-auth keeps it
        lifetime = (
            (expiry.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() if expiry else DEFAULT_LIFETIME_S
        )
        self._token = token
        self._refresh_at = started + max(0.0, lifetime - min(REFRESH_MARGIN_S, lifetime / 4))
        self.refreshes += 1

    def _refresh_error(self, exc: google.auth.exceptions.RefreshError) -> Exception:
        status = self._request.last_status
        data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], Mapping) else {}
        code = data.get("error") if isinstance(data.get("error"), str) else None
        detail = str(exc.args[0]) if exc.args else str(exc)
        if status is None or status < 400 or status >= 500 or status in _TRANSIENT_STATUSES or exc.retryable:
            # No answer to judge (a 200 without a token: a proxy in trouble) or the endpoint is down: later.
            return TransientApiError(
                f"token endpoint {status or 'answer'} unusable: {detail}", status=status, reason=code
            )
        return AuthError(detail, settings=self.settings, status=status, reason=code or "refreshRefused")


class HttpxRequest(google.auth.transport.Request):
    """`google-auth`'s transport interface over one httpx client; remembers the last status it got."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.last_status: int | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), headers={"User-Agent": "catalog-ui"})

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> _Response:
        """Send one request; network failures become `google.auth.exceptions.TransportError`."""
        try:
            response = self._client.request(
                method, url, content=body, headers=dict(headers or {}), timeout=timeout or self.timeout
            )
        except httpx.TimeoutException as exc:
            raise google.auth.exceptions.TransportError(f"timed out after {self.timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise google.auth.exceptions.TransportError(f"{type(exc).__name__}: {exc}") from exc
        self.last_status = response.status_code
        return _Response(response)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class _Response(google.auth.transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def data(self) -> bytes:
        return self._response.content


def credential_source(settings: Settings) -> str | None:
    """Which source the settings configure: "service_account", "refresh_token", "access_token" or None.

    Raises `ConfigurationError` naming what is missing when a source is only half configured.
    """
    if settings.youtube_service_account_file is not None:
        return "service_account"
    if settings.youtube_delegated_user:
        raise ConfigurationError("YOUTUBE_DELEGATED_USER is set but YOUTUBE_SERVICE_ACCOUNT_FILE is not.")
    oauth = {
        "YOUTUBE_OAUTH_CLIENT_ID": settings.youtube_oauth_client_id,
        "YOUTUBE_OAUTH_CLIENT_SECRET": secret_text(settings.youtube_oauth_client_secret),
        "YOUTUBE_OAUTH_REFRESH_TOKEN": secret_text(settings.youtube_oauth_refresh_token),
    }
    if any(oauth.values()):
        missing = [name for name, value in oauth.items() if not value]
        if missing:
            raise ConfigurationError(
                f"Incomplete OAuth refresh-token settings: set {' and '.join(missing)} "
                f"(or unset {' and '.join(n for n in oauth if n not in missing)})."
            )
        return "refresh_token"
    if secret_text(settings.youtube_access_token):
        return "access_token"
    return None


def credentials_from_settings(settings: Settings) -> YouTubeCredentials | None:
    """The credentials the settings configure (see `credential_source`), or None for none at all."""
    source = credential_source(settings)
    timeout = settings.youtube_timeout_s
    if source == "service_account":
        return RefreshingCredentials(
            _service_account(settings), settings=SERVICE_ACCOUNT_SETTINGS, timeout=timeout
        )
    if source == "refresh_token":
        # No scopes sent: a refresh token keeps the scopes it was granted with (these must include SCOPES).
        google_credentials = user_credentials.Credentials(
            None,
            refresh_token=secret_text(settings.youtube_oauth_refresh_token),
            token_uri=settings.youtube_oauth_token_url or DEFAULT_TOKEN_URL,
            client_id=settings.youtube_oauth_client_id,
            client_secret=secret_text(settings.youtube_oauth_client_secret),
        )
        return RefreshingCredentials(google_credentials, settings=REFRESH_TOKEN_SETTINGS, timeout=timeout)
    if source == "access_token":
        return StaticToken(secret_text(settings.youtube_access_token) or "")
    return None


def _service_account(settings: Settings) -> Any:
    path = Path(settings.youtube_service_account_file or "")
    try:
        return service_account.Credentials.from_service_account_file(
            str(path), scopes=list(SCOPES), subject=settings.youtube_delegated_user or None
        )
    except OSError as exc:
        raise ConfigurationError(
            f"YOUTUBE_SERVICE_ACCOUNT_FILE: cannot read {path}: {exc.strerror or exc}"
        ) from exc
    except (ValueError, KeyError) as exc:
        raise ConfigurationError(
            f"YOUTUBE_SERVICE_ACCOUNT_FILE: {path} is not a service-account key file: {exc}"
        ) from exc


def secret_text(value: Any) -> str | None:
    """The text of a `SecretStr` setting, or None when it is unset."""
    return value.get_secret_value() if value is not None else None
