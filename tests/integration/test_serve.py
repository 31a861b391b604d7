"""`mentorbot serve` as deployed: gunicorn in child processes, probes, metrics, replicas, SIGTERM.

Each replica is the real command in its own process on a loopback port; Slack is the fake in
this process (``SLACK_API_URL``) and requests are signed as Slack signs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.model.outbox import MessageStatus
from storage import Database, connect
from storage.models.outbox import OutgoingMessageRow
from tests.conftest import POSTGRES_URL, SIGNING_SECRET, TEAM, _empty
from tests.integration.test_outbox_slack import queue
from tests.support.fake_slack import FakeSlack
from tests.support.replicas import (
    BOT_TOKEN,
    Replica,
    free_port,
    start_replica,
    terminate_all,
    wait_until,
)

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"
StartReplica = Callable[..., Replica]


@pytest.fixture
def replicas(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[StartReplica]:
    """Starts replicas on demand; whatever is still running at the end is killed."""
    started: list[Replica] = []

    def start(name: str, database_url: str, **settings: str) -> Replica:
        replica = start_replica(
            name=name,
            database_url=database_url,
            fake=fake_slack,
            signing_secret=SIGNING_SECRET,
            folder=tmp_path,
            **settings,
        )
        started.append(replica)
        return replica

    yield start
    for replica in started:
        replica.kill()


@pytest.fixture
def one_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """PostgreSQL when the run has it (production's database), else a SQLite file."""
    if POSTGRES_URL:
        database = request.getfixturevalue("postgres_database")
        _empty(database)
        yield database
        return
    database = connect(f"sqlite:///{tmp_path / 'serve.db'}")
    database.migrate()
    yield database
    database.dispose()


def queued(database: Database) -> dict[str, int]:
    """Statuses of the test's own messages (``msg-...``), not of jobs the bot plans itself."""
    with database.sessions() as session:
        rows = session.execute(
            sa.select(OutgoingMessageRow.status, sa.func.count())
            .where(OutgoingMessageRow.key.startswith("msg-"))
            .group_by(OutgoingMessageRow.status)
        ).all()
    return {str(status): int(n) for status, n in rows}


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def test_probes_answer_and_the_counters_move_across_two_workers(
    replicas: StartReplica, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'probes.db'}"  # migrated by serve itself
    replica = replicas("probes", database_url, WEB_CONCURRENCY="2", LOG_LEVEL="DEBUG")
    replica.wait_ready()
    assert replica.get("/healthz") == (200, "ok\n")
    assert replica.get("/readyz") == (200, "ready\n")
    slack = replica.slack(SIGNING_SECRET, team_id=TEAM, fake=fake_slack)

    # A signed command and a forged one: counted by kind and outcome, the ack timed.
    for _ in range(4):  # whichever worker answers, /metrics adds up both
        assert slack.command("help", user=MENTOR).status == 200
    forged = slack.command(
        "help my private words xoxb-pasted-by-mistake", user=MENTOR, signature="v0=" + "0" * 64
    )
    assert forged.status == 401
    assert replica.metric("mentorbot_slack_requests_total", kind="command", outcome="ok") == 4
    assert (
        replica.metric("mentorbot_slack_requests_total", kind="command", outcome="unauthorized")
        == 1
    )
    assert replica.metric("mentorbot_ack_seconds_count", kind="command") == 5
    assert replica.metric("mentorbot_ack_seconds_bucket", kind="command", le="3.0") == 5

    # Slack answers a post with 429: counted, waited for, then sent; the outbox counters move.
    fake_slack.rate_limit_next("chat.postMessage", retry_after=1)
    database = connect(database_url)
    try:
        queue(database, fake_slack, 1)
        wait_until(
            lambda: len(fake_slack.delivered("chat.postMessage")) == 1, what="the retried post"
        )
    finally:
        database.dispose()

    def counted() -> bool:
        return replica.metric("mentorbot_outbox_messages_total", outcome="sent") == 1

    wait_until(counted, what="the send to be counted")
    assert replica.metric("mentorbot_slack_api_429_total", method="chat.postMessage") == 1
    assert (
        replica.metric(
            "mentorbot_slack_api_calls_total", method="chat.postMessage", result="ratelimited"
        )
        == 1
    )
    assert (
        replica.metric("mentorbot_slack_api_calls_total", method="chat.postMessage", result="ok")
        == 1
    )
    assert replica.metric("mentorbot_outbox_messages_total", outcome="retried") == 1
    # the post twice, and the start-up job that plans older pairs (none here) once
    assert replica.metric("mentorbot_outbox_messages_total", outcome="due") == 3
    assert replica.metric("mentorbot_outbox_messages_total", outcome="job") == 1
    assert replica.metric("mentorbot_dispatch_lag_seconds_count") == 1

    assert replica.terminate() == 0
    lines = replica.output().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON
    requests = [e for e in entries if e["logger"] == "mentorbot.http"]
    assert {(e["kind"], e["status"]) for e in requests} == {("command", 200), ("command", 401)}
    output = "\n".join(lines)
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output
    assert "xoxb-" not in output and "private words" not in output and "v0=" not in output


def test_readyz_says_why_a_replica_is_not_ready(tmp_path: Path) -> None:
    from mentorbot.http import not_ready

    behind = connect(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated
    problem = not_ready(behind)
    assert problem is not None and problem.startswith("migrations pending: 0001")
    behind.migrate()
    assert not_ready(behind) is None
    behind.dispose()
    gone = connect("postgresql://nobody@127.0.0.1:1/nothing")
    assert not_ready(gone) == "database unreachable"
    gone.dispose()


@pytest.mark.postgres
def test_three_replicas_share_one_database_and_send_each_message_once(
    replicas: StartReplica, fake_slack: FakeSlack, postgres_database: Database
) -> None:
    _empty(postgres_database)
    database_url = url_of(postgres_database)
    fake_slack.add_user(MENTOR, real_name="Maria Mentor", tz="Europe/Berlin")
    fake_slack.add_user(MENTEE, real_name="Ada Mentee", tz="Europe/London")
    a, b, c = (replicas(name, database_url) for name in ("a", "b", "c"))
    for replica in (a, b, c):
        replica.wait_ready()
    slack_a, slack_b, slack_c = (
        r.slack(SIGNING_SECRET, team_id=TEAM, fake=fake_slack) for r in (a, b, c)
    )

    # The mentor's profile: the modal opens through one replica, is submitted to another.
    assert slack_a.command("offer", user=MENTOR).status == 200
    offer_view = modal(fake_slack, "mentor_offer")
    reply = slack_b.submit(
        offer_view,
        user=MENTOR,
        values={
            "expertise": ["leadership"],
            "bio": "Twenty years of leading teams through change.",
            "organization": "Acme",
            "capacity": "2",
            "languages": "English",
            "accepting": ["accepting"],
        },
    )
    assert reply.status == 200, reply.text
    # A mentee asks through the third replica and the first suggests that mentor.
    assert slack_c.command("ask", user=MENTEE).status == 200
    ask_view = modal(fake_slack, "mentor_ask")
    reply = slack_a.submit(
        ask_view,
        user=MENTEE,
        values={
            "goals": "Lead my first team through a reorganization.",
            "focus_areas": ["leadership"],
            "organization": "Globex",
            "other_org": [],
        },
    )
    assert reply.status == 200, reply.text
    wait_until(lambda: suggested(fake_slack, MENTEE, MENTOR), what="the mentor to be suggested")

    # Sixty messages due at once: three dispatchers every second, each message sent once.
    queue(postgres_database, fake_slack, 60)
    wait_until(
        lambda: queued(postgres_database).get(MessageStatus.SENT.value, 0) == 60,
        what="every message to be sent",
    )
    keys = fake_slack.delivered_keys()
    assert len([k for k in keys if k.startswith("msg-")]) == 60
    assert [k for k, n in keys.items() if n > 1] == []  # none twice, the suggestion included
    codes = terminate_all([a, b, c])
    assert codes == [0, 0, 0], [r.output()[-3000:] for r in (a, b, c)]


def test_sigterm_during_a_dispatch_finishes_the_claimed_batch_and_loses_nothing(
    replicas: StartReplica, fake_slack: FakeSlack, one_database: Database
) -> None:
    database_url = url_of(one_database)
    queue(one_database, fake_slack, 150)  # more than one claimed batch (100, set here)
    answers = fake_slack.hold_replies("chat.postMessage", after=5)
    first = replicas("first", database_url, MENTORBOT_OUTBOX_BATCH_SIZE="100")
    try:
        fake_slack.wait_for("chat.postMessage", 5, timeout=60)
        first.sigterm()  # while Slack holds the 5th answer
        wait_until(lambda: "stopping: finishing" in first.output(), what="the worker to hear it")
        assert first.process.poll() is None  # waiting for the claimed batch, not gone
    finally:
        answers.set()
    assert first.terminate() == 0, first.output()
    # The claimed batch was finished, nothing more claimed: no row waits for a lease.
    assert queued(one_database) == {
        MessageStatus.SENT.value: 100,
        MessageStatus.PENDING.value: 50,
    }

    second = replicas("second", database_url)
    second.wait_ready()
    wait_until(
        lambda: queued(one_database) == {MessageStatus.SENT.value: 150},
        timeout=60,
        what="the rest to be sent",
    )
    keys = fake_slack.delivered_keys()
    assert len(keys) == 150
    assert [k for k, n in keys.items() if n > 1] == []
    assert second.terminate() == 0, second.output()


# -- what people see -------------------------------------------------------------------------


def modal(fake: FakeSlack, callback_id: str) -> dict[str, Any]:
    """The modal a replica opened (in a lazy listener: it arrives a moment after the ack)."""
    wait_until(lambda: bool(fake.modals(callback_id)), what=f"the {callback_id} modal")
    for call in reversed(fake.calls_to("views.open")):
        if call.params["view"].get("callback_id") == callback_id:
            return dict(call.params["view"])
    raise AssertionError(f"no {callback_id} modal")


def suggested(fake: FakeSlack, mentee: str, mentor: str) -> bool:
    for message in fake.messages(mentee):
        if any(
            e.get("action_id") == "pick_mentor" and str(e.get("value", "")).endswith(":" + mentor)
            for block in message.get("blocks") or []
            for e in [*block.get("elements", []), block.get("accessory") or {}]
        ):
            return True
    return False


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> Iterator[str]:
    """A second throwaway database on the same server, with no schema at all."""
    admin = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    name = f"{sa.make_url(postgres_url).database}_empty"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_replicas_starting_together_on_an_empty_database_migrate_it_once(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_")) and k != "DATABASE_URL"
    }
    env["DATABASE_URL"] = empty_postgres_url
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mentorbot", "migrate"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], "\n".join(outputs)
    database = connect(empty_postgres_url)
    assert database.pending_migrations() == []
    database.dispose()


def test_serve_starts_while_slack_is_down_and_delivers_once_it_answers(
    replicas: StartReplica, tmp_path: Path
) -> None:
    """A Slack blip during a deploy: the replica starts anyway, is not ready, and catches up."""
    database = connect(f"sqlite:///{tmp_path / 'down.db'}")
    database.migrate()
    down = FakeSlack()
    port = free_port()  # nothing listens there yet
    replica = replicas("down", url_of(database), SLACK_API_URL=f"http://127.0.0.1:{port}/api/")
    try:

        def answers(path: str) -> tuple[int, str] | None:
            assert replica.process.poll() is None, replica.output()
            try:
                return replica.get(path)
            except OSError:
                return None  # not listening yet

        wait_until(lambda: answers("/readyz") is not None, timeout=60, what="the replica")
        assert replica.get("/readyz") == (503, "Slack unreachable\n")
        assert replica.get("/healthz") == (200, "ok\n")
        queue(database, down, 1)
        down.start(port=port)  # Slack is back where the replica looks for it
        wait_until(lambda: answers("/readyz") == (200, "ready\n"), timeout=60, what="ready")
        wait_until(lambda: len(down.delivered("chat.postMessage")) == 1, what="the queued message")
        assert replica.terminate() == 0, replica.output()
    finally:
        down.stop()
        database.dispose()
    output = replica.output()
    assert "Traceback" not in output
    levels = {json.loads(line)["level"] for line in output.splitlines()}
    assert "ERROR" not in levels, output
