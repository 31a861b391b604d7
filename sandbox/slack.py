"""Slack's Web API on loopback: the sandbox's stand-in for Slack, and the tests' fake.

The bot talks to Slack only through slack_sdk's ``WebClient``; pointing ``SLACK_API_URL`` at
this server exercises the real request encoding, response parsing and error raising of the SDK.
The answers, error codes and Block Kit limits follow Slack's documentation (see
/work/shared/slack) so that what works here works in Slack, and what Slack refuses is refused
here first. It keeps what Slack keeps (messages, ephemeral messages, views, files,
conversations) so the sandbox page can show it, and records every call so tests can read them.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import mimetypes
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from sandbox.blockkit import validate_blocks, validate_view

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "Ephemeral",
    "LocalSlack",
    "Refusal",
    "Upload",
]

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
    ts: str = ""


@dataclass(frozen=True)
class Refusal:
    """A Web API call Slack would refuse, with Slack's reasons: the sandbox page shows them, so
    a builder's mistake (``invalid_blocks``) is seen here before it reaches a workspace."""

    method: str
    error: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ephemeral:
    """A message only ``user`` sees in ``channel``: chat.postEphemeral, or an ephemeral answer
    to a slash command or a click (through its response_url)."""

    channel: str
    user: str
    message: dict[str, Any]


@dataclass(frozen=True)
class _ResponseTarget:
    """Where a response_url answers: the person who acted, their channel, the clicked message."""

    user: str
    channel: str
    message_ts: str | None


@dataclass
class ApiReply:
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


def json_reply(
    answer: Mapping[str, Any], status: int = 200, outcome: str | None = None
) -> ApiReply:
    if outcome is None:
        outcome = "ok" if answer.get("ok") else f"error:{answer.get('error', 'unknown')}"
    return ApiReply(status=status, body=json.dumps(answer).encode("utf-8"), outcome=outcome)


