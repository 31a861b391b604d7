"""A Slack Web API that answers at once: for throughput, where the fake itself must not count.

tests/support/fake_slack.py validates every Block Kit payload and keeps copies of every
message, which makes it the slowest part of a dispatch benchmark (~300 posts a second here).
This one parses just enough to count each post's idempotency key and answers ``ok``.
Run as ``python -m bench.null_slack``; same JSON-line commands as ``bench.slack_process``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

import orjson


class Recorder:
    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.first = self.last = 0.0
        self.seq = 0
        self.lock = threading.Lock()

    def answer(self, method: str, body: bytes, content_type: str) -> dict[str, Any]:
        params: dict[str, Any]
        if content_type.startswith("application/json"):
            params = orjson.loads(body or b"{}")  # the post, read as cheaply as it can be
        else:
            params = dict(parse_qsl(body.decode()))
        with self.lock:
            self.calls[method] += 1
            self.seq += 1
            ts = f"1700000000.{self.seq:06d}"
            if method == "chat.postMessage":
                metadata = params.get("metadata")
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
                key = ((metadata or {}).get("event_payload") or {}).get("key")
                if key is not None:
                    self.keys[str(key)] += 1
                now = time.monotonic()
                self.first = self.first or now
                self.last = now
                return {"ok": True, "channel": "D" + str(params.get("channel", ""))[1:], "ts": ts}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"G{self.seq:08d}"}}
        if method == "auth.test":
            return {"ok": True, "team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT"}
        return {"ok": True}

    def command(self, command: dict[str, Any]) -> dict[str, Any]:
        op = command.get("op")
        with self.lock:
            if op == "keys":
                return {
                    "distinct": len(self.keys),
                    "max": max(self.keys.values(), default=0),
                    "total": sum(self.keys.values()),
                    "span": self.last - self.first,
                    "attempts": self.calls["chat.postMessage"],
                }
            if op == "count":
                n = self.calls[command["method"]]
                return {"calls": n, "delivered": n}
            if op == "clear":
                self.keys.clear()
                self.calls.clear()
                self.first = self.last = 0.0
            return {"ok": True}


class _Connection(asyncio.BufferedProtocol):
    """One client connection: requests parsed straight from the bytes as they arrive (no
    streams, no header objects), several in one read answered in one write. asyncio's
    streams cost the fake more CPU per post than the dispatcher's client spends.

    Read into a buffer of its own (``BufferedProtocol``): a plain ``Protocol`` has asyncio
    ``recv`` 256 KiB at a time, a fresh ``bytes`` each read that the allocator maps and
    unmaps (three system calls a post). The fake stands for a Slack that costs nothing: the
    less it takes of the machine, the more the benchmark measures the dispatcher."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.buffer = b""
        self.chunk = bytearray(65536)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        return memoryview(self.chunk)

    def buffer_updated(self, nbytes: int) -> None:
        self.buffer += self.chunk[:nbytes]
        out: list[bytes] = []
        close = False
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buffer[:end].decode("latin-1")
            lines = head.split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                break  # the body is still on its way
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            path = lines[0].split(" ")[1]
            method = path.split("?")[0].rsplit("/", 1)[-1]
            answer = json.dumps(
                self.recorder.answer(method, body, headers.get("content-type", ""))
            ).encode()
            close = headers.get("connection", "").lower() == "close"
            out.append(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
                + f"Content-Length: {len(answer)}\r\n".encode()
                + (b"Connection: close\r\n" if close else b"")
                + b"\r\n"
                + answer
            )
            if close:
                break
        if out and self.transport is not None:
            self.transport.write(b"".join(out))
            if close:
                self.transport.close()


def main() -> None:
    recorder = Recorder()
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: _Connection(recorder), "127.0.0.1", 0, backlog=512)
    )
    port = server.sockets[0].getsockname()[1]
    threading.Thread(target=loop.run_forever, daemon=True).start()
    print(json.dumps({"url": f"http://127.0.0.1:{port}/api/"}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(recorder.command(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
