"""The three task types end to end on real PostgreSQL against the YouTube simulator over real HTTP:
batching, history under each task's change set, channels, idempotency, and every kind of failure."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet, Channel, MetadataSync, ProcessingQueue, Video
from catalog_ui.services import queue, tasks
from catalog_ui.services.locks import MERGE_LOCK_KEY
from catalog_ui.services.sync.clients import next_quota_reset
from catalog_ui.settings import get_settings
from tests.simulators.youtube import YouTubeSimulator
from tests.task_environment import settings_from, task_environment

CHANNEL = "UCsimulatedchannel0001"
PUBLISHED = datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)


@pytest.fixture
def sim(engine: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[YouTubeSimulator]:
    """A running simulator, with the settings pointing the task clients at it (no Redis, no rate limit)."""
    with YouTubeSimulator(claim_page_size=2) as simulator:
        env = {**task_environment(simulator), "YOUTUBE_ACCESS_TOKEN": "test-token"}
        with settings_from(monkeypatch, env):
            yield simulator


def vid(n: int) -> str:
    return f"vid{n:08d}"


def seed(session: Session, sim: YouTubeSimulator, count: int, *, asset: bool = False) -> list[str]:
    """`count` videos stored with stale values; the simulator knows their current ones."""
    ids = [vid(n) for n in range(count)]
    session.execute(
        text(
            "INSERT INTO video (video_id, title, views, privacy_status, asset_id, notes, hidden) "
            "SELECT id, 'Old title', 1, 'private', CASE WHEN :asset THEN 'A' || id END, 'keep me', true "
            "FROM unnest(CAST(:ids AS text[])) id"
        ),
        {"ids": ids, "asset": asset},
    )
    session.commit()
    for n, video_id in enumerate(ids):
        sim.add_video(
            video_id,
            title=f"Song {n}",
            channel_id=CHANNEL,
            channel_title="Simulated Channel",
            views=1000 + n,
            duration=200,
            published=PUBLISHED,
            category_id="10",
        )
    sim.add_channel(CHANNEL, title="Simulated Channel", country="fr", subscribers=4321)
    return ids


def run_all(task_type: str) -> list[tasks.BatchSummary]:
    """Run batches until nothing is due."""
    summaries = []
    while True:
        summary = tasks.run_batch(task_type)
        if summary.claimed == 0:
            return summaries
        summaries.append(summary)


def statuses(session: Session, task_type: str) -> dict[str, int]:
    session.expire_all()
    return queue.counts_by_status_and_type(session, include_hidden=True)[task_type]


def fresh(session: Session, task_id: int) -> ProcessingQueue:
    """The task as stored now (not the session's cached copy)."""
    session.expire_all()
    return session.get(ProcessingQueue, task_id)


def make_due(session: Session) -> None:
    session.execute(text("UPDATE processing_queue SET next_attempt_at = now() WHERE status = 'pending'"))
    session.commit()


# -- metadata_sync -------------------------------------------------------------------------------------


def test_metadata_sync_sends_at_most_50_ids_per_videos_list_call(
    session: Session, sim: YouTubeSimulator
) -> None:
    ids = seed(session, sim, 120)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()

    summaries = run_all("metadata_sync")

    assert [s.claimed for s in summaries] == [50, 50, 20]
    video_calls = sim.calls_to("/videos")
    assert [len(call.params["id"].split(",")) for call in video_calls] == [50, 50, 20]
    assert sorted(i for call in video_calls for i in call.params["id"].split(",")) == sorted(ids)
    # The first batch refreshes the channel; the next ones find it fresh (QUEUE_CHANNEL_REFRESH_S).
    assert [call.params["id"] for call in sim.calls_to("/channels")] == [CHANNEL]
    assert statuses(session, "metadata_sync")["completed"] == 120


def test_metadata_sync_writes_each_changed_field_with_history_under_the_tasks_change_set(
    session: Session, sim: YouTubeSimulator
) -> None:
    ids = seed(session, sim, 3)
    task, _ = queue.enqueue(session, ids[1], "metadata_sync")
    session.commit()

    (summary,) = run_all("metadata_sync")

    assert summary.completed == 1
    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == ids[1])).scalar_one()
    assert (video.title, video.views, video.privacy_status, video.category) == (
        "Song 1",
        1001,
        "public",
        "Music",
    )
    assert (video.video_length, video.time_published, video.channel_id) == (200, PUBLISHED, CHANNEL)
    assert (video.notes, video.hidden) == ("keep me", True)  # user-owned fields are never written
    # each field it wrote is as of the fetch; a report dated before it leaves that field alone
    fetched = {datetime.fromisoformat(time) for time in video.field_as_of.values()}
    assert len(fetched) == 1 and fetched.pop() > datetime.now(UTC) - timedelta(minutes=5)
    assert video.values_as_of is None  # a report's date, which a sync does not move

    change_set = session.execute(select(ChangeSet).where(ChangeSet.task_id == task.id)).scalar_one()
    assert (change_set.kind, change_set.label, change_set.video_count) == (
        "task",
        f"metadata_sync #{task.id}",
        1,
    )
    (entry,) = session.execute(
        select(MetadataSync).where(MetadataSync.change_set_id == change_set.id)
    ).scalars()
    assert entry.video_id == ids[1]
    assert entry.changes["title"] == ["Old title", "Song 1"]
    assert entry.changes["views"] == [1, 1001]
    assert entry.changes["privacy_status"] == ["private", "public"]
    assert "notes" not in entry.changes and "hidden" not in entry.changes
    assert set(video.field_as_of) == set(entry.changes)

    stored = fresh(session, task.id)
    assert stored.status == "completed"
    assert stored.result["change_set_id"] == change_set.id
    assert stored.result["fields_changed"] == sorted(entry.changes)
    assert stored.result["changes"] == entry.changes
    # Untouched videos stay untouched.
    other = session.execute(select(Video).where(Video.video_id == ids[0])).scalar_one()
    assert other.title == "Old title"


