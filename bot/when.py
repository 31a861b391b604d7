"""Reading "Tuesdays at 3pm" and friends: when a pair wants to meet, in plain words.

dateparser reads dates and times but returns nothing for recurring phrases, so the recurrence
("every other", a plural weekday, "weekly on") is read here and dateparser only ever sees the
time part, or a whole one-off phrase ("tomorrow 10am"). Its languages are pinned to English:
automatic language detection took seconds on text it couldn't read, past Slack's 3 s budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

LANGUAGES = ["en"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = r"(mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_DAY_NAMES = {d[:3]: i for i, d in enumerate(WEEKDAYS)}

EXAMPLES = (
    '"Tuesdays at 3pm", "every other Thursday 10:30", "weekly on Wednesday at noon", '
    '"next Friday at 2:30pm" or "tomorrow 10am"'
)

_RECURRING = re.compile(
    rf"""^\s*
    (?P<lead>every\s+other|every\s+second|every\s+2nd|biweekly|bi-weekly|fortnightly|
       every|each|weekly\s+on|weekly|on)?\s*
    (?P<day>{_DAY})(?P<plural>s)?\b[,\s]*
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_ONE_OFF_HINT = re.compile(
    r"\b(next|this|tomorrow|today|tonight|in\s+\d+|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(\d{1,2}(:\d{2})?\s*(am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\d{1,2}h\d{0,2}|noon|midday|"
    r"midnight)\b",
    re.IGNORECASE,
)


_EVERY_OTHER = ("every other", "every second", "every 2nd", "bi", "fort")


class UnreadableTime(ValueError):
    """The text couldn't be read as a time; the message says which forms work."""


@dataclass(frozen=True)
class SessionTime:
    """When a pair meets, as the author meant it: a wall-clock rule in their time zone.

    ``every_weeks`` is 1 (weekly), 2 (every other week) or 0 (once, on ``first_date``).
    """

    tz: str
    local_time: time
    first_date: date
    every_weeks: int
    weekday: int

    @property
    def recurring(self) -> bool:
        return self.every_weeks > 0

    def first_start(self) -> datetime:
        return local_to_utc(self.first_date, self.local_time, self.tz)

    def describe(self) -> str:
        """'every Tuesday at 15:00 (Europe/Berlin)', for confirmations and fallbacks."""
        clock = self.local_time.strftime("%H:%M")
        zone = f" ({self.tz})" if self.tz else ""
        if self.every_weeks == 0:
            return f"once, on {self.first_date.strftime('%A %d %B')} at {clock}{zone}"
        day = WEEKDAYS[self.weekday].capitalize()
        every = "every" if self.every_weeks == 1 else "every other"
        return f"{every} {day} at {clock}{zone}"


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a wall-clock time on a day, wherever that zone's offset is then.

    A time that doesn't exist (the hour skipped when clocks go forward) lands an hour later,
    as a calendar would put it.
    """
    local = datetime.combine(day, at, tzinfo=zone(tz))
    utc = local.astimezone(zone("UTC"))
    if utc.astimezone(zone(tz)).time() != at and local.fold == 0:
        utc = datetime.combine(day, at, tzinfo=zone(tz)).replace(fold=1).astimezone(zone("UTC"))
    return utc


def _settings(tz: str, now: datetime) -> dict[str, Any]:
    local_now = now.astimezone(zone(tz)).replace(tzinfo=None)
    return {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now,
        "TIMEZONE": tz or "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
    }


def _parse(text: str, tz: str, now: datetime) -> datetime | None:
    return dateparser.parse(text, languages=LANGUAGES, settings=_settings(tz, now))


def parse_time_of_day(text: str, *, tz: str = "UTC", now: datetime) -> time:
    cleaned = re.sub(r"^\s*(at|@|from)\s+", "", text.strip(), flags=re.IGNORECASE)
    cleaned = re.sub(r"\b(midday)\b", "noon", cleaned, flags=re.IGNORECASE)
    if not cleaned or not _TIME.search(cleaned):
        raise UnreadableTime(f"Add a time, for example {EXAMPLES}.")
    parsed = _parse(cleaned, tz, now)
    if parsed is None:
        raise UnreadableTime(f"I couldn't read '{text.strip()}' as a time. Try {EXAMPLES}.")
    return parsed.time().replace(second=0, microsecond=0)


def parse_when(text: str, *, tz: str, now: datetime) -> SessionTime:
    """Read a plain-words meeting time in the author's zone ``tz``, as of ``now``.

    Raises ``UnreadableTime`` with a message that says which forms work.
    """
    phrase = " ".join(text.strip().split())
    if not phrase:
        raise UnreadableTime(f"Say when you'd like to meet, for example {EXAMPLES}.")
    if len(phrase) > 200:
        raise UnreadableTime("Keep it short, for example " + EXAMPLES + ".")
    local_now = now.astimezone(zone(tz))
    match = _RECURRING.match(phrase)
    if match and not _ONE_OFF_HINT.search(match.group("lead") or ""):
        lead = (match.group("lead") or "").lower()
        is_one_off_phrase = bool(_ONE_OFF_HINT.search(phrase))
        if not is_one_off_phrase:
            every = 2 if lead.startswith(_EVERY_OTHER) else 1
            weekday = _DAY_NAMES[match.group("day").lower()[:3]]
            at = parse_time_of_day(match.group("rest"), tz=tz, now=now)
            days_ahead = (weekday - local_now.weekday()) % 7
            first = local_now.date() + timedelta(days=days_ahead)
            if local_to_utc(first, at, tz) <= now:
                first += timedelta(days=7)
            return SessionTime(
                tz=tz, local_time=at, first_date=first, every_weeks=every, weekday=weekday
            )
    if not _TIME.search(phrase):
        raise UnreadableTime(f"Add a time, for example {EXAMPLES}.")
    parsed = _parse(phrase, tz, now)
    if parsed is None:
        raise UnreadableTime(f"I couldn't read '{phrase}'. Try {EXAMPLES}.")
    at = parsed.time().replace(second=0, microsecond=0)
    if local_to_utc(parsed.date(), at, tz) <= now:
        raise UnreadableTime("That time has already passed: pick one in the future.")
    return SessionTime(
        tz=tz, local_time=at, first_date=parsed.date(), every_weeks=0, weekday=parsed.weekday()
    )


def warm_up() -> None:
    """dateparser loads its language data on first use (~100 ms): do it before Slack waits."""
    now = datetime.now(zone("UTC"))
    parse_when("Tuesdays at 3pm", tz="UTC", now=now)
    parse_when("tomorrow 10am", tz="UTC", now=now)
