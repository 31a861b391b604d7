"""The thread pool that runs work after ``ack()``, and lets tests wait until it is idle."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from handlers.kit.refusals import ListenerArgs

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class TrackedExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` that knows how much work is in flight.

    Bolt runs lazy listeners on the executor it is given. Counting them lets tests and a
    graceful shutdown wait for the follow-up work of every request, without sleeping.
    """

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="mentorbot-work")
        self._in_flight = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._idle:
            self._in_flight += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any] | None) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        with self._idle:
            return self._in_flight

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once nothing is running or queued (work may queue more work: waits for it)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)


def opened_in_request(
    listener: Callable[[ListenerArgs], None],
) -> Callable[[ListenerArgs], None]:
    """The ack function of a command or click that opens a modal: ``views.open`` goes out
    from the request itself, then the ack (``process_before_response``).

    The trigger dies 3 s after the click, so the opening must not wait in any queue: in a
    lazy listener it queued behind every other follow-up (a cohort, an announcement's
    fan-out), and a burst of asks acked at once piled up there. In the request it costs the
    opener a few milliseconds of reads and one Slack call; what can wait (the person's zone)
    is handed to the pool by the listener."""

    def open_then_ack(args: ListenerArgs) -> None:
        try:
            listener(args)
        except Exception:  # no 500 for Slack to show: logged, and the request acked
            log.exception("opening a modal failed")
        args.ack()

    return open_then_ack
