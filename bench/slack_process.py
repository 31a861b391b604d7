"""The fake Slack Web API (tests/support/fake_slack.py) in a process of its own.

Run as ``python -m bench.slack_process``: prints ``{"url": ...}``, then answers JSON-line
commands on stdin until stdin closes. Its own process, so the fake's work is never counted
against the bot's or the load generator's share of the CPU.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tests.support.fake_slack import FakeSlack


def answer(fake: FakeSlack, command: dict[str, Any]) -> dict[str, Any]:
    op = command.get("op")
    if op == "add_users":
        for user in command["ids"]:
            fake.add_user(user, tz=command.get("tz", "Europe/London"))
        return {"ok": True}
    if op == "count":
        method = command["method"]
        calls = fake.calls_to(method)
        return {"calls": len(calls), "delivered": sum(1 for c in calls if c.outcome == "ok")}
    if op == "keys":
        keys = fake.delivered_keys()
        delivered = fake.delivered("chat.postMessage")
        times = [c.at for c in delivered]
        return {
            "distinct": len(keys),
            "max": max(keys.values(), default=0),
            "total": sum(keys.values()),
            "span": (max(times) - min(times)) if times else 0.0,
            "attempts": len(fake.calls_to("chat.postMessage")),
        }
    if op == "opened":  # when each trigger's modal reached Slack (time.monotonic: one clock
        # for every process of the machine, so the load generator's send times compare)
        return {
            "at": {
                str(c.params.get("trigger_id")): c.at
                for c in fake.calls_to("views.open")
                if c.outcome == "ok"
            }
        }
    if op == "clear":
        fake.clear()
        return {"ok": True}
    return {"error": f"unknown op {op!r}"}


def main() -> None:
    with FakeSlack() as fake:
        print(json.dumps({"url": fake.url, "origin": fake.origin}), flush=True)
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(answer(fake, json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
