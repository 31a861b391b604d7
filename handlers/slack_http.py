"""A Web API client that keeps its HTTP connections open between calls, and posts cheaply.

slack_sdk's default transport (urllib) opens a new connection for every call: a TCP and TLS
handshake each time, which was most of the dispatcher's time per message (bench/dispatch.py)
and adds a round trip to every modal a person waits for. This client reuses one connection
per thread and host, and keeps slack_sdk's behaviour otherwise: HTTP errors reach the retry
handlers as ``HTTPError`` exactly as urllib raises them.

Requests are written and answers read by http.client (status line, headers, a
``Content-Length``, chunked or close-delimited body): a hand-written HTTP reader was 60 us
of CPU a post cheaper, but a parser of our own talking to Slack over TLS is ours to keep
correct. The one thing changed is that headers and body go out in one write. A JSON call
made by a client whose retry handlers never retry (the dispatcher's) skips slack_sdk's
request building, and answers with the same ``SlackResponse``, raising the same
``SlackApiError`` (a 429's ``Retry-After`` included) as slack_sdk would: about 90 us of CPU
a post less than slack_sdk's path over the same connection. urllib3 was not chosen: it
parses with http.client, then adds its pool and retry layers (~100 us a post more here).

A connection the server closed while it sat idle is noticed before it is used (it turns
readable) and replaced, so a POST is never written into a dead socket; any failure after
the request went out is raised as it is, because Slack may have acted on it (the dispatcher
looks before posting again).
"""

from __future__ import annotations

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

import orjson
from slack_sdk import WebClient
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.web import SlackResponse

from handlers.slack_lanes import Call, Lanes

# Servers close idle connections (load balancers after ~60 s): retire ours well before that.
IDLE_LIMIT = 20.0


class _Answer:
    """What came back: the status, the headers as urllib hands them over, the body."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(
        self, status: int, reason: str, headers: http.client.HTTPMessage, body: bytes
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8", errors="replace")


class _Connections(threading.local):
    """Each thread's open connections, by (scheme, host:port): http.client isn't thread-safe."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, str], tuple[http.client.HTTPConnection, float]] = {}


