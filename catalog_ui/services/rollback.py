"""Rollback: revert one history entry, restore a video to its state at a time, or undo a whole change set.

A rollback is planned set-based: the history entries it reverts (live and archived) become a temp table
of (video, field, value to restore, value the entries wrote). Against the locked videos each pair is
classified: already holding the value to restore (nothing to do), still holding the written value (clean),
or holding something else — changed since, a *conflict* that the admin skips or overwrites after seeing
the preview. The preview carries a fingerprint of what it showed (every field it would write, with the value
it holds now); overwriting refuses when the videos no longer match it. Applying opens one change set of kind 'rollback' (`reverts_change_set_id` names the undone
set), writes one history entry per video and updates every video in a single UPDATE … FROM, so undoing a
report that touched 50,000 videos is a handful of statements, never a loop per video.

A video's creation (`__created__`) is never reverted: a rollback changes values, it does not delete videos.

Paging through a preview's conflicts does not plan the whole target again (6 s for a 320,000-entry report
on a million videos). The preview also returns the keys of its conflicts from the page shown on, up to
CONFLICT_KEY_LIMIT of them — (video, field, hash of the value it holds now and the value to restore), in
the order the pages list them — and `conflict_page` plans only the videos of one page's keys: an index
lookup of their entries, a few milliseconds. That page is exact: its rows are planned against the videos as
they are now, and when they no longer match the keys (a conflict appeared, resolved or changed value among
those videos) it returns None, so the caller shows the preview as stale (or plans it again) rather than
rows the fingerprint does not cover. Changes elsewhere in the target are caught where they matter, by the
fingerprint check of `apply`, as before. Keeping the keys rather than the rows (in the caller's state or a
table keyed by the fingerprint) shows current values, needs no table, migration or clean-up, and bounds what
the caller holds to ~60 bytes a conflict; a page past the keys is planned in full, as before, and brings
the keys from that page on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Boolean, DateTime, Integer, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from catalog_ui.models import ChangeSet, Video, utc_now
from catalog_ui.models.audit import CREATED
from catalog_ui.services.audit import VIDEO_FIELDS, open_change_set
from catalog_ui.services.field_labels import field_list
from catalog_ui.services.locks import wait_for_merges
from catalog_ui.services.paging import page_count

SKIP, OVERWRITE = "skip", "overwrite"
CONFLICT_PAGE_SIZE = 20
# Conflicts a preview returns the keys of, from its page on (100 pages), for `conflict_page`.
CONFLICT_KEY_LIMIT = 2_000
# For a preview or a rollback (`_bulk_settings`): a 320,000-entry report's pairs sort and hash in memory,
# and the statements run uncompiled.
BULK_SETTINGS = {"work_mem": "64MB", "jit": "off"}
_COLUMNS = Video.__table__.columns
LABEL_LENGTH = ChangeSet.__table__.columns["label"].type.length  # what a change set's label holds
_TIME_FIELDS = tuple(f for f in VIDEO_FIELDS if isinstance(_COLUMNS[f].type, DateTime))


class RollbackError(ValueError):
    """A rollback that cannot be done as asked; the message is meant for the admin."""


# -- targets ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryTarget:
    """One history entry (live or archived)."""

    entry_id: int


@dataclass(frozen=True)
class VideoAtTarget:
    """A video as it was at the end of the second `at` falls in: every entry of the video after that second
    is reverted. History times are shown, and picked, to the second while stored with fractions: an entry
    shown at the picked second (10:15:07 for 10:15:07.4) is one the user sees as of that time, so it stays."""

    video_id: str
    at: datetime


@dataclass(frozen=True)
class AfterEntryTarget:
    """A video as one of its history entries left it ("Restore to here" on the timeline): every later entry
    of the video is reverted, later in the timeline's order (time, then id), so an entry written in the
    same second as this one is reverted too, which a time picked to the second cannot tell apart."""

    entry_id: int


@dataclass(frozen=True)
class ChangeSetTarget:
    """Everything one change set wrote, across all its videos."""

    change_set_id: int


RollbackTarget = EntryTarget | VideoAtTarget | AfterEntryTarget | ChangeSetTarget


@dataclass(frozen=True)
class _Scope:
    """What a target means in SQL, and how the rollback change set describes it."""

    condition: str
    params: dict[str, Any]
    label: str
    reverts_change_set_id: int | None


# -- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A field changed since the reverted entries: what they wrote, what it holds now, what it would get."""

    video_id: str
    title: str | None
    field: str
    written: Any
    current: Any
    restore: Any


