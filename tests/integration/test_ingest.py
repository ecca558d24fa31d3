"""Report ingestion end to end on the hand-made corpus (tests/fixtures/reports): exact rows, history, counts."""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from catalog_ui.models import ChangeSet, Channel, MetadataSync, Report, ReportRejection, Video
from catalog_ui.services import ingest, report_load, reports, rollback
from catalog_ui.services.audit import apply_changes, open_change_set
from catalog_ui.services.ingest import IngestResult, ingest_report
from catalog_ui.services.report_load import ReportLoader
from tests.integration.test_video_sort import out_of_mirror

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
DAY_ONE = "cms_videos_2026-03-01.csv"
DAY_TWO = "cms_videos_2026-03-02.csv.gz"
NOVA = "UCnovaRecords000000000001"
LUMEN = "UClumenMusic0000000000002"
CREATED = {"__created__": [None, "report"]}
MARCH_1 = datetime(2026, 3, 1, tzinfo=UTC)
MARCH_2 = datetime(2026, 3, 2, tzinfo=UTC)

# Every column a report writes, as day one stores them; user-owned fields at their defaults.
NO_FLAGS = {
    name: None
    for name in (
        "third_party_ads_enabled",
        "display_ads_enabled",
        "sponsored_cards_enabled",
        "overlay_ads_enabled",
        "nonskippable_video_ads_enabled",
        "long_nonskippable_video_ads_enabled",
        "skippable_video_ads_enabled",
        "prerolls_enabled",
        "midrolls_enabled",
        "postrolls_enabled",
        "embedding_allowed",
        "ratings_allowed",
        "comments_allowed",
    )
}
USER_DEFAULTS = {"hidden": False, "administered": False, "administered_at": None, "notes": None}
ALPHA = {
    "video_id": "vidAlpha001",
    "asset_id": "A100000000001",
    "custom_id": "NOVA-001",
    "channel_id": NOVA,
    "title": "First Light",
    "artist": ["Maya Hale", "Leo Okafor"],
    "genre": ["Pop", "Dance"],
    "label": "Nova Records",
    "channel_display_name": "Nova Records",
    "category": "Music",
    "upc": "886443927087",
    "isrc": "USABC2400001",
    "claimed_status": "active",
    "claimed_by_another_owner": "No",
    "other_owners_claiming": None,
    "third_party_ads_enabled": "Yes",
    "display_ads_enabled": "Yes",
    "sponsored_cards_enabled": "Yes",
    "overlay_ads_enabled": "Yes",
    "nonskippable_video_ads_enabled": "Yes",
    "long_nonskippable_video_ads_enabled": "No",
    "skippable_video_ads_enabled": "No",
    "prerolls_enabled": "No",
    "midrolls_enabled": "No",
    "postrolls_enabled": "No",
    "embedding_allowed": "Yes",
    "ratings_allowed": "Yes",
    "comments_allowed": "No",
    "privacy_status": "public",
    "effective_policy": "Monetize in all countries",
    "video_length": 213,
    "views": 1234567,
    "is_short": False,
    "is_live_stream": False,
    "upload_source": "upload",
    "time_published": datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC),
    "values_as_of": MARCH_1,
    **USER_DEFAULTS,
}
BRAVO = {
    **ALPHA,
    **{name: "No" for name in NO_FLAGS},
    "video_id": "vidBravo002",
    "asset_id": "A100000000002",
    "custom_id": "NOVA-002",
    "title": 'Say "Hello", World',
    "artist": ["Ava Rowe", "Theo Quinn"],
    "genre": ["Rock"],
    "upc": "12345",
    "isrc": "XX123",
    "claimed_status": "disputed",
    "claimed_by_another_owner": "Yes",
    "other_owners_claiming": "Owner One|Owner Two",
    "privacy_status": "unlisted",
    "effective_policy": "Track in all countries",
    "video_length": 185,
    "views": 0,
    "time_published": datetime(2023, 11, 20, 8, 0, 0, tzinfo=UTC),
}
CHARLIE = {
    **ALPHA,
    **NO_FLAGS,
    "video_id": "vidCharl003",
    "asset_id": None,
    "custom_id": None,
    "channel_id": LUMEN,
    "title": "Behind the Scenes",
    "artist": None,
    "genre": None,
    "label": "Lumen",
    "channel_display_name": "Lumen Music",
    "category": "Entertainment",
    "upc": None,
    "isrc": None,
    "claimed_status": "active",
    "claimed_by_another_owner": "No",
    "effective_policy": "Block in some countries",
    "video_length": None,
    "views": 42,
    "is_short": False,
    "is_live_stream": True,
    "upload_source": "live",
    "time_published": datetime(2025, 1, 2, tzinfo=UTC),
}
DELTA = {
    **CHARLIE,
    "video_id": "vidDelta004",
    "title": "Short Cut",
    "artist": ["Kai Vik"],
    "genre": ["Lo-Fi"],
    "category": "Music",
    "claimed_status": None,
    "claimed_by_another_owner": None,
    "effective_policy": None,
    "privacy_status": "private",
    "video_length": 59,
    "views": 7,
    "is_short": True,
    "is_live_stream": False,
    "upload_source": "upload",
    "time_published": datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC),
}
ECHO = {
    **CHARLIE,
    "video_id": "vidEcho0005",
    "channel_display_name": "Lumen Music Group",
    "title": "New Arrival",
    "artist": ["Kai Vik", "Nadia Park"],
    "genre": ["Pop"],
    "category": "Music",
    "isrc": "GBXYZ2600042",
    "upc": "0886443927094",
    "claimed_status": "pending",
    "claimed_by_another_owner": "No",
    "effective_policy": "Monetize in all countries",
    "video_length": 240,
    "views": 3,
    "is_live_stream": False,
    "upload_source": "upload",
    "time_published": datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
    "values_as_of": MARCH_2,
}


def ingest_file(session: Session, path: Path | str) -> tuple[Report, IngestResult | None]:
    """Register a fixture (by name) or any path, ingest it, and return the fresh report row and the result."""
    report, _ = reports.register_path(session, FIXTURES / path if isinstance(path, str) else path)
    session.commit()
    result = ingest_report(report.id)
    session.expire_all()
    return session.get(Report, report.id), result


def counts(report: Report) -> dict[str, int]:
    return {
        "read": report.rows_read,
        "inserted": report.rows_inserted,
        "updated": report.rows_updated,
        "unchanged": report.rows_unchanged,
        "stale": report.rows_stale,
        "rejected": report.rows_rejected,
        "skipped": report.rows_skipped,
    }


def video_rows(session: Session) -> dict[str, dict[str, Any]]:
    """Every video as a dict of its columns (without the surrogate id, updated_at and the row hash)."""
    videos = session.execute(select(Video).order_by(Video.video_id)).scalars()
    return {
        v.video_id: v.model_dump(exclude={"id", "updated_at", "report_row_hash", "field_as_of"})
        for v in videos
    }


