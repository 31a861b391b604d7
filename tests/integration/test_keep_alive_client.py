"""The Web API client reuses connections, notices ones the server closed, and fails like urllib."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError

from handlers import slack_http
from handlers.slack_http import KeepAliveWebClient
from tests.support.fake_slack import FakeSlack


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.peers: list[tuple[str, int]] = []
        self.close_after_answer = False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as Slack's servers: see sandbox/slack/server.py
    server: _Recorder

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.peers.append(self.client_address)
        body = json.dumps({"ok": True, "ts": "1.0"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.server.close_after_answer:  # the server ends the connection without saying so
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Recorder]:
    server = _Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(url: str) -> KeepAliveWebClient:
    return KeepAliveWebClient(token="xoxb-test", base_url=url, timeout=5)


def test_calls_from_one_thread_share_one_connection(server: _Recorder) -> None:
    client = _client(f"http://127.0.0.1:{server.server_port}/api/")
    for _ in range(5):
        assert client.chat_postMessage(channel="U1", text="hi")["ok"]
    assert len(server.peers) == 5
    assert len(set(server.peers)) == 1
    # Block Kit posts outgrow one TCP segment: the tail must not wait on Nagle's algorithm.
    connection, _ = slack_http._connections.open[("http", f"127.0.0.1:{server.server_port}")]
    assert connection.sock is not None
    assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(
    server: _Recorder,
) -> None:
    client = _client(f"http://127.0.0.1:{server.server_port}/api/")
    server.close_after_answer = True
    assert client.chat_postMessage(channel="U1", text="one")["ok"]
    assert client.chat_postMessage(channel="U1", text="two")["ok"]
    assert len(server.peers) == 2
    assert server.peers[0] != server.peers[1]


def test_slack_errors_and_rate_limits_arrive_as_with_urllib() -> None:
    with FakeSlack() as fake:
        client = _client(fake.url)
        fake.rate_limit_next("chat.postMessage", retry_after=7)
        with pytest.raises(SlackApiError) as limited:
            client.chat_postMessage(channel="U1", text="hi")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] in ("7", ["7"])
        fake.fail_next("chat.postMessage", "user_not_found")
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="U1", text="hi")
        assert failed.value.response["error"] == "user_not_found"


def test_nobody_listening_is_a_urlerror_as_with_urllib() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(URLError):
        _client(f"http://127.0.0.1:{port}/api/").auth_test()
