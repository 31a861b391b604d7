"""Calling the bot's WSGI app in this process, as gunicorn would, with a body we control.

In-process, so ``caplog`` sees every record the request produced and a test can hand the app
a ``wsgi.input`` that counts what was read from it.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.util import setup_testing_defaults

from slack_sdk.signature import SignatureVerifier

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class CountingInput:
    """A request body that records how many bytes the app asked for and got."""

    def __init__(self, body: bytes) -> None:
        self._body = io.BytesIO(body)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._body.read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        chunk = self._body.readline(size)
        self.bytes_read += len(chunk)
        return chunk


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


def call(
    app: WSGIApp,
    *,
    path: str = "/slack/events",
    method: str = "POST",
    body: bytes = b"",
    content_type: str = FORM,
    headers: dict[str, str] | None = None,
    stream: Any = None,
    content_length: str | None = None,
) -> Answer:
    """One request; ``content_length=None`` sends the body's length, ``""`` none (chunked)."""
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD=method, PATH_INFO=path, CONTENT_TYPE=content_type)
    length = str(len(body)) if content_length is None else content_length
    if length:
        environ["CONTENT_LENGTH"] = length
    else:
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input"] = stream if stream is not None else io.BytesIO(body)
    environ["wsgi.input_terminated"] = True  # as gunicorn and waitress promise
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
        seen.append((status, response_headers))

    answer = b"".join(app(environ, start_response))
    status, response_headers = seen[0]
    return Answer(int(status.split()[0]), answer, dict(response_headers))


def signed_headers(secret: str, body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    """Slack's two headers for ``body``; a given ``timestamp`` is signed as it is."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}
