"""Slack's Block Kit limits, checked the way Slack checks them.

The local Slack refuses what Slack would refuse (``invalid_blocks``, ``invalid_arguments``) with
reasons in Slack's own wording, so a builder that breaks a limit fails here first: in the
sandbox page, and in the tests that run on the same stand-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

__all__ = [
    "KNOWN_BLOCK_TYPES",
    "KNOWN_ELEMENT_TYPES",
    "MAX_BLOCKS",
    "Surface",
    "validate_blocks",
    "validate_view",
]

Surface = Literal["message", "modal", "home"]

# fmt: off
KNOWN_BLOCK_TYPES = frozenset({
    "section", "actions", "context", "divider", "header", "image", "input", "rich_text", "file",
    "video",
})

KNOWN_ELEMENT_TYPES = frozenset({
    "button", "checkboxes", "channels_select", "conversations_select", "datepicker",
    "datetimepicker", "email_text_input", "external_select", "file_input", "image",
    "multi_channels_select", "multi_conversations_select", "multi_external_select",
    "multi_static_select", "multi_users_select", "number_input", "overflow", "plain_text_input",
    "radio_buttons", "rich_text_input", "static_select", "timepicker", "url_text_input",
    "users_select", "workflow_button",
})
# fmt: on

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}


class _Problems:
    """Collects reasons in Slack's own wording so failures read like the real API's."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, pointer: str, reason: str) -> None:
        self.items.append(f"{reason} [json-pointer:{pointer}]")


def _too_long(max_len: int) -> str:
    return f"must be less than {max_len + 1} characters"


def _check_str(
    value: object, ptr: str, probs: _Problems, *, max_len: int, required: bool = False
) -> None:
    if value is None:
        if required:
            probs.add(ptr, "missing required field")
        return
    if not isinstance(value, str):
        probs.add(ptr, "must be a string")
    elif required and not value:
        probs.add(ptr, "must be more than 0 characters")
    elif len(value) > max_len:
        probs.add(ptr, _too_long(max_len))


def _check_text(
    obj: object,
    ptr: str,
    probs: _Problems,
    *,
    max_len: int,
    plain_only: bool = False,
    required: bool = True,
) -> None:
    if obj is None:
        if required:
            probs.add(ptr, "missing required field")
        return
    if not isinstance(obj, dict):
        probs.add(ptr, "must be a text object")
        return
    kind = obj.get("type")
    if kind not in ("plain_text", "mrkdwn"):
        probs.add(f"{ptr}/type", "must be plain_text or mrkdwn")
    elif plain_only and kind != "plain_text":
        probs.add(f"{ptr}/type", "must be plain_text")
    text = obj.get("text")
    if not isinstance(text, str):
        probs.add(f"{ptr}/text", "must be a string")
    elif not text:
        probs.add(f"{ptr}/text", "must be more than 0 characters")
    elif len(text) > max_len:
        probs.add(f"{ptr}/text", _too_long(max_len))


def _check_options(
    options: object,
    ptr: str,
    probs: _Problems,
    *,
    max_count: int,
    plain_only: bool,
    min_count: int = 1,
) -> None:
    if not isinstance(options, list):
        probs.add(ptr, "must be an array")
        return
    if len(options) < min_count:
        probs.add(ptr, f"must provide at least {min_count} items")
    if len(options) > max_count:
        probs.add(ptr, f"no more than {max_count} items allowed")
    for i, option in enumerate(options):
        optr = f"{ptr}/{i}"
        if not isinstance(option, dict):
            probs.add(optr, "must be an object")
            continue
        _check_text(option.get("text"), f"{optr}/text", probs, max_len=75, plain_only=plain_only)
        _check_str(option.get("value"), f"{optr}/value", probs, max_len=150, required=True)
        _check_text(
            option.get("description"),
            f"{optr}/description",
            probs,
            max_len=75,
            plain_only=plain_only,
            required=False,
        )
        _check_str(option.get("url"), f"{optr}/url", probs, max_len=3000)


