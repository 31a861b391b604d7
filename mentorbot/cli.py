"""`mentorbot run | serve | migrate | tick | purge`: the command people and deployments type.

Heavy imports wait until a subcommand needs them, so a settings mistake is reported at once.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import FrameType

from sqlalchemy.exc import ArgumentError, OperationalError

from bot.clock import FixedClock
from mentorbot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("mentorbot")

USAGE_ERROR = 2


def _fail(problems: Sequence[str], *, code: int = USAGE_ERROR) -> int:
    print("mentorbot can't start:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return code


def _parse_now(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an ISO-8601 time; try 2026-03-02T09:00:00+01:00"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="mentorbot", description="A Slack companion for mentoring programs."
    )
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="migrate the database, then run the bot (no Slack tokens: the sandbox)"
    )
    commands.add_parser(
        "serve",
        help="production HTTP: gunicorn with WEB_CONCURRENCY workers, /readyz and /metrics, "
        "graceful on SIGTERM",
    )
    commands.add_parser("migrate", help="bring the database schema up to date and exit")
    tick = commands.add_parser("tick", help="deliver what is due once, then exit (for cron)")
    tick.add_argument("--now", type=_parse_now, help="act as of this ISO-8601 instant")
    tick.add_argument("--dry-run", action="store_true", help="list what would go out; send nothing")
    purge = commands.add_parser(
        "purge", help="delete the data of workspaces that uninstalled, once retention is over"
    )
    purge.add_argument("--now", type=_parse_now, help="act as of this ISO-8601 instant")
    purge.add_argument(
        "--team", type=_team_id, help="purge this removed workspace at once, before retention ends"
    )
    purge.add_argument("--dry-run", action="store_true", help="list what would go; delete nothing")
    return root


def _team_id(value: str) -> str:
    if not re.fullmatch(r"[TE][A-Z0-9]{1,31}", value):
        raise argparse.ArgumentTypeError(f"'{value}' is not a Slack workspace ID (like T012AB3C4)")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        return _fail(error.problems)
    from mentorbot.logs import configure_logging

    configure_logging(settings)
    try:
        if args.command == "serve":
            return serve(settings)
        if args.command == "migrate":
            return migrate(settings)
        if args.command == "tick":
            return tick(settings, now=args.now, dry_run=args.dry_run)
        if args.command == "purge":
            return purge(settings, now=args.now, team=args.team, dry_run=args.dry_run)
        return run(settings)
    except ArgumentError:
        return _fail(
            [
                "DATABASE_URL: not a database URL SQLAlchemy understands "
                "(sqlite:///path.db or postgresql://user@host/db)"
            ]
        )
    except OperationalError as error:
        return _fail([f"DATABASE_URL: can't use the database: {error.orig or error}"], code=1)


def migrate(settings: Settings) -> int:
    from storage import connect
    from storage.crypto import Cipher

    database = connect(settings.database_url)
    database.use_cipher(Cipher(settings.mentorbot_encryption_key))  # 0015 encrypts with it
    database.migrate()
    print("The database is up to date.")
    database.dispose()
    return 0


def tick(settings: Settings, *, now: datetime | None, dry_run: bool) -> int:
    """One dispatch as of ``now``: needs the database and Slack's Web API, not the Bolt app."""
    from handlers.coordination.usergroups import SlackUserGroups
    from handlers.pair_channels.slack_connect import SlackConnectApi
    from mentorbot.services import build_services
    from mentorbot.wiring import (
        build_messenger,
        dispatcher_clients,
        freeze_start_up,
        slack_link,
    )
    from storage import connect
    from storage.crypto import Cipher

    at = now or datetime.now(UTC)
    if not dry_run:
        problems = [p for p in settings.missing_for_slack() if "SIGNING_SECRET" not in p]
        if problems:
            return _fail(problems)
    link = slack_link(settings)
    if not dry_run and not link.attempt():  # nothing could go out, and retries would pile up
        return _fail([f"SLACK_API_URL: {link.problem()} ({settings.slack_api_url})"], code=1)
    database = connect(settings.database_url)
    database.use_cipher(Cipher(settings.mentorbot_encryption_key))  # 0015 encrypts with it
    database.migrate()
    client_for, clients = dispatcher_clients(settings, database)
    services = build_services(
        database,
        settings,
        clock=FixedClock(at),
        messenger=build_messenger(client_for, clients),
        user_groups=SlackUserGroups(client_for),
        slack_connect=SlackConnectApi(client_for),
        home_team=(lambda: None) if settings.oauth_mode else (lambda: link.team_id or None),
    )
    freeze_start_up()
    try:
        if dry_run:
            due = services.dispatcher.preview(at)
            print(f"{len(due)} due as of {at.isoformat()}:")
            for message in due:
                print(f"  {message.due_at.isoformat()}  {message.kind:<28} -> {message.recipient}")
            return 0
        report = services.dispatcher.run_once(at)
        print(
            f"as of {at.isoformat()}: sent {report.sent}, jobs {report.jobs}, retrying "
            f"{report.retried}, failed {report.failed}, dropped {report.dropped}, "
            f"held for working hours {report.held}"
        )
        for key, error in report.failures:
            print(f"  failed {key}: {error}")
        for purged in services.workspaces.purge_due(at):  # cron deployments have no scheduler
            print(f"purged removed workspace {purged.team_id}: {purged.total} rows")
        return 0
    finally:
        database.dispose()


