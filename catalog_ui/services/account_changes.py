"""The trail of account administration: who created an account, granted or revoked the admin role,
deactivated or reactivated it, set its password or ended its sessions, and when.

`services.users` records every change it makes here, in the same transaction (a refused change, such as
demoting the last admin, records nothing; neither does one that changes nothing). The actor is the admin
who did it (`by`, a user id) or, without one, how it was done (`via`: the command line, a Firebase
sign-up). The e-mails are copied into the entry, so it still reads after an account is deleted. Admins
read it on /users (`list_changes`, one page at a time, newest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from catalog_ui.models import AccountChange, User
from catalog_ui.services.paging import page_count

COMMAND_LINE = "command line"
# How each action reads in the list, after the actor and before the account ("ana made bo an admin").
ACTION_TEXT = {
    "created": "created the account",
    "admin_granted": "granted the admin role",
    "admin_revoked": "revoked the admin role",
    "deactivated": "deactivated the account",
    "reactivated": "reactivated the account",
    "password_set": "set a new password",
    "sessions_revoked": "ended sessions",
}


@dataclass(frozen=True)
class AccountChangeRow:
    """One entry of the trail as /users lists it."""

    id: int
    created_at: datetime
    actor: str
    action: str
    user_email: str
    detail: str


@dataclass(frozen=True)
class AccountChangePage:
    rows: list[AccountChangeRow]
    total: int
    page: int
    pages: int


def record(
    session: Session,
    action: str,
    user: User,
    *,
    by: int | None,
    via: str = COMMAND_LINE,
    detail: str | None = None,
) -> None:
    """Add one entry: `by` (an admin's user id; else `via` says how) did `action` to `user`."""
    if action not in ACTION_TEXT:
        raise ValueError(f"unknown account action {action!r}")
    actor = session.get(User, by) if by is not None else None
    session.add(
        AccountChange(
            actor_id=by if actor is not None else None,
            actor=actor.email if actor is not None else via,
            user_id=user.id,
            user_email=user.email,
            action=action,
            detail=(detail or None) and detail[:255],
        )
    )
    session.flush()


def list_changes(
    session: Session, page: int = 1, per_page: int = 25, *, user_id: int | None = None
) -> AccountChangePage:
    """One page of the trail (newest first), of every account or of `user_id`'s."""
    condition = AccountChange.user_id == user_id if user_id is not None else AccountChange.id.is_not(None)
    total = session.execute(select(func.count()).select_from(AccountChange).where(condition)).scalar_one()
    pages = page_count(total, per_page)
    page = min(max(1, page), pages)
    entries = session.execute(
        select(AccountChange)
        .where(condition)
        .order_by(AccountChange.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).scalars()
    rows = [
        AccountChangeRow(e.id, e.created_at, e.actor, ACTION_TEXT[e.action], e.user_email, e.detail or "")
        for e in entries
    ]
    return AccountChangePage(rows, total, page, pages)
