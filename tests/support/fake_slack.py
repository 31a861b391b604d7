"""A loopback stand-in for Slack's Web API.

The app talks to Slack only through slack_sdk's ``WebClient``; pointing its ``base_url`` at this
server exercises the real request encoding, response parsing and error raising of the SDK
instead of a mock of it. The answers, error codes and Block Kit limits follow Slack's
documentation (see /work/shared/slack) so that a test which passes here fails for the same
reasons it would fail against Slack.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import mimetypes
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "FakeSlack",
    "Surface",
    "Upload",
    "validate_blocks",
    "validate_view",
]

Surface = Literal["message", "modal", "home"]

TEAM_ID = "T0001"
TEAM_NAME = "Test Team"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "ABOT"

# Form-encoded requests carry structured arguments as JSON strings; decoding them lets tests
# assert on the objects the app meant to send rather than on their serialisation.
JSON_FIELDS = frozenset(
    {"blocks", "view", "attachments", "metadata", "files", "unfurls", "user_auth_blocks", "outputs"}
)

# oauth.v2.access authenticates with the client id and secret, never with a token.
TOKENLESS_METHODS = frozenset({"oauth.v2.access", "oauth.v2.exchange", "oauth.access"})

# files.completeUploadExternal refuses user IDs (it needs the D... id of the DM); the real
# pattern is ^[CGDZ][A-Z0-9]{8,}$, relaxed in length so tests may use short ids like "C1".
_UPLOAD_CHANNEL = re.compile(r"^[CGDZ][A-Z0-9]*$")

_TS_BASE_MICROS = 1_700_000_000_000_000


# --------------------------------------------------------------------------------------------
# Block Kit validation
# --------------------------------------------------------------------------------------------

# fmt: off
KNOWN_BLOCK_TYPES = frozenset({
    "section", "actions", "context", "divider", "header", "image", "input", "rich_text", "file",
    "video",
})

KNOWN_ELEMENT_TYPES = frozenset({
    "button", "checkboxes", "channels_select", "conversations_select", "datepicker",
    "datetimepicker", "email_text_input", "external_select", "file_input", "image",
    "multi_channels_select", "multi_conversations_select", "multi_external_select",
    "multi_static_select", "multi_users_select", "number_input", "overflow", "plain_text_input",
    "radio_buttons", "rich_text_input", "static_select", "timepicker", "url_text_input",
    "users_select", "workflow_button",
})
# fmt: on

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}


class _Problems:
    """Collects reasons in Slack's own wording so failures read like the real API's."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, pointer: str, reason: str) -> None:
        self.items.append(f"{reason} [json-pointer:{pointer}]")


def _too_long(max_len: int) -> str:
    return f"must be less than {max_len + 1} characters"


def _check_str(
    value: object, ptr: str, probs: _Problems, *, max_len: int, required: bool = False
) -> None:
    if value is None:
        if required:
            probs.add(ptr, "missing required field")
        return
    if not isinstance(value, str):
        probs.add(ptr, "must be a string")
    elif required and not value:
        probs.add(ptr, "must be more than 0 characters")
    elif len(value) > max_len:
        probs.add(ptr, _too_long(max_len))


def _check_text(
    obj: object,
    ptr: str,
    probs: _Problems,
    *,
    max_len: int,
    plain_only: bool = False,
    required: bool = True,
) -> None:
    if obj is None:
        if required:
            probs.add(ptr, "missing required field")
        return
    if not isinstance(obj, dict):
        probs.add(ptr, "must be a text object")
        return
    kind = obj.get("type")
    if kind not in ("plain_text", "mrkdwn"):
        probs.add(f"{ptr}/type", "must be plain_text or mrkdwn")
    elif plain_only and kind != "plain_text":
        probs.add(f"{ptr}/type", "must be plain_text")
    text = obj.get("text")
    if not isinstance(text, str):
        probs.add(f"{ptr}/text", "must be a string")
    elif not text:
        probs.add(f"{ptr}/text", "must be more than 0 characters")
    elif len(text) > max_len:
        probs.add(f"{ptr}/text", _too_long(max_len))


def _check_options(
    options: object,
    ptr: str,
    probs: _Problems,
    *,
    max_count: int,
    plain_only: bool,
    min_count: int = 1,
) -> None:
    if not isinstance(options, list):
        probs.add(ptr, "must be an array")
        return
    if len(options) < min_count:
        probs.add(ptr, f"must provide at least {min_count} items")
    if len(options) > max_count:
        probs.add(ptr, f"no more than {max_count} items allowed")
    for i, option in enumerate(options):
        optr = f"{ptr}/{i}"
        if not isinstance(option, dict):
            probs.add(optr, "must be an object")
            continue
        _check_text(option.get("text"), f"{optr}/text", probs, max_len=75, plain_only=plain_only)
        _check_str(option.get("value"), f"{optr}/value", probs, max_len=150, required=True)
        _check_text(
            option.get("description"),
            f"{optr}/description",
            probs,
            max_len=75,
            plain_only=plain_only,
            required=False,
        )
        _check_str(option.get("url"), f"{optr}/url", probs, max_len=3000)


