"""Block Kit, built by pure functions from domain objects and message payloads.

Everything that reaches Slack goes through ``text``/``truncate`` so no field can exceed
Slack's limits, whatever a person typed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.errors import echo

Block = dict[str, Any]


SECTION_TEXT_MAX = 3000


BUTTON_TEXT_MAX = 75


OPTION_TEXT_MAX = 75


OPTION_VALUE_MAX = 150


MODAL_TITLE_MAX = 24


PRIVATE_METADATA_MAX = 3000


MESSAGE_BLOCKS_MAX = 50


VIEW_BLOCKS_MAX = 100


def truncate(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def plain(value: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(value, limit), "emoji": True}


def mrkdwn(value: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(value, limit)}


def section(value: str, *, accessory: dict[str, Any] | None = None, block_id: str = "") -> Block:
    block: Block = {"type": "section", "text": mrkdwn(value)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def header(value: str) -> Block:
    return {"type": "header", "text": plain(value, 150)}


def context(*parts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(p, 2000) for p in parts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    label: str, action_id: str, value: str = "", *, style: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(label, BUTTON_TEXT_MAX),
        "action_id": action_id,
    }
    if value:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str = "") -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(label: str, value: str | None = None) -> dict[str, Any]:
    return {
        "text": plain(label, OPTION_TEXT_MAX),
        "value": truncate(value if value is not None else label, OPTION_VALUE_MAX),
    }


def quote(value: str) -> str:
    """Quote what a person wrote without letting it ping anyone or break out of the quote."""
    escaped = escape(value.strip())
    return "\n".join("> " + line for line in escaped.splitlines() or [""])


def escape(value: str) -> str:
    """Slack's three control characters; stops `<!channel>` or `<@U1>` typed into a field.
    The rule lives in ``bot.errors.echo`` so the core's replies escape the same way."""
    return echo(value)


def listing(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 active pair", "2 active pairs": every count people read goes through here."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def slack_date(at: datetime, pattern: str = "{date_long_pretty}") -> str:
    """A date every reader sees in their own time zone, with a UTC fallback."""
    fallback = at.strftime("%A %d %B %Y %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{pattern}|{fallback}>"


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str = "",
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    *, initial: str = "", multiline: bool = False, max_length: int = 3000, placeholder: str = ""
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def _multi_select(areas: Sequence[str], chosen: Sequence[str], placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "placeholder": plain(placeholder),
        "options": [option(a) for a in areas[:100]],
    }
    initial = [option(a) for a in chosen if a in areas]
    if initial:
        element["initial_options"] = initial
    return element


def modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    blocks: list[Block],
    metadata: dict[str, Any],
    close: str = "Cancel",
) -> dict[str, Any]:
    """``close``: "Back" for a view pushed over another (closing it returns there)."""
    private = json.dumps(metadata, separators=(",", ":"))
    if len(private) > PRIVATE_METADATA_MAX:
        raise ValueError("private_metadata over Slack's limit")
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_MAX),
        "submit": plain(submit, MODAL_TITLE_MAX),
        "close": plain(close, MODAL_TITLE_MAX),
        "private_metadata": private,
        "blocks": blocks[:VIEW_BLOCKS_MAX],
    }


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """A one-line answer where there's no response URL to answer on (a Home tab button)."""
    return {
        "type": "modal",
        "title": plain(title, MODAL_TITLE_MAX),
        "close": plain("OK", MODAL_TITLE_MAX),
        "blocks": [section(text)],
    }
