"""Block Kit to HTML, the way Slack's client shows it, for the sandbox page.

Pure functions from the bot's JSON to HTML strings, so what a person sees can be unit-tested
without a browser. Interactive elements carry ``data-`` attributes (block ID, action ID, type)
that the page's script turns into the payloads Slack would send. Anything this renderer does
not know is shown as a visible placeholder naming its type, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["Reader", "mrkdwn", "render_blocks", "render_modal", "render_text"]

# The emoji the bot uses, and a few common ones; others stay as their :name:.
EMOJI: dict[str, str] = {
    "wave": "👋", "tada": "🎉", "calendar": "📆", "spiral_calendar_pad": "🗓️",
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "x": "❌", "zzz": "💤",
    "seedling": "🌱", "hourglass": "⌛", "hourglass_flowing_sand": "⏳", "handshake": "🤝",
    "arrows_counterclockwise": "🔄", "alarm_clock": "⏰", "star": "⭐", "sparkles": "✨",
    "trophy": "🏆", "raised_hands": "🙌", "clap": "👏", "thumbsup": "👍", "+1": "👍",
    "memo": "📝", "bulb": "💡", "rocket": "🚀", "warning": "⚠️", "mag": "🔍",
    "speech_balloon": "💬", "books": "📚", "dart": "🎯", "muscle": "💪", "smile": "😄",
    "slightly_smiling_face": "🙂", "heart": "❤️", "partying_face": "🥳", "pushpin": "📌",
    "bell": "🔔", "no_bell": "🔕", "date": "📅", "clock9": "🕘", "link": "🔗",
    "information_source": "\u2139\ufe0f", "question": "❓", "exclamation": "❗", "medal": "🏅",
    "confetti_ball": "🎊", "chart_with_upwards_trend": "📈", "pencil": "✏️",
    "lock": "🔒", "busts_in_silhouette": "👥", "notebook": "📓", "mega": "📣",
    "page_facing_up": "📄", "star2": "🌟", "large_blue_circle": "🔵", "white_circle": "⚪",
    "heavy_minus_sign": "\u2796", "bust_in_silhouette": "👤", "calendar_spiral": "🗓️",
}  # fmt: skip


@dataclass(frozen=True)
class Reader:
    """Who is looking: Slack shows dates in the reader's time zone and mentions by name."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    names: Mapping[str, str] = field(default_factory=dict)


# -- text ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<([^<>\n]+)>")
_STYLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"```(.+?)```", re.DOTALL), r"<pre>\1</pre>"),
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])"), r"<b>\1</b>"),
    (re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])"), r"<i>\1</i>"),
    (re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])"), r"<s>\1</s>"),
)
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")


def _unescape_slack(text: str) -> str:
    """Slack text escapes only &, < and >; undo that before escaping for HTML."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _date_token(body: str, reader: Reader) -> str:
    """``!date^<epoch>^<pattern>^<link>|<fallback>`` in the reader's time zone."""
    spec, _, fallback = body.partition("|")
    parts = spec.split("^")
    try:
        at = datetime.fromtimestamp(int(parts[1]), tz=UTC).astimezone(reader.tz)
    except (IndexError, ValueError):
        return escape(fallback or body)
    today = reader.now.astimezone(reader.tz).date()

    def pretty(default: str) -> str:
        days = (at.date() - today).days
        return {0: "Today", -1: "Yesterday", 1: "Tomorrow"}.get(days, default)

    long = at.strftime("%A, %B ") + str(at.day) + at.strftime(", %Y")
    short = at.strftime("%b ") + str(at.day) + at.strftime(", %Y")
    plain = at.strftime("%B ") + str(at.day) + at.strftime(", %Y")
    values = {
        "date_num": at.strftime("%Y-%m-%d"),
        "date": plain,
        "date_short": short,
        "date_long": long,
        "date_pretty": pretty(plain),
        "date_short_pretty": pretty(short),
        "date_long_pretty": pretty(long),
        "time": at.strftime("%H:%M"),
        "time_secs": at.strftime("%H:%M:%S"),
    }
    pattern = parts[2] if len(parts) > 2 else "{date_long_pretty}"
    text = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return f'<time datetime="{at.isoformat()}">{escape(text)}</time>'