def history(session: Session, report_id: int | None = None) -> list[tuple[str, dict, str | None, str | None]]:
    """(video_id, changes, video_title, channel_display_name) of every entry, or of one report's, by video."""
    query = select(
        MetadataSync.video_id,
        MetadataSync.changes,
        MetadataSync.video_title,
        MetadataSync.channel_display_name,
    ).join(ChangeSet, ChangeSet.id == MetadataSync.change_set_id)
    if report_id is not None:
        query = query.where(ChangeSet.report_id == report_id)
    return [tuple(row) for row in session.execute(query.order_by(MetadataSync.video_id, MetadataSync.id))]


def table_counts(session: Session) -> dict[str, int]:
    tables = ("video", "metadata_sync", "change_set", "channel", "report_rejection")
    return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


# --- a modern report into an empty catalog ----------------------------------------------------------


def test_day_one_loads_every_column_exactly(session: Session) -> None:
    report, result = ingest_file(session, DAY_ONE)

    assert result is not None and result.status == "completed"
    assert report.status == "completed"
    assert report.error_message is None
    assert counts(report) == {
        "read": 4,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "rejected": 0,
        "skipped": 0,
    }
    assert report.columns_ignored == ["album"]
    assert report.field_counts == {"__created__": 4}
    assert report.bytes_read == report.size_bytes == (FIXTURES / DAY_ONE).stat().st_size
    assert report.report_date == MARCH_1
    assert report.started_at is not None and report.processed_at >= report.started_at
    assert video_rows(session) == {
        "vidAlpha001": ALPHA,
        "vidBravo002": BRAVO,
        "vidCharl003": CHARLIE,
        "vidDelta004": DELTA,
    }
    channels = session.execute(select(Channel.channel_id, Channel.name).order_by(Channel.channel_id))
    assert channels.all() == [(LUMEN, "Lumen Music"), (NOVA, "Nova Records")]


def test_day_one_writes_a_created_entry_per_video_under_one_change_set(session: Session) -> None:
    report, _ = ingest_file(session, DAY_ONE)

    change_set = session.execute(select(ChangeSet)).scalar_one()
    assert (change_set.kind, change_set.report_id, change_set.video_count) == ("report", report.id, 4)
    assert change_set.label == DAY_ONE  # a local file is named by its base name
    assert history(session) == [
        ("vidAlpha001", CREATED, "First Light", "Nova Records"),
        ("vidBravo002", CREATED, 'Say "Hello", World', "Nova Records"),
        ("vidCharl003", CREATED, "Behind the Scenes", "Lumen Music"),
        ("vidDelta004", CREATED, "Short Cut", "Lumen Music"),
    ]


# --- the next day: deltas, history, new and missing videos -----------------------------------------


def test_next_day_updates_changed_fields_with_their_history(session: Session) -> None:
    ingest_file(session, DAY_ONE)
    before = {v.video_id: v.updated_at for v in session.execute(select(Video)).scalars()}

    report, _ = ingest_file(session, DAY_TWO)

    assert counts(report) == {
        "read": 4,
        "inserted": 1,
        "updated": 2,
        "unchanged": 1,
        "stale": 0,
        "rejected": 0,
        "skipped": 0,
    }
    assert video_rows(session) == {
        "vidAlpha001": {
            **ALPHA,
            "title": "First Light (Remastered)",
            "views": 1300000,
            "values_as_of": MARCH_2,
        },
        "vidBravo002": BRAVO,
        "vidCharl003": {
            **CHARLIE,
            "privacy_status": "unlisted",
            "claimed_status": "inactive",
            "channel_display_name": "Lumen Music Group",
            "values_as_of": MARCH_2,
        },
        "vidDelta004": DELTA,  # missing from the report: kept as it was
        "vidEcho0005": ECHO,
    }
    # History names each video as the report leaves it (as task and user entries do).
    assert history(session, report.id) == [
        (
            "vidAlpha001",
            {"title": ["First Light", "First Light (Remastered)"], "views": [1234567, 1300000]},
            "First Light (Remastered)",
            "Nova Records",
        ),
        (
            "vidCharl003",
            {
                "channel_display_name": ["Lumen Music", "Lumen Music Group"],
                "claimed_status": ["active", "inactive"],
                "privacy_status": ["public", "unlisted"],
            },
            "Behind the Scenes",
            "Lumen Music Group",
        ),
        ("vidEcho0005", CREATED, "New Arrival", "Lumen Music Group"),
    ]
    change_set = session.execute(select(ChangeSet).where(ChangeSet.report_id == report.id)).scalar_one()
    assert change_set.video_count == 3
    assert report.field_counts == {
        "__created__": 1,
        "channel_display_name": 1,
        "claimed_status": 1,
        "privacy_status": 1,
        "title": 1,
        "views": 1,
    }
    after = {v.video_id: v.updated_at for v in session.execute(select(Video)).scalars()}
    assert after["vidBravo002"] == before["vidBravo002"]
    assert after["vidDelta004"] == before["vidDelta004"]
    assert after["vidAlpha001"] > before["vidAlpha001"]
    channels = session.execute(select(Channel.channel_id, Channel.name).order_by(Channel.channel_id))
    assert channels.all() == [(LUMEN, "Lumen Music Group"), (NOVA, "Nova Records")]


def test_the_same_data_again_changes_nothing_and_writes_no_history(session: Session, tmp_path: Path) -> None:
    ingest_file(session, DAY_ONE)
    ingest_file(session, DAY_TWO)
    rows_before, tables_before = video_rows(session), table_counts(session)
    stamps_before = session.execute(select(Video.video_id, Video.updated_at).order_by(Video.video_id)).all()
    again = tmp_path / "cms_videos_2026-03-02-again.csv.gz"
    shutil.copyfile(FIXTURES / DAY_TWO, again)

    report, result = ingest_file(session, again)

    assert result is not None and result.status == "completed"
    assert counts(report) == {
        "read": 4,
        "inserted": 0,
        "updated": 0,
        "unchanged": 4,
        "stale": 0,
        "rejected": 0,
        "skipped": 0,
    }
    assert video_rows(session) == rows_before
    assert table_counts(session) == tables_before
    assert report.field_counts == {}
    assert (
        session.execute(select(Video.video_id, Video.updated_at).order_by(Video.video_id)).all()
        == stamps_before
    )


def _copy(tmp_path: Path, name: str, target: str) -> Path:
    path = tmp_path / target
    shutil.copyfile(FIXTURES / name, path)
    return path


