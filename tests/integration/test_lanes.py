"""Several posts in flight from one thread (``handlers.slack_lanes``): each on a connection of
its own, kept open, answers read whole whichever comes first, failures given to their call."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError

from handlers.slack_http import KeepAliveWebClient
from handlers.slack_lanes import Lanes
from tests.integration.test_keep_alive_client import _self_signed
from tests.support.fake_slack import FakeSlack


class _Held(ThreadingHTTPServer):
    """Answers only when told to, so several posts are really in flight at once."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HeldHandler)
        self.peers: list[tuple[str, int]] = []
        self.arrived = threading.Semaphore(0)
        self.go = threading.Event()
        self.close_after_answer = False
        self.closed = threading.Semaphore(0)
        self.never_answer = False


class _HeldHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Held

    def do_POST(self) -> None:
        sent = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.server.peers.append(self.client_address)
        self.server.arrived.release()
        if self.server.never_answer:  # the request is in, the answer never comes
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.server.go.wait(timeout=10)
        body = json.dumps({"ok": True, "ts": sent["text"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.server.close_after_answer:  # the server ends the connection without saying so
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            self.server.closed.release()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def held() -> Iterator[_Held]:
    server = _Held()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.go.set()
    server.shutdown()
    server.server_close()


def _client(url: str, **kwargs: Any) -> KeepAliveWebClient:
    return KeepAliveWebClient(
        token="xoxb-test", base_url=url, timeout=5, retry_handlers=[], **kwargs
    )


def _post(client: KeepAliveWebClient, lanes: Lanes, text: str) -> Any:
    pending = client.start_json("chat.postMessage", {"channel": "U1", "text": text}, lanes)
    assert pending is not None
    return pending


def test_posts_wait_for_their_answers_on_connections_of_their_own(held: _Held) -> None:
    client, lanes = _client(f"http://127.0.0.1:{held.server_port}/api/"), Lanes()
    try:
        pending = [_post(client, lanes, f"m{n}") for n in range(4)]
        for _ in range(4):  # all four reached the server before any answer was sent
            assert held.arrived.acquire(timeout=5)
        assert not any(p.done for p in pending)
        held.go.set()
        assert [p.response()["ts"] for p in reversed(pending)] == ["m3", "m2", "m1", "m0"]
        assert len(set(held.peers)) == 4
        again = [_post(client, lanes, f"n{n}") for n in range(4)]
        assert [p.response()["ts"] for p in again] == ["n0", "n1", "n2", "n3"]
        assert len(set(held.peers)) == 4  # the same four connections, kept open
    finally:
        lanes.close()


def test_a_connection_the_server_closed_while_idle_is_not_written_to(held: _Held) -> None:
    client, lanes = _client(f"http://127.0.0.1:{held.server_port}/api/"), Lanes()
    held.go.set()
    held.close_after_answer = True
    try:
        for n in range(3):
            assert _post(client, lanes, f"m{n}").response()["ts"] == f"m{n}"
            assert held.closed.acquire(timeout=5)  # closed while idle, before the next post
        assert len(set(held.peers)) == 3  # each on a new connection, none failed
    finally:
        lanes.close()


def test_an_answer_that_never_comes_fails_its_post_alone(held: _Held) -> None:
    """Slack may have posted it: the error reaches the caller, who looks before posting again."""
    client, lanes = _client(f"http://127.0.0.1:{held.server_port}/api/"), Lanes()
    held.go.set()
    try:
        assert _post(client, lanes, "before").response()["ok"]
        held.never_answer = True
        lost = _post(client, lanes, "lost")
        with pytest.raises(URLError):
            lost.response()
        held.never_answer = False
        assert _post(client, lanes, "after").response()["ts"] == "after"
    finally:
        lanes.close()


def test_slack_errors_and_rate_limits_arrive_as_from_api_call() -> None:
    lanes = Lanes()
    with FakeSlack() as fake:
        fake.add_user("U1")
        client = _client(fake.url)
        try:
            fake.rate_limit_next("chat.postMessage", retry_after=7)
            with pytest.raises(SlackApiError) as limited:
                _post(client, lanes, "hi").response()
            assert limited.value.response.status_code == 429
            assert limited.value.response.headers["Retry-After"] == "7"
            fake.fail_next("chat.postMessage", "user_not_found")
            with pytest.raises(SlackApiError) as failed:
                _post(client, lanes, "hi").response()
            assert failed.value.response["error"] == "user_not_found"
            assert _post(client, lanes, "hi").response()["ok"]
        finally:
            lanes.close()


def test_nobody_listening_fails_the_post_with_a_urlerror() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lanes = Lanes()
    with pytest.raises(URLError):
        _post(_client(f"http://127.0.0.1:{port}/api/"), lanes, "hi").response()
    lanes.close()


def test_over_tls_the_certificate_is_checked_and_connections_kept(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    server = _Held()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)
    server.socket = served.wrap_socket(server.socket, server_side=True)
    server.go.set()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://localhost:{server.server_port}/api/"
    lanes = Lanes()
    try:
        with pytest.raises(URLError):  # a certificate nobody vouches for is refused
            _post(_client(url), lanes, "hi").response()
        trusting = _client(url, ssl=ssl.create_default_context(cafile=str(cert_file)))
        for n in range(3):
            assert _post(trusting, lanes, f"m{n}").response()["ts"] == f"m{n}"
        assert len(set(server.peers)) == 1  # one handshake for all three
    finally:
        lanes.close()
        server.shutdown()
        server.server_close()
