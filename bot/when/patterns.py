"""The patterns a phrase is read with, each compiled once: refusals, lengths, cadences,
dates, clock times. ``parse`` decides what they mean; here they only match."""

from __future__ import annotations

import re

ZONE = re.compile(r"(?<!')\b(in\s+)?([a-z]+(?:/[a-z_+\-]+){1,2}|[a-z]{2,4})\b")


_REFUSED = (  # (what, its example or None for the usual one, the words that say it)
    ("I can't schedule daily sessions: pick the day(s) of the week", None, r"daily|every\s*day|"
     r"each\s+day|every\s+weekday|weekdays|every\s+(?:morning|evening|night)|nightly|every\s+\d+"
     r"\s+days?"),
    ("Say which days", '"Mondays and Thursdays at 8am"', r"(?:twice|2\s*x|[23]\s+times|3\s*x|"
     r"three\s+times)\s+(?:a|per|every)\s+week"),
    ("That rhythm isn't offered: sessions repeat weekly or every few weeks", None, r"quarterly|"
     r"yearly|annually|every\s+year|semi-?monthly|twice\s+a\s+month|bimonthly|every\s+(?:\d+|"
     r"other)\s+months?"),
)  # fmt: skip


REFUSALS = [(what, example, re.compile(rf"\b(?:{words})\b")) for what, example, words in _REFUSED]


DURATIONS = (
    re.compile(r"\bfor\s+(\d+(?:[.,]\d+)?|an?|half\s+an?)\s*(h|hours?|minutes?|mins?|m)"
               r"(?:(?<=h)(\d{2}))?\b(\s+and\s+a\s+half)?"),
    re.compile(r"\b(\d+(?:[.,]\d+)?|an?|half\s+an?)\s*(hours?|minutes?|mins?)()\b"
               r"(\s+and\s+a\s+half)?"),
)  # fmt: skip


MONTHLY = re.compile(
    r"\b(?:(?:of\s+)?(?:the|every|each)\s+month|monthly|once\s+a\s+month|a\s+month|per\s+month)\b"
)


CADENCES = (  # the first that matches says how many weeks apart (0: the number said)
    (re.compile(r"\b(?:every|each)\s+(?:other|second|2nd)(?:\s+weeks?)?\b"), 2),
    (re.compile(r"\b(?:biweekly|fortnightly|(?:once\s+)?(?:a|every|each)\s+fortnight)\b"), 2),
    (re.compile(r"\b(?:once\s+)?every\s+(\d+)(?:st|nd|rd|th)?\s+weeks?\b"), 0),
    (re.compile(r"\bevery\s+(?:third|3rd)\s+weeks?\b"), 3),
    (re.compile(r"\bevery\s+(?:fourth|4th)\s+weeks?\b"), 4),
    (re.compile(r"\b(?:weekly|(?:every|each|once\s+a|per|a)\s+week)\b"), 1),
    (re.compile(r"\b(?:every|each)\b"), 1),
)


RELATIVE = re.compile(r"\b(today|tomorrow|overmorrow)\b|\bin\s+(\d{1,2}|an?)\s+days?\b")


ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


NUMERIC = re.compile(r"(?<![\d.:])(\d{1,2})(?:/(\d{1,2})(?:/(\d{2,4}))?|\.(\d{1,2})\.(\d{4})?)")


NTH = re.compile(r"\b(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")


PART = re.compile(r"\b(morning|afternoon|evening|lunchtime|lunch|night)s?\b")


CLOCK = re.compile(
    r"(?<![\d:/])\b(?:(noon|midday|midnight)|(\d{1,2})(?:\s*(?::|\.|h|uhr)\s*(\d{2}))?"
    r"(?:\s*(am|pm|uhr|o'clock|h))?)(?![a-z\d:/])"
)


RANGE_GAP = re.compile(r"\s*(?:-|to|until|till|til)\s*")


AT = re.compile(r"(?:\bat|@|\bfrom)\s*$")