def _known_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records `rows_known` (rows set aside by their hash) of every ingestion from now on."""
    seen: list[int] = []
    original = ReportLoader.stage

    def stage(self: ReportLoader, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        seen.append(self.rows_known)

    monkeypatch.setattr(ReportLoader, "stage", stage)
    return seen


def test_rows_unchanged_since_last_time_are_set_aside_by_their_hash(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(session, DAY_ONE)
    hashed = session.execute(select(func.count()).where(Video.report_row_hash.is_not(None))).scalar_one()
    assert hashed == 4  # every row, the one the reader reads to tell an empty report included
    known = _known_rows(monkeypatch)

    report, _ = ingest_file(session, _copy(tmp_path, DAY_ONE, "cms_videos_2026-03-01-again.csv"))

    assert known == [hashed]
    assert (report.rows_read, report.rows_unchanged, report.rows_updated) == (4, 4, 0)


def test_a_video_without_a_values_date_takes_the_reports_values(session: Session) -> None:
    # Added outside reports and syncs (an import, an admin): its values have no date, so none is newer.
    session.add(Video(video_id="vidAlpha001", title="Old title", views=5))
    session.commit()

    report, _ = ingest_file(session, DAY_ONE)

    assert (report.rows_inserted, report.rows_updated, report.rows_stale) == (3, 1, 0)
    assert video_rows(session)["vidAlpha001"]["title"] == "First Light"


def test_the_same_values_in_other_words_take_the_new_rows_hash(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(session, DAY_ONE)
    before = video_rows(session)
    reworded = tmp_path / "cms_videos_2026-03-02-reworded.csv"
    # Alpha's views without thousands separators, Charlie's privacy capitalised: the same values.
    reworded.write_text(
        (FIXTURES / DAY_ONE)
        .read_text()
        .replace('"1,234,567"', "1234567")
        .replace(",42,24,public,", ",42,24,Public,")
    )
    known = _known_rows(monkeypatch)

    report, _ = ingest_file(session, reworded)
    shutil.copyfile(reworded, tmp_path / "cms_videos_2026-03-03-reworded.csv")
    again, _ = ingest_file(session, tmp_path / "cms_videos_2026-03-03-reworded.csv")

    assert (report.rows_updated, report.rows_unchanged) == (0, 4)
    assert (
        session.execute(select(func.count()).where(MetadataSync.change_set_id.is_not(None))).scalar_one() == 4
    )
    assert video_rows(session) == before  # nothing the catalog shows has changed
    assert known == [2, 4]  # the two reworded rows were read once; the next time all four are set aside
    assert (again.rows_updated, again.rows_unchanged) == (0, 4)


def test_a_video_changed_by_another_source_is_compared_again(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(session, DAY_ONE)
    before = dict(session.execute(select(Video.video_id, Video.report_row_hash)).all())
    assert before["vidBravo002"] is not None and before["vidCharl003"] is not None
    # A YouTube sync (or a rollback) renames a video: the trigger forgets its row hash.
    session.execute(text("UPDATE video SET title = 'Renamed by a sync' WHERE video_id = 'vidBravo002'"))
    session.execute(text("UPDATE video SET notes = 'a note' WHERE video_id = 'vidCharl003'"))  # user-owned
    session.commit()
    after = dict(session.execute(select(Video.video_id, Video.report_row_hash)).all())
    assert after["vidBravo002"] is None and after["vidCharl003"] == before["vidCharl003"]
    known = _known_rows(monkeypatch)

    report, _ = ingest_file(session, _copy(tmp_path, DAY_ONE, "cms_videos_2026-03-01-again.csv"))

    assert known == [sum(h is not None for h in after.values())]
    assert (report.rows_updated, report.rows_unchanged) == (1, 3)
    assert video_rows(session)["vidBravo002"]["title"] != "Renamed by a sync"
    rehashed = select(Video.report_row_hash).where(Video.video_id == "vidBravo002")
    assert session.execute(rehashed).scalar_one() == before["vidBravo002"]


def test_a_video_with_several_rows_is_never_set_aside(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(session, "duplicates.csv")
    known = _known_rows(monkeypatch)

    report, _ = ingest_file(session, _copy(tmp_path, "duplicates.csv", "duplicates-again.csv"))

    # Only the videos with one row in the file can be set aside; the others meet again in the collapse.
    single = session.execute(text("SELECT count(*) FROM video")).scalar_one()
    assert known[0] < report.rows_read
    assert report.rows_updated == 0 and report.rows_unchanged == single
    assert known[0] <= single


def test_a_completed_report_is_not_ingested_twice(session: Session) -> None:
    first, _ = ingest_file(session, DAY_ONE)
    tables_before = table_counts(session)

    again, result = ingest_file(session, DAY_ONE)

    assert again.id == first.id
    assert result is None
    assert table_counts(session) == tables_before


# --- older exports and dirty files ------------------------------------------------------------------


def test_an_older_export_maps_old_names_formats_bom_and_crlf(session: Session) -> None:
    report, _ = ingest_file(session, "legacy_export.csv")

    assert counts(report) == {
        "read": 3,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "rejected": 0,
        "skipped": 0,
    }
    assert report.columns_ignored == ["claimed_by_this_owner", "Shiny New Column", "album"]
    empty = {name: None for name in ALPHA} | USER_DEFAULTS
    as_of = report.created_at  # no date in the name: the report is as of its registration
    assert video_rows(session) == {
        "vidFoxtr006": {
            **empty,
            "video_id": "vidFoxtr006",
            "title": "Golden Hour",
            "channel_display_name": "oldchannel",
            "views": 12345,
            "time_published": datetime(2012, 1, 2, 3, 4, 5, tzinfo=UTC),
            "video_length": 245,
            "effective_policy": "Track in all countries",
            "category": "Music",
            "privacy_status": "public",
            "isrc": "GBARL9300135",
            "upc": "886443927087",
            "artist": ["Léa Moreau", "Søren Vik"],
            "genre": ["Jazz", "Folk"],
            "values_as_of": as_of,
        },
        "vidGolf0007": {
            **empty,
            "video_id": "vidGolf0007",
            "title": "Long Take",
            "channel_display_name": "oldchannel",
            "views": 1000,
            "time_published": datetime(2019, 12, 31, 23, 59, 59, tzinfo=UTC),
            "video_length": 3723,
            "category": "Music",
            "privacy_status": "unlisted",
            "values_as_of": as_of,
        },
        "vidHotel008": {
            **empty,
            "video_id": "vidHotel008",
            "title": "Fast",
            "channel_display_name": "oldchannel",
            "views": 5,
            "time_published": datetime(2020, 5, 5, 3, 5, 5, tzinfo=UTC),
            "video_length": 59,
            "effective_policy": "Monetize in all countries",
            "category": "People & Blogs",
            "privacy_status": "private",
            "isrc": "USS1Z9900001",
            "artist": ["Zoë"],
            "genre": ["Pop"],
            "values_as_of": as_of,
        },
    }
    assert session.execute(select(func.count()).select_from(Channel)).scalar_one() == 0


def test_dirty_rows_are_rejected_with_line_column_and_reason_and_the_rest_loads(session: Session) -> None:
    report, _ = ingest_file(session, "dirty_export.csv")

    assert counts(report) == {
        "read": 12,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "stale": 0,
        "rejected": 9,
        "skipped": 4,
    }
    assert reports.rejections(session, report.id) == [
        {
            "line": 4,
            "column": "video_id",
            "reason": "not a valid video id (11 characters of A-Z, a-z, 0-9, _ or -)",
            "raw": "bad-id,Bad Id,1,1,,,,,,",
        },
        {
            "line": 5,
            "column": None,
            "reason": "expected 10 columns, found 3",
            "raw": "vidBravo002,Too Few Columns,5",
        },
        {"line": 6, "column": "views", "reason": "not a whole number", "raw": "vidCharl003,Lots,lots,,,,,,,"},
        {"line": 7, "column": "views", "reason": "negative", "raw": "vidDelta004,Negative,-5,,,,,,,"},
        {
            "line": 8,
            "column": "video_title",
            "reason": "longer than 200 characters",
            "raw": "vidEcho0005," + "T" * 201 + ",1,,,,,,,",
        },
        {
            "line": 9,
            "column": "time_published",
            "reason": "not a valid date and time",
            "raw": "vidFoxtr006,Bad Time,1,1,2024-13-01T00:00:00Z,,,,,",
        },
        {
            "line": 10,
            "column": "privacy_status",
            "reason": "not one of public, private, unlisted",
            "raw": "vidGolf0007,Bad Privacy,1,1,,secret,,,,",
        },
        {
            "line": 11,
            "column": "video_length",
            "reason": "not a duration (seconds, m:ss or h:mm:ss)",
            "raw": "vidHotel008,Bad Length,1,1:75,,,,,,",
        },
        {
            "line": 16,
            "column": None,
            "reason": "a repeated header row that differs from the first header",
            "raw": "video_title,video_id,views,video_length,time_published,privacy_status,category,isrc,upc,artist",
        },
    ]
    rows = video_rows(session)
    assert sorted(rows) == ["vidAlpha001", "vidIndia009", "vidJulie010"]
    assert {k: rows["vidAlpha001"][k] for k in ("title", "views", "video_length", "category", "artist")} == {
        "title": "Clean Row",
        "views": 10,
        "video_length": 60,
        "category": "Music",
        "artist": ["A"],
    }
    assert rows["vidIndia009"]["title"] == "Multi\nline title"
    # An invalid ISRC or UPC is kept as reported (and shows in the data-quality view).
    assert {k: rows["vidJulie010"][k] for k in ("isrc", "upc", "artist")} == {
        "isrc": "xx-1",
        "upc": "999",
        "artist": ["A", "B"],
    }


def test_rows_with_undecodable_bytes_or_nul_are_rejected(session: Session) -> None:
    report, _ = ingest_file(session, "dirty_bytes.csv")

    assert (report.status, report.rows_read, report.rows_inserted, report.rows_rejected) == (
        "completed",
        3,
        1,
        2,
    )
    assert reports.rejections(session, report.id) == [
        {"line": 2, "column": "video_title", "reason": "not valid UTF-8", "raw": "vidAlpha001,caf\ufffd,1"},
        {
            "line": 3,
            "column": "video_title",
            "reason": "contains a NUL character",
            "raw": "vidBravo002,ok\ufffd,2",
        },
    ]
    assert session.execute(select(Video.video_id, Video.title, Video.views)).all() == [
        ("vidCharl003", "Fine", 5)
    ]


def _one_video_before(session: Session, tmp_path: Path) -> None:
    """A catalog that is not empty (vidZulu0026, from a report of the day before): the COPY path reads."""
    base = tmp_path / "cms_videos_2026-03-01.csv"
    base.write_text("video_id,views\nvidZulu0026,1\n")
    ingest_file(session, base)


@pytest.mark.parametrize("column", ["video_title", "effective_policy"])
@pytest.mark.parametrize("catalog_empty", [True, False], ids=["python-reader", "copy"])
def test_a_value_over_the_csv_limit_ends_the_report_on_both_paths(
    session: Session, tmp_path: Path, catalog_empty: bool, column: str
) -> None:
    # No report value is 128 KiB long, but all that follows a quote never closed is one value: Python's
    # csv refuses it, and PostgreSQL's COPY, which would take it, hands its row to the Python reader.
    if not catalog_empty:
        _one_video_before(session, tmp_path)
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text(
        f"video_id,{column},views\nvidAlpha001,Fine,1\nvidBravo002,{'x' * 140_000},2\nvidCharl003,Fine,3\n"
    )

    report, _ = ingest_file(session, path)

    assert report.status == "error"
    assert report.error_message == (
        "Line 3 has a value longer than 131,072 characters, or a quote that is never closed; the file is "
        "probably damaged."
    )
    assert session.execute(select(Video.video_id).where(Video.video_id != "vidZulu0026")).all() == []


@pytest.mark.parametrize("catalog_empty", [True, False], ids=["python-reader", "copy"])
def test_a_last_line_whose_quote_is_never_closed_is_rejected_on_both_paths(
    session: Session, tmp_path: Path, catalog_empty: bool
) -> None:
    # Python's csv ends a value whose quote is never closed with the file: `"12` was read as 12, and
    # abcdefghijk came into the catalog as a new video.
    if not catalog_empty:
        _one_video_before(session, tmp_path)
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text('video_id,views\nvidAlpha001,1\nvidBravo002,2\nabcdefghijk,"12')

    report, _ = ingest_file(session, path)

    assert (report.status, report.rows_read, report.rows_inserted, report.rows_rejected) == (
        "completed",
        3,
        2,
        1,
    )
    assert reports.rejections(session, report.id) == [
        {"line": 4, "column": "views", "reason": "a quoted value is never closed", "raw": 'abcdefghijk,"12'}
    ]
    assert session.execute(select(Video.video_id).order_by(Video.video_id)).scalars().all() == [
        "vidAlpha001",
        "vidBravo002",
        *([] if catalog_empty else ["vidZulu0026"]),
    ]


@pytest.mark.parametrize("catalog_empty", [True, False], ids=["python-reader", "copy"])
def test_rows_under_a_repeated_header_in_another_order_refuse_the_report(
    session: Session, tmp_path: Path, catalog_empty: bool
) -> None:
    # Read by the first header's positions, Bravo's label would become its title: nothing is written.
    if not catalog_empty:
        _one_video_before(session, tmp_path)
    before = session.execute(select(func.count()).select_from(MetadataSync)).scalar_one()
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text(
        "video_id,video_title,label\n"
        "vidAlpha001,Song One,Label One\n"
        "\n"
        "video_id,label,video_title\n"
        "vidBravo002,Label Two,Song Two\n"
    )

    report, _ = ingest_file(session, path)

    assert report.status == "error"
    assert report.error_message == (
        "Line 4 repeats the header with other columns or in another order, and data rows follow it (from "
        "line 5): they would be read into the wrong columns. Split the file at line 4 and ingest each part."
    )
    titled = session.execute(select(Video.video_id).where(Video.title.is_not(None))).all()
    assert titled == []
    assert session.execute(select(func.count()).select_from(MetadataSync)).scalar_one() == before


@pytest.mark.parametrize("catalog_empty", [True, False], ids=["python-reader", "copy"])
def test_the_first_header_repeated_after_a_foreign_one_reads_on(
    session: Session, tmp_path: Path, catalog_empty: bool
) -> None:
    if not catalog_empty:
        _one_video_before(session, tmp_path)
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text(
        "video_id,video_title,label\n"
        "vidAlpha001,Song One,Label One\n"
        "video_id,label,video_title\n"
        "video_id,video_title,label\n"
        "vidBravo002,Song Two,Label Two\n"
    )

    report, _ = ingest_file(session, path)

    assert (report.status, report.rows_inserted, report.rows_rejected) == ("completed", 2, 1)
    rows = session.execute(
        select(Video.video_id, Video.title, Video.label)
        .where(Video.title.is_not(None))
        .order_by(Video.video_id)
    ).all()
    assert rows == [("vidAlpha001", "Song One", "Label One"), ("vidBravo002", "Song Two", "Label Two")]


def _loading_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records, from now on, each straight load into `video` (its result) and each staging."""
    seen: list[str] = []
    copy_into_video, stage = ReportLoader.copy_into_video, ReportLoader.stage

    def spied_copy(self: ReportLoader, *args: Any, **kwargs: Any) -> int | None:
        copied = copy_into_video(self, *args, **kwargs)
        seen.append(f"straight: {copied}")
        return copied

    def spied_stage(self: ReportLoader, *args: Any, **kwargs: Any) -> None:
        seen.append("staged")
        stage(self, *args, **kwargs)

    monkeypatch.setattr(ReportLoader, "copy_into_video", spied_copy)
    monkeypatch.setattr(ReportLoader, "stage", spied_stage)
    return seen


