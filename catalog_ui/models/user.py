"""Accounts: the `user` and `role` tables and their `roles_users` join table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

from catalog_ui.models.base import NOW, TIMESTAMPTZ, in_check, utc_now

AUTH_METHODS = ("flask-security", "firebase")
DEFAULT_ROLES = {"admin": "Administrators: manage users, hide and administer videos", "user": "Catalog team"}


class RolesUsers(SQLModel, table=True):
    """Membership of a user in a role (composite primary key, cascading with either side)."""

    __tablename__ = "roles_users"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    role_id: int = Field(
        sa_column=Column(Integer, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    )


class Role(SQLModel, table=True):
    """A named role: `admin` or `user`."""

    __tablename__ = "role"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    description: str | None = Field(default=None, sa_type=String(255))


class User(SQLModel, table=True):
    """A person who signs in, by password (argon2) or through Firebase."""

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(in_check("auth_method", AUTH_METHODS), name="auth_method_allowed"),
        # Sign-in matches e-mails and usernames in any case, so `Ana` and `ana` must be one account.
        Index("idx_user_email_lower", text("lower(email)"), unique=True),
        Index("idx_user_username_lower", text("lower(username)"), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(255), nullable=False, unique=True))
    username: str = Field(sa_column=Column(String(255), nullable=False, unique=True))
    password: str | None = Field(default=None, sa_type=String(255))
    firebase_uid: str | None = Field(default=None, sa_column=Column(String(128), unique=True, nullable=True))
    auth_method: str = Field(
        default="flask-security", sa_type=String(20), sa_column_kwargs={"server_default": "flask-security"}
    )
    is_admin: bool = Field(
        default=False, sa_column_kwargs={"server_default": "false"}
    )  # mirrors the admin role
    active: bool = Field(default=True, sa_column_kwargs={"server_default": "true"})

    current_login_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    last_login_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    current_login_ip: str | None = Field(default=None, sa_type=String(100))
    last_login_ip: str | None = Field(default=None, sa_type=String(100))
    login_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )


class UserSession(SQLModel, table=True):
    """A signed-in browser: only the token's SHA-256 is stored; the browser keeps the token itself.

    A sign-in opens the session with a hand-off ticket (its SHA-256 and expiry here): until the browser
    redeems the ticket, which gives it the token in an HttpOnly cookie, the session signs nobody in."""

    __tablename__ = "user_session"
    __table_args__ = (
        Index("idx_user_session_user", "user_id"),
        Index("idx_user_session_token", "token_hash", unique=True),
        Index("idx_user_session_ticket", "ticket_hash", unique=True),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    token_hash: str = Field(sa_type=String(64), nullable=False)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False))
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    last_seen_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    expires_at: datetime = Field(sa_type=TIMESTAMPTZ, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)
    ip: str | None = Field(default=None, sa_type=String(100))
    user_agent: str | None = Field(default=None, sa_type=String(500))
    auth_method: str = Field(default="flask-security", sa_type=String(20))
    ticket_hash: str | None = Field(default=None, sa_type=String(64))
    ticket_expires_at: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins counted per key (`account:<login>` or `ip:<address>`), shared by every process."""

    __tablename__ = "login_throttle"

    key: str = Field(sa_column=Column(String(300), primary_key=True))
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    window_started_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    locked_until: datetime | None = Field(default=None, sa_type=TIMESTAMPTZ)


ACCOUNT_ACTIONS = (
    "created",
    "admin_granted",
    "admin_revoked",
    "deactivated",
    "reactivated",
    "password_set",
    "sessions_revoked",
)


class AccountChange(SQLModel, table=True):
    """Who changed which account, how and when: creation, the admin role, (de)activation, a password set,
    sessions ended. The e-mails are kept as they were, so an entry still reads after an account is
    renamed or deleted (its ids are then NULL)."""

    __tablename__ = "account_change"
    __table_args__ = (
        CheckConstraint(in_check("action", ACCOUNT_ACTIONS), name="action_allowed"),
        Index("idx_account_change_user", "user_id"),
        Index("idx_account_change_actor", "actor_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    created_at: datetime = Field(
        default_factory=utc_now, sa_type=TIMESTAMPTZ, sa_column_kwargs={"server_default": NOW}
    )
    actor_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    )
    actor: str = Field(sa_type=String(255), nullable=False)  # the admin's e-mail, or how it was done
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    )
    user_email: str = Field(sa_type=String(255), nullable=False)
    action: str = Field(sa_type=String(30), nullable=False)
    detail: str | None = Field(default=None, sa_type=String(255))
