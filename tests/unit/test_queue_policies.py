"""Pure queue policies: retry backoff with jitter, the quota day's end, the in-process token bucket."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from catalog_ui.services.queue import QueueError, backoff_delay, check_task_type
from catalog_ui.services.rate_limit import LocalTokenBucket
from catalog_ui.services.sync.clients import next_quota_reset
from catalog_ui.settings import Settings


@pytest.mark.parametrize(("retry_count", "low", "high"), [(0, 5, 10), (1, 10, 20), (3, 40, 80)])
def test_backoff_doubles_with_each_retry_and_keeps_half_to_all_of_it(
    retry_count: int, low: float, high: float
) -> None:
    assert backoff_delay(retry_count, base=10, cap=3600, rand=lambda: 0.0) == low
    assert backoff_delay(retry_count, base=10, cap=3600, rand=lambda: 1.0) == high
    assert low <= backoff_delay(retry_count, base=10, cap=3600) <= high


def test_backoff_is_capped_and_jittered() -> None:
    assert backoff_delay(50, base=10, cap=300, rand=lambda: 1.0) == 300
    assert backoff_delay(500, base=10, cap=300, rand=lambda: 0.0) == 150
    delays = {backoff_delay(4, base=10, cap=3600) for _ in range(50)}
    assert len(delays) > 40  # jitter: tasks that failed together do not come back together


def test_backoff_honours_retry_after_as_a_floor() -> None:
    assert backoff_delay(0, base=1, cap=60, retry_after=30, rand=lambda: 1.0) == 30
    assert backoff_delay(5, base=10, cap=3600, retry_after=1, rand=lambda: 1.0) == 320


def test_default_retries_outlast_an_hour_long_outage() -> None:
    """With the default settings, a task that meets a transient error on every try keeps retrying for
    more than an hour (every delay at its shortest) and ends within three (every delay at its longest)."""
    defaults = Settings.model_fields
    retries = defaults["queue_max_retries"].default
    base, cap = defaults["queue_backoff_base_s"].default, defaults["queue_backoff_max_s"].default

    def waited(jitter: float) -> float:
        return sum(backoff_delay(n, base=base, cap=cap, rand=lambda: jitter) for n in range(retries))

    assert waited(0.0) > 3600
    assert waited(1.0) < 3 * 3600


def test_quota_resets_at_the_next_midnight_in_los_angeles() -> None:
    # 2026-07-01 06:59 UTC is 23:59 PDT (UTC-7) on June 30: the reset is one minute later.
    assert next_quota_reset(datetime(2026, 7, 1, 6, 59, tzinfo=UTC)) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    # 07:00 UTC is exactly midnight PDT: the next reset is a day later.
    assert next_quota_reset(datetime(2026, 7, 1, 7, 0, tzinfo=UTC)) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)
    # In winter Los Angeles is UTC-8.
    assert next_quota_reset(datetime(2026, 1, 15, 12, 0, tzinfo=UTC)) == datetime(
        2026, 1, 16, 8, 0, tzinfo=UTC
    )


def test_quota_reset_across_the_daylight_saving_change() -> None:
    # 2026-11-01 is the day PDT ends: its midnight is 07:00 UTC, the next one 08:00 UTC.
    assert next_quota_reset(datetime(2026, 11, 1, 6, 0, tzinfo=UTC)) == datetime(
        2026, 11, 1, 7, 0, tzinfo=UTC
    )
    assert next_quota_reset(datetime(2026, 11, 1, 7, 30, tzinfo=UTC)) == datetime(
        2026, 11, 2, 8, 0, tzinfo=UTC
    )


def test_local_bucket_allows_one_second_of_burst_then_spaces_calls() -> None:
    bucket = LocalTokenBucket()
    waits = [bucket.reserve("api", rate=10) for _ in range(15)]
    assert waits[:10] == [0.0] * 10
    assert waits[10:] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5], abs=0.02)
    assert bucket.reserve("other", rate=10) == 0.0  # buckets are per API


def test_local_bucket_holds_across_threads() -> None:
    bucket = LocalTokenBucket()
    started = time.monotonic()
    lock = threading.Lock()
    done: list[float] = []

    def call() -> None:
        wait = bucket.reserve("api", rate=50)
        time.sleep(wait)
        with lock:
            done.append(time.monotonic() - started)

    threads = [threading.Thread(target=call) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 50 calls of burst, then 50 more at 50/s: the last one about a second after the start.
    assert max(done) == pytest.approx(1.0, abs=0.25)


def test_unknown_task_type_is_refused() -> None:
    assert check_task_type("metadata_sync") == "metadata_sync"
    with pytest.raises(QueueError, match="Unknown task type"):
        check_task_type("delete_everything")
