"""The durable dispatcher: delivers what is due, once, whatever crashes or replicas do.

What is due lives in the outbox table, not in APScheduler: APScheduler only decides *when* to
look. A run claims due rows (other replicas skip them), delivers each, and settles it in its
own transaction. Slack's answers decide what happens next: 429 waits ``Retry-After`` and keeps
the message pending, transient errors back off, permanent ones fail with the reason and stop.

A claim is a short lease, renewed as the batch is worked through, and fenced by a token new per
claim: a worker that outlives its lease (Slack slow, the process paused) finds the rows gone to
another worker and leaves them alone, rather than sending them alongside it or overwriting its
outcome. The lease is checked twice for a post: before its message is handed to the window of
sends in flight (renewing the batch's), and again by the thread that posts, just before the
post (``_may_post``), since a stall between the two could outlast it. Every moment (a 429's
``Retry-After``, a backoff, ``expires_at``) is read from the clock when it happens, not from
the start of the pass.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.outbox.quiet_hours import PromptDrop, PromptHold
from bot.outbox.sending import SendWindow
from bot.ports import Messenger, SendOutcome, SendResult, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Job = Callable[[UnitOfWork, OutgoingMessage, datetime], None]
"""An internal job runs inside the transaction that marks its row done: exactly once."""


def both(first: Job, second: Job) -> Job:
    """Two features' jobs for one kind, run in order in the one transaction (a session met:
    the journal counts milestones, the rhythm cancels the quiet-pair ladder)."""

    def run(uow: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        first(uow, message, now)
        second(uow, message, now)

    return run


MAX_ATTEMPTS = 8
IN_DOUBT = "in doubt: "  # last_error of a message Slack may have: looked for before a retry
BASE_BACKOFF = timedelta(seconds=10)
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(seconds=60)
"""How long a claim holds without renewal: what a dead worker's batch waits. It must outlast
the slowest single delivery (Slack's client timeout, a job), since renewal is per message."""


@dataclass
class DispatchReport:
    due: int = 0  # rows claimed: what this pass found due
    sent: int = 0
    failed: int = 0
    retried: int = 0
    dropped: int = 0
    jobs: int = 0
    held: int = 0  # bot-started messages waiting for the recipient's working hours
    late: int = 0  # of ``dropped``: past their ``expires_at``
    lost: int = 0  # claimed, but another worker took them over before their turn: left alone
    failures: list[tuple[str, str]] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)  # seconds from due to sent, per message
    cpu: dict[str, float] = field(default_factory=dict)  # seconds of CPU by stage (``Stage``)
    wall: dict[str, float] = field(default_factory=dict)  # seconds of waiting + CPU by stage

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retried + self.dropped + self.jobs

    def add(self, other: DispatchReport) -> None:
        """Fold another pass into this one (``deliver_now`` may go round several times)."""
        for name in ("due", "sent", "failed", "retried", "dropped", "jobs", "held", "late", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures
        self.lags += other.lags
        for mine, theirs in ((self.cpu, other.cpu), (self.wall, other.wall)):
            for stage, seconds in theirs.items():
                mine[stage] = mine.get(stage, 0.0) + seconds


class Stage:
    """Times one stage of a pass into its report: CPU of the thread it runs in, and wall time,
    less the stages nested in it (a job inside the batch's loop is the job's, not the loop's).

    Stages: ``claim`` (the claim's statements, the rows decoded), ``settle`` (writing the
    outcomes), ``commit``, ``renew``, ``send`` (rendering and the Slack call, in whichever
    thread makes it), ``job``, and ``loop``: the rest of working through a batch (what each
    message needs, handing sends out, reading Slack's answers). Per batch and per send, never
    per check: a stage costs about a microsecond. What a message costs and where, without a
    profiler: the benchmark prints it (bench/dispatch.py).
    """

    __slots__ = ("_cpu", "_inner_cpu", "_inner_wall", "_name", "_report", "_wall")

    def __init__(self, report: DispatchReport, name: str) -> None:
        self._report = report
        self._name = name
        self._cpu = self._wall = self._inner_cpu = self._inner_wall = 0.0

    def __enter__(self) -> Stage:
        stack: list[Stage] | None = getattr(_stages, "open", None)
        if stack is None:
            stack = _stages.open = []
        stack.append(self)
        self._cpu = time.thread_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        cpu = time.thread_time() - self._cpu
        wall = time.perf_counter() - self._wall
        stack: list[Stage] = _stages.open
        stack.pop()
        if stack:
            stack[-1]._inner_cpu += cpu
            stack[-1]._inner_wall += wall
        report, name = self._report, self._name
        with _stage_lock:  # sends finish in several threads at once
            report.cpu[name] = report.cpu.get(name, 0.0) + cpu - self._inner_cpu
            report.wall[name] = report.wall.get(name, 0.0) + wall - self._inner_wall


_stages = threading.local()  # each thread's open stages, innermost last
_stage_lock = threading.Lock()


def backoff(attempts: int) -> timedelta:
    factor: int = 2 ** min(max(0, attempts - 1), 16)  # capped before it can overflow
    return min(BASE_BACKOFF * factor, MAX_BACKOFF)


class Dispatcher:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        messenger: Messenger,
        clock: Clock,
        jobs: Mapping[str, Job],
        worker: str,
        batch_size: int = 100,
        lease: timedelta = LEASE,
        max_batches: int = 1000,
        quiet_hours: PromptHold | None = None,
        absences: PromptDrop | None = None,
        sends_in_flight: int = 1,
        observe: Callable[[DispatchReport], None] | None = None,
    ) -> None:
        self._uow = uow
        self._messenger = messenger
        self._clock = clock
        self._jobs = dict(jobs)
        self._worker = worker
        self._batch_size = batch_size
        self._lease = lease
        self._max_batches = max_batches
        self._quiet_hours = quiet_hours
        self._absences = absences  # away people and paused pairs get no prompts
        self._window = SendWindow(size=sends_in_flight, attempt=self._attempt, now=self._now)
        self._observe = observe  # metrics, outside bot/: called once per finished pass
        self._unsettled: list[OutgoingMessage] = []  # outcomes not written yet (this batch)
        self._skew = timedelta(0)  # a pass "as of" another moment (tick --now) keeps its offset
        self._claim = _Claim(token="", ids=(), renew_at=None)  # the batch in hand
        self._renewing = threading.Lock()  # the heartbeat and the sending threads renew it
        self._report = DispatchReport()  # the pass's, for its stage times
        self._lock = threading.Lock()
        self._again = threading.Event()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Claim nothing more (graceful shutdown): a pass finishes the batch it has claimed,
        so nothing waits for a lease to run out; what is left is another replica's to send."""
        self._stopping.set()

    def preview(self, now: datetime | None = None, limit: int = 1000) -> list[OutgoingMessage]:
        """What a run at ``now`` would deliver, touching nothing (``mentorbot tick --dry-run``)."""
        with self._uow() as uow:
            return uow.outbox.due_preview(now=now or self._clock.now(), limit=limit)

    def deliver_now(self) -> DispatchReport | None:
        """Deliver what is due now; if a run is already going, ask it to go round once more.

        Handlers call this right after a change so people hear back in a second, not at the
        next scheduler tick, without piling up one dispatching thread per click. The flag is
        re-checked after every release, so a request that arrives just as a run ends is never
        lost.
        """
        self._again.set()
        report: DispatchReport | None = None
        while self._again.is_set():
            if not self._lock.acquire(blocking=False):
                return report  # the holder re-checks the flag after it lets go
            try:
                report = report or DispatchReport()
                while self._again.is_set():
                    self._again.clear()
                    self._run(self._clock.now(), report)
            finally:
                self._lock.release()
        return report

    def run_once(self, now: datetime | None = None) -> DispatchReport:
        """One complete pass as of ``now`` (the scheduler's tick and ``mentorbot tick``)."""
        report = DispatchReport()
        with self._lock:
            self._run(now or self._clock.now(), report)
        if self._again.is_set():  # someone asked for a delivery while this pass held the lock
            self.deliver_now()
        return report

    def _now(self) -> datetime:
        """This moment, on the pass's timeline: the clock, shifted when the pass runs as of
        another time, so what takes a while inside a pass is measured, not assumed."""
        return self._clock.now() + self._skew

    def _run(self, as_of: datetime, report: DispatchReport) -> None:
        this_pass = DispatchReport()
        self._skew = as_of - self._clock.now()
        try:
            self._pass(this_pass)
        finally:
            self._window.close()  # its threads live for a pass, never leak past it
            self._flush()  # even after a bug: what was sent is recorded as sent
            report.add(this_pass)
            if self._observe is not None:
                self._observe(this_pass)

    def _pass(self, report: DispatchReport) -> None:
        self._window.reset()  # Retry-After pauses last for the pass, per workspace
        self._report = report
        for _ in range(self._max_batches):
            if self._stopping.is_set():
                return
            claimed = self._settle_and_claim(report)
            if not claimed:
                return
            report.due += len(claimed)
            with Stage(report, "loop"):
                self._work_through(claimed, report)

    def _work_through(self, claimed: list[OutgoingMessage], report: DispatchReport) -> None:
        try:
            for message in claimed:
                self._window.make_room(message)  # outcomes in: the clock as it sends
                if not self._still_held(message):
                    report.lost += 1
                    continue
                paused_until = self._window.paused_until(message.team_id)
                if paused_until is not None:
                    self._release(message, paused_until)
                    report.retried += 1
                    continue
                self._deliver(message, report)
        finally:
            self._window.drain()  # every outcome of the batch in hand before settling

    def _settle_and_claim(self, report: DispatchReport) -> list[OutgoingMessage]:
        """Write the last batch's outcomes and claim the next batch in one transaction: a
        commit (a disk flush, ~6 ms here) per batch rather than two. Both or neither: if it
        fails, the outcomes are written on their own before the pass ends (``_run``), or,
        the database still away, their rows stay claimed until the lease runs out and are
        looked for in Slack before anything is sent again, as after a crash."""
        batch, self._unsettled = self._unsettled, []
        settled_under = self._claim.token
        token, now = uuid.uuid4().hex, self._now()
        try:
            written, claimed = self._settle_then_claim(batch, settled_under, token, now, report)
        except Exception:
            # Nothing of it was written: the outcomes go back to be written on their own
            # (``_run`` flushes whatever is left, even after an error).
            self._unsettled = batch + self._unsettled
            raise
        for message in batch:
            if message.id not in written:
                self._lost(message)
        self._claim = _Claim(
            token=token,
            ids=tuple(m.id for m in claimed if m.id is not None),
            renew_at=now + self._lease / 3,
        )
        return claimed

    def _settle_then_claim(
        self,
        batch: list[OutgoingMessage],
        settled_under: str,
        token: str,
        now: datetime,
        report: DispatchReport,
    ) -> tuple[set[int], list[OutgoingMessage]]:
        with self._uow() as uow:
            written: set[int] = set()
            if batch:
                with Stage(report, "settle"):
                    written = uow.outbox.settle_many(
                        batch, worker=self._worker, token=settled_under
                    )
            with Stage(report, "claim"):
                claimed = uow.outbox.claim_due(
                    now=now,
                    limit=self._batch_size,
                    lease=self._lease,
                    worker=self._worker,
                    token=token,
                )
            with Stage(report, "commit"):
                uow.commit()
        return written, claimed

    def _still_held(self, message: OutgoingMessage) -> bool:
        """The heartbeat: before each message, once a third of the lease is gone, extend the
        lease of the whole batch; a row not held any more is another worker's now."""
        claim = self._claim
        if claim.renew_at is not None and self._now() >= claim.renew_at:
            self._renew(claim)
        if claim.held is None or message.id in claim.held:
            return True
        log.warning(
            "%s (%s): its lease ran out and another worker claimed it: left to that worker",
            message.key,
            message.kind,
        )
        return False

    def _may_post(self, message: OutgoingMessage) -> bool:
        """The fence at the post itself, in the thread that makes it: no post starts with less
        than two thirds of its lease ahead, as after the heartbeat.

        The heartbeat ran before the message was handed to the window; a stall since then (the
        process paused, a slow look in Slack) may have let the lease run out, and another
        worker, finding nothing in Slack yet, post it too. So the batch's lease is renewed here
        first if a third of it is gone (the renewal is fenced: it fails if the row is another
        worker's now); if the renewal itself took a third of the lease, nothing is posted and
        the row is left to run out and be looked for in Slack, as after a crash."""
        claim = self._claim
        if claim.renew_at is not None and self._now() >= claim.renew_at:
            self._renew(claim)
            if self._now() >= claim.renew_at:
                return False
        return claim.held is None or message.id in claim.held

    def _renew(self, claim: _Claim) -> None:
        """Extend the lease of the whole batch, once for all the threads that find it due."""
        with self._renewing:
            now = self._now()
            if claim.renew_at is None or now < claim.renew_at:
                return  # another thread has just renewed it
            with Stage(self._report, "renew"), self._uow() as uow:
                held = uow.outbox.renew(
                    claim.ids, worker=self._worker, token=claim.token, until=now + self._lease
                )
                uow.commit()
            claim.held = held
            claim.renew_at = now + self._lease / 3

    def _deliver(self, message: OutgoingMessage, report: DispatchReport) -> None:
        """Decide what a claimed message needs; a send joins the window of sends in flight,
        and its outcome is recorded by ``_record`` in claim order."""
        now = self._now()
        if message.coalesce_key is not None and self._superseded(message, now):
            message.status = MessageStatus.DROPPED
            message.last_error = "coalesced: a newer one of its kind went out instead"
            self._settle(message)
            report.dropped += 1
            return
        if message.expires_at is not None and now > message.expires_at:
            message.status = MessageStatus.DROPPED
            message.last_error = "late: its moment had passed"
            self._settle(message)
            report.dropped += 1
            report.late += 1
            return
        absent = self._absences.drop_reason(message, now) if self._absences else None
        if absent is not None:
            message.status = MessageStatus.DROPPED
            message.last_error = absent
            self._settle(message)
            report.dropped += 1
            return
        if self._quiet_hours is not None:
            allowed_at = self._quiet_hours.hold_until(message, now)
            if allowed_at is not None:
                self._hold(message, allowed_at)
                report.held += 1
                return
        job = self._jobs.get(message.kind)
        if job is not None:
            self._run_job(job, message, report)
            return
        self._window.submit(message, lambda sent, result: self._record(sent, result, report))

    def _run_job(self, job: Job, message: OutgoingMessage, report: DispatchReport) -> None:
        now = self._now()
        self._window.drain()  # a job reads the outbox: let it see every outcome so far
        self._flush()
        try:
            with Stage(report, "job"), self._uow() as uow:
                # Fenced first, in the job's own transaction (the row stays locked to its
                # end): a job may delete or rewrite its own row, so settling can't be.
                if message.id not in uow.outbox.renew(
                    [message.id] if message.id is not None else [],
                    worker=self._worker,
                    token=self._claim.token,
                    until=now + self._lease,
                ):  # another worker holds it now: its run of the job is the one that counts
                    self._lost(message)
                    return
                job(uow, message, now)
                message.status = MessageStatus.SENT
                message.sent_at = self._now()
                message.attempts += 1
                uow.outbox.settle(message)
                uow.commit()
            report.jobs += 1
        except Exception as error:  # a broken job must not block the queue behind it
            log.exception("job %s (%s) raised", message.key, message.kind)
            message.status = MessageStatus.FAILED
            message.last_error = f"internal: {type(error).__name__}"
            self._settle(message)
            report.failed += 1
            report.failures.append((message.key, message.last_error))

    def _attempt(self, message: OutgoingMessage) -> SendResult:
        """One send (or a look in Slack first), in a thread of the window: never raises."""
        try:
            with Stage(self._report, "send"):
                found = self._already_delivered(message)
                if found is not None:
                    return found
                if not self._may_post(message):
                    return _LEFT
                return self._messenger.send(message)
        except Exception as error:  # a bug in rendering must not stop the other messages
            log.exception("sending %s (%s) raised", message.key, message.kind)
            return SendResult(SendOutcome.FAILED, error=f"internal: {type(error).__name__}")

    def _record(
        self, message: OutgoingMessage, result: SendResult | None, report: DispatchReport
    ) -> None:
        """What Slack's answer means for the message; ``None``: not attempted, its workspace
        was told to wait while the send sat in the window."""
        now = self._now()  # Slack has answered: what follows is measured from this moment
        if result is _LEFT:  # not posted: its lease ran short before the post could start
            log.warning(
                "%s (%s): its lease ran short before the post: not posted, left to whoever "
                "claims it next (it is looked for in Slack first)",
                message.key,
                message.kind,
            )
            report.lost += 1
            return
        if result is None:
            self._release(message, self._window.paused_until(message.team_id) or now)
            report.retried += 1
            return
        if result.outcome is SendOutcome.SENT:
            report.lags.append(max(0.0, (now - message.due_at).total_seconds()))
            message.status = MessageStatus.SENT
            message.sent_at = now
            message.attempts += 1
            message.last_error = ""
            message.sent_channel, message.sent_ts = result.channel, result.ts
            self._settle(message)
            report.sent += 1
            return
        if result.outcome is SendOutcome.FAILED:
            message.status = MessageStatus.FAILED
            message.attempts += 1
            message.last_error = result.error
            self._settle(message)
            report.failed += 1
            report.failures.append((message.key, result.error))
            log.warning("giving up on %s to %s: %s", message.kind, message.recipient, result.error)
            return
        if result.retry_after is not None:  # rate limited: not the message's fault
            retry_at = now + timedelta(seconds=max(1.0, result.retry_after))
            self._window.pause(message.team_id, retry_at)
            self._release(message, retry_at, error=result.error)
            report.retried += 1
            return
        message.attempts += 1
        message.last_error = IN_DOUBT + result.error if result.uncertain else result.error
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MessageStatus.FAILED
            message.last_error = f"gave up after {message.attempts} attempts: {result.error}"
            report.failed += 1
            report.failures.append((message.key, message.last_error))
        else:
            message.status = MessageStatus.PENDING
            message.due_at = now + backoff(message.attempts)
            report.retried += 1
        self._settle(message)

    def _already_delivered(self, message: OutgoingMessage) -> SendResult | None:
        """A message whose dispatcher died mid-send, or whose answer was lost, may be in Slack
        already: look first."""
        if not (message.in_doubt or message.last_error.startswith(IN_DOUBT)):
            return None
        found = self._messenger.find_sent(message)
        if found is not None:
            log.info(
                "%s (%s) had reached Slack before a restart: not sent again",
                message.key,
                message.kind,
            )
        return found

    def _superseded(self, message: OutgoingMessage, now: datetime) -> bool:
        """After downtime several prompts of one kind for one person are due at once: only
        the newest goes out, the older ones are dropped rather than sent in a burst."""
        with self._uow() as uow:
            return uow.outbox.newer_due(message, now=now)

    def _hold(self, message: OutgoingMessage, until: datetime) -> None:
        """Wait for the recipient's working hours. A hold must never lose the message, so its
        lifetime (``expires_at`` after ``due_at``) is measured again from the moment it may go:
        a did-you-meet with six days to live, held over a weekend, still has six."""
        if message.expires_at is not None:
            message.expires_at = until + max(message.expires_at - message.due_at, timedelta(0))
        self._release(message, until)

    def _release(self, message: OutgoingMessage, at: datetime, *, error: str = "") -> None:
        message.status = MessageStatus.PENDING
        message.due_at = at
        if error:
            message.last_error = error
        self._settle(message)

    def _settle(self, message: OutgoingMessage) -> None:
        """Record an outcome; the batch's outcomes are written together, in one statement.

        A statement per message was half the cost of a delivery. Batching widens the window in
        which a crash leaves a delivered message unrecorded, but such a message stays claimed
        until its lease runs out and is then looked for in Slack before it is sent again.
        """
        self._unsettled.append(message)

    def _flush(self) -> None:
        if not self._unsettled:
            return
        batch, self._unsettled = self._unsettled, []
        with Stage(self._report, "settle"), self._uow() as uow:
            written = uow.outbox.settle_many(batch, worker=self._worker, token=self._claim.token)
            with Stage(self._report, "commit"):
                uow.commit()
        for message in batch:
            if message.id not in written:
                self._lost(message)

    @staticmethod
    def _lost(message: OutgoingMessage) -> None:
        """Its lease ran out while this worker had it; whoever claimed it since looks in Slack
        (``find_sent``) before sending, so its outcome is theirs to record, not ours."""
        log.warning(
            "%s (%s): lease lost before its outcome (%s) was recorded: left to the new holder",
            message.key,
            message.kind,
            message.status.value,
        )


_LEFT = SendResult(SendOutcome.RETRY, error="lease ran out before the post")
"""What a send thread answers when it did not post (``_may_post``): told apart by identity."""


@dataclass
class _Claim:
    """The batch this worker holds: its rows, its token, and when to renew the lease."""

    token: str
    ids: tuple[int, ...]
    renew_at: datetime | None
    held: set[int] | None = None  # after a renewal: the rows still this worker's
