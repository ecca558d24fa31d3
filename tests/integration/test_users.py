"""User administration on the real database: roles kept in step, the last admin, lists, sessions, CLI."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from catalog_ui.cli import main
from catalog_ui.models import Role, RolesUsers, User
from catalog_ui.services.auth import (
    WRONG_CREDENTIALS,
    AuthError,
    open_session,
    resolve_session,
    sign_in_password,
)
from catalog_ui.services.firebase_auth import FirebaseIdentity, user_for_identity
from catalog_ui.services.users import (
    LAST_ADMIN,
    UserError,
    create_user,
    list_users,
    open_sessions,
    revoke_session,
    set_active,
    set_admin,
    set_password,
)
from catalog_ui.settings import get_settings

PASSWORD = "correct-horse-42"


def _roles(session: Session, user_id: int) -> list[str]:
    query = (
        select(Role.name)
        .join(RolesUsers, RolesUsers.role_id == Role.id)
        .where(RolesUsers.user_id == user_id)
        .order_by(Role.name)
    )
    return list(session.execute(query).scalars())


def _is_admin(session: Session, user_id: int) -> bool:
    return session.execute(select(User.is_admin).where(User.id == user_id)).scalar_one()


def _disagreements(session: Session) -> int:
    return session.execute(
        text(
            """SELECT count(*) FROM "user" u WHERE u.is_admin <> EXISTS (
                   SELECT 1 FROM roles_users ru JOIN role r ON r.id = ru.role_id
                   WHERE ru.user_id = u.id AND r.name = 'admin')"""
        )
    ).scalar_one()


def test_create_user_gives_roles_and_keeps_is_admin_in_step(session) -> None:
    admin = create_user(session, " Boss@Example.COM ", PASSWORD, admin=True)
    user = create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    assert (admin.email, admin.username, admin.auth_method) == ("boss@example.com", "boss", "flask-security")
    assert _roles(session, admin.id) == ["admin", "user"] and _is_admin(session, admin.id) is True
    assert _roles(session, user.id) == ["user"] and _is_admin(session, user.id) is False
    assert _disagreements(session) == 0


@pytest.mark.parametrize(
    ("email", "password", "kwargs", "message"),
    [
        ("not-an-email", PASSWORD, {}, "'not-an-email' is not a valid e-mail address."),
        ("ana@example.com", PASSWORD, {}, "A user with this e-mail or username already exists."),
        (
            "other@example.com",
            PASSWORD,
            {"username": "ANA"},
            "A user with this e-mail or username already exists.",
        ),
        (
            "x@example.com",
            PASSWORD,
            {"username": "a b"},
            "Usernames have up to 80 letters, digits or . _ + - (no spaces or @).",
        ),
        ("a,b@example.com", PASSWORD, {}, "'a,b@example.com' is not a valid e-mail address."),
        ("x@example..com", PASSWORD, {}, "'x@example..com' is not a valid e-mail address."),
        ("x@example.com.", PASSWORD, {}, "'x@example.com.' is not a valid e-mail address."),
        ("<x>@example.com", PASSWORD, {}, "'<x>@example.com' is not a valid e-mail address."),
        ("nul\x00@example.com", PASSWORD, {}, "'nul\x00@example.com' is not a valid e-mail address."),
        ("a" * 250 + "@x.com", PASSWORD, {}, "E-mail addresses have at most 254 characters."),
        ("x@example.com", None, {}, "A password is needed for password sign-in."),
        ("x@example.com", "short", {}, "Passwords need at least 10 characters."),
    ],
)
def test_create_user_refuses_bad_input_with_a_clear_message(
    session, email, password, kwargs, message
) -> None:
    create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    with pytest.raises(UserError) as raised:
        create_user(session, email, password, **kwargs)
    assert str(raised.value) == message


def test_a_username_taken_from_the_e_mail_is_made_free(session) -> None:
    # The e-mail's local part is the username unless it is taken or holds what usernames cannot.
    create_user(session, "admin@other.org", PASSWORD)
    made = [
        create_user(session, email, None, auth_method="firebase").username
        for email in ("admin@acme.com", "Admin@beta.com", "o'neil@acme.com", "!#$@acme.com")
    ]
    assert made == ["admin-2", "admin-3", "oneil", "user"]
    with pytest.raises(UserError, match="already exists"):
        create_user(session, "new@acme.com", PASSWORD, username="admin-2")  # one chosen is never changed


def test_an_invited_firebase_user_has_no_password(session) -> None:
    user = create_user(session, "fb@example.com", None, auth_method="firebase")
    session.commit()
    assert (user.password, user.firebase_uid, user.auth_method) == (None, None, "firebase")


def test_grant_and_revoke_admin_move_role_and_flag_together(session) -> None:
    create_user(session, "boss@example.com", PASSWORD, admin=True)
    ana = create_user(session, "ana@example.com", PASSWORD)
    set_admin(session, ana.id, True)
    set_admin(session, ana.id, True)  # granting twice changes nothing
    session.commit()
    assert _roles(session, ana.id) == ["admin", "user"] and _is_admin(session, ana.id) is True
    set_admin(session, ana.id, False)
    session.commit()
    assert _roles(session, ana.id) == ["user"] and _is_admin(session, ana.id) is False
    assert _disagreements(session) == 0


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(session) -> None:
    boss = create_user(session, "boss@example.com", PASSWORD, admin=True)
    second = create_user(session, "second@example.com", PASSWORD, admin=True)
    session.commit()
    set_active(session, second.id, False)  # an inactive admin does not count
    session.commit()
    for change in (lambda: set_admin(session, boss.id, False), lambda: set_active(session, boss.id, False)):
        with pytest.raises(UserError) as raised:
            change()
        session.rollback()
        assert str(raised.value) == LAST_ADMIN
    assert _is_admin(session, boss.id) is True
    set_admin(session, second.id, False)  # demoting an inactive admin is fine
    set_active(session, second.id, True)
    set_admin(session, second.id, True)
    set_admin(session, boss.id, False)
    session.commit()
    assert (_is_admin(session, boss.id), _is_admin(session, second.id)) == (False, True)


def _second_waits_for_first(engine, first_step, second_step) -> str:
    """Run `first_step` in one session, uncommitted; `second_step` in another session on a thread, which must
    wait for the first's commit; returns how the second ended ("done" or its UserError's message)."""
    first, second = Session(engine), Session(engine)
    outcome: list[str] = []

    def run_second() -> None:
        try:
            second_step(second)
            second.commit()
            outcome.append("done")
        except UserError as exc:
            second.rollback()
            outcome.append(str(exc))

    first_step(first)
    thread = threading.Thread(target=run_second)
    thread.start()
    try:
        thread.join(1.0)
        assert thread.is_alive()  # waiting on the first session's lock or key
        first.commit()
        thread.join(10)
    finally:
        first.close()
        thread.join(10)
        second.close()
    return outcome[0]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(engine) -> None:
    with Session(engine) as session:
        one = create_user(session, "one@example.com", PASSWORD, admin=True).id
        two = create_user(session, "two@example.com", PASSWORD, admin=True).id
        session.commit()
    outcome = _second_waits_for_first(  # the first holds the admin-role lock until its commit
        engine, lambda first: set_admin(first, one, False), lambda second: set_admin(second, two, False)
    )
    assert outcome == LAST_ADMIN
    with Session(engine) as session:
        assert (_is_admin(session, one), _is_admin(session, two)) == (False, True)


def test_two_admins_creating_one_account_in_two_cases_make_one(engine) -> None:
    # Each checks before its insert and sees nothing; the database's case-insensitive keys let one win.
    outcome = _second_waits_for_first(
        engine,
        lambda first: create_user(first, "ana@example.com", PASSWORD, username="ana"),
        lambda second: create_user(second, "other@example.com", PASSWORD, username="ANA"),
    )
    assert outcome == "A user with this e-mail or username already exists."
    with Session(engine) as session:
        assert session.execute(select(User.username)).scalars().all() == ["ana"]


@pytest.mark.parametrize("column", ["email", "username"])
def test_the_database_refuses_accounts_differing_only_in_case(session, column: str) -> None:
    session.execute(text("""INSERT INTO "user" (email, username) VALUES ('ana@example.com', 'ana')"""))
    other = {"email": "'ANA@example.com', 'other'", "username": "'other@example.com', 'Ana'"}[column]
    with pytest.raises(IntegrityError, match=f"idx_user_{column}_lower"):
        session.execute(text(f'INSERT INTO "user" (email, username) VALUES ({other})'))


def test_list_users_paginates_and_searches_in_sql(session) -> None:
    for n in range(30):
        create_user(session, f"user{n:02d}@example.com", PASSWORD, username=f"user_{n:02d}")
    create_user(session, "a%b@example.com", PASSWORD, username="percent")
    session.commit()
    first = list_users(session, page=1, per_page=25)
    assert (first.total, first.pages, first.page, len(first.rows)) == (31, 2, 1, 25)
    assert first.rows[0].email == "a%b@example.com"
    last = list_users(session, page=9, per_page=25)
    assert (last.page, len(last.rows)) == (2, 6)
    assert [r.email for r in list_users(session, "USER_0").rows][-2:] == [
        "user01@example.com",
        "user00@example.com",
    ]
    assert list_users(session, "USER_0").total == 10
    assert [r.username for r in list_users(session, "%").rows] == ["percent"]
    assert list_users(session, "nobody").rows == []


def test_list_shows_login_tracking_and_open_sessions(session) -> None:
    ana = create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    sign_in_password(session, "ana", PASSWORD, "10.0.0.1", "pytest")
    token, _ = sign_in_password(session, "ana", PASSWORD, "10.0.0.2", "Firefox")
    session.commit()
    (row,) = list_users(session).rows
    assert (row.login_count, row.current_login_ip, row.last_login_ip, row.open_sessions) == (
        2,
        "10.0.0.2",
        "10.0.0.1",
        2,
    )
    sessions = open_sessions(session, ana.id)
    assert sorted((s.ip, s.user_agent) for s in sessions) == [("10.0.0.1", "pytest"), ("10.0.0.2", "Firefox")]
    target = resolve_session(session, token).session_id
    assert revoke_session(session, ana.id, target) is True
    assert revoke_session(session, ana.id, target) is False
    session.commit()
    assert resolve_session(session, token) is None
    assert list_users(session).rows[0].open_sessions == 1


def test_a_new_password_lifts_the_sign_in_lock(session) -> None:
    ana = create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    for n in range(5):
        with pytest.raises(AuthError):
            sign_in_password(session, "ana", f"wrong-{n}-password", "10.0.0.9", None)
        session.rollback()
    set_password(session, ana.id, "fresh-battery-77")
    session.commit()
    sign_in_password(session, "ana", "fresh-battery-77", "10.0.0.8", None)


def test_sessions_past_their_idle_time_are_not_counted_open(session) -> None:
    ana = create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        sign_in_password(session, "ana", PASSWORD, ip, None)
    session.execute(
        text("UPDATE user_session SET last_seen_at = now() - interval '2 days' WHERE ip <> '10.0.0.3'")
    )
    session.commit()
    assert list_users(session).rows[0].open_sessions == 1
    assert [s.ip for s in open_sessions(session, ana.id)] == ["10.0.0.3"]


def test_sign_ins_at_the_same_moment_all_count(engine, session) -> None:
    create_user(session, "ana@example.com", PASSWORD, username="ana")
    session.commit()
    start = threading.Barrier(4)

    def sign_in(n: int) -> None:
        with Session(engine) as own:
            start.wait()
            sign_in_password(own, "ana", PASSWORD, f"10.0.0.{n}", None)
            own.commit()

    workers = [threading.Thread(target=sign_in, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    session.expire_all()
    user = session.execute(select(User).where(User.username == "ana")).scalar_one()
    assert user.login_count == 4
    assert user.last_login_ip is not None and user.last_login_ip != user.current_login_ip


def test_a_login_with_control_characters_is_a_wrong_login(session) -> None:
    with pytest.raises(AuthError) as refused:
        sign_in_password(session, "ana\x00", PASSWORD, None, None)
    assert str(refused.value) == WRONG_CREDENTIALS


def test_cli_asks_the_password_twice(engine, session, capsys, monkeypatch) -> None:
    typed = iter(["fresh-battery-77", "fresh-battery-78"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["create-user", "--email", "ops@example.com"]) == 2
    assert capsys.readouterr().err == "error: The two passwords differ; nothing was changed.\n"

    def no_input(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_input)
    assert main(["create-user", "--email", "ops@example.com"]) == 2
    assert capsys.readouterr().err == "error: No password given.\n"
    assert session.execute(select(User).where(User.email == "ops@example.com")).first() is None


def test_cli_creates_users_and_sets_passwords(engine, session, capsys) -> None:
    assert main(["create-user", "--email", "ops@example.com", "--password", PASSWORD, "--admin"]) == 0
    assert capsys.readouterr().out == "Created admin ops@example.com (username ops).\n"
    user = session.execute(select(User).where(User.email == "ops@example.com")).scalar_one()
    assert _roles(session, user.id) == ["admin", "user"] and user.is_admin is True
    token, _ = open_session(session, user, "10.0.0.1", "pytest", "flask-security")
    session.commit()

    assert main(["set-password", "--login", "ops", "--password", "fresh-battery-77"]) == 0
    assert capsys.readouterr().out == "Password of ops@example.com changed; 1 open session(s) ended.\n"
    assert resolve_session(session, token) is None
    session.expire_all()  # the CLI changed the row in its own session
    sign_in_password(session, "ops", "fresh-battery-77", None, None)

    assert main(["set-password", "--login", "ops", "--password", "short"]) == 2
    assert capsys.readouterr().err == "error: Passwords need at least 10 characters.\n"
    assert main(["set-password", "--login", "ghost", "--password", "fresh-battery-77"]) == 2
    assert capsys.readouterr().err == "error: No user with e-mail or username 'ghost'.\n"


def test_two_first_firebase_sign_ins_at_once_make_one_account(engine, session, monkeypatch) -> None:
    # Two tabs signing in for the first time: the second waits for the first, then finds its account.
    monkeypatch.setenv("FIREBASE_SIGNUP_DOMAINS", '["acme.com"]')
    get_settings.cache_clear()
    start = threading.Barrier(2)
    found: list[int] = []

    def first_sign_in() -> None:
        with Session(engine) as own:
            start.wait()
            found.append(user_for_identity(own, FirebaseIdentity("uid-new", "new@acme.com", True)).id)
            own.commit()

    workers = [threading.Thread(target=first_sign_in) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    get_settings.cache_clear()
    assert len(found) == 2 and found[0] == found[1]
    assert (
        session.execute(select(User).where(User.email == "new@acme.com")).scalar_one().firebase_uid
        == "uid-new"
    )