def purge(settings: Settings, *, now: datetime | None, team: str | None, dry_run: bool) -> int:
    """Delete removed workspaces' data: those past retention as of ``now``, or ``team`` now."""
    from bot.errors import NotFound
    from bot.workspaces.service import WorkspaceService
    from mentorbot.services import sql_unit_of_work
    from storage import connect
    from storage.crypto import Cipher

    at = now or datetime.now(UTC)
    database = connect(settings.database_url)
    database.use_cipher(Cipher(settings.mentorbot_encryption_key))  # 0015 encrypts with it
    database.migrate()
    workspaces = WorkspaceService(
        uow=sql_unit_of_work(database),
        clock=FixedClock(at),
        retention=timedelta(days=settings.mentorbot_retention_days),
    )
    try:
        removals = workspaces.removals()
        if team is not None:
            chosen = [r for r in removals if r.team_id == team]
            if not chosen:
                return _fail(
                    [
                        f"--team {team}: not a removed workspace (only a workspace that "
                        "uninstalled the app is purged); removed now: "
                        + (", ".join(r.team_id for r in removals) or "none")
                    ]
                )
        else:
            chosen = [r for r in removals if r.purge_after <= at]
        waiting = [r for r in removals if r not in chosen]
        if dry_run:
            print(f"{len(chosen)} workspace(s) would be purged as of {at.isoformat()}:")
            for removal in chosen:
                print(f"  {removal.team_id}  removed {removal.removed_at.isoformat()}")
        else:
            for removal in chosen:
                try:
                    report = workspaces.purge(removal.team_id)
                except NotFound:  # reinstalled in the meantime
                    print(f"{removal.team_id}: came back, nothing purged")
                    continue
                if not report.rows:
                    print(f"{removal.team_id}: installed again, nothing purged")
                    continue
                detail = ", ".join(f"{t} {n}" for t, n in sorted(report.rows.items()))
                print(f"purged {report.team_id}: {report.total} rows ({detail})")
            if not chosen:
                print(f"nothing to purge as of {at.isoformat()}")
        for removal in waiting:
            print(f"  kept: {removal.team_id} until {removal.purge_after.isoformat()}")
        return 0
    finally:
        database.dispose()


def serve(settings: Settings) -> int:
    problems = settings.missing_for_slack()
    if settings.socket_mode:
        problems.append(
            "SLACK_APP_TOKEN is set: `mentorbot serve` answers Slack over HTTP; unset it "
            "(and point the app's request URLs at /slack/events) or use `mentorbot run`."
        )
    if problems:
        return _fail(problems)
    from mentorbot.serve import serve as serve_forever

    serve_forever(settings)  # gunicorn ends the process itself when it stops
    return 0


def run(settings: Settings) -> int:
    from mentorbot.sandbox import run_sandbox, wants_sandbox

    if wants_sandbox(settings):  # no Slack tokens: the bot against a local Slack, with a page
        return run_sandbox(settings)
    problems = settings.missing_for_slack()
    if problems:
        return _fail(problems)
    from bot.when import warm_up
    from mentorbot.wiring import build_runtime

    runtime = build_runtime(settings)  # one token: its workspace is reinstated once Slack answers
    runtime.services.rhythm.plan_missing_later()  # older pairs: planned by the dispatcher
    warm_up()  # dateparser's first parse loads its data: not while Slack waits for an ack
    runtime.start_scheduler()

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("connecting to Slack in Socket Mode")
            SocketModeHandler(runtime.app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
        else:
            import waitress

            log.info("listening on http://%s:%d/slack/events", settings.host, settings.port)
            if settings.oauth_mode:
                log.info("installing into workspaces at /slack/install (OAuth)")
            waitress.serve(
                runtime.wsgi(),
                host=settings.host,
                port=settings.port,
                threads=8,
                asyncore_use_poll=True,  # select() refuses descriptors past 1024
                # waitress buffers a body before the app sees it: cap it there too
                max_request_body_size=settings.mentorbot_max_body_bytes,
            )
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        runtime.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
