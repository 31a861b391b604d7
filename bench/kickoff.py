"""Kickoff day through the production path: ``mentorbot serve`` on PostgreSQL, as deployed.

The bot runs as ``mentorbot serve`` runs it (gunicorn, its workers and threads, migrations
and planning in the master), against a program of 5,000 active pairs; the anchor is a bare
Bolt app under the same gunicorn options (bench/bare_serve.py). Both talk to the fake Slack
in a process of its own. Measured:

- the first start: seconds from launch to ``/readyz`` 200;
- ``/mentor ask``: from the command sent to its ``views.open`` reaching Slack (what a person
  waits for; Slack's trigger_id dies at 3 s), at 10 and 50 concurrent clients;
- ``/mentor help``: ack time and requests a second, answered in the ack.

Loopback only; every wait is bounded.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bench.common import (
    SIGNING_SECRET,
    Figure,
    child_env,
    ms,
    percentile,
    say,
    slash_command_body,
    spawn,
    stop,
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


def run(
    *,
    postgres_url: str,
    slack_url: str,
    fake: Any,
    requests: int,
    levels: tuple[int, ...],
    pairs: int = 5_000,
    workers: int = 2,
) -> list[Figure]:
    database = connect(postgres_url)
    database.migrate()
    seed(database, mentors=max(1, pairs // 2), mentees=pairs, pairs=pairs)
    database.dispose()
    say(fake, {"op": "add_users", "ids": USERS})
    figures: list[Figure] = []
    results: dict[tuple[str, str, int], tuple[Load, list[float], int]] = {}
    start_seconds: float | None = None
    for app in ("bare", "bot"):
        port = free_port()
        env = child_env(
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack_url,
            DATABASE_URL=postgres_url,
            LOG_LEVEL="WARNING",
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY=str(workers),
        )
        server = (
            spawn("bench.bare_serve", env=env)
            if app == "bare"
            else spawn("mentorbot", "serve", env=env)
        )
        try:
            # the bare app has no database, so no /readyz: it is up when it answers at all
            path = "/healthz" if app == "bare" else "/readyz"
            took = ready(port, process=server, within=READY_WITHIN, path=path)
            if took is None:
                said = server.stdout.read() if server.poll() is not None and server.stdout else ""
                raise RuntimeError(f"{app}: never ready ({server.poll()}): {said}")
            if app == "bot":
                start_seconds = took
            for text in ("help", "ask"):
                send(port, [command(n, text, run=f"warm{app}") for n in range(20)], 5)
                for clients in levels:
                    tag = f"{app}{text}{clients}"
                    load = send(port, [command(n, text, run=tag) for n in range(requests)], clients)
                    opened, missing = modal_latencies(fake, load) if text == "ask" else ([], 0)
                    results[(app, text, clients)] = (load, opened, missing)
        finally:
            server.terminate()
            try:
                server.wait(30)
            except Exception:
                server.kill()
            stop(server)
    figures.append(
        Figure(
            section="kickoff",
            name=f"first `mentorbot serve` start, {pairs:,} pairs, to /readyz 200",
            value="never ready" if start_seconds is None else f"{start_seconds:.1f} s",
            target="<= 3 s",
            met=start_seconds is not None and start_seconds <= 3.0,
            data={"seconds": start_seconds, "pairs": pairs},
        )
    )
    for clients in levels:
        figures.append(_ask_figure(results, clients))
    for clients in levels:
        figures.append(_help_figure(results, clients))
    return figures


ASK_TARGET = {10: 0.100, 50: 0.300}


def _ask_figure(results: dict[tuple[str, str, int], Any], clients: int) -> Figure:
    load, opened, missing = results[("bot", "ask", clients)]
    _, bare, bare_missing = results[("bare", "ask", clients)]
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


def _help_figure(results: dict[tuple[str, str, int], Any], clients: int) -> Figure:
    bot, _, _ = results[("bot", "help", clients)]
    bare, _, _ = results[("bare", "help", clients)]
    p50, floor = percentile(bot.acks, 0.5), percentile(bare.acks, 0.5)
    p50_ratio = p50 / floor if floor else float("inf")
    rate_ratio = bot.per_second / bare.per_second if bare.per_second else 0.0
    return Figure(
        section="kickoff",
        name=f"/mentor help ack, {clients} clients",
        value=f"p50 {ms(p50)}, {bot.per_second:.0f}/s | bare p50 {ms(floor)}, "
        f"{bare.per_second:.0f}/s | x{p50_ratio:.2f} p50, x{rate_ratio:.2f} req/s"
        + (f" | {bot.errors} errors" if bot.errors else ""),
        target="<= 1.3x p50, >= 0.8x req/s of bare",
        met=p50_ratio <= 1.3 and rate_ratio >= 0.8 and bot.errors == 0,
        data={
            "clients": clients,
            "p50_ms": p50 * 1000,
            "per_second": bot.per_second,
            "bare_p50_ms": floor * 1000,
            "bare_per_second": bare.per_second,
            "errors": bot.errors,
        },
    )
