"""The thread pool that runs work after ``ack()``, and lets tests wait until it is idle."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from slack_bolt import Args

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class TrackedExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` that knows how much work is in flight.

    Bolt runs lazy listeners on the executor it is given. Counting them lets tests and a
    graceful shutdown wait for the follow-up work of every request, without sleeping.
    """

    def __init__(self, max_workers: int = 8, *, modal_workers: int = 4) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="mentorbot-work")
        self._in_flight = 0
        self._idle = threading.Condition()
        # Opening a modal must beat the trigger's 3 s: its own lane, never queued behind
        # bulk follow-up work (a cohort, an announcement's fan-out) in the main pool.
        self._modals = ThreadPoolExecutor(modal_workers, thread_name_prefix="mentorbot-modal")

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._tracked(super().submit, fn, *args, **kwargs)

    def submit_modal(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn`` on the modal lane; counted with the rest for ``wait_idle``."""
        return self._tracked(self._modals.submit, fn, *args, **kwargs)

    def _tracked(
        self, submit: Callable[..., Future[T]], fn: Callable[..., T], *args: Any, **kwargs: Any
    ) -> Future[T]:
        with self._idle:
            self._in_flight += 1
        try:
            future = submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._modals.shutdown(wait=wait, cancel_futures=cancel_futures)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)

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


def on_modal_lane(
    executor: TrackedExecutor | None, listener: Callable[[Args], None]
) -> Callable[[Args], None]:
    """The ack function of a command or click that opens a modal: the opening is handed to
    the executor's modal lane at once and the request acked; no lazy listener (Bolt copies
    the request for one and queues it on the main pool). Without an executor (a test's bare
    app) it opens in the request itself."""

    def opening(args: Args) -> None:
        try:
            listener(args)
        except Exception:  # the ack has gone: nobody else would hear of it
            log.exception("opening a modal failed")

    def ack_then_open(args: Args) -> None:
        if executor is None:
            opening(args)
        else:
            executor.submit_modal(opening, args)
        args.ack()

    return ack_then_open
