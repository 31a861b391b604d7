"""Block Kit elements as HTML controls: buttons, selects, choices, inputs, pickers, images.

Each control carries ``data-`` attributes (block ID, action ID, type) that the page's script
turns into the payloads Slack would send when a person uses it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from sandbox.render.text import (
    Reader,
    html_attrs,
    render_text,
    text_of,
    unsupported,
)


def render_element(el: object, block_id: str, reader: Reader) -> str:
    """One interactive (or image) element of an actions, section, context or input block."""
    if not isinstance(el, dict):
        return unsupported("Unsupported element", type(el).__name__)
    kind = str(el.get("type"))
    if kind in ("button", "workflow_button"):
        style = el.get("style")
        css = f"bk-button {style}" if style in ("primary", "danger") else "bk-button"
        label = render_text(el.get("text"), reader)
        if el.get("url"):
            return (
                f'<a class="{css}" href="{escape(str(el["url"]))}" target="_blank"'
                f' rel="noopener noreferrer"{_element_attrs(el, block_id)}'
                f"{html_attrs(data_value=el.get('value'))}>{label}</a>"
            )
        return (
            f'<button type="button" class="{css}"{_element_attrs(el, block_id)}'
            f"{html_attrs(data_value=el.get('value', ''))}>{label}</button>"
        )
    if kind in ("static_select", "external_select"):
        return _select(el, block_id, reader, multiple=False)
    if kind in ("multi_static_select", "multi_external_select"):
        return _select(el, block_id, reader, multiple=True)
    if kind in ("users_select", "multi_users_select"):
        return _people_select(el, block_id, reader, kind="users")
    if kind in ("channels_select", "multi_channels_select"):
        return _people_select(el, block_id, reader, kind="channels")
    if kind in ("conversations_select", "multi_conversations_select"):
        return _people_select(el, block_id, reader, kind="conversations")
    if kind == "overflow":
        synthetic = {**el, "placeholder": {"type": "plain_text", "text": "⋯"}}
        return _select(synthetic, block_id, reader, multiple=False)
    if kind == "checkboxes":
        return _choices(el, block_id, reader, kind="checkbox")
    if kind == "radio_buttons":
        return _choices(el, block_id, reader, kind="radio")
    if kind in ("datepicker", "timepicker", "datetimepicker"):
        return _picker(el, block_id, reader)
    if kind == "plain_text_input":
        return _text_input(el, block_id, "text")
    if kind == "email_text_input":
        return _text_input(el, block_id, "email")
    if kind == "url_text_input":
        return _text_input(el, block_id, "url")
    if kind == "number_input":
        return _text_input(el, block_id, "number")
    if kind == "image":
        return render_image(el, css="bk-accessory-image")
    return unsupported("Unsupported element", kind)


def _element_attrs(el: dict[str, Any], block_id: str) -> str:
    return html_attrs(
        data_block_id=block_id,
        data_action_id=el.get("action_id", ""),
        data_type=el.get("type"),
    )


def _options(el: dict[str, Any]) -> list[dict[str, Any]]:
    """Every option of a select, flattening option groups."""
    if "option_groups" in el:
        return [o for g in el.get("option_groups") or [] for o in g.get("options") or []]
    return list(el.get("options") or [])


def _selected(el: dict[str, Any]) -> set[str]:
    initial = el.get("initial_options") or []
    one = el.get("initial_option")
    if one:
        initial = [*initial, one]
    return {str(o.get("value")) for o in initial if isinstance(o, dict)}


def _select(el: dict[str, Any], block_id: str, reader: Reader, *, multiple: bool) -> str:
    chosen = _selected(el)
    placeholder = text_of(el.get("placeholder")) or ("Select options" if multiple else "Select")
    rows = [] if multiple else [f'<option value="">{escape(placeholder)}</option>']

    def option(o: dict[str, Any]) -> str:
        value = str(o.get("value", ""))
        picked = " selected" if value in chosen else ""
        return f'<option value="{escape(value)}"{picked}>{escape(text_of(o.get("text")))}</option>'

    if "option_groups" in el:
        for group in el.get("option_groups") or []:
            inner = "".join(option(o) for o in group.get("options") or [])
            rows.append(
                f'<optgroup label="{escape(text_of(group.get("label")))}">{inner}</optgroup>'
            )
    else:
        rows += [option(o) for o in el.get("options") or []]
    size = f' size="{min(6, max(2, len(_options(el))))}"' if multiple else ""
    return (
        f'<select class="bk-select"{_element_attrs(el, block_id)}'
        f"{' multiple' if multiple else ''}{size}"
        f' aria-label="{escape(placeholder)}">{"".join(rows)}</select>'
    )


def _people_select(el: dict[str, Any], block_id: str, reader: Reader, *, kind: str) -> str:
    """users/conversations/channels selects list the sandbox's people and channels."""
    wanted = "U" if kind == "users" else "C" if kind == "channels" else "UCDG"
    options = [
        {"text": {"type": "plain_text", "text": name}, "value": ident}
        for ident, name in reader.names.items()
        if ident[:1] in wanted
    ]
    initial = el.get("initial_user") or el.get("initial_conversation") or el.get("initial_channel")
    initials = (
        el.get("initial_users") or el.get("initial_conversations") or el.get("initial_channels")
    )
    chosen = [*(initials or []), *([initial] if initial else [])]
    synthetic = {
        **el,
        "options": options,
        "initial_options": [o for o in options if o["value"] in chosen],
    }
    synthetic.pop("initial_option", None)
    return _select(synthetic, block_id, reader, multiple=str(el.get("type")).startswith("multi_"))


