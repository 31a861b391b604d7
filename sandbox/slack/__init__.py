"""Slack's Web API on loopback: the sandbox's stand-in for Slack, and the tests' fake.

``LocalSlack`` is the one object the sandbox and the tests' ``FakeSlack`` build on; the
modules beside it hold one family of Web API methods each, so this package re-exports the
names callers use and they never need to know which module a record or helper lives in.
"""

from __future__ import annotations

from sandbox.slack.local import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    ApiReply,
    Call,
    Ephemeral,
    LocalSlack,
    Refusal,
    Upload,
    json_reply,
    slack_error,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "TEAM_NAME",
    "ApiReply",
    "Call",
    "Ephemeral",
    "LocalSlack",
    "Refusal",
    "Upload",
    "json_reply",
    "slack_error",
]
