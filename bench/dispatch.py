"""Dispatch throughput: N due messages, 1 or 3 dispatcher processes, a fake Slack, no latency.

Each dispatcher is its own process (``bench.worker``, wired as ``mentorbot tick`` wires it)
sharing one database; the fake Slack runs in another. After the run every message must have
reached the fake exactly once (counted by the idempotency key each post carries) and be
marked sent in the database, or the figure is reported as a failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench.common import Figure, child_env, read_json, say, spawn, stop
from bot.model.kinds import Kind
from bot.model.outbox import MessageStatus
from storage import connect
from storage.models.outbox import OutgoingMessageRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RECIPIENTS = [f"UDSP{n:05d}" for n in range(500)]


@dataclass
class DispatchRun:
    database: str
    dispatchers: int
    messages: int
    transport: str  # keep-alive (ours) or urllib (slack_sdk's default), compared in one run
    per_process: list[float]
    overall: float
    delivered: int
    duplicates: int
    marked_sent: int
    anchors: dict[int, float] = field(default_factory=dict)  # rows a claim -> claims a second

    @property
    def exactly_once(self) -> bool:
        return (
            self.delivered == self.messages
            and self.duplicates == 0
            and (self.marked_sent == self.messages)
        )


def queue(database_url: str, count: int) -> None:
    """``count`` messages due now, inserted in bulk (seeding is not what is measured)."""
    database = connect(database_url)
    database.migrate()
    rows = [
        {
            "team_id": "T0001",
            "kind": Kind.WAITLISTED,
            "recipient": RECIPIENTS[n % len(RECIPIENTS)],
            "key": f"bench:{n:06d}",
            "due_at": NOW - timedelta(seconds=n % 60),
            "payload": {"request_id": n, "context": "first"},
            "status": MessageStatus.PENDING.value,
            "attempts": 0,
            "last_error": "",
        }
        for n in range(count)
    ]
    with database.engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            connection.execute(sa.insert(OutgoingMessageRow), rows[start : start + 2000])
    database.dispose()


CLAIM_SECONDS = 3.0  # per batch size: bounded, whatever the machine's speed


def claim_anchor(database_url: str, messages: int, *, batch: int) -> float:
    """The floor under any dispatcher: how many due rows a second one process can claim
    with ``FOR UPDATE SKIP LOCKED`` and mark sent, ``batch`` rows a transaction, and nothing
    else (no Slack, no ORM). Measured on the same server in the same run; the rows are put
    back afterwards so the dispatch run that follows finds them due."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    claim = sa.text(
        "UPDATE outgoing_messages SET status = 'sent', claimed_by = 'anchor' WHERE id IN ("
        " SELECT id FROM outgoing_messages WHERE status = 'pending' AND due_at <= :now"
        " ORDER BY due_at, id LIMIT :batch FOR UPDATE SKIP LOCKED)"
    )
    claimed = 0
    started = time.perf_counter()
    deadline = started + CLAIM_SECONDS
    with engine.connect() as connection:
        while claimed < messages and time.perf_counter() < deadline:
            with connection.begin():
                got = connection.execute(claim, {"now": NOW, "batch": batch}).rowcount
            if not got:
                break
            claimed += got
        seconds = time.perf_counter() - started
        with connection.begin():
            connection.execute(
                sa.text(
                    "UPDATE outgoing_messages SET status = 'pending', claimed_by = NULL"
                    " WHERE claimed_by = 'anchor'"
                )
            )
    engine.dispose()
    return claimed / seconds if seconds else 0.0


def sent_in_database(database_url: str) -> int:
    database = connect(database_url)
    with database.engine.connect() as connection:
        count = connection.scalar(
            sa.select(sa.func.count())
            .select_from(OutgoingMessageRow)
            .where(OutgoingMessageRow.status == MessageStatus.SENT.value)
        )
    database.dispose()
    return int(count or 0)


def run_one(
    *,
    database: str,
    database_url: str,
    dispatchers: int,
    messages: int,
    slack_url: str,
    fake: Any,
    transport: str = "keep-alive",
) -> DispatchRun:
    say(fake, {"op": "clear"})
    queue(database_url, messages)
    anchors = (
        {batch: claim_anchor(database_url, messages, batch=batch) for batch in (1, 100)}
        if database == "postgresql"
        else {}
    )
    env = child_env(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        BENCH_TRANSPORT=transport,
    )
    workers = [spawn("bench.worker", NOW.isoformat(), env=env) for _ in range(dispatchers)]
    try:
        for worker in workers:
            read_json(worker)  # ready
        started = time.perf_counter()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports = [read_json(worker) for worker in workers]
        overall = time.perf_counter() - started
    finally:
        for worker in workers:
            stop(worker)
    keys = say(fake, {"op": "keys"})
    return DispatchRun(
        database=database,
        dispatchers=dispatchers,
        messages=messages,
        transport=transport,
        per_process=[r["sent"] / r["seconds"] if r["seconds"] else 0.0 for r in reports],
        overall=messages / overall,
        delivered=int(keys["distinct"]),
        duplicates=int(keys["total"]) - int(keys["distinct"]),
        marked_sent=sent_in_database(database_url),
        anchors=anchors,
    )


def figure(run: DispatchRun) -> Figure:
    busy = [rate for rate in run.per_process if rate > 0]
    slowest = min(busy, default=0.0)
    check = (
        "each exactly once"
        if run.exactly_once
        else f"delivered {run.delivered}/{run.messages}, {run.duplicates} twice, "
        f"{run.marked_sent} marked sent"
    )
    anchor = (
        " | SKIP LOCKED claims alone: "
        + ", ".join(f"{rate:,.0f}/s at {n} a transaction" for n, rate in run.anchors.items())
        if run.anchors
        else ""
    )
    return Figure(
        section="dispatch",
        name=f"{run.messages:,} msgs, {run.database}, {run.dispatchers} dispatcher(s), "
        f"{run.transport}",
        value=(
            f"{run.overall:.0f}/s overall, per process "
            + ", ".join(f"{r:.0f}/s" for r in run.per_process)
            + f"; {check}{anchor}"
        ),
        target=">= 10,000/s per process, exactly once",
        met=run.exactly_once and slowest >= 10_000,
        data={
            "database": run.database,
            "dispatchers": run.dispatchers,
            "messages": run.messages,
            "transport": run.transport,
            "overall_per_second": run.overall,
            "per_process_per_second": run.per_process,
            "delivered": run.delivered,
            "duplicates": run.duplicates,
            "marked_sent": run.marked_sent,
            "exactly_once": run.exactly_once,
            "claim_anchor_per_second": {str(n): rate for n, rate in run.anchors.items()},
        },
    )


def add_recipients(fake: Any) -> None:
    say(fake, {"op": "add_users", "ids": RECIPIENTS})
