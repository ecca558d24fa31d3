"""Rollback of one entry, of a video to a time, and of a whole change set — with conflicts skipped or overwritten."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text
from sqlmodel import Session

from catalog_ui.models import ChangeSet, MetadataSync, Video
from catalog_ui.models.audit import CREATED
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.history import video_timeline
from catalog_ui.services.locks import MERGE_LOCK_KEY
from catalog_ui.services.rollback import (
    OVERWRITE,
    SKIP,
    AfterEntryTarget,
    ChangeSetTarget,
    Conflict,
    EntryTarget,
    RollbackError,
    VideoAtTarget,
    apply,
    preview,
)
from catalog_ui.services.users import create_user
from catalog_ui.services.video_flags import set_notes

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def admin(session):
    user = create_user(session, "ana@example.com", "correct-horse-42", admin=True)
    session.commit()
    return user


def _video(session, video_id: str, **values) -> None:
    session.add(Video(video_id=video_id, **values))
    session.flush()


def _change(session, kind: str, video_id: str, values: dict, **change_set) -> ChangeSet:
    cs = open_change_set(session, kind, **change_set)
    apply_changes(session, cs, video_id, values, allow_user_fields=True)
    return cs


def _entry_id(session, change_set: ChangeSet, video_id: str) -> int:
    return session.execute(
        select(MetadataSync.id).where(
            MetadataSync.change_set_id == change_set.id, MetadataSync.video_id == video_id
        )
    ).scalar_one()


def _get(session, video_id: str) -> Video:
    session.expire_all()
    return session.execute(select(Video).where(Video.video_id == video_id)).scalar_one()


def test_reverting_one_entry_restores_its_fields_as_a_rollback_change_set(session, admin) -> None:
    _video(session, "vid00000001", title="Song", views=100, artist=["A", "B"])
    task = _change(
        session, "task", "vid00000001", {"views": 200, "artist": ["A", "C"]}, label="metadata_sync"
    )
    entry = _entry_id(session, task, "vid00000001")
    session.commit()

    seen = preview(session, EntryTarget(entry))
    assert (seen.videos, seen.fields, seen.conflicts, seen.unchanged, seen.created) == (1, 2, 0, 0, 0)
    assert seen.label == f"Revert Artist and Views of vid00000001 (change set #{task.id})"
    result = apply(session, EntryTarget(entry), user_id=admin.id, reason="wrong data")
    session.commit()

    assert (result.videos, result.fields, result.skipped, result.overwritten) == (1, 2, 0, 0)
    video = _get(session, "vid00000001")
    assert (video.views, video.artist) == (100, ["A", "B"])
    rollback = session.get(ChangeSet, result.change_set_id)
    assert (
        rollback.kind,
        rollback.reverts_change_set_id,
        rollback.user_id,
        rollback.reason,
        rollback.video_count,
    ) == (
        "rollback",
        task.id,
        admin.id,
        "wrong data",
        1,
    )
    newest = video_timeline(session, "vid00000001").entries[0]
    assert newest.kind == "rollback"
    assert [(c.field, c.old, c.new) for c in newest.changes] == [
        ("artist", ["A", "C"], ["A", "B"]),
        ("views", 200, 100),
    ]


def test_a_video_no_sync_wrote_has_no_field_times_even_after_a_rollback(session, admin) -> None:
    _video(session, "vid00000001", title="Song")
    task = _change(session, "task", "vid00000001", {"title": "Song (live)"}, label="metadata_sync")
    session.commit()
    # SQL NULL, not JSON null: the merge's check for synced videos and its partial index count on it
    stored = "SELECT field_as_of IS NULL FROM video WHERE video_id = 'vid00000001'"
    assert session.execute(text(stored)).scalar_one()

    apply(session, ChangeSetTarget(task.id), user_id=admin.id)
    session.commit()

    assert _get(session, "vid00000001").title == "Song"
    assert session.execute(text(stored)).scalar_one()


def test_a_rollback_waits_for_a_report_merge_under_way(session, admin, engine) -> None:
    # The merge would overwrite what the rollback restores, unseen: the rollback waits for its commit.
    _video(session, "vid00000001", title="Song", views=100)
    task = _change(session, "task", "vid00000001", {"views": 200}, label="metadata_sync")
    entry = _entry_id(session, task, "vid00000001")
    session.commit()
    done: list[int] = []

    def roll_back() -> None:
        with Session(engine) as own:
            done.append(apply(own, EntryTarget(entry), user_id=admin.id).fields)
            own.commit()

    with engine.connect() as merge:
        merge.begin()
        merge.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MERGE_LOCK_KEY})
        worker = threading.Thread(target=roll_back)
        worker.start()
        worker.join(timeout=1.5)
        assert worker.is_alive() and done == []
        merge.rollback()
    worker.join(timeout=30)
    assert done == [1]
    assert _get(session, "vid00000001").views == 100


def test_a_rollback_plans_in_memory_without_jit_and_puts_the_settings_back(session, admin, engine) -> None:
    # A 320,000-entry report's plan spilled to disk with the default work_mem, was joined to the videos by
    # walking all of them in id order, and JIT compiled its CASE over every field for 3 s.
    _video(session, "vid00000001", views=100)
    task = _change(session, "task", "vid00000001", {"views": 200}, label="metadata_sync")
    session.commit()
    session.execute(text("SET LOCAL work_mem = '1MB'"))
    session.execute(text("SET LOCAL jit = on"))
    settings = "SELECT current_setting('work_mem'), current_setting('jit')"
    planned: list[tuple[str, str]] = []

    def record(conn, cursor, statement, *args) -> None:
        if statement.lstrip().startswith("CREATE TEMP TABLE rollback_"):
            own = cursor.connection.cursor()
            own.execute(settings)
            planned.append(own.fetchone())

    event.listen(engine, "after_cursor_execute", record)
    try:
        assert preview(session, ChangeSetTarget(task.id)).fields == 1
        assert session.execute(text(settings)).one() == ("1MB", "on")
        assert apply(session, ChangeSetTarget(task.id), user_id=admin.id).fields == 1
        assert session.execute(text(settings)).one() == ("1MB", "on")
    finally:
        event.remove(engine, "after_cursor_execute", record)
    assert planned == [("64MB", "off")] * 4  # rollback_plan and rollback_rows, previewed then applied


def test_conflicts_are_skipped_or_overwritten(session, admin) -> None:
    for video_id in ("vid00000001", "vid00000002"):
        _video(session, video_id, title="Song", views=100)
    entries = {}
    for video_id in ("vid00000001", "vid00000002"):
        task = _change(
            session, "task", video_id, {"title": "Song (Live)", "views": 200}, label="metadata_sync"
        )
        entries[video_id] = _entry_id(session, task, video_id)
        _change(session, "task", video_id, {"views": 300}, label="metadata_sync")  # changed since
    session.commit()

    seen = preview(session, EntryTarget(entries["vid00000001"]))
    assert (seen.fields, seen.conflicts, seen.conflict_videos) == (2, 1, 1)
    assert seen.conflict_rows == [Conflict("vid00000001", "Song (Live)", "views", 200, 300, 100)]

    skipped = apply(session, EntryTarget(entries["vid00000001"]), user_id=admin.id, on_conflict=SKIP)
    overwritten = apply(
        session,
        EntryTarget(entries["vid00000002"]),
        user_id=admin.id,
        on_conflict=OVERWRITE,
        expected_fingerprint=preview(session, EntryTarget(entries["vid00000002"])).fingerprint,
    )
    session.commit()
    assert (skipped.fields, skipped.skipped, skipped.overwritten) == (1, 1, 0)
    assert (overwritten.fields, overwritten.skipped, overwritten.overwritten) == (2, 0, 1)
    one, two = _get(session, "vid00000001"), _get(session, "vid00000002")
    assert (one.title, one.views) == ("Song", 300)
    assert (two.title, two.views) == ("Song", 100)


def _refused(session, admin, target, fingerprint: str, video_id: str, expected: tuple) -> None:
    with pytest.raises(
        RollbackError, match=r"changed since the preview .*; preview again before overwriting"
    ):
        apply(session, target, user_id=admin.id, on_conflict=OVERWRITE, expected_fingerprint=fingerprint)
    session.rollback()
    video = _get(session, video_id)
    assert (video.title, video.views) == expected


def test_overwrite_refuses_when_the_conflicts_changed_since_the_preview(session, admin) -> None:
    _video(session, "vid00000001", title="Song", views=100)
    task = _change(session, "task", "vid00000001", {"title": "New", "views": 200}, label="metadata_sync")
    session.commit()
    target = ChangeSetTarget(task.id)
    seen = preview(session, target)
    assert seen.conflicts == 0
    _change(session, "task", "vid00000001", {"views": 300}, label="metadata_sync")
    session.commit()
    _refused(session, admin, target, seen.fingerprint, "vid00000001", ("New", 300))


def test_overwrite_refuses_when_a_conflict_changed_again_since_the_preview(session, admin) -> None:
    # Same number of conflicts, but the admin was shown "C", not "D": overwriting D would be unseen.
    _video(session, "vid00000001", title="A", views=100)
    task = _change(session, "task", "vid00000001", {"title": "B"}, label="metadata_sync")
    _change(session, "user", "vid00000001", {"title": "C"})
    session.commit()
    target = ChangeSetTarget(task.id)
    seen = preview(session, target)
    assert [(c.field, c.current) for c in seen.conflict_rows] == [("title", "C")]
    _change(session, "user", "vid00000001", {"title": "D"})
    session.commit()
    assert preview(session, target).conflicts == seen.conflicts
    _refused(session, admin, target, seen.fingerprint, "vid00000001", ("D", 100))


def test_overwrite_refuses_when_another_field_became_the_conflict(session, admin) -> None:
    # A clean field becomes a conflict while the shown conflict resolves: the count stays 1.
    _video(session, "vid00000001", title="A", views=100)
    task = _change(session, "task", "vid00000001", {"title": "B", "views": 200}, label="metadata_sync")
    _change(session, "user", "vid00000001", {"title": "C"})
    session.commit()
    target = ChangeSetTarget(task.id)
    seen = preview(session, target)
    assert [c.field for c in seen.conflict_rows] == ["title"]
    _change(session, "user", "vid00000001", {"title": "B", "views": 999})
    session.commit()
    assert [c.field for c in preview(session, target).conflict_rows] == ["views"]
    _refused(session, admin, target, seen.fingerprint, "vid00000001", ("B", 999))
    # Previewed again, the overwrite goes through.
    again = preview(session, target)
    result = apply(
        session, target, user_id=admin.id, on_conflict=OVERWRITE, expected_fingerprint=again.fingerprint
    )
    session.commit()
    assert (result.fields, result.overwritten) == (2, 1)
    video = _get(session, "vid00000001")
    assert (video.title, video.views) == ("A", 100)


def test_a_creation_cannot_be_reverted(session, admin) -> None:
    _video(session, "vid00000001")
    report = open_change_set(session, "report", label="day1.csv")
    session.add(
        MetadataSync(video_id="vid00000001", changes={CREATED: [None, "report"]}, change_set_id=report.id)
    )
    session.commit()
    entry = _entry_id(session, report, "vid00000001")
    with pytest.raises(
        RollbackError, match="records the creation of vid00000001; a creation cannot be reverted"
    ):
        preview(session, EntryTarget(entry))
    with pytest.raises(RollbackError, match="History entry #999999 does not exist"):
        preview(session, EntryTarget(999999))
    with pytest.raises(RollbackError, match="Change set #999999 does not exist"):
        apply(session, ChangeSetTarget(999999), user_id=admin.id)
    # Undoing the report leaves the video it created.
    seen = preview(session, ChangeSetTarget(report.id))
    assert (seen.videos, seen.fields, seen.created) == (0, 0, 1)
    result = apply(session, ChangeSetTarget(report.id), user_id=admin.id)
    assert (result.change_set_id, result.videos) == (None, 0)


def test_nothing_to_do_when_the_old_value_is_back(session, admin) -> None:
    _video(session, "vid00000001", views=100)
    task = _change(session, "task", "vid00000001", {"views": 200}, label="metadata_sync")
    _change(session, "task", "vid00000001", {"views": 100}, label="metadata_sync")
    session.commit()
    seen = preview(session, ChangeSetTarget(task.id))
    assert (seen.fields, seen.conflicts, seen.unchanged) == (0, 0, 1)
    result = apply(session, ChangeSetTarget(task.id), user_id=admin.id)
    assert result.change_set_id is None
    assert session.execute(select(ChangeSet).where(ChangeSet.kind == "rollback")).first() is None


def _history_at(session, video_id: str, entries: list[tuple[datetime, dict]]) -> None:
    cs = open_change_set(session, "task", label="metadata_sync")
    for at, changes in entries:
        session.add(MetadataSync(video_id=video_id, sync_time=at, changes=changes, change_set_id=cs.id))
    session.flush()


def test_a_video_is_restored_to_its_state_at_a_time_including_archived_history(session, admin) -> None:
    _video(session, "vid00000001", title="C", views=30, privacy_status="private")
    _history_at(
        session,
        "vid00000001",
        [
            (T0, {CREATED: [None, "report"]}),
            (T0 + timedelta(days=1), {"title": ["A", "B"], "views": [10, 20]}),
            (T0 + timedelta(days=2), {"title": ["B", "C"], "privacy_status": ["public", "private"]}),
            (T0 + timedelta(days=3), {"views": [20, 30]}),
        ],
    )
    # The oldest two entries were archived; restoring before them still finds them.
    session.execute(
        text(
            "INSERT INTO metadata_sync_archive (id, video_id, sync_time, changes, change_set_id) "
            "SELECT id, video_id, sync_time, changes, change_set_id FROM metadata_sync WHERE sync_time < :cut"
        ),
        {"cut": T0 + timedelta(days=2)},
    )
    session.execute(text("DELETE FROM metadata_sync WHERE sync_time < :cut"), {"cut": T0 + timedelta(days=2)})
    session.commit()

    after_first_day = VideoAtTarget("vid00000001", T0 + timedelta(days=1, hours=1))
    seen = preview(session, after_first_day)
    assert (seen.videos, seen.fields, seen.conflicts) == (1, 3, 0)
    result = apply(session, after_first_day, user_id=admin.id)
    session.commit()
    video = _get(session, "vid00000001")
    assert (video.title, video.views, video.privacy_status) == ("B", 20, "public")
    assert session.get(ChangeSet, result.change_set_id).reverts_change_set_id is None

    with pytest.raises(RollbackError, match="was not in the catalog yet at that time"):
        preview(session, VideoAtTarget("vid00000001", T0 - timedelta(hours=1)))
    with pytest.raises(RollbackError, match="Video nope is not in the catalog"):
        preview(session, VideoAtTarget("nope", T0))

    # Restoring to just after creation reverts the rollback's own entry too.
    apply(session, VideoAtTarget("vid00000001", T0), user_id=admin.id)
    session.commit()
    video = _get(session, "vid00000001")
    assert (video.title, video.views, video.privacy_status) == ("A", 10, "public")


def test_a_picked_time_keeps_the_entries_shown_at_that_second(session, admin) -> None:
    # History is stored with fractions of a second but shown, and picked, to the second: picking the
    # 10:15:07 of the entry at 10:15:07.4 keeps that entry and reverts only what came after that second.
    created = T0.replace(second=6, microsecond=500_000)
    first = T0.replace(second=7, microsecond=400_000)
    second = T0.replace(second=8, microsecond=200_000)
    _video(session, "vid00000001", title="C", views=30)
    _history_at(
        session,
        "vid00000001",
        [
            (created, {CREATED: [None, "report"]}),
            (first, {"title": ["A", "B"]}),
            (second, {"title": ["B", "C"], "views": [20, 30]}),
        ],
    )
    session.commit()

    picked = VideoAtTarget("vid00000001", T0.replace(second=7))
    seen = preview(session, picked)
    assert (seen.label, seen.fields) == ("Restore vid00000001 to 2026-03-01 08:00:07 UTC", 2)
    apply(session, picked, user_id=admin.id)
    session.commit()
    assert (_get(session, "vid00000001").title, _get(session, "vid00000001").views) == ("B", 20)

    # The second the video was added in is a time it was in the catalog.
    apply(session, VideoAtTarget("vid00000001", T0.replace(second=6)), user_id=admin.id)
    session.commit()
    assert (_get(session, "vid00000001").title, _get(session, "vid00000001").views) == ("A", 20)
    with pytest.raises(RollbackError, match=r"it was added 2026-03-01 08:00:06 UTC"):
        preview(session, VideoAtTarget("vid00000001", T0.replace(second=5)))


def test_restore_to_here_reverts_what_came_after_the_entry_even_in_the_same_second(session, admin) -> None:
    # "Restore to here" on the timeline names an entry, not a second: a report's change written 0.9 s
    # after the video's creation is reverted by restoring to the creation (a time picked to the second
    # would keep it), and the entry itself, although later within its second, stays.
    _video(session, "vid00000001", title="B", views=20)
    _history_at(
        session,
        "vid00000001",
        [
            (T0.replace(microsecond=100_000), {CREATED: [None, "report"]}),
            (T0.replace(microsecond=900_000), {"title": ["A", "B"]}),
            (T0.replace(second=1), {"views": [10, 20]}),
        ],
    )
    session.commit()
    created, retitled, _ = [entry.id for entry in reversed(video_timeline(session, "vid00000001").entries)]

    seen = preview(session, AfterEntryTarget(retitled))
    assert (seen.label, seen.fields) == (
        f"Restore vid00000001 to 2026-03-01 08:00:00 UTC, as change set #{_change_set_of(session, retitled)} "
        "left it",
        1,
    )
    seen = preview(session, AfterEntryTarget(created))
    assert (seen.fields, seen.created) == (2, 0)
    apply(session, AfterEntryTarget(created), user_id=admin.id, expected_fingerprint=seen.fingerprint)
    session.commit()
    assert (_get(session, "vid00000001").title, _get(session, "vid00000001").views) == ("A", 10)
    with pytest.raises(RollbackError, match="History entry #999999 does not exist"):
        preview(session, AfterEntryTarget(999999))


def _change_set_of(session, entry_id: int) -> int:
    return session.get(MetadataSync, entry_id).change_set_id


def test_user_owned_fields_and_typed_values_round_trip(session, admin) -> None:
    for n in (1, 2, 3):
        _video(session, f"vid0000000{n}", notes=f"note {n}")
    stamp = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
    bulk = open_change_set(session, "bulk", label="Administer", user_id=admin.id, reason="takedown batch")
    for n in (1, 2, 3):
        apply_changes(
            session,
            bulk,
            f"vid0000000{n}",
            {"hidden": True, "administered": True, "administered_at": stamp, "notes": None},
            allow_user_fields=True,
        )
    set_notes(session, "vid00000002", "kept by Bo", user_id=admin.id)  # changed since
    session.commit()

    seen = preview(session, ChangeSetTarget(bulk.id))
    assert (seen.videos, seen.fields, seen.conflicts) == (3, 12, 1)
    assert seen.conflict_rows == [Conflict("vid00000002", None, "notes", None, "kept by Bo", "note 2")]
    result = apply(session, ChangeSetTarget(bulk.id), user_id=admin.id, on_conflict=SKIP)
    session.commit()
    assert (result.videos, result.fields, result.skipped) == (3, 11, 1)
    for n in (1, 2, 3):
        video = _get(session, f"vid0000000{n}")
        assert (video.hidden, video.administered, video.administered_at) == (False, False, None)
        assert video.notes == ("kept by Bo" if n == 2 else f"note {n}")

    # Undoing the rollback brings the bulk values back, the timestamp to the microsecond.
    redo = apply(session, ChangeSetTarget(result.change_set_id), user_id=admin.id)
    session.commit()
    assert redo.fields == 11
    video = _get(session, "vid00000001")
    assert (video.hidden, video.administered, video.administered_at, video.notes) == (True, True, stamp, None)


def test_a_rollback_entry_names_the_video_by_the_title_it_leaves(session, admin) -> None:
    # Like every other writer of history, the entry records the title after the change.
    _video(session, "vid00000001", title="Old title", channel_display_name="Old channel")
    task = _change(
        session,
        "task",
        "vid00000001",
        {"title": "New title", "channel_display_name": "New channel"},
        label="metadata_sync",
    )
    session.commit()
    result = apply(session, ChangeSetTarget(task.id), user_id=admin.id)
    session.commit()
    entry = session.execute(
        select(MetadataSync).where(MetadataSync.change_set_id == result.change_set_id)
    ).scalar_one()
    assert (entry.video_title, entry.channel_display_name) == ("Old title", "Old channel")
    assert entry.video_title == _get(session, "vid00000001").title
