"""Which OAuth scopes each Web API method the app calls needs, so the fake Slack refuses a call
the manifest does not allow, with Slack's own ``missing_scope`` answer.

Vendored from Slack's Web API OpenAPI spec (slackapi/slack-api-specs,
``web-api/slack_web_openapi_v2_without_examples.json``, each path's ``security.slackAuth``; a
copy is in /work/shared/slack/specs/), for the methods the app calls only. Two translations:
the 2021 spec names the legacy ``chat:write:bot``/``chat:write:user``, which a bot token holds
as the granular ``chat:write``; and it predates ``files.getUploadURLExternal`` and
``files.completeUploadExternal``, which need ``files:write`` (Slack's method reference).
Methods the spec marks ``none`` need no scope. The spec's ``conversations.create`` and
``conversations.invite`` name the legacy ``channels:write``/``groups:write``; a bot token needs
``channels:manage`` for a public channel and ``groups:write`` for a private one (Slack's scope
reference), checked by the ``is_private`` argument on create. It predates
``conversations.inviteShared``, which needs ``conversations.connect:write`` (its reference). A
method not listed here is refused as unknown by the fake anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

ANY_OF: Mapping[str, tuple[str, ...]] = {
    "auth.test": (),
    "oauth.v2.access": (),
    "users.info": ("users:read",),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.open": ("channels:write", "groups:write", "im:write", "mpim:write"),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "views.open": (),
    "views.push": (),
    "views.update": (),
    "views.publish": (),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "usergroups.users.list": ("usergroups:read",),
    "conversations.create": ("channels:manage", "groups:write"),
    "conversations.invite": ("channels:manage", "groups:write"),
    "conversations.inviteShared": ("conversations.connect:write",),
    "conversations.list": ("channels:read", "groups:read", "im:read", "mpim:read"),
}
"""Method -> the scopes any one of which allows it (the spec's list)."""


def _history_scope(params: Mapping[str, Any], is_group_dm: Callable[[str], bool]) -> str:
    """Slack checks the scope of the conversation's kind: a channel's history needs
    ``channels:history`` however many DM scopes the app holds."""
    channel = str(params.get("channel") or "")
    if channel.startswith("D"):
        return "im:history"
    if channel.startswith("G"):
        return "mpim:history" if is_group_dm(channel) else "groups:history"
    return "channels:history"


def _open_scope(params: Mapping[str, Any]) -> str:
    users = params.get("users")
    several = len(users) > 1 if isinstance(users, list) else "," in str(users or "")
    return "mpim:write" if several else "im:write"


def needed_scope(
    method: str,
    params: Mapping[str, Any],
    granted: Collection[str],
    *,
    is_group_dm: Callable[[str], bool],
) -> str | None:
    """The scope Slack would name in ``needed`` for this call, or None when it is allowed."""
    allowed = ANY_OF.get(method)
    if not allowed:
        return None
    if method == "conversations.history":
        needed = _history_scope(params, is_group_dm)
    elif method == "conversations.open" and not params.get("channel"):
        needed = _open_scope(params)
    elif method == "conversations.list":
        kinds = str(params.get("types") or "public_channel").split(",")
        reads = {"public_channel": "channels:read", "private_channel": "groups:read"}
        needed = next((reads[k] for k in kinds if k in reads and reads[k] not in granted), "")
        return needed or None
    elif method == "conversations.create":
        private = str(params.get("is_private", "")).lower() in ("true", "1")
        needed = "groups:write" if private else "channels:manage"
    else:
        return None if set(allowed) & set(granted) else allowed[0]
    return None if needed in granted else needed


def manifest_bot_scopes(path: Path) -> frozenset[str]:
    """The bot scopes ``manifest.yml`` asks for: what an installed token holds."""
    manifest = yaml.safe_load(path.read_text())
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])