def _check_element(el: object, ptr: str, probs: _Problems) -> None:
    if not isinstance(el, dict):
        probs.add(ptr, "must be an object")
        return
    kind = el.get("type")
    if not isinstance(kind, str):
        probs.add(f"{ptr}/type", "missing required field")
        return
    if kind not in KNOWN_ELEMENT_TYPES:
        probs.add(f"{ptr}/type", f"unsupported type: {kind}")
        return
    _check_str(el.get("action_id"), f"{ptr}/action_id", probs, max_len=255)
    _check_text(
        el.get("placeholder"),
        f"{ptr}/placeholder",
        probs,
        max_len=150,
        plain_only=True,
        required=False,
    )
    if kind == "button":
        _check_text(el.get("text"), f"{ptr}/text", probs, max_len=75, plain_only=True)
        _check_str(el.get("value"), f"{ptr}/value", probs, max_len=2000)
        _check_str(el.get("url"), f"{ptr}/url", probs, max_len=3000)
        style = el.get("style")
        if style is not None and style not in ("primary", "danger"):
            probs.add(f"{ptr}/style", "must be primary or danger")
    elif kind in ("static_select", "multi_static_select"):
        has_options = "options" in el
        has_groups = "option_groups" in el
        if has_options == has_groups:
            probs.add(ptr, "must provide exactly one of options or option_groups")
        if has_options:
            _check_options(el["options"], f"{ptr}/options", probs, max_count=100, plain_only=True)
        if has_groups:
            groups = el["option_groups"]
            if not isinstance(groups, list):
                probs.add(f"{ptr}/option_groups", "must be an array")
            else:
                if len(groups) > 100:
                    probs.add(f"{ptr}/option_groups", "no more than 100 items allowed")
                for g, group in enumerate(groups):
                    gptr = f"{ptr}/option_groups/{g}"
                    if not isinstance(group, dict):
                        probs.add(gptr, "must be an object")
                        continue
                    _check_text(
                        group.get("label"), f"{gptr}/label", probs, max_len=75, plain_only=True
                    )
                    _check_options(
                        group.get("options"),
                        f"{gptr}/options",
                        probs,
                        max_count=100,
                        plain_only=True,
                    )
    elif kind == "overflow":
        _check_options(el.get("options"), f"{ptr}/options", probs, max_count=5, plain_only=True)
    elif kind in ("radio_buttons", "checkboxes"):
        _check_options(el.get("options"), f"{ptr}/options", probs, max_count=10, plain_only=False)
    elif kind == "image":
        if el.get("image_url") is None and el.get("slack_file") is None:
            probs.add(ptr, "missing required field: image_url or slack_file")
        _check_str(el.get("alt_text"), f"{ptr}/alt_text", probs, max_len=2000, required=True)


def _check_block(block: dict[str, Any], ptr: str, probs: _Problems, surface: Surface) -> None:
    kind = block.get("type")
    if kind == "section":
        if block.get("text") is None and block.get("fields") is None:
            probs.add(ptr, "missing required field: text or fields")
        _check_text(block.get("text"), f"{ptr}/text", probs, max_len=3000, required=False)
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list):
                probs.add(f"{ptr}/fields", "must be an array")
            else:
                if len(fields) > 10:
                    probs.add(f"{ptr}/fields", "no more than 10 items allowed")
                for i, item in enumerate(fields):
                    _check_text(item, f"{ptr}/fields/{i}", probs, max_len=2000)
        if block.get("accessory") is not None:
            _check_element(block["accessory"], f"{ptr}/accessory", probs)
    elif kind == "header":
        _check_text(block.get("text"), f"{ptr}/text", probs, max_len=150, plain_only=True)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            probs.add(f"{ptr}/elements", "missing required field")
            return
        if len(elements) > 25:
            probs.add(f"{ptr}/elements", "no more than 25 items allowed")
        seen: set[str] = set()
        for i, el in enumerate(elements):
            _check_element(el, f"{ptr}/elements/{i}", probs)
            action_id = el.get("action_id") if isinstance(el, dict) else None
            if isinstance(action_id, str):
                if action_id in seen:
                    probs.add(f"{ptr}/elements/{i}/action_id", f"duplicate action_id: {action_id}")
                seen.add(action_id)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            probs.add(f"{ptr}/elements", "missing required field")
            return
        if len(elements) > 10:
            probs.add(f"{ptr}/elements", "no more than 10 items allowed")
        for i, el in enumerate(elements):
            eptr = f"{ptr}/elements/{i}"
            if isinstance(el, dict) and el.get("type") == "image":
                _check_element(el, eptr, probs)
            else:
                _check_text(el, eptr, probs, max_len=3000)
    elif kind == "image":
        if block.get("image_url") is None and block.get("slack_file") is None:
            probs.add(ptr, "missing required field: image_url or slack_file")
        _check_str(block.get("image_url"), f"{ptr}/image_url", probs, max_len=3000)
        _check_str(block.get("alt_text"), f"{ptr}/alt_text", probs, max_len=2000, required=True)
        _check_text(
            block.get("title"), f"{ptr}/title", probs, max_len=2000, plain_only=True, required=False
        )
    elif kind == "input":
        if surface == "message":
            probs.add(f"{ptr}/type", "input blocks are only allowed in modals and Home tabs")
        _check_text(block.get("label"), f"{ptr}/label", probs, max_len=2000, plain_only=True)
        if block.get("element") is None:
            probs.add(f"{ptr}/element", "missing required field")
        else:
            _check_element(block["element"], f"{ptr}/element", probs)
        _check_text(
            block.get("hint"), f"{ptr}/hint", probs, max_len=2000, plain_only=True, required=False
        )
    elif kind == "rich_text":
        if not isinstance(block.get("elements"), list):
            probs.add(f"{ptr}/elements", "missing required field")
    elif kind == "file":
        for key in ("external_id", "source"):
            if not block.get(key):
                probs.add(f"{ptr}/{key}", "missing required field")
    elif kind == "video":
        for key in ("alt_text", "title", "thumbnail_url", "video_url"):
            if not block.get(key):
                probs.add(f"{ptr}/{key}", "missing required field")


