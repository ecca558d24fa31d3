"""CSV export on real PostgreSQL: the whole filtered result in the view's order, chosen columns under CMS
header names, values as reports write them, and cells that could run as spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from catalog_ui.models import MetadataSync, Video
from catalog_ui.services import export
from catalog_ui.services.archive import archive_history
from catalog_ui.services.bulk import BulkTarget
from catalog_ui.services.export import csv_cell, remove_old_exports, write_export
from catalog_ui.services.grid_view import GridView, parse_view
from catalog_ui.services.video_search import latest_syncs

T0 = datetime(2025, 3, 5, 14, 2, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("-Bhkfp2_nrc", "-Bhkfp2_nrc"),  # a YouTube id: exported as it is
        (-42, "-42"),
        ("+33.5", "+33.5"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("-SUM(A1:A2)", "'-SUM(A1:A2)"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain = fine", "Plain = fine"),
        # Where a spreadsheet splits on `;` or tabs, a cell starts after each.
        ("Live;=HYPERLINK(CHAR(104));", "Live;'=HYPERLINK(CHAR(104));"),
        ("a\t@SUM(1);b;+1+2", "a\t'@SUM(1);b;'+1+2"),
        ("=1;=2", "'=1;'=2"),
        ("Rock;-live;+33.5", "Rock;-live;+33.5"),
        (None, ""),
        (True, "Yes"),
        (False, "No"),
        (1234567, "1234567"),
        (["A", "B|C"], "A|B|C"),
        (T0, "2025-03-05T14:02:11Z"),
        (datetime(2025, 3, 5, 15, 2, 11, tzinfo=UTC).astimezone(), "2025-03-05T15:02:11Z"),
    ],
)
def test_cells(value, cell: str) -> None:
    assert csv_cell(value) == cell


@pytest.fixture
def catalog(session: Session) -> Session:
    session.add(
        Video(
            video_id="export00001",
            title="=cmd|'/c calc'!A1",
            views=10,
            artist=["Maya", "Kai"],
            privacy_status="public",
            time_published=T0,
            is_short=True,
        )
    )
    session.add(
        Video(
            video_id="-export0002",
            title='Zoë\'s Song, "live"',
            views=300,
            privacy_status="public",
            time_published=T0 - timedelta(days=1),
        )
    )
    session.add(Video(video_id="export00003", title="Private one", views=50, privacy_status="private"))
    session.add(
        Video(video_id="export00004", title="Hidden one", views=999, hidden=True, privacy_status="public")
    )
    session.flush()
    session.add(
        MetadataSync(video_id="export00001", changes={"views": [1, 10]}, sync_time=T0 + timedelta(hours=1))
    )
    session.commit()
    return session


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so spreadsheets read the accents right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_of_a_view_holds_every_match_in_its_order(catalog: Session, tmp_path: Path) -> None:
    view, _ = parse_view(
        "privacy=public&sort=views&dir=desc&cols=title,views,artist,is_short,time_published,last_synced"
    )
    calls: list[tuple[int, int]] = []
    exported = write_export(
        catalog,
        view,
        BulkTarget(filter=view.filter.for_viewer(False)),
        tmp_path,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert exported.rows == 2
    assert exported.filename.startswith("videos-") and exported.filename.endswith("Z.csv")
    folder, name = exported.relative_path.split("/")
    assert len(folder) == 32 and name == exported.filename
    assert _read(tmp_path / exported.relative_path) == [
        ["video_id", "video_title", "artist", "views", "is_short", "time_published", "last_synced"],
        ["-export0002", 'Zoë\'s Song, "live"', "", "300", "", "2025-03-04T14:02:11Z", ""],
        [
            "export00001",
            "'=cmd|'/c calc'!A1",
            "Maya|Kai",
            "10",
            "Yes",
            "2025-03-05T14:02:11Z",
            "2025-03-05T15:02:11Z",
        ],
    ]
    assert calls[-1] == (2, 2)


def test_export_of_a_selection(catalog: Session, tmp_path: Path) -> None:
    view = GridView(columns=("video_id", "privacy_status"))
    exported = write_export(catalog, view, BulkTarget(video_ids=("export00003", "export00001")), tmp_path)
    assert _read(tmp_path / exported.relative_path) == [
        ["video_id", "privacy_status"],
        ["export00001", "public"],
        ["export00003", "private"],
    ]


def test_a_selection_never_exports_hidden_videos_to_people_who_cannot_see_them(
    catalog: Session, tmp_path: Path
) -> None:
    view = GridView(columns=("video_id",))
    chosen = ("export00004", "export00003")  # the first is hidden
    exported = write_export(catalog, view, BulkTarget(video_ids=chosen, visible_only=True), tmp_path)
    assert _read(tmp_path / exported.relative_path) == [["video_id"], ["export00003"]]
    exported = write_export(catalog, view, BulkTarget(video_ids=chosen), tmp_path)
    assert len(_read(tmp_path / exported.relative_path)) == 3


def test_last_synced_reads_archived_history_as_the_grid_does(catalog: Session, tmp_path: Path) -> None:
    # export00001's only entry is archived; export00003 has a newer live entry and an older archived one.
    catalog.add(MetadataSync(video_id="export00003", changes={"views": [5, 50]}, sync_time=T0))
    catalog.commit()
    assert archive_history(catalog.get_bind(), T0 + timedelta(minutes=90)) == 2
    catalog.add(
        MetadataSync(video_id="export00003", changes={"title": ["a", "b"]}, sync_time=T0 + timedelta(hours=2))
    )
    catalog.commit()
    view = GridView(columns=("video_id", "last_synced"))
    exported = write_export(catalog, view, BulkTarget(video_ids=("export00001", "export00003")), tmp_path)
    rows = _read(tmp_path / exported.relative_path)
    grid = latest_syncs(catalog, ["export00001", "export00003"])
    assert rows == [
        ["video_id", "last_synced"],
        ["export00001", "2025-03-05T15:02:11Z"],
        ["export00003", "2025-03-05T16:02:11Z"],
    ]
    assert [csv_cell(grid[video_id]["last_synced"]) for video_id, _ in rows[1:]] == [
        row[1] for row in rows[1:]
    ]


def test_large_exports_stream_with_progress(session: Session, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(export, "STREAM_ROWS", 10)
    for n in range(35):
        session.add(Video(video_id=f"stream{n:05d}", views=n))
    session.commit()
    calls: list[tuple[int, int]] = []
    view = GridView(sort="views", descending=False, columns=("video_id", "views"))
    exported = write_export(
        session, view, BulkTarget(filter=view.filter), tmp_path, progress=lambda d, t: calls.append((d, t))
    )
    rows = _read(tmp_path / exported.relative_path)
    assert len(rows) == 36
    assert rows[1] == ["stream00000", "0"] and rows[-1] == ["stream00034", "34"]
    assert calls == [(0, 35), (10, 35), (20, 35), (30, 35), (35, 35)]


def test_old_exports_are_removed(tmp_path: Path) -> None:
    old, fresh, other = tmp_path / ("a" * 32), tmp_path / ("b" * 32), tmp_path / "keep-me"
    for folder in (old, fresh, other):
        folder.mkdir()
    hour_ago = time.time() - 3700
    os.utime(old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    assert remove_old_exports(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name])
    assert remove_old_exports(tmp_path / "missing") == 0
