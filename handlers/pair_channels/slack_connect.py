"""The Web API calls of a pair's Slack Connect channel (``bot.ports.SlackConnect``), each in
the workspace it belongs to, with that workspace's own token; every failure is an answer.

Scopes: ``groups:write`` (create the private channel, add the host's person),
``conversations.connect:write`` (invite the partner), ``users:read`` and ``users:read.email``
(each person's name and email, asked of their own workspace). An install made before these
were in the manifest lacks them: Slack answers ``missing_scope`` and the pair falls back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from bot.ports import ConnectAnswer, SlackPerson

log = logging.getLogger(__name__)

NOT_INSTALLED = "not_installed"


class SlackConnectApi:
    def __init__(self, client_for: Callable[[str], WebClient | None]) -> None:
        self._client_for = client_for

    def create_private_channel(self, team_id: str, name: str) -> ConnectAnswer:
        return self._ask(
            team_id,
            lambda c: c.conversations_create(name=name, is_private=True),
            lambda answer: str((answer.get("channel") or {}).get("id") or ""),
        )

    def add_member(self, team_id: str, channel_id: str, user_id: str) -> ConnectAnswer:
        return self._ask(
            team_id,
            lambda c: c.conversations_invite(channel=channel_id, users=user_id),
            lambda answer: channel_id,
        )

    def invite_shared(
        self, team_id: str, channel_id: str, *, email: str = "", user_id: str = ""
    ) -> ConnectAnswer:
        # ``external_limited`` (Slack's default, said out loud): the partner posts in the
        # channel but cannot invite others to it, rename it or export it: a pair's room.
        return self._ask(
            team_id,
            lambda c: c.conversations_inviteShared(
                channel=channel_id,
                emails=[email] if email else None,
                user_ids=[user_id] if user_id and not email else None,
                external_limited=True,
            ),
            lambda answer: str(answer.get("invite_id") or ""),
        )

    def person(self, team_id: str, user_id: str) -> SlackPerson:
        client = self._client_for(team_id)
        if client is None:
            return SlackPerson()
        try:
            user = client.users_info(user=user_id)["user"]
        except (SlackClientError, OSError) as error:
            log.warning("users.info for %s in %s failed: %s", user_id, team_id, error)
            return SlackPerson()
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or user.get("name") or ""
        return SlackPerson(name=str(name), email=str(profile.get("email") or ""))

    def _ask(
        self,
        team_id: str,
        call: Callable[[WebClient], SlackResponse],
        value: Callable[[SlackResponse], str],
    ) -> ConnectAnswer:
        client = self._client_for(team_id)
        if client is None:
            return ConnectAnswer(error=NOT_INSTALLED)
        try:
            answer = call(client)
        except SlackApiError as error:
            response = error.response
            if response.status_code == 429:
                wait = float(response.headers.get("Retry-After", "") or 1)
                return ConnectAnswer(error="ratelimited", retry_after=wait)
            if response.status_code >= 500:
                return ConnectAnswer(error=f"http {response.status_code}", retry_after=0)
            code = response.get("error") if isinstance(response.data, dict) else None
            return ConnectAnswer(error=str(code or f"http {response.status_code}"))
        except (SlackClientError, OSError) as error:
            return ConnectAnswer(error=f"connection: {type(error).__name__}", retry_after=0)
        return ConnectAnswer(value=value(answer))
