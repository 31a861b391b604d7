"""The durable dispatcher: delivers what is due, once, whatever crashes or replicas do.

What is due lives in the outbox table, not in APScheduler: APScheduler only decides *when* to
look. A run claims due rows (other replicas skip them), delivers each, and settles it in its
own transaction. Slack's answers decide what happens next: 429 waits ``Retry-After`` and keeps
the message pending, transient errors back off, permanent ones fail with the reason and stop.

A claim is a short lease, renewed as the batch is worked through, and fenced by a token new per
claim: a worker that outlives its lease (Slack slow, the process paused) finds the rows gone to
another worker and leaves them alone, rather than sending them alongside it or overwriting its
outcome. The lease is checked twice for a post: before its message is handed to the window of
sends in flight (renewing the batch's), and again just before the
post (``Lease.may_post``), since a stall between the two could outlast it. Every moment (a 429's
``Retry-After``, a backoff, ``expires_at``) is read from the clock when it happens, not from
the start of the pass.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.outbox.lease import Lease
from bot.outbox.quiet_hours import PromptDrop, PromptHold
from bot.outbox.report import DispatchReport, Sampled, Stage
from bot.outbox.sending import SendWindow
from bot.ports import (
    Messenger,
    Pending,
    Posting,
    PostsInFlight,
    SendOutcome,
    SendResult,
    UnitOfWork,
    UnitOfWorkFactory,
)

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
        job_failures: Mapping[str, Job] | None = None,
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
        # What a job's failure means for the people waiting on it, run in a transaction of
        # its own once the job's has rolled back (a cohort's coordinator is told).
        self._job_failures = dict(job_failures or {})
        self._worker = worker
        self._batch_size = batch_size
        self._lease = lease
        self._max_batches = max_batches
        self._quiet_hours = quiet_hours
        self._absences = absences  # away people and paused pairs get no prompts
        self._posting: Posting | None = None  # posts in flight from this thread, per pass
        self._window = SendWindow(
            size=sends_in_flight,
            attempt=self._attempt,
            start=self._start if isinstance(messenger, PostsInFlight) else None,
            finish=self._finish,
            now=self._now,
        )
        self._observe = observe  # metrics, outside bot/: called once per finished pass
        self._unsettled: list[OutgoingMessage] = []  # outcomes not written yet (this batch)
        self._skew = timedelta(0)  # a pass "as of" another moment (tick --now) keeps its offset
        self._held = Lease(
            uow=uow, worker=worker, length=lease, now=self._now, report=lambda: self._report
        )
        self._report = DispatchReport()  # the pass's, for its stage times
        self._starting = self._finishing = Sampled("send")  # per post, in this thread
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
            if self._posting is not None:  # and so do its connections
                self._posting.close()
                self._posting = None
            self._flush()  # even after a bug: what was sent is recorded as sent
            report.add(this_pass)
            if self._observe is not None:
                self._observe(this_pass)

    def _pass(self, report: DispatchReport) -> None:
        self._window.reset()  # Retry-After pauses last for the pass, per workspace
        self._report = report
        # apart: the two alternate, and one count would only ever time one of them
        self._starting, self._finishing = Sampled("send"), Sampled("send")
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
                if not self._held.still_held(message):
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
        settled_under = self._held.claim.token
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
        self._held.hold(token, tuple(m.id for m in claimed if m.id is not None), now)
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
                    token=self._held.claim.token,
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
            self._job_failed(message, now)
            message.status = MessageStatus.FAILED
            message.last_error = f"internal: {type(error).__name__}"
            self._settle(message)
            report.failed += 1
            report.failures.append((message.key, message.last_error))

    def _job_failed(self, message: OutgoingMessage, now: datetime) -> None:
        """The failed job's follow-up, if its kind has one. Never raises: the row is failed
        either way, and a follow-up run twice (a crash before the row is settled) finds its
        work done (it checks, as jobs do)."""
        follow_up = self._job_failures.get(message.kind)
        if follow_up is None:
            return
        try:
            with self._uow() as uow:
                follow_up(uow, message, now)
                uow.commit()
        except Exception:
            log.exception("the follow-up of failed job %s (%s) raised", message.key, message.kind)

    def _start(self, message: OutgoingMessage) -> Pending | SendResult | None:
        """A post written from the dispatching thread, its answer read later (``_finish``);
        None for a message to look for in Slack first, or that is more than one post: the
        window sends it whole in a thread (``_attempt``). Never raises."""
        if message.in_doubt or message.last_error.startswith(IN_DOUBT):
            return None
        try:
            with self._starting(self._report):
                if not self._held.may_post(message):
                    return _LEFT
                if self._posting is None:
                    assert isinstance(self._messenger, PostsInFlight)
                    self._posting = self._messenger.posting()
                return self._posting.start(message)
        except Exception as error:  # a bug in rendering must not stop the other messages
            log.exception("sending %s (%s) raised", message.key, message.kind)
            return SendResult(SendOutcome.FAILED, error=f"internal: {type(error).__name__}")

    def _finish(self, pending: Pending) -> SendResult:
        """Slack's answer to a post ``_start`` wrote: never raises."""
        try:
            with self._finishing(self._report):
                return pending.result()
        except Exception as error:
            log.exception("reading Slack's answer raised")
            return SendResult(SendOutcome.FAILED, error=f"internal: {type(error).__name__}")

    def _attempt(self, message: OutgoingMessage) -> SendResult:
        """One send (or a look in Slack first), in a thread of the window: never raises."""
        try:
            with Stage(self._report, "send"):
                found = self._already_delivered(message)
                if found is not None:
                    return found
                if not self._held.may_post(message):
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
            written = uow.outbox.settle_many(
                batch, worker=self._worker, token=self._held.claim.token
            )
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
"""What a send thread answers when it did not post (``Lease.may_post``): told apart by identity."""
