"""The Web API client reuses connections, notices ones the server closed, and fails like urllib."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.error import URLError

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState

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


def test_an_answer_lost_after_the_request_went_out_is_raised_not_sent_again() -> None:
    """Slack did the call, then the connection broke: posting again blindly could post twice,
    so the failure reaches the caller (who looks before posting again)."""
    with FakeSlack() as fake:
        fake.add_user("U1")
        client = _dispatching(fake.url)  # no retry handlers: what the transport does alone
        for form in (True, False):  # slack_sdk's request path (a form post), the short path
            fake.lose_answer_next("chat.postMessage")
            with pytest.raises(URLError):
                if form:
                    client.api_call("chat.postMessage", data={"channel": "U1", "text": "lost"})
                else:
                    client.chat_postMessage(channel="U1", text="lost")
            assert client.chat_postMessage(channel="U1", text="next")["ok"]  # a new connection
        texts = [call.params["text"] for call in fake.calls_to("chat.postMessage")]
        assert texts == ["lost", "next", "lost", "next"]


# -- the short path: JSON posts by a client whose retry handlers never retry (the dispatcher's)


class _Watcher(RetryHandler):
    """Never retries (as the metrics' rate-limit counter): sees every failed answer."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=0)
        self.seen: list[int | None] = []

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        self.seen.append(None if response is None else response.status_code)
        return False


def _dispatching(url: str, *handlers: RetryHandler) -> KeepAliveWebClient:
    return KeepAliveWebClient(
        token="xoxb-test", base_url=url, timeout=5, retry_handlers=list(handlers)
    )


def test_the_short_path_answers_as_slack_sdk_does() -> None:
    watcher = _Watcher()
    with FakeSlack() as fake:
        fake.add_user("U1")
        client = _dispatching(fake.url, watcher)
        posted = client.chat_postMessage(
            channel="U1", text="hi", metadata={"event_type": "t", "event_payload": {"key": "k1"}}
        )
        assert posted["ok"] and posted["ts"] and posted.status_code == 200
        assert fake.delivered_keys() == {"k1": 1}
        (call,) = fake.calls_to("chat.postMessage")
        assert call.params["text"] == "hi"  # the body Slack read, and the bot token it took

        fake.rate_limit_next("chat.postMessage", retry_after=7)
        with pytest.raises(SlackApiError) as limited:
            client.chat_postMessage(channel="U1", text="hi")
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] == "7"
        assert limited.value.response.headers["retry-after"] == "7"
        for code in ("user_not_found", "invalid_blocks"):
            fake.fail_next("chat.postMessage", code)
            with pytest.raises(SlackApiError) as failed:
                client.chat_postMessage(channel="U1", text="hi")
            assert failed.value.response["error"] == code
        fake.server_error_next("chat.postMessage", status=503)
        with pytest.raises(SlackApiError) as broken:
            client.chat_postMessage(channel="U1", text="hi")
        assert broken.value.response.status_code == 503
    assert watcher.seen == [429, 503]  # failed answers are shown to the watching handlers


class _Odd(BaseHTTPRequestHandler):
    """Answers as other servers may: chunked, or closing the connection to end the body."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"ok": True, "ts": "2.0", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if self.path.endswith("chat.postMessage"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (body[:5], body[5:]):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    def log_message(self, *_: Any) -> None:
        pass


def test_chunked_and_close_delimited_answers_are_read_whole() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = _dispatching(f"http://127.0.0.1:{server.server_port}/api/")
        for _ in range(2):  # the chunked answer leaves the connection usable
            assert client.chat_postMessage(channel="U1", text="hi")["ts"] == "2.0"
        assert client.chat_update(channel="C1", ts="1.0", text="hi")["ts"] == "2.0"
        assert client.chat_postMessage(channel="U1", text="again")["ok"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_non_json_answer_is_an_error_not_a_crash() -> None:
    class Html(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html>Bad gateway</html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Html)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = _dispatching(f"http://127.0.0.1:{server.server_port}/api/")
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="U1", text="hi")
        assert failed.value.response.status_code == 502
        assert "non-JSON" in failed.value.response["error"]
    finally:
        server.shutdown()
        server.server_close()


# -- over TLS, as to Slack


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for ``localhost`` and its key, made here: nothing is fetched."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_over_tls_the_connection_is_kept_and_the_certificate_checked(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    server = _Recorder()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)
    server.socket = served.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"https://localhost:{server.server_port}/api/"
    trusting = ssl.create_default_context(cafile=str(cert_file))
    try:
        for client in (  # slack_sdk's request path, and the short path
            KeepAliveWebClient(token="xoxb-test", base_url=url, timeout=5, ssl=trusting),
            _dispatching(url, _Watcher()),
        ):
            client.ssl = trusting
            for _ in range(3):
                assert client.chat_postMessage(channel="U1", text="hi")["ok"]
        assert len(server.peers) == 6
        assert len(set(server.peers)) == 1  # one TLS handshake for all six
        slack_http.close_connections()
        with pytest.raises(URLError, match="CERTIFICATE_VERIFY_FAILED"):  # checked by default
            _dispatching(url).chat_postMessage(channel="U1", text="hi")
        assert len(server.peers) == 6  # nothing was sent
    finally:
        slack_http.close_connections()
        server.shutdown()
        server.server_close()