# (video_id, field, hash of the value it holds now and the value to restore): one conflict as a preview
# listed it, for `conflict_page`.
ConflictKey = tuple[str, str, int]


@dataclass(frozen=True)
class RollbackPreview:
    """What a rollback would do, before doing it."""

    label: str
    videos: int
    fields: int
    conflicts: int
    conflict_videos: int
    unchanged: int
    created: int
    conflict_rows: list[Conflict]
    conflict_page: int
    conflict_per_page: int
    fingerprint: str
    # The conflicts from the first row of `conflict_rows` on (at most CONFLICT_KEY_LIMIT), in page order.
    conflict_keys: tuple[ConflictKey, ...] = ()

    @property
    def conflict_pages(self) -> int:
        """Pages of conflicts (at least 1)."""
        return page_count(self.conflicts, self.conflict_per_page)


@dataclass(frozen=True)
class RollbackResult:
    """What a rollback did: its change set (None when nothing needed reverting) and the counts."""

    change_set_id: int | None
    videos: int
    fields: int
    skipped: int
    overwritten: int


# -- SQL building blocks (column names come from the model, never from input) -------------------------


def _entries_sql(condition: str) -> str:
    columns = "id, video_id, sync_time, changes, change_set_id"
    return (
        f"SELECT {columns} FROM metadata_sync WHERE {condition} "
        f"UNION ALL SELECT {columns} FROM metadata_sync_archive WHERE {condition}"
    )


def _current_sql(alias: str = "v") -> str:
    """jsonb of the video column named by `p.field` (JSON null for SQL NULL)."""
    branches = " ".join(f"WHEN '{f}' THEN to_jsonb({alias}.{f})" for f in VIDEO_FIELDS)
    return f"COALESCE(CASE p.field {branches} END, 'null'::jsonb)"


def _same_sql(a: str, b: str) -> str:
    """True when jsonb values `a` and `b` are the same value of the field `p.field` (times compared as times)."""
    times = ", ".join(f"'{f}'" for f in _TIME_FIELDS) or "''"
    return (
        f"CASE WHEN p.field IN ({times}) "
        f"THEN ({a} #>> '{{}}')::timestamptz IS NOT DISTINCT FROM ({b} #>> '{{}}')::timestamptz "
        f"ELSE {a} IS NOT DISTINCT FROM {b} END"
    )


def _typed_sql(field: str, value: str) -> str:
    """SQL turning the jsonb `value` into the type of video column `field`."""
    column_type = _COLUMNS[field].type
    scalar = f"({value} #>> '{{}}')"
    if isinstance(column_type, ARRAY):
        return (
            f"CASE WHEN jsonb_typeof({value}) = 'array' THEN ARRAY(SELECT e.x FROM "
            f"jsonb_array_elements_text({value}) WITH ORDINALITY AS e(x, n) ORDER BY e.n) END"
        )
    if isinstance(column_type, Boolean):
        return f"{scalar}::boolean"
    if isinstance(column_type, (Integer, BigInteger)):
        return f"{scalar}::bigint"
    if isinstance(column_type, DateTime):
        return f"{scalar}::timestamptz"
    return scalar


def _assignment_sql(field: str) -> str:
    """`field = <its restored value>` for the videos whose targets name it; others keep their value."""
    value = _typed_sql(field, f"t.targets -> '{field}'")
    return f"{field} = CASE WHEN t.targets ? '{field}' THEN {value} ELSE v.{field} END"


# -- planning -----------------------------------------------------------------------------------------


def _scope(session: Session, target: RollbackTarget) -> _Scope:
    if isinstance(target, EntryTarget):
        return _entry_scope(session, target.entry_id)
    if isinstance(target, VideoAtTarget):
        return _video_at_scope(session, target.video_id, target.at)
    if isinstance(target, AfterEntryTarget):
        return _after_entry_scope(session, target.entry_id)
    if isinstance(target, ChangeSetTarget):
        return _change_set_scope(session, target.change_set_id)
    raise TypeError(f"not a rollback target: {target!r}")