def slack_error(code: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": code, **extra}


def _invalid_arguments(messages: list[str]) -> dict[str, Any]:
    return slack_error(
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

    def __init__(self, fake: LocalSlack, port: int = 0) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
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


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class LocalSlack:
    """Slack's Web API on 127.0.0.1: records every call, answers and fails the way Slack does.

    ``strict_users`` (default) makes user IDs that were not registered with ``add_user`` fail
    as Slack fails for users outside the workspace, so a test cannot pass by accident with an
    ID the app invented.
    """

    def __init__(
        self, *, strict_users: bool = True, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.strict_users = strict_users
        self._clock = clock
        self._last_micros = 0
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
        self._ephemerals: list[Ephemeral] = []
        self._refusals: list[Refusal] = []
        self._members: dict[str, list[str]] = {}
        self._triggers: dict[str, str] = {}
        self._modal_stacks: dict[str, list[str]] = {}
        self._response_targets: dict[str, _ResponseTarget] = {}
        self._version = 0
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
        # Workspaces installed by OAuth: one-time codes, the bot token each exchange minted,
        # and tokens revoked by an uninstall. A call's token decides its workspace.
        self._install_codes: dict[str, tuple[str, str]] = {}
        self._token_teams: dict[str, str] = {}
        self._revoked: set[str] = set()
        self._oauth_client: tuple[str, str] | None = None
        self._caller_team: str | None = None
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

    def start(self, port: int = 0) -> Self:
        """Listen on ``port`` (0: any free one); a test can bring Slack up where the bot
        already looks for it."""
        if self._server is not None:
            raise RuntimeError("LocalSlack already started")
        self._server = _Server(self, port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="local-slack",
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
            raise RuntimeError("LocalSlack is not running; call start() first")
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

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """oauth.v2.access then refuses other credentials, as Slack does."""
        with self._lock:
            self._oauth_client = (client_id, client_secret)

    def install_code(self, team_id: str, *, name: str | None = None) -> str:
        """What Slack hands the app's redirect after someone approves installing it into
        ``team_id``: a code oauth.v2.access exchanges, once, for a new bot token there."""
        with self._lock:
            code = f"{team_id}.{self._next_id('code')}"
            self._install_codes[code] = (team_id, name or f"Workspace {team_id}")
            return code

    def bot_token(self, team_id: str) -> str | None:
        """The live bot token the latest install into ``team_id`` minted, if any."""
        with self._lock:
            live = [t for t, team in self._token_teams.items() if team == team_id]
            live = [t for t in live if t not in self._revoked]
            return live[-1] if live else None

    def uninstall(self, team_id: str) -> None:
        """Revoke every token of ``team_id``: their calls answer ``token_revoked`` from now."""
        with self._lock:
            self._revoked.update(t for t, team in self._token_teams.items() if team == team_id)

    def team_of(self, token: str | None) -> str | None:
        """The workspace an installed token belongs to (None for tokens given, not minted)."""
        with self._lock:
            return self._token_teams.get(token or "")

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    def modals(self, callback_id: str) -> list[dict[str, Any]]:
        """Modals with this callback ID as Slack holds them (with their IDs), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(v)
                for v in self._views.values()
                if v.get("type") == "modal" and v.get("callback_id") == callback_id
            ]

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

    def messages_after(self, channel: str, seen: int) -> list[dict[str, Any]]:
        """Messages in ``channel`` after the first ``seen``: cheap for tests that step a year."""
        if _is_user_id(channel):
            channel = _dm_channel(channel)
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, [])[seen:])

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

    # ---- the people's side: what the sandbox page shows and does ---------------------------

    @property
    def version(self) -> int:
        """Grows with every call the bot makes and every change made here: a cheap "anything
        new?" for the page."""
        with self._lock:
            return self._version

    def user(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            user = self._users.get(user_id)
            return copy.deepcopy(user) if user is not None else None

    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for a request ``user_id`` makes: a modal opened with it is theirs."""
        with self._lock:
            trigger = f"{self._next_id('')}.{user_id}.trigger"
            self._triggers[trigger] = user_id
            return trigger

    def response_url_for(self, *, user: str, channel: str, message_ts: str | None = None) -> str:
        """A response_url whose answers land where Slack would put them: an ephemeral message
        for ``user`` in ``channel``, a new message, or a change to the clicked message."""
        with self._lock:
            name = self._next_id("R")
            self._response_targets[name] = _ResponseTarget(user, channel, message_ts)
        return self.response_url(name)

    def post_ephemeral(
        self, *, channel: str, user: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        """Show ``user`` a message only they see, as Slack does with a slash command's answer."""
        with self._lock:
            self._add_ephemeral(channel, user, text, blocks)

    def ephemerals(self, user: str, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                copy.deepcopy(e.message)
                for e in self._ephemerals
                if e.user == user and e.channel == channel
            ]

    def refusals(self) -> list[Refusal]:
        """Every call refused so far, oldest first."""
        with self._lock:
            return list(self._refusals)

    def group_conversations(self, user: str) -> dict[str, list[str]]:
        """The group DMs the bot opened that ``user`` is in, with their members."""
        with self._lock:
            return {c: list(m) for c, m in self._members.items() if user in m and len(m) > 1}

    def modal_stack(self, user: str) -> list[dict[str, Any]]:
        """The modals open for ``user``, bottom first (Slack stacks up to three)."""
        with self._lock:
            ids = self._modal_stacks.get(user, [])
            return [copy.deepcopy(self._views[v]) for v in ids if v in self._views]

    def replace_modal(self, user: str, view_id: str, view: dict[str, Any]) -> list[str]:
        """``response_action: update``: the same modal shows ``view``; Slack's reasons when it
        refuses it (then the modal stays as it was)."""
        problems = validate_view(view, surface="modal")
        if problems:
            return problems
        with self._lock:
            current = self._views.get(view_id)
            if current is None or view_id not in self._modal_stacks.get(user, []):
                return [f"no open modal {view_id}"]
            self._materialize_view(
                view,
                view_id=view_id,
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
            )
            self._version += 1
            return []

    def push_modal(self, user: str, view: dict[str, Any]) -> list[str]:
        """``response_action: push``: a new modal on top of the stack."""
        problems = validate_view(view, surface="modal")
        if problems:
            return problems
        with self._lock:
            self._modal_stacks.setdefault(user, [])
            self._stack_modal(user, view)
            return []

    def close_modal(self, user: str, *, everything: bool = False) -> None:
        """The top modal closes (its close button, a successful submit); or all of them."""
        with self._lock:
            stack = self._modal_stacks.get(user, [])
            if everything:
                stack.clear()
            elif stack:
                stack.pop()
            self._version += 1

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view is not None else None

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

    # ---- request handling --------------------------------------------------------------------

    def _record(self, method: str, params: dict[str, Any], token: str | None, outcome: str) -> None:
        call = Call(method, params, token, time.monotonic(), outcome)
        self._calls.append(call)
        self._version += 1
        self._cond.notify_all()

    def _interfere(self, method: str) -> tuple[ApiReply | Literal["drop", "lost"] | None, float]:
        """How to answer ``method`` instead of Slack's normal answer, and how long to stall.

        ``"drop"`` hangs up without doing the call, ``"lost"`` does it and then hangs up (Slack
        acted, the app never heard). Slack here always answers normally; the tests' fake
        overrides this to fail on purpose. Called with the lock held.
        """
        return None, 0.0

    def _hold(self, method: str) -> threading.Event | None:
        """An event to wait for before answering this call (after doing it), if any.

        Never in the sandbox; the tests' fake uses it to open the window in which a crash
        leaves a message posted but not marked sent. Called with the lock held.
        """
        return None

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
            self._send(h, ApiReply(404, b"not found", "404", "text/plain; charset=utf-8"))
            return

        params, token, parse_error = self._parse(h, method, path, split.query, body)
        with self._lock:
            interference, delay = self._interfere(method)
        if delay > 0:
            time.sleep(delay)  # a test asked for a slow answer: the one deliberate stall
        with self._lock:
            if interference == "drop":
                self._record(method, params, token, "dropped")
                reply = None
            elif interference is not None and interference != "lost":
                reply = interference
                self._record(method, params, token, reply.outcome)
            else:
                if parse_error is not None:
                    reply = json_reply(slack_error(parse_error))
                elif method == "response_url":
                    reply = self._respond(path, params)
                elif method == "upload":
                    reply = self._store_upload(path, h.headers.get("Content-Type", ""), body)
                    params["length"] = len(body)
                else:
                    reply = self._call_api(method, params, token)
                self._record(method, params, token, reply.outcome)
                if interference == "lost":
                    reply = None
            hold = self._hold(method)
        if hold is not None:
            hold.wait(timeout=30)
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
    def _send(h: _Handler, reply: ApiReply) -> None:
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

    def _call_api(self, method: str, params: dict[str, Any], token: str | None) -> ApiReply:
        handler = self._api.get(method)
        if handler is None:
            return json_reply(slack_error("unknown_method"))
        if method not in TOKENLESS_METHODS:
            if token is None:
                return json_reply(slack_error("not_authed"))
            if not token.startswith("xox"):
                return json_reply(slack_error("invalid_auth"))
            if token in self._revoked:
                return json_reply(slack_error("token_revoked"))
        self._caller_team = self._token_teams.get(token or "")
        try:
            answer = handler(params)
        finally:
            self._caller_team = None
        if not answer.get("ok"):
            messages = (answer.get("response_metadata") or {}).get("messages") or []
            self._refusals.append(
                Refusal(method, _str(answer.get("error")), tuple(_str(m) for m in messages))
            )
            self._version += 1
        return json_reply(answer)

    def _add_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[dict[str, Any]] | None
    ) -> None:
        message = {"type": "message", "text": text, "blocks": blocks or [], "ts": self._next_ts()}
        self._ephemerals.append(Ephemeral(channel, user, message))
        self._version += 1

    def _respond(self, path: str, p: dict[str, Any]) -> ApiReply:
        """Answer a POST to a response_url the way Slack applies it (called with the lock held).

        URLs not made by ``response_url_for`` (the tests' own) are only recorded.
        """
        ok = ApiReply(200, b"ok", "ok", "text/plain; charset=utf-8")
        target = self._response_targets.get(unquote(path.removeprefix("/response/")))
        if target is None:
            return ok
        blocks = p.get("blocks")
        if blocks is not None and (
            not isinstance(blocks, list) or validate_blocks(blocks, surface="message")
        ):
            return ApiReply(400, b"invalid_blocks", "error:invalid_blocks", "text/plain")
        text = _str(p.get("text"))
        original = (
            self._find_message(target.channel, target.message_ts) if target.message_ts else None
        )
        if _truthy(p.get("delete_original")) and original is not None:
            self._messages[target.channel].remove(original)
        elif _truthy(p.get("replace_original")) and original is not None:
            original.update(text=text, blocks=copy.deepcopy(blocks or []))
            original["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        elif p.get("response_type") == "in_channel":
            self._chat_post_message({"channel": target.channel, "text": text, "blocks": blocks})
        else:
            self._add_ephemeral(target.channel, target.user, text, blocks)
        return ok

    # ---- helpers for the methods (called with the lock held) ---------------------------------

    def _next_ts(self) -> str:
        """Increasing message timestamps: from the clock when there is one (the sandbox moves
        time), else a fixed base so tests see the same ts on every run."""
        self._seq += 1
        if self._clock is not None:
            micros = max(int(self._clock().timestamp() * 1_000_000), self._last_micros + 1)
        else:
            micros = _TS_BASE_MICROS + 100 * self._seq
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:09d}"

    def _user_problem(self, user_id: str, *, unknown: str, inactive: str) -> str | None:
        user = self._users.get(user_id)
        if user is not None and self._caller_team and user["team_id"] != self._caller_team:
            return unknown  # an installed workspace's token sees its own members only
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
            return slack_error("no_text")
        if text is not None and len(_str(text)) > 40_000:
            return slack_error("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list):
                return slack_error("invalid_blocks_format")
            problems = validate_blocks(blocks, surface="message")
            if problems:
                return slack_error(
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
            return slack_error("invalid_metadata_format")
        return None

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        team_id = self._caller_team or TEAM_ID
        return {
            "ok": True,
            "url": f"https://{team_id.lower()}.slack.com/",
            "team": TEAM_NAME if team_id == TEAM_ID else f"Workspace {team_id}",
            "user": "mentorbot",
            "team_id": team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(_str(p.get("user")))
        if user is not None and self._caller_team and user["team_id"] != self._caller_team:
            user = None
        if user is None:
            return slack_error("user_not_found")
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
            return slack_error(problem or "channel_not_found")
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
            "team": self._caller_team or TEAM_ID,
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
            return slack_error("channel_not_found")
        message = self._find_message(channel, ts) if ts else None
        if message is None:
            return slack_error("message_not_found")
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
            return slack_error("channel_not_found")
        problem = self._user_problem(
            user, unknown="user_not_in_channel", inactive="user_not_in_channel"
        )
        if not user or problem:
            return slack_error(problem or "user_not_in_channel")
        error = self._message_content(p)
        if error:
            return error
        ts = self._next_ts()
        message = {
            "type": "message",
            "text": _str(p.get("text")),
            "blocks": copy.deepcopy(p.get("blocks") or []),
            "ts": ts,
        }
        self._ephemerals.append(Ephemeral(channel, user, message))
        return {"ok": True, "message_ts": ts}

    def _chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = _str(p.get("channel")), _str(p.get("ts"))
        if not channel:
            return slack_error("channel_not_found")
        message = self._find_message(channel, ts)
        if message is None:
            return slack_error("message_not_found")
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": ts}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": _str(p["channel"])}}
        raw = p.get("users")
        users = raw if isinstance(raw, list) else _str(raw).split(",")
        users = sorted({_str(u).strip() for u in users if _str(u).strip()})
        if not users:
            return slack_error("users_list_not_supplied")
        if len(users) > 8:
            return slack_error("too_many_users")
        for user in users:
            problem = self._user_problem(user, unknown="user_not_found", inactive="user_not_found")
            if problem:
                return slack_error(problem)
        if len(users) == 1:
            channel_id = _dm_channel(users[0])
        else:
            digest = hashlib.sha1(",".join(users).encode(), usedforsecurity=False).hexdigest()
            channel_id = "G" + digest[:10].upper()
        answer: dict[str, Any] = {"ok": True, "channel": {"id": channel_id}}
        self._members[channel_id] = users
        if channel_id in self._opened:
            answer.update(no_op=True, already_open=True)
        self._opened.add(channel_id)
        if _truthy(p.get("return_im")) and len(users) == 1:
            answer["channel"].update(is_im=True, user=users[0], is_open=True)
        return answer

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = _str(p.get("channel"))
        if not channel:
            return slack_error("channel_not_found")
        try:
            limit = int(_str(p.get("limit")) or 100)
        except ValueError:
            return slack_error("invalid_limit")
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

    def _modal_for_trigger(
        self, p: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str | None, dict[str, Any] | None]:
        """The modal of a views.open or views.push call, whose person the trigger names."""
        if not p.get("trigger_id"):
            return None, None, _invalid_arguments(["missing required field: trigger_id"])
        view, error = self._view_arg(p, "modal")
        if error or view is None:
            return None, None, error or slack_error("invalid_arguments")
        return view, self._triggers.pop(_str(p["trigger_id"]), None), None

    def _stack_modal(self, user: str | None, view: dict[str, Any]) -> dict[str, Any]:
        """Put ``view`` on top of ``user``'s modals (Slack stacks at most three)."""
        stack = self._modal_stacks.get(user) if user is not None else None
        answered = self._materialize_view(
            view,
            view_id=self._next_id("V"),
            root_view_id=stack[0] if stack else None,
            previous_view_id=stack[-1] if stack else None,
        )
        if stack is not None and len(stack) < 3:
            stack.append(answered["id"])
        self._version += 1
        return answered

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        view, user, error = self._modal_for_trigger(p)
        if error or view is None:
            return error or slack_error("invalid_arguments")
        if user is not None:
            self._modal_stacks[user] = []
        answered = self._stack_modal(user, view)
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        view, user, error = self._modal_for_trigger(p)
        if error or view is None:
            return error or slack_error("invalid_arguments")
        answered = self._stack_modal(user, view)
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
            return slack_error("not_found")
        if p.get("hash") and _str(p["hash"]) != current["hash"]:
            return slack_error("hash_conflict")
        surface: Literal["modal", "home"] = "home" if current.get("type") == "home" else "modal"
        view, error = self._view_arg(p, surface)
        if error or view is None:
            return error or slack_error("invalid_arguments")
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
            return slack_error(problem)
        view, error = self._view_arg(p, "home")
        if error or view is None:
            return error or slack_error("invalid_arguments")
        current = self._home_views.get(user_id)
        if current is not None and p.get("hash") and _str(p["hash"]) != current["hash"]:
            return slack_error("hash_conflict")
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

    def _store_upload(self, path: str, content_type: str, body: bytes) -> ApiReply:
        file_id = path.rsplit("/", 1)[-1]
        pending = self._pending_files.get(file_id)
        if pending is None:
            return ApiReply(404, b"file_not_found", "error:file_not_found", "text/plain")
        if content_type.lower().startswith("multipart/form-data"):
            body = _first_file_part(body, content_type)
        pending.content = body
        return ApiReply(200, f"OK - {len(body)}".encode(), "ok", "text/plain; charset=utf-8")

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
                return slack_error("file_not_found")
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
                    ts=self._next_ts(),
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
        if not _str(p.get("usergroup")):
            return _invalid_arguments(["missing required field: usergroup"])
        users = self._usergroups.get(_str(p.get("usergroup")))
        if users is None:
            return slack_error("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("client_id"):
            return slack_error("invalid_client_id")
        if self._oauth_client is not None:
            if _str(p.get("client_id")) != self._oauth_client[0]:
                return slack_error("invalid_client_id")
            if _str(p.get("client_secret")) != self._oauth_client[1]:
                return slack_error("bad_client_secret")
        code = _str(p.get("code"))
        if not code and not p.get("refresh_token"):
            return slack_error("invalid_code")
        if code.startswith("T") and "." in code:  # one of install_code's: good once
            issued = self._install_codes.pop(code, None)
            if issued is None:
                return slack_error("invalid_code")
            team_id, team_name = issued
            token = f"xoxb-{team_id}-{self._next_id('')}-fake"
            self._token_teams[token] = team_id
            return {
                **copy.deepcopy(self._oauth_answer),
                "access_token": token,
                "team": {"id": team_id, "name": team_name},
            }
        return copy.deepcopy(self._oauth_answer)
