"""The dispatcher against a fake Slack: replicas never double a message, faults lose none."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.clock import FixedClock, SystemClock
from bot.model.kinds import Kind
from bot.model.messages.journal import ShoutOut
from bot.model.messages.matching import Waitlisted
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.outbox.dispatch import MAX_ATTEMPTS, Dispatcher
from bot.ports import UnitOfWork
from handlers.messenger import SlackMessenger
from handlers.slack_http import KeepAliveWebClient
from mentorbot.wiring import web_client
from storage import Database, SqlUnitOfWork
from storage.models.outbox import OutgoingMessageRow
from tests.conftest import bot_settings
from tests.support.fake_slack import FakeSlack

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def queue(database: Database, fake: FakeSlack, count: int, *, team: str = "T0001") -> None:
    users = [f"U{n:05d}" for n in range(50)]
    for user in users:
        fake.add_user(user, tz="Europe/London")
    with SqlUnitOfWork(database.sessions) as uow:
        for n in range(count):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team,
                    kind=Kind.WAITLISTED,
                    recipient=users[n % len(users)],
                    key=f"msg-{n:05d}",
                    due_at=NOW - timedelta(seconds=n % 7),
                    payload=Waitlisted(request_id=n),
                )
            )
        uow.commit()


def dispatcher(
    database: Database, fake: FakeSlack, clock: FixedClock, name: str, *, sends_in_flight: int = 1
) -> Dispatcher:
    client = KeepAliveWebClient(token="xoxb-test", base_url=fake.url, timeout=5, retry_handlers=[])

    def uow() -> UnitOfWork:
        return SqlUnitOfWork(database.sessions)

    return Dispatcher(
        uow=uow,
        messenger=SlackMessenger(lambda _team: client),
        clock=clock,
        jobs={},
        worker=name,
        batch_size=25,
        sends_in_flight=sends_in_flight,
    )


def statuses(database: Database) -> dict[str, int]:
    with SqlUnitOfWork(database.sessions) as uow:
        rows = uow.session.query(OutgoingMessageRow.status).all()
    counts: dict[str, int] = {}
    for (status,) in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_three_dispatchers_send_each_of_1000_messages_exactly_once(
    database: Database, fake_slack: FakeSlack
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("replicas share the work through PostgreSQL's FOR UPDATE SKIP LOCKED")
    queue(database, fake_slack, 1000)
    clock = FixedClock(NOW)
    replicas = [
        dispatcher(database, fake_slack, clock, f"replica-{n}", sends_in_flight=4) for n in range(3)
    ]
    start = threading.Barrier(3)
    reports = []

    def run(replica: Dispatcher) -> None:
        start.wait(timeout=10)
        reports.append(replica.run_once(NOW))

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    keys = fake_slack.delivered_keys()
    assert len(keys) == 1000
    assert max(keys.values()) == 1  # none twice
    assert sum(r.sent for r in reports) == 1000
    assert sum(1 for r in reports if r.sent > 0) >= 2  # the work really was shared
    assert statuses(database) == {MessageStatus.SENT.value: 1000}


def test_429s_and_500s_lose_nothing_and_double_nothing(
    database: Database, fake_slack: FakeSlack
) -> None:
    queue(database, fake_slack, 200)
    fake_slack.set_chaos("chat.postMessage", rate_limit=0.05, server_error=0.15, seed=7)
    clock = FixedClock(NOW)
    worker = dispatcher(database, fake_slack, clock, "solo")
    rounds = 0
    while statuses(database).get(MessageStatus.SENT.value, 0) < 200:
        rounds += 1
        assert rounds < 200, statuses(database)
        worker.run_once(clock.now())
        clock.advance(timedelta(hours=1))  # past any Retry-After and backoff
    keys = fake_slack.delivered_keys()
    assert len(keys) == 200
    assert max(keys.values()) == 1
    attempts = fake_slack.calls_to("chat.postMessage")
    assert any(c.outcome == "429" for c in attempts)
    assert any(c.outcome.startswith("5") for c in attempts)


def test_a_429_waits_for_retry_after_and_holds_the_rest_of_the_workspace(
    database: Database, fake_slack: FakeSlack
) -> None:
    queue(database, fake_slack, 30)
    fake_slack.rate_limit_next("chat.postMessage", retry_after=30)
    clock = FixedClock(NOW)
    worker = dispatcher(database, fake_slack, clock, "solo")
    report = worker.run_once(NOW)
    assert report.sent == 0  # one 429, and the rest of the workspace waits with it
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert worker.run_once(NOW + timedelta(seconds=29)).sent == 0
    assert worker.run_once(NOW + timedelta(seconds=30)).sent == 30
    assert max(fake_slack.delivered_keys().values()) == 1


def test_permanent_errors_fail_with_the_reason_and_are_never_retried(
    database: Database, fake_slack: FakeSlack
) -> None:
    queue(database, fake_slack, 3)
    fake_slack.fail_next("chat.postMessage", "user_not_found")
    fake_slack.fail_next("chat.postMessage", "channel_not_found")
    clock = FixedClock(NOW)
    worker = dispatcher(database, fake_slack, clock, "solo")
    report = worker.run_once(NOW)
    assert (report.sent, report.failed) == (1, 2)
    assert sorted(error for _, error in report.failures) == ["channel_not_found", "user_not_found"]
    worker.run_once(NOW + timedelta(days=1))
    assert len(fake_slack.calls_to("chat.postMessage")) == 3
    with SqlUnitOfWork(database.sessions) as uow:
        failed = uow.session.query(OutgoingMessageRow).filter_by(status="failed").all()
        assert sorted(row.last_error for row in failed) == ["channel_not_found", "user_not_found"]


def test_random_429s_500s_slow_answers_and_dropped_connections_lose_and_double_nothing(
    database: Database, fake_slack: FakeSlack
) -> None:
    queue(database, fake_slack, 150)
    fake_slack.set_chaos(
        "chat.postMessage",
        rate_limit=0.05,
        server_error=0.1,
        drop=0.1,
        slow=0.05,
        slow_seconds=0.05,
        seed=11,
    )
    clock = FixedClock(NOW)
    worker = dispatcher(database, fake_slack, clock, "solo", sends_in_flight=4)
    rounds = 0
    while statuses(database) != {MessageStatus.SENT.value: 150}:
        rounds += 1
        assert rounds < 100, statuses(database)
        worker.run_once(clock.now())
        clock.advance(timedelta(hours=1))  # past any Retry-After and backoff
    keys = fake_slack.delivered_keys()
    assert len(keys) == 150
    assert max(keys.values()) == 1
    outcomes = {c.outcome for c in fake_slack.calls_to("chat.postMessage")}
    assert {"ok", "429", "500", "dropped"} <= outcomes  # every kind of trouble happened
    with SqlUnitOfWork(database.sessions) as uow:
        attempts = [row.attempts for row in uow.session.query(OutgoingMessageRow).all()]
    assert max(attempts) < MAX_ATTEMPTS


def test_a_post_whose_answer_was_lost_is_looked_for_not_posted_again(
    database: Database, fake_slack: FakeSlack
) -> None:
    """Slack posted, then the connection dropped before its answer: the next attempt finds
    the post by its key instead of posting a second time (with the bot's own Web API client,
    which must not retry a lost answer by itself either)."""
    queue(database, fake_slack, 3)
    fake_slack.lose_answer_next("chat.postMessage")
    settings = bot_settings(fake_slack, "sqlite://")
    client = web_client(settings, interactive=False)
    worker = Dispatcher(
        uow=lambda: SqlUnitOfWork(database.sessions),
        messenger=SlackMessenger(lambda _team: client),
        clock=FixedClock(NOW),
        jobs={},
        worker="solo",
    )
    first = worker.run_once(NOW)
    assert (first.sent, first.retried) == (2, 1)
    second = worker.run_once(NOW + timedelta(hours=1))
    assert second.sent == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 3  # posted once each, no more
    keys = fake_slack.delivered_keys()
    assert len(keys) == 3
    assert max(keys.values()) == 1
    assert statuses(database) == {MessageStatus.SENT.value: 3}


def test_a_slack_that_keeps_failing_is_not_retried_forever(
    database: Database, fake_slack: FakeSlack
) -> None:
    queue(database, fake_slack, 5)
    fake_slack.set_chaos("chat.postMessage", server_error=0.5, drop=0.5, seed=3)
    clock = FixedClock(NOW)
    worker = dispatcher(database, fake_slack, clock, "solo")
    for _ in range(MAX_ATTEMPTS + 2):
        worker.run_once(clock.now())
        clock.advance(timedelta(hours=2))  # past the longest backoff
    assert statuses(database) == {MessageStatus.FAILED.value: 5}
    tries = len(fake_slack.calls_to("chat.postMessage"))
    assert tries == 5 * MAX_ATTEMPTS
    worker.run_once(clock.now() + timedelta(days=7))
    assert len(fake_slack.calls_to("chat.postMessage")) == tries  # given up for good
    with SqlUnitOfWork(database.sessions) as uow:
        reasons = {row.last_error for row in uow.session.query(OutgoingMessageRow).all()}
    assert all(r.startswith(f"gave up after {MAX_ATTEMPTS} attempts") for r in reasons), reasons


def test_a_channel_post_whose_answer_was_lost_is_found_not_posted_twice(
    fake_slack: FakeSlack,
) -> None:
    """An announcement or shout-out whose answer was lost is looked for in the channel with
    the manifest's own scopes (the fake refuses any other), and not posted a second time."""
    client = WebClient(base_url=fake_slack.url, token="xoxb-test-token", retry_handlers=[])
    messenger = SlackMessenger(lambda _team: client)
    shout_out = OutgoingMessage(
        team_id="T1",
        kind=Kind.SHOUT_OUT,
        recipient="CPROGRAM",
        key="shout:1",
        due_at=NOW,
        payload=ShoutOut(mentee_id="U1", mentor_id="U2", headline="five sessions together"),
    )
    fake_slack.lose_answer_next("chat.postMessage")
    first = messenger.send(shout_out)
    assert first.uncertain, first

    found = messenger.find_sent(shout_out)

    assert found is not None and found.channel == "CPROGRAM"
    assert [r.error for r in fake_slack.refusals()] == []  # nothing asked beyond the manifest
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


