"""`mentorbot run` with no Slack tokens: the real bot against a local Slack, and a page to use it.

The bot is built exactly as for Slack (``build_runtime``: same handlers, services, scheduler,
database), with ``SLACK_API_URL`` pointing at ``sandbox.slack.LocalSlack`` and a random
signing secret the page's requests are signed with. It runs as a distributable app (OAuth
mode, random client credentials and encryption key): each company of the sandbox, Acme and
Globex, is installed through the bot's own install pages and Bolt's OAuth flow, so each has
its own bot token in the local Slack and, sealed, in the database. The one sandbox-only hook
is here, in wiring: the bot's clock is a ``SandboxClock`` the page can move forward, and
moving it runs the dispatcher at each due instant on the way, as the scheduler would have.
"""

from __future__ import annotations

import io
import logging
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

import waitress.server
from cryptography.fernet import Fernet

from bot.when import warm_up
from mentorbot.http import StartResponse, WSGIApp, wsgi_app
from mentorbot.settings import Settings
from mentorbot.wiring import INSTALL_PATH, REDIRECT_PATH, Runtime, build_runtime
from sandbox.clock import SandboxClock
from sandbox.sample import SEED_WEEKS, next_working_morning, seed_sample_program
from sandbox.slack import LocalSlack
from sandbox.slack.records import first_install_answer
from sandbox.web import sandbox_app
from sandbox.workspace import COMPANIES, PROGRAM_CHANNEL, SAMPLE_PEOPLE, Company, Workspace
from storage import Database
from storage.models.base import Base

log = logging.getLogger("mentorbot.sandbox")

LOOPBACK = "127.0.0.1"
SANDBOX_DATABASE = "mentorbot-sandbox.db"
MAX_STEPS = 2000  # due instants walked through in one jump of the clock
USAGE_ERROR = 2
CLIENT_ID = "1000000000.2000000000"  # the sandbox app's; its secret is random each run


def wants_sandbox(settings: Settings) -> bool:
    """No Slack tokens and no OAuth credentials: no workspace to talk to, so the sandbox."""
    return not (
        settings.slack_bot_token
        or settings.slack_app_token
        or settings.slack_client_id
        or settings.slack_client_secret
    )


def sandbox_settings(
    settings: Settings, *, api_url: str, signing_secret: str, client_secret: str = ""
) -> Settings:
    """The bot's settings, pointed at the local Slack with the sample companies' people.

    Installed by OAuth into each company, as a distributable app is: client credentials and
    a key to seal each workspace's token, all made up for this run. Each company's
    coordinator is named with their workspace (``T0ACME:U0COORD``), as OAuth mode requires.
    Without an explicit ``DATABASE_URL`` the sandbox has its own SQLite file, started afresh
    each run (the local Slack keeps messages in memory, so old rows would point at nothing).
    """
    update: dict[str, Any] = {
        "slack_bot_token": None,
        "slack_app_token": None,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": client_secret or secrets.token_hex(16),
        "mentorbot_encryption_key": Fernet.generate_key().decode(),
        "slack_signing_secret": signing_secret,
        "slack_api_url": api_url,
        "mentorbot_coordinators": [
            f"{p.team}:{p.id}" for p in SAMPLE_PEOPLE if p.role == "coordinator"
        ],
        "mentorbot_program_channel": PROGRAM_CHANNEL[0],
        # One person clicking through: posts in the order they were queued, across
        # conversations too, as the page lists them (nothing to gain from several in flight).
        "mentorbot_outbox_sends_in_flight": 1,
    }
    if "database_url" not in settings.model_fields_set:
        update["database_url"] = f"sqlite:///{SANDBOX_DATABASE}"
    return settings.model_copy(update=update)


def opening_time(now: datetime) -> datetime:
    """When the page opens: the acting person's next working morning, not the wall clock
    (at 00:07 everything would be "at night", and working-hours holds would look broken)."""
    return next_working_morning(now, SAMPLE_PEOPLE[0].tz)


def _forget_everything(database: Database) -> None:
    """ "Start over empty": every row of the program goes; the schema stays."""
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@dataclass(frozen=True)
class _Page:
    status: int
    headers: dict[str, str]
    text: str


