"""The dispatcher delivers what is due, once, and does what Slack's answers say."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.outbox.dispatch import MAX_ATTEMPTS, Dispatcher, Job, backoff
from bot.outbox.report import DispatchReport
from bot.outbox.sending import SendWindow
from bot.ports import SendOutcome, SendResult, UnitOfWork
from tests.unit.fakes import FakeMessenger, FakeStore, FakeUnitOfWork

TEAM = "T0001"
OTHER_TEAM = "T0002"
WORKER = "worker-1"
LEASE = timedelta(minutes=5)
WAIT = 5.0  # seconds a test waits on an Event before failing: never reached when it passes

SENT = SendResult(SendOutcome.SENT)


def rate_limited(seconds: float, error: str = "ratelimited") -> SendResult:
    return SendResult(SendOutcome.RETRY, error=error, retry_after=seconds)


def transient(error: str = "service_unavailable") -> SendResult:
    return SendResult(SendOutcome.RETRY, error=error)


def permanent(error: str = "user_not_found") -> SendResult:
    return SendResult(SendOutcome.FAILED, error=error)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


SENDS_IN_FLIGHT = 1


@pytest.fixture(autouse=True, params=[1, 4], ids=["one send at a time", "four in flight"])
def sends_in_flight(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every test here runs twice: sending one message at a time, and with a window of four
    sends in flight (what ``mentorbot serve`` does): the outcomes must be the same."""
    monkeypatch.setattr(f"{__name__}.SENDS_IN_FLIGHT", request.param)
    return int(request.param)


def message(
    key: str,
    due_at: datetime,
    *,
    team_id: str = TEAM,
    kind: str = "mentee.suggestions",
    recipient: str = "UMENTEE1",
    expires_at: datetime | None = None,
    coalesce_key: str | None = None,
) -> OutgoingMessage:
    return OutgoingMessage(
        team_id=team_id,
        kind=kind,
        recipient=recipient,
        key=key,
        due_at=due_at,
        expires_at=expires_at,
        coalesce_key=coalesce_key,
    )


def queue(store: FakeStore, *messages: OutgoingMessage) -> None:
    with FakeUnitOfWork(store) as uow:
        for m in messages:
            assert uow.outbox.add(m)
        uow.commit()


def dispatcher(
    store: FakeStore,
    messenger: FakeMessenger,
    clock: FixedClock,
    *,
    jobs: Mapping[str, Job] | None = None,
    job_failures: Mapping[str, Job] | None = None,
    batch_size: int = 100,
) -> Dispatcher:
    return Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=messenger,
        clock=clock,
        jobs=jobs or {},
        job_failures=job_failures,
        worker=WORKER,
        batch_size=batch_size,
        lease=LEASE,
        sends_in_flight=SENDS_IN_FLIGHT,
    )


def statuses(store: FakeStore) -> dict[str, MessageStatus]:
    return {m.key: m.status for m in store.messages()}


# -- what is due, and only that ----------------------------------------------------------


def test_sends_what_is_due_oldest_first_and_leaves_the_future_alone(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("later", now + timedelta(minutes=1)),
        message("now", now),
        message("earlier", now - timedelta(minutes=1)),
    )
    messenger = FakeMessenger()

    report = dispatcher(store, messenger, clock).run_once()

    assert messenger.keys == ["earlier", "now"]
    assert (report.sent, report.handled) == (2, 2)
    for key in ("earlier", "now"):
        sent = store.message(key)
        assert sent.status is MessageStatus.SENT
        assert sent.sent_at == now
        assert sent.attempts == 1
        assert sent.last_error == ""
        assert store.lease_of(key)[1] is None  # settled: nobody holds it any more
    later = store.message("later")
    assert (later.status, later.attempts, later.sent_at) == (MessageStatus.PENDING, 0, None)


def test_a_future_message_goes_out_once_its_time_comes(store: FakeStore, clock: FixedClock) -> None:
    queue(store, message("later", clock.now() + timedelta(hours=1)))
    messenger = FakeMessenger()
    run = dispatcher(store, messenger, clock)

    run.run_once()
    clock.advance(timedelta(hours=1))
    report = run.run_once()

    assert messenger.keys == ["later"]
    assert report.sent == 1
    assert store.message("later").sent_at == clock.now()


def test_run_once_uses_the_instant_it_is_given(store: FakeStore, clock: FixedClock) -> None:
    queue(store, message("tomorrow", clock.now() + timedelta(days=1)))
    messenger = FakeMessenger()

    report = dispatcher(store, messenger, clock).run_once(clock.now() + timedelta(days=1))

    assert messenger.keys == ["tomorrow"]
    assert report.sent == 1


def test_running_twice_at_the_same_instant_sends_nothing_twice(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("a", clock.now()), message("b", clock.now()))
    messenger = FakeMessenger()
    run = dispatcher(store, messenger, clock)

    first = run.run_once()
    second = run.run_once()

    assert first.sent == 2
    assert second.handled == 0
    assert messenger.keys == ["a", "b"]