def _entry_scope(session: Session, entry_id: int) -> _Scope:
    row = session.execute(
        text(f"SELECT video_id, changes, change_set_id FROM ({_entries_sql('id = :id')}) e"), {"id": entry_id}
    ).first()
    if row is None:
        raise RollbackError(f"History entry #{entry_id} does not exist.")
    if not set(row.changes) & set(VIDEO_FIELDS):
        raise RollbackError(
            f"Entry #{entry_id} records the creation of {row.video_id}; a creation cannot be reverted."
        )
    # Reverting the only entry of a change set undoes it ("undone by" in the audit log); one entry of a
    # report's thousands does not.
    whole = row.change_set_id is not None and (
        session.execute(
            text("SELECT video_count FROM change_set WHERE id = :id"), {"id": row.change_set_id}
        ).scalar()
        == 1
    )
    return _Scope(
        condition="id = :entry_id",
        params={"entry_id": entry_id},
        label=_entry_label(row.video_id, set(row.changes) & set(VIDEO_FIELDS), row.change_set_id),
        reverts_change_set_id=row.change_set_id if whole else None,
    )


def _entry_label(video_id: str, fields: set[str], change_set_id: int | None) -> str:
    """Named as the timeline shows the entry: its fields (by their readable names), its video, its change
    set — "Revert Artist and Views of vid00000001 (change set #3)". Fields that would not fit the label's
    column are counted instead ("Revert 40 fields of …")."""
    source = f" (change set #{change_set_id})" if change_set_id is not None else ""
    label = f"Revert {field_list(fields)} of {video_id}{source}"
    return label if len(label) <= LABEL_LENGTH else f"Revert {len(fields)} fields of {video_id}{source}"


def _video_at_scope(session: Session, video_id: str, at: datetime) -> _Scope:
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime")
    exists = session.execute(
        text("SELECT EXISTS (SELECT 1 FROM video WHERE video_id = :v)"), {"v": video_id}
    ).scalar_one()
    if not exists:
        raise RollbackError(f"Video {video_id} is not in the catalog.")
    second = at.replace(microsecond=0)
    params = {"video_id": video_id, "after": second + timedelta(seconds=1)}
    condition = "video_id = :video_id AND sync_time >= :after"
    created = session.execute(
        text(f"SELECT min(e.sync_time) FROM ({_entries_sql(condition)}) e WHERE e.changes ? :created"),
        {**params, "created": CREATED},
    ).scalar()
    if created is not None:
        raise RollbackError(
            f"{video_id} was not in the catalog yet at that time (it was added {created.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC); "
            "pick a later time."
        )
    return _Scope(
        condition=condition,
        params=params,
        label=f"Restore {video_id} to {second.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        reverts_change_set_id=None,
    )


def _after_entry_scope(session: Session, entry_id: int) -> _Scope:
    row = session.execute(
        text(f"SELECT video_id, sync_time, change_set_id FROM ({_entries_sql('id = :id')}) e"),
        {"id": entry_id},
    ).first()
    if row is None:
        raise RollbackError(f"History entry #{entry_id} does not exist.")
    source = f", as change set #{row.change_set_id} left it" if row.change_set_id is not None else ""
    return _Scope(
        condition="video_id = :video_id AND (sync_time, id) > (:entry_time, :entry_id)",
        params={"video_id": row.video_id, "entry_time": row.sync_time, "entry_id": entry_id},
        label=f"Restore {row.video_id} to {row.sync_time.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC{source}",
        reverts_change_set_id=None,
    )


def _change_set_scope(session: Session, change_set_id: int) -> _Scope:
    change_set = session.get(ChangeSet, change_set_id)
    if change_set is None:
        raise RollbackError(f"Change set #{change_set_id} does not exist.")
    what = f"{change_set.kind} {change_set.label}" if change_set.label else change_set.kind
    return _Scope(
        condition="change_set_id = :change_set_id",
        params={"change_set_id": change_set_id},
        label=f"Undo change set #{change_set_id} ({what})"[:LABEL_LENGTH],
        reverts_change_set_id=change_set_id,
    )


