"""What the local Slack keeps and answers: its records, its identity, and the answer shapes.

Every method family builds its answers from these, so one Slack error envelope and one way of
reading a loosely typed parameter serve them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TEAM_ID = "T0001"
TEAM_NAME = "Test Team"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "ABOT"

# files.completeUploadExternal refuses user IDs (it needs the D... id of the DM); the real
# pattern is ^[CGDZ][A-Z0-9]{8,}$, relaxed in length so tests may use short ids like "C1".
UPLOAD_CHANNEL = re.compile(r"^[CGDZ][A-Z0-9]*$")

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
class ResponseTarget:
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
class PendingFile:
    filename: str
    length: int
    content: bytes | None = None


# --------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------


def first_install_answer() -> dict[str, Any]:
    """What oauth.v2.access answers until a test sets another: an install into TEAM_ID."""
    return {
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


def json_reply(
    answer: Mapping[str, Any], status: int = 200, outcome: str | None = None
) -> ApiReply:
    if outcome is None:
        outcome = "ok" if answer.get("ok") else f"error:{answer.get('error', 'unknown')}"
    return ApiReply(status=status, body=json.dumps(answer).encode("utf-8"), outcome=outcome)


def slack_error(code: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": code, **extra}


def invalid_arguments(messages: list[str]) -> dict[str, Any]:
    return slack_error(
        "invalid_arguments",
        response_metadata={"messages": [f"[ERROR] {m}" for m in messages]},
    )


def text_of(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def truthy(value: object) -> bool:
    return (
        value is True or value == 1 or (isinstance(value, str) and value.lower() in ("true", "1"))
    )


def ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds or 0), int((fraction or "0")[:6].ljust(6, "0"))
    except ValueError:
        return 0, 0


def dm_channel_of(user_id: str) -> str:
    return "D" + user_id[1:]


def is_user_id(value: str) -> bool:
    return value[:1] in ("U", "W")
