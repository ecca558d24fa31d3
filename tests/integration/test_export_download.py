"""Finished exports are downloaded through an authenticated route: the owner's session, nobody else's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from catalog_ui.api import api_routes
from catalog_ui.services.auth import SESSION_COOKIE, open_session
from catalog_ui.services.bulk import BulkTarget
from catalog_ui.services.export import write_export
from catalog_ui.services.export_files import export_url, user_exports
from catalog_ui.services.grid_view import GridView
from catalog_ui.services.users import create_user, set_admin
from catalog_ui.settings import get_settings

FOLDER = "A" * 32


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _signed_in(session, email: str, *, admin: bool = False) -> tuple[int, str]:
    user = create_user(session, email, "correct-horse-42", admin=admin)
    token, _ = open_session(session, user, None, None, "flask-security")
    session.commit()
    return user.id, token


def test_only_the_owner_downloads_an_export(session, data_dir: Path) -> None:
    owner, owner_token = _signed_in(session, "ana@example.com")
    _, other_token = _signed_in(session, "bo@example.com")
    path = user_exports(owner) / FOLDER / "videos-export.csv"
    path.parent.mkdir(parents=True)
    path.write_text("video_id\nvidAlpha001\n", encoding="utf-8")
    assert path.is_relative_to(data_dir) and "_upload" not in str(path)
    url = f"/api/exports/{owner}/{FOLDER}/videos-export.csv"
    assert export_url(owner, f"{FOLDER}/videos-export.csv") == url
    client = TestClient(api_routes())

    assert client.get(url).status_code == 401
    client.cookies.set(SESSION_COOKIE, other_token)
    assert client.get(url).status_code == 404
    client.cookies.set(SESSION_COOKIE, owner_token)
    response = client.get(url)
    assert response.status_code == 200
    assert response.text == "video_id\nvidAlpha001\n"
    assert "attachment" in response.headers["content-disposition"]
    for wrong in (f"/api/exports/{owner}/{FOLDER}/missing.csv", f"/api/exports/{owner}/short/videos-export.csv",
                  f"/api/exports/{owner}/{FOLDER}/..%2F..%2Fsecret.csv"):  # fmt: skip
        assert client.get(wrong).status_code == 404


def test_an_export_of_an_admins_view_is_refused_once_its_owner_is_no_longer_an_admin(
    session, data_dir: Path
) -> None:
    # Hidden videos are for admins only: a demoted admin keeps their plain exports, not the admin ones.
    admin, token = _signed_in(session, "boss@example.com", admin=True)
    _signed_in(session, "chief@example.com", admin=True)  # the last admin cannot be demoted
    urls = {}
    for admin_view in (True, False):
        exported = write_export(
            session, GridView(columns=("video_id",)), BulkTarget(video_ids=("vidAlpha001",)), user_exports(admin),
            admin_view=admin_view,
        )  # fmt: skip
        urls[admin_view] = export_url(admin, exported.relative_path)
    client = TestClient(api_routes())
    client.cookies.set(SESSION_COOKIE, token)
    assert [client.get(urls[v]).status_code for v in (True, False)] == [200, 200]

    set_admin(session, admin, False)
    session.commit()

    assert [client.get(urls[v]).status_code for v in (True, False)] == [404, 200]


def test_the_worker_deletes_every_users_old_exports(session, data_dir: Path) -> None:
    from workers.main import Scheduler

    old, fresh, other_old = (
        user_exports(1) / ("a" * 32),
        user_exports(1) / ("b" * 32),
        user_exports(2) / ("c" * 32),
    )
    for folder in (old, fresh, other_old):
        folder.mkdir(parents=True)
        (folder / "videos.csv").write_text("video_id\n")
    hour_ago = time.time() - 3700
    for folder in (old, other_old):
        os.utime(folder, (hour_ago, hour_ago))

    Scheduler(wake=lambda _task_type, _force: None).run_once()  # a user who never exports again included

    assert [p.exists() for p in (old, fresh, other_old)] == [False, True, False]


def test_an_export_is_never_kept_by_a_cache(session, data_dir: Path) -> None:
    # The answer depends on the session cookie, which shared caches do not key on (only Authorization makes
    # them refrain), and it carried Last-Modified and an ETag, from which any cache may keep it for a while:
    # a proxy could hand it out again, a browser keep it past a demotion (see the admin-view test above).
    owner, token = _signed_in(session, "ana@example.com")
    path = user_exports(owner) / FOLDER / "videos-export.csv"
    path.parent.mkdir(parents=True)
    path.write_text("video_id\nvidAlpha001\n", encoding="utf-8")
    client = TestClient(api_routes())
    client.cookies.set(SESSION_COOKIE, token)
    response = client.get(f"/api/exports/{owner}/{FOLDER}/videos-export.csv")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
