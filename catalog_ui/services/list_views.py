"""The views of the list pages (queue, audit, channels, reports) and of the video page, as URLs.

Each view is what its page shows — filters, sort, page, the open item — and parses from and writes to the
page's URL query. Defaults are left out of the URL, so the page's bare address is its default view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote

from catalog_ui.models.audit import CHANGE_SET_KINDS
from catalog_ui.models.queue import TASK_STATUSES, TASK_TYPES
from catalog_ui.models.report import REPORT_STATUSES
from catalog_ui.services.channels import CHANNEL_SORTS
from catalog_ui.services.query_params import QueryReader, non_default, page_url

ALL = "all"
ANY = "any"
FILTER_MAX_CHARS = 200
CHANNEL_SORT = "videos"  # the channels list's default sort
VIDEO_TABS = ("fields", "history", "views", "tasks")
ARCHIVE_TABS = ("history", "views")  # the tabs that may include archived history entries
PAGED_TABS = ("history", "tasks")
FIELD_MAX_CHARS = 64  # a history field's name


def _page(params: list[tuple[str, str]], page: int) -> list[tuple[str, str]]:
    return [*params, ("page", str(page))] if page > 1 else params


@dataclass(frozen=True)
class QueueView:
    """/queue: tasks of a status and type, of one video, queued by one user (e-mail or username)."""

    status: str = ALL
    task_type: str = ALL
    video: str = ""
    creator: str = ""
    page: int = 1

    def url(self) -> str:
        """/queue with this view's query."""
        params = non_default(
            ("status", self.status, ALL),
            ("type", self.task_type, ALL),
            ("video", self.video, ""),
            ("creator", self.creator, ""),
        )
        return page_url("/queue", _page(params, self.page))


def parse_queue_view(query: str) -> tuple[QueueView, list[str]]:
    """The /queue view a URL query names, and messages about the values ignored."""
    reader = QueryReader(query)
    view = QueueView(
        status=reader.choice("status", TASK_STATUSES, ALL),
        task_type=reader.choice("type", TASK_TYPES, ALL),
        video=reader.text("video", FILTER_MAX_CHARS),
        creator=reader.text("creator", FILTER_MAX_CHARS),
        page=reader.page(),
    )
    return view, reader.problems


@dataclass(frozen=True)
class AuditView:
    """/audit: change sets of a kind, by a user, between two local days; the open change set and its page."""

    kind: str = ANY
    user: str = ANY  # a user id, or "any"
    since: str = ""  # YYYY-MM-DD
    until: str = ""
    page: int = 1
    change_set: int | None = None
    entries_page: int = 1  # the open change set's page of videos

    def url(self) -> str:
        """/audit with this view's query."""
        params = _page(
            non_default(
                ("kind", self.kind, ANY),
                ("user", self.user, ANY),
                ("since", self.since, ""),
                ("until", self.until, ""),
            ),
            self.page,
        )
        if self.change_set is not None:
            params.append(("change_set", str(self.change_set)))
            if self.entries_page > 1:
                params.append(("entries", str(self.entries_page)))
        return page_url("/audit", params)


def parse_audit_view(query: str) -> tuple[AuditView, list[str]]:
    """The /audit view a URL query names, and messages about the values ignored."""
    reader = QueryReader(query)
    user = reader.identifier("user")
    view = AuditView(
        kind=reader.choice("kind", CHANGE_SET_KINDS, ANY),
        user=ANY if user is None else str(user),
        since=reader.day("since"),
        until=reader.day("until"),
        page=reader.page(),
        change_set=reader.identifier("change_set"),
        entries_page=reader.page("entries"),
    )
    if view.change_set is None:
        view = replace(view, entries_page=1)
    return view, reader.problems


@dataclass(frozen=True)
class ChannelsView:
    """/channels: a search by name or id, a sort, a page."""

    search: str = ""
    sort: str = CHANNEL_SORT
    page: int = 1

    def url(self) -> str:
        """/channels with this view's query."""
        params = non_default(("q", self.search, ""), ("sort", self.sort, CHANNEL_SORT))
        return page_url("/channels", _page(params, self.page))


def parse_channels_view(query: str) -> tuple[ChannelsView, list[str]]:
    """The /channels view a URL query names, and messages about the values ignored."""
    reader = QueryReader(query)
    view = ChannelsView(
        search=reader.text("q", FILTER_MAX_CHARS, keep_blanks=True),  # names are matched as stored
        sort=reader.choice("sort", CHANNEL_SORTS, CHANNEL_SORT),
        page=reader.page(),
    )
    return view, reader.problems


@dataclass(frozen=True)
class ReportsView:
    """/reports: reports of one status, a page."""

    status: str = ALL
    page: int = 1

    def url(self) -> str:
        """/reports with this view's query."""
        return page_url("/reports", _page(non_default(("status", self.status, ALL)), self.page))


def parse_reports_view(query: str) -> tuple[ReportsView, list[str]]:
    """The /reports view a URL query names, and messages about the values ignored."""
    reader = QueryReader(query)
    view = ReportsView(status=reader.choice("status", REPORT_STATUSES, ALL), page=reader.page())
    return view, reader.problems


@dataclass(frozen=True)
class VideoView:
    """/videos/<id>: the tab shown; on the history tab the field its entries touch, on the history and views
    tabs whether archived entries count, on the history and tasks tabs the page. A value the tab does not
    show is left out of its URL."""

    video_id: str
    tab: str = VIDEO_TABS[0]
    field: str = ALL
    archived: bool = False
    page: int = 1

    def url(self) -> str:
        """The video page with this view's query (the fields tab is the bare address)."""
        params = non_default(("tab", self.tab, VIDEO_TABS[0]))
        if self.tab == "history":
            params += non_default(("field", self.field, ALL))
        if self.tab in ARCHIVE_TABS and self.archived:
            params.append(("archived", "1"))
        if self.tab in PAGED_TABS:
            params = _page(params, self.page)
        return page_url(f"/videos/{quote(self.video_id, safe='')}", params)


def parse_video_view(video_id: str, query: str) -> tuple[VideoView, list[str]]:
    """The view of video `video_id`'s page a URL query names, and messages about the values ignored."""
    reader = QueryReader(query)
    view = VideoView(
        video_id,
        tab=reader.choice("tab", VIDEO_TABS, VIDEO_TABS[0]),
        field=reader.text("field", FIELD_MAX_CHARS) or ALL,
        archived=reader.flag("archived"),
        page=reader.page(),
    )
    return view, reader.problems