def _token(body: str, reader: Reader) -> str:
    if body.startswith("!date^"):
        return _date_token(body, reader)
    target, _, label = body.partition("|")
    if target.startswith("@"):
        name = label or reader.names.get(target[1:], target[1:])
        return f'<span class="mention">@{escape(name)}</span>'
    if target.startswith("#"):
        name = label or reader.names.get(target[1:], target[1:])
        return f'<span class="mention">#{escape(name)}</span>'
    if target.startswith("!subteam^"):
        return f'<span class="mention">@{escape(label or target[9:])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{escape(label or target[1:])}</span>'
    if re.match(r"^(https?://|mailto:)", target):
        return (
            f'<a href="{escape(target)}" target="_blank" rel="noopener noreferrer">'
            f"{escape(label or target)}</a>"
        )
    return escape(f"<{body}>")


def _emoji(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def mrkdwn(text: str, reader: Reader) -> str:
    """Slack's mrkdwn as HTML: bold, italic, strike, code, quotes, links, mentions, dates."""
    tokens: list[str] = []

    def keep(match: re.Match[str]) -> str:
        tokens.append(_token(_unescape_slack(match.group(1)), reader))
        return f"\x00{len(tokens) - 1}\x00"

    held = _TOKEN.sub(keep, text)
    html = escape(_unescape_slack(held), quote=False)
    for pattern, replacement in _STYLES:
        html = pattern.sub(replacement, html)
    lines = [
        f"<q>{line[5:]}</q>" if line.startswith("&gt; ") else line for line in html.split("\n")
    ]
    html = _emoji("<br>".join(lines))
    return re.sub(r"\x00(\d+)\x00", lambda m: tokens[int(m.group(1))], html)


def render_text(obj: object, reader: Reader) -> str:
    """A text object (plain_text or mrkdwn) as HTML; a plain string is plain text."""
    if isinstance(obj, str):
        return _emoji(escape(obj)).replace("\n", "<br>")
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, reader)
    html = escape(text)
    return (_emoji(html) if obj.get("emoji", True) else html).replace("\n", "<br>")


def _plain(obj: object) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _unknown(what: str, kind: object) -> str:
    name = escape(str(kind))
    return f'<div class="bk-unknown" data-unknown="{name}">{what}: {name}</div>'


# -- elements --------------------------------------------------------------------------------


def _attrs(**values: object) -> str:
    return "".join(
        f' {name.replace("_", "-")}="{escape(str(value))}"'
        for name, value in values.items()
        if value is not None and value is not False
    )


