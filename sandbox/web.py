"""The sandbox page: a small Slack client for the sample people, as a WSGI app.

``GET /`` is the page (HTML, CSS and JS shipped in the package, nothing from the internet);
``GET /sandbox/state`` is what one person sees now, rendered to HTML on the server; the
``POST /sandbox/...`` endpoints are what they do, turned into Slack's requests by ``Workspace``.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Callable, Iterable
from datetime import timedelta
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote

from sandbox.render import Reader, mrkdwn, render_blocks, render_modal, ts_time, when_in
from sandbox.slack import BOT_USER_ID, Upload
from sandbox.workspace import SandboxError, Workspace

__all__ = ["sandbox_app"]

log = logging.getLogger("mentorbot.sandbox")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

HOME = "home"
JSON = "application/json"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
STATIC = frozenset({"sandbox.js", "sandbox.css"})
MAX_BODY = 1_000_000
CLOCK_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def _respond(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        *(extra or []),
    ]
    start_response(status, headers)
    return [body]


def _json(start_response: StartResponse, data: Any, status: str = "200 OK") -> list[bytes]:
    return _respond(
        start_response, status, json.dumps(data).encode(), "application/json; charset=utf-8"
    )


def _static(name: str) -> bytes:
    return resources.files("sandbox").joinpath("static", name).read_bytes()


# -- what one person sees ------------------------------------------------------------------------


def _message_html(message: dict[str, Any], reader: Reader, *, ephemeral: bool) -> str:
    author = message.get("user") or BOT_USER_ID
    name = reader.names.get(author, author)
    blocks = message.get("blocks")
    body = (
        render_blocks(blocks, reader)
        if blocks
        else f'<div class="bk-text">{mrkdwn(str(message.get("text", "")), reader)}</div>'
    )
    edited = ' <span class="edited">(edited)</span>' if message.get("edited") else ""
    note = '<div class="ephemeral-note">Only visible to you</div>' if ephemeral else ""
    css = "msg ephemeral" if ephemeral else "msg"
    tag = '<span class="app-tag">APP</span>' if author == BOT_USER_ID else ""
    return (
        f'<article class="{css}" data-ts="{escape(str(message.get("ts", "")))}">'
        f'<div class="avatar">{escape(name[:1])}</div><div class="msg-main">'
        f'<div class="msg-head"><b>{escape(name)}</b>{tag}'
        f"<time>{escape(when_in(reader, ts_time(str(message.get('ts', '0')))))}</time>{edited}"
        f'</div><div class="msg-body">{body}</div>{note}</div></article>'
    )


def _upload_html(upload: Upload, reader: Reader) -> str:
    kind = mimetypes.guess_type(upload.filename)[0] or ""
    preview = (  # Slack shows images it is given as files (a report's chart, say)
        f'<img class="file-preview" src="/sandbox/files/{quote(upload.file_id)}"'
        f' alt="{escape(upload.title)}">'
        if kind.startswith("image/")
        else ""
    )
    comment = (
        f'<div class="bk-text">{mrkdwn(upload.initial_comment, reader)}</div>'
        if upload.initial_comment
        else ""
    )
    return (
        f'<article class="msg" data-ts="{escape(upload.ts)}">'
        f'<div class="avatar">M</div><div class="msg-main"><div class="msg-head">'
        f'<b>Mentorbot</b><span class="app-tag">APP</span>'
        f"<time>{escape(when_in(reader, ts_time(upload.ts)))}</time></div>"
        f'<div class="msg-body">{comment}{preview}'
        f'<a class="file" download="{escape(upload.filename)}"'
        f' href="/sandbox/files/{quote(upload.file_id)}">'
        f'<span class="file-icon">📎</span><span><b>{escape(upload.title)}</b>'
        f"<small>{escape(upload.filename)} · {len(upload.content)} bytes · download</small>"
        f"</span></a></div></div></article>"
    )


def _timeline(workspace: Workspace, user_id: str, channel: str, reader: Reader) -> str:
    slack = workspace.slack
    entries: list[tuple[float, str]] = [
        (ts_time(m["ts"]).timestamp(), _message_html(m, reader, ephemeral=False))
        for m in slack.messages(channel)
    ]
    entries += [
        (ts_time(m["ts"]).timestamp(), _message_html(m, reader, ephemeral=True))
        for m in slack.ephemerals(user_id, channel)
    ]
    entries += [
        (ts_time(u.ts).timestamp(), _upload_html(u, reader))
        for u in slack.uploads
        if u.channel == channel
    ]
    if not entries:
        return '<p class="empty">Nothing here yet. Try <code>/mentor help</code>.</p>'
    return "".join(html for _, html in sorted(entries, key=lambda e: e[0]))


def fingerprint(workspace: Workspace, user_id: str, channel: str) -> str:
    """Changes whenever what ``user_id`` sees may have: anything at the local Slack, or the
    clock's minute (dates say "Today" or "Yesterday")."""
    minute = int(workspace.clock.now().timestamp() // 60)
    ready = "p" if workspace.preparing else "r"
    return f"{workspace.slack.version}:{minute}:{ready}:{user_id}:{channel}"


def state(workspace: Workspace, user_id: str, channel: str, *, known: str = "") -> dict[str, Any]:
    """Everything the page shows ``user_id`` with ``channel`` open, HTML rendered here: all
    of it from their own company's workspace (its channel, their DM, their Home).

    A page that already shows version ``known`` gets ``{"unchanged": true}`` instead: polls
    stay cheap however long the conversations grow.
    """
    person = workspace.person(user_id)
    version = fingerprint(workspace, user_id, channel)
    if known and known == version:
        return {"unchanged": True, "version": version}
    reader = workspace.reader(user_id)
    conversations = workspace.conversations(user_id)
    if channel != HOME and channel not in {c.id for c in conversations}:
        channel = workspace.slack.dm_channel(user_id)
    stack = workspace.slack.modal_stack(user_id)
    modal = None
    if stack:
        top = stack[-1]
        modal = {
            "id": top["id"],
            "hash": top["hash"],
            "html": render_modal(top, reader, depth=len(stack)),
        }
    home = workspace.slack.home_view(user_id) if channel == HOME else None
    local = reader.now.astimezone(reader.tz)
    return {
        "version": version,
        "preparing": workspace.preparing,
        "as": user_id,
        "company": person.team,
        "channel": channel,
        "now": f"{local.strftime('%a %d %b %Y, %H:%M')} ({person.tz})",
        "companies": [{"id": c.team_id, "name": c.name} for c in workspace.companies],
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role,
                "tz": p.tz,
                "title": p.title,
                "company": p.team,
            }
            for p in workspace.people
        ],
        "conversations": [{"id": c.id, "name": c.name, "kind": c.kind} for c in conversations],
        "timeline": "" if channel == HOME else _timeline(workspace, user_id, channel, reader),
        "home": (
            {"id": home["id"], "html": render_blocks(home.get("blocks"), reader)} if home else None
        ),
        "modal": modal,
        "refusals": [
            {"method": r.method, "error": r.error, "messages": list(r.messages)}
            for r in workspace.slack.refusals()
        ],
    }


