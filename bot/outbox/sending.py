"""Several Slack calls in flight per dispatcher, outcomes still handled one by one, in order.

A zero-latency Slack is not the real one: each post waits a round trip, during which one
thread would sit idle. A small window of sends overlaps those waits. What stays the same as
one send at a time: outcomes are recorded by the dispatching thread in the order the messages
were claimed; a conversation never has two posts in flight (Slack keeps our order, and allows
about one post a second per conversation anyway); and once Slack answers 429 for a workspace,
sends for it that have not started yet are not attempted (the caller releases them to after
``Retry-After``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from bot.model.outbox import OutgoingMessage
from bot.ports import SendResult

Attempt = Callable[[OutgoingMessage], SendResult]
Outcome = Callable[[OutgoingMessage, SendResult | None], None]
"""Called in the dispatching thread, in claim order: ``None`` means not attempted (paused)."""


class SendWindow:
    def __init__(self, *, size: int, attempt: Attempt, now: Callable[[], datetime]) -> None:
        self._size = max(1, size)
        self._attempt = attempt
        self._now = now
        self._pool: ThreadPoolExecutor | None = None
        self._flight: deque[tuple[OutgoingMessage, Future[SendResult | None]]] = deque()
        self._paused: dict[str, datetime] = {}  # workspace -> when Slack lets us go on
        self._lock = threading.Lock()
        self._outcome: Outcome | None = None

    def paused_until(self, team_id: str) -> datetime | None:
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
        sees the moment its send really starts."""
        while self._flight and (
            len(self._flight) >= self._size
            or any(m.recipient == message.recipient for m, _ in self._flight)
        ):
            self._settle_oldest()

    def submit(self, message: OutgoingMessage, outcome: Outcome) -> None:
        """Start sending ``message`` (after ``make_room``, which it repeats to be sure)."""
        self._outcome = outcome
        if self._size == 1:
            outcome(message, self._guarded(message))
            return
        self.make_room(message)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._size, thread_name_prefix="outbox-send")
        self._flight.append((message, self._pool.submit(self._guarded, message)))

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

    def _settle_oldest(self) -> None:
        message, future = self._flight.popleft()
        result = future.result()  # _guarded never raises: the attempt turns errors into results
        assert self._outcome is not None
        self._outcome(message, result)

    def _guarded(self, message: OutgoingMessage) -> SendResult | None:
        if self.paused_until(message.team_id) is not None:
            return None
        result = self._attempt(message)
        if result.retry_after is not None:
            self.pause(message.team_id, self._retry_at(result.retry_after))
        return result

    def _retry_at(self, seconds: float) -> datetime:
        return self._now() + timedelta(seconds=max(1.0, seconds))
