"""A video's views over time, drawn from the `views` changes of its history."""

from __future__ import annotations

import reflex as rx

# 1,500,000 → "1.5M" on the axis, in the browser's locale.
_COMPACT = "(value) => new Intl.NumberFormat(undefined, {notation: 'compact'}).format(value)"


def views_chart(points: rx.Var[list]) -> rx.Component:
    """An area chart of views per recorded change, or a note when there is nothing to draw."""
    chart = rx.recharts.area_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", opacity=0.4),
        rx.recharts.area(
            data_key="views",
            type_="monotone",
            stroke=rx.color("accent", 9),
            fill=rx.color("accent", 4),
            is_animation_active=False,
            dot=True,
        ),
        rx.recharts.x_axis(data_key="date", min_tick_gap=40),
        rx.recharts.y_axis(width=70, allow_decimals=False, tick_formatter=_COMPACT),
        rx.recharts.graphing_tooltip(),
        data=points,
        width="100%",
        height=320,
    )
    return rx.cond(
        points.length() > 1,
        rx.box(chart, width="100%", id="views-chart"),
        rx.callout(
            "Not enough recorded view counts to draw a chart yet: it grows with every report or sync that "
            "changes the views.",
            icon="chart-line",
            color_scheme="gray",
            variant="surface",
            id="views-chart-empty",
        ),
    )
