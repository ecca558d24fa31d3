"""The sign-in redirect carries the page to come back to, never a `next` nested in another."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from catalog_ui.state.auth import safe_next
from catalog_ui.state.guards import sign_in_path


def _next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/videos", "", "/login?next=/videos"),
        ("/videos/", "", "/login?next=/videos"),
        ("/", "", "/login?next=/"),
        ("/videos", "q=abc&page=2", "/login?next=/videos%3Fq%3Dabc%26page%3D2"),
        # a timer's late refusal: its page's path with the sign-in page's query
        ("/videos", "next=/videos", "/login?next=/videos"),
        ("/videos", "next=%2Fvideos%3Fq%3Dx&page=2", "/login?next=/videos%3Fpage%3D2"),
        ("/reports", "nextpage=3", "/login?next=/reports%3Fnextpage%3D3"),
    ],
)
def test_sign_in_path(path: str, query: str, expected: str) -> None:
    assert sign_in_path(path, query) == expected


def test_signing_in_returns_to_the_page_and_its_query() -> None:
    url = sign_in_path("/videos", "q=a%20b&page=2")
    assert safe_next(_next_of(url)) == "/videos?q=a%20b&page=2"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/ /evil.example",
        "/..//evil.example",  # resolved by the browser: the path //evil.example of this site
        "/.//evil.example",
        "/%2e%2E//evil.example",
        "/videos/.%2e//evil.example",
        "videos",
        "",
        None,
    ],
)
def test_sign_in_never_sends_the_browser_to_another_site(target: str | None) -> None:
    # Browsers read "\" as "/" and drop tabs and line breaks: all of these could leave the site.
    assert safe_next(target) == "/videos"


def test_a_local_path_with_its_query_is_kept() -> None:
    assert safe_next("/videos/abcdefghijk?tab=history") == "/videos/abcdefghijk?tab=history"