def test_metadata_sync_updates_channels_and_their_statistics(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 4)
    stale = datetime(2025, 1, 1, tzinfo=UTC)
    session.add(
        Channel(
            channel_id=CHANNEL,
            name="Old name",
            subscriber_count=1,
            video_count=1,
            view_count=1,
            updated_at=stale,
        )
    )
    session.commit()
    sim.add_video(
        "vidother001", title="Elsewhere", channel_id="UCunknownchannel00001", channel_title="Unlisted"
    )
    session.execute(text("INSERT INTO video (video_id, title) VALUES ('vidother001', 'x')"))
    session.commit()
    queue.enqueue_many(session, [*ids, "vidother001"], "metadata_sync")
    session.commit()

    run_all("metadata_sync")

    session.expire_all()
    channel = session.execute(select(Channel).where(Channel.channel_id == CHANNEL)).scalar_one()
    assert (channel.name, channel.country, channel.subscriber_count) == ("Simulated Channel", "FR", 4321)
    assert channel.video_count == 4
    assert channel.view_count == sum(1000 + n for n in range(4))
    assert channel.image_url and channel.image_url.startswith(sim.base_url)
    assert channel.updated_at > stale
    # The simulator registers a channel for every video's channel id, so this one is fully described too.
    other = session.execute(select(Channel).where(Channel.channel_id == "UCunknownchannel00001")).scalar_one()
    assert other.name == "Unlisted" and other.video_count == 1


def test_metadata_sync_stores_each_channels_handle_and_its_changes(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 1)
    sim.add_channel(CHANNEL, title="Simulated Channel", handle="@SimulatedArtist")
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    run_all("metadata_sync")
    session.expire_all()
    # As YouTube sends snippet.customUrl: lower-cased.
    assert session.execute(select(Channel.handle)).scalar_one() == "@simulatedartist"

    monkeypatch.setenv("QUEUE_CHANNEL_REFRESH_S", "0")
    get_settings.cache_clear()
    sim.add_channel(CHANNEL, title="Simulated Channel", handle="@NovaArtist")  # the handle was changed
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    run_all("metadata_sync")
    session.expire_all()
    assert session.execute(select(Channel.handle)).scalar_one() == "@novaartist"


