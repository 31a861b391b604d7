"""Reading "Tuesdays at 3pm" and friends: when a pair wants to meet, in plain words.

dateparser returns nothing for recurring phrases, so the rule ("every other", several days,
"the first Monday of the month") is read here with regexes, over vocabulary taken from
dateparser's own language data (weekday and month names in every language it knows). Each
piece found is cut out of the phrase, so what is left is filler and is reported, not guessed
at. dateparser only sees a leftover date piece ("in 2 days"), with its languages pinned:
automatic language detection took seconds on text it couldn't read, past Slack's 3 s budget.
Anything that can't be honoured raises ``UnreadableTime`` naming what is missing.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import dateparser
from dateparser.languages.loader import default_loader

LANGUAGES = ["en"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july", "august")
MONTHS += ("september", "october", "november", "december")
EXAMPLES = (
    '"Tuesdays at 3pm", "every other Thursday 10:30", "1pm every Friday for 45 minutes", '
    '"next Friday at 2:30pm" or "tomorrow 10am"'
)
WORKING_HOURS = (time(8), time(18))
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EN_DAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3}
_EN_DAYS |= {"thurs": 3, "fri": 4, "sat": 5, "sun": 6}
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4}
_ORDINAL |= {"4th": 4, "last": -1, "final": -1, "fifth": 5, "5th": 5}
_NUMBERS: tuple[str, ...] = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)
_NUMBERS += ("eleven", "twelve")
# Connectors and cadences per language, folded (lower case, no accents); English always.
_LEXICON: dict[str, dict[str, str]] = {
    "en": {"evry": "every", "everey": "every", "tmrw": "tomorrow", "tomorow": "tomorrow",
           "tommorow": "tomorrow", "tommorrow": "tomorrow", "oclock": "o'clock",
           "o clock": "o'clock", "bi weekly": "biweekly", "bi-weekly": "biweekly",
           "day after tomorrow": "overmorrow", "tonight": "today evening", "12 noon": "noon",
           "alternate": "every other", "every single": "every", "hrs": "hours", "hr": "hour"}
    | {word: str(n) for n, word in enumerate(_NUMBERS, 1)},
    "de": {"jeden": "every", "jede": "every", "jeder": "every", "alle zwei wochen":
           "every 2 weeks", "alle 2 wochen": "every 2 weeks", "alle 14 tage": "fortnightly",
           "alle drei wochen": "every 3 weeks", "jede zweite woche": "every other week",
           "zweiwochentlich": "fortnightly", "wochentlich": "weekly", "um": "at", "und": "and",
           "oder": "or", "morgen": "tomorrow", "heute": "today", "ubermorgen": "overmorrow",
           "nachsten": "next", "nachste": "next", "kommenden": "next", "ersten": "first",
           "zweiten": "second", "dritten": "third", "vierten": "fourth", "letzten": "last",
           "im monat": "of the month", "des monats": "of the month", "jeden monat":
           "every month", "monatlich": "monthly", "taglich": "daily", "jeden tag": "every day",
           "mittags": "noon", "mittag": "noon", "morgens": "morning", "vormittags": "morning",
           "nachmittags": "afternoon", "abends": "evening", "fur": "for", "minuten":
           "minutes", "stunde": "hour", "eine": "an", "ab": "starting", "bis": "-"},
    "fr": {"chaque": "every", "tous les": "every", "toutes les deux semaines":
           "every 2 weeks", "tous les quinze jours": "fortnightly", "une semaine sur deux":
           "every other week", "le": "on", "les": "on", "et": "and", "ou": "or", "demain":
           "tomorrow", "aujourd'hui": "today", "apres-demain": "overmorrow", "prochain":
           "next", "prochaine": "next", "premier": "first", "1er": "first", "deuxieme":
           "second", "troisieme": "third", "quatrieme": "fourth", "dernier": "last",
           "du mois": "of the month", "de chaque mois": "of every month", "chaque mois":
           "every month", "tous les mois": "every month", "hebdomadaire": "weekly",
           "tous les jours": "daily", "chaque jour": "daily", "midi": "noon", "minuit":
           "midnight", "du matin": "morning", "matin": "morning", "de l'apres-midi":
           "afternoon", "apres-midi": "afternoon", "du soir": "evening", "soir": "evening",
           "pendant": "for", "heure": "hour", "heures": "hours", "a partir du": "starting"},
    "es": {"cada": "every", "todos los": "every", "todas las": "every", "cada dos semanas":
           "every 2 weeks", "cada 2 semanas": "every 2 weeks", "cada quince dias":
           "fortnightly", "quincenal": "fortnightly", "semanal": "weekly", "cada semana":
           "weekly", "los": "on", "el": "on", "y": "and", "o": "or", "a las": "at", "a la":
           "at", "manana": "tomorrow", "de la manana": "morning", "de la tarde": "afternoon",
           "por la tarde": "afternoon", "de la noche": "evening", "hoy": "today",
           "pasado manana": "overmorrow", "proximo": "next", "que viene": "next", "primer":
           "first", "primero": "first", "segundo": "second", "tercer": "third", "ultimo":
           "last", "del mes": "of the month", "de cada mes": "of every month", "cada mes":
           "every month", "cada dia": "daily", "todos los dias": "daily", "mediodia": "noon",
           "medianoche": "midnight", "durante": "for", "minutos": "minutes", "hora": "hour",
           "horas": "hours", "desde": "starting", "y media": ":30", "y cuarto": ":15"},
}  # fmt: skip
_ZONES = {"est": "America/New_York", "edt": "America/New_York", "et": "America/New_York"}
_ZONES |= {"cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago"}
_ZONES |= {"mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver"}
_ZONES |= {"pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles"}
_ZONES |= {"gmt": "UTC", "utc": "UTC", "bst": "Europe/London", "cet": "Europe/Berlin"}
_ZONES |= {"cest": "Europe/Berlin", "eet": "Europe/Helsinki", "jst": "Asia/Tokyo"}
_STOP = frozenset(
    re.split(
        " ",
        "at on the every each and in from of a an to for with s week "
        "weeks please meet meeting session sessions lets let's let us we can starting - @ um",
    )
)

_I = re.IGNORECASE
_ZONE = re.compile(r"\b(?:in\s+)?([a-z]+(?:/[a-z_+\-]+){1,2}|[a-z]{2,4})\b")
_DURATIONS = (
    re.compile(r"\bfor\s+(\d+(?:[.,]\d+)?|an?|half\s+an?)\s*(h|hours?|minutes?|mins?|m)"
               r"(?:(?<=h)(\d{2}))?\b(\s+and\s+a\s+half)?"),
    re.compile(r"\b(\d+(?:[.,]\d+)?|an?|half\s+an?)\s*(hours?|minutes?|mins?)()\b"
               r"(\s+and\s+a\s+half)?"),
)  # fmt: skip
_DAILY = re.compile(
    r"\b(daily|every\s*day|each\s+day|every\s+weekday|weekdays|every\s+(?:morning|evening|"
    r"night)|nightly|every\s+\d+\s+days?)\b"
)
_TWICE = re.compile(
    r"\b(twice|2\s*x|2\s+times|3\s*x|3\s+times|three\s+times)\s+(a|per|every)\s+week"
)
_ODD = re.compile(
    r"\b(quarterly|yearly|annually|every\s+year|semi-?monthly|twice\s+a\s+month|bimonthly|"
    r"every\s+(?:\d+|other)\s+months?)\b"
)
_MONTHLY = re.compile(
    r"\b(?:(?:of\s+)?(?:the|every|each)\s+month|monthly|once\s+a\s+month|a\s+month|per\s+month)\b"
)
_CADENCES = (
    (re.compile(r"\b(?:every|each)\s+(?:other|second|2nd)(?:\s+weeks?)?\b"), 2),
    (re.compile(r"\b(?:biweekly|fortnightly|(?:once\s+)?(?:a|every|each)\s+fortnight)\b"), 2),
    (re.compile(r"\b(?:once\s+)?every\s+(\d+)(?:st|nd|rd|th)?\s+weeks?\b"), 0),
    (re.compile(r"\bevery\s+(?:third|3rd)\s+weeks?\b"), 3),
    (re.compile(r"\bevery\s+(?:fourth|4th)\s+weeks?\b"), 4),
    (re.compile(r"\b(?:weekly|(?:every|each|once\s+a|per|a)\s+week)\b"), 1),
    (re.compile(r"\b(?:every|each)\b"), 1),
)
_RELATIVE = re.compile(r"\b(today|tomorrow|overmorrow)\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"(?<![\d.:])(\d{1,2})(?:/(\d{1,2})(?:/(\d{2,4}))?|\.(\d{1,2})\.(\d{4})?)")
_NTH = re.compile(r"\b(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")
_PART = re.compile(r"\b(morning|afternoon|evening|lunchtime|lunch|night)s?\b")
_CLOCK = re.compile(
    r"(?<![\d:/])\b(?:(noon|midday|midnight)|(\d{1,2})(?:\s*(?::|\.|h|uhr)\s*(\d{2}))?"
    r"(?:\s*(am|pm|uhr|o'clock|h))?)(?![a-z\d:/])"
)
_RANGE_GAP = re.compile(r"\s*(?:-|to|until|till|til)\s*")
_AT = re.compile(r"(?:\bat|@|\bfrom)\s*$")


class UnreadableTime(ValueError):
    """The text couldn't be read as a time; the message says what is missing, with an example."""


