"""The audit page's state: a period ending on the last day there is reads as "no end", not an error; a
period in the address is read as the browser's local days once its time zone is known."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services.audit import open_change_set
from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.state.audit import AuditState
from tests.states import state_for


def test_a_period_up_to_9999_12_31_lists_the_change_sets(session: Session) -> None:
    user = create_user(session, "ana@example.com", "correct-horse-42")
    open_change_set(session, "user", label="a change", user_id=user.id)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    audit = state_for(AuditState, token)

    AuditState.set_until.fn(audit, "9999-12-31")

    assert (audit.until, audit.error, audit.total) == ("9999-12-31", "", 1)


def test_a_period_opened_from_a_link_is_read_again_in_the_browsers_time_zone(session: Session) -> None:
    user = create_user(session, "ana@example.com", "correct-horse-42")
    # 20:00 UTC on 1 March is 09:00 on 2 March in Auckland.
    change_set = open_change_set(session, "user", label="a change", user_id=user.id)
    change_set.created_at = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    audit = state_for(AuditState, token)
    AuditState.set_since.fn(audit, "2026-03-02")  # as `load` reads `?since=2026-03-02`: the zone unknown yet
    assert audit.total == 0

    AuditState.set_timezone.fn(audit, "Pacific/Auckland")

    assert ([row.id for row in audit.rows], audit.total) == ([change_set.id], 1)


def test_a_missing_change_set_says_so_until_another_one_is_opened(session: Session) -> None:
    user = create_user(session, "ana@example.com", "correct-horse-42")
    change_set = open_change_set(session, "user", label="a change", user_id=user.id)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    audit = state_for(AuditState, token)

    AuditState.open_change_set.fn(audit, 999)  # an old link
    assert (audit.detail_open, audit.detail_error) == (False, "Change set #999 does not exist.")
    AuditState.open_change_set.fn(audit, change_set.id)  # then a row of the list

    assert (audit.detail_open, audit.selected.id, audit.detail_error, audit.error) == (
        True,
        change_set.id,
        "",
        "",
    )


def test_the_list_says_who_queued_a_tasks_change_set(session: Session) -> None:
    bo = create_user(session, "bo@example.com", "correct-horse-42")
    session.add(Video(video_id="someVideo01", title="A song"))
    session.flush()
    task_id = session.execute(
        text(
            "INSERT INTO processing_queue (video_id, task_type, status, created_by) "
            "VALUES ('someVideo01', 'metadata_sync', 'completed', :bo) RETURNING id"
        ),
        {"bo": bo.id},
    ).scalar_one()
    open_change_set(session, "task", label="metadata_sync", task_id=task_id)
    open_change_set(session, "report", label="day1.csv")
    token = open_session(session, bo, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    audit = state_for(AuditState, token)

    AuditState.set_kind.fn(audit, "")

    assert [(row.kind, row.user) for row in audit.rows] == [("report", ""), ("task", "queued by bo")]
