"""Slack's Web API on loopback: the sandbox's stand-in for Slack, and the tests' fake.

``LocalSlack`` (``local``) is the one object the sandbox and the tests' ``FakeSlack`` build on.
It is assembled from one module per family of Web API methods over the state they share:

- ``chat``: chat.* and response_url answers;
- ``conversations``: auth.test, users.info, conversations.*, the directory of people;
- ``connect``: channels the app creates, Slack Connect invitations and their events;
- ``views``: views.*, modal stacks and Home tabs;
- ``files``: the two-step file upload, usergroups;
- ``installs``: oauth.v2.access and the workspaces it installs;
- ``calls``: the recorded calls tests read;
- ``state``: what Slack keeps, shared by all; ``records``: its records and answer shapes;
- ``server``: the loopback HTTP server and request parsing.

The names callers use are re-exported here, so they never need to know which module holds them.
"""

from __future__ import annotations

from sandbox.slack.local import TOKENLESS_METHODS, LocalSlack
from sandbox.slack.records import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    ApiReply,
    Call,
    Ephemeral,
    Refusal,
    Upload,
    json_reply,
    slack_error,
)
from sandbox.slack.server import JSON_FIELDS

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "JSON_FIELDS",
    "TEAM_ID",
    "TEAM_NAME",
    "TOKENLESS_METHODS",
    "ApiReply",
    "Call",
    "Ephemeral",
    "LocalSlack",
    "Refusal",
    "Upload",
    "json_reply",
    "slack_error",
]
