"""`mentorbot serve`: Slack's HTTP edge under gunicorn, for production behind a load balancer.

The master process migrates the database and queues the planning of what older pairs miss
(a chain of outbox jobs the workers run, so a start never waits on it) (none of which needs
Slack: a worker starts while Slack can't be reached, says so on ``/readyz`` and keeps the
outbox waiting until ``auth.test`` answers), then forks ``WEB_CONCURRENCY`` workers. Each
worker builds its own runtime after the fork (database pool, Bolt app, thread pool,
dispatcher and its scheduler), so no connection or thread is shared across processes, and
then, on threads of its own while it serves, warms dateparser (its first parse loads its
data, a few tenths of a second) and builds each workspace's mentor pool.

Workers are gthread workers: Bolt acks in the request thread (``process_before_response``) and
the measured floor is a few milliseconds a request, so 8 threads a worker keep p99 far below
Slack's 3 s (shared/slack/README.md: 2 workers x 8 threads, 37/42 ms p50/p99 at 50 concurrent
clients).

On SIGTERM the master stops listening and tells each worker; a worker finishes the requests
in flight, then (``worker_exit``) stops its scheduler, waiting for a dispatch pass it has
claimed, and its thread pool of follow-up work, and exits. ``graceful_timeout`` bounds it all.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.base import Worker

from mentorbot.settings import Settings

if TYPE_CHECKING:  # importing wiring loads prometheus-client: not before metrics_directory()
    from gunicorn._types import _WSGIAppType

    from bot.clock import Clock
    from mentorbot.wiring import Runtime

log = logging.getLogger("mentorbot.serve")

THREADS = 8
GRACEFUL_SECONDS = 30  # a dispatch pass is batches of 100 posts: well within this
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_OWN_DIRECTORY = "MENTORBOT_OWN_METRICS_DIRECTORY"  # set by metrics_directory() when it made one


class GunicornLogs(glogging.Logger):
    """gunicorn's own lines through our handlers: one format, redacted like every other line."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True


class MentorbotServer(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        self.runtime: Runtime | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> _WSGIAppType:
        """Runs in each worker, after the fork."""
        runtime = start_worker(self.settings)
        self.runtime = runtime
        return cast("_WSGIAppType", runtime.wsgi())


def start_worker(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """A worker's start, after the fork: its runtime (the database's mappers configured as
    it connects), what start-up made frozen out of the garbage collector's way, the
    scheduler (the mentor pools built on a thread), dateparser warmed on another.
    ``bench.cohort_process`` starts so too: a cohort is measured in a process like the
    worker whose dispatcher runs its job."""
    from mentorbot.wiring import build_runtime, freeze_start_up

    runtime = build_runtime(settings, clock=clock, migrate=False)
    freeze_start_up()
    runtime.start_scheduler()
    runtime.warm_up()
    return runtime


def post_worker_init(worker: Worker) -> None:
    """At SIGTERM the dispatcher claims nothing more, at once: the batch in hand is finished
    (and, with the requests in flight, waited for in ``worker_exit``), the rest left to others."""
    runtime: Runtime | None = getattr(worker.app, "runtime", None)
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: FrameType | None) -> None:
        if runtime is not None:
            runtime.services.dispatcher.stop()
        log.info("worker %d stopping: finishing the requests and the dispatch in hand", worker.pid)
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_term)


def worker_exit(_arbiter: Arbiter, worker: Worker) -> None:
    """In the worker, once it has stopped serving: finish claimed dispatches and follow-ups."""
    runtime: Runtime | None = getattr(worker.app, "runtime", None)
    if runtime is not None:
        log.info("worker %d finishing its work before exit", worker.pid)
        runtime.shutdown()


def child_exit(_arbiter: Arbiter, worker: Worker) -> None:
    """In the master: a dead worker's live metrics files go (its counters stay summed)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def metrics_directory() -> Path:
    """Where workers write their metrics: ``PROMETHEUS_MULTIPROC_DIR``, emptied at start (as
    prometheus-client asks), or a fresh temporary directory. Set before prometheus-client is
    imported: it picks its storage at import time."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
    else:
        path = Path(tempfile.mkdtemp(prefix="mentorbot-metrics-"))
        os.environ[MULTIPROC_ENV] = str(path)
        os.environ[_OWN_DIRECTORY] = str(path)
    return path


def on_exit(_arbiter: Arbiter) -> None:
    """In the master, last: a temporary metrics directory of our own making goes with us."""
    own = os.environ.get(_OWN_DIRECTORY)
    if own:
        shutil.rmtree(own, ignore_errors=True)


def options(settings: Settings) -> dict[str, Any]:
    return {
        "bind": [f"{settings.host}:{settings.port}"],
        "workers": settings.web_concurrency,
        "worker_class": "gthread",
        "threads": THREADS,
        "graceful_timeout": GRACEFUL_SECONDS,
        "timeout": GRACEFUL_SECONDS,
        "keepalive": 5,
        "accesslog": None,  # mentorbot.http logs each Slack request: kind, status, time
        "logger_class": GunicornLogs,
        "loglevel": settings.log_level.lower(),
        "proc_name": "mentorbot",
        "preload_app": False,
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
        "child_exit": child_exit,
        "on_exit": on_exit,
    }


def prepare(settings: Settings) -> None:
    """Once, in the master, before any worker exists."""
    from bot.clock import SystemClock
    from handlers import SlackMessenger
    from mentorbot.services import build_services
    from mentorbot.wiring import web_client
    from storage import connect
    from storage.crypto import Cipher

    database = connect(settings.database_url)
    try:
        database.use_cipher(Cipher(settings.mentorbot_encryption_key))  # 0015 encrypts with it
        database.migrate()
        sender = web_client(settings, interactive=False)
        services = build_services(
            database, settings, clock=SystemClock(), messenger=SlackMessenger(lambda _t: sender)
        )
        # Nothing here asks Slack: a Slack that can't be reached must not stop a deploy. The
        # workers reach it in the background, and reinstate the bot token's workspace then.
        services.rhythm.plan_missing_later()  # older pairs: planned by the workers, in chunks
    finally:
        database.dispose()  # no pooled connection may cross the fork


def serve(settings: Settings) -> None:
    """Runs until SIGTERM or SIGINT; gunicorn exits the process (0 after a clean stop)."""
    signal.signal(signal.SIGTERM, _stop_before_serving)  # until gunicorn installs its own
    metrics_directory()  # before anything imports prometheus-client
    prepare(settings)
    log.info(
        "serving http://%s:%d/slack/events with %d worker(s) x %d threads",
        settings.host,
        settings.port,
        settings.web_concurrency,
        THREADS,
    )
    MentorbotServer(settings, options(settings)).run()


def _stop_before_serving(_signum: int, _frame: FrameType | None) -> None:
    """Stopped while migrating or warming up: nothing is in flight, leave quietly (a PostgreSQL
    migration rolls back as a whole)."""
    log.info("stopping before serving")
    sys.exit(0)
