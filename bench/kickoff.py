"""Kickoff day through the production path: ``mentorbot serve`` on PostgreSQL, as deployed.

The bot runs as ``mentorbot serve`` runs it (gunicorn, its workers and threads, migrations
and planning in the master), against a program of 5,000 active pairs; the anchor is a bare
Bolt app under the same gunicorn options (bench/bare_serve.py). Both talk to the fake Slack
in a process of its own. Measured:

- the first start: seconds from launch to ``/readyz`` 200;
- ``/mentor ask``: from the command sent to its ``views.open`` reaching Slack (what a person
  waits for; Slack's trigger_id dies at 3 s), at 10 and 50 concurrent clients;
- ``/mentor help``: ack time, requests a second and the server's CPU per ack, answered in
  the ack; both apps run side by side, are waited for until their start-up work is done
  (CPU quiet), get the same warm-up burst, and are measured in interleaved rounds (bare, bot
  | bot, bare | ...): the figure is the median of the rounds' ratios, with their range.

Loopback only; every wait is bounded.
"""

from __future__ import annotations

import http.client
import itertools
import math
import os
import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bench.common import (
    SIGNING_SECRET,
    Figure,
    child_env,
    ms,
    percentile,
    read_json,
    say,
    slash_command_body,
    spawn,
    stop,
    tree_cpu_seconds,
)
from bench.program import seed
from storage import connect

USERS = [f"UKICK{n:04d}" for n in range(300)]
READY_WITHIN = 120.0  # seconds: a start slower than this is reported as failed
OPENED_WITHIN = 60.0  # seconds for every modal of a run to reach Slack


@dataclass
class Load:
    sent_at: dict[str, float]  # trigger -> monotonic time the request started
    acks: list[float]
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.acks) / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def command(n: int, text: str, *, run: str) -> tuple[str, bytes, dict[str, str]]:
    user = USERS[n % len(USERS)]
    trigger = f"{n}.{run}.kickoff"
    body = slash_command_body(user=user, text=text, trigger=trigger, n=n)
    ts = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
    }
    return trigger, body.encode(), headers


