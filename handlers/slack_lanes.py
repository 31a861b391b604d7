"""Several Web API calls in flight from one thread, each on a keep-alive connection of its own.

The dispatcher's posts used to wait for Slack's answer one by one in a pool of threads, each
thread reading its answer with http.client: at a few thousand posts a second, the threads'
switching and http.client's header parsing (the email package) cost more CPU than the post.
Here the dispatching thread writes a request on an idle connection and goes on with the next
message; answers are read when they are asked for, from whichever connections have one,
with llhttp (Node.js's parser) through ``httptools``, the parser uvicorn uses, and not a
parser of our own.

One request at a time per connection (no HTTP pipelining: a lost connection then loses one
answer, whose post the dispatcher looks for in Slack before sending again). How many calls
are in flight, and to which conversations, is the caller's to bound (``SendWindow``). Not
thread-safe: one thread drives it at a time (the dispatcher's pass).

A connection the server closed while it sat idle is noticed before it is used (it turns
readable) and replaced, so a request is never written into a dead socket; a failure after the
request went out is the call's error (``URLError``, as slack_sdk's urllib path raises), since
Slack may have acted on it.
"""

from __future__ import annotations

import contextlib
import select
import selectors
import socket
import ssl
import time
from urllib.error import URLError
from urllib.parse import urlsplit

import httptools

IDLE_LIMIT = 20.0  # as ``slack_http``: servers close idle connections, ours retire before that


class Call:
    """One request on its way: done once its answer is read whole, or it failed."""

    __slots__ = ("body", "deadline", "done", "error", "headers", "lanes", "status")

    def __init__(self, lanes: Lanes, deadline: float) -> None:
        self.lanes = lanes
        self.deadline = deadline
        self.done = False
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.error: URLError | None = None

    def wait(self) -> None:
        """Read answers, any connection's, until this one is in (or failed): never raises."""
        if not self.done:
            self.lanes.wait_for(self)

    def fail(self, error: BaseException) -> None:
        self.error = error if isinstance(error, URLError) else URLError(error)
        self.done = True