def _check_element(el: object, ptr: str, probs: _Problems) -> None:
    if not isinstance(el, dict):
        probs.add(ptr, "must be an object")
        return
    kind = el.get("type")
    if not isinstance(kind, str):
        probs.add(f"{ptr}/type", "missing required field")
        return
    if kind not in KNOWN_ELEMENT_TYPES:
        probs.add(f"{ptr}/type", f"unsupported type: {kind}")
        return
    _check_str(el.get("action_id"), f"{ptr}/action_id", probs, max_len=255)
    _check_text(
        el.get("placeholder"),
        f"{ptr}/placeholder",
        probs,
        max_len=150,
        plain_only=True,
        required=False,
    )
    if kind == "button":
        _check_button(el, ptr, probs)
    elif kind in ("static_select", "multi_static_select"):
        _check_static_select(el, ptr, probs)
    elif kind == "overflow":
        _check_options(el.get("options"), f"{ptr}/options", probs, max_count=5, plain_only=True)
    elif kind in ("radio_buttons", "checkboxes"):
        _check_options(el.get("options"), f"{ptr}/options", probs, max_count=10, plain_only=False)
    elif kind == "image":
        if el.get("image_url") is None and el.get("slack_file") is None:
            probs.add(ptr, "missing required field: image_url or slack_file")
        _check_str(el.get("alt_text"), f"{ptr}/alt_text", probs, max_len=2000, required=True)


def _check_button(el: dict[str, Any], ptr: str, probs: _Problems) -> None:
    _check_text(el.get("text"), f"{ptr}/text", probs, max_len=75, plain_only=True)
    _check_str(el.get("value"), f"{ptr}/value", probs, max_len=2000)
    _check_str(el.get("url"), f"{ptr}/url", probs, max_len=3000)
    style = el.get("style")
    if style is not None and style not in ("primary", "danger"):
        probs.add(f"{ptr}/style", "must be primary or danger")


def _check_static_select(el: dict[str, Any], ptr: str, probs: _Problems) -> None:
    has_options = "options" in el
    has_groups = "option_groups" in el
    if has_options == has_groups:
        probs.add(ptr, "must provide exactly one of options or option_groups")
    if has_options:
        _check_options(el["options"], f"{ptr}/options", probs, max_count=100, plain_only=True)
    if not has_groups:
        return
    groups = el["option_groups"]
    if not isinstance(groups, list):
        probs.add(f"{ptr}/option_groups", "must be an array")
        return
    if len(groups) > 100:
        probs.add(f"{ptr}/option_groups", "no more than 100 items allowed")
    for g, group in enumerate(groups):
        gptr = f"{ptr}/option_groups/{g}"
        if not isinstance(group, dict):
            probs.add(gptr, "must be an object")
            continue
        _check_text(group.get("label"), f"{gptr}/label", probs, max_len=75, plain_only=True)
        _check_options(
            group.get("options"), f"{gptr}/options", probs, max_count=100, plain_only=True
        )


def _check_block(block: dict[str, Any], ptr: str, probs: _Problems, surface: Surface) -> None:
    kind = block.get("type")
    if kind == "input" and surface == "message":
        probs.add(f"{ptr}/type", "input blocks are only allowed in modals and Home tabs")
    check = _BLOCK_CHECKS.get(str(kind))
    if check is not None:
        check(block, ptr, probs)