def _element_attrs(el: dict[str, Any], block_id: str) -> str:
    return _attrs(
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
    placeholder = _plain(el.get("placeholder")) or ("Select options" if multiple else "Select")
    rows = [] if multiple else [f'<option value="">{escape(placeholder)}</option>']

    def option(o: dict[str, Any]) -> str:
        value = str(o.get("value", ""))
        picked = " selected" if value in chosen else ""
        return f'<option value="{escape(value)}"{picked}>{escape(_plain(o.get("text")))}</option>'

    if "option_groups" in el:
        for group in el.get("option_groups") or []:
            inner = "".join(option(o) for o in group.get("options") or [])
            rows.append(
                f'<optgroup label="{escape(_plain(group.get("label")))}">{inner}</optgroup>'
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
    placeholder = _plain(el.get("placeholder"))
    common = _element_attrs(el, block_id) + _attrs(
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
        extra = _attrs(step=step, min=el.get("min_value"), max=el.get("max_value"))
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


def _image(el: dict[str, Any], *, css: str) -> str:
    url = el.get("image_url") or (el.get("slack_file") or {}).get("url") or ""
    alt = str(el.get("alt_text", ""))
    return (
        f'<img class="{css}" src="{escape(str(url))}" alt="{escape(alt)}" title="{escape(alt)}"'
        ' loading="lazy" referrerpolicy="no-referrer">'
    )


def render_element(el: object, block_id: str, reader: Reader) -> str:
    """One interactive (or image) element of an actions, section, context or input block."""
    if not isinstance(el, dict):
        return _unknown("Unsupported element", type(el).__name__)
    kind = str(el.get("type"))
    if kind in ("button", "workflow_button"):
        style = el.get("style")
        css = f"bk-button {style}" if style in ("primary", "danger") else "bk-button"
        label = render_text(el.get("text"), reader)
        if el.get("url"):
            return (
                f'<a class="{css}" href="{escape(str(el["url"]))}" target="_blank"'
                f' rel="noopener noreferrer"{_element_attrs(el, block_id)}'
                f"{_attrs(data_value=el.get('value'))}>{label}</a>"
            )
        return (
            f'<button type="button" class="{css}"{_element_attrs(el, block_id)}'
            f"{_attrs(data_value=el.get('value', ''))}>{label}</button>"
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
        return _image(el, css="bk-accessory-image")
    return _unknown("Unsupported element", kind)


# -- blocks ----------------------------------------------------------------------------------


def _section(block: dict[str, Any], block_id: str, reader: Reader) -> str:
    body = ""
    if block.get("text"):
        body += f'<div class="bk-text">{render_text(block["text"], reader)}</div>'
    if block.get("fields"):
        cells = "".join(
            f'<div class="bk-field">{render_text(f, reader)}</div>' for f in block["fields"]
        )
        body += f'<div class="bk-fields">{cells}</div>'
    accessory = block.get("accessory")
    side = (
        f'<div class="bk-accessory">{render_element(accessory, block_id, reader)}</div>'
        if accessory
        else ""
    )
    return f'<div class="bk-section-body">{body}</div>{side}'


def _context(block: dict[str, Any], reader: Reader) -> str:
    parts = []
    for el in block.get("elements") or []:
        if isinstance(el, dict) and el.get("type") == "image":
            parts.append(_image(el, css="bk-context-image"))
        else:
            parts.append(f"<span>{render_text(el, reader)}</span>")
    return "".join(parts)


def _rich_text_inline(items: list[Any], reader: Reader) -> str:
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text":
            html = escape(str(item.get("text", ""))).replace("\n", "<br>")
            style = item.get("style") or {}
            for key, tag in (("code", "code"), ("bold", "b"), ("italic", "i"), ("strike", "s")):
                if style.get(key):
                    html = f"<{tag}>{html}</{tag}>"
            out.append(html)
        elif kind == "link":
            url = str(item.get("url", ""))
            out.append(_token(f"{url}|{item.get('text') or url}", reader))
        elif kind == "user":
            out.append(_token(f"@{item.get('user_id', '')}", reader))
        elif kind == "channel":
            out.append(_token(f"#{item.get('channel_id', '')}", reader))
        elif kind == "emoji":
            name = str(item.get("name", ""))
            out.append(EMOJI.get(name, f":{escape(name)}:"))
        elif kind == "date":
            out.append(
                _date_token(f"!date^{item.get('timestamp', 0)}^{item.get('format', '')}", reader)
            )
        else:
            out.append(_unknown("Unsupported rich text", kind))
    return "".join(out)


def _rich_text(block: dict[str, Any], reader: Reader) -> str:
    out = []
    for part in block.get("elements") or []:
        kind = part.get("type") if isinstance(part, dict) else None
        inner = part.get("elements") or [] if isinstance(part, dict) else []
        if kind == "rich_text_section":
            out.append(f"<div>{_rich_text_inline(inner, reader)}</div>")
        elif kind == "rich_text_preformatted":
            out.append(f"<pre>{_rich_text_inline(inner, reader)}</pre>")
        elif kind == "rich_text_quote":
            out.append(f"<blockquote>{_rich_text_inline(inner, reader)}</blockquote>")
        elif kind == "rich_text_list":
            tag = "ol" if part.get("style") == "ordered" else "ul"
            items = "".join(
                f"<li>{_rich_text_inline(i.get('elements') or [], reader)}</li>"
                for i in inner
                if isinstance(i, dict)
            )
            out.append(f"<{tag}>{items}</{tag}>")
        else:
            out.append(_unknown("Unsupported rich text", kind))
    return "".join(out)


def _input(block: dict[str, Any], block_id: str, reader: Reader) -> str:
    optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
    hint = (
        f'<div class="bk-hint">{render_text(block["hint"], reader)}</div>'
        if block.get("hint")
        else ""
    )
    return (
        f'<label class="bk-label">{render_text(block.get("label"), reader)}{optional}</label>'
        f"{render_element(block.get('element'), block_id, reader)}{hint}"
        f'<div class="bk-error" role="alert" hidden></div>'
    )


def _render_block(block: dict[str, Any], block_id: str, reader: Reader) -> str | None:
    """The inner HTML of one known block, or None when the type is unknown."""
    kind = block.get("type")
    renderers: dict[str, Callable[[], str]] = {
        "section": lambda: _section(block, block_id, reader),
        "header": lambda: f"<h3>{render_text(block.get('text'), reader)}</h3>",
        "divider": lambda: "<hr>",
        "context": lambda: _context(block, reader),
        "image": lambda: (
            (f'<div class="bk-image-title">{render_text(block["title"], reader)}</div>'
             if block.get("title") else "")
            + _image(block, css="bk-image")
        ),
        "actions": lambda: "".join(
            render_element(el, block_id, reader) for el in block.get("elements") or []
        ),
        "input": lambda: _input(block, block_id, reader),
        "rich_text": lambda: _rich_text(block, reader),
        "file": lambda: (
            f'<div class="bk-file">📎 File {escape(str(block.get("external_id", "")))}</div>'
        ),
        "video": lambda: (
            f'<a class="bk-video" href="{escape(str(block.get("video_url", "")))}" target="_blank"'
            f' rel="noopener noreferrer">▶ {render_text(block.get("title"), reader)}</a>'
        ),
    }  # fmt: skip
    render = renderers.get(str(kind))
    return render() if render else None


def render_blocks(blocks: object, reader: Reader) -> str:
    """A list of blocks as HTML; unknown block types become a visible placeholder."""
    if not isinstance(blocks, list):
        return _unknown("Not a list of blocks", type(blocks).__name__)
    out = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            out.append(_unknown("Unsupported block", type(block).__name__))
            continue
        kind = str(block.get("type"))
        block_id = str(block.get("block_id") or f"b{i}")
        inner = _render_block(block, block_id, reader)
        if inner is None:
            out.append(_unknown("Unsupported block", kind))
            continue
        out.append(
            f'<div class="bk-block bk-block-{escape(kind)}"{_attrs(data_block_id=block_id)}>'
            f"{inner}</div>"
        )
    return "".join(out)


def render_modal(view: dict[str, Any], reader: Reader, *, depth: int = 1) -> str:
    """A modal as a form: title, blocks, and its close and submit buttons."""
    submit = view.get("submit")
    close = _plain(view.get("close")) or ("Cancel" if submit else "Close")
    submit_button = (
        f'<button type="submit" class="bk-button primary">{render_text(submit, reader)}</button>'
        if submit
        else ""
    )
    return (
        f'<form class="modal" novalidate{_attrs(data_view_id=view.get("id", ""))}'
        f"{_attrs(data_depth=depth)}>"
        f"<header><h2>{render_text(view.get('title'), reader)}</h2>"
        '<button type="button" class="modal-x" data-close aria-label="Close">&times;</button>'
        "</header>"
        f'<div class="modal-body">{render_blocks(view.get("blocks"), reader)}</div>'
        f'<div class="modal-problems" role="alert" hidden></div>'
        f'<footer><button type="button" class="bk-button" data-close>{escape(close)}</button>'
        f"{submit_button}</footer></form>"
    )


def when_in(reader: Reader, at: datetime) -> str:
    """A timestamp as the reader's wall clock, for message headers."""
    local = at.astimezone(reader.tz)
    days = (local.date() - reader.now.astimezone(reader.tz).date()).days
    day = {0: "Today", -1: "Yesterday"}.get(days, local.strftime("%a %d %b %Y"))
    return f"{day} {local.strftime('%H:%M')}"


def ts_time(ts: str) -> datetime:
    """When a message was posted, from its Slack ``ts``."""
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
