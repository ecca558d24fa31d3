"""Which ids of a pasted list found nothing (services/pasted_ids.py), on real PostgreSQL: every id form the
search understands, links, hidden videos, duplicates, words that are no list, and one query per id column
for a 200-id paste, probing the columns' indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlmodel import Session

from catalog_ui.models import Video
from catalog_ui.services.auth import open_session
from catalog_ui.services.pasted_ids import PastedIds, found_values, pasted_ids
from catalog_ui.services.users import create_user
from catalog_ui.services.video_search import MAX_IDS
from catalog_ui.state.videos import VideosState
from tests.states import state_for


@pytest.fixture
def catalog(session: Session) -> Session:
    session.add(Video(video_id="pasteVID001", custom_id="NOVA-2024-001"))
    session.add(Video(video_id="pasteVID002", isrc="USRC12345678"))
    session.add(Video(video_id="pasteVID003", upc="012345678905"))
    session.add(Video(video_id="pasteVID004", asset_id="A123456789012"))
    session.add(Video(video_id="pasteVID005", custom_id="HIDDEN-001", isrc="GBHID2400001", hidden=True))
    session.add(Video(video_id="pasteVID006", custom_id="Best of 2024, vol 1"))
    session.commit()
    return session


def test_every_id_form_is_found_and_the_unknown_ones_are_listed(catalog: Session) -> None:
    q = (
        "nova-2024-001\n"  # custom id, another case
        "us-rc1-23-45678\n"  # ISRC with hyphens, lower case
        "12345678905\n"  # UPC that lost its leading zero in a spreadsheet
        "a123456789012\n"  # asset id in lower case
        "pasteVID004\n"  # video id
        "https://youtu.be/pasteVID001?si=x\n"  # link
        "USXX99999999\n"  # unknown ISRC
        "https://www.youtube.com/watch?v=unknownVID1\n"  # link to an unknown video
        "NOVA-2024-999\n"  # unknown custom id
    )
    report = pasted_ids(catalog, q, can_see_hidden=False)
    assert report == PastedIds(
        looked_for=9,
        missing=("USXX99999999", "https://www.youtube.com/watch?v=unknownVID1", "NOVA-2024-999"),
    )
    assert report.found == 6


def test_separators_of_a_spreadsheet_paste(catalog: Session) -> None:
    report = pasted_ids(
        catalog, "USRC12345678;\tpasteVID004, 'NOVA-2024-001' ; ZZ0000000", can_see_hidden=False
    )
    assert report == PastedIds(looked_for=4, missing=("ZZ0000000",))


def test_a_hidden_videos_ids_are_not_found_for_a_plain_user(catalog: Session) -> None:
    q = "HIDDEN-001 GBHID2400001 pasteVID005 https://youtu.be/pasteVID005 pasteVID004"
    plain = pasted_ids(catalog, q, can_see_hidden=False)
    assert plain is not None
    assert plain.missing == ("HIDDEN-001", "GBHID2400001", "pasteVID005", "https://youtu.be/pasteVID005")
    admin = pasted_ids(catalog, q, can_see_hidden=True)
    assert admin == PastedIds(looked_for=5, missing=())


def test_duplicates_in_the_paste_count_once(catalog: Session) -> None:
    q = "USRC12345678 USRC12345678 XX1 pasteVID004 XX1 USRC12345678"
    assert pasted_ids(catalog, q, can_see_hidden=False) == PastedIds(looked_for=3, missing=("XX1",))


def test_no_report_for_one_id_words_or_a_spaced_code(catalog: Session) -> None:
    assert pasted_ids(catalog, "", can_see_hidden=False) is None
    assert pasted_ids(catalog, "USXX99999999", can_see_hidden=False) is None  # one id: the grid says it
    assert pasted_ids(catalog, "golden hearts", can_see_hidden=False) is None  # words, nothing found
    assert pasted_ids(catalog, "US RC1 23 45678", can_see_hidden=False) is None  # one ISRC in groups
    assert pasted_ids(catalog, "best of 2024, vol 1", can_see_hidden=False) is None  # one custom id
    # Words among which an id was found: a list.
    assert pasted_ids(catalog, "pasteVID004 hello", can_see_hidden=False) == PastedIds(2, ("hello",))
    # Digits everywhere: ids, even when none is found.
    assert pasted_ids(catalog, "XX1 XX2", can_see_hidden=False) == PastedIds(2, ("XX1", "XX2"))


def test_a_paste_beyond_the_limit_says_how_many_were_not_looked_for(catalog: Session) -> None:
    ids = [f"ZZ{n:06d}" for n in range(MAX_IDS + 3)]
    report = pasted_ids(catalog, "\n".join(["pasteVID004", *ids]), can_see_hidden=False)
    assert report is not None
    assert report.looked_for == MAX_IDS
    assert report.not_looked_for == 4
    assert report.found == 1


def test_a_200_id_paste_is_one_query_per_id_column(catalog: Session, engine) -> None:
    ids = [f"USRC{n:08d}" for n in range(MAX_IDS - 1)] + ["pasteVID004"]
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        report = pasted_ids(catalog, "\n".join(ids), can_see_hidden=False)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert report is not None and report.looked_for == MAX_IDS and report.found == 1
    probes = [s for s in statements if "FROM video" in s]
    assert len(probes) == 5  # video_id, asset_id, custom_id, isrc, upc
    assert all(" = ANY (ARRAY((SELECT " in s.upper() for s in probes), probes


@pytest.mark.parametrize(
    ("column", "index"),
    [
        ("video_id", "idx_video_video_id"),  # the unique index or its _prefix twin
        ("asset_id", "idx_video_asset_id"),
        ("custom_id", "idx_video_custom_id"),
        ("isrc", "idx_video_isrc"),
        ("upc", "idx_video_upc"),
    ],
)
def test_each_column_is_probed_through_its_index(catalog: Session, column: str, index: str) -> None:
    plans: list[str] = []

    def explain(conn, _cursor, statement, parameters, _context, _many):
        if statement.startswith("SELECT") and "FROM video" in statement:
            plans.extend(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))

    catalog.execute(text("SET LOCAL enable_seqscan = off"))
    catalog.execute(text("SET LOCAL enable_bitmapscan = off"))
    engine = catalog.get_bind()
    event.listen(engine, "after_cursor_execute", explain)
    try:
        found_values(catalog, column, ["x1", "x2"], can_see_hidden=False)
    finally:
        event.remove(engine, "after_cursor_execute", explain)
    assert any(index in line for line in plans), "\n".join(plans)


# -- the grid's state ---------------------------------------------------------------------------------------


def _grid(session: Session, email: str, *, admin: bool) -> VideosState:
    user = create_user(session, email, "correct-horse-42", admin=admin)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    return state_for(VideosState, token)


def _search(state: VideosState, q: str) -> None:
    VideosState.set_search.fn(state, q)  # reads the view's page at once, as the box does


def test_the_grid_says_which_pasted_ids_found_nothing_and_hides_hidden_videos(catalog: Session) -> None:
    ids = [f"GBXX{n:08d}" for n in range(7)]  # seven unknown ISRCs
    q = "\n".join(["USRC12345678", "HIDDEN-001", *ids, "USRC12345678"])
    plain = _grid(catalog, "bo@example.com", admin=False)
    _search(plain, q)
    assert plain.pasted_label == "1 of 9 ids found"
    assert plain.pasted_missing == ["HIDDEN-001", *ids]
    assert plain.pasted_missing_shown == ["HIDDEN-001", *ids[:4]]  # the first few
    assert plain.pasted_missing_text == "\n".join(["HIDDEN-001", *ids])
    VideosState.toggle_pasted_missing.fn(plain)
    assert plain.pasted_missing_shown == plain.pasted_missing

    admin = _grid(catalog, "ana@example.com", admin=True)
    _search(admin, q)
    assert admin.pasted_label == "2 of 9 ids found"
    assert admin.pasted_missing == ids

    _search(plain, "USRC12345678")  # one id: no list
    assert (plain.pasted_label, plain.pasted_missing, plain.pasted_all_shown) == ("", [], False)
