"""Answering a click privately, wherever it came from."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.kit import blocks

log = logging.getLogger(__name__)


def confirmation(title: str, text: str) -> dict[str, Any]:
    """What a modal turns into after a successful submit, so people know what happens next."""
    return {
        "type": "modal",
        "title": blocks.plain(title, blocks.MODAL_TITLE_MAX),
        "close": blocks.plain("Done", blocks.MODAL_TITLE_MAX),
        "blocks": [blocks.section(text)],
    }


def tell(
    body: dict[str, Any], respond: Respond, client: WebClient, user_id: str, text: str
) -> None:
    """Answer a click privately, where the person is looking.

    Under a message: an ephemeral reply in place. In a view (the Home tab, a modal) Slack gives
    no response_url, so a small notice modal opens over it (stacked on a modal); if the
    trigger has expired, or there is none, the answer goes to their DM instead.
    """
    container = body.get("container")
    in_a_view = "view" in body or (isinstance(container, dict) and container.get("type") == "view")
    if body.get("response_url") and not in_a_view:
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    if body.get("trigger_id"):
        notice = blocks.notice_modal("Mentorbot", text)
        current = body.get("view") if isinstance(body.get("view"), dict) else None
        try:
            if current is not None and current.get("type") == "modal":
                client.views_push(trigger_id=body["trigger_id"], view=notice)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=notice)
            return
        except SlackApiError as error:
            log.info("notice modal for %s failed (%s): DM", user_id, error.response.get("error"))
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as error:
        log.warning("could not tell %s: %s", user_id, error.response.get("error"))


def open_modal(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal, or stack it on the one the click came from (Slack's Back returns)."""
    current = body.get("view") if isinstance(body.get("view"), dict) else None
    if current is not None and current.get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)
