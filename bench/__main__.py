"""``python -m bench [--quick] [--only ack,dispatch,...]``: run, print a table, write JSON."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench import ack, dates, dispatch, kickoff, matching, memory
from bench.common import (
    DEFAULT_POSTGRES_URL,
    ROOT,
    Figure,
    child_env,
    database_url,
    postgres_available,
    read_json,
    spawn,
    sqlite_url,
    stop,
    table,
    write_results,
)

SECTIONS = ("kickoff", "matching", "cohort", "dispatch", "dates", "ack", "memory")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    root.add_argument(
        "--quick",
        "--tiny",
        dest="quick",
        action="store_true",
        help="a smoke run in seconds that proves every row works (tests/test_bench.py)",
    )
    root.add_argument(
        "--medium", action="store_true", help="the issue's shapes, fewer requests and messages"
    )
    root.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    root.add_argument(
        "--postgres-url",
        default=os.environ.get("MENTORBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="a server where a throwaway database may be created ('' to skip PostgreSQL)",
    )
    root.add_argument("--messages", type=int, help="due messages to dispatch (default 10,000)")
    root.add_argument(
        "--dispatchers", default="1,3", help="dispatcher processes per run, comma-separated"
    )
    root.add_argument(
        "--transports",
        default="keep-alive,urllib",
        help="Web API transports to compare in the dispatch section, comma-separated",
    )
    root.add_argument(
        "--log-level",
        default="INFO",
        help="LOG_LEVEL of the servers in the kickoff section (INFO, production's default, "
        "has the bot log a line per request; the bare app logs none either way)",
    )
    root.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return root


def sizes(args: argparse.Namespace) -> dict[str, int]:
    if args.quick:
        scale = {
            "messages": 50,
            "requests": 20,
            "rounds": 5,
            "asks": 5,
            "mentors": 500,
            "cohort_mentees": 40,
            "cohort_mentors": 20,
            "kickoff_requests": 10,
            "kickoff_pairs": 50,
            "help_requests": 20,
            "help_rounds": 2,
        }
    elif args.medium:
        scale = {
            "messages": 1_000,
            "requests": 200,
            "rounds": 50,
            "asks": 30,
            "mentors": 5_000,
            "cohort_mentees": 2_000,
            "cohort_mentors": 1_000,
            "kickoff_requests": 100,
            "kickoff_pairs": 5_000,
            "help_requests": 500,
            "help_rounds": 3,
        }
    else:
        scale = {
            "messages": 10_000,
            "requests": 600,
            "rounds": 200,
            "asks": 100,
            "mentors": 5_000,
            "cohort_mentees": 2_000,
            "cohort_mentors": 1_000,
            "kickoff_requests": 400,
            "kickoff_pairs": 5_000,
            "help_requests": 2_000,
            "help_rounds": 5,
        }
    if args.messages:
        scale["messages"] = args.messages
    return scale


def scale_pools(args: argparse.Namespace) -> list[int]:
    """Mentor pools the ask is measured at (the issue's rows: 20,000, 5,000, 1,000)."""
    if args.quick:
        return [500]
    return [20_000, 5_000, 1_000]


def run(args: argparse.Namespace) -> list[Figure]:
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}; pick from {SECTIONS}")
    scale = sizes(args)
    databases = ["sqlite"]
    if args.postgres_url and postgres_available(args.postgres_url):
        databases.append("postgresql")
    figures: list[Figure] = []

    def show(new: list[Figure]) -> None:
        figures.extend(new)
        for f in new:
            print(f"  {f.section}: {f.name}: {f.value}", flush=True)

    if "kickoff" in only and "postgresql" in databases:
        fake = spawn("bench.slack_process", env=child_env())
        try:
            slack_url = read_json(fake)["url"]
            with database_url("postgresql", postgres=args.postgres_url) as url:
                show(
                    kickoff.run(
                        postgres_url=url,
                        slack_url=slack_url,
                        fake=fake,
                        requests=scale["kickoff_requests"],
                        pairs=scale["kickoff_pairs"],
                        workers=1 if args.quick else 2,  # serve's default: 2 workers
                        levels=(2,) if args.quick else (10, 50),
                        help_requests=scale["help_requests"],
                        rounds=scale["help_rounds"],
                        settle_within=20.0 if args.quick else 180.0,
                        log_level=args.log_level,
                    )
                )
        finally:
            stop(fake)
    if "dates" in only:
        show([*dates.warm(scale["rounds"]), dates.cold()])
    if "matching" in only:
        show([matching.ranking(scale["mentors"], scale["rounds"], vectorized=False)])
        show([matching.ranking(scale["mentors"], scale["rounds"])])
        for db in databases:
            pools = scale_pools(args) if db == "postgresql" else [scale["mentors"]]
            for mentors in pools:
                with database_url(db, postgres=args.postgres_url) as url:
                    show(matching.service(db, url, mentors, scale["asks"]))
    if "cohort" in only:
        shapes = {"quick": [(40, 20)], "medium": [(2_000, 1_000)]}.get(
            "quick" if args.quick else "medium" if args.medium else "full",
            [(2_000, 1_000), (10_000, 5_000)],
        )
        db = "postgresql" if "postgresql" in databases else "sqlite"
        for mentees, mentors in shapes:
            with database_url(db, postgres=args.postgres_url) as url:
                show([matching.cohort_service(db, url, mentees, mentors)])
    if "ack" in only:
        fake = spawn("bench.slack_process", env=child_env())
        try:
            slack_url = read_json(fake)["url"]
            levels = (1, 2) if args.quick else (1, 10, 50)
            with sqlite_url() as url:
                _, found = ack.run(
                    levels=levels,
                    requests=scale["requests"],
                    slack_url=slack_url,
                    database_url=url,
                    fake=fake,
                )
            show(found)
        finally:
            stop(fake)
    if "dispatch" in only or "memory" in only:
        fake = spawn("bench.null_slack", env=child_env())
        try:
            slack_url = read_json(fake)["url"]
            if "dispatch" in only:
                alone = dispatch.fake_alone(fake, slack_url, posts=scale["messages"])
                for db in databases:
                    for dispatchers in [int(n) for n in args.dispatchers.split(",")]:
                        for transport in args.transports.split(","):
                            with database_url(db, postgres=args.postgres_url) as url:
                                result = dispatch.run_one(
                                    database=db,
                                    database_url=url,
                                    dispatchers=dispatchers,
                                    messages=scale["messages"],
                                    slack_url=slack_url,
                                    fake=fake,
                                    transport=transport,
                                    fake_alone=alone,
                                )
                            show([dispatch.figure(result), dispatch.stages_figure(result)])
            if "memory" in only:
                with sqlite_url() as url:
                    show(
                        memory.run(
                            database_url=url,
                            slack_url=slack_url,
                            fake=fake,
                            messages=scale["messages"],
                        )
                    )
        finally:
            stop(fake)
    if "postgresql" not in databases:
        figures.append(
            Figure(section="note", name="PostgreSQL", value="not reachable: SQLite only")
        )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    started = time.time()
    load = os.getloadavg()
    print("Mentorbot benchmarks (loopback; figures depend on this machine and its load)")
    figures = run(args)
    meta = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "mode": "quick" if args.quick else "medium" if args.medium else "full",
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_start": load,
        "load_average_at_end": os.getloadavg(),
    }
    print()
    print(table(figures))
    path = write_results(figures, meta=meta, out=args.out)
    print(f"\n{meta['seconds']} s; load average {load[0]:.1f} at start; written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
