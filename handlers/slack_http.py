"""A Web API client that keeps its HTTP connections open between calls.

slack_sdk's default transport (urllib) opens a new connection for every call: a TCP and TLS
handshake each time, which was most of the dispatcher's time per message (bench/dispatch.py)
and adds a round trip to every modal a person waits for. This client reuses one connection
per thread and host, and keeps slack_sdk's behaviour otherwise: HTTP errors reach the retry
handlers as ``HTTPError`` exactly as urllib raises them.

A connection the server closed while it sat idle is noticed before it is used (it turns
readable) and replaced, so a POST is never written into a dead socket; any failure after
the request went out is raised as it is, because Slack may have acted on it (the dispatcher
looks before posting again).
"""

from __future__ import annotations

import http.client
import io
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

# Servers close idle connections (load balancers after ~60 s): retire ours well before that.
IDLE_LIMIT = 20.0


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


def close_connections() -> None:
    """Close every connection this thread holds open: for a thread done with its hosts (a
    test's fake Slack goes away; its keep-alive socket, and the server's end, would stay)."""
    while _connections.open:
        _, (connection, _) = _connections.open.popitem()
        connection.close()


class _OneWrite:
    """Headers and a small body in one write: two writes wake the server twice per call (and
    with Nagle off, go as two packets). http.client sends them apart; this joins them."""

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
            if time.monotonic() - last_used < IDLE_LIMIT and not _dropped(connection):
                return connection
            connection.close()
        timeout = self.timeout
        fresh: http.client.HTTPConnection
        if scheme == "https":
            context = self.ssl if isinstance(self.ssl, ssl.SSLContext) else None
            fresh = _SecureConnection(netloc, timeout=timeout, context=context)
        else:
            fresh = _Connection(netloc, timeout=timeout)
        fresh.connect()
        # A request is written as headers, then body: on a reused connection Nagle's algorithm
        # would hold the body until the server acknowledges the headers (up to 40 ms of
        # delayed ACK per call). Each write is a whole message here, so send it at once.
        fresh.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return fresh

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        try:
            connection = self._connection(parts.scheme, parts.netloc)
        except OSError as error:  # refused, unreachable, TLS: nothing was sent
            raise URLError(error) from error
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", target, body=req.data, headers=dict(req.header_items()))
            response = connection.getresponse()
            body = response.read()
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
        if response.status >= 400:
            raise HTTPError(
                url, response.status, response.reason, response.headers, io.BytesIO(body)
            )
        charset = response.headers.get_content_charset() or "utf-8"
        return {
            "status": response.status,
            "headers": response.headers,
            "body": body.decode(charset),
        }