def _plan(session: Session, scope: _Scope, *, lock: bool) -> None:
    """Fill temp table `rollback_rows` for `scope`.

    Run under `_bulk_settings`: a report's change set holds hundreds of thousands of entries, whose pairs
    are sorted once and joined to the videos by hash."""
    session.execute(text("DROP TABLE IF EXISTS rollback_plan, rollback_rows"))
    # Per (video, field) the value before the scope's first entry and after its last: one sort of the
    # pairs, in which the window reads the last written value and DISTINCT ON keeps the first row (an
    # aggregate with ORDER BY would sort each group apart: 640,000 small sorts for a 320,000-entry report).
    # The sort only groups, so it compares bytes ("C"), not by the database's collation (strcoll).
    session.execute(
        text(
            f"""
            CREATE TEMP TABLE rollback_plan ON COMMIT DROP AS
            WITH pairs AS (
                SELECT e.video_id, kv.key AS field, kv.value -> 0 AS restore, kv.value -> 1 AS written,
                       e.sync_time, e.id
                FROM ({_entries_sql(scope.condition)}) e CROSS JOIN LATERAL jsonb_each(e.changes) kv
                WHERE kv.key = ANY(:fields)
            )
            SELECT DISTINCT ON (video_id COLLATE "C", field COLLATE "C") video_id, field, restore,
                   last_value(written) OVER (
                       PARTITION BY video_id COLLATE "C", field COLLATE "C" ORDER BY sync_time, id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                   ) AS written
            FROM pairs ORDER BY video_id COLLATE "C", field COLLATE "C", sync_time, id
            """
        ),
        {**scope.params, "fields": list(VIDEO_FIELDS)},
    )
    session.execute(text("ANALYZE rollback_plan"))  # temp tables get no statistics otherwise
    if lock:
        # A report merging now would overwrite what this restores, unseen: wait for it first.
        wait_for_merges(session)
        # Lock in a stable order so two rollbacks (or a rollback and an edit) cannot deadlock.
        session.execute(
            text(
                "SELECT 1 FROM video WHERE video_id IN (SELECT video_id FROM rollback_plan) "
                "ORDER BY id FOR UPDATE"
            )
        )
    session.execute(
        text(
            f"""
            CREATE TEMP TABLE rollback_rows ON COMMIT DROP AS
            SELECT p.video_id, p.field, p.restore, p.written, p.current,
                   {_same_sql("p.current", "p.restore")} AS done,
                   {_same_sql("p.current", "p.written")} AS clean
            FROM (SELECT p.video_id, p.field, p.restore, p.written, {_current_sql()} AS current
                  FROM rollback_plan p JOIN video v ON v.video_id = p.video_id
                  OFFSET 0) p  -- not flattened: `current` (a CASE over every field) is computed once per row
            """
        )
    )
    session.execute(text("ANALYZE rollback_rows"))


def _created(session: Session, scope: _Scope) -> int:
    """How many video creations `scope` holds (a rollback leaves those videos alone)."""
    return session.execute(
        text(f"SELECT count(*) FROM ({_entries_sql(scope.condition)}) e WHERE e.changes ? :created"),
        {**scope.params, "created": CREATED},
    ).scalar_one()


def _set(session: Session, settings: dict[str, str]) -> None:
    """Set these settings until the end of the transaction (or the next `_set`)."""
    session.execute(
        text("SELECT " + ", ".join(f"set_config('{name}', :{name}, true)" for name in settings)), settings
    )


@contextmanager
def _bulk_settings(session: Session) -> Iterator[None]:
    """BULK_SETTINGS for the statements of a preview or a rollback, then the caller's settings again.

    With the default 4 MB of `work_mem` a 320,000-entry report's pairs sort on disk and the planner joins
    them to the videos by walking all of `video` in id order (a million random reads) rather than by
    hash; and JIT, expecting dozens of fields per entry, spent longer (3 s) compiling the CASE over every
    field than running it."""
    names = ", ".join(f"current_setting('{name}') AS {name}" for name in BULK_SETTINGS)
    prior = session.execute(text(f"SELECT {names}")).one()._asdict()
    _set(session, BULK_SETTINGS)
    try:
        yield
    except DBAPIError:
        raise  # the transaction failed, and its settings end with it
    except BaseException:
        _set(session, prior)
        raise
    _set(session, prior)