def _choices(el: dict[str, Any], block_id: str, reader: Reader, *, kind: str) -> str:
    chosen = _selected(el)
    group = escape(f"{block_id}.{el.get('action_id', '')}")
    rows = []
    for o in el.get("options") or []:
        value = str(o.get("value", ""))
        description = o.get("description")
        extra = (
            f'<span class="bk-option-description">{render_text(description, reader)}</span>'
            if description
            else ""
        )
        rows.append(
            f'<label class="bk-choice"><input type="{kind}" name="{group}"'
            f' value="{escape(value)}"{" checked" if value in chosen else ""}>'
            f"<span>{render_text(o.get('text'), reader)}{extra}</span></label>"
        )
    return f'<div class="bk-choices"{_element_attrs(el, block_id)}>{"".join(rows)}</div>'


def _text_input(el: dict[str, Any], block_id: str, input_type: str) -> str:
    placeholder = text_of(el.get("placeholder"))
    common = _element_attrs(el, block_id) + html_attrs(
        placeholder=placeholder or None,
        maxlength=el.get("max_length"),
        minlength=el.get("min_length"),
    )
    initial = str(el.get("initial_value") or "")
    if el.get("multiline"):
        return f'<textarea class="bk-input" rows="4"{common}>{escape(initial)}</textarea>'
    extra = ""
    if input_type == "number":
        step = "any" if el.get("is_decimal_allowed") else "1"
        extra = html_attrs(step=step, min=el.get("min_value"), max=el.get("max_value"))
    return f'<input class="bk-input" type="{input_type}" value="{escape(initial)}"{common}{extra}>'


def _picker(el: dict[str, Any], block_id: str, reader: Reader) -> str:
    kind = el.get("type")
    if kind == "datepicker":
        value, input_type = el.get("initial_date") or "", "date"
    elif kind == "timepicker":
        value, input_type = el.get("initial_time") or "", "time"
    else:
        seconds = el.get("initial_date_time")
        value = (
            datetime.fromtimestamp(int(seconds), tz=UTC)
            .astimezone(reader.tz)
            .strftime("%Y-%m-%dT%H:%M")
            if seconds
            else ""
        )
        input_type = "datetime-local"
    return (
        f'<input class="bk-input bk-picker" type="{input_type}" value="{escape(str(value))}"'
        f"{_element_attrs(el, block_id)}>"
    )


def render_image(el: dict[str, Any], *, css: str) -> str:
    url = el.get("image_url") or (el.get("slack_file") or {}).get("url") or ""
    alt = str(el.get("alt_text", ""))
    return (
        f'<img class="{css}" src="{escape(str(url))}" alt="{escape(alt)}" title="{escape(alt)}"'
        ' loading="lazy" referrerpolicy="no-referrer">'
    )
