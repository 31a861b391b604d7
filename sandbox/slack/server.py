"""The HTTP side of the local Slack: a loopback server, and a request read into Web API terms.

slack_sdk sends form-encoded, JSON and multipart bodies and puts its token either in a header
or in the body; this reads them all into one parameter dict and a token, the way Slack does,
so the method families only ever see arguments.
"""

from __future__ import annotations

import base64
import contextlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl

from sandbox.slack.records import ApiReply

# Form-encoded requests carry structured arguments as JSON strings; decoding them lets tests
# assert on the objects the app meant to send rather than on their serialisation.
JSON_FIELDS = frozenset(
    {"blocks", "view", "attachments", "metadata", "files", "unfurls", "user_auth_blocks", "outputs"}
)


class Serves(Protocol):
    """What the server hands each request to: the local Slack."""

    def _serve(self, h: RequestHandler) -> None: ...


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: Serves, port: int = 0) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", port), RequestHandler)


class RequestHandler(BaseHTTPRequestHandler):
    server: LoopbackServer
    protocol_version = "HTTP/1.1"
    # Connections are kept open (as Slack's are): headers and body are two writes, and with
    # Nagle's algorithm the body would wait for the client's delayed ACK, 40 ms per call.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; the recorded calls are the log that matters."""


def read_request(
    h: RequestHandler, method: str, path: str, query: str, body: bytes
) -> tuple[dict[str, Any], str | None, str | None]:
    """The call's parameters, its token, and the Slack error code if the body is unreadable."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if method == "upload":
        params.update({"_path": path, "file_id": path.rsplit("/", 1)[-1]})
        return params, None, None
    parse_error = _read_body(h, method, body, params)
    if method == "response_url":
        params["_path"] = path
        return params, None, parse_error
    token = _read_credentials(h, params)
    for key in JSON_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Undecodable JSON stays a string, which the method then refuses like Slack.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params, token, parse_error


def _read_body(h: RequestHandler, method: str, body: bytes, params: dict[str, Any]) -> str | None:
    content_type = h.headers.get_content_type()
    parse_error: str | None = None
    if content_type == "application/json" or method == "response_url":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data, parse_error = {}, "invalid_json"
        if isinstance(data, dict):
            params.update(data)
        else:
            parse_error = "invalid_json"
    elif content_type == "multipart/form-data":
        params.update(parse_multipart(body, h.headers.get("Content-Type", "")))
    elif body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return parse_error


def _read_credentials(h: RequestHandler, params: dict[str, Any]) -> str | None:
    """The bearer token (header first, then body); Basic credentials become client id/secret."""
    token: str | None = None
    scheme, _, credentials = h.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        token = credentials.strip()
    elif scheme.lower() == "basic" and credentials.strip():
        try:
            decoded = base64.b64decode(credentials.strip()).decode("utf-8")
        except ValueError:
            decoded = ""
        client_id, _, secret = decoded.partition(":")
        params.setdefault("client_id", client_id)
        params.setdefault("client_secret", secret)
    body_token = params.pop("token", None)
    if token is None and isinstance(body_token, str) and body_token:
        token = body_token
    return token


def send_reply(h: RequestHandler, reply: ApiReply) -> None:
    try:
        h.send_response(reply.status)
        h.send_header("Content-Type", reply.content_type)
        h.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers:
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(reply.body)
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Parse slack_sdk's multipart bodies (oauth.v2.access and file uploads use them)."""
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() is not None else data.decode("utf-8")
    return fields


def first_file_part(body: bytes, content_type: str) -> bytes:
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    if not message.is_multipart():
        return body
    parts = list(message.iter_parts())
    chosen = next((p for p in parts if p.get_filename() is not None), parts[0] if parts else None)
    if chosen is None:
        return b""
    payload = chosen.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""
