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
        self._companies: dict[str, str | None] = {}  # workspace -> its company's name
        self.company_of: Callable[[str], str | None] | None = None
        """Set at start-up: a workspace's company name (its install's), for what the program
        team reads about people of other companies ("Ada Lovelace (Globex)")."""

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

    def named(
        self, value: T, people: Mapping[str, str], *, ask: bool = True, companies: bool = False
    ) -> T:
        """``value`` (text, blocks, a view: any JSON) with each mention of ``people`` (user ->
        their workspace) replaced by their name (``companies``: and their company's, for the
        program team of a shared program); unchanged when none is mentioned."""
        if not people:
            return value
        mentioned = set(MENTION.findall(json.dumps(value))) & set(people)
        names = {u: n for u in sorted(mentioned) if (n := self.name_in(people[u], u, ask=ask))}
        if companies:
            names = {u: self._with_company(n, people[u]) for u, n in names.items()}
        return _swap(value, names) if names else value

    def _with_company(self, name: str, team_id: str) -> str:
        company = self._company(team_id)
        return f"{name} ({escape(company)})" if company else name

    def _company(self, team_id: str) -> str | None:
        """Read once per process, as people's names are: a message naming someone of another
        company would otherwise read the installation's name from the database each time."""
        if team_id in self._companies or self.company_of is None:
            return self._companies.get(team_id)
        try:
            company = self.company_of(team_id)
        except Exception:  # a name is a nicety: never the reason a message fails
            log.exception("the company name of %s failed", team_id)
            return None  # not kept: asked again next time
        if len(self._companies) >= NAMES_KEPT:
            self._companies.clear()
        self._companies[team_id] = company
        return company


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
