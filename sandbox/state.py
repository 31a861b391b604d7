"""What Slack sends back about a person's input: ``view.state.values`` and ``actions[]`` entries.

Shared by the sandbox page (a person typed or clicked) and the tests (a test fills in a modal),
so both send the bot exactly the shapes Slack sends, with option objects looked up in the view:
nobody can pick an option the bot did not offer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["action", "element_at", "fill", "input_value"]

Value = str | list[str] | None


def _options(element: Mapping[str, Any]) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += list(group.get("options") or [])
    return {str(o["value"]): o for o in options}


def _one(value: Value) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value or None


def _many(value: Value) -> list[str]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def input_value(
    element: Mapping[str, Any], value: Value, *, tz: ZoneInfo | None = None
) -> dict[str, Any]:
    """The state entry Slack reports for ``value`` entered into ``element``.

    ``value`` is what a person typed or picked: text, an option's value, a list of option values,
    ``YYYY-MM-DD``, ``HH:MM``, or ``YYYY-MM-DDTHH:MM`` in ``tz`` for a date-time picker.
    """
    kind = str(element["type"])
    entry: dict[str, Any] = {"type": kind}
    options = _options(element)
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        entry["value"] = _one(value)
    elif kind in ("static_select", "radio_buttons", "external_select", "overflow"):
        chosen = _one(value)
        entry["selected_option"] = options[chosen] if chosen else None
    elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        entry["selected_options"] = [options[v] for v in _many(value)]
    elif kind == "datepicker":
        entry["selected_date"] = _one(value)
    elif kind == "timepicker":
        entry["selected_time"] = _one(value)
        if element.get("timezone"):  # Slack reports it only for pickers that set one
            entry["timezone"] = element["timezone"]
    elif kind == "datetimepicker":
        chosen = _one(value)
        at = datetime.fromisoformat(chosen).replace(tzinfo=tz) if chosen else None
        entry["selected_date_time"] = int(at.timestamp()) if at else None
    elif kind in ("users_select", "conversations_select", "channels_select"):
        entry["selected_" + kind.removesuffix("s_select")] = _one(value)
    elif kind in ("multi_users_select", "multi_conversations_select", "multi_channels_select"):
        entry["selected_" + kind.removeprefix("multi_").removesuffix("_select")] = _many(value)
    else:
        raise ValueError(f"no state for {kind} inputs")
    return entry


def fill(
    view: Mapping[str, Any], values: Mapping[str, Value], *, tz: ZoneInfo | None = None
) -> dict[str, Any]:
    """The ``state.values`` Slack would send for ``values`` (keyed by block ID) in ``view``.

    Every input block is reported, empty when nothing was entered, as Slack does.
    """
    state: dict[str, Any] = {}
    for i, block in enumerate(view.get("blocks") or []):
        if block.get("type") != "input":
            continue
        block_id = str(block.get("block_id") or f"b{i}")
        element = block["element"]
        entry = input_value(element, values.get(block_id), tz=tz)
        state[block_id] = {element.get("action_id", ""): entry}
    unknown = set(values) - set(state)
    if unknown:
        raise KeyError(f"no input blocks {sorted(unknown)} in view {view.get('callback_id')}")
    return state


def element_at(
    blocks: object, block_id: str, action_id: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The block and interactive element a person used, found as the page rendered them."""
    if not isinstance(blocks, list):
        return None
    for i, block in enumerate(blocks):
        if not isinstance(block, dict) or str(block.get("block_id") or f"b{i}") != block_id:
            continue
        elements = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id", "") == action_id:
                return block, element
    return None


def action(
    element: Mapping[str, Any], *, block_id: str, value: Value, tz: ZoneInfo | None = None
) -> dict[str, Any]:
    """The ``actions[0]`` entry of a block_actions payload for a click or a pick."""
    base: dict[str, Any] = {
        "action_id": element.get("action_id", ""),
        "block_id": block_id,
        "type": element["type"],
        "action_ts": f"{time.time():.6f}",
    }
    if element["type"] in ("button", "workflow_button"):
        return base | {"text": element.get("text"), "value": element.get("value", "")}
    entry: dict[str, Any] = input_value(element, value, tz=tz)
    entry.pop("type", None)
    return base | entry
