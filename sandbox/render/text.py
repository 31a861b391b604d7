"""Slack's text as HTML: mrkdwn, text objects, mentions, links, dates, emoji.

Everything else the renderer draws contains text, so the reader (whose time zone dates are
shown in, whose names mentions become) and the few HTML helpers every part uses live here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

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


def render_date(body: str, reader: Reader) -> str:
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


def render_token(body: str, reader: Reader) -> str:
    if body.startswith("!date^"):
        return render_date(body, reader)
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


def with_emoji(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def mrkdwn(text: str, reader: Reader) -> str:
    """Slack's mrkdwn as HTML: bold, italic, strike, code, quotes, links, mentions, dates."""
    tokens: list[str] = []

    def keep(match: re.Match[str]) -> str:
        tokens.append(render_token(_unescape_slack(match.group(1)), reader))
        return f"\x00{len(tokens) - 1}\x00"

    held = _TOKEN.sub(keep, text)
    html = escape(_unescape_slack(held), quote=False)
    for pattern, replacement in _STYLES:
        html = pattern.sub(replacement, html)
    lines = [
        f"<q>{line[5:]}</q>" if line.startswith("&gt; ") else line for line in html.split("\n")
    ]
    html = with_emoji("<br>".join(lines))
    return re.sub(r"\x00(\d+)\x00", lambda m: tokens[int(m.group(1))], html)


def render_text(obj: object, reader: Reader) -> str:
    """A text object (plain_text or mrkdwn) as HTML; a plain string is plain text."""
    if isinstance(obj, str):
        return with_emoji(escape(obj)).replace("\n", "<br>")
    if not isinstance(obj, dict):
        return ""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, reader)
    html = escape(text)
    return (with_emoji(html) if obj.get("emoji", True) else html).replace("\n", "<br>")


def text_of(obj: object) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def unsupported(what: str, kind: object) -> str:
    name = escape(str(kind))
    return f'<div class="bk-unknown" data-unknown="{name}">{what}: {name}</div>'


def html_attrs(**values: object) -> str:
    return "".join(
        f' {name.replace("_", "-")}="{escape(str(value))}"'
        for name, value in values.items()
        if value is not None and value is not False
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
