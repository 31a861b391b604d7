"""One dispatcher process for the throughput benchmark: built as ``mentorbot tick`` builds it.

Run as ``python -m bench.worker <ISO instant>``: prints ``{"ready": true}`` once its imports and
database connection are done, waits for a line on stdin, runs one dispatch pass as of that
instant and prints what it did, how long it took, and where its CPU went: per stage of the
pass (``bot.outbox.report.Stage``), with decoding a row's payload and rendering it measured
apart on the benchmark's own message; then holds its connection until stdin closes, so the
bench can read what the database spent on it. Settings come from the environment.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from typing import Any

from slack_sdk import WebClient

from bot.clock import FixedClock
from bot.model.kinds import Kind
from handlers import SlackMessenger
from handlers.rendering import RENDERERS
from mentorbot.services import build_services
from mentorbot.settings import load_settings
from mentorbot.wiring import freeze_start_up, web_client
from storage import connect
from storage.outbox import read_payload

SAMPLE = {"request_id": 1, "context": "first"}  # what bench.dispatch queues, one of them


def cpu_us(work: Any, rounds: int = 2000) -> float:
    """CPU microseconds per call of ``work`` (this thread), after a warm-up."""
    for _ in range(50):
        work()
    started = time.thread_time()
    for _ in range(rounds):
        work()
    return (time.thread_time() - started) / rounds * 1e6


def main() -> None:
    now = datetime.fromisoformat(sys.argv[1])
    settings = load_settings()
    database = connect(settings.database_url)
    sender = web_client(settings, interactive=False)
    if os.environ.get("BENCH_TRANSPORT") == "urllib":  # slack_sdk's own: a connection per call
        sender = WebClient(token=sender.token, base_url=sender.base_url, timeout=sender.timeout)
    services = build_services(
        database, settings, clock=FixedClock(now), messenger=SlackMessenger(lambda _team: sender)
    )
    services.dispatcher.preview(now, limit=1)  # connect before the clock starts
    freeze_start_up()  # as ``mentorbot tick`` and each ``serve`` worker do
    payload = read_payload(Kind.WAITLISTED, dict(SAMPLE))
    decode = cpu_us(lambda: read_payload(Kind.WAITLISTED, dict(SAMPLE)))
    render = cpu_us(lambda: RENDERERS[Kind.WAITLISTED](payload))
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    started, cpu = time.perf_counter(), time.process_time()
    report = services.dispatcher.run_once(now)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        json.dumps(
            {
                "sent": report.sent,
                "failed": report.failed,
                "retried": report.retried,
                "handled": report.handled,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "stages": {
                    stage: {"cpu": report.cpu[stage], "wall": report.wall.get(stage, 0.0)}
                    for stage in report.cpu
                },
                "decode_us": decode,
                "render_us": render,
                "batch_size": settings.mentorbot_outbox_batch_size,
                "sends_in_flight": settings.mentorbot_outbox_sends_in_flight,
            }
        ),
        flush=True,
    )
    sys.stdin.readline()  # its connection kept open until told: the bench reads its backend
    database.dispose()


if __name__ == "__main__":
    main()