def _browse(app: WSGIApp, path: str, *, query: str = "", cookie: str = "") -> _Page:
    """A browser's GET of one of the bot's pages, handed to its WSGI app in-process: the
    install runs before the port serves anything."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": LOOPBACK,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": LOOPBACK,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        answered["status"] = int(status.split(maxsplit=1)[0])
        answered["headers"] = {k.lower(): v for k, v in headers}

    body = b"".join(app(environ, start_response))
    return _Page(answered["status"], answered["headers"], body.decode("utf-8", "replace"))


def install_company(bot: WSGIApp, slack: LocalSlack, *, company: Company, installer: str) -> None:
    """Install the bot into ``company`` as its coordinator would: open the install page,
    approve in Slack, come back to the redirect with Slack's code. Bolt's OAuth flow exchanges
    the code at the local Slack (which mints the workspace's own bot token) and keeps the
    installation, sealed, in the database; the bot then names the workspace (``Acme``)."""
    start = _browse(bot, INSTALL_PATH)
    cookie = start.headers.get("set-cookie", "").split(";", 1)[0]
    state = cookie.partition("=")[2]
    if start.status != 200 or not state:
        raise RuntimeError(f"the install page answered {start.status}: {start.text[:200]}")
    slack.set_oauth_answer(first_install_answer() | {"authed_user": {"id": installer}})
    code = slack.install_code(company.team_id, name=company.name)
    done = _browse(
        bot, REDIRECT_PATH, query=urlencode({"code": code, "state": state}), cookie=cookie
    )
    if done.status != 200:
        raise RuntimeError(f"installing into {company.name} failed: {done.text[:200]}")


def install_companies(bot: WSGIApp, slack: LocalSlack) -> None:
    """Every company of the sandbox, each installed by its coordinator."""
    for company in COMPANIES:
        installer = next(
            p.id for p in SAMPLE_PEOPLE if p.team == company.team_id and p.role == "coordinator"
        )
        install_company(bot, slack, company=company, installer=installer)


def _start_over(database: Database, *, bot: WSGIApp, slack: LocalSlack) -> None:
    """ "Start over empty": the bot forgets everything, installations too, and each company
    installs it again (a new token each), as a fresh pair of workspaces would."""
    _forget_everything(database)
    install_companies(bot, slack)


def _one_site(bot: WSGIApp, page: WSGIApp) -> WSGIApp:
    """The bot's own edge (``/slack/events``, ``/healthz``) and the page on one port."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/slack/") or path == "/healthz":
            return bot(environ, start_response)
        return page(environ, start_response)

    return application


def _not_yet(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """What the port answers in the moment between binding it and the bot being built."""
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]


@dataclass
class RunningSandbox:
    url: str
    runtime: Runtime
    workspace: Workspace
    slack: LocalSlack
    server: Any
    thread: threading.Thread | None = None
    seeding: threading.Thread | None = None
    closing: bool = False

    def serve_forever(self) -> None:
        try:
            self.server.run()
        except OSError:  # its sockets were closed under it by close(): that is the way out
            if not self.closing:
                raise

    def close(self) -> None:
        self.closing = True
        self.server.close()  # a sample still being set up fails fast, and quietly, from here
        if self.seeding is not None:
            self.seeding.join(30)
        self.server.task_dispatcher.shutdown()
        if self.thread is not None:
            self.thread.join(5)
        self.runtime.shutdown()
        self.slack.stop()


def start_sandbox(
    settings: Settings,
    *,
    port: int | None = None,
    database: Database | None = None,
    clock: SandboxClock | None = None,
    background: bool = False,
    scheduler: bool = True,
    sample: bool = False,
    now: datetime | None = None,
) -> RunningSandbox:
    """Build the bot, the local Slack and the page, bound to loopback (``port`` 0: any free).

    With ``background`` the server runs on a thread (tests); otherwise call ``serve_forever``.
    Without a ``clock``, time starts at the next working morning after ``now`` (the wall
    clock); with ``sample``, the sample program is set up on a thread, ``SEED_WEEKS`` of it
    played through, ending at that morning (``seeding`` is that thread).
    """
    # The port first: if it is taken, nothing else has been started.
    server = waitress.server.create_server(
        _not_yet,
        host=LOOPBACK,
        port=settings.port if port is None else port,
        threads=8,
        ident="mentorbot-sandbox",
        asyncore_use_poll=True,  # select() refuses descriptors past 1024
    )
    opens = opening_time(now or datetime.now(UTC))
    if clock is None:
        clock = SandboxClock(start=opens - timedelta(weeks=SEED_WEEKS) if sample else opens)
    else:
        opens = clock.now() + timedelta(weeks=SEED_WEEKS)
    slack = LocalSlack(clock=clock.now).start()
    secret, client_secret = secrets.token_hex(16), secrets.token_hex(16)
    slack.set_oauth_client(CLIENT_ID, client_secret)  # oauth.v2.access checks them, as Slack
    configured = sandbox_settings(
        settings, api_url=slack.url, signing_secret=secret, client_secret=client_secret
    )
    if database is None and "database_url" not in settings.model_fields_set:
        for leftover in ("", "-wal", "-shm", "-journal"):
            Path(SANDBOX_DATABASE + leftover).unlink(missing_ok=True)
    runtime = build_runtime(configured, clock=clock, database=database, migrate=database is None)
    bot = wsgi_app(runtime.app, signing_secret=secret)
    install_companies(bot, slack)
    url = f"http://{LOOPBACK}:{server.effective_port}"  # type: ignore[union-attr]

    def run_until(target: datetime) -> None:
        """Walk time to ``target``, stopping at each due message, as the scheduler would."""
        dispatcher = runtime.services.dispatcher
        runtime.executor.wait_idle(10)
        last: tuple[int | None, datetime] | None = None
        for _ in range(MAX_STEPS):
            due = dispatcher.preview(target, limit=1)
            if not due or (due[0].id, due[0].due_at) == last:
                break
            last = (due[0].id, due[0].due_at)
            clock.advance_to(due[0].due_at)
            dispatcher.run_once(clock.now())
            runtime.executor.wait_idle(10)
        clock.advance_to(target)
        dispatcher.run_once(clock.now())
        runtime.executor.wait_idle(10)

    workspace = Workspace(
        slack=slack,
        bot_url=url,
        signing_secret=secret,
        clock=clock,
        run_until=run_until,
        forget=lambda: _start_over(runtime.database, bot=bot, slack=slack),
    )
    server.application = _one_site(bot, sandbox_app(workspace))  # type: ignore[union-attr]
    warm_up()
    if scheduler:
        runtime.start_scheduler()
    running = RunningSandbox(
        url=url, runtime=runtime, workspace=workspace, slack=slack, server=server
    )
    if background:
        running.thread = threading.Thread(
            target=running.serve_forever, daemon=True, name="sandbox-http"
        )
        running.thread.start()
    if sample:
        workspace.preparing = True
        running.seeding = threading.Thread(
            target=_seed,
            args=(workspace, opens, lambda: running.closing),
            daemon=True,
            name="sandbox-sample",
        )
        running.seeding.start()
    return running


def _seed(workspace: Workspace, opens: datetime, closing: Callable[[], bool]) -> None:
    """On a thread: the page is up at once and says the sample program is on its way."""
    started = time.monotonic()
    try:
        seed_sample_program(workspace, until=opens)
    except Exception:
        if closing():  # stopped half-way through: nothing to report
            return
        log.exception("sandbox: the sample program could not be set up")
    finally:
        workspace.preparing = False
    log.info("sandbox: sample program set up in %.1f s", time.monotonic() - started)


def run_sandbox(settings: Settings) -> int:
    try:
        sandbox = start_sandbox(settings, sample=True)
    except OSError as error:
        print("mentorbot can't start the sandbox:", file=sys.stderr)
        print(
            f"  - PORT: can't listen on {LOOPBACK}:{settings.port} ({error.strerror or error}); "
            "stop what uses it or set PORT to another number",
            file=sys.stderr,
        )
        return USAGE_ERROR

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"Mentorbot sandbox (no Slack tokens set): open {sandbox.url}", flush=True)
    log.info("sandbox: local Slack at %s, page and bot at %s", sandbox.slack.url, sandbox.url)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        sandbox.close()
    return 0