def _check_section(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    if block.get("text") is None and block.get("fields") is None:
        probs.add(ptr, "missing required field: text or fields")
    _check_text(block.get("text"), f"{ptr}/text", probs, max_len=3000, required=False)
    fields = block.get("fields")
    if fields is not None:
        if not isinstance(fields, list):
            probs.add(f"{ptr}/fields", "must be an array")
        else:
            if len(fields) > 10:
                probs.add(f"{ptr}/fields", "no more than 10 items allowed")
            for i, item in enumerate(fields):
                _check_text(item, f"{ptr}/fields/{i}", probs, max_len=2000)
    if block.get("accessory") is not None:
        _check_element(block["accessory"], f"{ptr}/accessory", probs)


def _check_header(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    _check_text(block.get("text"), f"{ptr}/text", probs, max_len=150, plain_only=True)


def _check_actions(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        probs.add(f"{ptr}/elements", "missing required field")
        return
    if len(elements) > 25:
        probs.add(f"{ptr}/elements", "no more than 25 items allowed")
    seen: set[str] = set()
    for i, el in enumerate(elements):
        _check_element(el, f"{ptr}/elements/{i}", probs)
        action_id = el.get("action_id") if isinstance(el, dict) else None
        if isinstance(action_id, str):
            if action_id in seen:
                probs.add(f"{ptr}/elements/{i}/action_id", f"duplicate action_id: {action_id}")
            seen.add(action_id)


def _check_context(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        probs.add(f"{ptr}/elements", "missing required field")
        return
    if len(elements) > 10:
        probs.add(f"{ptr}/elements", "no more than 10 items allowed")
    for i, el in enumerate(elements):
        eptr = f"{ptr}/elements/{i}"
        if isinstance(el, dict) and el.get("type") == "image":
            _check_element(el, eptr, probs)
        else:
            _check_text(el, eptr, probs, max_len=3000)


def _check_image(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    if block.get("image_url") is None and block.get("slack_file") is None:
        probs.add(ptr, "missing required field: image_url or slack_file")
    _check_str(block.get("image_url"), f"{ptr}/image_url", probs, max_len=3000)
    _check_str(block.get("alt_text"), f"{ptr}/alt_text", probs, max_len=2000, required=True)
    _check_text(
        block.get("title"), f"{ptr}/title", probs, max_len=2000, plain_only=True, required=False
    )


def _check_input(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    """Where an input block may go is ``_check_block``'s: it depends on the surface."""
    _check_text(block.get("label"), f"{ptr}/label", probs, max_len=2000, plain_only=True)
    if block.get("element") is None:
        probs.add(f"{ptr}/element", "missing required field")
    else:
        _check_element(block["element"], f"{ptr}/element", probs)
    _check_text(
        block.get("hint"), f"{ptr}/hint", probs, max_len=2000, plain_only=True, required=False
    )


def _check_rich_text(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    if not isinstance(block.get("elements"), list):
        probs.add(f"{ptr}/elements", "missing required field")


def _check_file(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    for key in ("external_id", "source"):
        if not block.get(key):
            probs.add(f"{ptr}/{key}", "missing required field")


def _check_video(block: dict[str, Any], ptr: str, probs: _Problems) -> None:
    for key in ("alt_text", "title", "thumbnail_url", "video_url"):
        if not block.get(key):
            probs.add(f"{ptr}/{key}", "missing required field")


_BLOCK_CHECKS: dict[str, Callable[[dict[str, Any], str, _Problems], None]] = {
    "section": _check_section,
    "header": _check_header,
    "actions": _check_actions,
    "context": _check_context,
    "image": _check_image,
    "input": _check_input,
    "rich_text": _check_rich_text,
    "file": _check_file,
    "video": _check_video,
}


def _validate_blocks_into(blocks: object, root: str, probs: _Problems, surface: Surface) -> None:
    if not isinstance(blocks, list):
        probs.add(root, "must be an array")
        return
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        probs.add(root, f"no more than {limit} items allowed")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        ptr = f"{root}/{i}"
        if not isinstance(block, dict):
            probs.add(ptr, "must be an object")
            continue
        kind = block.get("type")
        if not isinstance(kind, str):
            probs.add(f"{ptr}/type", "missing required field")
            continue
        if kind not in KNOWN_BLOCK_TYPES:
            probs.add(f"{ptr}/type", f"unsupported type: {kind}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            _check_str(block_id, f"{ptr}/block_id", probs, max_len=255)
            if isinstance(block_id, str):
                if block_id in block_ids:
                    probs.add(f"{ptr}/block_id", f"duplicate block_id: {block_id}")
                block_ids.add(block_id)
        _check_block(block, ptr, probs, surface)


def validate_blocks(blocks: object, *, surface: Surface) -> list[str]:
    """Return Slack's reasons for refusing ``blocks`` on ``surface``; empty when Slack accepts.

    Pure, so unit tests of block builders can check payloads without a server. Reasons read
    like Slack's: ``"<reason> [json-pointer:/blocks/3/text/text]"``.
    """
    probs = _Problems()
    _validate_blocks_into(blocks, "/blocks", probs, surface)
    return probs.items


def validate_view(view: object, *, surface: Literal["modal", "home"]) -> list[str]:
    """Return Slack's reasons for refusing a modal or Home tab view; empty when accepted.

    Covers the view-level limits (title, submit, close, private_metadata, callback_id) on top of
    the blocks, with pointers rooted at ``/view`` as in views.* error messages.
    """
    probs = _Problems()
    if not isinstance(view, dict):
        probs.add("/view", "must be an object")
        return probs.items
    if view.get("type") != surface:
        probs.add("/view/type", f"must be {surface}")
    if surface == "modal":
        _check_text(view.get("title"), "/view/title", probs, max_len=24, plain_only=True)
        for key in ("submit", "close"):
            _check_text(
                view.get(key), f"/view/{key}", probs, max_len=24, plain_only=True, required=False
            )
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            probs.add("/view/submit", "must provide submit when the view has input blocks")
    _check_str(view.get("private_metadata"), "/view/private_metadata", probs, max_len=3000)
    _check_str(view.get("callback_id"), "/view/callback_id", probs, max_len=255)
    _check_str(view.get("external_id"), "/view/external_id", probs, max_len=255)
    if "blocks" not in view:
        probs.add("/view/blocks", "missing required field")
    else:
        _validate_blocks_into(view["blocks"], "/view/blocks", probs, surface)
    return probs.items
