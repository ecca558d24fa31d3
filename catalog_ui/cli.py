"""`python -m catalog_ui <command>`: operators' commands (migrate, users, demo data, ingest, archive, worker,
run)."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from catalog_ui.logging_setup import configure_logging
from catalog_ui.settings import InvalidSettings, get_settings


def _migrate(_: argparse.Namespace) -> int:
    from catalog_ui import migrations

    migrations.upgrade()
    print("Database is at the newest schema.")
    return 0


def _ask_password(prompt: str) -> str:
    """A password typed twice at the terminal; UserError when the two differ or input ends (Ctrl-D)."""
    from catalog_ui.services.users import UserError

    try:
        password = getpass.getpass(f"{prompt}: ")
        again = getpass.getpass(f"{prompt} (again): ")
    except (EOFError, KeyboardInterrupt):
        raise UserError("No password given.") from None
    if password != again:
        raise UserError("The two passwords differ; nothing was changed.")
    return password


def _create_user(args: argparse.Namespace) -> int:
    from catalog_ui.db import session_scope
    from catalog_ui.services.users import UserError, create_user

    try:
        password = args.password or _ask_password("Password")
        with session_scope() as session:
            user = create_user(session, args.email, password, username=args.username, admin=args.admin)
            print(f"Created {'admin' if args.admin else 'user'} {user.email} (username {user.username}).")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _set_password(args: argparse.Namespace) -> int:
    from catalog_ui.db import session_scope
    from catalog_ui.services.auth import find_user_by_login
    from catalog_ui.services.users import UserError, set_password

    try:
        with session_scope() as session:
            user = find_user_by_login(session, args.login)
            if user is None:
                raise UserError(f"No user with e-mail or username '{args.login}'.")
            password = args.password or _ask_password("New password")
            ended = set_password(session, user.id, password)
            print(f"Password of {user.email} changed; {ended} open session(s) ended.")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def ensure_first_admin() -> str | None:
    """Create the first admin when there is none; returns the sign-in line to print, or None.

    Idempotent across processes: when another instance started at the same time (or `create-user
    --admin`) committed an admin while this one was creating its own, this one returns None.
    Raises UserError naming ADMIN_PASSWORD or ADMIN_EMAIL when the settings' account cannot be created."""
    from catalog_ui.db import session_scope
    from catalog_ui.services.users import UserError, admin_exists, create_user, validate_password

    settings = get_settings()
    with session_scope() as session:
        if admin_exists(session):
            return None
        configured = settings.admin_password.get_secret_value() if settings.admin_password else None
        if configured:
            try:
                validate_password(configured, email=settings.admin_email, username="admin")
            except UserError as exc:
                raise UserError(f"ADMIN_PASSWORD: {exc}") from None
        password = configured or secrets.token_urlsafe(12)
        try:
            user = create_user(
                session, settings.admin_email, password, username="admin", admin=True, via="first start-up"
            )
        except UserError as exc:
            if admin_exists(session):  # committed by another process while we checked: nothing to do
                return None
            raise UserError(f"ADMIN_EMAIL: {exc}") from None
    shown = "(from ADMIN_PASSWORD)" if configured else password
    return f"First admin created: sign in as {user.email} (or 'admin') with password {shown}"


def _demo_data(args: argparse.Namespace) -> int:
    from catalog_ui.services.demo_data import write_demo_reports

    try:
        for path in write_demo_reports(Path(args.out), videos=args.videos, seed=args.seed):
            print(path)
    except OSError as exc:
        print(f"error: cannot write the demo reports to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from catalog_ui.ingest_cli import ingest_location

    return ingest_location(args.location)


def _archive(args: argparse.Namespace) -> int:
    from catalog_ui.db import get_engine
    from catalog_ui.services.archive import archive_history, retention_cutoff

    days = get_settings().history_retention_days if args.days is None else args.days
    cutoff = retention_cutoff(days)  # None only for HISTORY_RETENTION_DAYS=0: --days is at least 1
    if cutoff is None:
        print("History is kept live (HISTORY_RETENTION_DAYS=0): nothing to archive.")
        return 0
    moved = archive_history(get_engine(), cutoff)
    print(f"{moved:,} history entries older than {days} days moved to the archive.")
    return 0


def _worker(args: argparse.Namespace) -> int:
    from workers.main import run_worker

    return run_worker(processes=args.processes, threads=args.threads)


def _run(args: argparse.Namespace) -> int:
    from catalog_ui.launcher import run_app
    from catalog_ui.services.users import UserError

    videos = get_settings().demo_videos if args.demo_videos is None else args.demo_videos
    try:
        return run_app(demo_videos=videos)
    except UserError as exc:  # the first admin's settings
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _settings(args: argparse.Namespace) -> int:
    if args.markdown:
        from catalog_ui.settings_doc import settings_markdown

        print(settings_markdown())
        return 0
    for name, value in get_settings().masked().items():
        print(f"{name.upper()}={value}")  # secrets and passwords inside URLs print as ***
    return 0


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum` (argparse prints the one-line refusal)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="python -m catalog_ui", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="upgrade the database to the newest schema").set_defaults(
        func=_migrate
    )

    user = commands.add_parser("create-user", help="create a user (asks for the password when not given)")
    user.add_argument("--email", required=True)
    user.add_argument("--username")
    user.add_argument("--password", help="prefer the prompt: arguments end up in shell history")
    user.add_argument("--admin", action="store_true", help="grant the admin role")
    user.set_defaults(func=_create_user)

    reset = commands.add_parser("set-password", help="set a user's password and end their sessions")
    reset.add_argument("--login", "--email", dest="login", required=True, help="e-mail or username")
    reset.add_argument("--password", help="prefer the prompt: arguments end up in shell history")
    reset.set_defaults(func=_set_password)

    demo = commands.add_parser("demo-data", help="write demo CMS Videos reports (gzip CSV)")
    demo.add_argument("--videos", type=_at_least(0), default=5000)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--out", default="demo-reports")
    demo.set_defaults(func=_demo_data)

    ingest = commands.add_parser(
        "ingest", help="ingest a report: a local PATH or s3://bucket/key (Ctrl-C stops it, back to pending)"
    )
    ingest.add_argument("location")
    ingest.set_defaults(func=_ingest)

    archive = commands.add_parser(
        "archive", help="move history entries older than the retention period to the archive now"
    )
    archive.add_argument("--days", type=_at_least(1), default=None, help="default: HISTORY_RETENTION_DAYS")
    archive.set_defaults(func=_archive)

    worker = commands.add_parser("worker", help="run Dramatiq workers and the scheduler")
    worker.add_argument("--processes", type=_at_least(1), default=1)
    worker.add_argument("--threads", type=_at_least(1), default=4)
    worker.set_defaults(func=_worker)

    run = commands.add_parser(
        "run", help="migrate, create the first admin, load the demo, start app + worker"
    )
    run.add_argument("--demo-videos", type=_at_least(0), default=None, help="default: DEMO_VIDEOS")
    run.set_defaults(func=_run)

    shown = commands.add_parser("settings", help="print the settings in force (secrets masked)")
    shown.add_argument("--markdown", action="store_true", help="print the README's table of all settings")
    shown.set_defaults(func=_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code (2: an operator's mistake, told in one line)."""
    args = build_parser().parse_args(argv)
    try:
        configure_logging()
        return args.func(args)
    except InvalidSettings as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except Exception as exc:
        from catalog_ui.db import unreachable_reason

        reason = unreachable_reason(exc)
        if reason is None:
            raise
        print(f"error: {reason}", file=sys.stderr)
        return 1