def _index_rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records, from now on, each table whose indexes a bulk load dropped and then rebuilt."""
    rebuilt: list[str] = []
    deferred = ingest._deferred_indexes

    @contextmanager
    def spied(conn: Any, table: str) -> Iterator[None]:
        with deferred(conn, table):
            yield
        rebuilt.append(table)

    monkeypatch.setattr(ingest, "_deferred_indexes", spied)
    return rebuilt


def test_a_first_load_goes_straight_into_the_catalog_with_each_rows_date(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text(
        "date,video_id,video_title,views\n2026-02-01,vidAlpha001,Alpha,10\n,vidBravo002,Bravo,5\n"
    )
    paths = _loading_paths(monkeypatch)

    report, _ = ingest_file(session, path)

    assert paths == ["straight: 2"]
    assert (report.status, report.rows_read, report.rows_inserted, report.rows_unchanged) == (
        "completed",
        2,
        2,
        0,
    )
    rows = session.execute(
        select(
            Video.video_id, Video.title, Video.views, Video.values_as_of, Video.report_row_hash.is_not(None)
        ).order_by(Video.video_id)
    ).all()
    assert rows == [
        ("vidAlpha001", "Alpha", 10, datetime(2026, 2, 1, tzinfo=UTC), True),  # the row's own date
        ("vidBravo002", "Bravo", 5, MARCH_2, True),  # no date: the report's (its file name's)
    ]
    assert [entry[:2] for entry in history(session)] == [("vidAlpha001", CREATED), ("vidBravo002", CREATED)]
    assert out_of_mirror(session) == []


def test_several_rows_of_a_video_collapse_deterministically(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _loading_paths(monkeypatch)

    report, _ = ingest_file(session, "duplicates.csv")

    # A first load: every row goes into the catalog, then one per video is kept (`_collapse_in_place`).
    assert paths == ["straight: 8"]

    assert (report.rows_read, report.rows_inserted, report.rows_unchanged) == (8, 4, 0)
    rows = session.execute(
        select(Video.video_id, Video.title, Video.views, Video.label, Video.values_as_of).order_by(
            Video.video_id
        )
    ).all()
    assert rows == [
        ("vidAlpha001", "Alpha New", 20, None, MARCH_2),  # the latest date wins, though less complete
        ("vidBravo002", "Bravo Full", 6, "L2", MARCH_2),  # same date: the most complete row
        ("vidCharl003", "Charlie Last", 2, "L3", MARCH_2),  # same date and completeness: the last line
        ("vidDelta004", "Delta Dated", 8, None, datetime(2026, 2, 1, tzinfo=UTC)),  # a dated row beats none
    ]
    assert [entry[:2] for entry in history(session)] == [
        ("vidAlpha001", CREATED),
        ("vidBravo002", CREATED),
        ("vidCharl003", CREATED),
        ("vidDelta004", CREATED),
    ]


def test_a_repeated_video_read_by_python_still_meets_its_known_row_in_the_collapse(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every line COPYed raw is known (unchanged since the first report); only the last piece, whose quoted
    # line break PostgreSQL's COPY cannot count, goes through the Python reader. Its row repeats a known
    # video with fewer values: the collapse must still see the known, more complete row and keep it.
    monkeypatch.setattr(report_load, "CHUNK_BYTES", 4 << 10)
    monkeypatch.setattr(report_load, "READ_BYTES", 1 << 10)
    lines = ["video_id,video_title,views,label", "vidAlpha001,Good title,100,Good label"]
    lines += [f"vidF{n:07d},Filler title number {n},{n},Label {n}" for n in range(400)]
    first = tmp_path / "cms_videos_2026-03-01.csv"
    first.write_text("\n".join(lines) + "\n")
    second = tmp_path / "cms_videos_2026-03-02.csv"
    second.write_text("\n".join(lines) + '\nvidAlpha001,"Old\ntitle",,\n')
    ingest_file(session, first)
    paths = _loading_paths(monkeypatch)

    report, _ = ingest_file(session, second)

    assert paths == ["staged"]
    assert (report.status, report.rows_read, report.rows_updated) == ("completed", 402, 0)
    video = session.execute(select(Video).where(Video.video_id == "vidAlpha001")).scalar_one()
    assert (video.title, video.views, video.label) == ("Good title", 100, "Good label")
    assert history(session, report.id) == []


def test_a_first_load_without_dates_collapses_its_repeated_videos_in_place(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One row per asset, as CMS files have them: no date column, so the straight load keeps every row, then
    # one per video (the most complete, then the last), and the file is read once.
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_text(
        "video_id,channel_id,channel_display_name,video_title,views,label\n"
        "vidAlpha001,UCnova,Nova,Alpha Full,10,L1\n"
        "vidAlpha001,UCnova,Nova,Alpha Sparse,11,\n"
        "vidBravo002,UCnova,Nova,Bravo First,5,L2\n"
        "vidCharl003,UClumen,Lumen,Charlie,7,L3\n"
        "vidBravo002,UCnova,Nova,Bravo Last,6,L2\n"
        "vidAlpha001,UCnova,Nova Renamed,Alpha Late,12,\n"
    )
    paths = _loading_paths(monkeypatch)
    rebuilds = _index_rebuilds(monkeypatch)
    before = schema_of(session)

    report, _ = ingest_file(session, path)

    assert paths == ["straight: 6"]
    assert "video" in rebuilds  # loaded in bulk
    assert schema_of(session) == before  # the video_id key and the foreign keys on it are back
    assert (report.status, report.rows_read, report.rows_inserted, report.rows_unchanged) == (
        "completed",
        6,
        3,
        0,
    )
    rows = session.execute(
        select(Video.id, Video.video_id, Video.title, Video.views, Video.label).order_by(Video.video_id)
    ).all()
    assert [tuple(row[1:]) for row in rows] == [
        ("vidAlpha001", "Alpha Full", 10, "L1"),  # the most complete row
        ("vidBravo002", "Bravo Last", 6, "L2"),  # as complete as the first: the last line
        ("vidCharl003", "Charlie", 7, "L3"),
    ]
    assert [entry[:2] for entry in history(session)] == [
        ("vidAlpha001", CREATED),
        ("vidBravo002", CREATED),
        ("vidCharl003", CREATED),
    ]
    assert out_of_mirror(session) == []
    # A channel is named by the last of the rows kept, as after the staging table's collapse.
    names = session.execute(select(Channel.channel_id, Channel.name).order_by(Channel.channel_id)).all()
    assert names == [("UClumen", "Lumen"), ("UCnova", "Nova")]
    # And they hold again.
    again = "INSERT INTO video (video_id, hidden, administered) VALUES ('vidAlpha001', false, false)"
    with pytest.raises(Exception, match="idx_video_video_id"), session.begin_nested():
        session.execute(text(again))
    unknown = (
        "INSERT INTO processing_queue (video_id, task_type, status, priority) "
        "VALUES ('vidNone0000', 'metadata_sync', 'pending', 0)"
    )
    with pytest.raises(Exception, match="fk_processing_queue_video_id_video"), session.begin_nested():
        session.execute(text(unknown))


def test_a_first_load_read_again_for_its_repeated_video_keeps_its_reader(
    session: Session, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lines ending in a bare carriage return are read by the Python reader alone, the second time too.
    path = tmp_path / "cms_videos_2026-03-02.csv"
    path.write_bytes(b"video_id,video_title,views\rvidAlpha001,A,1\rvidBravo002,B,2\rvidAlpha001,A2,3\r")
    paths = _loading_paths(monkeypatch)

    with engine.connect() as reader:
        reader.begin()
        # A long read of the task queue: the first load keeps the `video_id` key (it would have to drop the
        # queue's foreign key on it), so the repeated video fails the COPY and the file is read again.
        reader.execute(text("SELECT count(*) FROM processing_queue"))
        report, _ = ingest_file(session, path)
        reader.rollback()

    assert paths == ["straight: None", "staged"]
    assert (report.status, report.rows_read, report.rows_inserted) == ("completed", 3, 2)
    rows = video_rows(session)
    assert [(rows[v]["title"], rows[v]["views"]) for v in ("vidAlpha001", "vidBravo002")] == [
        ("A2", 3),
        ("B", 2),
    ]


# --- which columns a report writes ------------------------------------------------------------------


def test_only_the_columns_of_the_file_are_compared_and_an_empty_cell_clears(session: Session) -> None:
    ingest_file(session, DAY_ONE)

    report, _ = ingest_file(session, "cms_videos_2026-03-04_views.csv")

    assert (report.rows_read, report.rows_updated, report.rows_unchanged) == (2, 1, 1)
    rows = video_rows(session)
    assert rows["vidAlpha001"] == {
        **ALPHA,
        "views": 2000000,
        "label": None,
        "values_as_of": datetime(2026, 3, 4, tzinfo=UTC),
    }
    assert rows["vidBravo002"] == BRAVO
    assert history(session, report.id) == [
        (
            "vidAlpha001",
            {"label": ["Nova Records", None], "views": [1234567, 2000000]},
            "First Light",
            "Nova Records",
        )
    ]


def test_user_owned_fields_are_never_written_by_a_report(session: Session) -> None:
    ingest_file(session, DAY_ONE)
    owned = {
        "hidden": True,
        "administered": True,
        "administered_at": datetime(2026, 2, 2, 9, 30, tzinfo=UTC),
        "notes": "Checked by legal",
    }
    session.execute(update(Video).where(Video.video_id == "vidAlpha001").values(**owned))
    session.commit()

    named_like_them, _ = ingest_file(session, "user_columns_2026-03-05.csv")
    ingest_file(session, DAY_TWO)  # older than the previous one: changes nothing that exists

    assert named_like_them.columns_ignored == ["hidden", "notes", "administered", "administered_at"]
    alpha = video_rows(session)["vidAlpha001"]
    assert {k: alpha[k] for k in owned} == owned
    assert alpha["views"] == 99
    assert history(session, named_like_them.id) == [
        ("vidAlpha001", {"views": [1234567, 99]}, "First Light", "Nova Records")
    ]


# --- the older-report rule --------------------------------------------------------------------------


def test_a_report_older_than_the_newest_applied_only_adds_new_videos(session: Session) -> None:
    ingest_file(session, DAY_ONE)

    report, _ = ingest_file(session, "cms_videos_2026-02-15.csv")

    assert counts(report) == {
        "read": 2,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "stale": 1,
        "rejected": 0,
        "skipped": 0,
    }
    rows = video_rows(session)
    assert rows["vidAlpha001"] == ALPHA
    assert (rows["vidZulu0026"]["title"], rows["vidZulu0026"]["views"]) == ("Late Discovery", 11)
    assert rows["vidZulu0026"]["values_as_of"] == datetime(2026, 2, 15, tzinfo=UTC)
    assert history(session, report.id) == [("vidZulu0026", CREATED, "Late Discovery", None)]


def test_a_newer_report_or_sync_is_not_overwritten_and_a_sync_holds_back_only_its_fields(
    session: Session, tmp_path: Path
) -> None:
    ingest_file(session, DAY_ONE)
    synced_at = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a YouTube API sync after day two's date
    # The sync wrote the title (through the task's history writer, as tasks do): day two, dated before
    # it, still brings the views, which the sync did not write.
    change_set = open_change_set(session, "task", label="metadata_sync")
    apply_changes(session, change_set, "vidAlpha001", {"title": "Synced Title"}, as_of=synced_at)
    # A newer report wrote vidCharl003: day two changes nothing of it.
    session.execute(
        update(Video)
        .where(Video.video_id == "vidCharl003")
        .values(values_as_of=datetime(2026, 3, 3, tzinfo=UTC))
    )
    session.commit()

    report, _ = ingest_file(session, DAY_TWO)

    assert (report.rows_inserted, report.rows_updated, report.rows_unchanged, report.rows_stale) == (
        1,
        1,
        1,
        1,
    )
    rows = video_rows(session)
    assert (rows["vidAlpha001"]["title"], rows["vidAlpha001"]["views"]) == ("Synced Title", 1300000)
    assert rows["vidCharl003"]["privacy_status"] == "public"
    assert [entry[:2] for entry in history(session, report.id)] == [
        ("vidAlpha001", {"views": [1234567, 1300000]}),
        ("vidEcho0005", CREATED),
    ]
    assert report.field_counts == {"views": 1, "__created__": 1}
    alpha = session.execute(select(Video).where(Video.video_id == "vidAlpha001")).scalar_one()
    # its values are no longer the line's: the next report with this line reads it again
    assert alpha.report_row_hash is None
    assert alpha.field_as_of == {"title": synced_at.isoformat()}

    # A later report writes the synced field again.
    later = tmp_path / "cms_videos_2026-03-05.csv.gz"
    shutil.copyfile(FIXTURES / DAY_TWO, later)
    report, _ = ingest_file(session, later)
    assert (report.rows_updated, report.rows_stale) == (2, 0)  # vidAlpha001's title, vidCharl003's values
    session.expire_all()
    assert session.execute(select(Video.title).where(Video.video_id == "vidAlpha001")).scalar_one() == (
        "First Light (Remastered)"
    )


def test_a_row_whose_every_change_a_newer_sync_wrote_is_stale(session: Session) -> None:
    ingest_file(session, DAY_ONE)
    synced_at = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    change_set = open_change_set(session, "task", label="metadata_sync")
    apply_changes(
        session, change_set, "vidAlpha001", {"title": "Synced Title", "views": 1310000}, as_of=synced_at
    )
    session.commit()

    report, _ = ingest_file(session, DAY_TWO)

    assert (report.rows_inserted, report.rows_updated, report.rows_unchanged, report.rows_stale) == (
        1,
        1,
        1,
        1,
    )
    rows = video_rows(session)
    assert (rows["vidAlpha001"]["title"], rows["vidAlpha001"]["views"]) == ("Synced Title", 1310000)
    assert "vidAlpha001" not in [entry[0] for entry in history(session, report.id)]


def test_rolling_back_a_sync_lets_the_next_report_write_its_fields_again(session: Session) -> None:
    ingest_file(session, DAY_ONE)
    synced_at = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # after day two's date
    sync = open_change_set(session, "task", label="metadata_sync")
    apply_changes(session, sync, "vidAlpha001", {"title": "Synced Title", "views": 1310000}, as_of=synced_at)
    session.commit()
    sync_id = sync.id

    rollback.apply(session, rollback.ChangeSetTarget(sync_id), user_id=None, reason="wrong title")
    session.commit()
    # The admin took the sync's values back: they no longer hold the next report back.
    alpha = session.execute(select(Video).where(Video.video_id == "vidAlpha001")).scalar_one()
    assert alpha.field_as_of is None

    report, _ = ingest_file(session, DAY_TWO)

    assert (report.rows_updated, report.rows_stale) == (2, 0)
    rows = video_rows(session)
    assert (rows["vidAlpha001"]["title"], rows["vidAlpha001"]["views"]) == (
        "First Light (Remastered)",
        1300000,
    )


def test_a_rollback_drops_only_the_sync_times_of_the_fields_it_restores(session: Session) -> None:
    ingest_file(session, DAY_ONE)
    synced_at = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    title_sync = open_change_set(session, "task", label="metadata_sync")
    apply_changes(session, title_sync, "vidAlpha001", {"title": "Synced Title"}, as_of=synced_at)
    views_sync = open_change_set(session, "task", label="metadata_sync")
    apply_changes(session, views_sync, "vidAlpha001", {"views": 1310000}, as_of=synced_at)
    session.commit()

    rollback.apply(session, rollback.ChangeSetTarget(title_sync.id), user_id=None)
    session.commit()

    alpha = session.execute(select(Video).where(Video.video_id == "vidAlpha001")).scalar_one()
    assert alpha.field_as_of == {"views": synced_at.isoformat()}
    report, _ = ingest_file(session, DAY_TWO)
    rows = video_rows(session)
    # day two writes the restored title; the views the remaining sync wrote are newer than day two
    assert (rows["vidAlpha001"]["title"], rows["vidAlpha001"]["views"]) == (
        "First Light (Remastered)",
        1310000,
    )
    assert report.rows_stale == 0


# --- structural faults ------------------------------------------------------------------------------

FAULTS = [
    ("empty.csv", "The file is empty: there is no header row."),
    ("blank_lines.csv", "The file is empty: there is no header row."),
    ("header_only.csv", "The report has a header but no data rows."),
    ("no_video_id.csv", "The report has no video_id column (its columns are: title, views)."),
    ("binary.csv", "The file is not a CSV text file (it contains binary data)."),
    (
        "corrupt.csv.gz",
        "The file looks gzip-compressed but cannot be decompressed "
        "(Error -3 while decompressing data: invalid block type).",
    ),
    (
        "truncated.csv.gz",
        "The gzip data is damaged or cut off near line 1973 "
        "(Compressed file ended before the end-of-stream marker was reached).",
    ),
    ("utf16.csv", "The file is UTF-16 encoded; export the report as UTF-8 CSV."),
    ("workbook.csv", "The file is a ZIP archive (an Excel workbook?), not a CSV report."),
    (
        "semicolons.csv",
        "The report's columns are separated by semicolons, not commas (a spreadsheet may save it so): export "
        "it again as a comma-separated CSV, as YouTube delivers it.",
    ),
]


@pytest.mark.parametrize(("name", "message"), FAULTS, ids=[name for name, _ in FAULTS])
def test_a_structural_fault_ends_in_error_and_writes_nothing(
    session: Session, name: str, message: str
) -> None:
    ingest_file(session, DAY_ONE)
    tables_before, rows_before = table_counts(session), video_rows(session)

    report, result = ingest_file(session, name)

    assert result is not None and (result.status, result.error_message) == ("error", message)
    assert (report.status, report.error_message) == ("error", message)
    assert report.processed_at is not None
    assert (report.rows_inserted, report.rows_updated, report.rows_unchanged) == (0, 0, 0)
    assert table_counts(session) == tables_before
    assert video_rows(session) == rows_before


def test_an_error_of_ours_ends_the_report_saying_so_in_plain_words(session: Session) -> None:
    class Breaking(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise RuntimeError("the disk went away")

    report, _ = reports.register_path(session, FIXTURES / DAY_ONE)
    session.commit()
    with pytest.raises(RuntimeError):  # logged and re-raised: the worker's log has it
        ingest_report(report.id, opener=lambda _report: io.BufferedReader(Breaking()))
    session.expire_all()
    failed = session.get(Report, report.id)
    assert (failed.status, failed.error_message) == (
        "error",
        "An error on the server stopped the ingestion (RuntimeError: the disk went away); nothing was "
        "written to the catalog. Retry it; if it fails again, the workers' log has the details.",
    )


def test_a_fault_part_way_rolls_back_the_rows_already_staged(session: Session) -> None:
    report, _ = ingest_file(session, "truncated.csv.gz")

    assert report.status == "error"
    assert report.rows_read == 1971  # every whole row before the damaged block
    assert 0 < report.bytes_read <= report.size_bytes
    assert table_counts(session) == {
        "video": 0,
        "metadata_sync": 0,
        "change_set": 0,
        "channel": 0,
        "report_rejection": 0,
    }


def work_tables(session: Session) -> list[str]:
    """Schemas and tables an ingestion works in (`report_load.work_tables`), wherever they are."""
    return list(
        session.execute(
            text(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ingest%' UNION ALL "
                "SELECT relname FROM pg_class WHERE relname LIKE 'ingest%' ORDER BY 1"
            )
        ).scalars()
    )


def test_an_ingestion_leaves_no_work_tables_behind(session: Session) -> None:
    """The staged path works in unlogged tables of a schema of its own: dropped when the report completes,
    rolled back with it when it fails part-way."""
    ingest_file(session, DAY_ONE)
    report, _ = ingest_file(session, DAY_TWO)  # compared with the catalog: the staged path
    failed, _ = ingest_file(session, "truncated.csv.gz")

    assert (report.status, report.rows_updated, failed.status) == ("completed", 2, "error")
    assert work_tables(session) == []


@pytest.fixture
def engine_without_create(database_url: str) -> Iterator[Engine]:
    """An engine whose role may read and write the catalog's tables but not create a schema (no CREATE on
    the database), as a database owned by another role would give the app."""
    role = f"catalog_no_create_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    limited = create_engine(make_url(database_url).set(username=role))
    try:
        yield limited
    finally:
        limited.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_a_role_that_may_not_create_a_schema_ingests_through_temporary_tables(
    session: Session, engine_without_create: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    ingest_file(session, DAY_ONE)
    report, _ = reports.register_path(session, FIXTURES / DAY_TWO)
    session.commit()

    with caplog.at_level("WARNING", logger="catalog_ui.services.report_load"):
        result = ingest_report(report.id, engine=engine_without_create)

    assert "work tables are temporary" in caplog.text

    assert result is not None and result.status == "completed", result
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (1, 2, 1)
    assert video_rows(session)["vidAlpha001"]["title"] == "First Light (Remastered)"
    assert work_tables(session) == []


def test_a_report_whose_file_is_gone_ends_in_error(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "cms_videos_2026-03-09.csv"
    shutil.copyfile(FIXTURES / DAY_ONE, path)
    report, _ = reports.register_path(session, path)
    session.commit()
    path.unlink()

    result = ingest_report(report.id)

    session.expire_all()
    stored = session.get(Report, report.id)
    assert result is not None and result.status == "error"
    assert (
        stored.error_message
        == f"The report file cannot be opened: {path} is no longer on this server: it was deleted or moved. "
        "Put it back, or upload it again, then retry the report."
    )


def test_a_report_in_error_can_be_retried_once_fixed(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "cms_videos_2026-03-01.csv"
    path.write_bytes((FIXTURES / "header_only.csv").read_bytes())
    failed, _ = ingest_file(session, path)
    assert failed.status == "error"

    shutil.copyfile(FIXTURES / DAY_ONE, path)
    reports.retry_report(session, failed.id)
    session.commit()
    result = ingest_report(failed.id)

    session.expire_all()
    retried = session.get(Report, failed.id)
    assert result is not None and retried.status == "completed"
    assert (retried.error_message, retried.rows_read, retried.rows_inserted) == (None, 4, 4)
    assert session.execute(select(func.count()).select_from(ReportRejection)).scalar_one() == 0


# --- bulk loads -------------------------------------------------------------------------------------


BULK_TABLES = "'video'::regclass, 'metadata_sync'::regclass, 'video_search'::regclass, 'video_sort'::regclass"


def schema_of(session: Session) -> list[tuple[str, str]]:
    """Every index, constraint and trigger (with its enabled state) of the tables a bulk load rebuilds, and
    the other tables' foreign keys on them."""
    rows = session.execute(
        text(
            f"""
            SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid IN ({BULK_TABLES})
            UNION ALL
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid IN ({BULK_TABLES}) OR confrelid IN ({BULK_TABLES})
            UNION ALL
            SELECT tgname, tgenabled::text || pg_get_triggerdef(oid) FROM pg_trigger
            WHERE tgrelid IN ({BULK_TABLES}) AND NOT tgisinternal
            ORDER BY 1, 2
            """
        )
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("existing", [0, 1], ids=["empty catalog", "small catalog"])
def test_a_bulk_load_rebuilds_every_index_and_constraint(
    session: Session, monkeypatch: pytest.MonkeyPatch, existing: int
) -> None:
    from catalog_ui.services import ingest

    if existing:
        ingest_file(session, "cms_videos_2026-02-15.csv")  # 2 videos, then 4 more than they in bulk
    before = schema_of(session)
    monkeypatch.setattr(ingest, "BULK_MIN_ROWS", 3)

    report, _ = ingest_file(session, DAY_ONE)

    assert (report.rows_inserted, report.rows_updated + report.rows_stale) == (4 - existing, existing)
    assert schema_of(session) == before
    rows = video_rows(session)
    assert {k: rows[k] for k in ("vidBravo002", "vidCharl003", "vidDelta004")} == {
        "vidBravo002": BRAVO,
        "vidCharl003": CHARLIE,
        "vidDelta004": DELTA,
    }
    assert [entry[:2] for entry in history(session, report.id)][-3:] == [
        ("vidBravo002", CREATED),
        ("vidCharl003", CREATED),
        ("vidDelta004", CREATED),
    ]
    search = session.execute(text("SELECT count(*) FROM video_search")).scalar_one()
    assert search == len(rows)
    # The derived rows the bulk load wrote itself are the ones the triggers would have written.
    documents = session.execute(
        text(
            "SELECT count(*) FROM video v JOIN video_search s ON s.video_pk = v.id "
            "WHERE s.document = video_search_document(v.title, v.label, v.artist, v.channel_display_name)"
        )
    ).scalar_one()
    assert documents == len(rows)
    assert out_of_mirror(session) == []