def test_preview_shows_what_is_due_and_touches_nothing(store: FakeStore, clock: FixedClock) -> None:
    queue(
        store,
        message("due", clock.now()),
        message("later", clock.now() + timedelta(hours=2)),
    )
    messenger = FakeMessenger()
    run = dispatcher(store, messenger, clock)

    assert [m.key for m in run.preview()] == ["due"]
    assert [m.key for m in run.preview(clock.now() + timedelta(hours=2))] == ["due", "later"]
    assert messenger.asked == []
    assert set(statuses(store).values()) == {MessageStatus.PENDING}


def test_a_message_held_by_a_worker_that_died_is_delivered_once_its_lease_runs_out(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("orphan", now - timedelta(minutes=10)),
        message("held", now - timedelta(minutes=8)),
    )
    with FakeUnitOfWork(store) as uow:  # two other replicas claim one each
        minutes = timedelta(minutes=1)
        uow.outbox.claim_due(now=now - 10 * minutes, limit=10, lease=LEASE, worker="dead")
        uow.outbox.claim_due(now=now - 6 * minutes, limit=10, lease=10 * minutes, worker="busy")
        uow.commit()
    assert store.lease_of("orphan") == ("dead", now - timedelta(minutes=5))
    assert store.lease_of("held") == ("busy", now + timedelta(minutes=4))
    assert statuses(store) == {"orphan": MessageStatus.SENDING, "held": MessageStatus.SENDING}
    messenger = FakeMessenger()

    dispatcher(store, messenger, clock).run_once()

    assert messenger.keys == ["orphan"]  # the other one's lease still runs for 4 minutes
    assert statuses(store) == {"orphan": MessageStatus.SENT, "held": MessageStatus.SENDING}


def test_a_message_whose_worker_died_mid_send_is_looked_for_before_it_is_sent_again(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("posted", now - timedelta(minutes=10)),
        message("lost", now - timedelta(minutes=10)),
        message("fresh", now),
    )
    with FakeUnitOfWork(store) as uow:  # a worker claims two, then dies
        uow.outbox.claim_due(now=now - timedelta(minutes=10), limit=2, lease=LEASE, worker="dead")
        uow.commit()
    messenger = FakeMessenger()
    messenger.already_there["posted"] = SendResult(SendOutcome.SENT, channel="D1", ts="1700.1")

    report = dispatcher(store, messenger, clock).run_once()

    assert messenger.looked_for == ["posted", "lost"]  # only the ones in doubt
    assert messenger.keys == ["lost", "fresh"]  # Slack had "posted": not sent twice
    assert report.sent == 3
    posted = next(m for m in store.messages() if m.key == "posted")
    assert (posted.status, posted.sent_channel, posted.sent_ts) == (
        MessageStatus.SENT,
        "D1",
        "1700.1",
    )


def test_after_a_lost_answer_the_retry_looks_for_the_message_first(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("lost-answer", now), message("lost-request", now))
    lost = SendResult(SendOutcome.RETRY, error="connection: TimeoutError", uncertain=True)
    messenger = FakeMessenger([lost, lost])
    dispatcher(store, messenger, clock).run_once()
    assert messenger.looked_for == []  # fresh messages are never looked for
    messenger.already_there["lost-answer"] = SendResult(SendOutcome.SENT, channel="D1", ts="1.2")

    clock.advance(timedelta(hours=1))
    report = dispatcher(store, messenger, clock).run_once()

    assert messenger.looked_for == ["lost-answer", "lost-request"]
    assert messenger.keys == ["lost-answer", "lost-request", "lost-request"]  # one resend
    assert report.sent == 2
    assert set(statuses(store).values()) == {MessageStatus.SENT}


def test_where_slack_put_a_message_is_kept_for_later_updates(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("a", clock.now()))
    messenger = FakeMessenger([SendResult(SendOutcome.SENT, channel="D0001", ts="1700.0001")])

    dispatcher(store, messenger, clock).run_once()

    sent = store.message("a")
    assert (sent.sent_channel, sent.sent_ts) == ("D0001", "1700.0001")
    with FakeUnitOfWork(store) as uow:
        assert [m.key for m in uow.outbox.sent(TEAM, "a")] == ["a"]


# -- after downtime, only the newest prompt of a kind goes out ------------------------------


