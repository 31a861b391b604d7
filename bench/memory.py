"""Resident memory of the bot process with a large program in its database.

The bot runs as ``mentorbot run`` runs it (bench.serve: HTTP app, scheduler, warmed
dateparser) on a SQLite database holding 10,000 participants and 5,000 active pairs. RSS is
read from /proc when idle, then after it dispatched 10,000 due messages (with the peak).
"""

from __future__ import annotations

import time
from typing import Any

from bench.common import SIGNING_SECRET, Figure, child_env, read_json, rss_mb, say, spawn, stop
from bench.dispatch import queue
from bench.program import seed
from storage import connect

TARGET_MB = 200


def run(*, database_url: str, slack_url: str, fake: Any, messages: int) -> list[Figure]:
    database = connect(database_url)
    database.migrate()
    seed(database, mentors=5_000, mentees=5_000, pairs=5_000)
    database.dispose()
    say(fake, {"op": "clear"})
    env = child_env(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        MENTORBOT_DISPATCH_INTERVAL_SECONDS="3600",
    )
    bot = spawn("bench.serve", "bot", env=env)
    try:
        pid = int(read_json(bot)["pid"])
        time.sleep(1.0)  # let the start-up dispatch pass and the scheduler settle
        idle, _ = rss_mb(pid)
        queue(database_url, messages)
        report = say(bot, {"op": "dispatch"})
        after, peak = rss_mb(pid)
    finally:
        stop(bot)
    keys = say(fake, {"op": "keys"})
    delivered_once = keys["distinct"] == messages and keys["max"] == 1
    return [
        Figure(
            section="memory",
            name="bot RSS idle, 10,000 participants, 5,000 pairs",
            value=f"{idle:.0f} MB",
            target=f"< {TARGET_MB} MB",
            met=idle < TARGET_MB,
            data={"rss_mb": idle},
        ),
        Figure(
            section="memory",
            name=f"bot RSS after dispatching {messages:,}",
            value=(
                f"{after:.0f} MB (peak {peak:.0f} MB); sent {report['sent']} in "
                f"{report['seconds']:.1f} s" + ("" if delivered_once else "; NOT exactly once")
            ),
            target=f"< {TARGET_MB} MB",
            met=peak < TARGET_MB and delivered_once,
            data={
                "rss_mb": after,
                "peak_mb": peak,
                "messages": messages,
                "sent": report["sent"],
                "delivered_once": delivered_once,
            },
        ),
    ]
