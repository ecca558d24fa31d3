"""The list pages' views read from and written to their URLs: round trips, defaults left out, bad values
ignored with a message (never an error)."""

from __future__ import annotations

import pytest

from catalog_ui.services.list_views import (
    AuditView,
    ChannelsView,
    QueueView,
    ReportsView,
    VideoView,
    parse_audit_view,
    parse_channels_view,
    parse_queue_view,
    parse_reports_view,
    parse_video_view,
)
from catalog_ui.services.query_params import QueryReader, page_url, parse_day


def test_default_views_are_the_bare_addresses() -> None:
    assert QueueView().url() == "/queue"
    assert AuditView().url() == "/audit"
    assert ChannelsView().url() == "/channels"
    assert ReportsView().url() == "/reports"
    assert VideoView("dQw4w9WgXcQ").url() == "/videos/dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("view", "url", "parse"),
    [
        (
            QueueView(
                status="failed", task_type="metadata_sync", video="abc", creator="bo@example.com", page=3
            ),
            "/queue?status=failed&type=metadata_sync&video=abc&creator=bo%40example.com&page=3",
            parse_queue_view,
        ),
        (
            AuditView(
                kind="bulk",
                user="7",
                since="2025-01-02",
                until="2025-02-03",
                page=2,
                change_set=12,
                entries_page=3,
            ),
            "/audit?kind=bulk&user=7&since=2025-01-02&until=2025-02-03&page=2&change_set=12&entries=3",
            parse_audit_view,
        ),
        (
            ChannelsView(search="Nova Beats", sort="name", page=4),
            "/channels?q=Nova+Beats&sort=name&page=4",
            parse_channels_view,
        ),
        (ReportsView(status="error", page=2), "/reports?status=error&page=2", parse_reports_view),
    ],
)
def test_a_view_survives_its_url(view, url: str, parse) -> None:
    assert view.url() == url
    assert parse(url.split("?", 1)[1]) == (view, [])


@pytest.mark.parametrize(
    ("view", "url"),
    [
        (VideoView("a b/c", tab="history"), "/videos/a%20b%2Fc?tab=history"),
        (
            VideoView("v1", tab="history", field="views", archived=True, page=3),
            "/videos/v1?tab=history&field=views&archived=1&page=3",
        ),
        (VideoView("v1", tab="views", archived=True), "/videos/v1?tab=views&archived=1"),
        (VideoView("v1", tab="tasks", page=2), "/videos/v1?tab=tasks&page=2"),
    ],
)
def test_a_video_view_survives_its_url(view: VideoView, url: str) -> None:
    assert view.url() == url
    assert parse_video_view(view.video_id, url.split("?", 1)[1]) == (view, [])


def test_a_video_tab_leaves_out_what_it_does_not_show() -> None:
    assert VideoView("v1", field="views", archived=True, page=4).url() == "/videos/v1"
    assert VideoView("v1", tab="tasks", field="views", archived=True).url() == "/videos/v1?tab=tasks"
    assert VideoView("v1", tab="views", field="views", page=4).url() == "/videos/v1?tab=views"


def test_bad_video_view_values_are_dropped_and_said() -> None:
    assert parse_video_view("v1", "") == (VideoView("v1"), [])
    view, problems = parse_video_view("v1", "tab=secrets&archived=maybe&page=0&field=%20views%20")
    assert view == VideoView("v1", field="views")
    assert [p.split(" in the address")[0] for p in problems] == [
        "Ignored tab='secrets'",
        "Ignored archived='maybe'",
        "Ignored page='0'",
    ]
    assert problems[0].endswith("use one of history, views, tasks.")
    assert parse_video_view("v1", "tab=history&archived=no")[0] == VideoView("v1", tab="history")
    assert parse_video_view("v1", "tab=history&archived=TRUE")[0].archived


def test_bad_queue_values_are_dropped_and_said() -> None:
    view, problems = parse_queue_view("status=exploded&type=mining&page=-2&video=%20abc%20&creator=")
    assert view == QueueView(video="abc")
    assert len(problems) == 3
    assert problems[0].startswith("Ignored status='exploded' in the address: use one of pending,")
    assert "type='mining'" in problems[1]
    assert problems[2] == "Ignored page='-2' in the address: use a page number from 1."


def test_an_audit_entries_page_belongs_to_an_open_change_set() -> None:
    assert parse_audit_view("entries=3") == (AuditView(), [])
    assert AuditView(entries_page=3).url() == "/audit"
    assert AuditView(change_set=5).url() == "/audit?change_set=5"


def test_bad_audit_values_are_dropped_and_said() -> None:
    view, problems = parse_audit_view("kind=coup&user=me&since=2025-13-01&until=yesterday&change_set=1e3")
    assert view == AuditView()
    assert [p.split(" in the address")[0] for p in problems] == [
        "Ignored user='me'",
        "Ignored kind='coup'",
        "Ignored since='2025-13-01'",
        "Ignored until='yesterday'",
        "Ignored change_set='1e3'",
    ]


def test_bad_channels_and_reports_values_are_dropped_and_said() -> None:
    view, problems = parse_channels_view("sort=loudest&q=%00nova%20%20beats&page=0")
    assert view == ChannelsView(
        search="nova  beats"
    )  # blanks inside kept: a channel name is matched as stored
    assert len(problems) == 2
    view, problems = parse_reports_view("status=lost&page=two")
    assert view == ReportsView()
    assert len(problems) == 2


def test_values_are_bounded() -> None:
    view, _ = parse_queue_view(f"video={'x' * 500}&page={10**30}")
    assert len(view.video) == 200
    assert view.page == 1_000_000
    view, problems = parse_audit_view(f"change_set={10**30}")
    assert view.change_set is None and problems


def test_the_reader_takes_the_first_value_and_ignores_blanks() -> None:
    reader = QueryReader("status=failed&status=pending&page=&q=%20")
    assert reader.choice("status", ("failed", "pending"), "all") == "failed"
    assert reader.page() == 1
    assert reader.text("q") == ""
    assert reader.day("since") == ""
    assert reader.identifier("change_set") is None
    assert reader.problems == []


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-03-05", "2025-03-05"),
        (" 2025-03-05 ", "2025-03-05"),
        ("", ""),
        (None, ""),
        ("20250305", None),
        ("2025-02-30", None),
        ("2025-03-05T10:00", None),
    ],
)
def test_parse_day(value: str | None, day: str | None) -> None:
    assert parse_day(value) == day


def test_page_url() -> None:
    assert page_url("/x", []) == "/x"
    assert page_url("/x", [("q", "a&b"), ("page", "2")]) == "/x?q=a%26b&page=2"