def test_channels_are_fetched_again_once_their_refresh_period_is_over(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 2)
    for video_id in ids:
        queue.enqueue(session, video_id, "metadata_sync")
        session.commit()
        run_all("metadata_sync")
    assert len(sim.calls_to("/channels")) == 1  # the second sync found the channel fresh

    monkeypatch.setenv("QUEUE_CHANNEL_REFRESH_S", "0")
    get_settings.cache_clear()
    sim.add_channel(CHANNEL, title="Simulated Channel", country="fr", subscribers=9999)
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    run_all("metadata_sync")

    assert len(sim.calls_to("/channels")) == 2
    session.expire_all()
    assert session.execute(select(Channel.subscriber_count)).scalar_one() == 9999


def test_running_a_task_again_changes_nothing_and_writes_no_history(
    session: Session, sim: YouTubeSimulator
) -> None:
    ids = seed(session, sim, 2)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    run_all("metadata_sync")
    session.expire_all()
    before = session.execute(select(Video.video_id, Video.updated_at).order_by(Video.video_id)).all()
    history = session.execute(select(func.count()).select_from(MetadataSync)).scalar_one()
    change_sets = session.execute(select(func.count()).select_from(ChangeSet)).scalar_one()

    again, created = queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    (summary,) = run_all("metadata_sync")

    assert created and summary.completed == 1
    session.expire_all()
    assert session.execute(select(Video.video_id, Video.updated_at).order_by(Video.video_id)).all() == before
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == history == 2
    assert session.execute(select(func.count()).select_from(ChangeSet)).scalar_one() == change_sets == 2
    assert fresh(session, again.id).result == {"changes": {}, "fields_changed": [], "change_set_id": None}


def test_a_video_youtube_no_longer_has_fails_permanently(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 3)
    sim.hide_video(ids[1])
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()

    (summary,) = run_all("metadata_sync")

    assert (summary.completed, summary.failed) == (2, 1)
    gone = session.execute(select(ProcessingQueue).where(ProcessingQueue.video_id == ids[1])).scalar_one()
    assert (gone.status, gone.error_message, gone.retry_count) == ("failed", "video not found on YouTube", 0)


def test_a_private_video_syncs_only_with_oauth_for_the_content_owner(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 2)
    sim.add_video(
        ids[1], title="Unreleased", channel_id=CHANNEL, channel_title="Simulated Channel", privacy="private"
    )
    monkeypatch.delenv("YOUTUBE_ACCESS_TOKEN")  # an API key alone: YouTube leaves private videos out
    get_settings.cache_clear()
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()

    (summary,) = run_all("metadata_sync")

    assert (summary.completed, summary.failed) == (1, 1)
    failed = session.execute(select(ProcessingQueue).where(ProcessingQueue.video_id == ids[1])).scalar_one()
    assert failed.error_message == (
        "video not found on YouTube, or private: private videos need OAuth credentials and YOUTUBE_CONTENT_OWNER_ID"
    )
    monkeypatch.setenv("YOUTUBE_ACCESS_TOKEN", "test-token")
    get_settings.cache_clear()
    queue.enqueue(session, ids[1], "metadata_sync")
    session.commit()

    assert [s.completed for s in run_all("metadata_sync")] == [1]
    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == ids[1])).scalar_one()
    assert (video.title, video.privacy_status) == ("Unreleased", "private")


def test_a_400_fails_the_batch_at_once(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 3)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    sim.fail_next(1, status=400)

    (summary,) = run_all("metadata_sync")

    assert summary.failed == 3
    rows = session.execute(select(ProcessingQueue)).scalars().all()
    assert {(r.status, r.retry_count) for r in rows} == {("failed", 0)}
    assert all("400" in r.error_message for r in rows)
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 0


