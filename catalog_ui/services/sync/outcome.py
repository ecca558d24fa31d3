"""What fetching one task from YouTube came to, and how an API error maps to it.

A QUOTA outcome puts the task back untouched and pauses its task type: until the quota day ends when
the quota is spent, or for AUTH_PAUSE (every task type using the credentials) when Google refuses our
credentials, so that an expired or revoked token never fails a batch; missing or incomplete YouTube
settings pause the batch's type the same way (`not_configured`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from catalog_ui.models import utc_now
from catalog_ui.services.queue import ClaimedTask
from catalog_ui.services.sync.clients import CREDENTIAL_TASK_TYPES
from catalog_ui.services.youtube.errors import (
    AuthError,
    PermanentApiError,
    QuotaExceededError,
    TransientApiError,
    YouTubeApiError,
)

APPLY = "apply"  # YouTube answered: write these values
FAILED = "failed"  # retrying cannot help
RETRY = "retry"  # transient: try again after a backoff
QUOTA = "quota"  # the API refuses us for a while (quota spent, credentials refused): put the task back
NOT_FOUND = "video not found on YouTube"
# Asked with an API key alone, YouTube leaves private videos out as if they did not exist.
NOT_FOUND_OR_PRIVATE = "video not found on YouTube, or private: private videos need OAuth credentials and YOUTUBE_CONTENT_OWNER_ID"
# How long refused credentials pause the task types: an operator has to fix the settings, but a token
# Google refused by mistake (or a key rotated meanwhile) should not stop the queue for the whole day.
AUTH_PAUSE = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    """One task's fate: `kind` is APPLY (with `values`), FAILED, RETRY or QUOTA (with `message`).

    A QUOTA outcome may say when the pause ends (`pause_until`; None: when the quota day ends) and
    which task types to pause (`pause_types`; empty: the batch's own).
    """

    kind: str
    values: dict[str, Any] | None = None
    message: str | None = None
    retry_after: float | None = None
    pause_until: datetime | None = None
    pause_types: tuple[str, ...] = ()


@dataclass
class FetchResult:
    """A batch's outcomes by task id, the channels to store (metadata_sync) and when YouTube answered."""

    outcomes: dict[int, Outcome]
    channels: list[dict[str, Any]] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=utc_now)

    @classmethod
    def every(cls, tasks: Iterable[ClaimedTask], outcome: Outcome) -> FetchResult:
        """The same outcome for every task (a batch-wide error)."""
        return cls({task.id: outcome for task in tasks})


@dataclass(frozen=True)
class FetchContext:
    """What a fetcher may use besides the API: `heartbeat()` between calls keeps the batch's lease alive,
    `read_assets(video_ids)` returns each video's stored asset id, and `fresh_channels(channel_ids)` the
    channels refreshed recently enough not to be fetched again."""

    heartbeat: Callable[[], None]
    read_assets: Callable[[list[str]], dict[str, str | None]]
    fresh_channels: Callable[[list[str]], set[str]]


def applied(values: dict[str, Any]) -> Outcome:
    """Write `values` to the task's video."""
    return Outcome(APPLY, values=values)


def failed(message: str) -> Outcome:
    """Fail the task with `message`."""
    return Outcome(FAILED, message=message)


def not_configured(message: str) -> Outcome:
    """Put the task back and pause its type for AUTH_PAUSE: YouTube settings are missing or incomplete
    (`message` says which). Settings are read when a process starts, so the tasks resume within AUTH_PAUSE
    of a restart with them fixed, instead of every video failing meanwhile."""
    return Outcome(QUOTA, message=f"YouTube is not configured: {message}", pause_until=utc_now() + AUTH_PAUSE)


def from_error(
    exc: YouTubeApiError, not_found: str | None = None, *, quota_types: tuple[str, ...] = ()
) -> Outcome:
    """The outcome an API error calls for; a 404 becomes `not_found` (a clear message) when given. A spent
    quota pauses `quota_types`, the task types sharing the API's quota (empty: the batch's own)."""
    if isinstance(exc, QuotaExceededError):
        return Outcome(QUOTA, message=exc.message, pause_types=quota_types)
    if isinstance(exc, AuthError):
        return Outcome(
            QUOTA, message=exc.message, pause_until=utc_now() + AUTH_PAUSE, pause_types=CREDENTIAL_TASK_TYPES
        )
    if isinstance(exc, TransientApiError):
        return Outcome(RETRY, message=exc.message, retry_after=exc.retry_after)
    if isinstance(exc, PermanentApiError) and exc.status == 404 and not_found:
        return Outcome(FAILED, message=f"{not_found} ({exc.message})")
    return Outcome(FAILED, message=exc.message)
