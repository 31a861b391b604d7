"""One cohort planned through the service, in a process of its own (its peak memory is the
cohort's, not the bench's). Run as ``DATABASE_URL=... python -m bench.cohort_process``:
plans everyone waiting (seeded beforehand by ``bench.matching.seed_cohort``) as the
coordinator's ``/mentor match everyone`` does, prints seconds, statements and peak RSS.

The process starts as a ``mentorbot serve`` worker does (``mentorbot.serve.start_worker``:
the runtime, start-up's objects frozen out of the garbage collector's way, the scheduler and
its warm-ups), and the plan is measured once those warm-ups are done: in production a plan is
a job run by a worker's dispatcher, never a fresh process's first act. Slack is not there
(the worker says so and keeps trying, as one started while Slack is away), so the dispatcher
never starts and nothing else runs meanwhile. The cohort's own statements are not warmed:
they are compiled by the plan measured, as by a worker's first plan."""

from __future__ import annotations

import json
import os
import resource
import time

from bench.matching import AT, Statements
from bot.clock import FixedClock
from mentorbot.serve import start_worker
from mentorbot.settings import Settings

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
    runtime = start_worker(settings, clock=FixedClock(AT))
    if not runtime.wait_warm(60):
        raise RuntimeError("the worker's start-up work did not finish within a minute")
    counted = Statements(runtime.database.engine)
    started, cpu = time.perf_counter(), time.process_time()
    plan = runtime.services.cohorts.plan_cohort(team_id="T0001", coordinator_id=COORDINATOR)
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
    runtime.shutdown()


if __name__ == "__main__":
    main()