def test_transient_errors_retry_with_backoff_then_succeed(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 2)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    monkeypatch.setenv("QUEUE_BACKOFF_BASE_S", "60")
    monkeypatch.setenv("QUEUE_BACKOFF_MAX_S", "600")
    get_settings.cache_clear()
    sim.fail_next(1, status=503)

    (first,) = run_all("metadata_sync")
    session.expire_all()
    rows = session.execute(select(ProcessingQueue)).scalars().all()

    assert first.retried == 2
    assert {(r.status, r.retry_count) for r in rows} == {("pending", 1)}
    assert all("503" in r.error_message for r in rows)
    waits = [(r.next_attempt_at - datetime.now(UTC)).total_seconds() for r in rows]
    assert all(25 < wait <= 60 for wait in waits)  # the first retry waits 30–60 s (jittered)
    assert len(set(waits)) == 2
    make_due(session)
    (second,) = run_all("metadata_sync")
    assert second.completed == 2
    session.expire_all()
    assert {
        (r.status, r.retry_count, r.attempts) for r in session.execute(select(ProcessingQueue)).scalars()
    } == {("completed", 1, 2)}


def test_429_retry_after_is_respected_and_retries_end_in_failed(
    session: Session, sim: YouTubeSimulator
) -> None:
    (video_id,) = seed(session, sim, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    # One batch at a time: the short test backoff (≤ 0.2 s) must not let a retry run on its own.
    sim.fail_next(1, status=429, retry_after=30)
    assert tasks.run_batch("metadata_sync").retried == 1
    stored = fresh(session, task.id)
    assert stored.status == "pending" and stored.retry_count == 1
    wait = (stored.next_attempt_at - datetime.now(UTC)).total_seconds()
    assert 25 < wait <= 30  # Retry-After wins over the backoff

    make_due(session)
    sim.fail_next(1, status=502)
    assert tasks.run_batch("metadata_sync").retried == 1
    make_due(session)
    sim.fail_next(1, status=500)
    assert tasks.run_batch("metadata_sync").failed == 1  # third transient error, QUEUE_MAX_RETRIES=2

    session.expire_all()
    stored = fresh(session, task.id)
    assert (stored.status, stored.retry_count, stored.attempts) == ("failed", 2, 3)
    assert stored.error_message.startswith("gave up after 2 retries: YouTube API 500")
    assert len(sim.calls_to("/videos")) == 3


def test_quota_exhausted_pauses_the_type_and_keeps_tasks_pending(
    session: Session, sim: YouTubeSimulator
) -> None:
    ids = seed(session, sim, 3, asset=True)
    queue.enqueue_many(session, ids, "metadata_sync")
    queue.enqueue(session, ids[0], "ownership_update")
    session.commit()
    sim.set_quota(0)

    (summary,) = run_all("metadata_sync")

    reset = next_quota_reset()
    assert summary.released == 3 and summary.paused_until is not None
    assert abs((summary.paused_until - reset).total_seconds()) < 5
    session.expire_all()
    assert queue.paused_until(session, "metadata_sync") == summary.paused_until
    rows = session.execute(
        select(ProcessingQueue).where(ProcessingQueue.task_type == "metadata_sync")
    ).scalars()
    assert {(r.status, r.retry_count, r.attempts, r.worker_id) for r in rows} == {("pending", 0, 1, None)}
    assert run_all("metadata_sync") == []  # paused: nothing is claimed, no call is made
    assert len(sim.calls_to("/videos")) == 1
    assert [s.completed for s in run_all("ownership_update")] == [1]  # other types keep running

    # The quota day ends: the pause is over and the same tasks complete.
    session.execute(text("UPDATE queue_pause SET paused_until = now() - interval '1 second'"))
    session.commit()
    sim.set_quota(100)
    assert [s.completed for s in run_all("metadata_sync")] == [3]


def test_a_task_never_moves_a_fields_time_back(session: Session, sim: YouTubeSimulator) -> None:
    (video_id,) = seed(session, sim, 1)
    later = datetime(2099, 1, 1, tzinfo=UTC)  # an earlier sync's clock ahead of this one's
    session.execute(
        text("UPDATE video SET field_as_of = CAST(:f AS jsonb) WHERE video_id = :v"),
        {"f": json.dumps({"title": later.isoformat()}), "v": video_id},
    )
    queue.enqueue(session, video_id, "metadata_sync")
    session.commit()

    assert [s.completed for s in run_all("metadata_sync")] == [1]

    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == video_id)).scalar_one()
    assert (video.title, video.field_as_of["title"]) == ("Song 0", later.isoformat())
    assert datetime.fromisoformat(video.field_as_of["views"]) < later


