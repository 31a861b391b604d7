"""People of another workspace named in plain words.

A mention (``<@U123>``) resolves only in its own workspace: in a pair across workspaces, what
one partner reads about the other would show an unknown user. So what the bot shows them names
the other in words, as the other's own workspace knows them (``users.info`` with that
workspace's token), cached per process. Anyone not found there stays a mention.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from handlers.kit.blocks import escape

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
NAMES_KEPT = 10_000  # people of other workspaces whose names one process remembers

ClientFor = Callable[[str], WebClient | None]
T = TypeVar("T")


class PeopleNames:
    def __init__(self, client_for: ClientFor | None = None) -> None:
        self._client_for = client_for
        self._names: dict[tuple[str, str], str] = {}  # (workspace, user) -> their name

    def name_in(self, team_id: str, user_id: str, *, ask: bool = True) -> str | None:
        """Their full name as their own workspace shows it (escaped for mrkdwn), or None
        (``ask=False``: only if already known, no call to Slack)."""
        key = (team_id, user_id)
        if key in self._names or not ask:
            return self._names.get(key)
        client = self._client_for(team_id) if self._client_for is not None else None
        if client is None:
            return None
        try:
            user = client.users_info(user=user_id)["user"]
        except (SlackClientError, OSError) as error:
            log.warning("users.info for %s in %s failed: %s", user_id, team_id, error)
            return None
        profile = user.get("profile") or {}
        name = str(  # the full name: someone of another company knows no nickname
            profile.get("real_name")
            or user.get("real_name")
            or profile.get("display_name")
            or user.get("name")
            or ""
        ).strip()
        if not name:
            return None
        if len(self._names) >= NAMES_KEPT:
            self._names.clear()  # names change rarely; a full cache just starts again
        self._names[key] = escape(name)
        return self._names[key]

    def named(self, value: T, people: Mapping[str, str], *, ask: bool = True) -> T:
        """``value`` (text, blocks, a view: any JSON) with each mention of ``people`` (user ->
        their workspace) replaced by their name; unchanged when none is mentioned."""
        if not people:
            return value
        mentioned = set(MENTION.findall(json.dumps(value))) & set(people)
        names = {u: n for u in sorted(mentioned) if (n := self.name_in(people[u], u, ask=ask))}
        return _swap(value, names) if names else value


def _swap(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return MENTION.sub(lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_swap(v, names) for v in value]
    if isinstance(value, tuple):
        return tuple(_swap(v, names) for v in value)
    if isinstance(value, dict):
        return {k: _swap(v, names) for k, v in value.items()}
    return value
