"""What a catalog team pastes into a search box: YouTube links, ids in the forms reports carry, lists."""

from __future__ import annotations

import pytest

from catalog_ui.services import report_columns
from catalog_ui.services.video_search import MAX_IDS, SearchTerms, identifier_terms, upc_forms
from catalog_ui.services.youtube_links import (
    HandleRef,
    channel_handle_from_text,
    channel_id_from_link,
    handle_url,
    video_id_from_link,
)

VIDEO = "dQw4w9WgXcQ"
CHANNEL = "UCuAXFkgsw1L7xaCfnd5JJOw"


@pytest.mark.parametrize(
    "link",
    [
        f"https://www.youtube.com/watch?v={VIDEO}",
        f"https://www.youtube.com/watch?v={VIDEO}&t=10s",
        f"https://www.youtube.com/watch?list=PL123&v={VIDEO}&index=3",
        f"http://youtube.com/watch?v={VIDEO}",
        f"https://youtu.be/{VIDEO}",
        f"https://youtu.be/{VIDEO}?si=AbC&t=42",
        f"youtu.be/{VIDEO}",
        f"https://www.youtube.com/shorts/{VIDEO}",
        f"https://youtube.com/shorts/{VIDEO}?feature=share",
        f"https://m.youtube.com/watch?v={VIDEO}",
        f"https://music.youtube.com/watch?v={VIDEO}&list=RDAMVM",
        f"https://studio.youtube.com/video/{VIDEO}/edit",
        f"https://studio.youtube.com/video/{VIDEO}/analytics/tab-overview/period-default",
        f"www.youtube.com/live/{VIDEO}",
        f"https://www.youtube.com/embed/{VIDEO}?start=5",
        f"https://www.youtube-nocookie.com/embed/{VIDEO}",
        f"HTTPS://WWW.YouTube.COM/watch?v={VIDEO}",
    ],
)
def test_a_video_link_gives_its_video_id(link: str) -> None:
    assert video_id_from_link(link) == VIDEO


@pytest.mark.parametrize(
    "text",
    [
        VIDEO,
        "golden hearts",
        "https://example.com/watch?v=" + VIDEO,
        "https://youtube.com.evil.example/watch?v=" + VIDEO,
        "https://www.youtube.com/watch",
        "https://www.youtube.com/watch?v=",
        "https://www.youtube.com/watch?v=abc'--",
        f"https://www.youtube.com/channel/{CHANNEL}",
        "https://www.youtube.com/@SomeArtist",
        "ftp://youtube.com/watch?v=" + VIDEO,
        "https://[youtube.com/watch?v=x",
        "",
    ],
)
def test_anything_else_is_no_video_link(text: str) -> None:
    assert video_id_from_link(text) is None


@pytest.mark.parametrize(
    "link",
    [
        f"https://www.youtube.com/channel/{CHANNEL}",
        f"https://www.youtube.com/channel/{CHANNEL}/videos",
        f"youtube.com/channel/{CHANNEL}?view_as=subscriber",
        f"https://m.youtube.com/channel/{CHANNEL}",
        f"https://studio.youtube.com/channel/{CHANNEL}/videos/upload",
    ],
)
def test_a_channel_link_gives_its_channel_id(link: str) -> None:
    assert channel_id_from_link(link) == CHANNEL


@pytest.mark.parametrize(
    "text",
    [
        CHANNEL,
        "https://www.youtube.com/@SomeArtist",
        f"https://youtu.be/{VIDEO}",
        "https://www.youtube.com/channel/x",
    ],
)
def test_anything_else_is_no_channel_link(text: str) -> None:
    assert channel_id_from_link(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "@SomeArtist",
        "  @SomeArtist ",
        "https://www.youtube.com/@SomeArtist",
        "https://www.youtube.com/@SomeArtist/videos",
        "https://www.youtube.com/@SomeArtist/featured?si=abc",
        "youtube.com/@SomeArtist/videos",
        "www.youtube.com/@SomeArtist",
        "https://m.youtube.com/@SomeArtist",
        "HTTPS://WWW.YOUTUBE.COM/@SomeArtist",
    ],
)
def test_a_handle_or_handle_link_gives_its_handle(text: str) -> None:
    assert channel_handle_from_text(text) == HandleRef("SomeArtist")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("https://www.youtube.com/c/SomeName", "SomeName"),
        ("youtube.com/c/SomeName/videos", "SomeName"),
        ("https://www.youtube.com/user/SomeName", "SomeName"),
        ("https://www.youtube.com/C/SomeName", "SomeName"),
    ],
)
def test_a_legacy_custom_url_gives_its_name(text: str, name: str) -> None:
    assert channel_handle_from_text(text) == HandleRef(name, legacy=True)


def test_a_handle_in_another_script_or_percent_encoded_is_read() -> None:
    assert channel_handle_from_text("@José.Sato-1") == HandleRef("José.Sato-1")
    assert channel_handle_from_text("https://www.youtube.com/@Jos%C3%A9Sato") == HandleRef("JoséSato")


@pytest.mark.parametrize(
    "text",
    [
        "@ab",  # shorter than a handle (3)
        "@" + "a" * 31,  # longer (30)
        "@some artist",
        "@some/artist",
        "ana@example.com",
        "@",
        "SomeArtist",
        "https://example.com/@SomeArtist",
        "https://youtu.be/@SomeArtist",
        "https://www.youtube.com/c/",
        f"https://www.youtube.com/channel/{CHANNEL}",
        f"https://www.youtube.com/watch?v={VIDEO}",
        "https://www.youtube.com/results?search_query=@SomeArtist",
    ],
)
def test_anything_else_is_no_handle(text: str) -> None:
    assert channel_handle_from_text(text) is None


