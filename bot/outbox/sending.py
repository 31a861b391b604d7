"""Several Slack calls in flight per dispatcher, outcomes still handled one by one, in order.

A zero-latency Slack is not the real one: each post waits a round trip, and a dispatcher that
waited for each answer would sit idle through it. A window of sends overlaps those waits. A
message that is one post (most) is written by the dispatching thread itself and its answer
read later (``Posting``): no thread hand-over, no thread waiting. Anything else (a look in
Slack first, files, a group DM to open) is sent whole by ``Messenger.send`` in a thread of a
small pool, started only when such a message comes up.

What stays the same as one send at a time: outcomes are recorded by the dispatching thread in
the order the messages were claimed; a conversation never has two posts in flight (Slack keeps
our order, and allows about one post a second per conversation anyway); and once Slack's 429
for a workspace has been read, sends for it that have not started yet are not attempted (the
caller releases them to after ``Retry-After``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from bot.model.outbox import OutgoingMessage
from bot.ports import Pending, SendResult

Attempt = Callable[[OutgoingMessage], SendResult]
Start = Callable[[OutgoingMessage], Pending | SendResult | None]
"""Starts a post in the dispatching thread; None: not one post, ``Attempt`` it in a thread."""
Finish = Callable[[Pending], SendResult]
Outcome = Callable[[OutgoingMessage, SendResult | None], None]
"""Called in the dispatching thread, in claim order: ``None`` means not attempted (paused)."""


class _Send:
    """One message in the window: its post on its way, its thread's send, or its result."""

    __slots__ = ("future", "message", "pending", "result")

    def __init__(
        self,
        message: OutgoingMessage,
        *,
        pending: Pending | None = None,
        future: Future[SendResult | None] | None = None,
        result: SendResult | None = None,
    ) -> None:
        self.message = message
        self.pending = pending
        self.future = future
        self.result = result


class SendWindow:
    def __init__(
        self,
        *,
        size: int,
        attempt: Attempt,
        now: Callable[[], datetime],
        start: Start | None = None,
        finish: Finish | None = None,
    ) -> None:
        self._size = max(1, size)
        self._attempt = attempt
        self._start = start
        self._finish = finish or (lambda pending: pending.result())
        self._now = now
        self._pool: ThreadPoolExecutor | None = None
        self._flight: deque[_Send] = deque()
        self._recipients: dict[str, int] = {}  # conversations with a post in flight
        self._posts = 0  # of the flight: posts on their way (``Posting``), answers to look at
        self._paused: dict[str, datetime] = {}  # workspace -> when Slack lets us go on
        self._lock = threading.Lock()
        self._outcome: Outcome | None = None

    def paused_until(self, team_id: str) -> datetime | None:
        if not self._paused:  # no 429 this pass (the usual case): no lock to take
            return None
        with self._lock:
            return self._paused.get(team_id)

    def pause(self, team_id: str, until: datetime) -> None:
        with self._lock:
            self._paused[team_id] = max(until, self._paused.get(team_id, until))

    def reset(self) -> None:
        """A new pass: pauses are per pass, as the dispatcher's were before the window."""
        with self._lock:
            self._paused.clear()

    def make_room(self, message: OutgoingMessage) -> None:
        """Hand back outcomes until ``message`` may start: a free place, and no post to its
        conversation still in flight. Called before the lease is checked for it, so the check
        sees the moment its send really starts; a 429 already read pauses its workspace."""
        settled = False
        while self._flight and (
            len(self._flight) >= self._size or message.recipient in self._recipients
        ):
            self._settle_oldest()
            settled = True
        if settled and self._posts:  # waiting for the oldest answer read the others in
            self._note_rate_limits()

    def submit(self, message: OutgoingMessage, outcome: Outcome) -> None:
        """Start sending ``message`` (after ``make_room``, which it repeats to be sure)."""
        self._outcome = outcome
        self.make_room(message)
        send = self._begin(message)
        if self._size == 1:
            outcome(message, self._result(send))
            return
        self._flight.append(send)
        self._recipients[message.recipient] = self._recipients.get(message.recipient, 0) + 1

    def drain(self) -> None:
        """Wait for every send in flight and hand back their outcomes (end of a batch, or
        before a job that reads the outbox)."""
        while self._flight:
            self._settle_oldest()

    def close(self) -> None:
        self.drain()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _begin(self, message: OutgoingMessage) -> _Send:
        if self.paused_until(message.team_id) is not None:
            return _Send(message)  # not attempted: its result stays None
        started = self._start(message) if self._start is not None else None
        if isinstance(started, SendResult):
            return _Send(message, result=started)
        if started is not None:
            self._posts += 1
            return _Send(message, pending=started)
        if self._size == 1:
            return _Send(message, result=self._guarded(message))
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._size, thread_name_prefix="outbox-send")
        return _Send(message, future=self._pool.submit(self._guarded, message))

    def _result(self, send: _Send) -> SendResult | None:
        if send.pending is not None:
            pending, send.pending = send.pending, None
            self._posts -= 1
            send.result = self._finish(pending)  # never raises: the caller's guard
            if send.result.retry_after is not None:
                self.pause(send.message.team_id, self._retry_at(send.result.retry_after))
        elif send.future is not None:
            future, send.future = send.future, None
            send.result = future.result()  # _guarded never raises
        return send.result

    def _note_rate_limits(self) -> None:
        """Read the answers already in: a 429 among them pauses its workspace now, before
        another send to it starts, not when its turn to be recorded comes."""
        for send in self._flight:
            if send.pending is not None and send.pending.done:
                self._result(send)

    def _settle_oldest(self) -> None:
        send = self._flight.popleft()
        recipient = send.message.recipient
        left = self._recipients[recipient] - 1
        if left:
            self._recipients[recipient] = left
        else:
            del self._recipients[recipient]
        result = self._result(send)
        assert self._outcome is not None
        self._outcome(send.message, result)

    def _guarded(self, message: OutgoingMessage) -> SendResult | None:
        if self.paused_until(message.team_id) is not None:
            return None
        result = self._attempt(message)
        if result.retry_after is not None:
            self.pause(message.team_id, self._retry_at(result.retry_after))
        return result

    def _retry_at(self, seconds: float) -> datetime:
        return self._now() + timedelta(seconds=max(1.0, seconds))