def send(port: int, requests: list[tuple[str, bytes, dict[str, str]]], clients: int) -> Load:
    """``clients`` threads with keep-alive connections; each request's start and ack time."""
    sent_at: dict[str, float] = {}
    acks: list[float] = []
    errors = 0
    lock = threading.Lock()
    numbers = itertools.count()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        while True:
            with lock:
                n = next(numbers)
            if n >= len(requests):
                break
            trigger, body, headers = requests[n]
            began = time.monotonic()
            try:
                connection.request("POST", "/slack/events", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            took = time.monotonic() - began
            with lock:
                sent_at[trigger] = began
                acks.append(took)
                errors += 0 if ok else 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    return Load(sent_at=sent_at, acks=acks, errors=errors, seconds=time.monotonic() - began)


def ready(port: int, *, process: Any, within: float, path: str = "/readyz") -> float | None:
    """Seconds until ``path`` answers 200 (polled every 50 ms), None if it never did."""
    began = time.monotonic()
    while time.monotonic() - began < within:
        if process.poll() is not None:
            return None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return time.monotonic() - began
        except OSError:
            pass
        time.sleep(0.05)
    return None


def modal_latencies(fake: Any, load: Load) -> tuple[list[float], int]:
    """Command sent -> views.open at Slack, per request; and how many never opened."""
    deadline = time.monotonic() + OPENED_WITHIN
    while True:
        opened: dict[str, float] = say(fake, {"op": "opened"})["at"]
        mine = {t: opened[t] - s for t, s in load.sent_at.items() if t in opened}
        if len(mine) == len(load.sent_at) or time.monotonic() > deadline:
            return list(mine.values()), len(load.sent_at) - len(mine)
        time.sleep(0.2)


@dataclass
class HelpRun:
    """One app's ``/mentor help`` run in one round: its acks, and the CPU its server used."""

    app: str
    round: int
    clients: int
    load: Load
    cpu_seconds: float  # the server's processes (master and workers), during the run

    @property
    def p50(self) -> float:
        return percentile(self.load.acks, 0.5)

    @property
    def cpu_us_per_ack(self) -> float:
        return self.cpu_seconds / len(self.load.acks) * 1e6 if self.load.acks else math.nan


def start_server(app: str, *, env_of: Callable[[int], dict[str, str]]) -> tuple[Any, int, float]:
    """The app served on a port of its own; returns the process, the port, and the seconds
    until it answered (``/readyz`` for the bot, which has a database; ``/healthz`` for the
    bare app, which has none: it is up when it answers at all)."""
    port = free_port()
    env = env_of(port)
    server = (
        spawn("bench.bare_serve", env=env)
        if app == "bare"
        else spawn("mentorbot", "serve", env=env)
    )
    path = "/healthz" if app == "bare" else "/readyz"
    took = ready(port, process=server, within=READY_WITHIN, path=path)
    if took is None:
        said = server.stdout.read() if server.poll() is not None and server.stdout else ""
        stop_server(server)
        raise RuntimeError(f"{app}: never ready ({server.poll()}): {said}")
    return server, port, took


def stop_server(server: Any) -> None:
    server.terminate()
    try:
        server.wait(30)
    except Exception:
        server.kill()
    stop(server)


def settle(pids: dict[str, int], *, within: float, quiet: float = 0.05) -> float | None:
    """Seconds until every server's processes used less than ``quiet`` of a core over a whole
    second (its start-up work done: warm-ups, planning, the outbox's first passes); None if
    one was still busy after ``within`` seconds."""
    began = time.monotonic()
    while time.monotonic() - began < within:
        before = {app: tree_cpu_seconds(pid) for app, pid in pids.items()}
        time.sleep(1.0)
        if all(tree_cpu_seconds(pid) - before[app] < quiet for app, pid in pids.items()):
            return time.monotonic() - began
    return None


def help_rounds(
    ports: dict[str, int],
    pids: dict[str, int],
    *,
    levels: tuple[int, ...],
    requests: int,
    rounds: int,
) -> list[HelpRun]:
    """``/mentor help`` to both apps, interleaved: at each level of each round, both apps one
    after the other, the order swapped every round (bare, bot | bot, bare | ...), so that a
    neighbour's burst of CPU falls on both alike and neither always goes first."""
    runs: list[HelpRun] = []
    for n in range(rounds):
        order = ("bare", "bot") if n % 2 == 0 else ("bot", "bare")
        for clients in levels:
            for app in order:
                batch = [command(i, "help", run=f"help{app}{n}c{clients}") for i in range(requests)]
                cpu = tree_cpu_seconds(pids[app])
                load = send(ports[app], batch, clients)
                cpu = tree_cpu_seconds(pids[app]) - cpu
                runs.append(HelpRun(app=app, round=n, clients=clients, load=load, cpu_seconds=cpu))
    return runs


def run(
    *,
    postgres_url: str,
    slack_url: str,
    fake: Any,
    requests: int,
    levels: tuple[int, ...],
    pairs: int = 5_000,
    workers: int = 2,
    help_requests: int = 2_000,
    rounds: int = 5,
    settle_within: float = 180.0,
    log_level: str = "INFO",
) -> list[Figure]:
    """Both apps run side by side from the first measured request on: the bot starts alone
    (its start is a figure), then the bare app; both are waited for until their start-up
    work is done, warmed with the same burst, and measured in interleaved rounds."""
    database = connect(postgres_url)
    database.migrate()
    # kickoff day: the pairs start today (pairs of a fixed day long past would bring the
    # dispatcher months of overdue rhythm jobs to work through while the acks are measured)
    seed(
        database,
        mentors=max(1, pairs // 2),
        mentees=pairs,
        pairs=pairs,
        started=datetime.now(UTC).replace(microsecond=0),
    )
    database.dispose()
    say(fake, {"op": "add_users", "ids": USERS})

    def env_of(port: int) -> dict[str, str]:
        return child_env(
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack_url,
            DATABASE_URL=postgres_url,
            LOG_LEVEL=log_level,  # production's default: the bot logs a line per request
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY=str(workers),
        )

    servers: dict[str, Any] = {}
    ports: dict[str, int] = {}
    try:
        servers["bot"], ports["bot"], start_seconds = start_server("bot", env_of=env_of)
        servers["bare"], ports["bare"], _ = start_server("bare", env_of=env_of)
        pids = {app: server.pid for app, server in servers.items()}
        settled = settle(pids, within=settle_within)
        for app in ("bare", "bot"):  # the same warm-up burst for both, after the settling
            send(ports[app], [command(n, "help", run=f"warmhelp{app}") for n in range(200)], 10)
            send(ports[app], [command(n, "ask", run=f"warmask{app}") for n in range(20)], 5)
        load_before = os.getloadavg()
        runs = help_rounds(ports, pids, levels=levels, requests=help_requests, rounds=rounds)
        load_after = os.getloadavg()
        asks: dict[tuple[str, int], tuple[Load, list[float], int]] = {}
        for clients in levels:
            for app in ("bare", "bot"):
                tag = f"{app}ask{clients}"
                load = send(
                    ports[app], [command(n, "ask", run=tag) for n in range(requests)], clients
                )
                asks[(app, clients)] = (load, *modal_latencies(fake, load))
    finally:
        for server in servers.values():
            stop_server(server)
    in_process = spawn("bench.ack_cpu", env=env_of(9))  # with the servers gone; serves nothing
    try:
        cpu = read_json(in_process)
    finally:
        stop(in_process)
    figures = [
        Figure(
            section="kickoff",
            name=f"first `mentorbot serve` start, {pairs:,} pairs, to /readyz 200",
            value=f"{start_seconds:.1f} s",
            target="<= 3 s",
            met=start_seconds <= 3.0,
            data={"seconds": start_seconds, "pairs": pairs},
        )
    ]
    for clients in levels:
        figures.append(_ask_figure(asks, clients))
    figures.append(
        Figure(
            section="kickoff",
            name="/mentor help ack, CPU in-process (one thread, no server)",
            value=f"{cpu['bot']:.0f} us a request / bare Bolt {cpu['bare']:.0f} us "
            f"(x{cpu['bot'] / cpu['bare']:.2f}), at LOG_LEVEL={log_level}",
            data={"cpu_us_per_ack": cpu["bot"], "bare_cpu_us_per_ack": cpu["bare"]},
        )
    )
    for clients in levels:
        figures.append(
            _help_figure(
                [r for r in runs if r.clients == clients],
                clients,
                settled=settled,
                load=(load_before[0], load_after[0]),
            )
        )
    return figures


ASK_TARGET = {10: 0.100, 50: 0.300}


def _ask_figure(results: dict[tuple[str, int], Any], clients: int) -> Figure:
    load, opened, missing = results[("bot", clients)]
    _, bare, bare_missing = results[("bare", clients)]
    p50, p99 = percentile(opened, 0.5), percentile(opened, 0.99)
    target = ASK_TARGET.get(clients)
    return Figure(
        section="kickoff",
        name=f"/mentor ask, {clients} clients: sent -> views.open at Slack",
        value=f"p50 {ms(p50)} p99 {ms(p99)}"
        + (f", {missing} never opened" if missing else "")
        + f" | bare p50 {ms(percentile(bare, 0.5))} p99 {ms(percentile(bare, 0.99))}"
        + (f", {bare_missing} never opened" if bare_missing else ""),
        target="" if target is None else f"p99 <= {target * 1000:.0f} ms",
        met=None if target is None else (p99 <= target and missing == 0),
        data={
            "clients": clients,
            "requests": len(load.sent_at),
            "p50_ms": p50 * 1000,
            "p99_ms": p99 * 1000,
            "missing": missing,
            "bare_p50_ms": percentile(bare, 0.5) * 1000,
            "bare_p99_ms": percentile(bare, 0.99) * 1000,
        },
    )


def _spread(values: list[float]) -> str:
    return f"x{statistics.median(values):.2f} (x{min(values):.2f}-x{max(values):.2f})"


def _help_figure(
    runs: list[HelpRun], clients: int, *, settled: float | None, load: tuple[float, float]
) -> Figure:
    """The median over rounds of each round's ratio (bot / bare, measured back to back), with
    the smallest and largest: one figure that a single noisy round cannot make or break."""
    bots = sorted((r for r in runs if r.app == "bot"), key=lambda r: r.round)
    bares = sorted((r for r in runs if r.app == "bare"), key=lambda r: r.round)
    p50_ratios = [b.p50 / a.p50 if a.p50 else math.inf for b, a in zip(bots, bares, strict=True)]
    rate_ratios = [
        b.load.per_second / a.load.per_second if a.load.per_second else 0.0
        for b, a in zip(bots, bares, strict=True)
    ]
    errors = sum(r.load.errors for r in bots)
    p50 = statistics.median(r.p50 for r in bots)
    floor = statistics.median(r.p50 for r in bares)
    rate = statistics.median(r.load.per_second for r in bots)
    bare_rate = statistics.median(r.load.per_second for r in bares)
    cpu = statistics.median(r.cpu_us_per_ack for r in bots)
    bare_cpu = statistics.median(r.cpu_us_per_ack for r in bares)
    p50_ratio, rate_ratio = statistics.median(p50_ratios), statistics.median(rate_ratios)
    met_rounds = sum(
        1 for p, q in zip(p50_ratios, rate_ratios, strict=True) if p <= 1.3 and q >= 0.8
    )
    return Figure(
        section="kickoff",
        name=f"/mentor help ack, {clients} clients",
        value=f"p50 {ms(p50)}, {rate:.0f}/s, {cpu:.0f} us CPU/ack | bare p50 {ms(floor)}, "
        f"{bare_rate:.0f}/s, {bare_cpu:.0f} us | {_spread(p50_ratios)} p50, "
        f"{_spread(rate_ratios)} req/s, median (range) of {len(bots)} rounds of "
        f"{len(bots[0].load.acks) if bots else 0}; {met_rounds} met"
        + (f" | {errors} errors" if errors else "")
        + (
            f"; start-up work done {settled:.0f} s after ready"
            if settled is not None
            else "; the bot was still busy with start-up work"
        ),
        target="<= 1.3x p50, >= 0.8x req/s of bare",
        met=p50_ratio <= 1.3 and rate_ratio >= 0.8 and errors == 0,
        data={
            "clients": clients,
            "rounds": len(bots),
            "p50_ms": p50 * 1000,
            "per_second": rate,
            "cpu_us_per_ack": cpu,
            "bare_p50_ms": floor * 1000,
            "bare_per_second": bare_rate,
            "bare_cpu_us_per_ack": bare_cpu,
            "p50_ratios": p50_ratios,
            "rate_ratios": rate_ratios,
            "rounds_met": met_rounds,
            "errors": errors,
            "settled_seconds": settled,
            "load_average": list(load),
        },
    )
