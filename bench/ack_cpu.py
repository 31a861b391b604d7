"""CPU per ``/mentor help`` ack in one thread, in-process: the bot's WSGI app beside a bare
Bolt app's (Bolt's own WSGI adapter), the same signed requests called straight in, no socket
or server in between. Run as ``python -m bench.ack_cpu`` with the bot's settings in the
environment; prints one JSON line. Thread CPU time, so the machine's other work is not in it
(only what it does to caches); rounds alternate between the apps and the median is kept.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from bench.bare_serve import bare_app
from bench.common import SIGNING_SECRET, slash_command_body
from mentorbot.logs import configure_logging
from mentorbot.settings import load_settings
from mentorbot.wiring import build_runtime

WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def requests(count: int) -> list[tuple[bytes, dict[str, Any]]]:
    verifier = SignatureVerifier(SIGNING_SECRET)
    prepared = []
    for n in range(count):
        text = slash_command_body(user=f"UCPU{n % 300:04d}", text="help", trigger=f"{n}.cpu", n=n)
        ts = str(int(time.time()))
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(text.encode())),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": ts,
            "HTTP_X_SLACK_SIGNATURE": verifier.generate_signature(timestamp=ts, body=text),
        }
        prepared.append((text.encode(), environ))
    return prepared


def cpu_us_per_ack(app: WSGI, batch: list[tuple[bytes, dict[str, Any]]]) -> float:
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, *_rest: Any) -> None:
        statuses.append(status)

    started = time.thread_time()
    for body, environ in batch:
        call = dict(environ)
        call["wsgi.input"] = io.BytesIO(body)
        b"".join(app(call, start_response))
    spent = time.thread_time() - started
    if any(not s.startswith("200") for s in statuses):
        raise RuntimeError(f"not every ack was a 200: {sorted(set(statuses))}")
    return spent / len(batch) * 1e6


def main(count: int = 2_000, rounds: int = 5) -> None:
    settings = load_settings()
    configure_logging(settings)
    runtime = build_runtime(settings, migrate=False)
    apps: dict[str, WSGI] = {"bot": runtime.wsgi(), "bare": SlackRequestHandler(bare_app(settings))}
    try:
        for app in apps.values():  # warm: imports, caches, Bolt's first-request work
            cpu_us_per_ack(app, requests(200))
        measured: dict[str, list[float]] = {name: [] for name in apps}
        for n in range(rounds):
            for name in list(apps)[:: 1 if n % 2 == 0 else -1]:
                measured[name].append(cpu_us_per_ack(apps[name], requests(count)))
    finally:
        runtime.shutdown()
    print(json.dumps({name: statistics.median(values) for name, values in measured.items()}))


if __name__ == "__main__":
    main()
