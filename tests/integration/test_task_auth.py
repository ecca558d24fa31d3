"""Sync tasks with OAuth credentials on real PostgreSQL against the simulator over real HTTP: tokens are
refreshed without failing a task, and credentials Google refuses pause the task types (tasks stay
pending) instead of failing every batch."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from catalog_ui.models import ProcessingQueue, utc_now
from catalog_ui.services import queue, tasks
from catalog_ui.services.sync.outcome import AUTH_PAUSE
from catalog_ui.settings import get_settings
from tests.simulators.youtube import YouTubeSimulator
from tests.task_environment import settings_from, task_environment

CLIENT_ID = "client-1.apps.googleusercontent.com"
CLIENT_SECRET = "client-secret-1"
REFRESH_TOKEN = "1//refresh-token-1"
TASK_TYPES = ("metadata_sync", "ownership_update", "asset_enrichment")


@pytest.fixture
def sim(engine: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[YouTubeSimulator]:
    """A simulator checking bearer tokens; settings point the task clients at it with a refresh token."""
    with YouTubeSimulator(claim_page_size=2) as simulator:
        simulator.add_oauth_client(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        simulator.set_strict_tokens()
        env = {
            **task_environment(simulator),
            "YOUTUBE_OAUTH_CLIENT_ID": CLIENT_ID,
            "YOUTUBE_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
            "YOUTUBE_OAUTH_REFRESH_TOKEN": REFRESH_TOKEN,
            "YOUTUBE_OAUTH_TOKEN_URL": simulator.token_url,
        }
        with settings_from(monkeypatch, env, unset=("YOUTUBE_ACCESS_TOKEN",)):
            yield simulator


def seed(session: Session, sim: YouTubeSimulator, count: int) -> list[str]:
    """`count` videos stored with an old title and an asset; the simulator knows them with a claim."""
    ids = [f"vid{n:08d}" for n in range(count)]
    session.execute(
        text(
            "INSERT INTO video (video_id, title, asset_id) SELECT id, 'Old title', 'A' || id "
            "FROM unnest(CAST(:ids AS text[])) id"
        ),
        {"ids": ids},
    )
    session.commit()
    for n, video_id in enumerate(ids):
        sim.add_video(video_id, title=f"Song {n}", channel_id="UCchannel", channel_title="Channel")
        sim.add_claim(video_id, f"A{video_id}", "active", "Monetize in all countries")
        sim.add_asset(f"A{video_id}", isrc="USRC17607839", label="Label")
    return ids


def run_all(task_type: str) -> list[tasks.BatchSummary]:
    """Run batches until nothing is due."""
    summaries = []
    while (summary := tasks.run_batch(task_type)).claimed:
        summaries.append(summary)
    return summaries


def task_rows(session: Session, task_type: str) -> list[ProcessingQueue]:
    session.expire_all()
    query = select(ProcessingQueue).where(ProcessingQueue.task_type == task_type).order_by(ProcessingQueue.id)
    return list(session.execute(query).scalars())


def test_tasks_share_one_refreshed_token(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 3)
    queue.enqueue_many(session, ids, "metadata_sync")
    queue.enqueue_many(session, ids, "ownership_update")
    session.commit()

    assert [s.completed for s in run_all("metadata_sync")] == [3]
    assert [s.completed for s in run_all("ownership_update")] == [3]

    assert sim.token_requests == 1  # one token for every client and thread of the process
    assert {call.authorization for call in sim.calls if call.path != "/token"} == {
        sim.calls_to("/videos")[0].authorization
    }


def test_a_token_youtube_dropped_is_refreshed_and_the_task_succeeds(
    session: Session, sim: YouTubeSimulator
) -> None:
    ids = seed(session, sim, 2)
    queue.enqueue(session, ids[0], "metadata_sync")
    session.commit()
    run_all("metadata_sync")
    sim.expire_tokens()
    task, _ = queue.enqueue(session, ids[1], "metadata_sync")
    session.commit()

    (summary,) = run_all("metadata_sync")

    assert (summary.completed, summary.failed, summary.retried, summary.released) == (1, 0, 0, 0)
    (stored,) = [row for row in task_rows(session, "metadata_sync") if row.id == task.id]
    assert (stored.status, stored.attempts, stored.retry_count) == ("completed", 1, 0)
    assert sim.token_requests == 2
    assert len(sim.calls_to("/videos")) == 3  # the 401 and its one retry


def test_a_revoked_refresh_token_pauses_the_task_types_and_keeps_tasks_pending(
    session: Session, sim: YouTubeSimulator
) -> None:
    ids = seed(session, sim, 3)
    queue.enqueue_many(session, ids, "ownership_update")
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    sim.revoke_refresh_token(REFRESH_TOKEN)

    (summary,) = run_all("ownership_update")

    assert (summary.claimed, summary.released, summary.failed, summary.completed) == (3, 3, 0, 0)
    assert len(sim.calls_to("/claimSearch")) == 0  # the refusal came before any API call
    assert sim.token_requests == 1  # the rest of the batch was put back, not tried task by task
    expected_end = utc_now() + AUTH_PAUSE
    assert abs((summary.paused_until - expected_end).total_seconds()) < 10
    session.expire_all()
    pauses = queue.pauses(session)
    assert set(pauses) == set(TASK_TYPES)  # every type using the credentials
    reason = pauses["metadata_sync"]["reason"]
    assert reason.startswith(
        "YouTube refused our credentials: invalid_grant: Token has been expired or revoked."
    )
    assert reason.endswith(
        "fix the YOUTUBE_OAUTH_CLIENT_ID / YOUTUBE_OAUTH_CLIENT_SECRET / YOUTUBE_OAUTH_REFRESH_TOKEN settings"
    )
    rows = task_rows(session, "ownership_update")
    assert {(r.status, r.retry_count, r.error_message) for r in rows} == {("pending", 0, None)}
    assert run_all("metadata_sync") == []  # paused too: nothing claimed, no call made
    assert sim.calls_to("/videos") == []

    # The operator fixes the settings (here: Google accepts the grant again); the pause ends.
    sim.add_oauth_client(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    session.execute(text("UPDATE queue_pause SET paused_until = now() - interval '1 second'"))
    session.commit()
    assert [s.completed for s in run_all("ownership_update")] == [3]
    assert [s.completed for s in run_all("metadata_sync")] == [3]


def test_an_auth_pause_does_not_shorten_a_quota_pause(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 1)
    queue.enqueue(session, ids[0], "asset_enrichment")
    session.commit()
    quota_end = utc_now() + timedelta(hours=5)
    queue.pause_task_type(session, "metadata_sync", quota_end, reason="quotaExceeded")
    session.commit()
    sim.revoke_refresh_token(REFRESH_TOKEN)

    (summary,) = run_all("asset_enrichment")

    assert summary.released == 1
    session.expire_all()
    pauses = queue.pauses(session)
    assert pauses["metadata_sync"] == {"paused_until": quota_end, "reason": "quotaExceeded"}
    assert pauses["asset_enrichment"]["reason"].startswith("YouTube refused our credentials")


def test_an_expired_static_token_pauses_instead_of_failing(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 3)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    for name in ("YOUTUBE_OAUTH_CLIENT_ID", "YOUTUBE_OAUTH_CLIENT_SECRET", "YOUTUBE_OAUTH_REFRESH_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("YOUTUBE_ACCESS_TOKEN", "ya29.expired-an-hour-ago")  # not one the simulator issued
    get_settings.cache_clear()

    (summary,) = run_all("metadata_sync")

    assert (summary.released, summary.failed) == (3, 0)
    assert len(sim.calls_to("/videos")) == 1 and sim.token_requests == 0  # nothing to refresh
    session.expire_all()
    assert queue.pauses(session)["metadata_sync"]["reason"].endswith("fix the YOUTUBE_ACCESS_TOKEN settings")
    assert {r.status for r in task_rows(session, "metadata_sync")} == {"pending"}


def test_a_token_endpoint_5xx_retries_the_tasks_later(session: Session, sim: YouTubeSimulator) -> None:
    ids = seed(session, sim, 2)
    queue.enqueue_many(session, ids, "metadata_sync")
    session.commit()
    sim.fail_token_next(3, status=503)

    summary = tasks.run_batch("metadata_sync")

    assert (summary.retried, summary.failed, summary.released, summary.paused_until) == (2, 0, 0, None)
    rows = task_rows(session, "metadata_sync")
    assert {(r.status, r.retry_count) for r in rows} == {("pending", 1)}
    assert all("token endpoint 503" in (r.error_message or "") for r in rows)
    session.expire_all()
    assert queue.pauses(session) == {}
    session.execute(text("UPDATE processing_queue SET next_attempt_at = now()"))
    session.commit()
    assert [s.completed for s in run_all("metadata_sync")] == [2]


def test_half_configured_credentials_pause_the_tasks_naming_the_missing_setting(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed(session, sim, 1)
    queue.enqueue(session, ids[0], "ownership_update")
    session.commit()
    monkeypatch.delenv("YOUTUBE_OAUTH_CLIENT_ID")
    get_settings.cache_clear()

    (summary,) = run_all("ownership_update")

    assert (summary.released, summary.failed) == (1, 0)
    assert [r.status for r in task_rows(session, "ownership_update")] == ["pending"]
    session.expire_all()
    assert queue.pauses(session)["ownership_update"]["reason"].startswith(
        "YouTube is not configured: Incomplete OAuth refresh-token settings: set YOUTUBE_OAUTH_CLIENT_ID"
    )
    assert sim.calls == []


def test_without_any_youtube_settings_every_task_type_waits_with_the_reason(
    session: Session, sim: YouTubeSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A production catalog started before its YouTube credentials are set: nothing fails, the Queue page
    says why nothing moves."""
    ids = seed(session, sim, 2)
    for task_type in TASK_TYPES:
        queue.enqueue_many(session, ids, task_type)
    session.commit()
    for name in [name for name in os.environ if name.startswith("YOUTUBE_") and not name.endswith("_URL")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()

    before = utc_now()
    for task_type in TASK_TYPES:
        assert [(s.released, s.failed) for s in run_all(task_type)] == [(2, 0)]

    assert {r.status for t in TASK_TYPES for r in task_rows(session, t)} == {"pending"}
    session.expire_all()
    pauses = queue.pauses(session)
    assert set(pauses) == set(TASK_TYPES)
    assert all(p["reason"].startswith("YouTube is not configured: Set ") for p in pauses.values())
    assert "YOUTUBE_API_KEY" in pauses["metadata_sync"]["reason"]
    assert "YOUTUBE_CONTENT_OWNER_ID" in pauses["ownership_update"]["reason"]
    assert all(before + AUTH_PAUSE - timedelta(minutes=1) < p["paused_until"] for p in pauses.values())
    assert sim.calls == []
