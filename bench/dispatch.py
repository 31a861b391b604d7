"""Dispatch throughput: N due messages, 1 or 3 dispatcher processes, a fake Slack, no latency.

Each dispatcher is its own process (``bench.worker``, wired as ``mentorbot tick`` wires it)
sharing one database; the fake Slack runs in another. After the run every message must have
reached the fake exactly once (counted by the idempotency key each post carries) and be
marked sent in the database, or the figure is reported as a failure.

Beside each rate: what bounds it. The anchors (PostgreSQL claiming rows with SKIP LOCKED and
nothing else, 1, 100 and a dispatcher's batch a transaction), the fake Slack's own ceiling
(measured alone, and its CPU per post during the run), PostgreSQL's backends' CPU per message
during the run, and the dispatcher's CPU per message by stage: on this 2-core machine the
dispatcher, the fake and PostgreSQL share two cores, so a rate of R a second needs their CPU
per message to add up to under 2 / R seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

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
    cpu_us: list[float] = field(default_factory=list)  # per process: CPU per message
    cpu_total_us: float = 0.0  # all processes' CPU over all messages
    stages: dict[str, float] = field(default_factory=dict)  # CPU us per message (mean)
    fake_cpu_us: float = 0.0  # the fake Slack's CPU per post during the run
    database_cpu_us: float | None = None  # PostgreSQL's backends' CPU per message (the run's)
    fake_alone: FakeAlone | None = None

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
BATCH = 500  # the dispatcher's default claim (MENTORBOT_OUTBOX_BATCH_SIZE): one more anchor


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
    fake_alone: FakeAlone | None = None,
) -> DispatchRun:
    say(fake, {"op": "clear"})
    queue(database_url, messages)
    anchors = (
        {batch: claim_anchor(database_url, messages, batch=batch) for batch in (1, 100, BATCH)}
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
        backends = database_backends(database_url) if database == "postgresql" else []
        backends_before = processes_cpu(backends)
        fake_cpu = process_cpu(fake.pid)
        started = time.perf_counter()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports = [read_json(worker) for worker in workers]
        overall = time.perf_counter() - started
        fake_cpu = process_cpu(fake.pid) - fake_cpu
        # and any connection a dispatcher opened during the run: all its CPU is the run's
        if database == "postgresql":
            backends = sorted(set(backends) | set(database_backends(database_url)))
        backends_after = processes_cpu(backends)
        backends_cpu = sum(
            cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_after.items()
        )
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
        cpu_us=[
            float(r["cpu_seconds"]) / r["handled"] * 1e6 if r.get("handled") else 0.0
            for r in reports
        ],
        stages=stage_means(reports),
        cpu_total_us=total_cpu_us(reports),
        fake_cpu_us=fake_cpu / max(1, int(keys["attempts"])) * 1e6,
        database_cpu_us=backends_cpu / messages * 1e6 if backends else None,
        fake_alone=fake_alone,
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
    cpu = run.cpu_total_us
    server = (
        f", PostgreSQL's backends {run.database_cpu_us:.0f} us/msg (all three: "
        f"{1e6 * 2 / (cpu + run.fake_cpu_us + run.database_cpu_us):,.0f}/s on 2 cores)"
        if run.database_cpu_us is not None and cpu
        else ""
    )
    why = (
        f" | dispatcher CPU {cpu:.0f} us/msg ({1e6 / cpu:,.0f}/s on a core of its own), "
        f"fake Slack {run.fake_cpu_us:.0f} us/post{server}"
        if cpu
        else ""
    )
    return Figure(
        section="dispatch",
        name=f"{run.messages:,} msgs, {run.database}, {run.dispatchers} dispatcher(s), "
        f"{run.transport}",
        value=(
            f"{run.overall:.0f}/s overall, per process "
            + ", ".join(f"{r:.0f}/s" for r in run.per_process)
            + f"; {check}{anchor}{why}"
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
            "cpu_us_per_message": run.cpu_us,
            "stages_cpu_us_per_message": run.stages,
            "fake_cpu_us_per_post": run.fake_cpu_us,
            "database_backends_cpu_us_per_message": run.database_cpu_us,
        },
    )


STAGE_ORDER = ("claim", "decode", "loop", "render", "send", "settle", "commit", "renew", "job")


def stages_figure(run: DispatchRun) -> Figure:
    """Where one process's CPU goes per message, beside the budget the target leaves: at
    10,000/s, 100 us per message for the dispatcher, if the fake and PostgreSQL had the other
    core to themselves."""
    cpu = run.cpu_total_us
    parts = ", ".join(
        f"{stage} {run.stages[stage]:.1f}" for stage in STAGE_ORDER if stage in run.stages
    )
    alone = run.fake_alone
    fake = (
        f" | fake Slack alone: {alone.per_second:,.0f} posts/s at {alone.connections} "
        f"connections, {alone.cpu_us:.0f} us CPU/post ({1e6 / alone.cpu_us:,.0f}/s a core)"
        if alone is not None and alone.cpu_us
        else ""
    )
    return Figure(
        section="dispatch",
        name=f"CPU per message by stage, {run.database}, {run.dispatchers} dispatcher(s), "
        f"{run.transport}",
        value=f"{cpu:.0f} us/msg in all (us: {parts}; threads and the rest "
        f"{max(0.0, cpu - sum(run.stages.values())):.1f}){fake}",
        target="<= 100 us/msg (10,000/s on one core)",
        met=bool(cpu) and cpu <= 100,
        data={
            "database": run.database,
            "dispatchers": run.dispatchers,
            "transport": run.transport,
            "cpu_us_per_message": cpu,
            "stages_cpu_us_per_message": run.stages,
            "fake_alone_per_second": alone.per_second if alone else None,
            "fake_alone_cpu_us_per_post": alone.cpu_us if alone else None,
        },
    )


def stage_means(reports: list[dict[str, Any]]) -> dict[str, float]:
    """CPU per message by stage over every worker (their seconds over their messages), with
    decoding and rendering split out of the claim and the send they happen in (each measured
    apart, per message, on the benchmark's own message)."""
    handled = sum(int(r.get("handled", 0)) for r in reports)
    if not handled:
        return {}
    totals: dict[str, float] = {}
    for report in reports:
        for name, spent in report.get("stages", {}).items():
            totals[name] = totals.get(name, 0.0) + float(spent["cpu"]) * 1e6 / handled
    busy = [r for r in reports if r.get("handled")]
    decode = sum(float(r.get("decode_us", 0.0)) for r in busy) / len(busy)
    render = sum(float(r.get("render_us", 0.0)) for r in busy) / len(busy)
    if "claim" in totals:
        totals["decode"] = min(totals["claim"], decode)
        totals["claim"] -= totals["decode"]
    if "send" in totals:
        totals["render"] = min(totals["send"], render)
        totals["send"] -= totals["render"]
    return totals


def total_cpu_us(reports: list[dict[str, Any]]) -> float:
    """Every worker's CPU over every message: what one message costs the dispatchers."""
    handled = sum(int(r.get("handled", 0)) for r in reports)
    return sum(float(r.get("cpu_seconds", 0.0)) for r in reports) / handled * 1e6 if handled else 0


def database_backends(database_url: str) -> list[int]:
    """The server processes serving the benchmark's database (the dispatchers' connections,
    open once they are ready): their CPU is the database's share of a message. Shared
    processes (WAL writer, checkpointer) are left out; they serve every database."""
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            pids = connection.scalars(
                sa.text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return [int(pid) for pid in pids]
    finally:
        engine.dispose()


def processes_cpu(pids: list[int]) -> dict[int, float]:
    """Each process's CPU so far, leaving out those that have gone (a pool's idle connection
    closed meanwhile)."""
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            found[pid] = process_cpu(pid)
    return found


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) a process has used so far, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class FakeAlone:
    per_second: float
    cpu_us: float
    connections: int


def fake_alone(fake: Any, slack_url: str, *, posts: int, connections: int = 8) -> FakeAlone:
    """The fake Slack's own ceiling: ``posts`` posts of the benchmark's size from a client that
    costs next to nothing (raw sockets, one request in flight per connection, requests built
    beforehand), and the fake's CPU per post. It must answer faster than a dispatcher sends,
    or the benchmark measures the fake."""
    from bot.model.kinds import Kind
    from handlers.rendering import RENDERERS
    from storage.outbox import read_payload

    text, blocks = RENDERERS[Kind.WAITLISTED](read_payload(Kind.WAITLISTED, {"request_id": 1}))
    parts = urlsplit(slack_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = []
    for n in range(posts):
        body = json.dumps(
            {
                "channel": RECIPIENTS[n % len(RECIPIENTS)],
                "text": text,
                "blocks": blocks,
                "unfurl_links": False,
                "metadata": {"event_type": "bench", "event_payload": {"key": f"alone:{n}"}},
            }
        ).encode()
        requests.append(
            f"POST {parts.path}chat.postMessage HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Authorization: Bearer xoxb-bench\r\nContent-Type: application/json;charset=utf-8"
            f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    selector = selectors.DefaultSelector()
    sockets = []
    for _ in range(connections):
        sock = socket.create_connection((host, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sockets.append(sock)
    by_fd = {sock.fileno(): sock for sock in sockets}
    sent = answered = 0
    cpu = process_cpu(fake.pid)
    started = time.perf_counter()
    for sock in sockets:
        if sent < posts:
            sock.sendall(requests[sent])
            sent += 1
            selector.register(sock, selectors.EVENT_READ)
    while answered < posts:
        ready = selector.select(timeout=10)
        if not ready:
            raise RuntimeError("the fake Slack stopped answering")
        for key, _ in ready:
            sock = by_fd[key.fd]
            data = sock.recv(65536)  # one answer is a few dozen bytes: one read holds it
            if not data:
                raise RuntimeError("the fake Slack closed a connection")
            done = data.count(b"HTTP/1.1 ")
            answered += done
            if done and sent < posts:
                sock.sendall(requests[sent])
                sent += 1
    seconds = time.perf_counter() - started
    cpu = process_cpu(fake.pid) - cpu
    for sock in sockets:
        selector.unregister(sock)
        sock.close()
    say(fake, {"op": "clear"})
    return FakeAlone(per_second=posts / seconds, cpu_us=cpu / posts * 1e6, connections=connections)


def add_recipients(fake: Any) -> None:
    say(fake, {"op": "add_users", "ids": RECIPIENTS})
