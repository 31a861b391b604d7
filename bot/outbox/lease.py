"""The batch a dispatcher holds: a lease on its rows, renewed as the batch is worked through.

A claim is fenced by a token new per claim: a worker that outlives its lease (Slack slow, the
process paused) finds its rows gone to another worker and leaves them alone. The lease is
checked twice for a post: before its message is handed to the window of sends in flight (the
heartbeat, ``still_held``), and again just before the post itself (``may_post``), since a
stall between the two could outlast it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model.outbox import OutgoingMessage
from bot.outbox.report import DispatchReport, Stage
from bot.ports import UnitOfWorkFactory

log = logging.getLogger("bot.outbox.dispatch")


@dataclass
class Claim:
    """The batch this worker holds: its rows, its token, and when to renew the lease."""

    token: str
    ids: tuple[int, ...]
    renew_at: datetime | None
    held: set[int] | None = None  # after a renewal: the rows still this worker's


class Lease:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        worker: str,
        length: timedelta,
        now: Callable[[], datetime],
        report: Callable[[], DispatchReport],
    ) -> None:
        self._uow = uow
        self._worker = worker
        self._lease = length
        self._now = now
        self._report = report  # the pass's, for its stage times
        self.claim = Claim(token="", ids=(), renew_at=None)  # the batch in hand
        self._renewing = threading.Lock()  # the heartbeat and the sending threads renew it

    def hold(self, token: str, ids: tuple[int, ...], now: datetime) -> None:
        """A new batch claimed at ``now`` under ``token``."""
        self.claim = Claim(token=token, ids=ids, renew_at=now + self._lease / 3)

    def still_held(self, message: OutgoingMessage) -> bool:
        """The heartbeat: before each message, once a third of the lease is gone, extend the
        lease of the whole batch; a row not held any more is another worker's now."""
        claim = self.claim
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

    def may_post(self, message: OutgoingMessage) -> bool:
        """The fence at the post itself, in the thread that makes it: no post starts with less
        than two thirds of its lease ahead, as after the heartbeat.

        The heartbeat ran before the message was handed to the window; a stall since then (the
        process paused, a slow look in Slack) may have let the lease run out, and another
        worker, finding nothing in Slack yet, post it too. So the batch's lease is renewed here
        first if a third of it is gone (the renewal is fenced: it fails if the row is another
        worker's now); if the renewal itself took a third of the lease, nothing is posted and
        the row is left to run out and be looked for in Slack, as after a crash."""
        claim = self.claim
        if claim.renew_at is not None and self._now() >= claim.renew_at:
            self._renew(claim)
            if self._now() >= claim.renew_at:
                return False
        return claim.held is None or message.id in claim.held

    def _renew(self, claim: Claim) -> None:
        """Extend the lease of the whole batch, once for all the threads that find it due."""
        with self._renewing:
            now = self._now()
            if claim.renew_at is None or now < claim.renew_at:
                return  # another thread has just renewed it
            with Stage(self._report(), "renew"), self._uow() as uow:
                held = uow.outbox.renew(
                    claim.ids, worker=self._worker, token=claim.token, until=now + self._lease
                )
                uow.commit()
            claim.held = held
            claim.renew_at = now + self._lease / 3
