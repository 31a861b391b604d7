"""The Web API calls of a pair's Slack Connect channel (``bot.ports.SlackConnect``), each in
the workspace it belongs to, with that workspace's own token; every failure is an answer.

Scopes: ``groups:write`` (create the private channel, add the host's person, archive it when
the partnership ends), ``chat:write`` (the closing word), ``groups:read``
(find the channel again when the answer to its creation was lost),
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
GOODBYE = (
    ":leaves: Your mentoring partnership has ended, so this channel closes now: it stays "
    "here to read back, and nothing new comes to it. Thank you both for the time you gave "
    "each other. Your reflections are still yours, in your DMs with me."
)
MAX_PAGES = 20  # 4,000 private channels the bot is in: far past any program's


def _private_channels(cursor: str) -> Callable[[WebClient], SlackResponse]:
    def call(client: WebClient) -> SlackResponse:
        return client.conversations_list(
            types="private_channel", exclude_archived=True, limit=200, cursor=cursor or None
        )

    return call


def _page(answer: SlackResponse, name: str) -> str:
    """The ID of the channel called ``name`` on this page ("" if none), a newline, and the
    next page's cursor ("" on the last)."""
    found = ""
    for channel in answer.get("channels") or []:
        if isinstance(channel, dict) and channel.get("name") == name:
            found = str(channel.get("id") or "")
            break
    cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
    return f"{found}\n{cursor}"


class SlackConnectApi:
    def __init__(self, client_for: Callable[[str], WebClient | None]) -> None:
        self._client_for = client_for

    def create_private_channel(self, team_id: str, name: str) -> ConnectAnswer:
        return self._ask(
            team_id,
            lambda c: c.conversations_create(name=name, is_private=True),
            lambda answer: str((answer.get("channel") or {}).get("id") or ""),
        )

    def find_channel(self, team_id: str, name: str) -> ConnectAnswer:
        cursor = ""
        for _ in range(MAX_PAGES):
            page = self._ask(team_id, _private_channels(cursor), lambda a: _page(a, name))
            if not page.ok:
                return page
            found, cursor = page.value.split("\n", 1)
            if found:
                return ConnectAnswer(value=found)
            if not cursor:
                break
        return ConnectAnswer(error="channel_not_found")

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

    def say_goodbye(self, team_id: str, channel_id: str) -> ConnectAnswer:
        return self._ask(
            team_id,
            lambda c: c.chat_postMessage(channel=channel_id, text=GOODBYE, unfurl_links=False),
            lambda answer: str(answer.get("ts") or ""),
        )

    def archive(self, team_id: str, channel_id: str) -> ConnectAnswer:
        return self._ask(
            team_id, lambda c: c.conversations_archive(channel=channel_id), lambda a: channel_id
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
