"""Ack latency: signed slash commands and button clicks, as Slack sends them, over loopback.

The bot and a bare Bolt app that only acks are each served the way ``mentorbot run`` serves
(waitress, 8 threads) in a process of their own; N client threads with keep-alive
connections send pre-signed requests and time each one to its HTTP 200. The bot's follow-up
work (users.info, views.open on the fake Slack, in its own process) runs as it would in
production, competing for the same CPU; after each run the bench waits for it and checks that
every request got its modal.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bench.common import (
    SIGNING_SECRET,
    TEAM,
    Figure,
    child_env,
    ms,
    percentile,
    read_json,
    say,
    slash_command_body,
    spawn,
    stop,
)

USERS = [f"UACK{n:04d}" for n in range(200)]
KINDS = ("slash command", "button click")


@dataclass
class Run:
    app: str
    kind: str
    clients: int
    latencies: list[float]
    errors: int
    seconds: float
    follow_up_seconds: float = 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def slash_command(n: int) -> tuple[str, str]:
    user = USERS[n % len(USERS)]
    body = slash_command_body(user=user, text="ask", trigger=f"{n}.{n}.bench", n=n)
    return body, "application/x-www-form-urlencoded"


def button_click(n: int) -> tuple[str, str]:
    """The App Home's "Ask for a mentor" button: its follow-up opens the ask modal."""
    user = USERS[n % len(USERS)]
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0MENTOR",
        "token": "legacy",
        "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": f"{n}.{n}.bench",
        "team": {"id": TEAM, "domain": "bench"},
        "is_enterprise_install": False,
        "view": {"id": "VHOME", "type": "home"},
        "actions": [
            {
                "action_id": "open_ask",
                "block_id": "home",
                "text": {"type": "plain_text", "text": "Ask for a mentor"},
                "value": "",
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"


def signed(kind: str, count: int, start: int) -> list[tuple[bytes, dict[str, str]]]:
    """Bodies and headers signed just before a run (Slack's window is five minutes)."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    make = slash_command if kind == KINDS[0] else button_click
    ts = str(int(time.time()))
    prepared = []
    for n in range(start, start + count):
        body, content_type = make(n)
        prepared.append(
            (
                body.encode(),
                {
                    "Content-Type": content_type,
                    "X-Slack-Request-Timestamp": ts,
                    "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
                },
            )
        )
    return prepared


def load(
    port: int, requests: list[tuple[bytes, dict[str, str]]], clients: int
) -> tuple[list[float], int, float]:
    """Send ``requests`` from ``clients`` threads at once; each request's time to its answer."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    numbers = itertools.count()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        start.wait()
        while True:
            with lock:
                n = next(numbers)
            if n >= len(requests):
                break
            body, headers = requests[n]
            began = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            mine.append(time.perf_counter() - began)
            failed += 0 if ok else 1
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - began


def run(
    *, levels: tuple[int, ...], requests: int, slack_url: str, database_url: str, fake: Any
) -> tuple[list[Run], list[Figure]]:
    env = child_env(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    say(fake, {"op": "add_users", "ids": USERS})
    runs: list[Run] = []
    sent = 0
    for app in ("bare", "bot"):
        server = spawn("bench.serve", app, env=env)
        try:
            port = int(read_json(server)["port"])
            for kind in KINDS:
                load(port, signed(kind, 50, sent), 5)  # warm up
                sent += 50
                if app == "bot" and not say(server, {"op": "idle"})["idle"]:
                    raise RuntimeError("the bot's follow-up work did not finish")
                for clients in levels:
                    opened = say(fake, {"op": "count", "method": "views.open"})["delivered"]
                    latencies, errors, seconds = load(port, signed(kind, requests, sent), clients)
                    sent += requests
                    drained = time.perf_counter()
                    if app == "bot":
                        if not say(server, {"op": "idle"})["idle"]:
                            raise RuntimeError("the bot's follow-up work did not finish")
                        now_open = say(fake, {"op": "count", "method": "views.open"})["delivered"]
                        if now_open - opened != requests:
                            raise RuntimeError(
                                f"{requests} requests but {now_open - opened} modals opened"
                            )
                    runs.append(
                        Run(
                            app=app,
                            kind=kind,
                            clients=clients,
                            latencies=latencies,
                            errors=errors,
                            seconds=seconds,
                            follow_up_seconds=time.perf_counter() - drained,
                        )
                    )
        finally:
            stop(server)
    return runs, figures(runs)


def figures(runs: list[Run]) -> list[Figure]:
    bare = {(r.kind, r.clients): r for r in runs if r.app == "bare"}
    out = []
    for r in runs:
        if r.app != "bot":
            continue
        floor = bare[(r.kind, r.clients)]
        ratio = r.p99 / floor.p99 if floor.p99 else float("inf")
        target, met = "", None
        if r.clients == 10:
            target = "p99 < 100 ms, <= 2x bare"
            met = r.p99 < 0.100 and ratio <= 2.0 and r.errors == 0
        out.append(
            Figure(
                section="ack",
                name=f"{r.kind}, {r.clients} clients",
                value=(
                    f"p50 {ms(r.p50)} p99 {ms(r.p99)} {r.per_second:.0f}/s | bare p50 "
                    f"{ms(floor.p50)} p99 {ms(floor.p99)} {floor.per_second:.0f}/s | "
                    f"p99 x{ratio:.1f}" + (f" | {r.errors} errors" if r.errors else "")
                ),
                target=target,
                met=met,
                data={
                    "clients": r.clients,
                    "kind": r.kind,
                    "requests": len(r.latencies),
                    "bot": {
                        "p50_ms": r.p50 * 1000,
                        "p99_ms": r.p99 * 1000,
                        "per_second": r.per_second,
                        "errors": r.errors,
                        "follow_up_drain_s": r.follow_up_seconds,
                    },
                    "bare": {
                        "p50_ms": floor.p50 * 1000,
                        "p99_ms": floor.p99 * 1000,
                        "per_second": floor.per_second,
                        "errors": floor.errors,
                    },
                    "p99_ratio": ratio,
                },
            )
        )
    return out