def test_a_task_that_changes_nothing_leaves_the_next_reports_values_current(
    session: Session, sim: YouTubeSimulator, tmp_path: Path
) -> None:
    # A video's values carry one date. A claim check that finds its few fields as they were says nothing
    # about views or titles, so the next day's report must still update them (not count as stale).
    from tests.integration.test_ingest import ingest_file

    video_id = vid(0)
    sim.add_video(video_id, title="Song", channel_id=CHANNEL, channel_title="C", views=100)

    def report(day: str, views: int) -> Path:
        path = tmp_path / f"cms_videos_{day}.csv"
        path.write_text(f"video_id,video_title,views,claimed_by_another_owner\n{video_id},Song,{views},No\n")
        return path

    ingest_file(session, report("2026-01-01", 100))
    queue.enqueue(session, video_id, "ownership_update")  # no claims: the claim fields stay as they are
    session.commit()
    assert [s.completed for s in run_all("ownership_update")] == [1]

    next_day, _ = ingest_file(session, report("2026-01-02", 250))

    assert (next_day.rows_updated, next_day.rows_stale) == (1, 0)
    assert session.execute(select(Video.views).where(Video.video_id == video_id)).scalar_one() == 250


def test_a_spent_content_id_quota_pauses_both_content_id_types(
    session: Session, sim: YouTubeSimulator
) -> None:
    # ownership_update and asset_enrichment spend one quota: the first refusal pauses both, so the other
    # type does not spend a call to learn it too. The Data API's metadata_sync keeps running.
    ids = seed(session, sim, 2, asset=True)
    queue.enqueue(session, ids[0], "ownership_update")
    queue.enqueue(session, ids[1], "asset_enrichment")
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    sim.exhaust_quota_next(1)

    (summary,) = run_all("ownership_update")

    assert summary.released == 1
    session.expire_all()
    reset = next_quota_reset()
    for task_type in ("ownership_update", "asset_enrichment"):
        assert abs((queue.paused_until(session, task_type) - reset).total_seconds()) < 5
    assert queue.paused_until(session, "metadata_sync") is None
    assert run_all("asset_enrichment") == []  # paused before a call is spent
    assert not sim.calls_to(f"/assets/A{ids[1]}")
    assert [s.completed for s in run_all("metadata_sync")] == [1]


