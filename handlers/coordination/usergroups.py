"""Slack's user groups, read for the coordinator roster (bot/coordinators.py) outside any ack."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.ports import GroupMembers


class SlackUserGroups:
    """``usergroups.users.list`` (scope ``usergroups:read``); every failure is an answer."""

    def __init__(self, client_for: Callable[[str], WebClient | None]) -> None:
        self._client_for = client_for

    def members(self, team_id: str, group_id: str) -> GroupMembers:
        client = self._client_for(team_id)
        if client is None:  # a workspace with no installation (OAuth): nothing to ask
            return GroupMembers(error="not_installed")
        try:
            answer = client.usergroups_users_list(usergroup=group_id)
        except SlackApiError as error:
            response = error.response
            if response.status_code == 429:
                retry_after = float(response.headers.get("Retry-After", "") or 1)
                return GroupMembers(error="ratelimited", retry_after=retry_after)
            code = response.get("error") if isinstance(response.data, dict) else None
            return GroupMembers(error=str(code or f"http {response.status_code}"))
        except (SlackClientError, OSError) as error:
            return GroupMembers(error=f"connection: {type(error).__name__}")
        users = answer.get("users") or []
        return GroupMembers(users=tuple(str(u) for u in users if isinstance(u, str) and u))
