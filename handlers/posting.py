"""Posts in flight from the dispatching thread: rendered and written at once, answers read later.

Most of what the outbox sends is one ``chat.postMessage`` to a person or a channel. Such a post
is written on one of several keep-alive connections (``handlers.slack_lanes``) and the
dispatcher goes on with the next message; Slack's answer is read when the dispatcher asks for
it, in claim order, and means what ``SlackMessenger.send`` would have made of it (the same
``classify`` of the same ``SlackApiError``; a plain success is read as its JSON alone).
Anything more than one post goes by ``send``, in a thread of the dispatcher's window: files, a
group DM to open first, people of other workspaces to name (a look in Slack), a Home tab to
refresh after the post, a pair channel's steps.
"""

from __future__ import annotations

from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.model.messages import InPlace, Unreadable
from bot.model.outbox import OutgoingMessage
from bot.ports import SendResult
from handlers.rendering import HOME_CHANGES, RENDERERS, STEPS, UPLOADS, people_across, post_args
from handlers.slack_http import KeepAliveWebClient, PendingCall
from handlers.slack_lanes import Lanes


class Messenger(Protocol):
    """What posting needs of ``handlers.messenger.SlackMessenger``, which builds it: each
    workspace's client, and what an answer, or a call that raised, means for a message."""

    def client_for(self, team_id: str) -> WebClient | None: ...

    def refused(self, message: OutgoingMessage, error: Exception) -> SendResult: ...

    def posted(self, client: WebClient, message: OutgoingMessage, posted: Any) -> SendResult: ...


_NOT_POSTS = (Unreadable, InPlace)  # unreadable: failed by ``send``; in place: an edit


class SlackPosting:
    def __init__(self, messenger: Messenger) -> None:
        self._messenger = messenger
        self._lanes = Lanes()

    def start(self, message: OutgoingMessage) -> PendingPost | None:
        kind = message.kind
        if (
            kind in STEPS
            or kind in UPLOADS
            or kind in HOME_CHANGES
            or "," in message.recipient  # a group DM: its conversation is opened first
            or isinstance(message.payload, _NOT_POSTS)
        ):
            return None
        renderer = RENDERERS.get(kind)
        client = self._messenger.client_for(message.team_id)
        if renderer is None or not isinstance(client, KeepAliveWebClient):
            return None
        text, rendered = renderer(message.payload)
        if people_across(message, text, rendered):
            return None
        pending = client.start_json(
            "chat.postMessage", post_args(message, message.recipient, text, rendered), self._lanes
        )
        if pending is None:
            return None
        return PendingPost(self._messenger, client, message, pending)

    def close(self) -> None:
        self._lanes.close()


class PendingPost:
    __slots__ = ("_call", "_client", "_message", "_messenger", "_pending", "_result")

    def __init__(
        self,
        messenger: Messenger,
        client: KeepAliveWebClient,
        message: OutgoingMessage,
        pending: PendingCall,
    ) -> None:
        self._messenger = messenger
        self._client = client
        self._message = message
        self._pending = pending
        self._call = pending.call  # asked after every answer read: one look, not three
        self._result: SendResult | None = None

    @property
    def done(self) -> bool:
        return self._result is not None or self._call.done

    def result(self) -> SendResult:
        if self._result is None:
            try:
                posted: dict[str, Any] | SlackResponse = self._pending.answer()
            except Exception as error:
                self._result = self._messenger.refused(self._message, error)
            else:
                self._result = self._messenger.posted(self._client, self._message, posted)
        return self._result
