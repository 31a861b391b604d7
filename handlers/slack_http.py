"""A Web API client that keeps its HTTP connections open between calls, and posts cheaply.

slack_sdk's default transport (urllib) opens a new connection for every call: a TCP and TLS
handshake each time, which was most of the dispatcher's time per message (bench/dispatch.py)
and adds a round trip to every modal a person waits for. This client reuses one connection
per thread and host, and keeps slack_sdk's behaviour otherwise: HTTP errors reach the retry
handlers as ``HTTPError`` exactly as urllib raises them.

Each exchange is one write of the whole request and a plain read of the answer (status line,
headers, a ``Content-Length``, chunked or close-delimited body): http.client's header parsing
(the email package) cost more CPU per call than the rest of a post. A JSON call made by a
client whose retry handlers never retry (the dispatcher's) skips slack_sdk's request
building too, and answers with the same ``SlackResponse``, raising the same
``SlackApiError`` (a 429's ``Retry-After`` included) as slack_sdk would: measured 190 us of
CPU per post through slack_sdk's path, about 40 us through this one (bench/dispatch.py).

A connection the server closed while it sat idle is noticed before it is used (it turns
readable) and replaced, so a POST is never written into a dead socket; any failure after
the request went out is raised as it is, because Slack may have acted on it (the dispatcher
looks before posting again).
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import select
import socket
import ssl
import threading
import time
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.web import SlackResponse

# Servers close idle connections (load balancers after ~60 s): retire ours well before that.
IDLE_LIMIT = 20.0
MAX_HEAD = 64 * 1024  # a response head longer than this is not Slack's


class _Answer:
    """What came back: the status, the headers as sent (names keep their case), the body."""

    __slots__ = ("body", "headers", "reason", "status", "will_close")

    def __init__(
        self,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        will_close: bool,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.will_close = will_close

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def message(self) -> http.client.HTTPMessage:
        """The headers as urllib hands them over (for ``HTTPError`` and the slow path)."""
        parsed = http.client.HTTPMessage()
        for key, value in self.headers:
            parsed[key] = value
        return parsed

    def text(self) -> str:
        charset = "utf-8"
        content_type = self.header("Content-Type") or ""
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        return self.body.decode(charset, errors="replace")


class _Link:
    """One kept-open connection: a request goes out in one write, its answer is read back."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pending = b""  # read past the end of the last answer (never, from a sane server)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def dropped(self) -> bool:
        """True if the server closed it: an idle keep-alive socket is readable only at EOF."""
        if self.pending:
            return True
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def exchange(self, request: bytes) -> _Answer:
        self.sock.sendall(request)
        while True:
            answer = self._read_answer()
            if answer.status >= 200:  # 1xx (100 Continue, never asked for): skip
                return answer

    def _more(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise http.client.RemoteDisconnected("Remote end closed connection without response")
        return data

    def _read_answer(self) -> _Answer:
        buffer = self.pending
        end = buffer.find(b"\r\n\r\n")
        while end < 0:
            if len(buffer) > MAX_HEAD:
                raise http.client.LineTooLong("response head")
            buffer += self._more()
            end = buffer.find(b"\r\n\r\n")
        head, rest = buffer[:end].decode("latin-1"), buffer[end + 4 :]
        status_line, *lines = head.split("\r\n")
        version, _, status_reason = status_line.partition(" ")
        code, _, reason = status_reason.partition(" ")
        if not version.startswith("HTTP/") or not code.isdigit():
            raise http.client.BadStatusLine(status_line)
        status = int(code)
        headers: list[tuple[str, str]] = []
        length: int | None = None
        chunked = False
        connection = ""
        for line in lines:
            name, _, value = line.partition(":")
            value = value.strip()
            headers.append((name.strip(), value))
            lowered = name.strip().lower()
            if lowered == "content-length":
                length = int(value)
            elif lowered == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif lowered == "connection":
                connection = value.lower()
        will_close = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
        if status < 200 or status in (204, 304):
            self.pending = rest
            return _Answer(status, reason, headers, b"", will_close)
        if chunked:
            body, rest = self._read_chunked(rest)
        elif length is not None:
            while len(rest) < length:
                rest += self._more()
            body, rest = rest[:length], rest[length:]
        else:  # delimited by the server closing the connection
            parts = [rest]
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                parts.append(data)
            body, rest, will_close = b"".join(parts), b"", True
        self.pending = rest
        return _Answer(status, reason, headers, body, will_close)

    def _read_chunked(self, rest: bytes) -> tuple[bytes, bytes]:
        parts: list[bytes] = []
        while True:
            end = rest.find(b"\r\n")
            while end < 0:
                rest += self._more()
                end = rest.find(b"\r\n")
            size = int(rest[:end].split(b";", 1)[0].strip() or b"0", 16)
            rest = rest[end + 2 :]
            if size == 0:  # trailers, if any, then the blank line
                end = rest.find(b"\r\n")
                while True:
                    while end < 0:
                        rest += self._more()
                        end = rest.find(b"\r\n")
                    line, rest = rest[:end], rest[end + 2 :]
                    if not line:
                        return b"".join(parts), rest
                    end = rest.find(b"\r\n")
            while len(rest) < size + 2:
                rest += self._more()
            parts.append(rest[:size])
            rest = rest[size + 2 :]


class _Connections(threading.local):
    """Each thread's open connections, by (scheme, host:port): a socket is one thread's."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, str], tuple[_Link, float]] = {}


_connections = _Connections()


def close_connections() -> None:
    """Close every connection this thread holds open: for a thread done with its hosts (a
    test's fake Slack goes away; its keep-alive socket, and the server's end, would stay)."""
    while _connections.open:
        _, (link, _) = _connections.open.popitem()
        link.close()


class KeepAliveWebClient(WebClient):
    def _link(self, scheme: str, netloc: str, host: str, port: int) -> _Link:
        key = (scheme, netloc)
        now = time.monotonic()
        for other, (idle, last_used) in list(_connections.open.items()):
            if other != key and now - last_used >= IDLE_LIMIT:
                # A host this thread no longer talks to (a long-lived request thread, a test
                # process meeting many servers): its socket is closed, not kept for ever.
                del _connections.open[other]
                idle.close()
        held = _connections.open.pop(key, None)
        if held is not None:
            link, last_used = held
            if now - last_used < IDLE_LIMIT and not link.dropped():
                return link
            link.close()
        sock = socket.create_connection((host, port), timeout=self.timeout)
        try:
            # Each write is a whole request: send it at once, never held back by Nagle's
            # algorithm waiting for the server's (delayed) acknowledgement.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                context = (
                    self.ssl
                    if isinstance(self.ssl, ssl.SSLContext)
                    else ssl.create_default_context()
                )
                sock = context.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        return _Link(sock)

    def _exchange(self, url: str, method: str, headers: dict[str, str], body: bytes) -> _Answer:
        """One request on this thread's connection to the host; ``URLError`` if it could not
        be sent, the error as it is (wrapped in ``URLError``) if it failed after."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            link = self._link(parts.scheme, parts.netloc, host, port)
        except OSError as error:  # refused, unreachable, TLS: nothing was sent
            raise URLError(error) from error
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
        if not any(name.lower() == "content-length" for name in headers):
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            answer = link.exchange(request)
        except OSError as error:  # as urllib reports it, so the retry handlers know it
            link.close()
            raise URLError(error) from error
        except BaseException:
            link.close()
            raise
        if answer.will_close:
            link.close()
        else:
            _connections.open[(parts.scheme, parts.netloc)] = (link, time.monotonic())
        return answer

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        data = req.data
        body = data if isinstance(data, bytes) else b""
        answer = self._exchange(url, "POST", dict(req.header_items()), body)
        if answer.status >= 400:
            raise HTTPError(
                url, answer.status, answer.reason, answer.message(), io.BytesIO(answer.body)
            )
        return {"status": answer.status, "headers": answer.message(), "body": answer.text()}

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        """slack_sdk's ``api_call``; a JSON POST (``chat.postMessage`` and its kin) by a client
        whose retry handlers never retry goes the short way: the same request, the same
        ``SlackResponse`` or ``SlackApiError``, a fifth of the CPU."""
        if (
            json is None
            or not isinstance(json, dict)
            or http_verb != "POST"
            or files
            or data
            or params
            or headers
            or auth
            or self.proxy is not None
            or any(handler.max_retry_count > 0 for handler in self.retry_handlers)
            or not self.base_url.startswith(("http://", "https://"))
        ):
            return super().api_call(
                api_method,
                http_verb=http_verb,
                files=files,
                data=data,
                params=params,
                json=json,
                headers=headers,
                auth=auth,
            )
        return self._post_json(api_method, json)

    def _post_json(self, api_method: str, payload: dict[str, Any]) -> SlackResponse:
        for name, value in self.default_params.items():
            payload.setdefault(name, value)
        token = payload.pop("token", None) or self.token
        url = self.base_url + api_method
        request_headers = {**self.headers}
        if token:
            request_headers["Authorization"] = f"Bearer {token}"
        request_headers["Content-Type"] = "application/json;charset=utf-8"
        body = json.dumps(payload).encode("utf-8")
        try:
            answer = self._exchange(url, "POST", request_headers, body)
        except URLError as error:
            self._observe(url, request_headers, body, None, error)
            raise
        response_headers = dict(answer.headers)
        if answer.status == 429:  # both spellings, as slack_sdk's urllib path leaves them
            retry_after = answer.header("Retry-After")
            if retry_after is not None:
                response_headers.setdefault("Retry-After", retry_after)
                response_headers.setdefault("retry-after", retry_after)
        if answer.status != 200:
            self._observe(url, request_headers, body, answer, None)
        try:
            parsed = json.loads(answer.body) if answer.body else {}
        except ValueError:
            text = answer.text().replace("\r", "\n")
            shown = "".join(line.strip() for line in text.split("\n"))
            shown = shown[:100] + "..." if len(shown) > 100 else shown
            parsed = {"ok": False, "error": f"Received a response in a non-JSON format: {shown}"}
        response = SlackResponse(
            client=self,
            http_verb="POST",
            api_url=url,
            req_args={
                "headers": request_headers,
                "data": {},
                "params": {},
                "files": None,
                "json": payload,
            },
            data=parsed,
            headers=response_headers,
            status_code=answer.status,
        )
        response.validate()  # type: ignore[no-untyped-call]  # raises SlackApiError as slack_sdk
        return response

    def _observe(
        self,
        url: str,
        headers: dict[str, str],
        body: bytes,
        answer: _Answer | None,
        error: Exception | None,
    ) -> None:
        """Show a failed call to the retry handlers, which here only watch (they never retry
        on this path): metrics count 429s this way."""
        if not self.retry_handlers:
            return
        request = HttpRequest(method="POST", url=url, headers=dict(headers), data=body)
        response = (
            None
            if answer is None
            else HttpResponse(
                status_code=answer.status, headers=dict(answer.headers), data=answer.body
            )
        )
        state = RetryState()
        for handler in self.retry_handlers:
            handler.can_retry(state=state, request=request, response=response, error=error)
