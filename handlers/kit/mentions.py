"""Reading `<@U123>` mentions out of what people typed."""

from __future__ import annotations

import re

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned(text: str) -> str | None:
    match = MENTION.search(text)
    return match.group(1) if match else None


def without_mentions(text: str) -> str:
    return MENTION.sub("", text).strip()
