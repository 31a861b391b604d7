"""PostgreSQL briefly unavailable: its connections killed, new ones refused for a moment. The
bot answers kindly meanwhile and works again afterwards without a restart; the dispatcher
catches up on what came due, sending each message once."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from handlers.kit.refusals import SORRY
from storage import Database
from tests.conftest import RunningBot
from tests.e2e.journeys import offer
from tests.integration.test_outbox_slack import queue


@contextlib.contextmanager
def outage(database: Database) -> Iterator[None]:
    """Refuse new connections and terminate every open one (as a failover or restart would),
    then let connections in again."""
    url = database.engine.url.set(database="postgres")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = database.engine.url.database
    with admin.connect() as connection:
        connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        killed = connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar_one()
        assert killed > 0  # the bot's pooled connections were there, and now are dead
        try:
            yield
        finally:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()


def test_the_bot_rides_out_a_database_outage_and_catches_up(
    bot: RunningBot, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    if not database.is_postgres:
        pytest.skip("killing server connections is a PostgreSQL scenario")
    caplog.set_level(logging.WARNING)
    for user in ("UMENTOR1", "UMENTEE1"):
        bot.fake.add_user(user, tz="Europe/Berlin")
    offer(bot, "UMENTOR1", expertise=["leadership"])
    queue(database, bot.fake, 20)  # due now: the dispatcher's next pass sends them
    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    answers = {
        "goals": "Lead my first team through a reorganization.",
        "focus_areas": ["leadership"],
        "organization": "Globex",
        "other_org": [],
    }

    with outage(database):
        reply = bot.slack.submit(view, user="UMENTEE1", values=answers)
        assert reply.status == 200  # not a 500: the modal stays open with what they wrote
        assert reply.json() == {"response_action": "errors", "errors": {"goals": SORRY}}
        with pytest.raises(sa.exc.OperationalError):
            bot.runtime.services.dispatcher.run_once(bot.clock.now())
        bot.settle()
    caplog.clear()  # what failed during the outage was logged; from here on nothing may fail

    # No restart: the pool replaces its dead connections (pool_pre_ping) and all is well.
    reply = bot.slack.submit(view, user="UMENTEE1", values=answers)
    assert reply.json()["response_action"] == "update"
    bot.settle()
    report = bot.tick()
    keys = bot.fake.delivered_keys()
    assert {f"msg-{n:05d}" for n in range(20)} <= set(keys)  # caught up
    assert max(keys.values()) == 1  # and nothing twice
    assert any("mentors who fit you" in m["text"] for m in bot.fake.messages("UMENTEE1"))
    assert report.failed == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
