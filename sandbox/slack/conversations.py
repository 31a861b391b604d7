"""auth.test, users.info and conversations.*: who is in the workspace and where they talk.

A user registered here is what users.info answers and what every method that names a person
checks against, so a test cannot pass with an ID the app invented.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.slack.records import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    dm_channel_of,
    slack_error,
    text_of,
    truthy,
    ts_key,
)
from sandbox.slack.state import SlackState


class ConversationMethods(SlackState):
    """The directory of people, DMs and group DMs, and conversations.history over them."""

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
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str = TEAM_ID,
        email: str = "",
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
            "locale": locale,
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
        if email:  # what users.info shows with users:read.email
            user["profile"]["email"] = email
        with self._lock:
            self._users[user_id] = user
            return copy.deepcopy(user)

    def user(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            user = self._users.get(user_id)
            return copy.deepcopy(user) if user is not None else None

    @staticmethod
    def dm_channel(user_id: str) -> str:
        """The ID of the bot's DM with a user, as Slack would report it in payloads."""
        return dm_channel_of(user_id)

    def group_conversations(self, user: str) -> dict[str, list[str]]:
        """The group DMs the bot opened that ``user`` is in, with their members."""
        with self._lock:
            return {c: list(m) for c, m in self._members.items() if user in m and len(m) > 1}

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
        user = self._users.get(text_of(p.get("user")))
        if user is not None and self._caller_team and user["team_id"] != self._caller_team:
            user = None
        if user is None:
            return slack_error("user_not_found")
        answered = copy.deepcopy(user)
        if str(p.get("include_locale", "")).lower() not in ("true", "1"):
            answered.pop("locale", None)  # Slack sends it only when asked
        return {"ok": True, "user": answered}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel"):
            return {"ok": True, "channel": {"id": text_of(p["channel"])}}
        raw = p.get("users")
        users = raw if isinstance(raw, list) else text_of(raw).split(",")
        users = sorted({text_of(u).strip() for u in users if text_of(u).strip()})
        if not users:
            return slack_error("users_list_not_supplied")
        if len(users) > 8:
            return slack_error("too_many_users")
        for user in users:
            problem = self._user_problem(user, unknown="user_not_found", inactive="user_not_found")
            if problem:
                return slack_error(problem)
        if len(users) == 1:
            channel_id = dm_channel_of(users[0])
        else:
            digest = hashlib.sha1(",".join(users).encode(), usedforsecurity=False).hexdigest()
            channel_id = "G" + digest[:10].upper()
        answer: dict[str, Any] = {"ok": True, "channel": {"id": channel_id}}
        self._members[channel_id] = users
        if channel_id in self._opened:
            answer.update(no_op=True, already_open=True)
        self._opened.add(channel_id)
        if truthy(p.get("return_im")) and len(users) == 1:
            answer["channel"].update(is_im=True, user=users[0], is_open=True)
        return answer

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = text_of(p.get("channel"))
        if not channel:
            return slack_error("channel_not_found")
        try:
            limit = int(text_of(p.get("limit")) or 100)
        except ValueError:
            return slack_error("invalid_limit")
        limit = max(1, min(limit, 999))
        inclusive = truthy(p.get("inclusive"))
        oldest = ts_key(text_of(p.get("oldest")) or "0")
        latest_raw = text_of(p.get("latest"))
        latest = ts_key(latest_raw) if latest_raw else None
        selected = []
        for message in reversed(self._messages.get(channel, [])):
            key = ts_key(message["ts"])
            if key < oldest or (key == oldest and not inclusive):
                continue
            if latest is not None and (key > latest or (key == latest and not inclusive)):
                continue
            selected.append(message)
        cursor = text_of(p.get("cursor"))
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