def test_a_redis_outage_when_waking_other_workers_does_not_strand_the_claimed_batch(
    session: Session, sim: YouTubeSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    ids = seed(session, sim, 2)
    created = [queue.enqueue(session, video_id, "metadata_sync")[0] for video_id in ids]
    session.commit()
    with socket.socket() as probe:  # a port nothing listens on: Redis is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)

    def wake_through_redis(claimed: int, limit: int) -> None:
        # What the worker's fan-out does on a full claim: SET a wake-up flag in Redis.
        down.set("wake:metadata_sync", "1", nx=True, px=60_000)

    with caplog.at_level(logging.WARNING, logger="catalog_ui.services.tasks"):
        summary = tasks.run_batch("metadata_sync", limit=2, on_claimed=wake_through_redis)

    assert (summary.claimed, summary.completed, summary.retried, summary.lost) == (2, 2, 0, 0)
    for task in created:
        stored = fresh(session, task.id)
        assert (stored.status, stored.retry_count, stored.error_message) == ("completed", 0, None)
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.startswith("metadata_sync batch of 2 tasks: could not wake other workers (ConnectionError")
    assert warning.endswith("going on with the batch")


def test_a_task_whose_lease_was_lost_keeps_none_of_its_effect(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    (video_id,) = seed(session, sim, 1)
    task, _ = queue.enqueue(session, video_id, "metadata_sync")
    session.commit()
    monkeypatch.setenv("QUEUE_LEASE_S", "1")
    get_settings.cache_clear()
    sim.set_latency(3)  # the lease expires during the first call, before any renewal could happen
    recovered: list[int] = []

    def recover_midway() -> None:
        while not sim.calls_to("/videos"):
            time.sleep(0.01)
        time.sleep(1.3)
        with Session(session.get_bind()) as other:
            recovered.extend(queue.recover_expired_leases(other, max_retries=3))
            other.commit()

    recoverer = threading.Thread(target=recover_midway)
    recoverer.start()
    summary = tasks.run_batch("metadata_sync")
    recoverer.join()

    assert recovered == [task.id]
    assert summary.lost == 1 and summary.completed == 0
    session.expire_all()
    assert fresh(session, task.id).status == "pending"
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 0
    assert session.execute(select(Video.title).where(Video.video_id == video_id)).scalar_one() == "Old title"

    sim.set_latency(0)
    assert tasks.run_batch("metadata_sync").completed == 1
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == 1


def test_values_the_columns_cannot_hold_fail_only_that_task(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 2)
    sim.add_video(
        ids[0], title="t", channel_id=CHANNEL, channel_title="C" * 150
    )  # channel_display_name is 100
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()

    (summary,) = run_all("metadata_sync")

    assert (summary.completed, summary.failed) == (1, 1)
    bad = session.execute(select(ProcessingQueue).where(ProcessingQueue.video_id == ids[0])).scalar_one()
    assert bad.status == "failed" and bad.error_message.startswith("could not store YouTube's values")


# -- ownership_update -----------------------------------------------------------------------------------


def test_ownership_update_summarises_claims_across_pages(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 2)
    sim.add_claim(ids[0], "A1", "active", "Monetize in all countries")
    sim.add_claim(ids[0], "A2", "active", owner="Other Music Ltd")
    sim.add_claim(ids[0], "A3", "active", owner="Another Owner")  # three claims: two pages of two
    task, _ = queue.enqueue(session, ids[0], "ownership_update")
    unclaimed, _ = queue.enqueue(session, ids[1], "ownership_update")
    session.commit()

    (summary,) = run_all("ownership_update")

    assert summary.completed == 2
    assert len(sim.calls_to("/claimSearch")) == 3
    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == ids[0])).scalar_one()
    assert video.claimed_status == "active"
    assert video.claimed_by_another_owner == "Yes"
    assert video.other_owners_claiming == "Another Owner|Other Music Ltd"
    assert video.effective_policy == "Monetize in all countries"
    assert fresh(session, task.id).result["fields_changed"] == [
        "claimed_by_another_owner",
        "claimed_status",
        "effective_policy",
        "other_owners_claiming",
    ]
    other = session.execute(select(Video).where(Video.video_id == ids[1])).scalar_one()
    assert (other.claimed_status, other.claimed_by_another_owner) == (None, "No")
    assert fresh(session, unclaimed.id).status == "completed"


def test_ownership_update_of_a_vanished_video_fails_with_a_clear_message(
    session: Session, sim: YouTubeSimulator
) -> None:
    (video_id,) = seed(session, sim, 1)
    sim.hide_video(video_id)
    task, _ = queue.enqueue(session, video_id, "ownership_update")
    session.commit()

    run_all("ownership_update")

    stored = fresh(session, task.id)
    assert stored.status == "failed" and stored.error_message.startswith("video not found on YouTube")


