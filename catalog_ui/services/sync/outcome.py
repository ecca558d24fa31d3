"""What fetching one task from YouTube came to, and how an API error maps to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog_ui.models import utc_now
from catalog_ui.services.queue import ClaimedTask
from catalog_ui.services.youtube.errors import (
    PermanentApiError,
    QuotaExceededError,
    TransientApiError,
    YouTubeApiError,
)

APPLY = "apply"  # YouTube answered: write these values
FAILED = "failed"  # retrying cannot help
RETRY = "retry"  # transient: try again after a backoff
QUOTA = "quota"  # the API's daily quota is spent: put the task back untouched
NOT_FOUND = "video not found on YouTube"


@dataclass(frozen=True)
class Outcome:
    """One task's fate: `kind` is APPLY (with `values`), FAILED, RETRY or QUOTA (with `message`)."""

    kind: str
    values: dict[str, Any] | None = None
    message: str | None = None
    retry_after: float | None = None


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


def from_error(exc: YouTubeApiError, not_found: str | None = None) -> Outcome:
    """The outcome an API error calls for; a 404 becomes `not_found` (a clear message) when given."""
    if isinstance(exc, QuotaExceededError):
        return Outcome(QUOTA, message=exc.message)
    if isinstance(exc, TransientApiError):
        return Outcome(RETRY, message=exc.message, retry_after=exc.retry_after)
    if isinstance(exc, PermanentApiError) and exc.status == 404 and not_found:
        return Outcome(FAILED, message=f"{not_found} ({exc.message})")
    return Outcome(FAILED, message=exc.message)
