"""Where finished exports live, who may fetch them, and their URL.

Exports are written under `DATA_DIR/exports/<user id>/<random folder>/<file>` — never under the upload
folder, which Reflex serves to anyone who knows a file's URL — and handed out by `catalog_ui.api`, which
checks the session cookie and that the file is the signed-in user's own. An export made with an admin's
view (hidden videos included) carries ADMIN_VIEW_MARKER in its folder and is handed out to its owner only
while they are still an admin.
"""

from __future__ import annotations

import re
from pathlib import Path

from catalog_ui.settings import get_settings

ROUTE_PREFIX = "/api/exports"
_FOLDER = re.compile(r"[A-Za-z0-9_-]{32}")
_FILENAME = re.compile(r"[A-Za-z0-9_.-]{1,100}\.csv")
ADMIN_VIEW_MARKER = ".admin-view"


def exports_root() -> Path:
    """The folder all exports go under."""
    return get_settings().data_dir / "exports"


def user_exports(user_id: int) -> Path:
    """The folder of one user's exports."""
    return exports_root() / str(user_id)


def export_url(user_id: int, relative_path: str) -> str:
    """The path a browser downloads the export at `relative_path` (under `user_exports`) from.

    A path, not a URL: the app serves its pages and its backend on one port (rxconfig.py), and
    `rx.download` takes paths only."""
    return f"{ROUTE_PREFIX}/{user_id}/{relative_path}"


def export_file(
    viewer_id: int, owner_id: int, folder: str, filename: str, *, viewer_is_admin: bool
) -> Path | None:
    """The export file `owner_id/folder/filename` if `viewer_id` may download it and it exists, else None.

    Only its owner may, and an export of an admin's view only while the owner is an admin."""
    if viewer_id != owner_id or not _FOLDER.fullmatch(folder) or not _FILENAME.fullmatch(filename):
        return None
    path = user_exports(owner_id) / folder / filename
    if not viewer_is_admin and (path.parent / ADMIN_VIEW_MARKER).exists():
        return None
    return path if path.is_file() else None