_connections = _Connections()


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """True if the server closed it: an idle keep-alive socket is readable only at EOF."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _OneWrite:
    """Headers and a small body in one write: two writes wake the server twice per call (and
    with Nagle off, go as two packets), and cost the sender a second trip through the
    kernel's loopback or TLS path (10-20 us a post). http.client sends them apart; this joins
    them, leaving every other body (files, iterables, chunked) to http.client."""

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        buffer: list[bytes] = self._buffer  # type: ignore[attr-defined]
        if isinstance(message_body, bytes) and not encode_chunked:
            buffer.extend((b"", message_body))
            data = b"\r\n".join(buffer)
            del buffer[:]
            self.send(data)  # type: ignore[attr-defined]
            return
        super()._send_output(message_body, encode_chunked)  # type: ignore[misc]


class _Connection(_OneWrite, http.client.HTTPConnection):
    pass


class _SecureConnection(_OneWrite, http.client.HTTPSConnection):
    pass


def close_connections() -> None:
    """Close every connection this thread holds open: for a thread done with its hosts (a
    test's fake Slack goes away; its keep-alive socket, and the server's end, would stay)."""
    while _connections.open:
        _, (connection, _) = _connections.open.popitem()
        connection.close()


class KeepAliveWebClient(WebClient):
    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
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
            connection, last_used = held
            if now - last_used < IDLE_LIMIT and not _dropped(connection):
                return connection
            connection.close()
        fresh: http.client.HTTPConnection
        if scheme == "https":
            context = self.ssl if isinstance(self.ssl, ssl.SSLContext) else None
            fresh = _SecureConnection(netloc, timeout=self.timeout, context=context)
        else:
            fresh = _Connection(netloc, timeout=self.timeout)
        fresh.connect()
        # A request is written as headers, then body: on a reused connection Nagle's algorithm
        # would hold the body until the server acknowledges the headers (up to 40 ms of
        # delayed ACK per call). Each write is a whole message here, so send it at once.
        fresh.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return fresh

    def _exchange(self, url: str, method: str, headers: dict[str, str], body: bytes) -> _Answer:
        """One request on this thread's connection to the host; ``URLError`` if it could not
        be sent, the error as it is (wrapped in ``URLError``) if it failed after."""
        parts = urlsplit(url)
        try:
            connection = self._connection(parts.scheme, parts.netloc)
        except OSError as error:  # refused, unreachable, TLS: nothing was sent
            raise URLError(error) from error
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as error:  # as urllib reports it, so the retry handlers know it
            connection.close()
            raise URLError(error) from error
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            _connections.open[(parts.scheme, parts.netloc)] = (connection, time.monotonic())
        return _Answer(response.status, response.reason, response.headers, data)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        data = req.data
        body = data if isinstance(data, bytes) else b""
        answer = self._exchange(url, "POST", dict(req.header_items()), body)
        if answer.status >= 400:
            raise HTTPError(
                url, answer.status, answer.reason, answer.headers, io.BytesIO(answer.body)
            )
        if answer.headers.get_content_type() == "application/gzip":  # as slack_sdk's own
            return {"status": answer.status, "headers": answer.headers, "body": answer.body}
        return {"status": answer.status, "headers": answer.headers, "body": answer.text()}

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
        ``SlackResponse`` or ``SlackApiError``, about half the CPU."""
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

    def _short_way(self) -> bool:
        """True if a JSON POST may skip slack_sdk: no retries of its own (they are the
        dispatcher's), no proxy, plain HTTP(S)."""
        return (
            self.proxy is None
            and not any(handler.max_retry_count > 0 for handler in self.retry_handlers)
            and self.base_url.startswith(("http://", "https://"))
        )

    def _json_request(
        self, api_method: str, payload: dict[str, Any]
    ) -> tuple[str, dict[str, str], bytes]:
        for name, value in self.default_params.items():
            payload.setdefault(name, value)
        token = payload.pop("token", None) or self.token
        url = self.base_url + api_method
        request_headers = {**self.headers}
        if token:
            request_headers["Authorization"] = f"Bearer {token}"
        request_headers["Content-Type"] = "application/json;charset=utf-8"
        return url, request_headers, json_body(payload)

    def _post_json(self, api_method: str, payload: dict[str, Any]) -> SlackResponse:
        url, request_headers, body = self._json_request(api_method, payload)
        try:
            answer = self._exchange(url, "POST", request_headers, body)
        except URLError as error:
            self._observe(url, request_headers, body, None, error=error)
            raise
        return self._respond(
            url,
            request_headers,
            body,
            payload,
            status=answer.status,
            response_headers=dict(answer.headers.items()),
            answer=answer,
        )

    def start_json(
        self, api_method: str, payload: dict[str, Any], lanes: Lanes
    ) -> PendingCall | None:
        """``api_call``'s short way, written on one of ``lanes``' connections without waiting
        for the answer: ``PendingCall.response`` gives the same ``SlackResponse``, or raises
        the same ``SlackApiError`` or ``URLError``, as ``api_call`` would. None where this
        client can't go the short way (it retries by itself, or uses a proxy)."""
        if not self._short_way():
            return None
        url, request_headers, body = self._json_request(api_method, payload)
        parts = urlsplit(url)
        lines = [f"POST {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1"]
        lines.append(f"Host: {parts.netloc}")
        lines.append("Accept-Encoding: identity")  # as http.client: no compressed answers
        for name, value in request_headers.items():
            if "\n" in value or "\r" in value or "\n" in name or "\r" in name:
                raise ValueError(f"invalid header {name!r}")  # as http.client refuses it
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        request = "\r\n".join(lines).encode("latin-1") + body
        context = self.ssl if isinstance(self.ssl, ssl.SSLContext) else None
        call = lanes.start(
            parts.scheme, parts.netloc, request, timeout=self.timeout, context=context
        )
        return PendingCall(self, api_method, (url, request_headers, body, payload), call)

    def _respond(
        self,
        url: str,
        request_headers: dict[str, str],
        body: bytes,
        payload: dict[str, Any],
        *,
        status: int,
        response_headers: dict[str, str],
        answer: _Answer | _Body,
    ) -> SlackResponse:
        """Slack's answer as slack_sdk hands it over: a ``SlackResponse``, or its
        ``SlackApiError`` raised (``validate``)."""
        if status == 429:  # both spellings, as slack_sdk's urllib path leaves them
            retry_after = next(
                (v for k, v in response_headers.items() if k.lower() == "retry-after"), None
            )
            if retry_after is not None:
                response_headers.setdefault("Retry-After", retry_after)
                response_headers.setdefault("retry-after", retry_after)
        if status != 200:
            self._observe(
                url,
                request_headers,
                body,
                status,
                response_headers=response_headers,
                response_body=answer.body,
            )
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
            status_code=status,
        )
        response.validate()  # type: ignore[no-untyped-call]  # raises SlackApiError as slack_sdk
        return response

    def answered(self, api_method: str, error: Exception | None) -> None:
        """A call that went the lanes' way has its answer (``error``: what it raised, if
        anything): for a metered client to count, as it counts ``api_call``."""

    def _observe(
        self,
        url: str,
        headers: dict[str, str],
        body: bytes,
        status: int | None,
        *,
        response_headers: dict[str, str] | None = None,
        response_body: bytes = b"",
        error: Exception | None = None,
    ) -> None:
        """Show a failed call to the retry handlers, which here only watch (they never retry
        on this path): metrics count 429s this way."""
        if not self.retry_handlers:
            return
        request = HttpRequest(method="POST", url=url, headers=dict(headers), data=body)
        response = (
            None
            if status is None
            else HttpResponse(
                status_code=status, headers=dict(response_headers or {}), data=response_body
            )
        )
        state = RetryState()
        for handler in self.retry_handlers:
            handler.can_retry(state=state, request=request, response=response, error=error)


