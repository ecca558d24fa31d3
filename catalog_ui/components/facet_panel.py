"""The grid's filter panel: value facets with counts, yes/no facets, hidden scope (admins) and ranges.

Counts ignore the facet's own selection, so the other values stay visible to add or switch to; "≈" marks
counts estimated from a sample on big catalogs. Options carry `data-facet`/`data-value` for tests. The
ranges list their counts per publication year and views band under the inputs (`data-range`/
`data-bucket`); a click sets the range to the bucket, a second one clears it.
"""

from __future__ import annotations

import reflex as rx

from catalog_ui.components.cells import clipped_text
from catalog_ui.state.grid_display import ChoiceFacetView, FacetOptionView, ValueFacetView
from catalog_ui.state.range_display import RangeBucketView
from catalog_ui.state.videos import VideosState

S = VideosState


def _section(title: str, *children: rx.Component, value: str) -> rx.Component:
    return rx.accordion.item(
        header=rx.text(title, size="2", weight="medium"),
        content=rx.vstack(*children, spacing="2", width="100%"),
        value=value,
    )


def _option(facet: rx.Var[ValueFacetView], option: rx.Var[FacetOptionView]) -> rx.Component:
    # A label around the row: clicking the value's name toggles it too.
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=option.selected,
                on_change=lambda _checked: S.toggle_value(facet.key, option.value),
                size="1",
                # Named on its own: the label around it names it in Chromium, not in every screen reader.
                aria_label=option.label,
                custom_attrs={"data-facet": facet.key, "data-value": option.value},
                class_name="facet-option",
            ),
            clipped_text(option.label, size="2", color=rx.color("gray", 12), flex="1", min_width="0"),
            rx.text(option.count, size="1", color_scheme="gray", white_space="nowrap"),
            width="100%",
            align="center",
            spacing="2",
        ),
        width="100%",
        cursor="pointer",
    )


def _value_facet(facet: rx.Var[ValueFacetView]) -> rx.Component:
    return rx.accordion.item(
        header=rx.text(facet.label, size="2", weight="medium"),
        content=rx.vstack(
            rx.foreach(facet.options, lambda option: _option(facet, option)),
            rx.cond(facet.options.length() == 0, rx.text("No values", size="1", color_scheme="gray")),
            rx.cond(
                facet.more > 0,
                rx.button(
                    "Show ",
                    facet.more,
                    " more",
                    on_click=S.toggle_facet_expanded(facet.key),
                    variant="ghost",
                    size="1",
                ),
                rx.cond(
                    S.expanded_facets.contains(facet.key),
                    rx.button(
                        "Show fewer", on_click=S.toggle_facet_expanded(facet.key), variant="ghost", size="1"
                    ),
                ),
            ),
            spacing="1",
            width="100%",
            id="facet-" + facet.key,
        ),
        value=facet.key,
    )


# Radix sizes a segmented control at three times its longest answer (min-width: max-content), past the
# panel's edge once a count has five digits ("No · 12,345"), where the panel cuts it off. Here the control
# keeps the panel's width and a long answer wraps inside its segment, its count under its word (see
# `_answer` in state/grid_display.py): the label, and the regular-weight copy Radix lays over it, wrap alike.
_NARROW_SEGMENTS = {
    "min_width": "0",
    "height": "auto",
    "min_height": "var(--space-5)",
    "style": {
        "& .rt-SegmentedControlItemLabel": {
            "position": "relative",
            "white_space": "normal",
            "overflow_wrap": "anywhere",
            "text_align": "center",
            "line_height": "1.2",
            "padding": "2px var(--space-1)",
        },
        "& .rt-SegmentedControlItemLabelInactive": {"left": "var(--space-1)", "right": "var(--space-1)"},
    },
}


def _choice(choice: rx.Var[ChoiceFacetView]) -> rx.Component:
    return rx.vstack(
        rx.text(choice.label, size="1", color_scheme="gray"),
        rx.segmented_control.root(
            rx.segmented_control.item("Any", value="any"),
            rx.segmented_control.item(choice.yes, value="yes"),
            rx.segmented_control.item(choice.no, value="no"),
            value=choice.value,
            on_change=lambda value: S.set_choice(choice.key, value),
            size="1",
            width="100%",
            id="choice-" + choice.key,
            **_NARROW_SEGMENTS,
        ),
        spacing="1",
        width="100%",
    )


