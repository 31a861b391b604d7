"""One cohort planned through the service, in a process of its own (its peak memory is the
cohort's, not the bench's). Run as ``DATABASE_URL=... python -m bench.cohort_process``:
plans everyone waiting (seeded beforehand by ``bench.matching.seed_cohort``) as the
coordinator's ``/mentor match everyone`` does, prints seconds, statements and peak RSS."""

from __future__ import annotations

import json
import os
import resource
import time

from bench.matching import AT, Statements
from bot.clock import FixedClock
from handlers import SlackMessenger
from mentorbot.services import build_services
from mentorbot.settings import Settings
from mentorbot.wiring import web_client
from storage import connect

COORDINATOR = "UCOORD"


def main() -> None:
    url = os.environ["DATABASE_URL"]
    settings = Settings(
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url=url,
        mentorbot_coordinators=[f"T0001:{COORDINATOR}"],
    )
    database = connect(url)
    sender = web_client(settings, interactive=False)
    services = build_services(
        database, settings, clock=FixedClock(AT), messenger=SlackMessenger(lambda _t: sender)
    )
    counted = Statements(database.engine)
    started, cpu = time.perf_counter(), time.process_time()
    plan = services.cohorts.plan_cohort(team_id="T0001", coordinator_id=COORDINATOR)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    counted.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu,  # this process's own: less moved by a loaded machine
                "statements": counted.statements,
                "pairs": len(plan.pairs),
                "unmatched": len(plan.unmatched),
                "total_fit": plan.total_fit,
                "peak_rss_mb": peak_mb,
            }
        ),
        flush=True,
    )
    database.dispose()


if __name__ == "__main__":
    main()
