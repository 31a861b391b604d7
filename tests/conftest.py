"""Shared fixtures: databases (SQLite and PostgreSQL), the fake Slack, a clock, a running bot."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import waitress.server

from bot.clock import FixedClock
from bot.outbox.report import DispatchReport
from handlers.slack_http import close_connections
from mentorbot.settings import Settings
from mentorbot.wiring import Runtime, build_runtime
from storage import Database, connect
from storage.models.base import Base
from tests.support.fake_slack import FakeSlack
from tests.support.signed import SignedSlack

POSTGRES_URL = os.environ.get("MENTORBOT_TEST_POSTGRES_URL", "")
# Each run creates (and drops) its own databases named PREFIX + random hex, so runs on one
# server never meet; the role needs CREATEDB.
DATABASE_PREFIX = os.environ.get("MENTORBOT_TEST_DB_PREFIX", "mentorbot_test_")
SIGNING_SECRET = "test-signing-secret"
TEAM = "T0001"
# A Monday afternoon in March, before Europe and the US change their clocks.
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("set MENTORBOT_TEST_POSTGRES_URL to run the PostgreSQL tests")
    admin = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres_url: str) -> Iterator[Database]:
    database = connect(postgres_url)
    database.migrate()
    yield database
    database.dispose()


def _empty(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Database]:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        database = connect(f"sqlite:///{tmp_path / 'mentorbot.db'}")
        database.migrate()
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("postgres_database")
    _empty(database)
    yield database


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@dataclass
class RunningBot:
    """The real bot behind its real HTTP edge, with a hand on its clock."""

    runtime: Runtime
    slack: SignedSlack
    fake: FakeSlack
    clock: FixedClock

    def settle(self) -> None:
        """Wait until every request's follow-up work (Slack calls, deliveries) is done."""
        assert self.runtime.executor.wait_idle(15), "follow-up work did not finish"

    def tick(self, advance: timedelta | None = None) -> DispatchReport:
        """Move time on (optionally) and run the dispatcher once, as the scheduler would."""
        if advance is not None:
            self.clock.advance(advance)
        self.settle()
        return self.runtime.services.dispatcher.run_once(self.clock.now())

    def view_opened(self, callback_id: str) -> dict[str, Any]:
        """The last modal with this callback ID that the bot opened (views.open), as Slack
        holds it now: the bot may have updated it since (its zone comes after it opens)."""
        for call in reversed(self.fake.calls_to("views.open")):
            if call.params["view"].get("callback_id") == callback_id:
                opened = dict(call.params["view"])
                now = self.fake.modals(callback_id)
                return dict(now[-1]) if now else opened
        raise AssertionError(f"no {callback_id} modal was opened")

    def dms(self, user: str) -> list[dict[str, Any]]:
        """What the bot posted to a person's DM, oldest first."""
        return [
            c.params
            for c in self.fake.delivered("chat.postMessage")
            if c.params.get("channel") == user
        ]


def bot_settings(fake: FakeSlack, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
        "database_url": database_url,
        "mentorbot_coordinators": "UCOORD1",
        "mentorbot_program_channel": "C0PROGRAM",
        # One send at a time: journeys read "the latest message" across conversations, and
        # with several in flight posts to different people may reach the fake in any order.
        # The window itself is tested in test_outbox_dispatch.py and test_outbox_slack.py.
        "mentorbot_outbox_sends_in_flight": 1,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Tests override program settings by redefining this fixture."""
    return {}


@pytest.fixture
def bot(
    database: Database,
    fake_slack: FakeSlack,
    clock: FixedClock,
    settings_overrides: dict[str, Any],
) -> Iterator[RunningBot]:
    settings = bot_settings(
        fake_slack,
        str(database.engine.url.render_as_string(hide_password=False)),
        **settings_overrides,
    )
    runtime = build_runtime(settings, clock=clock, database=database, migrate=False)
    server = waitress.server.create_server(
        runtime.wsgi(), host="127.0.0.1", port=0, threads=4, ident="mentorbot-test"
    )
    stopping = threading.Event()

    def serve() -> None:
        # server.run() loops until its sockets are closed under it, and closing them from
        # another thread races its select() (EBADF): loop here and close from this thread.
        while not stopping.is_set():
            server.asyncore.loop(  # type: ignore[union-attr]
                timeout=0.05,
                map=server._map,
                count=1,  # type: ignore[union-attr]
                use_poll=True,  # select() refuses descriptors past 1024: a long run has them
            )
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]
    slack = SignedSlack(
        url=f"http://127.0.0.1:{port}",
        signing_secret=SIGNING_SECRET,
        team_id=TEAM,
        response_url=fake_slack.response_url,
    )
    try:
        yield RunningBot(runtime=runtime, slack=slack, fake=fake_slack, clock=clock)
    finally:
        runtime.executor.wait_idle(15)
        stopping.set()
        thread.join(5)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        runtime.executor.shutdown(wait=True)
        close_connections()  # the ones this thread (bot.tick's deliveries) kept to this Slack
