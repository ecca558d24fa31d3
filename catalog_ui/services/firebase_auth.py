"""Firebase sign-in: verify the browser's ID token with firebase-admin and map it to a Catalog user.

A token maps to the user holding its `firebase_uid`; else to the user with its verified e-mail, who is then
linked (the uid is stored and `auth_method` becomes 'firebase'). Anyone else is refused, unless their
verified e-mail's domain is in FIREBASE_SIGNUP_DOMAINS: then an account with the `user` role is created.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

import firebase_admin
from firebase_admin import auth as firebase
from firebase_admin.exceptions import FirebaseError
from sqlalchemy import func, select
from sqlmodel import Session

from catalog_ui.models import User
from catalog_ui.services.auth import AuthError, Principal, open_session
from catalog_ui.services.locks import lock_login
from catalog_ui.services.users import UserError, create_user
from catalog_ui.settings import get_settings

log = logging.getLogger(__name__)

APP_NAME = "catalog"
INVALID_TOKEN = "Firebase sign-in failed or expired; please sign in again."
NOT_CONFIGURED = "Firebase sign-in is not configured."
_app_lock = threading.Lock()


@dataclass(frozen=True)
class FirebaseIdentity:
    """What a verified ID token says about its holder."""

    uid: str
    email: str | None
    email_verified: bool


@dataclass(frozen=True)
class FirebaseConfig:
    """What the browser SDK needs (all public values)."""

    api_key: str
    auth_domain: str
    project_id: str
    emulator_url: str


def browser_config() -> FirebaseConfig | None:
    """The Web SDK configuration, or None when Firebase sign-in is not configured."""
    settings = get_settings()
    if not settings.firebase_enabled:
        return None
    emulator = settings.firebase_auth_emulator_host
    return FirebaseConfig(
        api_key=settings.firebase_api_key or "",
        auth_domain=settings.firebase_auth_domain or f"{settings.firebase_project_id}.firebaseapp.com",
        project_id=settings.firebase_project_id or "",
        emulator_url=f"http://{emulator}" if emulator else "",
    )


def _app() -> firebase_admin.App:
    settings = get_settings()
    if settings.firebase_auth_emulator_host:
        # firebase-admin reads the emulator address from the environment only.
        os.environ.setdefault("FIREBASE_AUTH_EMULATOR_HOST", settings.firebase_auth_emulator_host)
    with _app_lock:
        try:
            return firebase_admin.get_app(APP_NAME)
        except ValueError:
            return firebase_admin.initialize_app(
                options={"projectId": settings.firebase_project_id}, name=APP_NAME
            )


def verify_id_token(id_token: str) -> FirebaseIdentity:
    """Check signature, audience, expiry and revocation of `id_token`; raises AuthError when it fails."""
    if not get_settings().firebase_enabled:
        raise AuthError(NOT_CONFIGURED)
    try:
        claims: dict[str, Any] = firebase.verify_id_token(id_token, app=_app(), check_revoked=True)
    except firebase.UserDisabledError as exc:
        raise AuthError("This Firebase account is disabled.") from exc
    except (ValueError, firebase.InvalidIdTokenError, firebase.UserNotFoundError) as exc:
        log.warning("refused a Firebase ID token: %s", type(exc).__name__)
        raise AuthError(INVALID_TOKEN) from exc
    except FirebaseError as exc:
        log.error("could not check a Firebase ID token: %s", exc)
        raise AuthError("Firebase could not be reached to check the sign-in; try again shortly.") from exc
    email = claims.get("email")
    return FirebaseIdentity(
        uid=claims["uid"],
        email=email.strip().lower() if email else None,
        email_verified=bool(claims.get("email_verified")),
    )


def _signup_allowed(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1]
    return domain in {d.strip().lower().lstrip("@") for d in get_settings().firebase_signup_domains}


def user_for_identity(session: Session, identity: FirebaseIdentity) -> User:
    """The Catalog user of a verified Firebase identity (linking or creating it); raises AuthError."""
    user = session.execute(select(User).where(User.firebase_uid == identity.uid)).scalars().first()
    if user is None:
        if not identity.email or not identity.email_verified:
            raise AuthError("Verify your e-mail address with Firebase first, then sign in again.")
        # One first sign-in per e-mail at a time (two tabs, two processes): the second waits, then finds
        # the account the first one linked or created, instead of creating it again.
        lock_login(session, f"firebase:{identity.email}")
        user = session.execute(select(User).where(User.firebase_uid == identity.uid)).scalars().first()
    if user is None:
        user = (
            session.execute(select(User).where(func.lower(User.email) == identity.email).with_for_update())
            .scalars()
            .first()
        )
        if user is not None and user.firebase_uid:
            raise AuthError(f"{identity.email} is linked to another Firebase account.")
        if user is None:
            if not _signup_allowed(identity.email):
                raise AuthError(
                    f"There is no Catalog account for {identity.email}. Ask an admin to invite you."
                )
            try:
                user = create_user(
                    session, identity.email, None, auth_method="firebase", via="Firebase sign-up"
                )
            except UserError as exc:
                raise AuthError(str(exc)) from exc
            log.info("created %s on first Firebase sign-in (allowed domain)", identity.email)
        user.firebase_uid = identity.uid
        user.auth_method = "firebase"
        session.add(user)
        session.flush()
    if not user.active:
        raise AuthError("This Catalog account is deactivated. Ask an admin to reactivate it.")
    return user


def sign_in_firebase(
    session: Session, id_token: str, ip: str | None = None, user_agent: str | None = None
) -> tuple[str, Principal]:
    """Verify a Firebase ID token and open a session for its user; raises AuthError with a clear message."""
    identity = verify_id_token(id_token)
    user = user_for_identity(session, identity)
    return open_session(session, user, ip, user_agent, "firebase")
