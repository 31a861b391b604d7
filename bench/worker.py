"""One dispatcher process for the throughput benchmark: built as ``mentorbot tick`` builds it.

Run as ``python -m bench.worker <ISO instant>``: prints ``{"ready": true}`` once its imports and
database connection are done, waits for a line on stdin, runs one dispatch pass as of that
instant and prints what it did and how long it took. Settings come from the environment.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime

from slack_sdk import WebClient

from bot.clock import FixedClock
from handlers import SlackMessenger
from mentorbot.services import build_services
from mentorbot.settings import load_settings
from mentorbot.wiring import web_client
from storage import connect


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
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    report = services.dispatcher.run_once(now)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "sent": report.sent,
                "failed": report.failed,
                "retried": report.retried,
                "seconds": seconds,
            }
        ),
        flush=True,
    )
    database.dispose()


if __name__ == "__main__":
    main()
