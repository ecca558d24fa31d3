"""The audit page's state: a period ending on the last day there is reads as "no end", not an error."""

from __future__ import annotations

from sqlmodel import Session

from catalog_ui.services.audit import open_change_set
from catalog_ui.services.auth import open_session
from catalog_ui.services.users import create_user
from catalog_ui.state.audit import AuditState
from tests.states import state_for


def test_a_period_up_to_9999_12_31_lists_the_change_sets(session: Session) -> None:
    user = create_user(session, "ana@example.com", "correct-horse-42")
    open_change_set(session, "user", label="a change", user_id=user.id)
    token = open_session(session, user, "127.0.0.1", "pytest", "flask-security")[0]
    session.commit()
    audit = state_for(AuditState, token)

    AuditState.set_until.fn(audit, "9999-12-31")

    assert (audit.until, audit.error, audit.total) == ("9999-12-31", "", 1)
