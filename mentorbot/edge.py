"""What a request to ``/slack/events`` meets before Bolt: its size, Slack's signature, its shape.

Bolt reads a body whole, parses it, and only then checks the signature, assuming the parse
gave an object: an unsigned ``[]`` or a timestamp ``abc`` reached the global error handler as
a 500 with a traceback, and a 10 MB body was read and parsed (RSS that a worker keeps). Here a
body is refused from its Content-Length before a byte of it is read, or, without one
(chunked), as soon as reading passes the cap; the signature is checked on the raw bytes; and
the body is parsed the way Bolt will parse it, so what passes cannot make Bolt raise (a form
of plain fields, a slash command, can't: it is left to Bolt). Each
refusal is one WARNING line naming why, never the body: it may hold what people typed.
Bolt's own signature check is taken out of the app behind it (``mentorbot.http``): this one
is the check.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import parse_body

log = logging.getLogger("mentorbot.edge")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

DEFAULT_MAX_BODY = 1024 * 1024
"""Slack's biggest requests (a view submission of a full modal) are tens of kilobytes."""
BODY_KEY = "mentorbot.slack_body"
PARSED_KEY = "mentorbot.slack_payload"  # the body as Bolt parses it, for the metering
"""Where the body read here is left in the environ, for the metrics to classify without
reading it again."""
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Refusal:
    status: str
    reason: str


class BodyTooLarge(Exception):
    pass


SIGNATURE_WINDOW = 5 * 60
"""Seconds a request's timestamp may be off from now, either way (Slack's, slack_sdk's)."""


class SlackSignature:
    """Slack's v0 request signature: HMAC-SHA256 of ``v0:<timestamp>:<body>`` with the
    signing secret, in hex, and a timestamp within ``SIGNATURE_WINDOW`` of now.

    What slack_sdk's ``SignatureVerifier.is_valid`` checks, on the bytes as they came (it
    decodes and encodes the body again) and from an HMAC of the secret and ``v0:`` made once
    and copied for each request (as ``hmac`` suggests for a shared start): OpenSSL 3 sets an
    HMAC up by the digest's name on every new one, most of the check's cost. A signature that
    is not ASCII is simply not Slack's (``compare_digest`` raised on it: that was a 500)."""

    def __init__(self, secret: str, *, now: Callable[[], float] = time.time) -> None:
        self._start = hmac.new(secret.encode(), b"v0:", hashlib.sha256)
        self._now = now

    def valid(self, body: bytes, *, timestamp: str, signature: str) -> bool:
        """``timestamp`` is digits (the edge checks that first)."""
        if abs(self._now() - int(timestamp)) > SIGNATURE_WINDOW or not signature.isascii():
            return False
        mac = self._start.copy()
        mac.update(timestamp.encode() + b":" + body)
        return hmac.compare_digest("v0=" + mac.hexdigest(), signature)


def read_body(environ: dict[str, Any], cap: int) -> bytes:
    """The request's body, never reading more than ``cap`` + 1 bytes of it.

    Raises ``BodyTooLarge`` (before reading, when Content-Length says so) and ``ValueError``
    for a Content-Length that is not a number.
    """
    stream = environ.get("wsgi.input")
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        if not declared.isascii() or not declared.isdigit():
            raise ValueError("Content-Length is not a number")
        length = int(declared)
        if length > cap:
            raise BodyTooLarge
        return _read(stream, length, limit=length)
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    if not (chunked or environ.get("wsgi.input_terminated")):
        return b""  # no length and no end marker: PEP 3333 says there is no body to read
    body = _read(stream, cap + 1, limit=None)
    if len(body) > cap:
        raise BodyTooLarge
    return body


def _read(stream: Any, most: int, *, limit: int | None) -> bytes:
    """Up to ``most`` bytes, in chunks: a stream may return fewer than asked at a time."""
    if stream is None:
        return b""
    parts: list[bytes] = []
    got = 0
    while got < most:
        chunk = stream.read(min(_CHUNK, most - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    body = b"".join(parts)
    return body if limit is None else body[:limit]


def shape_problem(text: str, content_type: str) -> str | None:
    """Why Bolt could not take this body as a Slack payload, or None: parsed exactly as Bolt
    parses it (its own function), so the two cannot disagree."""
    return parse_payload(text, content_type)[0]


def read_as_fields(text: str, content_type: str) -> bool:
    """Whether Bolt reads this body as a form's fields (its ``parse_body``: not JSON, no
    ``payload``), which gives an object for any text and never raises: a slash command.
    Parsing it here too was a fifth of the CPU of an ack that answers at once."""
    return content_type != "application/json" and not text.startswith("{") and "payload" not in text


def parse_payload(text: str, content_type: str) -> tuple[str | None, dict[str, Any] | None]:
    """``shape_problem``, and the payload itself when it has none."""
    try:
        parsed: Any = parse_body(text, content_type or None)
    except ValueError:
        return "the body does not parse", None
    if not isinstance(parsed, dict):
        return f"the body is a JSON {type(parsed).__name__}, not an object", None
    return None, parsed


class SlackEdge:
    """WSGI middleware for ``/slack/events``: size, signature, then shape, then ``inner``."""

    def __init__(
        self,
        inner: WSGIApp,
        *,
        signing_secret: str,
        max_body: int = DEFAULT_MAX_BODY,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._inner = inner
        self._signature = SlackSignature(signing_secret, now=now)
        self._max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        refusal, body = self._check(environ)
        if refusal is not None:
            log.warning(
                "refused a request to %s: %s %s",
                environ.get("PATH_INFO", ""),
                refusal.status,
                refusal.reason,
                extra={"status": int(refusal.status.split()[0])},
            )
            return plain(start_response, refusal.status, refusal.reason + "\n")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))  # Bolt reads exactly this much
        return self._inner(environ, start_response)

    def _check(self, environ: dict[str, Any]) -> tuple[Refusal | None, bytes]:
        try:
            body = read_body(environ, self._max_body)
        except BodyTooLarge:
            return Refusal("413 Content Too Large", f"body over {self._max_body} bytes"), b""
        except ValueError as error:
            return Refusal("400 Bad Request", str(error)), b""
        environ[BODY_KEY] = body
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return Refusal("401 Unauthorized", "no usable X-Slack-Request-Timestamp"), body
        if not signature:
            return Refusal("401 Unauthorized", "no X-Slack-Signature"), body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Refusal("400 Bad Request", "the body is not UTF-8"), body
        if not self._signature.valid(body, timestamp=timestamp, signature=signature):
            return Refusal("401 Unauthorized", "bad or stale signature"), body
        content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip()
        if read_as_fields(text, content_type):
            return None, body  # an object whatever it says: nothing to check, nothing parsed
        problem, parsed = parse_payload(text, content_type)
        if problem is not None:
            return Refusal("400 Bad Request", problem), body
        environ[PARSED_KEY] = parsed
        return None, body


def plain(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