def test_missing_content_owner_setting_pauses_with_a_clear_message(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    (video_id,) = seed(session, sim, 1)
    task, _ = queue.enqueue(session, video_id, "ownership_update")
    session.commit()
    monkeypatch.setenv("YOUTUBE_CONTENT_OWNER_ID", "")
    get_settings.cache_clear()

    run_all("ownership_update")

    assert fresh(session, task.id).status == "pending"
    session.expire_all()
    reason = queue.pauses(session)["ownership_update"]["reason"]
    assert reason.startswith("YouTube is not configured: ") and "YOUTUBE_CONTENT_OWNER_ID" in reason
    assert sim.calls == []


# -- asset_enrichment -----------------------------------------------------------------------------------


def test_asset_enrichment_fills_rights_fields_from_the_asset(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 3, asset=True)
    sim.add_asset(
        f"A{ids[0]}",
        isrc="us-abc-24-00001",
        upc="0123456789012",
        artist="Ana|Bo",
        genre=["Pop"],
        label="Lbl",
        custom_id="CUST-1",
    )
    session.execute(text("UPDATE video SET asset_id = NULL WHERE video_id = :v"), {"v": ids[1]})
    session.commit()
    queue.enqueue_many(session, ids, "asset_enrichment")
    session.commit()

    (summary,) = run_all("asset_enrichment")

    assert (summary.completed, summary.failed) == (1, 2)
    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == ids[0])).scalar_one()
    assert (video.isrc, video.upc, video.label, video.custom_id) == (
        "USABC2400001",
        "0123456789012",
        "Lbl",
        "CUST-1",
    )
    assert (video.artist, video.genre) == (["Ana", "Bo"], ["Pop"])
    by_video = {
        r.video_id: r
        for r in session.execute(select(ProcessingQueue).where(ProcessingQueue.status == "failed")).scalars()
    }
    assert (
        by_video[ids[1]].error_message == "the video has no asset_id, so there is no asset to enrich it from"
    )
    assert by_video[ids[2]].error_message.startswith(f"asset A{ids[2]} not found on YouTube")
    assert len(sim.calls_to(f"/assets/A{ids[0]}")) == 1
    assert not sim.calls_to(f"/assets/A{ids[1]}")


def test_asset_enrichment_keeps_the_fields_the_asset_does_not_carry(
    session: Session, sim: YouTubeSimulator
) -> None:
    (video_id,) = seed(session, sim, 1, asset=True)
    session.execute(
        text(
            "UPDATE video SET isrc = 'USABC2400001', label = 'From report', artist = '{Ana}' WHERE video_id = :v"
        ),
        {"v": video_id},
    )
    session.commit()
    sim.add_asset(f"A{video_id}", custom_id="CUST-9")  # no ISRC, label or artists in its metadata
    queue.enqueue(session, video_id, "asset_enrichment")
    session.commit()

    (summary,) = run_all("asset_enrichment")

    assert summary.completed == 1
    session.expire_all()
    video = session.execute(select(Video).where(Video.video_id == video_id)).scalar_one()
    assert (video.custom_id, video.isrc, video.label, video.artist) == (
        "CUST-9",
        "USABC2400001",
        "From report",
        ["Ana"],
    )
    (entry,) = session.execute(select(MetadataSync).where(MetadataSync.video_id == video_id)).scalars()
    assert entry.changes == {"custom_id": [None, "CUST-9"]}


def test_a_task_waits_for_a_report_merge_under_way(session: Session, sim: YouTubeSimulator, engine) -> None:
    # A merge computes its changes from what it read: a task committing in between would be overwritten
    # unseen. So a task's writes wait for the merge (its lock, held here as a merge holds it).
    ids = seed(session, sim, 1)
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    with engine.connect() as merge:
        merge.begin()
        merge.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        worker = threading.Thread(target=run_all, args=("metadata_sync",))
        worker.start()
        worker.join(timeout=1.5)
        assert worker.is_alive()  # fetched, and now waiting to write
        session.expire_all()
        assert (
            session.execute(select(Video.title).where(Video.video_id == ids[0])).scalar_one() == "Old title"
        )
        merge.rollback()
    worker.join(timeout=30)
    assert not worker.is_alive()
    session.expire_all()
    assert session.execute(select(Video.title).where(Video.video_id == ids[0])).scalar_one() == "Song 0"


# -- rate limit ----------------------------------------------------------------------------------------


def test_calls_per_second_setting_spaces_the_calls(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 25)
    queue.enqueue_many(session, ids, "ownership_update")
    session.commit()
    monkeypatch.setenv("YOUTUBE_CONTENT_ID_CALLS_PER_S", "10")
    get_settings.cache_clear()

    started = time.monotonic()
    run_all("ownership_update")
    elapsed = time.monotonic() - started

    assert statuses(session, "ownership_update")["completed"] == 25
    assert elapsed >= 1.4  # 10 calls of burst, then 15 more at 10 a second
