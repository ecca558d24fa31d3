"""Errors raised by the YouTube API clients, split by what the caller should do about them.

The clients never retry. The queue layer reads the class: `TransientApiError` → retry with backoff
(honouring `retry_after` when the server sent one), `QuotaExceededError` → stop calling until the daily
quota resets (midnight Pacific time), `AuthError` → Google refused our credentials: stop calling for a
while and tell the operator which settings to fix, `PermanentApiError` → fail the task, retrying cannot
help. `ConfigurationError` is raised before any call, when the settings cannot make a client.
"""

from __future__ import annotations


class YouTubeApiError(Exception):
    """Base class: a failed call, with the HTTP status and Google's error reason when there was a response."""

    def __init__(self, message: str, *, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, reason={self.reason!r}, message={self.message!r})"
        )


class TransientApiError(YouTubeApiError):
    """5xx, 429, rate limits, timeouts and connection errors: worth retrying later with backoff.

    `retry_after` is the delay in seconds the server asked for (Retry-After header), or None.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, reason=reason)
        self.retry_after = retry_after


class QuotaExceededError(YouTubeApiError):
    """403 `quotaExceeded` / `dailyLimitExceeded`: the day's quota is spent; never retry within the day."""


class PermanentApiError(YouTubeApiError):
    """400, 401, 404 and 403 for other reasons: the request itself is wrong or not allowed."""


class AuthError(YouTubeApiError):
    """Google refused our credentials: the token endpoint refused the grant (`invalid_grant`,
    `invalid_client`, …) or the API still answered 401 after a fresh token. Retrying cannot help until
    an operator fixes the settings named in `settings`; the message says so.
    """

    def __init__(
        self, detail: str, *, settings: str, status: int | None = None, reason: str | None = None
    ) -> None:
        super().__init__(
            f"YouTube refused our credentials: {detail}; fix the {settings} settings",
            status=status,
            reason=reason,
        )
        self.settings = settings


class ConfigurationError(Exception):
    """A setting a task needs is missing or incomplete; the message says which one."""
