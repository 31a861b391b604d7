"""chat.* and response_url: messages posted, changed, deleted, and shown to one person only.

A response_url answer lands where Slack puts it (an ephemeral, a new message, or a change to
the clicked message), so it is applied here with the chat methods it mirrors.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import unquote

from sandbox.blockkit import validate_blocks
from sandbox.slack.records import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    ApiReply,
    Ephemeral,
    ResponseTarget,
    dm_channel_of,
    is_user_id,
    slack_error,
    text_of,
    truthy,
)
from sandbox.slack.state import SlackState


class ChatMethods(SlackState):
    """chat.postMessage, chat.update, chat.postEphemeral, chat.delete and response_url."""

    # ---- the people's side -------------------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages stored in ``channel`` oldest first; a user ID means the bot's DM with them."""
        if is_user_id(channel):
            channel = dm_channel_of(channel)
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, []))

    def messages_after(self, channel: str, seen: int) -> list[dict[str, Any]]:
        """Messages in ``channel`` after the first ``seen``: cheap for tests that step a year."""
        if is_user_id(channel):
            channel = dm_channel_of(channel)
        with self._lock:
            return copy.deepcopy(self._messages.get(channel, [])[seen:])

    def post_as_person(self, *, channel: str, user: str, text: str) -> dict[str, Any]:
        """What a person writes in a conversation, stored as Slack stores it; returns it."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "ts": self._next_ts()}
            self._messages.setdefault(channel, []).append(message)
            self._version += 1
            return copy.deepcopy(message)

    def forget_conversations(self) -> None:
        """Start over: no messages, views, files or group DMs; the people stay."""
        with self._lock:
            self._messages.clear()
            self._views.clear()
            self._home_views.clear()
            self._modal_stacks.clear()
            self._uploads.clear()
            self._ephemerals.clear()
            self._refusals.clear()
            self._response_targets.clear()
            for channel in [c for c, m in self._members.items() if len(m) > 1]:
                del self._members[channel]
            self._version += 1

    def response_url_for(self, *, user: str, channel: str, message_ts: str | None = None) -> str:
        """A response_url whose answers land where Slack would put them: an ephemeral message
        for ``user`` in ``channel``, a new message, or a change to the clicked message."""
        with self._lock:
            name = self._next_id("R")
            self._response_targets[name] = ResponseTarget(user, channel, message_ts)
        return self.response_url(name)

    def post_ephemeral(
        self, *, channel: str, user: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        """Show ``user`` a message only they see, as Slack does with a slash command's answer."""
        with self._lock:
            self._add_ephemeral(channel, user, text, blocks)

    def ephemerals(self, user: str, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                copy.deepcopy(e.message)
                for e in self._ephemerals
                if e.user == user and e.channel == channel
            ]

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _chat_post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, problem = self._resolve_post_channel(text_of(p.get("channel")))
        if problem or channel is None:
            return slack_error(problem or "channel_not_found")
        error = self._message_content(p)
        if error:
            return error
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "text": text_of(p.get("text")),
            "blocks": copy.deepcopy(p.get("blocks") or []),
            "ts": ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self._caller_team or TEAM_ID,
        }
        if p.get("attachments"):
            message["attachments"] = copy.deepcopy(p["attachments"])
        if p.get("metadata") is not None:
            message["metadata"] = copy.deepcopy(p["metadata"])
        if p.get("thread_ts"):
            message["thread_ts"] = text_of(p["thread_ts"])
        self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = text_of(p.get("channel")), text_of(p.get("ts"))
        if not channel:
            return slack_error("channel_not_found")
        message = self._find_message(channel, ts) if ts else None
        if message is None:
            return slack_error("message_not_found")
        error = self._message_content(p)
        if error:
            return error
        if "text" in p:
            message["text"] = text_of(p["text"])
        if "blocks" in p:
            message["blocks"] = copy.deepcopy(p["blocks"] or [])
        if p.get("attachments") is not None:
            message["attachments"] = copy.deepcopy(p["attachments"])
        if p.get("metadata") is not None:
            message["metadata"] = copy.deepcopy(p["metadata"])
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_post_ephemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, user = text_of(p.get("channel")), text_of(p.get("user"))
        if not channel:
            return slack_error("channel_not_found")
        problem = self._user_problem(
            user, unknown="user_not_in_channel", inactive="user_not_in_channel"
        )
        if not user or problem:
            return slack_error(problem or "user_not_in_channel")
        error = self._message_content(p)
        if error:
            return error
        ts = self._next_ts()
        message = {
            "type": "message",
            "text": text_of(p.get("text")),
            "blocks": copy.deepcopy(p.get("blocks") or []),
            "ts": ts,
        }
        self._ephemerals.append(Ephemeral(channel, user, message))
        return {"ok": True, "message_ts": ts}

    def _chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = text_of(p.get("channel")), text_of(p.get("ts"))
        if not channel:
            return slack_error("channel_not_found")
        message = self._find_message(channel, ts)
        if message is None:
            return slack_error("message_not_found")
        self._messages[channel].remove(message)
        return {"ok": True, "channel": channel, "ts": ts}

    def _respond(self, path: str, p: dict[str, Any]) -> ApiReply:
        """Answer a POST to a response_url the way Slack applies it (called with the lock held).

        URLs not made by ``response_url_for`` (the tests' own) are only recorded.
        """
        ok = ApiReply(200, b"ok", "ok", "text/plain; charset=utf-8")
        target = self._response_targets.get(unquote(path.removeprefix("/response/")))
        if target is None:
            return ok
        blocks = p.get("blocks")
        if blocks is not None and (
            not isinstance(blocks, list) or validate_blocks(blocks, surface="message")
        ):
            return ApiReply(400, b"invalid_blocks", "error:invalid_blocks", "text/plain")
        text = text_of(p.get("text"))
        original = (
            self._find_message(target.channel, target.message_ts) if target.message_ts else None
        )
        if truthy(p.get("delete_original")) and original is not None:
            self._messages[target.channel].remove(original)
        elif truthy(p.get("replace_original")) and original is not None:
            original.update(text=text, blocks=copy.deepcopy(blocks or []))
            original["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        elif p.get("response_type") == "in_channel":
            self._chat_post_message({"channel": target.channel, "text": text, "blocks": blocks})
        else:
            self._add_ephemeral(target.channel, target.user, text, blocks)
        return ok

    def _resolve_post_channel(self, channel: str) -> tuple[str | None, str | None]:
        if not channel:
            return None, "channel_not_found"
        if is_user_id(channel):
            problem = self._user_problem(
                channel, unknown="channel_not_found", inactive="account_inactive"
            )
            if problem:
                return None, problem
            return dm_channel_of(channel), None
        if channel.startswith("D"):  # the bot's DM with a member of another workspace: unseen
            member = self._users.get("U" + channel[1:])
            if member is not None and self._caller_team and member["team_id"] != self._caller_team:
                return None, "channel_not_found"
        if channel in self._retired_channels:
            return None, "channel_not_found"  # shared since: it has a new ID
        created = self._channels.get(channel)
        if created is not None and created.get("is_archived"):
            return None, "is_archived"
        if created is not None and BOT_USER_ID not in created["members"]:
            return None, "not_in_channel"
        return channel, None

    def _message_content(
        self, p: dict[str, Any], *, require_content: bool = True
    ) -> dict[str, Any] | None:
        """Check text/blocks/metadata like chat.* do; returns an error answer or None."""
        text, blocks, attachments = p.get("text"), p.get("blocks"), p.get("attachments")
        has_content = bool(text) or bool(blocks) or bool(attachments)
        if require_content and not has_content:
            return slack_error("no_text")
        if text is not None and len(text_of(text)) > 40_000:
            return slack_error("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list):
                return slack_error("invalid_blocks_format")
            problems = validate_blocks(blocks, surface="message")
            if problems:
                return slack_error(
                    "invalid_blocks",
                    errors=problems,
                    response_metadata={"messages": [f"[ERROR] {m}" for m in problems]},
                )
        metadata = p.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)
        ):
            return slack_error("invalid_metadata_format")
        return None
