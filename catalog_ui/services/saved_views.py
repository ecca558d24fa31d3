"""Saved grid views (a name for a URL query) and each user's grid preferences (columns, page size).

A user sees their own views and the shared ones; only admins share (the caller passes the role, checked
on the server). A view's name is unique per owner (after blanks are collapsed, case kept): saving a name the
user already has is refused with `SavedViewExists` unless the caller passes `replace=True`, which the grid
does only once the user confirmed. Another user's shared view of the same name is a different view.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session

from catalog_ui.models import GridPreference, SavedView, User, utc_now
from catalog_ui.services.grid_columns import clean_columns
from catalog_ui.services.grid_view import PAGE_SIZES, clean_text

NAME_MAX_CHARS = 100
QUERY_MAX_CHARS = 8_000
MAX_VIEWS_LISTED = 200


class SavedViewError(ValueError):
    """A saved-view action that cannot be done; the message is for the user."""


class SavedViewExists(SavedViewError):
    """The user already has a view of that name: saving again replaces it only when asked to."""

    def __init__(self, name: str, shared: bool) -> None:
        super().__init__(f"You already have a view called “{name}”.")
        self.name, self.shared = name, shared


@dataclass(frozen=True)
class SavedViewItem:
    """A saved view as the menu lists it."""

    id: int
    name: str
    query: str
    shared: bool
    mine: bool
    owner: str


def list_views(session: Session, user_id: int) -> list[SavedViewItem]:
    """The user's own views and every shared view, by name."""
    rows = session.execute(
        select(SavedView, User.email)
        .join(User, User.id == SavedView.user_id)
        .where(or_(SavedView.user_id == user_id, SavedView.shared.is_(True)))
        .order_by(SavedView.name, SavedView.id)
        .limit(MAX_VIEWS_LISTED)
    ).all()
    return [
        SavedViewItem(view.id, view.name, view.query, view.shared, view.user_id == user_id, email)
        for view, email in rows
    ]


def view_name(name: str | None) -> str:
    """`name` as a view is saved under (blanks collapsed, trimmed): two names are the same when these are."""
    return clean_text(name, NAME_MAX_CHARS + 1)


def save_view(
    session: Session,
    user_id: int,
    name: str,
    query: str,
    *,
    shared: bool = False,
    is_admin: bool = False,
    replace: bool = False,
) -> SavedView:
    """Save the user's view called `name`; sharing needs the admin role. When the user already has a view
    of that name, it is replaced only with `replace`, else `SavedViewExists` is raised."""
    name = view_name(name)
    if not name:
        raise SavedViewError("Give the view a name.")
    if len(name) > NAME_MAX_CHARS:
        raise SavedViewError(f"View names are limited to {NAME_MAX_CHARS} characters.")
    if shared and not is_admin:
        raise SavedViewError("Only admins can share a view with everybody.")
    query = (query or "").lstrip("?")
    if len(query) > QUERY_MAX_CHARS:
        raise SavedViewError("This view is too long to save; remove some filters.")
    view = session.execute(
        select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name)
    ).scalar_one_or_none()
    if view is None:
        view = SavedView(user_id=user_id, name=name, query=query, shared=shared)
        session.add(view)
    elif not replace:
        raise SavedViewExists(name, view.shared)
    else:
        view.query, view.shared, view.updated_at = query, shared, utc_now()
    session.flush()
    return view


def get_view(session: Session, user_id: int, view_id: int) -> SavedView:
    """A view the user may open (their own or a shared one)."""
    view = session.get(SavedView, view_id)
    if view is None or (view.user_id != user_id and not view.shared):
        raise SavedViewError("That saved view no longer exists.")
    return view


def _check_may_delete(view: SavedView, user_id: int, is_admin: bool) -> None:
    """Only the owner deletes a view; admins also delete the shared views of others."""
    if view.user_id != user_id and not (is_admin and view.shared):
        raise SavedViewError("You can only delete your own views.")


def view_to_delete(session: Session, user_id: int, view_id: int, *, is_admin: bool = False) -> SavedViewItem:
    """The view the user asks to delete, to name it (and its owner) in the confirmation; refused when the
    user may not delete it or it is gone."""
    view = get_view(session, user_id, view_id)
    _check_may_delete(view, user_id, is_admin)
    owner = session.get(User, view.user_id)
    email = owner.email if owner is not None else ""
    return SavedViewItem(view.id, view.name, view.query, view.shared, view.user_id == user_id, email)


def delete_view(session: Session, user_id: int, view_id: int, *, is_admin: bool = False) -> None:
    """Delete one of the user's views (admins may also delete shared views of others)."""
    view = session.get(SavedView, view_id)
    if view is None:
        return
    _check_may_delete(view, user_id, is_admin)
    session.delete(view)
    session.flush()


def get_preference(session: Session, user_id: int) -> tuple[tuple[str, ...], int] | None:
    """The user's remembered (columns, page size), or None when they never chose."""
    pref = session.get(GridPreference, user_id)
    if pref is None:
        return None
    per_page = pref.per_page if pref.per_page in PAGE_SIZES else PAGE_SIZES[0]
    return clean_columns(pref.columns), per_page


def save_preference(session: Session, user_id: int, columns: tuple[str, ...], per_page: int) -> None:
    """Remember the user's columns and page size (one row per user, replaced)."""
    values = {
        "user_id": user_id,
        "columns": list(clean_columns(columns)),
        "per_page": per_page if per_page in PAGE_SIZES else PAGE_SIZES[0],
        "updated_at": utc_now(),
    }
    statement = pg_insert(GridPreference).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[GridPreference.user_id],
        set_={
            "columns": statement.excluded.columns,
            "per_page": statement.excluded.per_page,
            "updated_at": statement.excluded.updated_at,
        },
    )
    session.execute(statement)