# -- the app ------------------------------------------------------------------------------------


def sandbox_app(workspace: Workspace) -> WSGIApp:
    """The page and its endpoints; anything unexpected answers 500 with no details leaked."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        host = str(environ.get("HTTP_HOST", "")).rsplit(":", 1)[0]
        if host not in LOOPBACK_NAMES:  # a page elsewhere reaching us by DNS rebinding
            return _respond(start_response, "403 Forbidden", b"loopback only\n", "text/plain")
        if method == "POST" and environ.get("CONTENT_TYPE", "").split(";")[0] != JSON:
            # JSON only: another site's form or beacon can't send it without a CORS preflight.
            return _respond(
                start_response, "415 Unsupported Media Type", b"JSON only\n", "text/plain"
            )
        try:
            if method == "GET":
                return _get(workspace, path, environ, start_response)
            if method == "POST" and path.startswith("/sandbox/"):
                return _post(workspace, path, _body(environ), start_response)
            return _respond(start_response, "404 Not Found", b"not found\n", "text/plain")
        except (SandboxError, KeyError, ValueError, TypeError) as error:
            return _json(start_response, {"problem": str(error)}, "400 Bad Request")
        except Exception:
            log.exception("sandbox page request failed: %s %s", method, path)
            return _json(start_response, {"problem": "the sandbox failed"}, "500 Server Error")

    return application


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        raise ValueError("request too large")
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    data = json.loads(raw or b"{}")
    if not isinstance(data, dict):
        raise TypeError("expected a JSON object")
    return data


def _get(
    workspace: Workspace, path: str, environ: dict[str, Any], start_response: StartResponse
) -> list[bytes]:
    if path in ("/", "/index.html"):
        return _respond(start_response, "200 OK", _static("index.html"), "text/html; charset=utf-8")
    if path.startswith("/static/") and path.removeprefix("/static/") in STATIC:
        name = path.removeprefix("/static/")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return _respond(start_response, "200 OK", _static(name), f"{kind}; charset=utf-8")
    if path == "/sandbox/state":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        user_id = (query.get("as") or [workspace.people[0].id])[0]
        channel = (query.get("channel") or [""])[0]
        known = (query.get("v") or [""])[0]
        return _json(start_response, state(workspace, user_id, channel, known=known))
    if path.startswith("/sandbox/files/"):
        file_id = path.removeprefix("/sandbox/files/")
        upload = next((u for u in workspace.slack.uploads if u.file_id == file_id), None)
        if upload is None:
            return _respond(start_response, "404 Not Found", b"no such file\n", "text/plain")
        kind = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        safe_name = upload.filename.replace('"', "")
        return _respond(
            start_response,
            "200 OK",
            upload.content,
            kind,
            [("Content-Disposition", f'attachment; filename="{safe_name}"')],
        )
    return _respond(start_response, "404 Not Found", b"not found\n", "text/plain")


def _post(
    workspace: Workspace, path: str, body: dict[str, Any], start_response: StartResponse
) -> list[bytes]:
    user_id = str(body.get("as", ""))
    workspace.person(user_id)
    answer: dict[str, Any] = {}
    if path == "/sandbox/command":
        text, channel = str(body.get("text", "")), str(body["channel"])
        if text.strip().startswith("/"):
            problem = workspace.command(user_id, channel, text)
        else:  # plain words in the DM box are a message to the bot
            problem = workspace.say(user_id, channel, text)
        answer = {"problem": problem} if problem else {}
    elif path == "/sandbox/start_over":
        workspace.start_over()
    elif path == "/sandbox/action":
        problem = workspace.act(
            user_id,
            block_id=str(body["block_id"]),
            action_id=str(body["action_id"]),
            value=body.get("value"),
            channel=body.get("channel"),
            ts=body.get("ts"),
            view_id=body.get("view_id"),
            values=body.get("values"),
        )
        answer = {"problem": problem} if problem else {}
    elif path == "/sandbox/submit":
        answer = workspace.submit(user_id, str(body["view_id"]), dict(body.get("values") or {}))
    elif path == "/sandbox/close":
        workspace.close(user_id, str(body["view_id"]))
    elif path == "/sandbox/home":
        workspace.open_home(user_id)
    elif path == "/sandbox/clock":
        step = str(body.get("step", ""))
        if step == "next_monday":
            workspace.advance_to_next(user_id, weekday=0, hour=9)
        elif step in CLOCK_STEPS:
            workspace.advance(CLOCK_STEPS[step])
        else:
            raise SandboxError(f"unknown clock step {step!r}")
    else:
        return _respond(start_response, "404 Not Found", b"not found\n", "text/plain")
    return _json(start_response, answer)
