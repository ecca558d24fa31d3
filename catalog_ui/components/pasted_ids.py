"""Above the grid, for a pasted list of ids: how many were found and which found nothing (missing
deliveries), copyable in one click or selectable one a line."""

from __future__ import annotations

import reflex as rx

from catalog_ui.state.videos import PASTED_MISSING_SHOWN, VideosState

S = VideosState


def _missing_id(value: rx.Var[str]) -> rx.Component:
    return rx.code(value, variant="soft", size="1", class_name="pasted-missing-id", white_space="nowrap")


def pasted_ids_callout() -> rx.Component:
    """'37 of 40 ids found', the first ids not found (all of them, selectable, on "Show all"), Copy."""
    some_missing = S.pasted_missing.length() > 0
    return rx.cond(
        S.pasted_label != "",
        rx.callout.root(
            rx.callout.icon(
                rx.cond(some_missing, rx.icon("list-x", size=16), rx.icon("list-checks", size=16))
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(S.pasted_label, size="2", weight="medium", id="pasted-ids-count"),
                    rx.cond(
                        some_missing,
                        rx.hstack(
                            rx.text("Not found:", size="2"),
                            rx.cond(
                                ~S.pasted_all_shown,
                                rx.hstack(
                                    rx.foreach(S.pasted_missing_shown, _missing_id),
                                    wrap="wrap",
                                    spacing="1",
                                    id="pasted-ids-missing",
                                ),
                            ),
                            rx.cond(
                                S.pasted_missing.length() > PASTED_MISSING_SHOWN,
                                rx.button(
                                    rx.cond(
                                        S.pasted_all_shown,
                                        "Show fewer",
                                        "Show all " + S.pasted_missing.length().to_string(),
                                    ),
                                    on_click=S.toggle_pasted_missing,
                                    variant="ghost",
                                    size="1",
                                    id="pasted-ids-show-all",
                                ),
                            ),
                            rx.button(
                                rx.icon("copy", size=14),
                                "Copy",
                                on_click=[
                                    rx.set_clipboard(S.pasted_missing_text),
                                    rx.toast.success("Ids not found copied, one a line."),
                                ],
                                variant="soft",
                                size="1",
                                id="pasted-ids-copy",
                                title="Copy the ids not found, one a line",
                            ),
                            wrap="wrap",
                            spacing="2",
                            align="center",
                        ),
                    ),
                    wrap="wrap",
                    spacing="3",
                    align="center",
                ),
                rx.cond(
                    S.pasted_all_shown,
                    rx.text_area(
                        value=S.pasted_missing_text,
                        read_only=True,
                        rows="6",
                        width="100%",
                        font_family="monospace",
                        id="pasted-ids-missing-all",
                        aria_label="Ids not found, one a line",
                    ),
                ),
                width="100%",
                spacing="2",
            ),
            color_scheme=rx.cond(some_missing, "amber", "green"),
            size="1",
            width="100%",
            margin_bottom="0.5rem",
            id="pasted-ids",
        ),
    )
