"""The bot (or a bare Bolt app that only acks) in HTTP mode, in a process of its own.

Run as ``python -m bench.serve bot|bare``: served as ``mentorbot run`` serves it (the WSGI app
of mentorbot/http.py under waitress with 8 threads; the bot also warms dateparser and starts
its scheduler). Prints ``{"port": ..., "pid": ...}``, then answers JSON-line commands on stdin:
``idle`` waits for the follow-up work of every request, ``dispatch`` runs one dispatch pass.
Settings come from the environment, as for the real bot.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from typing import Any

import waitress.server
from slack_bolt import Ack, App
from slack_sdk import WebClient

from mentorbot.http import wsgi_app
from mentorbot.settings import Settings, load_settings
from mentorbot.wiring import Runtime


def bare_app(settings: Settings) -> App:
    """The floor: signature check, routing and ack, nothing else (same Bolt options as ours)."""
    app = App(
        client=WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        signing_secret=settings.slack_signing_secret or "",
        process_before_response=True,
        token_verification_enabled=False,
    )

    def only_ack(ack: Ack) -> None:
        ack()

    app.command("/mentor")(only_ack)
    app.action("open_ask")(only_ack)
    return app


def answer(runtime: Runtime | None, command: dict[str, Any]) -> dict[str, Any]:
    op = command.get("op")
    if op == "idle":
        idle = runtime is None or runtime.executor.wait_idle(command.get("timeout", 120))
        return {"idle": idle}
    if op == "dispatch" and runtime is not None:
        started = time.perf_counter()
        report = runtime.services.dispatcher.run_once()
        return {
            "sent": report.sent,
            "failed": report.failed,
            "seconds": time.perf_counter() - started,
        }
    return {"error": f"unknown op {op!r}"}


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    which = sys.argv[1] if len(sys.argv) > 1 else "bot"
    settings = load_settings()
    runtime: Runtime | None = None
    if which == "bare":
        app = bare_app(settings)
    else:
        from bot.when import warm_up
        from mentorbot.wiring import build_runtime

        runtime = build_runtime(settings)
        warm_up()
        runtime.start_scheduler()
        app = runtime.app
    server = waitress.server.create_server(
        wsgi_app(app, signing_secret=settings.slack_signing_secret or ""),
        host="127.0.0.1",
        port=0,
        threads=8,
        ident="mentorbot",
    )
    threading.Thread(target=server.run, daemon=True).start()
    port = server.effective_port  # type: ignore[union-attr]
    print(json.dumps({"port": port, "pid": os.getpid()}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(runtime, json.loads(line))), flush=True)
    server.close()
    if runtime is not None:
        runtime.shutdown()


if __name__ == "__main__":
    main()