def test_a_handle_is_compared_lower_cased_and_a_legacy_name_with_or_without_its_at() -> None:
    assert HandleRef("SomeArtist").forms() == ("@someartist",)
    assert HandleRef("SomeName", legacy=True).forms() == ("@somename", "somename")


def test_a_stored_handle_links_to_its_youtube_page() -> None:
    assert handle_url("@someartist") == "https://www.youtube.com/@someartist"
    assert handle_url("somename") == "https://www.youtube.com/c/somename"  # a legacy custom URL
    assert handle_url(None) == handle_url("") == ""


# -- the search box's terms --------------------------------------------------------------------------------


def test_one_id_typed_alone_may_be_a_prefix() -> None:
    terms = SearchTerms.parse("NOVA-2024")
    assert terms.ids == ("NOVA-2024",) and terms.prefix and terms.words == ("NOVA-2024",)


def test_a_link_is_its_video_id_and_no_words() -> None:
    terms = SearchTerms.parse(f"https://www.youtube.com/watch?v={VIDEO}&t=10s")
    assert terms.video_ids == (VIDEO,) and terms.ids == () and terms.words == ()


@pytest.mark.parametrize(
    "pasted",
    [
        "aaa\nbbb\nccc",
        "aaa\r\nbbb\r\nccc\r\n",
        "aaa, bbb, ccc",
        "aaa,bbb,ccc",
        "aaa bbb ccc",
        "aaa;bbb;ccc",
        "aaa\tbbb\tccc",
        '"aaa"\n"bbb"\n"ccc"',
        "aaa\n\nbbb\n  ccc  \n",
    ],
)
def test_a_pasted_list_is_each_id_exactly(pasted: str) -> None:
    terms = SearchTerms.parse(pasted)
    assert terms.ids[:3] == ("aaa", "bbb", "ccc") and not terms.prefix


def test_a_pasted_list_of_links_and_ids() -> None:
    terms = SearchTerms.parse(
        f"https://youtu.be/{VIDEO}\nNOVA-7\nhttps://studio.youtube.com/video/abcdefghijk/edit"
    )
    assert terms.video_ids == (VIDEO, "abcdefghijk") and terms.ids == ("NOVA-7",) and terms.words == ()


@pytest.mark.parametrize(
    "text", ["@SomeArtist", "https://www.youtube.com/@SomeArtist/videos", "youtube.com/user/SomeArtist"]
)
def test_a_handle_is_its_channel_and_no_words_nor_ids(text: str) -> None:
    terms = SearchTerms.parse(text)
    assert [ref.name for ref in terms.handles] == ["SomeArtist"]
    assert terms.words == () and terms.ids == () and terms.video_ids == ()


def test_a_channel_link_is_its_channel_and_no_words() -> None:
    terms = SearchTerms.parse(f"https://www.youtube.com/channel/{CHANNEL}/videos")
    assert terms.channel_ids == (CHANNEL,) and terms.words == () and terms.ids == ()


def test_a_pasted_list_of_handles_and_ids() -> None:
    terms = SearchTerms.parse(f"@Nova\nhttps://youtube.com/@Lumen\nNOVA-7\nhttps://youtu.be/{VIDEO}")
    assert terms.handles == (HandleRef("Nova"), HandleRef("Lumen"))
    assert terms.ids == ("NOVA-7",) and terms.video_ids == (VIDEO,) and terms.words == ()


def test_a_pasted_list_is_bounded() -> None:
    terms = SearchTerms.parse("\n".join(f"id{i:05d}" for i in range(1000)))
    assert len(terms.ids) <= MAX_IDS + 1  # and the whole text, too long to be an id, is left out


# -- ids in the forms ingestion stores them ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["us-rc1-23-45678", "US-RC1-23-45678", "usrc12345678", "US RC1 23 45678"])
def test_an_isrc_is_looked_for_as_ingestion_stores_it(typed: str) -> None:
    stored = report_columns.isrc(typed)
    assert stored == "USRC12345678"
    terms = SearchTerms.parse(typed)
    assert any(stored in identifier_terms(token)["isrc"] for token in terms.ids)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("012345678905", "012345678905"),  # as reported
        ("0 12345 67890 5", "012345678905"),  # in groups
        ("0-12345-67890-5", "012345678905"),  # with hyphens
        ("12345678905", "012345678905"),  # a spreadsheet dropped the leading zero
        ("0012345678905", "012345678905"),  # the same code as an EAN-13
        ("012345678905", "0012345678905"),  # … and the other way round
        ("0987654321098", "0987654321098"),
        ("987654321098", "0987654321098"),
        ("012345678905", "12345678905"),  # stored without its zero (kept as reported, flagged)
    ],
)
def test_a_upc_is_looked_for_with_and_without_leading_zeros(typed: str, stored: str) -> None:
    terms = SearchTerms.parse(typed)
    assert any(stored in identifier_terms(token)["upc"] for token in terms.ids), terms


def test_a_short_number_is_not_padded_into_a_upc() -> None:
    assert upc_forms("0042") == ("0042",)
    assert upc_forms("abc") == ()


def test_a_upc_as_ingestion_stores_it_is_among_the_forms_typed() -> None:
    for typed in ("0 12345 67890 5", "0-12345-67890-5", "012345678905"):
        assert report_columns.upc(typed) in upc_forms(typed)
