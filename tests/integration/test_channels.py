"""The channels list: catalog totals per channel, search (with LIKE metacharacters), sorting, pages."""

from __future__ import annotations

from sqlalchemy import text

from catalog_ui.services.channels import list_channels


def _seed(session) -> None:
    session.execute(
        text(
            "INSERT INTO channel (channel_id, name, subscriber_count) VALUES "
            "('UCa', 'Nova Records', 900), ('UCb', 'Lumen 100% Beats', 50), ('UCc', 'Under_score', NULL), "
            "('UCh', 'Hidden Channel', 1)"
        )
    )
    session.execute(text("UPDATE channel SET hidden = true WHERE channel_id = 'UCh'"))
    session.execute(
        text(
            "INSERT INTO video (video_id, channel_id, views, hidden) VALUES "
            "('aaaaaaaaaa1', 'UCa', 10, false), ('aaaaaaaaaa2', 'UCa', 5, false), ('aaaaaaaaaa3', 'UCa', 1000, true), "
            "('bbbbbbbbbb1', 'UCb', 700, false)"
        )
    )
    session.commit()


def test_totals_count_visible_videos_only(session) -> None:
    _seed(session)
    page = list_channels(session, sort="videos")
    assert page.total == 3
    rows = {row["channel_id"]: (row["videos"], row["catalog_views"]) for row in page.rows}
    assert rows == {"UCa": (2, 15), "UCb": (1, 700), "UCc": (0, 0)}
    assert [row["channel_id"] for row in page.rows] == ["UCa", "UCb", "UCc"]
    # An int, so the page shows it like every other count ("1,234"), not as a Decimal's "1234".
    assert {type(row["catalog_views"]) for row in page.rows} == {int}


def test_sorts(session) -> None:
    _seed(session)
    assert [r["channel_id"] for r in list_channels(session, sort="views").rows] == ["UCb", "UCa", "UCc"]
    assert [r["channel_id"] for r in list_channels(session, sort="name").rows] == ["UCb", "UCa", "UCc"]
    assert [r["channel_id"] for r in list_channels(session, sort="subscribers").rows] == ["UCa", "UCb", "UCc"]


def test_names_sort_in_dictionary_order(session) -> None:
    # Byte order (the database's C.UTF-8 collation) put 'apple' after 'Zebra' and 'Élan' after 'zoo'.
    names = ["Zebra", "apple", "zoo", "Élan", "elk", "Banana", "Ñandú", "Nube"]
    values = ", ".join(f"('UC{n}', '{name}')" for n, name in enumerate(names))
    session.execute(text(f"INSERT INTO channel (channel_id, name) VALUES {values}, ('UCnone', NULL)"))
    session.commit()
    rows = (
        list_channels(session, sort="name", per_page=5).rows
        + list_channels(session, sort="name", per_page=5, page=2).rows
    )
    assert [row["name"] for row in rows] == [
        "apple",
        "Banana",
        "Élan",
        "elk",
        "Ñandú",
        "Nube",
        "Zebra",
        "zoo",
        None,
    ]


def test_search_treats_like_metacharacters_literally(session) -> None:
    _seed(session)
    assert [r["channel_id"] for r in list_channels(session, search="100%").rows] == ["UCb"]
    assert [r["channel_id"] for r in list_channels(session, search="a_r").rows] == []
    assert [r["channel_id"] for r in list_channels(session, search="der_sc").rows] == ["UCc"]
    assert [r["channel_id"] for r in list_channels(session, search="ucA").rows] == ["UCa"]
    assert list_channels(session, search="x" * 1000).total == 0


def test_a_name_is_found_whatever_its_accents(session) -> None:
    session.execute(
        text(
            "INSERT INTO channel (channel_id, name) VALUES ('UCj', 'José Sato VEVO'), ('UCm', 'Mø Official')"
        )
    )
    session.commit()
    assert [r["channel_id"] for r in list_channels(session, search="jose sato").rows] == ["UCj"]
    assert [r["channel_id"] for r in list_channels(session, search="JOSÉ").rows] == ["UCj"]
    assert [r["channel_id"] for r in list_channels(session, search="mo off").rows] == ["UCm"]


def test_pages(session) -> None:
    _seed(session)
    first = list_channels(session, per_page=2, page=1)
    second = list_channels(session, per_page=2, page=2)
    assert first.total == second.total == 3
    assert [r["channel_id"] for r in first.rows + second.rows] == ["UCa", "UCb", "UCc"]


def test_every_sort_gives_the_same_totals_page_by_page(session) -> None:
    _seed(session)
    expected = {"UCa": (2, 15), "UCb": (1, 700), "UCc": (0, 0)}
    for sort in ("name", "videos", "views", "subscribers"):
        rows = [
            row for page in (1, 2) for row in list_channels(session, sort=sort, per_page=2, page=page).rows
        ]
        assert {row["channel_id"]: (row["videos"], row["catalog_views"]) for row in rows} == expected, sort
        assert len(rows) == 3, sort


def test_search_with_characters_postgresql_refuses_is_cleaned(session) -> None:
    _seed(session)
    assert [r["channel_id"] for r in list_channels(session, search="Nova\x00").rows] == ["UCa"]
    assert [r["channel_id"] for r in list_channels(session, search="Lumen\ud83d").rows] == ["UCb"]
    assert list_channels(session, search="\x00\ud83d").total == 3


def test_search_keeps_blanks_inside_a_name(session) -> None:
    # Channel names are stored as reported, double spaces included: the search must not collapse them.
    session.execute(text("INSERT INTO channel (channel_id, name) VALUES ('UCdj', 'DJ  Snake Official')"))
    session.commit()
    assert [r["channel_id"] for r in list_channels(session, search="  DJ  Snake ").rows] == ["UCdj"]


def test_a_pasted_channel_link_finds_its_channel(session) -> None:
    nova, lumen = "UC" + "n" * 22, "UC" + "l" * 22
    session.execute(
        text("INSERT INTO channel (channel_id, name) VALUES (:a, 'Nova Records'), (:b, 'Lumen Beats')"),
        {"a": nova, "b": lumen},
    )
    session.commit()
    for link in (
        f"https://www.youtube.com/channel/{nova}",
        f"https://www.youtube.com/channel/{nova}/videos",
        f"m.youtube.com/channel/{nova}?view_as=subscriber",
        f"https://studio.youtube.com/channel/{nova}/videos/upload",
    ):
        assert [r["channel_id"] for r in list_channels(session, search=link).rows] == [nova], link