def test_only_the_newest_of_several_due_prompts_with_one_coalesce_key_goes_out(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    check = "session-check:1:UMENTEE1"
    queue(
        store,
        message("week-1", now - timedelta(days=14), coalesce_key=check),
        message("other", now - timedelta(days=13), coalesce_key="session-check:1:UMENTOR1"),
        message("week-2", now - timedelta(days=7), coalesce_key=check),
        message("plain", now - timedelta(days=3)),
        message("week-3", now - timedelta(hours=1), coalesce_key=check),
        message("week-4", now + timedelta(days=6), coalesce_key=check),  # not due yet
    )
    messenger = FakeMessenger()

    report = dispatcher(store, messenger, clock).run_once()

    assert messenger.keys == ["other", "plain", "week-3"]
    for key in ("week-1", "week-2"):
        dropped = store.message(key)
        assert dropped.status is MessageStatus.DROPPED, key
        assert dropped.last_error == "coalesced: a newer one of its kind went out instead"
    assert store.message("week-4").status is MessageStatus.PENDING
    assert (report.sent, report.dropped) == (3, 2)


def test_coalescing_breaks_a_tie_on_due_time_by_the_later_message(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("first", now, coalesce_key="k"),
        message("second", now, coalesce_key="k"),
    )
    messenger = FakeMessenger()

    dispatcher(store, messenger, clock).run_once()

    assert messenger.keys == ["second"]
    assert store.message("first").status is MessageStatus.DROPPED


def test_coalescing_holds_across_batches(store: FakeStore, clock: FixedClock) -> None:
    now = clock.now()
    queue(
        store,
        message("week-1", now - timedelta(days=14), coalesce_key="k"),
        message("week-2", now - timedelta(days=7), coalesce_key="k"),
        message("week-3", now - timedelta(hours=1), coalesce_key="k"),
    )
    messenger = FakeMessenger()

    dispatcher(store, messenger, clock, batch_size=2).run_once()

    assert messenger.keys == ["week-3"]


# -- rate limits (429): wait Retry-After, and it is not the message's fault -------------------


def test_rate_limited_message_waits_retry_after_without_using_an_attempt(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("a", now))
    messenger = FakeMessenger([rate_limited(30)])
    run = dispatcher(store, messenger, clock)

    report = run.run_once()

    held = store.message("a")
    assert (held.status, held.attempts) == (MessageStatus.PENDING, 0)
    assert held.due_at == now + timedelta(seconds=30)
    assert held.last_error == "ratelimited"
    assert (report.retried, report.sent, report.failed) == (1, 0, 0)

    clock.advance(timedelta(seconds=29))
    assert run.run_once().handled == 0
    clock.advance(timedelta(seconds=1))
    assert run.run_once().sent == 1
    assert messenger.keys == ["a", "a"]
    assert store.message("a").attempts == 1


def test_rate_limits_never_give_up(store: FakeStore, clock: FixedClock) -> None:
    queue(store, message("a", clock.now()))
    messenger = FakeMessenger([rate_limited(1)] * (MAX_ATTEMPTS + 2))
    run = dispatcher(store, messenger, clock)

    for _ in range(MAX_ATTEMPTS + 2):
        run.run_once()
        clock.advance(timedelta(seconds=1))
    run.run_once()

    assert len(messenger.asked) == MAX_ATTEMPTS + 3
    assert store.message("a").status is MessageStatus.SENT


@pytest.mark.parametrize(("retry_after", "waited"), [(0.0, 1.0), (0.2, 1.0), (2.5, 2.5)])
def test_retry_after_waits_at_least_a_second(
    store: FakeStore, clock: FixedClock, retry_after: float, waited: float
) -> None:
    queue(store, message("a", clock.now()))

    dispatcher(store, FakeMessenger([rate_limited(retry_after)]), clock).run_once()

    assert store.message("a").due_at == clock.now() + timedelta(seconds=waited)


def test_after_a_429_the_rest_of_that_teams_batch_is_released_not_sent(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("t1-a", now - timedelta(seconds=4)),
        message("t1-b", now - timedelta(seconds=3)),
        message("t2-c", now - timedelta(seconds=2), team_id=OTHER_TEAM),
        message("t1-d", now - timedelta(seconds=1)),
    )
    messenger = FakeMessenger([rate_limited(30)])

    report = dispatcher(store, messenger, clock).run_once()

    assert messenger.keys == ["t1-a", "t2-c"]  # the other workspace has its own limit
    assert (report.sent, report.retried) == (1, 3)
    assert store.message("t2-c").status is MessageStatus.SENT
    for key in ("t1-a", "t1-b", "t1-d"):
        held = store.message(key)
        assert (held.status, held.attempts) == (MessageStatus.PENDING, 0), key
        assert held.due_at == now + timedelta(seconds=30), key
    assert store.message("t1-b").last_error == ""  # it was never tried


def test_a_429_pauses_the_team_for_the_whole_pass_not_just_one_batch(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("a", now - timedelta(seconds=2)), message("b", now - timedelta(seconds=1)))
    messenger = FakeMessenger([rate_limited(30)])

    dispatcher(store, messenger, clock, batch_size=1).run_once()

    assert messenger.keys == ["a"]
    assert store.message("b").due_at == now + timedelta(seconds=30)


# -- transient errors back off; permanent ones stop ----------------------------------------


def test_backoff_doubles_from_ten_seconds_up_to_an_hour() -> None:
    seconds = [backoff(n).total_seconds() for n in range(10)]

    assert seconds == [10, 10, 20, 40, 80, 160, 320, 640, 1280, 2560]
    assert backoff(10) == timedelta(hours=1)
    assert backoff(30) == timedelta(hours=1)


def test_backoff_stays_capped_for_any_number_of_attempts() -> None:
    assert backoff(44) == timedelta(hours=1)


def test_a_transient_error_backs_off_and_counts_an_attempt(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("a", now))

    report = dispatcher(store, FakeMessenger([transient("timeout")]), clock).run_once()

    held = store.message("a")
    assert (held.status, held.attempts, held.last_error) == (MessageStatus.PENDING, 1, "timeout")
    assert held.due_at == now + timedelta(seconds=10)
    assert report.retried == 1


def test_transient_errors_give_up_after_max_attempts_with_the_reason(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("a", clock.now()))
    messenger = FakeMessenger([transient("timeout")] * MAX_ATTEMPTS)
    run = dispatcher(store, messenger, clock)

    for attempt in range(1, MAX_ATTEMPTS):
        tried_at = clock.now()
        assert run.run_once().retried == 1
        held = store.message("a")
        assert (held.status, held.attempts) == (MessageStatus.PENDING, attempt)
        assert held.due_at == tried_at + backoff(attempt)
        clock.set(held.due_at)
    report = run.run_once()

    gave_up = store.message("a")
    assert gave_up.status is MessageStatus.FAILED
    assert gave_up.attempts == MAX_ATTEMPTS
    assert gave_up.last_error == f"gave up after {MAX_ATTEMPTS} attempts: timeout"
    assert report.failures == [("a", gave_up.last_error)]
    clock.advance(timedelta(days=30))
    assert run.run_once().handled == 0
    assert len(messenger.asked) == MAX_ATTEMPTS


def test_a_permanent_failure_is_recorded_and_never_retried(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("a", clock.now()), message("b", clock.now()))
    messenger = FakeMessenger([permanent("user_not_found")])
    run = dispatcher(store, messenger, clock)

    report = run.run_once()
    clock.advance(timedelta(days=1))
    run.run_once()

    failed = store.message("a")
    assert (failed.status, failed.attempts) == (MessageStatus.FAILED, 1)
    assert failed.last_error == "user_not_found"
    assert failed.sent_at is None
    assert (report.failed, report.sent) == (1, 1)
    assert report.failures == [("a", "user_not_found")]
    assert messenger.keys == ["a", "b"]


def test_a_messenger_that_raises_fails_that_message_and_carries_on(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("a", clock.now()), message("b", clock.now()))
    messenger = FakeMessenger([ValueError("bad block")])

    report = dispatcher(store, messenger, clock).run_once()

    broken = store.message("a")
    assert (broken.status, broken.attempts) == (MessageStatus.FAILED, 1)
    assert broken.last_error == "internal: ValueError"
    assert store.message("b").status is MessageStatus.SENT
    assert (report.failed, report.sent) == (1, 1)
    assert report.failures == [("a", "internal: ValueError")]


# -- too late is worse than never ------------------------------------------------------------


def test_an_expired_message_is_dropped_and_never_sent(store: FakeStore, clock: FixedClock) -> None:
    now = clock.now()
    queue(
        store,
        message("stale", now - timedelta(hours=2), expires_at=now - timedelta(seconds=1)),
        message("just-in-time", now - timedelta(hours=2), expires_at=now),
    )
    messenger = FakeMessenger()

    report = dispatcher(store, messenger, clock).run_once()

    dropped = store.message("stale")
    assert dropped.status is MessageStatus.DROPPED
    assert dropped.last_error == "late: its moment had passed"
    assert (dropped.attempts, dropped.sent_at) == (0, None)
    assert messenger.keys == ["just-in-time"]
    assert (report.dropped, report.sent) == (1, 1)


# -- internal jobs ------------------------------------------------------------------------------


class RecordingJob:
    """A job that leaves a message behind, so its transaction can be seen to commit or not."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[tuple[str, datetime]] = []
        self.fail = fail

    def __call__(self, uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        self.calls.append((message.key, now))
        uow.outbox.add(
            OutgoingMessage(
                team_id=message.team_id,
                kind="mentee.suggestions",
                recipient="UMENTEE1",
                key=f"{message.key}:follow-up",
                due_at=now,
            )
        )
        if self.fail:
            raise RuntimeError("the job broke")


def test_a_job_runs_once_is_marked_done_and_its_changes_are_kept(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("expire-1", now, kind="job.test"))
    job = RecordingJob()
    messenger = FakeMessenger()
    run = dispatcher(store, messenger, clock, jobs={"job.test": job})

    report = run.run_once()
    run.run_once()

    assert job.calls == [("expire-1", now)]
    done = store.message("expire-1")
    assert (done.status, done.sent_at, done.attempts) == (MessageStatus.SENT, now, 1)
    assert report.jobs == 1
    # the job is not sent to anyone; what it queued goes out in the same pass
    assert messenger.keys == ["expire-1:follow-up"]
    assert report.sent == 1


def test_a_job_that_raises_fails_rolls_back_and_does_not_block_the_others(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("broken", now - timedelta(seconds=2), kind="job.broken"),
        message("fine", now - timedelta(seconds=1), kind="job.fine"),
        message("hello", now),
    )
    broken, fine = RecordingJob(fail=True), RecordingJob()
    messenger = FakeMessenger()
    run = dispatcher(store, messenger, clock, jobs={"job.broken": broken, "job.fine": fine})

    report = run.run_once()
    clock.advance(timedelta(hours=1))
    run.run_once()

    failed = store.message("broken")
    assert failed.status is MessageStatus.FAILED
    assert failed.last_error == "internal: RuntimeError"
    assert "broken:follow-up" not in statuses(store)  # its transaction was rolled back
    assert len(broken.calls) == 1  # and it is not run again
    assert len(fine.calls) == 1
    assert store.message("fine").status is MessageStatus.SENT
    assert messenger.keys == ["hello", "fine:follow-up"]
    assert report.jobs == 1
    assert report.failures == [("broken", "internal: RuntimeError")]


def test_a_failed_jobs_follow_up_commits_on_its_own_and_a_broken_one_changes_nothing(
    store: FakeStore, clock: FixedClock
) -> None:
    """A job that raises has its transaction rolled back; its kind's follow-up then runs in a
    transaction of its own (what it queues is kept), and a follow-up that raises too leaves
    the job failed and the queue going."""
    now = clock.now()
    queue(
        store,
        message("broken", now - timedelta(seconds=2), kind="job.broken"),
        message("worse", now - timedelta(seconds=1), kind="job.worse"),
        message("hello", now),
    )
    told, also_broken = RecordingJob(), RecordingJob(fail=True)
    run = dispatcher(
        store,
        FakeMessenger(),
        clock,
        jobs={"job.broken": RecordingJob(fail=True), "job.worse": RecordingJob(fail=True)},
        job_failures={"job.broken": told, "job.worse": also_broken},
    )

    run.run_once()

    assert [key for key, _ in told.calls] == ["broken"]
    assert statuses(store)["broken:follow-up"] is not None  # the follow-up's own, kept
    assert "worse:follow-up" not in statuses(store)  # the broken follow-up's rolled back
    assert store.message("broken").status is MessageStatus.FAILED
    assert store.message("worse").status is MessageStatus.FAILED
    assert store.message("hello").status is MessageStatus.SENT


# -- deliver_now: one dispatching thread, asked to go round again ------------------------------


def run_in_thread(
    target: Callable[[], DispatchReport | None],
) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(target()), daemon=True)
    thread.start()
    return thread, results


class Gate:
    """Holds the first delivery until the test opens it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()
        self._first = True

    def __call__(self, message: OutgoingMessage) -> None:
        if self._first:
            self._first = False
            self.entered.set()
            assert self.opened.wait(WAIT), "the test never opened the gate"


def test_deliver_now_while_a_run_is_going_returns_none_and_the_run_goes_round_again(
    store: FakeStore, clock: FixedClock
) -> None:
    start = clock.now()
    queue(store, message("first", start))
    gate = Gate()
    messenger = FakeMessenger(before_send=gate)
    run = dispatcher(store, messenger, clock)

    thread, results = run_in_thread(run.deliver_now)
    assert gate.entered.wait(WAIT)
    assert store.lease_of("first") == (WORKER, start + LEASE)
    # Meanwhile, a click queues a message a second later and asks for delivery.
    clock.advance(timedelta(seconds=1))
    queue(store, message("second", clock.now()))
    assert run.deliver_now() is None
    assert messenger.keys == ["first"]  # this thread delivered nothing itself
    gate.opened.set()
    thread.join(WAIT)

    assert not thread.is_alive()
    [report] = results
    assert isinstance(report, DispatchReport)
    assert report.sent == 2
    assert messenger.keys == ["first", "second"]
    assert store.message("second").sent_at == start + timedelta(seconds=1)


def test_deliver_now_when_idle_delivers_and_reports(store: FakeStore, clock: FixedClock) -> None:
    queue(store, message("a", clock.now()))
    messenger = FakeMessenger()

    report = dispatcher(store, messenger, clock).deliver_now()

    assert report is not None
    assert report.sent == 1
    assert messenger.keys == ["a"]


def test_deliver_now_during_a_scheduler_tick_is_not_lost(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("first", clock.now()))
    gate = Gate()
    messenger = FakeMessenger(before_send=gate)
    run = dispatcher(store, messenger, clock)

    thread, _ = run_in_thread(run.run_once)
    assert gate.entered.wait(WAIT)
    clock.advance(timedelta(seconds=1))
    queue(store, message("second", clock.now()))
    assert run.deliver_now() is None
    gate.opened.set()
    thread.join(WAIT)
    assert not thread.is_alive()

    assert messenger.keys == ["first", "second"]


class HookedLock:
    """A real lock that runs ``hook`` once just before its first release."""

    def __init__(self, hook: Callable[[], None]) -> None:
        self._lock = threading.Lock()
        self._hook: Callable[[], None] | None = hook

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        hook, self._hook = self._hook, None
        if hook is not None:
            hook()
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_deliver_now_just_as_a_run_finishes_is_not_lost(
    store: FakeStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    messenger = FakeMessenger()
    run = dispatcher(store, messenger, clock)
    second_call: list[DispatchReport | None] = []

    def a_click_arrives() -> None:
        queue(store, message("click", clock.now()))
        second_call.append(run.deliver_now())

    monkeypatch.setattr(run, "_lock", HookedLock(a_click_arrives))

    first = run.deliver_now()

    assert first is not None
    assert second_call == [None]  # it left the work to the run that was finishing
    assert messenger.keys == ["click"]


# -- stopping and observing (graceful shutdown, metrics) --------------------------------------


def test_a_stop_mid_pass_finishes_the_claimed_batch_and_claims_no_more(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, *(message(f"m-{n}", now - timedelta(minutes=n)) for n in range(5)))
    worker: Dispatcher | None = None

    def stop_at_the_first(_message: OutgoingMessage) -> None:
        assert worker is not None
        worker.stop()  # SIGTERM arrives while the first post is under way

    messenger = FakeMessenger(before_send=stop_at_the_first)
    worker = dispatcher(store, messenger, clock, batch_size=2)

    report = worker.run_once()

    assert report.sent == 2  # the claimed batch
    assert sorted(statuses(store).values()).count(MessageStatus.PENDING) == 3  # not claimed
    assert MessageStatus.SENDING not in statuses(store).values()  # no lease left to run out
    assert worker.deliver_now() is not None and len(messenger.asked) == 2  # and stays stopped


def test_each_pass_is_reported_to_the_observer_with_its_counts_and_lags(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(
        store,
        message("on-time", now),
        message("a-minute-late", now - timedelta(minutes=1)),
        message("too-late", now - timedelta(hours=2), expires_at=now - timedelta(hours=1)),
        message("refused", now - timedelta(seconds=5)),
    )
    seen: list[DispatchReport] = []
    worker = Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=FakeMessenger().then(SENT, permanent(), SENT),
        clock=clock,
        jobs={},
        worker=WORKER,
        observe=seen.append,
        sends_in_flight=SENDS_IN_FLIGHT,
    )

    report = worker.run_once()

    assert len(seen) == 1 and seen[0] == report
    assert (report.due, report.sent, report.failed, report.dropped, report.late) == (4, 2, 1, 1, 1)
    assert sorted(report.lags) == [0.0, 60.0]
    assert worker.run_once().due == 0 and len(seen) == 2  # an empty pass is reported too


# -- a commit per batch: outcomes written with the next claim ------------------------------


class CountingUnitOfWork(FakeUnitOfWork):
    """Counts commits, and can make one claim fail as a database going away would."""

    commits = 0
    claims = 0
    fail_claim: int | None = None  # which claim (1st, 2nd, ...) raises

    def commit(self) -> None:
        type(self).commits += 1
        super().commit()

    def __enter__(self) -> CountingUnitOfWork:
        super().__enter__()
        claim_due = self.outbox.claim_due

        def claim(**kwargs: Any) -> list[OutgoingMessage]:
            cls = type(self)
            cls.claims += 1
            if cls.claims == cls.fail_claim:
                raise ConnectionError("the database went away")
            return claim_due(**kwargs)

        self.outbox.claim_due = claim  # type: ignore[method-assign]
        return self


def counting(fail_claim: int | None = None) -> type[CountingUnitOfWork]:
    return type("Counting", (CountingUnitOfWork,), {"fail_claim": fail_claim})


def test_a_batch_is_settled_in_the_transaction_that_claims_the_next(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, *(message(f"m-{n}", now - timedelta(minutes=n)) for n in range(5)))
    unit = counting()
    worker = Dispatcher(
        uow=lambda: unit(store),
        messenger=FakeMessenger(),
        clock=clock,
        jobs={},
        worker=WORKER,
        batch_size=2,
        sends_in_flight=SENDS_IN_FLIGHT,
    )

    report = worker.run_once()

    assert report.sent == 5
    assert set(statuses(store).values()) == {MessageStatus.SENT}
    # batches of 2, 2, 1: claim; settle + claim; settle + claim; settle + (nothing left)
    assert unit.commits == 4
    assert {"claim", "settle", "commit", "send", "loop"} <= set(report.cpu)
    assert all(seconds >= 0 for seconds in [*report.cpu.values(), *report.wall.values()])


def test_outcomes_are_still_written_when_claiming_the_next_batch_fails(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, *(message(f"m-{n}", now - timedelta(minutes=n)) for n in range(5)))
    unit = counting(fail_claim=2)
    messenger = FakeMessenger()
    worker = Dispatcher(
        uow=lambda: unit(store),
        messenger=messenger,
        clock=clock,
        jobs={},
        worker=WORKER,
        batch_size=2,
        sends_in_flight=SENDS_IN_FLIGHT,
    )

    with pytest.raises(ConnectionError):
        worker.run_once()

    sent = sorted(k for k, status in statuses(store).items() if status is MessageStatus.SENT)
    assert len(messenger.asked) == 2 and sent == sorted(m.key for m in messenger.asked)
    assert sorted(statuses(store).values()).count(MessageStatus.PENDING) == 3  # never claimed
    assert worker.run_once().sent == 3  # the database back: the rest go, none twice
    assert len(messenger.asked) == 5


# -- a slow Slack: leases renewed while the batch is in hand, fenced when settled ---------

SHORT_LEASE = timedelta(seconds=60)


def replica(
    store: FakeStore, messenger: FakeMessenger, clock: FixedClock, *, worker: str
) -> Dispatcher:
    return Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=messenger,
        clock=clock,
        jobs={},
        worker=worker,
        lease=SHORT_LEASE,
        sends_in_flight=SENDS_IN_FLIGHT,
    )


def test_a_batch_that_outlives_its_first_lease_is_not_sent_again_by_another_replica(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, *(message(k, now) for k in ("a", "b", "c")))
    other_slack = FakeMessenger()
    other = replica(store, other_slack, clock, worker="worker-2")

    def slow_post(posting: OutgoingMessage) -> None:
        clock.advance(timedelta(seconds=40))  # Slack takes 40 s: the batch outlives 60 s
        if posting.key == "b":
            other.run_once()  # the other replica's tick, 80 s into the first one's batch

    slow_slack = FakeMessenger(before_send=slow_post)

    replica(store, slow_slack, clock, worker=WORKER).run_once()

    assert slow_slack.keys == ["a", "b", "c"]
    assert other_slack.keys == []  # renewed as it went: still the first replica's
    assert set(statuses(store).values()) == {MessageStatus.SENT}


def test_a_replica_that_lost_its_lease_neither_sends_nor_overwrites_what_it_lost(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("a", now), message("b", now))
    other_slack = FakeMessenger()
    other_slack.already_there["a"] = SendResult(SendOutcome.SENT, channel="D1", ts="1700.1")
    other = replica(store, other_slack, clock, worker="worker-2")

    def stalled_post(posting: OutgoingMessage) -> None:
        clock.advance(timedelta(seconds=90))  # one post outlives the whole lease
        other.run_once()  # claims both in doubt: finds "a" in Slack, sends "b"

    lost_answer = SendResult(SendOutcome.RETRY, error="connection: TimeoutError", uncertain=True)
    stalled_slack = FakeMessenger([lost_answer], before_send=stalled_post)

    report = replica(store, stalled_slack, clock, worker=WORKER).run_once()

    assert stalled_slack.keys == ["a"]  # "b" is the other replica's now: not sent twice
    assert other_slack.keys == ["b"]
    assert report.lost == 1
    posted = store.message("a")  # the other replica's outcome stands
    assert (posted.status, posted.sent_ts) == (MessageStatus.SENT, "1700.1")
    assert store.message("b").status is MessageStatus.SENT
    clock.advance(timedelta(hours=1))
    replica(store, stalled_slack, clock, worker=WORKER).run_once()
    assert stalled_slack.keys == ["a"]  # nothing left pending to send again


class OneSlack(FakeMessenger):
    """One Slack for two replicas: what either posted, either finds (``find_sent``).
    ``after_first_look`` runs once, after the first look has found nothing: that look was
    slow, and the process stalled before it could post."""

    def __init__(self, *, after_first_look: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._after_first_look = after_first_look

    def send(self, message: OutgoingMessage) -> SendResult:
        result = super().send(message)
        self.already_there[message.key] = SendResult(SendOutcome.SENT, channel="D1", ts="1.1")
        return result

    def find_sent(self, message: OutgoingMessage) -> SendResult | None:
        found = super().find_sent(message)
        stall, self._after_first_look = self._after_first_look, None
        if stall is not None:
            stall()
        return found


class StallAfterTheHeartbeat:
    """Quiet hours (a port the dispatcher asks between its lease check and the hand-off to
    the window) that hold nothing, but stall the process on the first message they see."""

    def __init__(self, stall: Callable[[], None]) -> None:
        self._stall: Callable[[], None] | None = stall

    def hold_until(self, message: OutgoingMessage, now: datetime) -> datetime | None:
        stall, self._stall = self._stall, None
        if stall is not None:
            stall()
        return None


def test_a_stall_between_the_lease_check_and_the_post_does_not_double_it(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("a", now), message("b", now))
    slack = OneSlack()
    other = replica(store, slack, clock, worker="worker-2")

    def stall() -> None:  # the lease was fine a moment ago; now it has run out
        clock.advance(SHORT_LEASE + timedelta(seconds=1))
        other.run_once()  # claims both in doubt, finds neither in Slack, posts both

    stalled = Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=slack,
        clock=clock,
        jobs={},
        worker=WORKER,
        lease=SHORT_LEASE,
        quiet_hours=StallAfterTheHeartbeat(stall),
        sends_in_flight=SENDS_IN_FLIGHT,
    )

    report = stalled.run_once()

    assert slack.keys == ["a", "b"]  # each once: the other replica's posts
    assert (report.sent, report.lost) == (0, 2)
    assert set(statuses(store).values()) == {MessageStatus.SENT}
    assert {store.lease_of(key)[1] for key in ("a", "b")} == {None}  # settled by the other


def test_a_slow_look_in_slack_then_a_stall_before_the_post_does_not_double_it(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    queue(store, message("orphan", now - timedelta(minutes=10)))
    with FakeUnitOfWork(store) as uow:  # a worker claims it, then dies: it is in doubt
        uow.outbox.claim_due(now=now - timedelta(minutes=10), limit=1, lease=LEASE, worker="dead")
        uow.commit()

    def stall() -> None:  # looked, found nothing; by the time it posts, its lease is gone
        clock.advance(SHORT_LEASE + timedelta(seconds=1))
        other.run_once()  # claims it in doubt too, finds nothing, posts it

    slack = OneSlack(after_first_look=stall)
    other = replica(store, slack, clock, worker="worker-2")

    report = replica(store, slack, clock, worker=WORKER).run_once()

    assert slack.looked_for == ["orphan", "orphan"]
    assert slack.keys == ["orphan"]  # once: the other replica's post
    assert (report.sent, report.lost) == (0, 1)
    assert store.message("orphan").status is MessageStatus.SENT


def test_retry_after_counts_from_the_429_not_from_the_start_of_the_pass(
    store: FakeStore, clock: FixedClock
) -> None:
    queue(store, message("a", clock.now()))
    slow = FakeMessenger(
        [rate_limited(30)], before_send=lambda _: clock.advance(timedelta(seconds=200))
    )

    dispatcher(store, slow, clock).run_once()

    assert store.message("a").due_at == clock.now() + timedelta(seconds=30)


def test_backoff_and_expiry_count_from_the_moment_too(store: FakeStore, clock: FixedClock) -> None:
    start = clock.now()
    queue(
        store,
        message("flaky", start - timedelta(seconds=2)),
        message("brief", start - timedelta(seconds=1), expires_at=start + timedelta(seconds=100)),
    )
    slow = FakeMessenger([transient()], before_send=lambda _: clock.advance(timedelta(seconds=200)))

    report = dispatcher(store, slow, clock).run_once()

    assert store.message("flaky").due_at == start + timedelta(seconds=200) + backoff(1)
    assert slow.keys == ["flaky"]  # "brief" had expired by its turn, 200 s in
    assert (report.dropped, report.late) == (1, 1)


# -- several sends in flight ----------------------------------------------------------------


class Overlapping(FakeMessenger):
    """Sends that really overlap: the first waits until a second has started. Keeps the
    conversations it saw two posts in flight to at once (there must be none)."""

    def __init__(self) -> None:
        super().__init__()
        self.second_started = threading.Event()
        self.doubled: list[str] = []
        self.flying: set[str] = set()
        self.peak = 0
        self._flight_lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> SendResult:
        with self._flight_lock:
            if message.recipient in self.flying:
                self.doubled.append(message.recipient)
            self.flying.add(message.recipient)
            self.peak = max(self.peak, len(self.flying))
            first = not self.asked
        if first:
            self.second_started.wait(WAIT)
        else:
            self.second_started.set()
        try:
            return super().send(message)
        finally:
            with self._flight_lock:
                self.flying.discard(message.recipient)


def test_with_sends_in_flight_each_goes_once_and_each_conversation_keeps_its_order(
    store: FakeStore, clock: FixedClock
) -> None:
    now = clock.now()
    people = [f"UPERSON{n}" for n in range(5)]
    queue(
        store,
        *(
            message(f"m{n:02d}", now - timedelta(seconds=60 - n), recipient=people[n % 5])
            for n in range(40)
        ),
    )
    messenger = Overlapping()
    run = Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=messenger,
        clock=clock,
        jobs={},
        worker=WORKER,
        batch_size=10,
        lease=LEASE,
        sends_in_flight=4,
    )

    report = run.run_once()

    assert messenger.second_started.is_set() and messenger.peak >= 2  # they did overlap
    assert messenger.doubled == []  # never two posts to one conversation at once
    assert sorted(messenger.keys) == [f"m{n:02d}" for n in range(40)]  # each once
    for person in people:
        theirs = [m.key for m in messenger.asked if m.recipient == person]
        assert theirs == sorted(theirs)  # in the order they were due
    assert (report.sent, report.handled) == (40, 40)
    assert set(statuses(store).values()) == {MessageStatus.SENT}


def test_a_send_waiting_in_the_window_after_a_429_is_not_attempted() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    tried: list[str] = []

    def attempt(m: OutgoingMessage) -> SendResult:
        tried.append(m.key)
        return rate_limited(30) if m.key == "a" else SENT

    window = SendWindow(size=4, attempt=attempt, now=lambda: now)
    outcomes: list[tuple[str, SendResult | None]] = []

    def record(m: OutgoingMessage, result: SendResult | None) -> None:
        outcomes.append((m.key, result))

    window.submit(message("a", now, recipient="U1"), record)
    window.drain()
    window.submit(message("b", now, recipient="U2"), record)
    window.submit(message("c", now, team_id=OTHER_TEAM, recipient="U3"), record)
    window.close()

    assert tried == ["a", "c"]
    assert [key for key, _ in outcomes] == ["a", "b", "c"]  # in the order submitted
    assert outcomes[1][1] is None  # b: its workspace waits, so it was never sent
    assert outcomes[2][1] == SENT  # the other workspace has its own limit
    assert window.paused_until(TEAM) == now + timedelta(seconds=30)