def _counts(session: Session) -> Any:
    """The plan's counts, and its fingerprint: the fields it would write (clean or conflict) with the value
    each holds now, hashed and summed (order-free, so no sort of a 100k-video plan), with their number.

    Counted per video first (one hash aggregation; `rollback_rows` comes in no particular order), so the
    videos with a field to write and those with a conflict need no sort of every row each, as two
    `count(DISTINCT video_id)` would."""
    return session.execute(
        text(
            """
            WITH per_video AS (
                SELECT count(*) FILTER (WHERE NOT done) AS fields,
                       count(*) FILTER (WHERE NOT done AND NOT clean) AS conflicts,
                       count(*) FILTER (WHERE done) AS unchanged,
                       sum(hashtextextended(
                           concat_ws(chr(31), video_id, field, current::text, restore::text), 0
                       )) FILTER (WHERE NOT done) AS hashed
                FROM rollback_rows GROUP BY video_id
            )
            SELECT COALESCE(sum(fields), 0) || ':' || COALESCE(sum(hashed), 0) AS fingerprint,
                   COALESCE(sum(fields), 0)::bigint AS fields,
                   count(*) FILTER (WHERE fields > 0) AS videos,
                   COALESCE(sum(conflicts), 0)::bigint AS conflicts,
                   count(*) FILTER (WHERE conflicts > 0) AS conflict_videos,
                   COALESCE(sum(unchanged), 0)::bigint AS unchanged
            FROM per_video
            """
        )
    ).one()


# -- public API ---------------------------------------------------------------------------------------


# A conflict row of `rollback_rows`, with the video's title and its key's hash (as `_counts` hashes it).
_CONFLICT_SELECT = """
    SELECT r.video_id, v.title, r.field, r.written, r.current, r.restore,
           hashtextextended(concat_ws(chr(31), r.video_id, r.field, r.current::text, r.restore::text), 0)
               AS key_hash
    FROM rollback_rows r JOIN video v ON v.video_id = r.video_id
    WHERE NOT r.done AND NOT r.clean
"""


def _conflict(row: Any) -> Conflict:
    values = row._asdict()
    del values["key_hash"]
    return Conflict(**values)


def preview(
    session: Session,
    target: RollbackTarget,
    *,
    conflict_page: int = 1,
    conflict_per_page: int = CONFLICT_PAGE_SIZE,
    conflict_key_limit: int = CONFLICT_KEY_LIMIT,
) -> RollbackPreview:
    """What rolling back `target` would change, with one page of its conflicts and the keys of the
    conflicts from that page on, for `conflict_page` (nothing is written)."""
    scope = _scope(session, target)
    conflict_page = max(1, conflict_page)
    with _bulk_settings(session):
        _plan(session, scope, lock=False)
        created = _created(session, scope)
        counts = _counts(session)
        rows = session.execute(
            text(f"{_CONFLICT_SELECT} ORDER BY r.video_id, r.field LIMIT :limit OFFSET :offset"),
            {
                "limit": max(conflict_per_page, conflict_key_limit),
                "offset": (conflict_page - 1) * conflict_per_page,
            },
        ).all()
    return RollbackPreview(
        label=scope.label,
        videos=counts.videos,
        fields=counts.fields,
        conflicts=counts.conflicts,
        conflict_videos=counts.conflict_videos,
        unchanged=counts.unchanged,
        created=created,
        conflict_rows=[_conflict(row) for row in rows[:conflict_per_page]],
        conflict_page=conflict_page,
        conflict_per_page=conflict_per_page,
        fingerprint=counts.fingerprint,
        conflict_keys=tuple((row.video_id, row.field, row.key_hash) for row in rows[:conflict_key_limit]),
    )


def conflict_page(
    session: Session, target: RollbackTarget, keys: Sequence[ConflictKey]
) -> list[Conflict] | None:
    """The conflicts a preview listed as `keys` (a slice of its `conflict_keys`, one page), planned again
    for their videos alone; None when those videos no longer hold exactly these conflicts with these
    values (the preview is stale: show it again). Nothing is written."""
    keys = [tuple(key) for key in keys]
    if not keys:
        return []
    scope = _scope(session, target)
    # A page's few videos: their entries by index, a plan of a few rows (no bulk settings needed).
    videos = sorted({key[0] for key in keys})
    _plan(
        session,
        dataclasses.replace(
            scope,
            condition=f"({scope.condition}) AND video_id = ANY(:page_videos)",
            params={**scope.params, "page_videos": videos},
        ),
        lock=False,
    )
    # The page is the conflicts from its first key to its last, compared as the preview ordered them.
    rows = session.execute(
        text(
            f"{_CONFLICT_SELECT} AND (r.video_id, r.field) >= (:first_video, :first_field) "
            "AND (r.video_id, r.field) <= (:last_video, :last_field) ORDER BY r.video_id, r.field"
        ),
        {
            "first_video": keys[0][0],
            "first_field": keys[0][1],
            "last_video": keys[-1][0],
            "last_field": keys[-1][1],
        },
    ).all()
    if [(row.video_id, row.field, row.key_hash) for row in rows] != keys:
        return None
    return [_conflict(row) for row in rows]


