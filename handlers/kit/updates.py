"""Updating the message a button sat on, where it was (a DM, a channel, a modal)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.kit import blocks

log = logging.getLogger(__name__)


def update_container(
    client: WebClient, body: dict[str, Any], text: str, message: list[blocks.Block]
) -> None:
    """The message a click came from, if it came from one (not the Home tab or a modal)."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if channel and ts:
        update_message(client, str(channel), str(ts), text, message)


def update_message(
    client: WebClient, channel: str, ts: str, text: str, message: list[blocks.Block]
) -> None:
    """Replace the buttons someone clicked with what happened; cosmetic, so never fatal."""
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=message)
    except SlackApiError as error:
        log.warning("chat.update %s/%s failed: %s", channel, ts, error.response.get("error"))