class _Lane:
    """One connection, and the answer being read on it (llhttp calls the ``on_*`` methods)."""

    __slots__ = (
        "_body",
        "_complete",
        "_headers",
        "_headers_in",
        "_keep_alive",
        "_parser",
        "call",
        "host",
        "last_used",
        "sock",
    )

    def __init__(self, sock: socket.socket, host: tuple[str, str]) -> None:
        self.sock = sock
        self.host = host
        self.last_used = time.monotonic()
        self.call: Call | None = None
        # One parser for the connection's answers, one after another (llhttp starts on the
        # next message once one is complete, as on any keep-alive connection).
        self._parser = httptools.HttpResponseParser(self)
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._headers_in = self._complete = self._keep_alive = False

    def begin(self, call: Call) -> None:
        self.call = call
        self._headers = {}
        self._body = []
        self._headers_in = self._complete = self._keep_alive = False

    # llhttp's callbacks: a header arrives whole (httptools joins its pieces)
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1")] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self._headers_in = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._complete = True
        # asked now: once the message is done, llhttp has already forgotten it
        self._keep_alive = bool(self._parser.should_keep_alive())

    def feed(self, data: bytes) -> bool:
        """Give the parser what came in; True once the answer is whole. At EOF (``b""``) an
        answer is whole only if it had no length, and was to last until the server closed."""
        if data:
            self._parser.feed_data(data)
            return self._complete
        if self._complete:
            return True
        closes_body = self._headers_in and not any(
            name.lower() in ("content-length", "transfer-encoding") for name in self._headers
        )
        if not closes_body:
            raise ConnectionError("the server closed the connection before its answer was whole")
        return True

    def finish(self) -> Call:
        """Hand the answer to its call; the lane is idle again (or to be closed)."""
        call, self.call = self.call, None
        assert call is not None
        call.status = self._parser.get_status_code()
        call.headers = self._headers
        call.body = b"".join(self._body)
        call.done = True
        self.last_used = time.monotonic()
        return call

    @property
    def keeps_alive(self) -> bool:
        return self._keep_alive

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class Lanes:
    def __init__(self) -> None:
        self._idle: dict[tuple[str, str], list[_Lane]] = {}
        self._selector = selectors.DefaultSelector()
        self._busy = 0

    def start(
        self,
        scheme: str,
        netloc: str,
        request: bytes,
        *,
        timeout: float,
        context: ssl.SSLContext | None = None,
    ) -> Call:
        """Write ``request`` (bytes of a whole HTTP/1.1 request) on an idle connection to the
        host, opening one if none is (with ``context`` for TLS, else the default one); its
        answer is read later (``Call.wait``), and given up on after ``timeout`` seconds."""
        call = Call(self, time.monotonic() + timeout)
        try:
            lane = self._lane((scheme, netloc), timeout, context)
        except OSError as error:  # refused, unreachable, TLS: nothing was sent
            call.fail(error)
            return call
        lane.begin(call)
        self._busy += 1
        try:
            _send_all(lane.sock, request, call.deadline)
        except OSError as error:  # part of it may have gone: Slack may act on it
            self._drop(lane, error)
        return call

    def wait_for(self, call: Call) -> None:
        while not call.done:
            remaining = call.deadline - time.monotonic()
            if remaining <= 0:
                self._expire(call)
                return
            for key, _ in self._selector.select(remaining):
                self._read(key.data)

    def close(self) -> None:
        """Close every connection; calls still in flight fail (their answer is lost)."""
        for key in list(self._selector.get_map().values()):
            self._drop(key.data, ConnectionAbortedError("closed with the call in flight"))
        self._idle.clear()

    @property
    def in_flight(self) -> int:
        return self._busy

    def _lane(self, host: tuple[str, str], timeout: float, context: ssl.SSLContext | None) -> _Lane:
        idle = self._idle.get(host)
        if idle:
            # One look at every connection (no wait): an idle one the server closed turns
            # readable and is closed here, and answers already in are read meanwhile.
            for key, _ in self._selector.select(0):
                self._read(key.data)
        now = time.monotonic()
        while idle:
            lane = idle.pop()
            if now - lane.last_used < IDLE_LIMIT:
                return lane
            self._close(lane)
        lane = _Lane(self._connect(*host, timeout, context), host)
        self._selector.register(lane.sock, selectors.EVENT_READ, lane)
        return lane

    @staticmethod
    def _connect(
        scheme: str, netloc: str, timeout: float, context: ssl.SSLContext | None
    ) -> socket.socket:
        parts = urlsplit(f"{scheme}://{netloc}")
        host, secure = parts.hostname or "", scheme == "https"
        sock = socket.create_connection((host, parts.port or (443 if secure else 80)), timeout)
        # Each write is a whole request: Nagle's algorithm would only hold it back.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            if secure:
                sock = (context or _default_context()).wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        # Non-blocking once connected: a socket with a timeout polls before every send and
        # every read (a system call each, two a post); here a read comes only once the
        # selector saw the socket readable, and a send waits only if the buffer is full.
        sock.setblocking(False)
        return sock

    def _read(self, lane: _Lane) -> None:
        if lane.call is None:  # idle, and readable: the server closed it
            self._close(lane)
            return
        try:
            data = lane.sock.recv(65536)
            whole = lane.feed(data)
            # TLS may hold decrypted bytes the socket no longer shows as readable
            while (
                not whole and data and isinstance(lane.sock, ssl.SSLSocket) and lane.sock.pending()
            ):
                data = lane.sock.recv(65536)
                whole = lane.feed(data)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return  # readable, but not a whole TLS record yet: the selector tells when
        except (OSError, httptools.HttpParserError) as error:
            self._drop(lane, error)
            return
        if not whole:
            return
        self._busy -= 1
        alive = bool(data) and lane.keeps_alive
        lane.finish()
        if alive:
            self._idle.setdefault(lane.host, []).append(lane)
        else:
            self._close(lane)

    def _expire(self, call: Call) -> None:
        for key in self._selector.get_map().values():
            lane: _Lane = key.data
            if lane.call is call:
                self._drop(lane, TimeoutError("Slack did not answer in time"))
                return
        call.fail(TimeoutError("Slack did not answer in time"))

    def _drop(self, lane: _Lane, error: BaseException) -> None:
        """Close a lane, failing the call it carries."""
        call = lane.call
        lane.call = None
        if call is not None:
            self._busy -= 1
        self._close(lane)
        if call is not None and not call.done:
            call.fail(error)

    def _close(self, lane: _Lane) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(lane.sock)
        idle = self._idle.get(lane.host)
        if idle and lane in idle:
            idle.remove(lane)
        lane.close()


def _send_all(sock: socket.socket, data: bytes, deadline: float) -> None:
    """``sendall`` on a non-blocking socket: waits (by ``deadline``) only when the kernel's
    buffer is full, which a request of a few kilobytes never finds."""
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view) :]
            continue
        except ssl.SSLWantReadError:  # TLS wants to read first (a key update)
            readable, writable = [sock], []
        except (BlockingIOError, ssl.SSLWantWriteError):
            readable, writable = [], [sock]
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not any(select.select(readable, writable, [], remaining)):
            raise TimeoutError("Slack did not take the request in time")


_contexts: list[ssl.SSLContext] = []


def _default_context() -> ssl.SSLContext:
    """What http.client would use (certificates checked), made once: a context loads the
    system's certificates, which costs milliseconds."""
    if not _contexts:
        context = ssl.create_default_context()
        context.set_alpn_protocols(["http/1.1"])
        _contexts.append(context)
    return _contexts[0]
