"""CSV export of a grid view: every matching video (not just the page), the chosen columns, CMS header names.

Rows stream from a server-side cursor into the file, so memory stays flat for a million videos. Values are
written as CMS reports write them (times ISO-8601 UTC with `Z`, lists `|`-separated, flags Yes/No, plain
integers), UTF-8 with a BOM so spreadsheets detect the encoding. A cell starting with `=`, `+`, `-`, `@`,
tab or carriage return is prefixed with `'`, so a spreadsheet shows it as text instead of running it as a
formula (CSV injection); but not a sign followed only by letters, digits, `.`, `_` and `-` (about one
YouTube id in 64 starts with `-`, and a negative number is a number), which can run nothing. So is such a
start after a `;` or a tab inside a value (`Live;=HYPERLINK(…)`): a spreadsheet that splits on those
(Excel in a locale whose decimal mark is a comma) starts a cell there.
"""

from __future__ import annotations

import csv
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services.bulk import BulkTarget
from catalog_ui.services.export_files import ADMIN_VIEW_MARKER
from catalog_ui.services.grid_columns import COLUMNS, LAST_SYNCED
from catalog_ui.services.grid_view import GridView
from catalog_ui.services.video_search import exact_count, newest_entry, sort_key

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sign followed only by letters, digits, '.', '_' and '-' (a YouTube id like -Bhkfp2_nrc, a negative
# number) can neither call a function nor reach another program: such a value is exported as it is.
PLAIN_SIGNED = re.compile(r"[-+][\w.-]*")
# A spreadsheet set to split on `;` (Excel where the decimal mark is a comma: German, French…) or on tabs
# starts a cell after each of them: a value there that starts a formula is neutralised too.
AFTER_SEPARATOR = re.compile(r"(?<=[;\t])[=+\-@][^;\t]*")
STREAM_ROWS = 2_000
EXPORT_MAX_AGE_S = 3_600

V = Video.__table__.c


@dataclass(frozen=True)
class ExportFile:
    """A finished export: where it is (relative to the export root) and how many rows it holds."""

    relative_path: str
    filename: str
    rows: int


def csv_cell(value: Any) -> str:
    """One value as a CSV cell, neutralised against formula injection."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, datetime):
        text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif isinstance(value, (list, tuple)):
        text = "|".join(str(item) for item in value)
    else:
        text = str(value)
    text = AFTER_SEPARATOR.sub(_neutralised_piece, text)
    if text.startswith(FORMULA_STARTS) and not PLAIN_SIGNED.fullmatch(text):
        return "'" + text
    return text


def _neutralised_piece(match: re.Match[str]) -> str:
    piece = match[0]
    return piece if PLAIN_SIGNED.fullmatch(piece) else "'" + piece


def export_query(view: GridView, target: BulkTarget) -> Any:
    """SELECT of the export's columns for the target videos, in the view's order."""
    fields = [key for key in view.columns if key != LAST_SYNCED]
    columns: list[Any] = [V[key] for key in fields]
    if LAST_SYNCED in view.columns:
        latest = select(newest_entry(V.video_id).subquery().c.sync_time).scalar_subquery()
        columns.insert(list(view.columns).index(LAST_SYNCED), latest.label(LAST_SYNCED))
    key = sort_key(view.sort)
    order = [key.desc(), V.video_id.desc()] if view.descending else [key.asc(), V.video_id.asc()]
    return select(*columns).where(*target.clauses()).order_by(*order)


def export_rows(session: Session, view: GridView, target: BulkTarget) -> Iterator[list[str]]:
    """The header (CMS names) and then every target video as CSV cells, streamed."""
    yield [COLUMNS[key].header for key in view.columns]
    query = export_query(view, target).execution_options(stream_results=True, yield_per=STREAM_ROWS)
    for row in session.execute(query):
        yield [csv_cell(value) for value in row]


def count_rows(session: Session, target: BulkTarget) -> int:
    """How many videos an export will hold (for its progress bar)."""
    return exact_count(session, target.clauses())


def export_filename(now: datetime | None = None) -> str:
    """`videos-2026-11-28T1402Z.csv`."""
    return f"videos-{(now or datetime.now(UTC)).strftime('%Y-%m-%dT%H%MZ')}.csv"


def write_export(
    session: Session,
    view: GridView,
    target: BulkTarget,
    root: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    admin_view: bool = False,
) -> ExportFile:
    """Write the export under `root/<random folder>/` and return where; the folder name is unguessable.

    `admin_view`: the export is of an admin's view (hidden videos included), to be downloaded only by an
    admin (`export_files.export_file`)."""
    total = count_rows(session, target)
    folder = secrets.token_urlsafe(24)
    filename = export_filename()
    path = root / folder / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    if admin_view:
        (path.parent / ADMIN_VIEW_MARKER).touch()
    written = -1
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for written, cells in enumerate(export_rows(session, view, target)):
            writer.writerow(cells)
            if progress and written % STREAM_ROWS == 0:
                progress(max(0, written), total)
    rows = max(0, written)
    if progress:
        progress(rows, max(total, rows))
    return ExportFile(relative_path=f"{folder}/{filename}", filename=filename, rows=rows)


def remove_old_exports(root: Path, max_age_s: float = EXPORT_MAX_AGE_S) -> int:
    """Delete export folders older than `max_age_s`; returns how many."""
    if not root.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - max_age_s
    for folder in root.iterdir():
        if (
            folder.is_dir()
            and re.fullmatch(r"[A-Za-z0-9_-]{32}", folder.name)
            and folder.stat().st_mtime < cutoff
        ):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def remove_every_users_old_exports(root: Path, max_age_s: float = EXPORT_MAX_AGE_S) -> int:
    """`remove_old_exports` in each user's folder under `root` (the worker's housekeeping: a user who never
    exports again would otherwise keep their old files); returns how many folders went."""
    if not root.is_dir():
        return 0
    return sum(
        remove_old_exports(folder, max_age_s)
        for folder in root.iterdir()
        if folder.is_dir() and folder.name.isdigit()
    )
