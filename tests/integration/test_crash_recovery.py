"""A dispatcher killed with SIGKILL mid-dispatch, then started again: nothing lost, none twice.

The dispatcher is the real ``mentorbot tick`` in a child process against the fake Slack on
loopback. The fake holds its answer to the 300th post, so the kill lands exactly where it
hurts: Slack has posted the message, the outbox still says "sending".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.model.outbox import MessageStatus
from mentorbot.settings import Settings
from storage import Database, SqlUnitOfWork, connect
from tests.conftest import POSTGRES_URL, _empty
from tests.integration.test_outbox_slack import NOW, dispatcher, queue, statuses
from tests.support.fake_slack import FakeSlack

MESSAGES = 1000
KILL_AT = 300
IN_FLIGHT = Settings.model_fields["mentorbot_outbox_sends_in_flight"].default
LEASE = timedelta(minutes=5)  # Dispatcher's default lease


def tick(database: Database, fake: FakeSlack, *, now: str, cwd: Path) -> subprocess.Popen[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_")) and k != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=database.engine.url.render_as_string(hide_password=False),
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL=fake.url,
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "mentorbot", "tick", "--now", now],
        cwd=cwd,  # no .env here
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def one_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """PostgreSQL when the run has it (production's database, the SKIP LOCKED path), else
    SQLite: a thousand messages through three processes is too slow to run on both."""
    if POSTGRES_URL:
        database = request.getfixturevalue("postgres_database")
        _empty(database)
        yield database
        return
    database = connect(f"sqlite:///{tmp_path / 'crash.db'}")
    database.migrate()
    yield database
    database.dispose()


def test_a_dispatcher_killed_mid_send_and_restarted_delivers_everything_once(
    one_database: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    database = one_database
    queue(database, fake_slack, MESSAGES)
    answers = fake_slack.hold_replies("chat.postMessage", after=KILL_AT)
    first = tick(database, fake_slack, now=NOW.isoformat(), cwd=tmp_path)
    try:
        fake_slack.wait_for("chat.postMessage", KILL_AT, timeout=60)
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
    finally:
        answers.set()
        if first.poll() is None:
            first.kill()
        first.communicate()
    posted = fake_slack.delivered_keys()
    # Slack has every post up to the held one, and the few in flight beside it (the window
    # of sends in flight, MENTORBOT_OUTBOX_SENDS_IN_FLIGHT): all unanswered when it died.
    assert KILL_AT <= len(posted) <= KILL_AT + IN_FLIGHT
    leased = statuses(database).get(MessageStatus.SENDING.value, 0)
    assert leased > 0  # killed mid-batch: claimed rows wait for their lease to run out

    # Started again at once: everything not claimed goes out; the claimed rows wait.
    again = tick(database, fake_slack, now=NOW.isoformat(), cwd=tmp_path)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert statuses(database) == {
        MessageStatus.SENT.value: MESSAGES - leased,
        MessageStatus.SENDING.value: leased,
    }

    # Once the lease has run out, the claimed rows are delivered, the one Slack had is not.
    later = tick(
        database, fake_slack, now=(NOW + LEASE + timedelta(minutes=1)).isoformat(), cwd=tmp_path
    )
    _, err = later.communicate(timeout=120)
    assert later.returncode == 0, err
    keys = fake_slack.delivered_keys()
    assert len(keys) == MESSAGES  # every message delivered
    assert [key for key, n in keys.items() if n > 1] == []  # none twice
    assert statuses(database) == {MessageStatus.SENT.value: MESSAGES}


def test_when_slack_cannot_say_whether_it_has_a_message_in_doubt_it_is_sent_again(
    database: Database, fake_slack: FakeSlack
) -> None:
    """Without the history scope the lookup fails: a possible double beats a lost message."""
    queue(database, fake_slack, 3)
    with SqlUnitOfWork(database.sessions) as uow:  # a dispatcher claims them all and dies
        uow.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="dead")
        uow.commit()
    fake_slack.fail_next("conversations.history", "missing_scope", times=3)
    worker = dispatcher(database, fake_slack, FixedClock(NOW), "solo")

    report = worker.run_once(NOW + LEASE + timedelta(seconds=1))

    assert report.sent == 3
    assert len(fake_slack.calls_to("conversations.history")) == 3
    assert sorted(fake_slack.delivered_keys()) == ["msg-00000", "msg-00001", "msg-00002"]
    assert statuses(database) == {MessageStatus.SENT.value: 3}
