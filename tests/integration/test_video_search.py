"""Grid queries on real PostgreSQL: every search kind (with tricky input), every filter, every sort, keyset
pages, the latest-sync lookup, and that the queries match the indexes built for them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from catalog_ui.models import Channel, MetadataSync, Video
from catalog_ui.models.video import MONETIZATION_FLAGS
from catalog_ui.services.catalog import search_videos
from catalog_ui.services.grid_columns import COLUMNS
from catalog_ui.services.grid_view import GridView, VideoFilter, parse_view
from catalog_ui.services.video_search import (
    Cursor,
    bounded_count,
    bounded_count_query,
    fetch_rows,
    filter_clauses,
    latest_syncs,
    page_query,
    search_clause,
)

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def add(session: Session, video_id: str, **values) -> Video:
    video = Video(video_id=video_id, **values)
    session.add(video)
    return video


@pytest.fixture
def catalog(session: Session) -> Session:
    """Six videos covering every searchable field and flag."""
    session.add(Channel(channel_id="UC" + "n" * 22, name="Nova Music"))
    session.flush()
    add(
        session,
        "aaaBBBccc01",
        title="Golden Hearts (Official Video)",
        artist=["Maya Okafor"],
        label="Nova Records",
        asset_id="A123456789012",
        custom_id="NOVA-2024-001",
        isrc="USABC2400001",
        upc="123456789012",
        channel_display_name="Nova Music",
        channel_id="UC" + "n" * 22,
        category="Music",
        privacy_status="public",
        claimed_status="active",
        claimed_by_another_owner="No",
        views=5000,
        time_published=T0,
        is_short=False,
        is_live_stream=False,
        display_ads_enabled="Yes",
        prerolls_enabled="No",
    )
    add(
        session,
        "aaaBBBccc02",
        title="Midnight Rain",
        artist=["Zoë Lindqvist", "Kai"],
        label="Echo Sound",
        asset_id="A123456789099",
        custom_id="ECHO-7",
        isrc="GBXYZ2300002",
        channel_display_name="Echo Channel",
        category="Music",
        privacy_status="unlisted",
        claimed_status="disputed",
        claimed_by_another_owner="Yes",
        views=120,
        time_published=T0 - timedelta(days=30),
        is_short=True,
        display_ads_enabled="No",
    )
    add(
        session,
        "zzzQQQ-_x03",
        title="東京 Night Drive",
        artist=["Sora"],
        label="Harbor",
        category="Music",
        channel_display_name="Nova Music",
        privacy_status="private",
        claimed_status="takedown",
        views=0,
        time_published=T0 - timedelta(days=400),
        is_live_stream=True,
        administered=True,
        administered_at=T0,
    )
    add(
        session,
        "zzzQQQ-_x04",
        title="100% Pure Love",
        label="Nova Records",
        category="Entertainment",
        channel_display_name="Echo Channel",
        privacy_status="public",
        views=999_999,
        time_published=None,
        upc="0987654321098",
    )
    add(
        session,
        "hidden00005",
        title="Golden Secret",
        label="Nova Records",
        category="Music",
        channel_display_name="Nova Music",
        privacy_status="public",
        views=7,
        hidden=True,
        time_published=T0,
    )
    add(
        session,
        "under_score",
        title="Under_Score & Back\\slash 'quoted' \"double\"",
        category="Comedy",
        channel_display_name="Echo Channel",
        privacy_status="public",
        views=55,
        time_published=T0 - timedelta(days=2),
    )
    session.commit()
    return session


def ids(session: Session, query: str, *, admin: bool = False) -> list[str]:
    view, _ = parse_view(query)
    view = replace(view, filter=view.filter.for_viewer(admin), per_page=200)
    return [row["video_id"] for row in fetch_rows(session, view, offset=0).rows]


# -- the URL --------------------------------------------------------------------------------------------


def test_a_view_survives_its_url() -> None:
    view = GridView(
        filter=VideoFilter(
            q="golden hea",
            channel_ids=("UC" + "a" * 22,),
            hidden="include",
            published_from=date(2024, 1, 1),
            views_max=1000,
        )
        .with_values("privacy", ("public", "unlisted"))
        .with_values("claim", ("", "active"))
        .with_values("channel", ("A, B & C",))
        .with_choice("short", True)
        .with_choice("display_ads_enabled", False),
        sort="views",
        descending=False,
        page=7,
        per_page=100,
        columns=("video_id", "title", "views", "last_synced"),
    )
    parsed, problems = parse_view(view.to_query())
    assert problems == []
    assert parsed == view
    assert GridView().url() == "/videos"


def test_bad_url_values_are_dropped_with_a_message() -> None:
    view, problems = parse_view(
        "sort=nope&size=75&page=-3&short=maybe&views_min=lots&hidden=all&cols=title,bogus"
    )
    assert view == GridView(columns=("video_id", "title"))
    assert problems == [
        "Ignored short='maybe': use yes or no.",
        "Ignored hidden='all': use include or only.",
        "Ignored views_min='lots': use a whole number.",
        "Ignored sort='nope': not a sortable column.",
        "Page size 75 is not offered; showing 50 rows.",
        "Ignored unknown columns: bogus.",
    ]


def test_unicode_digits_int_refuses_are_dropped_not_raised() -> None:
    view, problems = parse_view("page=%C2%B2&size=%C2%B9%C2%B9&views_min=%C2%B2&views_max=%D9%A1%D9%A2")
    assert (view.page, view.per_page, view.filter.views_min, view.filter.views_max) == (1, 50, None, 12)
    assert problems == ["Ignored views_min='²': use a whole number."]


def test_the_last_possible_day_as_an_end_date_bounds_nothing(catalog: Session) -> None:
    everyone = ids(catalog, "published_from=1900-01-01")
    assert everyone and ids(catalog, "published_from=1900-01-01&published_to=9999-12-31") == everyone


def test_channel_ids_passed_as_channel_become_channel_id_filters() -> None:
    view, _ = parse_view("channel=UC" + "x" * 22 + "&channel=Nova+Music")
    assert view.filter.channel_ids == ("UC" + "x" * 22,)
    assert view.filter.selected("channel") == ("Nova Music",)


# -- search ---------------------------------------------------------------------------------------------


SEARCHES = [
    ("q=aaaBBBccc02", ["aaaBBBccc02"]),  # video id, exactly
    ("q=aaaBBB", ["aaaBBBccc01", "aaaBBBccc02"]),  # video id prefix
    ("q=zz", []),  # two characters: exact ids only, no prefix
    ("q=A123456789099", ["aaaBBBccc02"]),  # asset id
    ("q=A1234567890", ["aaaBBBccc01", "aaaBBBccc02"]),  # asset id prefix
    ("q=NOVA-2024", ["aaaBBBccc01"]),  # custom id prefix
    ("q=us-abc-24-00001", ["aaaBBBccc01"]),  # ISRC typed with hyphens, lower case
    ("q=GBXYZ23", ["aaaBBBccc02"]),  # ISRC prefix
    ("q=0987654321098", ["zzzQQQ-_x04"]),  # UPC
    ("q=golden", ["aaaBBBccc01"]),  # a title word (the hidden "Golden Secret" stays out)
    ("q=golden+hea", ["aaaBBBccc01"]),  # every word, the last one as a prefix
    ("q=golden+rain", []),
    ("q=okafor", ["aaaBBBccc01"]),  # artist
    ("q=echo+sound", ["aaaBBBccc02"]),  # label
    ("q=zo%C3%AB", ["aaaBBBccc02"]),  # unicode artist (Zoë)
    ("q=zoe+lindq", ["aaaBBBccc02"]),  # … typed without its accent
    ("q=ZO%C3%8B", ["aaaBBBccc02"]),  # … or in capitals (ZOË)
    ("q=echo+channel", ["under_score", "aaaBBBccc02", "zzzQQQ-_x04"]),  # a channel's name
    ("q=nova+mus", ["aaaBBBccc01", "zzzQQQ-_x03"]),  # … as a prefix
    ("q=%E6%9D%B1%E4%BA%AC", ["zzzQQQ-_x03"]),  # 東京
    ("q=100%25", ["zzzQQQ-_x04"]),  # "100%": the word 100, the % is no wildcard
    ("q=%25", []),  # "%" alone matches nothing, not everything
    ("q=_", []),
    ("q=%5C", []),  # a backslash
    ("q=zzzQQQ-_", ["zzzQQQ-_x03", "zzzQQQ-_x04"]),  # "_" in an id prefix is literal
    ("q=under_", ["under_score"]),
    ("q=%22double%22", ["under_score"]),  # quotes are not syntax
    ("q='quoted", ["under_score"]),
    ("q=back%5Cslash", ["under_score"]),
    ("q=aaabbb", []),  # video ids match case-sensitively (YouTube's are)
    ("q=NOVA-2024-001", ["aaaBBBccc01"]),  # custom id, exactly
    ("q=nova-2024-001", ["aaaBBBccc01"]),  # … in another case (migration 028)
    ("q=nova-2024", ["aaaBBBccc01"]),  # … and its prefix too
    ("q=a123456789099", ["aaaBBBccc02"]),  # an asset id typed in lower case
    ("q=us+abc+24+00001", ["aaaBBBccc01"]),  # an ISRC in lower case and groups
    ("q=0123456789012", ["aaaBBBccc01"]),  # a 12-digit UPC typed as its EAN-13 (a leading zero more)
    ("q=987654321098", ["zzzQQQ-_x04"]),  # a 13-digit UPC whose leading zero a spreadsheet dropped
    ("q=00987654321098", ["zzzQQQ-_x04"]),  # … or with one zero too many
    ("q=98765+4321098", ["zzzQQQ-_x04"]),  # … in groups
    ("q=usabc24", ["aaaBBBccc01"]),  # an ISRC prefix is looked for upper-cased
    ("q=GB-XYZ", ["aaaBBBccc02"]),  # … and without hyphens
    ("q=12345678", ["aaaBBBccc01"]),  # UPC prefix
    ("q=0987+6543", ["zzzQQQ-_x04"]),  # a UPC written in groups
    ("q=US+ABC+24+00001", ["aaaBBBccc01"]),  # an ISRC written in groups
    ("q=Golden+Hearts", ["aaaBBBccc01"]),  # words, not an id
    ("q=A1%25", []),  # "%" inside an id is literal
    ("q=A1__", []),  # so is "_"
    ("q=A12%5C", []),  # and "\"
]


def test_search(catalog: Session) -> None:
    for query, expected in SEARCHES:
        assert ids(catalog, query) == expected, query


def test_a_search_finds_words_and_ids_together(catalog: Session) -> None:
    add(catalog, "port0000007", custom_id="Harbor-42", title="Untitled")
    catalog.commit()
    # "Harbor" is a label word of one video and the custom id prefix of another.
    assert ids(catalog, "q=Harbor") == ["zzzQQQ-_x03", "port0000007"]
    assert ids(catalog, "q=harbor") == ["zzzQQQ-_x03", "port0000007"]  # custom ids in any case too
    assert ids(catalog, "q=Harbor-42") == ["port0000007"]


@pytest.mark.parametrize(
    ("title", "artist", "typed"),
    [
        ("Highway to Hell", "AC/DC", "AC/DC"),
        ("Straight Outta Compton", "N.W.A", "n.w.a"),
        ("Hot Fuss Vol.2", "The Killers", "Vol.2"),
        ("Web 2.0", "Label", "2.0"),
        ("गाना नया", "कलाकार", "गाना"),
        ("ก้อง ห้วยไร่", "ศิลปิน", "ก้อง"),
        ("ΟΔΟΣ ΑΘΗΝΑΣ", "Τραγουδιστής", "ΟΔΟΣ"),
        ("Don't Stop", "Band", "don't"),
        ("Hello, World", "Greeter", "hello, wor"),
    ],
)
def test_a_title_or_artist_typed_as_shown_is_found(
    session: Session, title: str, artist: str, typed: str
) -> None:
    # PostgreSQL's parser reads the typed words as it read the document: as one term where it kept one.
    add(session, "word0000001", title=title, artist=[artist])
    add(session, "word0000002", title="Something else", artist=["Nobody"])
    session.commit()
    assert ids(session, "q=" + quote(typed)) == ["word0000001"]


@pytest.mark.parametrize(
    ("title", "artist", "typed"),
    [
        ("José Sato - Slow Echo", "José Sato", "jose sato"),
        ("Crazy in Love", "Beyoncé", "BEYONCE"),
        ("Hoppípolla", "Sigur Rós", "sigur ros"),
        ("Final Song", "MØ", "mo"),
        ("Łódź Nights", "Band", "lodz"),
        ("Ñengo Flow Live", "Ñengo Flow", "nengo"),
        ("Heartbeats", "Jose Gonzalez", "José González"),  # accents typed, none stored
        ("Ça plane pour moi", "Plastic Bertrand", "ca plane"),
        ("한국 노래", "가수", "한국"),  # decomposed and recomposed whole
        ("ΆΛΦΑ", "Τραγουδιστής", "αλφα"),
    ],
)
def test_a_name_is_found_whatever_its_accents(session: Session, title: str, artist: str, typed: str) -> None:
    add(session, "fold0000001", title=title, artist=[artist])
    add(session, "fold0000002", title="Something else", artist=["Nobody"])
    session.commit()
    assert ids(session, "q=" + quote(typed)) == ["fold0000001"]


def test_a_renamed_channel_is_found_by_its_new_name(session: Session) -> None:
    add(session, "chan0000001", title="Song", channel_display_name="Juno Bay VEVO")
    session.commit()
    assert ids(session, "q=juno+bay+vevo") == ["chan0000001"]
    session.execute(text("UPDATE video SET channel_display_name = 'Juno Bay Official'"))
    session.commit()
    assert ids(session, "q=juno+bay+vevo") == []
    assert ids(session, "q=juno+bay+off") == ["chan0000001"]


VIDEO_LINKS = [
    "https://www.youtube.com/watch?v=aaaBBBccc01&t=10s",
    "https://www.youtube.com/watch?feature=share&v=aaaBBBccc01",
    "https://youtu.be/aaaBBBccc01",
    "https://youtu.be/aaaBBBccc01?si=Xy12&t=42",
    "https://www.youtube.com/shorts/aaaBBBccc01",
    "https://m.youtube.com/watch?v=aaaBBBccc01",
    "https://music.youtube.com/watch?v=aaaBBBccc01&list=RDAMVM",
    "https://studio.youtube.com/video/aaaBBBccc01/edit",
    "studio.youtube.com/video/aaaBBBccc01/analytics/tab-overview/period-default",
    "www.youtube.com/embed/aaaBBBccc01",
    "HTTPS://WWW.YOUTUBE.COM/watch?v=aaaBBBccc01",
]


@pytest.mark.parametrize("link", VIDEO_LINKS)
def test_a_pasted_youtube_link_finds_its_video(catalog: Session, link: str) -> None:
    # Only the video the link names: not the other ids or words of the link (`youtube`, `watch`, `edit`).
    add(catalog, "other000001", title="Watch YouTube Edit", custom_id="aaaBBBccc01x")
    catalog.commit()
    assert ids(catalog, "q=" + quote(link)) == ["aaaBBBccc01"]


def test_a_link_to_a_video_not_in_the_catalog_finds_nothing(catalog: Session) -> None:
    assert ids(catalog, "q=" + quote("https://youtu.be/aaaBBBccc99")) == []
    assert ids(catalog, "q=" + quote("https://www.youtube.com/watch?v=aaaBBB")) == []  # whole ids, no prefix


@pytest.mark.parametrize(
    "pasted",
    [
        "aaaBBBccc02\nnova-2024-001\nzzzQQQ-_x04\n",  # one a line (a spreadsheet column)
        "aaaBBBccc02, NOVA-2024-001, zzzQQQ-_x04",
        "aaaBBBccc02 nova-2024-001 zzzQQQ-_x04",
        "aaaBBBccc02;NOVA-2024-001;zzzQQQ-_x04",
        "aaaBBBccc02\tNOVA-2024-001\r\nzzzQQQ-_x04",
        '"aaaBBBccc02"\n"NOVA-2024-001"\n"zzzQQQ-_x04"',  # quoted cells
        "A123456789099\nus-abc-24-00001\n987654321098",  # asset id, ISRC, UPC in the forms typed
        "https://youtu.be/aaaBBBccc02\nhttps://www.youtube.com/watch?v=aaaBBBccc01\nzzzQQQ-_x04",
    ],
)
def test_a_pasted_list_of_ids_finds_every_one(catalog: Session, pasted: str) -> None:
    assert sorted(ids(catalog, "q=" + quote(pasted))) == ["aaaBBBccc01", "aaaBBBccc02", "zzzQQQ-_x04"]


def test_a_pasted_list_matches_whole_ids_and_keeps_hidden_videos_out(catalog: Session) -> None:
    assert ids(catalog, "q=" + quote("aaaBBB\nzzzQQQ")) == []  # no prefixes in a list
    assert ids(catalog, "q=" + quote("aaaBBBccc01\nhidden00005")) == ["aaaBBBccc01"]
    both = "q=" + quote("aaaBBBccc01\nhidden00005") + "&hidden=include"
    assert sorted(ids(catalog, both, admin=True)) == ["aaaBBBccc01", "hidden00005"]


def test_a_custom_id_with_blanks_is_found_whole(catalog: Session) -> None:
    add(catalog, "blank000001", title="Untitled", custom_id="Nova Catalog 7")
    catalog.commit()
    assert ids(catalog, "q=nova+catalog+7") == ["blank000001"]


def test_a_upc_stored_without_its_leading_zero_is_found_with_it(session: Session) -> None:
    # A report edited in a spreadsheet lost the zero; ingestion keeps such a UPC as reported (flagged).
    add(session, "upc00000001", title="Untitled", upc="12345678905")
    session.commit()
    assert ids(session, "q=012345678905") == ["upc00000001"]
    assert ids(session, "q=0012345678905") == ["upc00000001"]


def test_a_custom_id_in_any_case_is_found_in_a_sample_too(catalog: Session) -> None:
    # The facet counts' sample writes the id conditions on the row itself (per_row).
    from sqlalchemy import select

    sample = Video.__table__.alias("sample")
    clause = search_clause("nova-2024-001", sample, per_row=True)
    found = catalog.execute(select(sample.c.video_id).where(clause)).scalars().all()
    assert found == ["aaaBBBccc01"]


TRICKY = [
    "x" * 1000,
    "a\x00b",
    "\ud800lone surrogate",
    "'; DROP TABLE video; --",
    "((((",
    "!!! & | <-> :*",
    "🎵🎶",
]


def test_tricky_search_input_gives_a_result_never_an_error(catalog: Session) -> None:
    for raw in TRICKY:
        view = GridView(filter=VideoFilter(q=raw), per_page=50)
        assert fetch_rows(catalog, view, offset=0).rows == [], repr(raw)
        assert bounded_count(catalog, filter_clauses(view.filter), 10) == 0, repr(raw)


def test_a_long_search_is_cut_to_3000_characters() -> None:
    view, _ = parse_view("q=" + "golden " * 1000)
    assert len(view.filter.q) == 3000
    assert search_clause("") is None


# -- filters --------------------------------------------------------------------------------------------


FILTERS = [
    ("channel=Nova+Music", ["aaaBBBccc01", "zzzQQQ-_x03"]),
    (
        "channel=Nova+Music&channel=Echo+Channel",
        ["aaaBBBccc01", "under_score", "aaaBBBccc02", "zzzQQQ-_x03", "zzzQQQ-_x04"],
    ),
    ("channel_id=UC" + "n" * 22, ["aaaBBBccc01"]),
    ("category=Comedy", ["under_score"]),
    ("privacy=unlisted&privacy=private", ["aaaBBBccc02", "zzzQQQ-_x03"]),
    ("claim=takedown", ["zzzQQQ-_x03"]),
    ("other_owner=yes", ["aaaBBBccc02"]),
    ("other_owner=no", ["aaaBBBccc01"]),
    ("short=yes", ["aaaBBBccc02"]),
    ("short=no", ["aaaBBBccc01"]),
    ("live=yes", ["zzzQQQ-_x03"]),
    ("administered=yes", ["zzzQQQ-_x03"]),
    ("administered=no", ["aaaBBBccc01", "under_score", "aaaBBBccc02", "zzzQQQ-_x04"]),
    ("has_isrc=yes", ["aaaBBBccc01", "aaaBBBccc02"]),
    ("has_upc=no", ["under_score", "aaaBBBccc02", "zzzQQQ-_x03"]),
    ("display_ads_enabled=yes", ["aaaBBBccc01"]),
    ("display_ads_enabled=no", ["aaaBBBccc02"]),
    ("prerolls_enabled=no", ["aaaBBBccc01"]),
    ("published_from=2025-05-30&published_to=2025-06-01", ["aaaBBBccc01", "under_score"]),
    ("published_to=2024-12-31", ["zzzQQQ-_x03"]),
    ("views_min=100&views_max=5000", ["aaaBBBccc01", "aaaBBBccc02"]),
    ("views_max=0", ["zzzQQQ-_x03"]),
    ("privacy=public&category=Music", ["aaaBBBccc01"]),
    ("claim=&claim=takedown", ["under_score", "zzzQQQ-_x03", "zzzQQQ-_x04"]),  # "(none)" and a value
]


def test_filters(catalog: Session) -> None:
    for query, expected in FILTERS:
        assert ids(catalog, query) == expected, query


def test_every_monetization_flag_filters(session: Session) -> None:
    for n, flag in enumerate(MONETIZATION_FLAGS):
        add(session, f"flagyes{n:04d}", **{flag: "Yes"})
        add(session, f"flagno0{n:04d}", **{flag: "No"})
    session.commit()
    for n, flag in enumerate(MONETIZATION_FLAGS):
        assert ids(session, f"{flag}=yes") == [f"flagyes{n:04d}"], flag
        assert ids(session, f"{flag}=no") == [f"flagno0{n:04d}"], flag


def test_hidden_videos_only_for_admins(catalog: Session) -> None:
    assert "hidden00005" not in ids(catalog, "")
    assert ids(catalog, "hidden=only") == ids(catalog, "")  # a user asking for hidden ones gets the default
    assert ids(catalog, "hidden=only", admin=True) == ["hidden00005"]
    assert "hidden00005" in ids(catalog, "hidden=include", admin=True)
    assert "hidden00005" not in ids(catalog, "hidden=include")


# -- sorting and pages ------------------------------------------------------------------------------------


def _python_order(rows: list[dict], field: str, descending: bool) -> list[str]:
    def key(row):
        value = row[field]
        return (value is not None, value if value is not None else 0, row["video_id"])

    return [row["video_id"] for row in sorted(rows, key=key, reverse=descending)]


# Video fields; "last_synced" sorts by updated_at (test_last_synced.py).
SORTABLE = [key for key, column in COLUMNS.items() if column.sortable and key != "last_synced"]


@pytest.fixture
def sortable(session: Session) -> Session:
    """Eight videos whose values differ (or tie, or are empty) in every column."""
    for word in ("Alpha", "Bravo", "Charlie"):
        session.add(Channel(channel_id=f"UC{word:_<22}", name=word))
    session.flush()
    words = ["Alpha", "Bravo", "Charlie", "Delta"]
    for n in range(8):
        values = {}
        for key in SORTABLE:
            column = Video.__table__.c[key]
            if key == "video_id" or (n % 4 == 3 and column.nullable):
                continue
            python_type = column.type.python_type if not hasattr(column.type, "item_type") else list
            if python_type is bool:
                values[key] = n % 2 == 0
            elif python_type is int:
                values[key] = (n % 3) * 10
            elif python_type is datetime:
                values[key] = T0 + timedelta(hours=n % 3)
            elif python_type is list:
                values[key] = [words[n % 3]]
            else:
                values[key] = (
                    words[n % 3]
                    if key not in ("privacy_status",)
                    else ("public", "private", "unlisted")[n % 3]
                )
        if "channel_id" in values:  # a foreign key: the channel must exist
            values["channel_id"] = f"UC{values['channel_id']:_<22}"
        add(session, f"sortvid{n:04d}", **values)
    session.commit()
    return session


def test_sort_by_every_column_is_total_and_stable(sortable: Session) -> None:
    for field in SORTABLE:
        for descending in (False, True):
            flt = VideoFilter(hidden="include")
            view = GridView(
                filter=flt, sort=field, descending=descending, per_page=50, columns=("video_id", field)
            )
            rows = fetch_rows(sortable, view, offset=0).rows
            assert len(rows) == 8
            assert [row["video_id"] for row in rows] == _python_order(rows, field, descending), (
                field,
                descending,
            )


@pytest.fixture
def many(session: Session) -> Session:
    """130 videos with only three distinct view counts (ties everywhere) and a few without any."""
    session.execute(
        text(
            "INSERT INTO video (video_id, title, views) SELECT 'page' || lpad(g::text, 7, '0'), 'Video ' || g, "
            "CASE WHEN g % 17 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 130) g"
        )
    )
    session.commit()
    return session


@pytest.mark.parametrize("descending", [True, False])
def test_keyset_pages_match_offset_pages(many: Session, descending: bool) -> None:
    view = GridView(sort="views", descending=descending, per_page=50)
    by_offset = [fetch_rows(many, replace(view, page=p), offset=(p - 1) * 50) for p in (1, 2, 3)]
    assert [len(p.rows) for p in by_offset] == [50, 50, 30]
    assert [p.has_more for p in by_offset] == [True, True, False]
    second = fetch_rows(many, replace(view, page=2), after=by_offset[0].last)
    third = fetch_rows(many, replace(view, page=3), after=second.last)
    back = fetch_rows(many, replace(view, page=2), before=third.first)
    assert second.rows == by_offset[1].rows
    assert third.rows == by_offset[2].rows
    assert back.rows == by_offset[1].rows
    assert back.has_more is True  # page 1 lies before it
    assert third.last == Cursor(by_offset[2].last.key, by_offset[2].rows[-1]["video_id"])


@pytest.fixture
def undated(session: Session) -> Session:
    """130 videos, most without a publish date, none administered: empty dates tie everywhere."""
    session.execute(
        text(
            "INSERT INTO video (video_id, title, time_published) SELECT 'date' || lpad(g::text, 7, '0'), "
            "'Video ' || g, CASE WHEN g % 4 = 0 THEN timestamptz '2024-01-01' + make_interval(days => g % 3) END "
            "FROM generate_series(1, 130) g"
        )
    )
    session.commit()
    return session


@pytest.mark.parametrize("sort", ["time_published", "administered_at"])
@pytest.mark.parametrize("descending", [True, False])
def test_keyset_pages_walk_every_undated_video_once(undated: Session, sort: str, descending: bool) -> None:
    # An empty date sorts as -infinity, which psycopg2 reads as 0001-01-01: sent back as such, the cursor
    # would repeat (descending) or skip (ascending) the empty dates.
    view = GridView(sort=sort, descending=descending, per_page=20)
    by_offset = [row["video_id"] for p in range(7) for row in fetch_rows(undated, view, offset=p * 20).rows]
    pages = [fetch_rows(undated, view, offset=0)]
    while pages[-1].has_more and len(pages) < 10:  # 7 pages; bounded, as a repeating cursor never ends
        pages.append(fetch_rows(undated, view, after=pages[-1].last))
    walked = [row["video_id"] for page in pages for row in page.rows]
    assert walked == by_offset and len(set(walked)) == 130
    back = [fetch_rows(undated, view, before=pages[-1].first)]
    while back[-1].has_more and len(back) < 10:
        back.append(fetch_rows(undated, view, before=back[-1].first))
    assert [row["video_id"] for page in reversed(back) for row in page.rows] == walked[: -len(pages[-1].rows)]


# Dictionary order, as both the ICU collation and the fold-and-lower fallback of migration 024 give it
# (titles that differ only by case or accents, and emoji, are left out: there the two part ways).
DICTIONARY_ORDER = [
    None,
    '"Heroes"',
    "99 Luftballons",
    "alpha",
    "apple",
    "Banana",
    "Ça va",
    "cab",
    "Élan",
    "elk",
    "Ñandú",
    "ñu",
    "Nube",
    "Øystein",
    "oyster",
    "Zebra",
    "zoo",
    "Ωmega",
]


# The other columns read as words sort the same way (no index: a plain sort).
WORD_COLUMNS = ("channel_display_name", "label", "category", "notes")


@pytest.fixture
def dictionary(session: Session) -> Session:
    """Three videos of each DICTIONARY_ORDER title (also their channel, label, category and notes),
    their ids in no order of the titles."""
    for copy in range(3):
        for rank, title in enumerate(DICTIONARY_ORDER):
            words = dict.fromkeys(WORD_COLUMNS, title)
            add(session, f"dict{(rank * 7 + copy * 5) % 54:03d}x{copy}", title=title, **words)
    session.commit()
    return session


def _dictionary_ids(session: Session, descending: bool) -> list[str]:
    rows = session.execute(text("SELECT video_id, title FROM video")).all()
    ranked = sorted(
        rows, key=lambda row: (DICTIONARY_ORDER.index(row.title), row.video_id), reverse=descending
    )
    return [row.video_id for row in ranked]


@pytest.mark.parametrize("descending", [False, True])
def test_titles_sort_in_dictionary_order(dictionary: Session, descending: bool) -> None:
    # The database's C.UTF-8 collation compares bytes: 'apple' came after 'Zebra', 'Élan' after 'zoo'.
    view = GridView(sort="title", descending=descending, per_page=100, columns=("title",))
    rows = fetch_rows(dictionary, view, offset=0).rows
    assert [row["video_id"] for row in rows] == _dictionary_ids(dictionary, descending)


@pytest.mark.parametrize("field", WORD_COLUMNS)
def test_names_and_labels_sort_in_dictionary_order_too(dictionary: Session, field: str) -> None:
    for descending in (False, True):
        view = GridView(sort=field, descending=descending, per_page=100, columns=(field,))
        rows = fetch_rows(dictionary, view, offset=0).rows
        assert [row["video_id"] for row in rows] == _dictionary_ids(dictionary, descending), field
        # keyset pages walk the same order
        first = fetch_rows(dictionary, replace(view, per_page=20), offset=0)
        second = fetch_rows(dictionary, replace(view, per_page=20), after=first.last)
        assert [row["video_id"] for row in second.rows] == _dictionary_ids(dictionary, descending)[20:40]


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_walk_the_title_sort_as_offset_pages(dictionary: Session, descending: bool) -> None:
    view = GridView(sort="title", descending=descending, per_page=20)
    by_offset = [fetch_rows(dictionary, view, offset=p * 20) for p in range(3)]
    expected = _dictionary_ids(dictionary, descending)
    assert [row["video_id"] for page in by_offset for row in page.rows] == expected
    pages = [by_offset[0]]
    while pages[-1].has_more and len(pages) < 5:
        pages.append(fetch_rows(dictionary, view, after=pages[-1].last))
    assert [row["video_id"] for page in pages for row in page.rows] == expected
    back = fetch_rows(dictionary, view, before=pages[-1].first)
    assert back.rows == by_offset[1].rows


def test_search_videos_keeps_its_simple_form(many: Session) -> None:
    first = search_videos(many, page=1)
    assert first.total == 130
    assert first.pages == 3
    assert first.rows[0] == {
        "video_id": "page0000130",
        "title": "Video 130",
        "channel_display_name": None,
        "views": 1,
        "privacy_status": None,
        "claimed_status": None,
        "time_published": None,
    }


def test_latest_sync_is_read_for_the_asked_videos_only(catalog: Session) -> None:
    for minutes, video_id, changes in [
        (1, "aaaBBBccc01", {"views": [1, 2]}),
        (5, "aaaBBBccc01", {"title": ["a", "b"]}),
        (3, "aaaBBBccc02", {"views": [3, 4]}),
        (9, "zzzQQQ-_x03", {"views": [5, 6]}),
    ]:
        catalog.add(
            MetadataSync(video_id=video_id, changes=changes, sync_time=T0 + timedelta(minutes=minutes))
        )
    catalog.commit()
    found = latest_syncs(catalog, ["aaaBBBccc01", "aaaBBBccc02", "under_score"])
    assert found == {
        "aaaBBBccc01": {"last_synced": T0 + timedelta(minutes=5), "last_changes": {"title": ["a", "b"]}},
        "aaaBBBccc02": {"last_synced": T0 + timedelta(minutes=3), "last_changes": {"views": [3, 4]}},
    }
    assert latest_syncs(catalog, []) == {}


# -- the queries use the grid's indexes ----------------------------------------------------------------------


def _plan(session: Session, view: GridView) -> str:
    sql = page_query(view, offset=0).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    # Tiny tables: ask whether an index *can* serve (for a search, with the sort index out of the way).
    session.execute(text("SET LOCAL enable_seqscan = off"))
    if view.filter.q:
        session.execute(text("SET LOCAL enable_indexscan = off"))
    return "\n".join(
        row[0] for row in session.connection().exec_driver_sql(f"EXPLAIN {str(sql).replace('%', '%%')}")
    )


PLANS = [
    (GridView(), "idx_video_sort_published"),
    (GridView(sort="views"), "idx_video_sort_views"),
    (GridView(sort="updated_at"), "idx_video_sort_updated"),
    (GridView(sort="last_synced"), "idx_video_sort_updated"),  # the same order (test_last_synced.py)
    (GridView(sort="title", descending=False), "idx_video_sort_title"),
    (GridView(sort="title", descending=True), "idx_video_sort_title"),
    (GridView(sort="channel_display_name", descending=False), "idx_video_sort_channel"),  # migration 025
    (GridView(sort="channel_display_name", descending=True), "idx_video_sort_channel"),
    (GridView(filter=VideoFilter(q="golden")), "idx_video_search_document"),
]
ID_INDEXES = ("idx_video_video_id_prefix", "idx_video_asset_id", "idx_video_custom_id", "idx_video_isrc")


def test_queries_match_the_grid_indexes(catalog: Session) -> None:
    for view, index in PLANS:
        assert index in _plan(catalog, view), index
        catalog.rollback()


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_title_pages_walk_the_title_index(catalog: Session, descending: bool) -> None:
    view = GridView(sort="title", descending=descending)
    sql = page_query(view, after=Cursor("Élan", "aaaBBBccc01")).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    # Tiny table: ask whether the index *can* serve both the cursor's condition and the order.
    catalog.execute(text("SET LOCAL enable_seqscan = off"))
    catalog.execute(text("SET LOCAL enable_bitmapscan = off"))
    plan = "\n".join(
        row[0] for row in catalog.connection().exec_driver_sql(f"EXPLAIN {str(sql).replace('%', '%%')}")
    )
    assert "Index Scan" in plan and "idx_video_sort_title" in plan and "Index Cond" in plan, plan
    assert "Sort" not in plan, plan


def test_claim_facets_together_use_the_claim_index(catalog: Session) -> None:
    # Disputed videos claimed by another owner: both conditions in the index, not the status alone.
    flt = VideoFilter(values=(("claim", ("disputed",)),), choices=(("other_owner", True),))
    catalog.execute(text("SET LOCAL enable_seqscan = off"))
    sql = bounded_count_query(filter_clauses(flt), 1000).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    plan = "\n".join(row[0] for row in catalog.connection().exec_driver_sql(f"EXPLAIN {sql}"))
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "idx_video_claim " in plan and "claimed_by_another_owner" in condition, plan
    catalog.rollback()


def test_a_custom_id_in_any_case_is_an_index_range(catalog: Session) -> None:
    plan = _plan(catalog, GridView(filter=VideoFilter(q="Nova-2024")))
    assert "idx_video_custom_id" in plan, plan
    assert "lower((custom_id)::text) ~>=~ 'nova-2024'" in plan and "~<~ 'nova-2025'" in plan, plan
    catalog.rollback()


def test_a_pasted_list_of_ids_is_index_probes(catalog: Session) -> None:
    plan = _plan(catalog, GridView(filter=VideoFilter(q="aaaBBBccc02 NOVA-2024-001 0987654321098")))
    for index in (*ID_INDEXES, "idx_video_upc"):
        assert index in plan, (index, plan)
    assert "lower((custom_id)::text) = ANY ('{aaabbbccc02,nova-2024-001,0987654321098," in plan, plan
    catalog.rollback()


def test_id_searches_are_btree_ranges(catalog: Session) -> None:
    plan = _plan(catalog, GridView(filter=VideoFilter(q="A12345")))
    for index in (*ID_INDEXES, "idx_video_search_document"):  # the words' GIN too: "a12345" may be a word
        assert index in plan, (index, plan)
    assert "~>=~ 'A12345'" in plan and "~<~ 'A12346'" in plan, plan  # the prefix is an index range
    catalog.rollback()
    plan = _plan(catalog, GridView(filter=VideoFilter(q="12345678")))
    assert "idx_video_upc" in plan, plan
    catalog.rollback()