def _choices(group: str) -> rx.Component:
    return rx.foreach(S.choice_facets, lambda choice: rx.cond(choice.group == group, _choice(choice)))


def _hidden_scope() -> rx.Component:
    return rx.vstack(
        rx.text("Hidden videos · ", S.hidden_label, size="1", color_scheme="gray"),
        rx.segmented_control.root(
            rx.segmented_control.item("Leave out", value="exclude"),
            rx.segmented_control.item("Include", value="include"),
            rx.segmented_control.item("Only", value="only"),
            value=S.hidden_scope,
            on_change=S.set_hidden_scope,
            size="1",
            width="100%",
            id="hidden-scope",
            **_NARROW_SEGMENTS,
        ),
        spacing="1",
        width="100%",
    )


def _range_input(name: str, value: rx.Var[str], input_type: str, **props: object) -> rx.Component:
    # `key` remounts the input when the value changes elsewhere (a bucket click, back/forward).
    return rx.input(
        type=input_type,
        name=name,
        default_value=value,
        key=value,
        size="1",
        id=name.replace("_", "-"),
        **props,
    )


def _range_form(low: rx.Component, high: rx.Component, on_submit: object, apply_id: str) -> rx.Component:
    return rx.form(
        rx.hstack(low, rx.text("–", size="1"), high, spacing="1", align="center"),
        rx.button("Apply", type="submit", size="1", variant="soft", margin_top="0.25rem", id=apply_id),
        on_submit=on_submit,
        width="100%",
    )


def _ranges() -> list[rx.Component]:
    published = _range_form(
        _range_input("published_from", S.published_from, "date"),
        _range_input("published_to", S.published_to, "date"),
        S.set_published,
        "apply-published",
    )
    views = _range_form(
        _range_input("views_min", S.views_min, "number", min=0, placeholder="min"),
        _range_input("views_max", S.views_max, "number", min=0, placeholder="max"),
        S.set_views,
        "apply-views",
    )
    return [
        _section(
            "Published between (UTC)",
            published,
            _buckets("published", S.published_buckets),
            value="published",
        ),
        _section("Views between", views, _buckets("views", S.views_buckets), value="views"),
    ]


def _buckets(facet: str, buckets: rx.Var[list[RangeBucketView]]) -> rx.Component:
    """A range's counts (per year or views band) under its inputs; a click sets the range to the bucket."""

    def bucket(item: rx.Var[RangeBucketView]) -> rx.Component:
        return rx.button(
            item.label,
            rx.text(item.count, size="1", color_scheme="gray"),
            size="1",
            variant=rx.cond(item.selected, "solid", "soft"),
            color_scheme=rx.cond(item.selected, "indigo", "gray"),
            on_click=S.pick_range(facet, item.low, item.high),
            custom_attrs={"data-range": facet, "data-bucket": item.key, "data-count": item.count},
        )

    return rx.flex(rx.foreach(buckets, bucket), wrap="wrap", gap="0.25rem")


def facet_panel() -> rx.Component:
    """The filter panel beside the grid."""
    return rx.box(
        rx.cond(
            S.counts_estimated,
            rx.text(
                "≈ counts estimated from a sample", size="1", color_scheme="gray", padding_bottom="0.5rem"
            ),
        ),
        rx.accordion.root(
            rx.foreach(S.value_facets, _value_facet),
            _section("Rights and claims", _choices("Rights"), value="rights"),
            _section("Short / live", _choices("Type"), value="type"),
            _section(
                "Flags",
                _choices("Flags"),
                rx.cond(S.user_is_admin, _hidden_scope()),
                value="flags",
            ),
            _section("Monetization", _choices("Monetization"), value="monetization"),
            *_ranges(),
            type="multiple",
            default_value=["privacy", "category", "claim", "flags"],
            variant="ghost",
            width="100%",
        ),
        width="270px",
        min_width="270px",
        # The page fills the window (see pages/videos.py): the panel scrolls on its own beside the grid.
        overflow_y="auto",
        min_height="0",
        padding_right="0.5rem",
        id="facet-panel",
    )