class StallAfterTheHeartbeat:
    """Quiet hours that hold nothing, but stall the process once, on the first message they
    are asked about: after the dispatcher checked its lease, before it handed the message
    to the window of sends in flight."""

    def __init__(self, stall: Callable[[], None]) -> None:
        self._stall: Callable[[], None] | None = stall

    def hold_until(self, message: OutgoingMessage, now: datetime) -> datetime | None:
        stall, self._stall = self._stall, None
        if stall is not None:
            stall()
        return None


@pytest.mark.parametrize("sends_in_flight", [1, 4])
def test_a_replica_stalled_between_its_lease_check_and_its_post_does_not_double_it(
    database: Database, fake_slack: FakeSlack, sends_in_flight: int
) -> None:
    """The stall outlasts the lease; meanwhile the other replica claims the batch, finds
    nothing in Slack and posts it. The stalled one must not post it again once it wakes."""
    queue(database, fake_slack, 6)
    clock = FixedClock(NOW)
    lease = timedelta(seconds=60)
    other = dispatcher(database, fake_slack, clock, "replica-2", sends_in_flight=sends_in_flight)

    def stall() -> None:
        clock.advance(lease + timedelta(seconds=1))
        assert other.run_once().sent == 6

    client = WebClient(token="xoxb-test", base_url=fake_slack.url, timeout=5, retry_handlers=[])
    stalled = Dispatcher(
        uow=lambda: SqlUnitOfWork(database.sessions),
        messenger=SlackMessenger(lambda _team: client),
        clock=clock,
        jobs={},
        worker="replica-1",
        batch_size=25,
        lease=lease,
        quiet_hours=StallAfterTheHeartbeat(stall),
        sends_in_flight=sends_in_flight,
    )

    report = stalled.run_once()

    keys = fake_slack.delivered_keys()
    assert len(keys) == 6
    assert max(keys.values()) == 1  # none twice
    assert (report.sent, report.lost) == (0, 6)
    assert statuses(database) == {MessageStatus.SENT.value: 6}