def _validate_blocks_into(blocks: object, root: str, probs: _Problems, surface: Surface) -> None:
    if not isinstance(blocks, list):
        probs.add(root, "must be an array")
        return
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        probs.add(root, f"no more than {limit} items allowed")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        ptr = f"{root}/{i}"
        if not isinstance(block, dict):
            probs.add(ptr, "must be an object")
            continue
        kind = block.get("type")
        if not isinstance(kind, str):
            probs.add(f"{ptr}/type", "missing required field")
            continue
        if kind not in KNOWN_BLOCK_TYPES:
            probs.add(f"{ptr}/type", f"unsupported type: {kind}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            _check_str(block_id, f"{ptr}/block_id", probs, max_len=255)
            if isinstance(block_id, str):
                if block_id in block_ids:
                    probs.add(f"{ptr}/block_id", f"duplicate block_id: {block_id}")
                block_ids.add(block_id)
        _check_block(block, ptr, probs, surface)


def validate_blocks(blocks: object, *, surface: Surface) -> list[str]:
    """Return Slack's reasons for refusing ``blocks`` on ``surface``; empty when Slack accepts.

    Pure, so unit tests of block builders can check payloads without a server. Reasons read
    like Slack's: ``"<reason> [json-pointer:/blocks/3/text/text]"``.
    """
    probs = _Problems()
    _validate_blocks_into(blocks, "/blocks", probs, surface)
    return probs.items


def validate_view(view: object, *, surface: Literal["modal", "home"]) -> list[str]:
    """Return Slack's reasons for refusing a modal or Home tab view; empty when accepted.

    Covers the view-level limits (title, submit, close, private_metadata, callback_id) on top of
    the blocks, with pointers rooted at ``/view`` as in views.* error messages.
    """
    probs = _Problems()
    if not isinstance(view, dict):
        probs.add("/view", "must be an object")
        return probs.items
    if view.get("type") != surface:
        probs.add("/view/type", f"must be {surface}")
    if surface == "modal":
        _check_text(view.get("title"), "/view/title", probs, max_len=24, plain_only=True)
        for key in ("submit", "close"):
            _check_text(
                view.get(key), f"/view/{key}", probs, max_len=24, plain_only=True, required=False
            )
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            probs.add("/view/submit", "must provide submit when the view has input blocks")
    _check_str(view.get("private_metadata"), "/view/private_metadata", probs, max_len=3000)
    _check_str(view.get("callback_id"), "/view/callback_id", probs, max_len=255)
    _check_str(view.get("external_id"), "/view/external_id", probs, max_len=255)
    if "blocks" not in view:
        probs.add("/view/blocks", "missing required field")
    else:
        _validate_blocks_into(view["blocks"], "/view/blocks", probs, surface)
    return probs.items


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as the app made it, kept even when the fake failed it on purpose.

    ``outcome`` is ``"ok"``, ``"error:<code>"``, ``"429"``, the 5xx status as text, or
    ``"dropped"``, so fault tests can tell attempts from deliveries.
    """

    method: str
    params: dict[str, Any]
    token: str | None
    at: float
    outcome: str = "ok"


@dataclass(frozen=True)
class Upload:
    """A file shared through files.completeUploadExternal, content included, so tests can read
    exactly what the app sent (an .ics, say)."""

    file_id: str
    filename: str
    title: str
    channel: str | None
    content: bytes
    initial_comment: str | None = None


@dataclass
class _Fault:
    kind: Literal["error", "ratelimit", "server", "lost"]
    remaining: int
    error: str = ""
    retry_after: int = 1
    status: int = 500


@dataclass
class _Chaos:
    rate_limit: float
    server_error: float
    drop: float
    slow: float
    slow_seconds: float
    rng: random.Random


@dataclass
class _Reply:
    status: int
    body: bytes
    outcome: str
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class _PendingFile:
    filename: str
    length: int
    content: bytes | None = None


def _json_reply(answer: Mapping[str, Any], status: int = 200, outcome: str | None = None) -> _Reply:
    if outcome is None:
        outcome = "ok" if answer.get("ok") else f"error:{answer.get('error', 'unknown')}"
    return _Reply(status=status, body=json.dumps(answer).encode("utf-8"), outcome=outcome)


def _err(code: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": code, **extra}


def _invalid_arguments(messages: list[str]) -> dict[str, Any]:
    return _err(
        "invalid_arguments",
        response_metadata={"messages": [f"[ERROR] {m}" for m in messages]},
    )


def _str(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _truthy(value: object) -> bool:
    return (
        value is True or value == 1 or (isinstance(value, str) and value.lower() in ("true", "1"))
    )


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds or 0), int((fraction or "0")[:6].ljust(6, "0"))
    except ValueError:
        return 0, 0


def _dm_channel(user_id: str) -> str:
    return "D" + user_id[1:]


def _is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W")


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
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


def _first_file_part(body: bytes, content_type: str) -> bytes:
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


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; the recorded calls are the log that matters."""


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeSlack:
    """Slack's Web API on 127.0.0.1: records every call, answers and fails the way Slack does.

    ``strict_users`` (default) makes user IDs that were not registered with ``add_user`` fail
    as Slack fails for users outside the workspace, so a test cannot pass by accident with an
    ID the app invented.
    """

    def __init__(self, *, strict_users: bool = True) -> None:
        self.strict_users = strict_users
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[Call] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._opened: set[str] = set()
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._pending_files: dict[str, _PendingFile] = {}
        self._uploads: list[Upload] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._chaos: dict[str | None, _Chaos] = {}
        self._holds: dict[str, tuple[int, threading.Event]] = {}
        self._seq = 0
        self._oauth_answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "UINSTALLER"},
            "scope": "chat:write,commands,im:write,users:read,files:write",
            "token_type": "bot",
            "access_token": "xoxb-0001-fake-installation-token",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": TEAM_ID, "name": TEAM_NAME},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        self._api: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "usergroups.users.list": self._usergroups_users_list,
            "oauth.v2.access": self._oauth_v2_access,
        }

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("FakeSlack already started")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """WebClient base_url; slack_sdk appends the method name, hence the trailing slash."""
        return f"{self.origin}/api/"

    def response_url(self, name: str) -> str:
        """A response_url for interaction payloads; POSTs to it are recorded as
        ``"response_url"`` calls with ``_path`` added to the JSON body."""
        return f"{self.origin}/response/{quote(name, safe='')}"

    # ---- directory and fixtures --------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "America/New_York",
        tz_offset: int | None = None,
        tz_label: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str = TEAM_ID,
    ) -> dict[str, Any]:
        """Register (or replace) a workspace member; returns the users.info ``user`` object."""
        now = datetime.now(ZoneInfo(tz))
        if tz_offset is None:
            offset = now.utcoffset()
            tz_offset = int(offset.total_seconds()) if offset is not None else 0
        if tz_label is None:
            tz_label = now.tzname() or tz
        name = name or user_id.lower()
        real_name = real_name if real_name is not None else name.replace(".", " ").title()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "real_name": real_name,
            "deleted": deleted,
            "tz": tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "is_bot": is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "team": team_id,
            },
        }
        with self._lock:
            self._users[user_id] = user
            return copy.deepcopy(user)

    def set_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        with self._lock:
            self._usergroups[usergroup_id] = list(users)

    def set_oauth_answer(self, answer: Mapping[str, Any]) -> None:
        """Replace the oauth.v2.access answer; include ``"ok": False`` to make it fail."""
        with self._lock:
            self._oauth_answer = {"ok": True, **copy.deepcopy(dict(answer))}

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The ID of the bot's DM with a user, as Slack would report it in payloads."""
        return _dm_channel(user_id)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages stored in ``channel`` oldest first; a user ID means the bot's DM with them."""
        if _is_user_id(channel):
            channel = _dm_channel(channel)
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return list(self._uploads)

    def uploaded_file(self, file_id: str) -> bytes:
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None or pending.content is None:
                known = sorted(k for k, v in self._pending_files.items() if v.content is not None)
                raise AssertionError(f"no content uploaded for {file_id!r}; uploaded: {known}")
            return pending.content

    # ---- recorded calls ----------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def delivered(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method and c.outcome == "ok"]

    def last(self, method: str) -> Call:
        with self._lock:
            for call in reversed(self._calls):
                if call.method == method:
                    return call
            raise AssertionError(f"no call to {method!r}; recorded: {self._summary()}")

    def clear(self) -> None:
        """Forget recorded calls only; users, messages, views and faults stay."""
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` (any outcome) were recorded.

        For apps that call Slack from background threads (lazy listeners, schedulers), where a
        test cannot know when the call happens.
        """
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(1 for c in self._calls if c.method == method) >= count, timeout
            )
            found = [c for c in self._calls if c.method == method]
            if not done:
                raise AssertionError(
                    f"waited {timeout}s for {count} call(s) to {method!r}, got {len(found)}; "
                    f"recorded: {self._summary()}"
                )
            return found

    def delivered_keys(self, method: str = "chat.postMessage") -> Counter[str]:
        """Count ``metadata.event_payload.key`` over successful calls, to spot duplicates."""
        keys: Counter[str] = Counter()
        for call in self.delivered(method):
            metadata = call.params.get("metadata")
            if not isinstance(metadata, dict):
                continue
            payload = metadata.get("event_payload")
            if isinstance(payload, dict) and payload.get("key") is not None:
                keys[_str(payload["key"])] += 1
        return keys

    def _summary(self) -> str:
        counts = Counter(c.method for c in self._calls)
        return ", ".join(f"{m} x{n}" for m, n in counts.items()) or "nothing"

    # ---- failure injection -------------------------------------------------------------------

    def fail_next(self, method: str, error: str, *, times: int = 1) -> None:
        """The next ``times`` calls answer HTTP 200 ``{"ok": false, "error": error}``.

        Faults queued for one method fire in the order they were queued.
        """
        self._queue(method, _Fault("error", times, error=error))

    def rate_limit_next(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        self._queue(method, _Fault("ratelimit", times, retry_after=retry_after))

    def server_error_next(self, method: str, *, status: int = 500, times: int = 1) -> None:
        self._queue(method, _Fault("server", times, status=status))

    def lose_answer_next(self, method: str, *, times: int = 1) -> None:
        """Do the next ``times`` calls (recorded ``"ok"``), then hang up without answering:
        a timeout or reset after Slack acted, so the app can't know that it did."""
        self._queue(method, _Fault("lost", times))

    def set_chaos(
        self,
        method: str | None,
        *,
        rate_limit: float = 0.0,
        server_error: float = 0.0,
        drop: float = 0.0,
        slow: float = 0.0,
        slow_seconds: float = 0.2,
        seed: int = 0,
    ) -> None:
        """Fail a random share of calls to ``method`` (every method when None).

        Probabilities are per call; one seeded generator per setting makes a run repeatable
        when the calls arrive in the same order. A per-method setting wins over the None one.
        None also covers the non-API endpoints, recorded as ``"response_url"`` and ``"upload"``.
        Queued faults (``fail_next`` and friends) take precedence and consume no randomness.
        """
        for p in (rate_limit, server_error, drop, slow):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probabilities must be within [0, 1], got {p}")
        if rate_limit + server_error + drop > 1.0:
            raise ValueError("rate_limit + server_error + drop must not exceed 1")
        chaos = _Chaos(rate_limit, server_error, drop, slow, slow_seconds, random.Random(seed))
        with self._lock:
            self._chaos[method] = chaos

    def hold_replies(self, method: str, *, after: int) -> threading.Event:
        """From the ``after``-th call to ``method`` on, do the call and record it, but keep its
        answer until the returned event is set.

        Slack has done the work, the app has not heard: the window in which a crash makes a
        retry send the same message twice. Set the event to let the answers go.
        """
        if after < 1:
            raise ValueError("after must be at least 1")
        release = threading.Event()
        with self._lock:
            self._holds[method] = (after, release)
        return release

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._chaos.clear()
            self._holds.clear()

    def _queue(self, method: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.setdefault(method, deque()).append(fault)

    def _plan(self, method: str) -> tuple[_Fault | Literal["drop"] | None, float]:
        """Pick the injected failure for this call, if any, and how long to stall first."""
        queue = self._faults.get(method)
        if queue:
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault, 0.0
        chaos = self._chaos.get(method) or self._chaos.get(None)
        if chaos is None:
            return None, 0.0
        roll, slow_roll = chaos.rng.random(), chaos.rng.random()
        delay = chaos.slow_seconds if slow_roll < chaos.slow else 0.0
        if roll < chaos.drop:
            return "drop", delay
        if roll < chaos.drop + chaos.rate_limit:
            return _Fault("ratelimit", 1), delay
        if roll < chaos.drop + chaos.rate_limit + chaos.server_error:
            return _Fault("server", 1), delay
        return None, delay

    # ---- request handling --------------------------------------------------------------------

    def _record(self, method: str, params: dict[str, Any], token: str | None, outcome: str) -> None:
        call = Call(method, params, token, time.monotonic(), outcome)
        self._calls.append(call)
        self._cond.notify_all()

    def _serve(self, h: _Handler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length > 0 else b""
        split = urlsplit(h.path)
        path = split.path
        if path.startswith("/api/"):
            method = path[len("/api/") :]
        elif path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/upload/"):
            method = "upload"
        else:
            self._send(h, _Reply(404, b"not found", "404", "text/plain; charset=utf-8"))
            return

        params, token, parse_error = self._parse(h, method, path, split.query, body)
        with self._lock:
            fault, delay = self._plan(method)
        if delay > 0:
            time.sleep(delay)  # chaos "slow": the one deliberate stall
        with self._lock:
            if fault == "drop":
                self._record(method, params, token, "dropped")
                reply = None
            elif fault is not None and fault.kind == "lost" and parse_error is None:
                self._record(method, params, token, self._call_api(method, params, token).outcome)
                reply = None
            elif fault is not None:
                reply = self._fault_reply(method, fault)
                self._record(method, params, token, reply.outcome)
            else:
                if parse_error is not None:
                    reply = _json_reply(_err(parse_error))
                elif method == "response_url":
                    reply = _Reply(200, b"ok", "ok", "text/plain; charset=utf-8")
                elif method == "upload":
                    reply = self._store_upload(path, h.headers.get("Content-Type", ""), body)
                    params["length"] = len(body)
                else:
                    reply = self._call_api(method, params, token)
                self._record(method, params, token, reply.outcome)
            hold = self._holds.get(method)
            if hold is not None and sum(1 for c in self._calls if c.method == method) < hold[0]:
                hold = None
        if hold is not None:
            hold[1].wait(timeout=30)
        if reply is None:
            h.close_connection = True  # hang up without a status line, like a dropped connection
            return
        self._send(h, reply)

    def _parse(
        self, h: _Handler, method: str, path: str, query: str, body: bytes
    ) -> tuple[dict[str, Any], str | None, str | None]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = h.headers.get_content_type()
        parse_error: str | None = None
        if method == "upload":
            params.update({"_path": path, "file_id": path.rsplit("/", 1)[-1]})
            return params, None, None
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
            params.update(_parse_multipart(body, h.headers.get("Content-Type", "")))
        elif body:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        if method == "response_url":
            params["_path"] = path
            return params, None, parse_error

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
        for key in JSON_FIELDS:
            value = params.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                # Undecodable JSON stays a string, which the method then refuses like Slack.
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params, token, parse_error

    @staticmethod
    def _send(h: _Handler, reply: _Reply) -> None:
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

    @staticmethod
    def _fault_reply(method: str, fault: _Fault) -> _Reply:
        if fault.kind == "ratelimit":
            reply = _json_reply(_err("ratelimited"), status=429, outcome="429")
            reply.headers = (("Retry-After", str(fault.retry_after)),)
            return reply
        if fault.kind == "server":
            return _json_reply(_err("internal_error"), fault.status, outcome=str(fault.status))
        if method in ("response_url", "upload"):
            # Neither endpoint speaks the Web API envelope: Slack answers 404 with a bare code.
            return _Reply(404, fault.error.encode(), f"error:{fault.error}", "text/plain")
        return _json_reply(_err(fault.error))

    def _call_api(self, method: str, params: dict[str, Any], token: str | None) -> _Reply:
        handler = self._api.get(method)
        if handler is None:
            return _json_reply(_err("unknown_method"))
        if method not in TOKENLESS_METHODS:
            if token is None:
                return _json_reply(_err("not_authed"))
            if not token.startswith("xox"):
                return _json_reply(_err("invalid_auth"))
        return _json_reply(handler(params))

    # ---- helpers for the methods (called with the lock held) ---------------------------------

    def _next_ts(self) -> str:
        self._seq += 1
        micros = _TS_BASE_MICROS + 100 * self._seq
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:09d}"

    def _user_problem(self, user_id: str, *, unknown: str, inactive: str) -> str | None:
        user = self._users.get(user_id)
        if user is None:
            return unknown if self.strict_users else None
        return inactive if user["deleted"] else None

    def _message_content(
        self, p: dict[str, Any], *, require_content: bool = True
    ) -> dict[str, Any] | None:
        """Check text/blocks/metadata like chat.* do; returns an error answer or None."""
        text, blocks, attachments = p.get("text"), p.get("blocks"), p.get("attachments")
        has_content = bool(text) or bool(blocks) or bool(attachments)
        if require_content and not has_content:
            return _err("no_text")
        if text is not None and len(_str(text)) > 40_000:
            return _err("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list):
                return _err("invalid_blocks_format")
            problems = validate_blocks(blocks, surface="message")
            if problems:
                return _err(
                    "invalid_blocks",
                    errors=problems,
                    response_metadata={"messages": [f"[ERROR] {m}" for m in problems]},
                )
        metadata = p.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            return _err("invalid_metadata_format")
        return None

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test-team.slack.com/",
            "team": TEAM_NAME,
            "user": "mentorbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(_str(p.get("user")))
        if user is None:
            return _err("user_not_found")
        return {"ok": True, "user": copy.deepcopy(user)}

    def _resolve_post_channel(self, channel: str) -> tuple[str | None, str | None]:
        if not channel:
            return None, "channel_not_found"
        if _is_user_id(channel):
            problem = self._user_problem(
                channel, unknown="channel_not_found", inactive="account_inactive"
            )
            if problem:
                return None, problem
            return _dm_channel(channel), None
        return channel, None

    def _chat_post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, problem = self._resolve_post_channel(_str(p.get("channel")))
        if problem or channel is None:
            return _err(problem or "channel_not_found")
        error = self._message_content(p)
        if error:
            return error
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "text": _str(p.get("text")),
            "blocks": copy.deepcopy(p.get("blocks") or []),
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
        }
        if p.get("attachments"):
            message["attachments"] = copy.deepcopy(p["attachments"])
        if p.get("metadata") is not None:
            message["metadata"] = copy.deepcopy(p["metadata"])
        if p.get("thread_ts"):
            message["thread_ts"] = _str(p["thread_ts"])
        self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _str(p.get("channel")), _str(p.get("ts"))
        if not channel:
            return _err("channel_not_found")
        message = self._find_message(channel, ts) if ts else None
        if message is None:
            return _err("message_not_found")
        error = self._message_content(p)
        if error:
            return error
        if "text" in p:
            message["text"] = _str(p["text"])
        if "blocks" in p:
            message["blocks"] = copy.deepcopy(p["blocks"] or [])
        if p.get("attachments") is not None:
            message["attachments"] = copy.deepcopy(p["attachments"])
        if p.get("metadata") is not None:
            message["metadata"] = copy.deepcopy(p["metadata"])
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_post_ephemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, user = _str(p.get("channel")), _str(p.get("user"))
        if not channel:
            return _err("channel_not_found")
        problem = self._user_problem(
            user, unknown="user_not_in_channel", inactive="user_not_in_channel"
        )
        if not user or problem:
            return _err(problem or "user_not_in_channel")
        error = self._message_content(p)
        if error:
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _str(p.get("channel")), _str(p.get("ts"))
        if not channel:
            return _err("channel_not_found")
        message = self._find_message(channel, ts)
        if message is None:
            return _err("message_not_found")
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": ts}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": _str(p["channel"])}}
        raw = p.get("users")
        users = raw if isinstance(raw, list) else _str(raw).split(",")
        users = sorted({_str(u).strip() for u in users if _str(u).strip()})
        if not users:
            return _err("users_list_not_supplied")
        if len(users) > 8:
            return _err("too_many_users")
        for user in users:
            problem = self._user_problem(user, unknown="user_not_found", inactive="user_not_found")
            if problem:
                return _err(problem)
        if len(users) == 1:
            channel_id = _dm_channel(users[0])
        else:
            digest = hashlib.sha1(",".join(users).encode(), usedforsecurity=False).hexdigest()
            channel_id = "G" + digest[:10].upper()
        answer: dict[str, Any] = {"ok": True, "channel": {"id": channel_id}}
        if channel_id in self._opened:
            answer.update(no_op=True, already_open=True)
        self._opened.add(channel_id)
        if _truthy(p.get("return_im")) and len(users) == 1:
            answer["channel"].update(is_im=True, user=users[0], is_open=True)
        return answer

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = _str(p.get("channel"))
        if not channel:
            return _err("channel_not_found")
        try:
            limit = int(_str(p.get("limit")) or 100)
        except ValueError:
            return _err("invalid_limit")
        limit = max(1, min(limit, 999))
        inclusive = _truthy(p.get("inclusive"))
        oldest = _ts_key(_str(p.get("oldest")) or "0")
        latest_raw = _str(p.get("latest"))
        latest = _ts_key(latest_raw) if latest_raw else None
        selected = []
        for message in reversed(self._messages.get(channel, [])):
            key = _ts_key(message["ts"])
            if key < oldest or (key == oldest and not inclusive):
                continue
            if latest is not None and (key > latest or (key == latest and not inclusive)):
                continue
            selected.append(message)
        cursor = _str(p.get("cursor"))
        start = int(cursor.removeprefix("next:")) if cursor.startswith("next:") else 0
        page = selected[start : start + limit]
        has_more = start + limit < len(selected)
        return {
            "ok": True,
            "messages": copy.deepcopy(page),
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": f"next:{start + limit}" if has_more else ""},
        }

    def _materialize_view(
        self,
        view: dict[str, Any],
        *,
        view_id: str,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        self._seq += 1
        digest = hashlib.sha1(
            json.dumps(view, sort_keys=True).encode(), usedforsecurity=False
        ).hexdigest()
        answered: dict[str, Any] = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "submit": None,
            "close": None,
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": TEAM_ID,
            "state": {"values": {}},
            "hash": f"{1_700_000_000 + self._seq}.{digest[:8]}",
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = answered
        return answered

    def _view_arg(
        self, p: dict[str, Any], surface: Literal["modal", "home"]
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        view = p.get("view")
        if view is None:
            return None, _invalid_arguments(["missing required field: view"])
        if not isinstance(view, dict):
            return None, _invalid_arguments(["must be an object [json-pointer:/view]"])
        problems = validate_view(view, surface=surface)
        if problems:
            return None, _invalid_arguments(problems)
        return view, None

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return _invalid_arguments(["missing required field: trigger_id"])
        view, error = self._view_arg(p, "modal")
        if error or view is None:
            return error or _err("invalid_arguments")
        answered = self._materialize_view(view, view_id=self._next_id("V"))
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return _invalid_arguments(["missing required field: trigger_id"])
        view, error = self._view_arg(p, "modal")
        if error or view is None:
            return error or _err("invalid_arguments")
        answered = self._materialize_view(view, view_id=self._next_id("V"))
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = _str(p.get("view_id")), _str(p.get("external_id"))
        if not view_id and not external_id:
            return _invalid_arguments(["missing required field: view_id or external_id"])
        current = self._views.get(view_id) if view_id else None
        if current is None and external_id:
            current = next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
        if current is None:
            return _err("not_found")
        if p.get("hash") and _str(p["hash"]) != current["hash"]:
            return _err("hash_conflict")
        surface: Literal["modal", "home"] = "home" if current.get("type") == "home" else "modal"
        view, error = self._view_arg(p, surface)
        if error or view is None:
            return error or _err("invalid_arguments")
        answered = self._materialize_view(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        for user_id, home in self._home_views.items():
            if home["id"] == answered["id"]:
                self._home_views[user_id] = answered
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = _str(p.get("user_id"))
        if not user_id:
            return _invalid_arguments(["missing required field: user_id"])
        problem = self._user_problem(user_id, unknown="user_not_found", inactive="user_not_found")
        if problem:
            return _err(problem)
        view, error = self._view_arg(p, "home")
        if error or view is None:
            return error or _err("invalid_arguments")
        current = self._home_views.get(user_id)
        if current is not None and p.get("hash") and _str(p["hash"]) != current["hash"]:
            return _err("hash_conflict")
        view_id = current["id"] if current is not None else self._next_id("V")
        answered = self._materialize_view(view, view_id=view_id)
        self._home_views[user_id] = answered
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _files_get_upload_url(self, p: dict[str, Any]) -> dict[str, Any]:
        filename = _str(p.get("filename"))
        if not filename:
            return _invalid_arguments(["missing required field: filename"])
        try:
            length = int(_str(p.get("length")))
        except ValueError:
            return _invalid_arguments(["missing required field: length"])
        if length < 0:
            return _invalid_arguments(["must be at least 0 [json-pointer:/length]"])
        file_id = self._next_id("F")
        self._pending_files[file_id] = _PendingFile(filename, length)
        return {"ok": True, "upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def _store_upload(self, path: str, content_type: str, body: bytes) -> _Reply:
        file_id = path.rsplit("/", 1)[-1]
        pending = self._pending_files.get(file_id)
        if pending is None:
            return _Reply(404, b"file_not_found", "error:file_not_found", "text/plain")
        if content_type.lower().startswith("multipart/form-data"):
            body = _first_file_part(body, content_type)
        pending.content = body
        return _Reply(200, f"OK - {len(body)}".encode(), "ok", "text/plain; charset=utf-8")

    def _files_complete_upload(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if not isinstance(files, list) or not files:
            return _invalid_arguments(["missing required field: files"])
        channels = [c for c in _str(p.get("channels")).split(",") if c]
        channel_id = _str(p.get("channel_id"))
        if channel_id:
            channels.insert(0, channel_id)
        for name, value in [("channel_id", channel_id)] + [("channels", c) for c in channels]:
            if value and not _UPLOAD_CHANNEL.match(value):
                return _invalid_arguments(
                    [
                        f"input must match regex pattern: ^[CGDZ][A-Z0-9]{{8,}}$ "
                        f"[json-pointer:/{name}]"
                    ]
                )
        answered: list[dict[str, Any]] = []
        shared: list[Upload] = []
        for entry in files:
            file_id = _str(entry.get("id")) if isinstance(entry, dict) else ""
            pending = self._pending_files.get(file_id)
            if pending is None or pending.content is None:
                return _err("file_not_found")
            title = _str(entry.get("title")) or pending.filename
            answered.append(
                {
                    "id": file_id,
                    "name": pending.filename,
                    "title": title,
                    "size": len(pending.content),
                    "mimetype": mimetypes.guess_type(pending.filename)[0] or "text/plain",
                    "user": BOT_USER_ID,
                    "channels": list(channels),
                }
            )
            comment = p.get("initial_comment")
            shared.append(
                Upload(
                    file_id=file_id,
                    filename=pending.filename,
                    title=title,
                    channel=channels[0] if channels else None,
                    content=pending.content,
                    initial_comment=_str(comment) if comment is not None else None,
                )
            )
        self._uploads.extend(shared)
        return {"ok": True, "files": answered}

    def _usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        users = self._usergroups.get(_str(p.get("usergroup")))
        if users is None:
            return _err("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("client_id"):
            return _err("invalid_client_id")
        if not p.get("code") and not p.get("refresh_token"):
            return _err("invalid_code")
        return copy.deepcopy(self._oauth_answer)