_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_body(payload: dict[str, Any]) -> bytes:
    """A call's arguments as JSON: orjson (4 us a post less than ``json.dumps``, the
    dispatcher's largest single cost in writing a post), compact and in UTF-8, as Slack reads
    it. What orjson refuses (keys that are not strings, integers past 64 bits) or would write
    where ``json.dumps`` refuses (a datetime, a dataclass: passed through, so refused here
    too) goes to ``json.dumps``, so a body is never what slack_sdk would not have sent."""
    try:
        return orjson.dumps(payload, option=_STRICT)
    except TypeError:
        return json.dumps(payload).encode("utf-8")


class _Body:
    """An answer read on the lanes: its body, and its text for an error message."""

    __slots__ = ("body", "headers")

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self.body = body
        self.headers = headers

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class PendingCall:
    """A call written on a connection of ``Lanes``, its answer still to be read."""

    __slots__ = ("_api_method", "_call", "_client", "_request")

    def __init__(
        self,
        client: KeepAliveWebClient,
        api_method: str,
        request: tuple[str, dict[str, str], bytes, dict[str, Any]],
        call: Call,
    ) -> None:
        self._client = client
        self._api_method = api_method
        self._request = request  # url, headers, body, and the arguments, for the response
        self._call = call

    @property
    def done(self) -> bool:
        return self._call.done

    @property
    def call(self) -> Call:
        return self._call

    def answer(self) -> dict[str, Any] | SlackResponse:
        """As ``response``, but a plain success (200, a JSON object whose ``ok`` is true and
        that carries no ``warning``) comes back as that object: a post's channel and ts are
        all the dispatcher reads of it, and building the ``SlackResponse`` was a third of what
        reading an answer cost. Anything else goes ``response``'s way, so an error raises
        the same ``SlackApiError`` (or ``URLError``), with the same headers, as before."""
        call = self._call
        call.wait()
        if call.error is None and call.status == 200 and call.body:
            try:
                parsed = orjson.loads(call.body)
            except ValueError:
                parsed = None
            if type(parsed) is dict and parsed.get("ok") is True and "warning" not in parsed:
                self._client.answered(self._api_method, None)
                return parsed
        return self.response()

    def response(self) -> SlackResponse:
        """Wait for the answer (reading any other call's that comes first), then as
        ``api_call``: the ``SlackResponse``, or ``SlackApiError`` / ``URLError`` raised."""
        call = self._call
        call.wait()
        client = self._client
        try:
            if call.error is not None:
                url, headers, body, _ = self._request
                client._observe(url, headers, body, None, error=call.error)
                raise call.error
            response = client._respond(
                *self._request,
                status=call.status,
                response_headers=call.headers,
                answer=_Body(call.body, call.headers),
            )
        except Exception as error:
            client.answered(self._api_method, error)
            raise
        client.answered(self._api_method, None)
        return response