@pytest.mark.parametrize("sends_in_flight", [1, 4])
def test_two_replicas_with_a_slow_slack_and_a_short_lease_double_nothing(
    database: Database, fake_slack: FakeSlack, sends_in_flight: int
) -> None:
    """Each post takes 0.2 s and a batch of 20 outlives its lease (3 s with one post at a
    time: 4 s a batch; 1.5 s with four: 1 s a batch, two thirds of it): only the heartbeat
    keeps the other replica off rows still being sent, and only the fencing keeps a replica
    that lost a row from settling it. Real clock, real threads.

    As in production (a 60 s lease, posts that time out after 30 s), a post's timeout is
    shorter than the two thirds of the lease the fence leaves ahead of it: a post the fence
    let start then ends, or gives up, before the lease does. With a 1 s lease and a 5 s
    timeout, a post held up 0.7 s by a loaded machine outlived the lease, and the other
    replica, finding nothing in Slack yet, sent it too (twice in a full run at load 3)."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("replicas share the work through PostgreSQL's FOR UPDATE SKIP LOCKED")
    queue(database, fake_slack, 40)
    fake_slack.set_chaos("chat.postMessage", slow=1.0, slow_seconds=0.2, seed=1)
    lease = 3.0 if sends_in_flight == 1 else 1.5
    client = WebClient(
        token="xoxb-test", base_url=fake_slack.url, timeout=lease / 2, retry_handlers=[]
    )
    replicas = [
        Dispatcher(
            uow=lambda: SqlUnitOfWork(database.sessions),
            messenger=SlackMessenger(lambda _team: client),
            clock=SystemClock(),
            jobs={},
            worker=f"replica-{n}",
            batch_size=20,
            lease=timedelta(seconds=lease),
            sends_in_flight=sends_in_flight,
        )
        for n in range(2)
    ]
    stop = threading.Event()

    renewed: list[float] = []

    def run(replica: Dispatcher) -> None:
        while not stop.is_set() and set(statuses(database)) != {MessageStatus.SENT.value}:
            report = replica.run_once(replica_now())  # a row another holds: looked at again
            renewed.append(report.wall.get("renew", 0.0))

    def replica_now() -> datetime:
        return max(NOW, datetime.now(UTC))  # the queue is due as of NOW: a real clock past it

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    stop.set()
    keys = fake_slack.delivered_keys()
    assert len(keys) == 40
    assert max(keys.values()) == 1  # none twice
    assert statuses(database) == {MessageStatus.SENT.value: 40}
    assert sum(renewed) > 0  # the batches outlived a third of their lease: renewed as they went