@dataclass(frozen=True)
class SessionTime:
    """When a pair meets, as the author meant it: a wall-clock rule in their time zone.

    ``every_weeks`` is N (every N weeks) or 0 (once, on ``first_date``); a monthly rule
    (``monthly_ordinal`` 1..4 or -1 for last) keeps 4 there for code that only knows weeks,
    so its dates must come from ``dates()``. ``days`` lists all weekdays of a rule with several
    (empty means just ``weekday``); ``weekday``/``first_date`` are the first one coming.
    ``ignored`` is what the reader skipped as filler, so a confirmation can show it.
    """

    tz: str
    local_time: time
    first_date: date
    every_weeks: int
    weekday: int
    days: tuple[int, ...] = ()
    monthly_ordinal: int | None = None
    duration_minutes: int | None = None
    ignored: str = ""

    @property
    def recurring(self) -> bool:
        return self.every_weeks > 0

    @property
    def rule_days(self) -> tuple[int, ...]:
        return self.days or (self.weekday,)

    def first_start(self) -> datetime:
        return local_to_utc(self.first_date, self.local_time, self.tz)

    def dates(self, start: date, until: date) -> list[date]:
        """The local dates it happens on from ``start`` to ``until`` (both included), for
        reminders and exceptions; the rule starts at ``first_date``."""
        if not self.recurring:
            return [self.first_date] if start <= self.first_date <= until else []
        start = max(start, self.first_date)
        found: list[date] = []
        if self.monthly_ordinal is not None:
            year, month = start.year, start.month
            while (day := _nth_weekday(year, month, self.weekday, self.monthly_ordinal)) <= until:
                found += [day] if day >= start else []
                year, month = year + month // 12, month % 12 + 1
            return found
        step = timedelta(weeks=self.every_weeks)
        monday = self.first_date - timedelta(days=self.first_date.weekday())
        monday += step * max(0, (start - monday).days // step.days)
        while monday <= until:
            days = (monday + timedelta(days=d) for d in self.rule_days)
            found += [day for day in days if start <= day <= until]
            monday += step
        return found

    def rrule(self, until: date | datetime | None = None) -> str:
        """The iCalendar RRULE value; UNTIL is in UTC, as RFC 5545 wants with a TZID start."""
        if not self.recurring:
            raise ValueError("a one-off session has no recurrence rule")
        if self.monthly_ordinal is not None:
            text = f"FREQ=MONTHLY;BYDAY={self.monthly_ordinal}{_BYDAY[self.weekday]}"
        else:
            byday = ",".join(_BYDAY[d] for d in self.rule_days)
            text = f"FREQ=WEEKLY;INTERVAL={self.every_weeks};BYDAY={byday}"
        if until is not None:
            if not isinstance(until, datetime):
                until = local_to_utc(until, self.local_time, self.tz)
            text += f";UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        return text

    def describe(self, tz: str | None = None) -> str:
        """'every Tuesday at 15:00 (Europe/Berlin)', in the reader's zone ``tz`` if given.

        Another zone can move the day as well as the hour, so the days shift with it.
        """
        reader = tz or self.tz
        start = self.first_start().astimezone(zone(reader))
        shift = (start.date() - self.first_date).days
        clock, where = start.strftime("%H:%M"), f" ({reader})" if reader else ""
        length = f", {self.duration_minutes} minutes" if self.duration_minutes else ""
        if not self.recurring:
            return f"once, on {start:%A %d %B} at {clock}{where}{length}"
        names = [WEEKDAYS[(d + shift) % 7].capitalize() for d in self.rule_days]
        days = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        if self.monthly_ordinal is not None:
            ordinal = ORDINALS[self.monthly_ordinal]
            own = WEEKDAYS[self.weekday].capitalize()
            if shift:
                return (
                    f"the {ordinal} {own} of every month at {self.local_time:%H:%M} "
                    f"({self.tz}), {days} {clock}{where}{length}"
                )
            return f"the {ordinal} {days} of every month at {clock}{where}{length}"
        every = {1: f"every {days}", 2: f"every other {days}"}.get(
            self.every_weeks, f"every {self.every_weeks} weeks on {days}"
        )
        return f"{every} at {clock}{where}{length}"


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a wall-clock time on a day, wherever that zone's offset is then.

    A time that doesn't exist (the hour skipped when clocks go forward) lands an hour later,
    as a calendar would put it; a repeated one (clocks going back) is the first of the two.
    Both are what ``fold=0`` means (PEP 495), so the bot and the invite agree.
    """
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(UTC)


def _fold(text: str) -> str:
    """Lower case without accents, so "Mittwoch"/"miércoles" match however they are typed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Vocabulary:
    days: dict[str, int]
    day_re: re.Pattern[str]
    month_re: re.Pattern[str]
    months: dict[str, int]
    lexicon: re.Pattern[str]
    words: dict[str, str]
    ordinal_re: re.Pattern[str]
    fuzzy: tuple[str, ...]
    plurals: frozenset[str]


def _alternation(words: Collection[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=32)
def _vocabulary(languages: tuple[str, ...]) -> _Vocabulary:
    """Weekday and month names from dateparser's data, built once per set of languages."""
    days = {name: i for i, name in enumerate(WEEKDAYS)} | dict(_EN_DAYS)
    months = {name: i + 1 for i, name in enumerate(MONTHS)} | {"sept": 9}
    months |= {name[:3]: i + 1 for i, name in enumerate(MONTHS)}
    words: dict[str, str] = {}
    for language in languages:
        info = default_loader.get_locale(language).info
        for i, name in enumerate(WEEKDAYS):
            days |= {_fold(n): i for n in info.get(name, []) if len(n) >= 4}
        for i, name in enumerate(MONTHS):
            months |= {_fold(n).rstrip("."): i + 1 for n in info.get(name, []) if len(n) >= 3}
        words |= _LEXICON.get(language, {})
    plurals = {n + "s": i for n, i in days.items() if len(n) > 3 and n[-1] != "s"}
    plurals = {n: i for n, i in plurals.items() if n not in days}
    days |= plurals
    months = {name: m for name, m in months.items() if name not in days and name not in words}
    return _Vocabulary(
        days=days,
        day_re=re.compile(rf"\b(?:(next|this|coming)\s+)?({_alternation(days)})\b(\s+next)?"),
        month_re=re.compile(rf"\b({_alternation(months)})\b\.?"),
        months=months,
        lexicon=re.compile(rf"(?<![\w'])({_alternation(words)})(?![\w'])"),
        words=words,
        ordinal_re=re.compile(
            rf"\b(?:(?:on\s+)?the\s+|(every|each)\s+)?({_alternation(_ORDINAL)})\s+"
            rf"({_alternation(days)})\b"
        ),
        fuzzy=(*(n for n in days if len(n) >= 6), "every"),
        plurals=frozenset(plurals),
    )


@lru_cache(maxsize=4096)
def _correct(word: str, languages: tuple[str, ...]) -> str:
    """A misspelt weekday ("Teusdays") or "every" becomes the word meant; others stay."""
    vocabulary = _vocabulary(languages)
    if word in vocabulary.days or word in vocabulary.months or word in vocabulary.words:
        return word
    close = difflib.get_close_matches(word, vocabulary.fuzzy, n=1, cutoff=0.8)
    return close[0] if close else word


@lru_cache(maxsize=64)
def _languages(requested: tuple[str, ...]) -> tuple[str, ...]:
    """ "de-DE" -> "de"; English always; languages dateparser doesn't know are dropped."""
    found = ["en"]
    for code in requested:
        short = code.replace("_", "-").split("-")[0].lower()
        if short not in found:
            try:
                default_loader.get_locale(short)
            except (ValueError, KeyError):
                continue
            found.append(short)
    return tuple(found)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _minutes(amount: str, unit: str, extra: str | None, half: str | None) -> int:
    number = {"a": 1.0, "an": 1.0}.get(amount) or (
        0.5 if amount.startswith("half") else float(amount.replace(",", "."))
    )
    total = number * (60 if unit.startswith("h") else 1) + (30 if half else 0)
    return round(total) + int(extra or 0)


def _normalise(text: str, vocabulary: _Vocabulary, languages: tuple[str, ...]) -> str:
    phrase = _fold(" ".join(text.split()))
    phrase = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", phrase)
    phrase = re.sub(r"[,;!?()]|(?<=[a-z])\.(?=\s|$)", " ", phrase).replace("\u2019", "'")
    phrase = re.sub(r"\s*[\u2013\u2014]\s*", " - ", phrase)
    phrase = re.sub(r"[a-z]{4,}", lambda m: _correct(m.group(), languages), phrase)
    if "de" in languages:  # "am Dienstag", "halb vier" (= 3:30)
        phrase = re.sub(r"(?<!\d)(?<!\d )\bam\b(?=\s+[a-z])", "on", phrase)
        phrase = re.sub(r"\bhalb\s+(\d{1,2})\b", lambda m: f"{int(m[1]) - 1}:30", phrase)
    if {"fr", "es"} & set(languages):
        phrase = re.sub(r"\ba(?=\s+\d)", "at", phrase)
    phrase = vocabulary.lexicon.sub(lambda m: vocabulary.words[m.group()], phrase)
    phrase = re.sub(r"(\d{1,2})\s+:(\d{2})", r"\1:\2", phrase)  # "3 y media" -> "3 :30"
    phrase = re.sub(r"\bhalf\s+(?:past|after)\s+(\d{1,2})\b", r"\1:30", phrase)
    phrase = re.sub(r"\b(?:a\s+)?quarter\s+(?:past|after)\s+(\d{1,2})\b", r"\1:15", phrase)
    phrase = re.sub(
        r"\b(?:a\s+)?quarter\s+(?:to|before|of)\s+(\d{1,2})\b",
        lambda m: f"{(int(m[1]) - 2) % 12 + 1}:45",
        phrase,
    )
    phrase = re.sub(r"\bhalf\s+(\d{1,2})\b(?!\s*(?:h|hours?)\b)", r"\1:30", phrase)
    phrase = re.sub(r"\bbetween\s+(\S+)\s+and\s+", r"\1 - ", phrase)
    return " ".join(phrase.split())


class _Phrase:
    """The folded phrase, with each piece cut out once read so the rest is what's left."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        match = pattern.search(self.text)
        if match:
            self.cut(match)
        return match

    def cut(self, match: re.Match[str]) -> None:
        self.text = f"{self.text[: match.start()]} ; {self.text[match.end() :]}"

    def leftover(self) -> str:
        words = [w for w in re.split(r"[\s;]+", self.text) if w and w not in _STOP]
        return " ".join(words)


def _fail(what: str, example: str = EXAMPLES) -> UnreadableTime:
    return UnreadableTime(f"{what}, for example {example}.")


def _hour(hour: int, minute: int, meridiem: str | None, hours: tuple[time, time]) -> time:
    """A clock reading; an hour 1-12 without am/pm takes the reading in working ``hours``
    (pm when neither is and the am one is too early): "at 3" is 15:00, "at 9" is 09:00,
    "at 7" is 19:00 with the default 08:00-18:00."""
    if hour > 23 or minute > 59 or (meridiem in ("am", "pm") and not 1 <= hour <= 12):
        shown = f"{hour}{meridiem}" if meridiem in ("am", "pm") else f"{hour}:{minute:02d}"
        raise _fail(f"{shown} isn't a time of day: hours run from 0 to 23", '"15:00" or "3pm"')
    if meridiem in ("am", "pm"):
        return time(hour % 12 + (12 if meridiem == "pm" else 0), minute)
    if meridiem == "24h" or not 1 <= hour <= 12:
        return time(hour, minute)
    am, pm = time(hour % 12, minute), time(hour % 12 + 12, minute)
    if hours[0] <= am < hours[1] or (not hours[0] <= pm < hours[1] and am >= hours[0]):
        return am
    return pm


def _clocks(
    phrase: _Phrase, hours: tuple[time, time]
) -> tuple[time | None, int | None, str | None]:
    """The time, the length if a range was given, and a part of day seen without a time."""
    part = _PART.search(phrase.text)
    mer = {"morning": "am"}.get(part.group(1), "pm") if part else None
    found = list(_CLOCK.finditer(phrase.text))
    explicit = [m for m in found if m[1] or m[3] or m[4]]
    bare = [m for m in found if m not in explicit]

    def read(m: re.Match[str], meridiem: str | None) -> time:
        if m[1]:
            return time(0) if m[1] == "midnight" else time(12)
        hour, own = int(m[2]), m[4] if m[4] in ("am", "pm") else None
        if (m[2].startswith("0") or hour > 12) and not own:
            return _hour(hour, int(m[3] or 0), "24h", hours)
        return _hour(hour, int(m[3] or 0), own or meridiem, hours)

    for a, b in itertools.pairwise(found):
        if _RANGE_GAP.fullmatch(phrase.text[a.end() : b.start()]):
            end = read(b, mer)
            first = read(
                a, None if a[4] in ("am", "pm") else (b[4] if b[4] in ("am", "pm") else mer)
            )
            if (first.hour * 60 + first.minute) >= end.hour * 60 + end.minute and not a[4]:
                first = read(a, "am")
            phrase.cut(b)
            phrase.cut(a)
            length = (end.hour * 60 + end.minute) - (first.hour * 60 + first.minute)
            return first, length, None
    picked = explicit or [m for m in bare if _AT.search(phrase.text[: m.start()])] or bare
    times = {read(m, mer) for m in picked}
    if len(times) > 1:
        shown = " and ".join(sorted(t.strftime("%H:%M") for t in times))
        raise _fail(f"I found more than one time ({shown}): give one for all the days")
    for m in reversed(picked):
        phrase.cut(m)
    if not times:
        return None, None, part.group(1) if part else None
    phrase.take(_PART)
    return times.pop(), None, None


def _next_date(day: int, month: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    if ordinal > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _one_off_date(phrase: _Phrase, vocabulary: _Vocabulary, today: date) -> date | None:
    """A date written out: "tomorrow", "March 10", "10 de marzo", "the 10th", "2026-03-10"."""
    if relative := phrase.take(_RELATIVE):
        return today + timedelta(days=("today", "tomorrow", "overmorrow").index(relative[1]))
    if iso := phrase.take(_ISO):
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise _fail(f"'{iso[0]}' isn't a date", '"2026-03-10 at 3pm"') from None
    month_day = r"(?:\s+the)?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?::|\.\d|am|pm|h|uhr))"
    for pattern in (
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?(?:\s+(?:of|de))?\s+{vocabulary.month_re.pattern}",
        rf"{vocabulary.month_re.pattern}{month_day}",
    ):
        if found := phrase.take(re.compile(pattern)):
            day, name = (found[1], found[2]) if found[1].isdigit() else (found[2], found[1])
            return _next_date(int(day), vocabulary.months[name], today)
    for numeric in _NUMERIC.finditer(phrase.text):
        first, second = int(numeric[1]), int(numeric[2] or numeric[4])
        if numeric[4] or first > 12:  # "10.3." and "15/3" are day first
            readings = {(first, second)}
        else:
            readings = {(d, m) for d, m in ((first, second), (second, first)) if m <= 12}
        if len(readings) > 1:
            raise _fail(
                f"'{numeric[0]}' could be either day first or month first: write the month "
                "as a word",
                '"March 10 at 3pm"',
            )
        if readings and (day_month := readings.pop())[1] <= 12:
            phrase.cut(numeric)
            return _next_date(*day_month, today)
    if nth := phrase.take(_NTH):
        for months_ahead in range(2):
            month = (today.month - 1 + months_ahead) % 12 + 1
            year = today.year + (today.month - 1 + months_ahead) // 12
            try:
                if (candidate := date(year, month, int(nth[1]))) >= today:
                    return candidate
            except ValueError:
                continue
    return None


def _ask_for_day() -> UnreadableTime:
    return _fail("Add a day: a day of the week or a date", '"Tuesdays at 3pm" or "tomorrow at 3pm"')


def parse_time_of_day(
    text: str, *, tz: str = "UTC", now: datetime, working_hours: tuple[time, time] = WORKING_HOURS
) -> time:
    """Just the clock part ("3pm", "15h30", "half past three"); ``tz``/``now`` are kept for
    callers written when dateparser read it."""
    vocabulary = _vocabulary(("en",))
    phrase = _Phrase(_normalise(text, vocabulary, ("en",)))
    at, _, part = _clocks(phrase, working_hours)
    if at is None:
        raise _fail(f"Add a time{' to ' + repr(part) if part else ''}")
    return at


def parse_when(
    text: str,
    *,
    tz: str,
    now: datetime,
    languages: Sequence[str] = (),
    min_minutes: int = 45,
    max_minutes: int = 60,
    working_hours: tuple[time, time] = WORKING_HOURS,
    cadences: Collection[int] = (1, 2, 3, 4),
    several_days: bool = False,
    monthly: bool = False,
) -> SessionTime:
    """Read a plain-words meeting time in the author's zone ``tz``, as of ``now``.

    ``languages`` are the author's (a Slack locale such as "de-DE" works), English always.
    ``several_days`` and ``monthly`` let those rules through once the caller can store them;
    until then they are refused, never saved as their first day. Raises ``UnreadableTime``.
    """
    if not text.strip():
        raise _fail("Say when you'd like to meet")
    if len(text) > 200:
        raise _fail("Keep it short")
    langs = _languages(tuple(languages))
    vocabulary = _vocabulary(langs)
    phrase = _Phrase(_normalise(text, vocabulary, langs))
    said = " ".join(text.split())
    for pattern, what, example in (
        (_DAILY, "I can't schedule daily sessions: pick the day(s) of the week", None),
        (_TWICE, "Say which days", '"Mondays and Thursdays at 8am"'),
        (_ODD, "That rhythm isn't offered: sessions repeat weekly or every few weeks", None),
    ):
        if refused := pattern.search(phrase.text):
            shown = '"Mondays and Thursdays at 8am"' if several_days else '"Tuesdays at 3pm"'
            raise _fail(f"{what} ('{refused[0]}')", example or shown)
    where = tz
    for match in _ZONE.finditer(phrase.text):
        name = _zone_names().get(match[1]) if "/" in match[1] else _ZONES.get(match[1])
        after_time = re.search(r"(\d|[ap]m)\s*$", phrase.text[: match.start()])
        if name and (len(match[1]) > 2 or after_time):
            where = name
            phrase.cut(match)
            break
    length: int | None = None
    for pattern in _DURATIONS:
        if duration := phrase.take(pattern):
            length = _minutes(duration[1], duration[2], duration[3], duration[4])
            break
    local_now = now.astimezone(zone(where))
    today = local_now.date()

    ordinal: int | None = None
    every: int | None = None
    said_monthly = False
    if (ord_match := vocabulary.ordinal_re.search(phrase.text)) and not (
        ord_match[1] and _ORDINAL[ord_match[2]] == 2 and not _MONTHLY.search(phrase.text)
    ):
        ordinal = _ORDINAL[ord_match[2]]
        if ordinal == 5:
            raise _fail("Not every month has a fifth one: pick first to fourth, or last",
                        '"the last Friday of the month at 3pm"')  # fmt: skip
        phrase.text = phrase.text.replace(ord_match[0], f" {ord_match[3]} ", 1)
        said_monthly = bool(phrase.take(_MONTHLY) or ord_match[1])
    elif found := phrase.take(_MONTHLY):
        raise _fail(f"Say which week of the month ('{found[0]}')",
                    '"the first Monday of every month at 9"')  # fmt: skip
    for pattern, weeks in _CADENCES:
        if cadence := phrase.take(pattern):
            every = weeks or int(cadence[1])
            while phrase.take(_CADENCES[-1][0]):
                pass
            break
    start_date = _one_off_date(phrase, vocabulary, today)
    months = vocabulary.month_re.search(phrase.text)
    at, range_length, part = _clocks(phrase, working_hours)
    length = range_length if range_length is not None else length

    days: list[int] = []
    plural = one_off = False
    for day in vocabulary.day_re.finditer(phrase.text):
        days.append(vocabulary.days[day[2]])
        plural |= day[2] in vocabulary.plurals
        one_off |= bool(day[1] or day[3])
    phrase.text = vocabulary.day_re.sub(" ; ", phrase.text)
    if re.search(r"\bor\b", phrase.text) and len(days) > 1:
        raise _fail("Pick the days you mean: I read 'or'", '"Tuesdays and Thursdays at 3pm"')
    days = sorted(set(days), key=days.index)
    if ordinal is not None and months and not said_monthly:  # "the first Monday of April"
        month = vocabulary.months[months[1]]
        start_date = _nth_weekday(today.year + (month < today.month), month, days[0], ordinal)
        ordinal = None
        phrase.take(vocabulary.month_re)
    elif ordinal is not None and not said_monthly:
        named = f"the {ORDINALS[ordinal]} {WEEKDAYS[days[0]].capitalize()}"
        raise _fail(f"Say which month, or 'of every month', for {named}",
                    '"the first Monday of every month at 9"')  # fmt: skip
    rest = " ".join(re.split(r"[\s;]+", phrase.text)).strip()
    if not days and start_date is None and at is not None and phrase.leftover():
        parsed = dateparser.parse(rest, languages=list(langs), settings=_settings(where, now))
        if parsed is not None:  # "in 2 days", or a form only dateparser knows
            start_date, phrase.text = parsed.date(), ""
    if not days and start_date is None:
        if at is None:
            raise _fail(f"I need a day and a time, and found neither in '{said}'")
        raise _ask_for_day()
    if at is None:
        if part:
            raise _fail(f"'{part}' isn't a time I can put in a calendar: add the hour",
                        '"every Friday at 9am"')  # fmt: skip
        raise _fail(f"Add a time to '{said}'", '"Tuesdays at 3pm"')
    if length is not None and not min_minutes <= length <= max_minutes:
        raise _fail(f"Sessions last {min_minutes} to {max_minutes} minutes, and you said "
                    f"{length}", '"10:30am-11:15am" or "for 45 minutes"')  # fmt: skip
    if every is not None and every not in cadences:
        offered = " or ".join(str(n) for n in sorted(cadences) if n > 1)
        raise _fail(f"Every {every} weeks isn't offered: sessions repeat weekly or every "
                    f"{offered} weeks", '"every other Monday at 11"')  # fmt: skip
    rule = every is not None or ordinal is not None or plural
    if start_date is not None and (rule or one_off):
        raise _fail("That mixes a repeating rule and a date: give one or the other",
                    '"Tuesdays at 3pm" or "Tuesday the 10th at 3pm"')  # fmt: skip
    ignored = phrase.leftover()
    if start_date is not None or one_off:
        if len(days) > 1:
            raise _fail("A single session is on one day", '"next Friday at 2:30pm"')
        if start_date is None:  # "next Friday": the first one after today
            start_date = today + timedelta(days=(days[0] - today.weekday() - 1) % 7 + 1)
        if days and start_date.weekday() != days[0]:
            raise _fail(f"{start_date:%A %d %B} isn't a {WEEKDAYS[days[0]].capitalize()}",
                        f'"{start_date:%A} the {start_date.day} at 3pm"')  # fmt: skip
        if local_to_utc(start_date, at, where) <= now:
            raise UnreadableTime("That time has already passed: pick one in the future.")
        once = SessionTime(where, at, start_date, 0, start_date.weekday())
        return _convert(replace(once, duration_minutes=length, ignored=ignored), tz)
    if len(days) > 1 and not several_days:
        raise _fail("Several days a week can't be scheduled yet: pick one day",
                    '"Tuesdays at 3pm"')  # fmt: skip
    if ordinal is not None and not monthly:
        raise _fail("Monthly sessions can't be scheduled yet: pick a weekly rhythm",
                    '"every 4 weeks on Monday at 9"')  # fmt: skip
    firsts = []
    for weekday in days:
        if ordinal is not None:
            first = _nth_weekday(today.year, today.month, weekday, ordinal)
            if local_to_utc(first, at, where) <= now:
                year, month = today.year + today.month // 12, today.month % 12 + 1
                first = _nth_weekday(year, month, weekday, ordinal)
        else:
            first = today + timedelta(days=(weekday - today.weekday()) % 7)
            if local_to_utc(first, at, where) <= now:
                first += timedelta(days=7)
        firsts.append(first)
    first = min(firsts)
    session = SessionTime(
        tz=where,
        local_time=at,
        first_date=first,
        every_weeks=4 if ordinal is not None else every or 1,
        weekday=first.weekday(),
        days=tuple(sorted(days)) if len(days) > 1 else (),
        monthly_ordinal=ordinal,
        duration_minutes=length,
        ignored=ignored,
    )
    return _convert(session, tz)


def _convert(found: SessionTime, tz: str) -> SessionTime:
    """A rule said in another zone ("7pm EST"), restated on the author's own wall clock."""
    if found.tz == tz:
        return found
    start = found.first_start().astimezone(zone(tz))
    shift = (start.date() - found.first_date).days
    if shift and found.monthly_ordinal is not None:
        raise _fail(f"In {tz} that falls on another day of the week: say it in your own zone",
                    '"the first Monday of every month at 9"')  # fmt: skip
    days = tuple(sorted((d + shift) % 7 for d in found.days))
    return replace(found, tz=tz, local_time=start.time(), first_date=start.date(),
                   weekday=start.weekday(), days=days)  # fmt: skip


def _settings(tz: str, now: datetime) -> dict[str, Any]:
    return {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.astimezone(zone(tz)).replace(tzinfo=None),
        "TIMEZONE": tz or "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day"],
    }


def warm_up() -> None:
    """dateparser loads its language data on first use (~100 ms): do it before Slack waits."""
    now = datetime.now(UTC)
    parse_when("Tuesdays at 3pm", tz="UTC", now=now)
    parse_when("tomorrow 10am", tz="UTC", now=now)
    dateparser.parse("in 2 days", languages=LANGUAGES, settings=_settings("UTC", now))
