"""Route /channels: the content owner's channels with their catalog totals."""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import local_time
from catalog_ui.components.layout import page_frame
from catalog_ui.components.pagination import pagination
from catalog_ui.components.search_note import search_note
from catalog_ui.state.channels import ChannelsState


def _row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["name"], href="/videos?channel=" + row["channel_id"], class_name="channel-link")
        ),
        rx.table.cell(
            rx.cond(
                row["handle"] != "",
                rx.link(
                    row["handle"],
                    href=row["handle_url"],
                    is_external=True,
                    class_name="channel-handle",
                    aria_label="Open " + row["handle"] + " on YouTube",
                ),
            )
        ),
        rx.table.cell(rx.code(row["channel_id"], variant="ghost")),
        rx.table.cell(row["videos"], text_align="right"),
        rx.table.cell(row["catalog_views"], text_align="right"),
        rx.table.cell(row["subscriber_count"], text_align="right"),
        rx.table.cell(row["country"]),
        rx.table.cell(local_time(row["updated_at"])),
        class_name="channel-row",
    )


def channels_page() -> rx.Component:
    """Search, sort and page through the channels."""
    return page_frame(
        "Channels",
        rx.hstack(
            rx.input(
                placeholder="Search channels by name, id, handle or link",
                default_value=ChannelsState.search,  # uncontrolled: see ChannelsState.search_key
                key=ChannelsState.search_key,
                on_change=ChannelsState.set_search.debounce(300),
                width="24rem",
                id="channel-search",
                aria_label="Search channels",
            ),
            rx.select.root(
                rx.select.trigger(id="channel-sort", aria_label="Sort channels by"),
                rx.select.content(
                    rx.select.item("Most videos", value="videos"),
                    rx.select.item("Most views", value="views"),
                    rx.select.item("Most subscribers", value="subscribers"),
                    rx.select.item("Name", value="name"),
                ),
                value=ChannelsState.sort,
                on_change=ChannelsState.set_sort,
            ),
            padding_bottom="0.75rem",
        ),
        search_note(ChannelsState.note, "channel-search-note"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(label)
                        for label in (
                            "Channel",
                            "Handle",
                            "Channel ID",
                            "Videos",
                            "Views",
                            "Subscribers",
                            "Country",
                            "Updated",
                        )
                    ]
                )
            ),
            rx.table.body(rx.foreach(ChannelsState.rows, _row)),
            variant="surface",
            size="1",
            width="100%",
            id="channel-grid",
        ),
        pagination(
            ChannelsState.page,
            ChannelsState.pages,
            ChannelsState.total_label,
            ChannelsState.prev_page,
            ChannelsState.next_page,
        ),
    )
