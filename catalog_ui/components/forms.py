"""Small pieces shared by the app's forms and dialogs."""

from __future__ import annotations

import json

import reflex as rx


def field_label(text: str, for_id: str) -> rx.Component:
    """A form field's visible label, tied to its input (`for_id`): clicking it focuses the input, and
    screen readers and Playwright's `get_by_label` find the input by it."""
    return rx.el.label(rx.text(text, size="2", weight="medium", as_="span"), html_for=for_id)


def error_callout(message: rx.Var[str], element_id: str) -> rx.Component:
    """A red callout with `message`, shown only while it is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, color_scheme="red", icon="triangle-alert", id=element_id, width="100%"),
    )


def dialog_buttons(submit_label: str, submit_id: str) -> rx.Component:
    """A form dialog's footer: Cancel (closes it) and the submit button."""
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
        rx.button(submit_label, type="submit", id=submit_id),
        justify="end",
        width="100%",
    )


def alert_buttons(
    cancel_label: str,
    action: rx.Component,
    *,
    on_cancel: object = None,
    cancel_id: str | None = None,
    **props: object,
) -> rx.Component:
    """An alert dialog's footer, at its right: a grey button that closes it without acting (`on_cancel`
    runs too, when given) and `action`, the button that closes it and acts."""
    handlers = {"on_click": on_cancel} if on_cancel is not None else {}
    cancel = rx.button(cancel_label, variant="soft", color_scheme="gray", id=cancel_id, **handlers)
    return rx.hstack(
        rx.alert_dialog.cancel(cancel), rx.alert_dialog.action(action), justify="end", spacing="3", **props
    )


# Radix gives focus back to a dialog's `Dialog.Trigger` when the dialog closes. Ours mostly open from the
# server (`open=` a state var, set by a row's button, a menu item or a bulk action) and have no trigger, so
# Radix focused nothing: focus fell to <body> and a keyboard user started again from the top of the page.
# The content remembers what had focus when it opened (Radix calls `onOpenAutoFocus` before moving focus
# in) and puts focus back there when it closes, if that element is still on the page.
_REMEMBER_OPENER = rx.vars.FunctionStringVar.create(
    "((event) => { event.target.catalogOpener = document.activeElement; })"
)


def _focus_opener(fallback_id: str | None) -> rx.Var:
    fallback = f"document.getElementById({json.dumps(fallback_id)})" if fallback_id else "null"
    return rx.vars.FunctionStringVar.create(
        f"((event) => {{ const back = [event.target.catalogOpener, {fallback}].find("
        "(element) => element && element !== document.body && element.isConnected);"
        " if (back) { event.preventDefault(); back.focus(); } })"
    )


def returns_focus(fallback_id: str | None = None) -> dict[str, rx.Var]:
    """Props for a `dialog.content` or `alert_dialog.content` opened without a trigger: closing it (Escape,
    a button, a click outside) puts focus back on the control that had it when the dialog opened, or on
    `fallback_id` when that control is gone: a button inside a popover (the saved views') closes with it,
    and focus then goes to the button that opens the popover."""
    return {"on_open_auto_focus": _REMEMBER_OPENER, "on_close_auto_focus": _focus_opener(fallback_id)}
