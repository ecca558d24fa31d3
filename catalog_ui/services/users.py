"""User accounts: create users, grant roles, find the first admin."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlmodel import Session

from catalog_ui.models import Role, RolesUsers, User
from catalog_ui.services.passwords import hash_password

MIN_PASSWORD_LENGTH = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    """A user-facing problem with account data (bad e-mail, weak password, taken name)."""


def validate_password(password: str) -> None:
    """Raise UserError with a clear message when `password` is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if password.strip() == "" or len(set(password)) < 4:
        raise UserError("This password is too easy to guess; mix more different characters.")


def create_user(
    session: Session,
    email: str,
    password: str | None,
    *,
    username: str | None = None,
    admin: bool = False,
    auth_method: str = "flask-security",
) -> User:
    """Create a user with the `user` role (and `admin` when asked); the password is hashed with argon2id."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise UserError(f"'{email}' is not a valid e-mail address.")
    username = (username or email.split("@", 1)[0]).strip()
    taken = session.execute(
        select(User.id).where(
            (func.lower(User.email) == email) | (func.lower(User.username) == username.lower())
        )
    ).first()
    if taken:
        raise UserError("A user with this e-mail or username already exists.")
    if password is not None:
        validate_password(password)
    user = User(
        email=email,
        username=username,
        password=hash_password(password) if password else None,
        auth_method=auth_method,
        is_admin=admin,
    )
    session.add(user)
    session.flush()
    for role_name in ("user", "admin") if admin else ("user",):
        session.add(RolesUsers(user_id=user.id, role_id=role_id(session, role_name)))
    session.flush()
    return user


def role_id(session: Session, name: str) -> int:
    """The id of role `name` (created by the first migration)."""
    return session.execute(select(Role.id).where(Role.name == name)).scalar_one()


def admin_exists(session: Session) -> bool:
    """True when at least one user holds the admin role."""
    query = select(RolesUsers.user_id).join(Role, Role.id == RolesUsers.role_id).where(Role.name == "admin")
    return session.execute(query.limit(1)).first() is not None