def apply(
    session: Session,
    target: RollbackTarget,
    *,
    user_id: int | None,
    on_conflict: str = SKIP,
    reason: str | None = None,
    expected_fingerprint: str | None = None,
) -> RollbackResult:
    """Roll `target` back as one change set of kind 'rollback'; conflicts are skipped or overwritten.

    With `expected_fingerprint` (the preview's), overwriting refuses when any field it would write changed
    since the preview (a conflict changed again, appeared or resolved), so nobody overwrites a value they
    were not shown. Skipping needs no check: it only replaces values that still hold what the reverted
    entries wrote. The caller commits.
    """
    if on_conflict not in (SKIP, OVERWRITE):
        raise ValueError(f"on_conflict must be '{SKIP}' or '{OVERWRITE}'")
    scope = _scope(session, target)
    with _bulk_settings(session):
        return _apply(session, scope, user_id, on_conflict == OVERWRITE, reason, expected_fingerprint)


def _apply(
    session: Session,
    scope: _Scope,
    user_id: int | None,
    overwrite: bool,
    reason: str | None,
    expected_fingerprint: str | None,
) -> RollbackResult:
    _plan(session, scope, lock=True)
    counts = _counts(session)
    if overwrite and expected_fingerprint is not None and counts.fingerprint != expected_fingerprint:
        raise RollbackError(
            f"The videos changed since the preview ({counts.conflicts:,} conflicting fields now); "
            "preview again before overwriting."
        )
    chosen = "NOT done AND (clean OR :overwrite)"
    chosen_counts = session.execute(
        text(
            f"SELECT count(*) AS fields, count(DISTINCT video_id) AS videos FROM rollback_rows WHERE {chosen}"
        ),
        {"overwrite": overwrite},
    ).one()
    skipped = 0 if overwrite else counts.conflicts
    if chosen_counts.videos == 0:
        return RollbackResult(None, 0, 0, skipped, 0)

    change_set = open_change_set(
        session,
        "rollback",
        label=scope.label,
        user_id=user_id,
        reason=(reason or "").strip() or None,
        reverts_change_set_id=scope.reverts_change_set_id,
    )
    # One time for the entries and `updated_at` (the newest entry's time, which "Last synced" sorts by);
    # the clock, not the transaction's start, so the entries follow any written earlier in it.
    stamp = utc_now()
    fields = session.execute(
        text(f"SELECT DISTINCT field FROM rollback_rows WHERE {chosen}"), {"overwrite": overwrite}
    ).scalars()
    assignments = ", ".join(_assignment_sql(f) for f in sorted(fields))
    # A restored field drops the time a sync wrote it (`field_as_of`): the value the sync fetched is gone,
    # so it no longer holds back a report dated before that fetch.
    session.execute(
        text(
            f"""
            UPDATE video v SET {assignments}, updated_at = GREATEST(v.updated_at, :stamp),
                   field_as_of = NULLIF(v.field_as_of - t.fields, '{{}}'::jsonb)
            FROM (SELECT video_id, jsonb_object_agg(field, restore) AS targets, array_agg(field) AS fields
                  FROM rollback_rows WHERE {chosen} GROUP BY video_id) t
            WHERE v.video_id = t.video_id
            """
        ),
        {"overwrite": overwrite, "stamp": stamp},
    )
    # After the UPDATE, so the entry names the video by the title (and channel) it leaves, as every other
    # writer of history does.
    session.execute(
        text(
            f"""
            INSERT INTO metadata_sync (video_id, channel_display_name, video_title, sync_time, changes,
                                       change_set_id)
            SELECT r.video_id, v.channel_display_name, v.title, :stamp,
                   jsonb_object_agg(r.field, jsonb_build_array(r.current, r.restore)), :cs
            FROM rollback_rows r JOIN video v ON v.video_id = r.video_id
            WHERE {chosen}
            GROUP BY r.video_id, v.channel_display_name, v.title
            """
        ),
        {"cs": change_set.id, "overwrite": overwrite, "stamp": stamp},
    )
    change_set.video_count = chosen_counts.videos
    change_set_id = change_set.id
    session.flush()
    session.expire_all()  # the videos changed under any ORM copies the caller holds
    return RollbackResult(
        change_set_id=change_set_id,
        videos=chosen_counts.videos,
        fields=chosen_counts.fields,
        skipped=skipped,
        overwritten=counts.conflicts if overwrite else 0,
    )
