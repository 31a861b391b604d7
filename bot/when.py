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

import contextlib
import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
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
# Connectors and cadences per language, folded (no accents): "from=to", "_" for a space.
_WORDS = {
    "en": (
        "evry=every everey=every tmrw=tomorrow tomorow=tomorrow tommorow=tomorrow "
        "tommorrow=tomorrow oclock=o'clock o_clock=o'clock bi_weekly=biweekly "
        "bi-weekly=biweekly day_after_tomorrow=overmorrow tonight=today_evening 12_noon=noon "
        "alternate=every_other every_single=every hrs=hours hr=hour one=1 two=2 three=3 "
        "four=4 five=5 six=6 seven=7 eight=8 nine=9 ten=10 eleven=11 twelve=12"
    ),
    "de": (
        "jeden=every jede=every jeder=every alle_zwei_wochen=every_2_weeks "
        "alle_2_wochen=every_2_weeks alle_14_tage=fortnightly alle_drei_wochen=every_3_weeks "
        "jede_zweite_woche=every_other_week zweiwochentlich=fortnightly wochentlich=weekly "
        "um=at und=and oder=or morgen=tomorrow heute=today ubermorgen=overmorrow "
        "nachsten=next nachste=next kommenden=next ersten=first zweiten=second dritten=third "
        "vierten=fourth letzten=last im_monat=of_the_month des_monats=of_the_month "
        "jeden_monat=every_month monatlich=monthly taglich=daily jeden_tag=every_day "
        "mittags=noon mittag=noon morgens=morning vormittags=morning nachmittags=afternoon "
        "abends=evening tagen=days tage=days fur=for minuten=minutes stunde=hour eine=an "
        "ab=starting bis=-"
    ),
    "fr": (
        "chaque=every tous_les=every toutes_les_deux_semaines=every_2_weeks "
        "tous_les_quinze_jours=fortnightly une_semaine_sur_deux=every_other_week le=on les=on "
        "et=and ou=or demain=tomorrow aujourd'hui=today apres-demain=overmorrow prochain=next "
        "prochaine=next premier=first 1er=first deuxieme=second troisieme=third "
        "quatrieme=fourth dernier=last du_mois=of_the_month de_chaque_mois=of_every_month "
        "chaque_mois=every_month tous_les_mois=every_month hebdomadaire=weekly "
        "tous_les_jours=daily chaque_jour=daily midi=noon minuit=midnight du_matin=morning "
        "matin=morning de_l'apres-midi=afternoon apres-midi=afternoon du_soir=evening "
        "soir=evening dans=in jours=days pendant=for heure=hour heures=hours a_partir_du=starting"
    ),
    "es": (
        "cada=every todos_los=every todas_las=every cada_dos_semanas=every_2_weeks "
        "cada_2_semanas=every_2_weeks cada_quince_dias=fortnightly quincenal=fortnightly "
        "semanal=weekly cada_semana=weekly los=on el=on y=and o=or a_las=at a_la=at "
        "manana=tomorrow de_la_manana=morning de_la_tarde=afternoon por_la_tarde=afternoon "
        "de_la_noche=evening hoy=today pasado_manana=overmorrow proximo=next que_viene=next "
        "primer=first primero=first segundo=second tercer=third ultimo=last "
        "del_mes=of_the_month de_cada_mes=of_every_month cada_mes=every_month cada_dia=daily "
        "todos_los_dias=daily mediodia=noon medianoche=midnight durante=for minutos=minutes "
        "hora=hour horas=hours en=in dias=days desde=starting y_media=:30 y_cuarto=:15"
    ),
}
_LEXICON = {
    lang: dict(w.replace("_", " ").split("=") for w in words.split())
    for lang, words in _WORDS.items()
}
_ZONES = {"est": "America/New_York", "edt": "America/New_York", "et": "America/New_York"}
_ZONES |= {"cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago"}
_ZONES |= {"mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver"}
_ZONES |= {"pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles"}
_ZONES |= {"gmt": "UTC", "utc": "UTC", "bst": "Europe/London", "cet": "Europe/Berlin"}
_ZONES |= {"cest": "Europe/Berlin", "eet": "Europe/Helsinki", "jst": "Asia/Tokyo"}
_STOP = set(re.findall(r"\S+", "at on the every each and in from of a an to for with s week weeks"))
_STOP |= set(
    re.findall(r"\S+", "please meet meeting session sessions lets let's let us we can - @")
)
_ZONE = re.compile(r"(?<!')\b(in\s+)?([a-z]+(?:/[a-z_+\-]+){1,2}|[a-z]{2,4})\b")
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
_REFUSALS = [(what, example, re.compile(rf"\b(?:{words})\b")) for what, example, words in _REFUSED]
_DURATIONS = (
    re.compile(r"\bfor\s+(\d+(?:[.,]\d+)?|an?|half\s+an?)\s*(h|hours?|minutes?|mins?|m)"
               r"(?:(?<=h)(\d{2}))?\b(\s+and\s+a\s+half)?"),
    re.compile(r"\b(\d+(?:[.,]\d+)?|an?|half\s+an?)\s*(hours?|minutes?|mins?)()\b"
               r"(\s+and\s+a\s+half)?"),
)  # fmt: skip
_MONTHLY = re.compile(
    r"\b(?:(?:of\s+)?(?:the|every|each)\s+month|monthly|once\s+a\s+month|a\s+month|per\s+month)\b"
)
_CADENCES = (  # the first that matches says how many weeks apart (0: the number said)
    (re.compile(r"\b(?:every|each)\s+(?:other|second|2nd)(?:\s+weeks?)?\b"), 2),
    (re.compile(r"\b(?:biweekly|fortnightly|(?:once\s+)?(?:a|every|each)\s+fortnight)\b"), 2),
    (re.compile(r"\b(?:once\s+)?every\s+(\d+)(?:st|nd|rd|th)?\s+weeks?\b"), 0),
    (re.compile(r"\bevery\s+(?:third|3rd)\s+weeks?\b"), 3),
    (re.compile(r"\bevery\s+(?:fourth|4th)\s+weeks?\b"), 4),
    (re.compile(r"\b(?:weekly|(?:every|each|once\s+a|per|a)\s+week)\b"), 1),
    (re.compile(r"\b(?:every|each)\b"), 1),
)
_RELATIVE = re.compile(r"\b(today|tomorrow|overmorrow)\b|\bin\s+(\d{1,2}|an?)\s+days?\b")
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
_EX_MONTHLY = '"the first Monday of every month at 9"'


class UnreadableTime(ValueError):
    """The text couldn't be read as a time; the message says what is missing, with an example."""


@dataclass(frozen=True)
class SessionTime:
    """When a pair meets, as the author meant it: a wall-clock rule in their time zone.

    ``every_weeks`` is N (every N weeks) or 0 (once, on ``first_date``); a monthly rule
    (``monthly_ordinal`` 1..4, -1 for last) keeps 4 there for code that only knows weeks, so
    its dates must come from ``dates()``. ``days``: all weekdays of a rule with several (empty
    means ``weekday`` alone); ``weekday``/``first_date`` are the first one coming. ``ignored``
    is what was skipped as filler, so a confirmation can show it rather than hide it.
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
        """The local dates it falls on from ``start`` to ``until`` (both included): reminders,
        skips and the sessions list need them, and a monthly rule can't be stepped in weeks."""
        if not self.recurring:
            return [self.first_date] if start <= self.first_date <= until else []
        start, found = max(start, self.first_date), []
        if self.monthly_ordinal is not None:
            year, month = start.year, start.month
            while (day := _nth_weekday(year, month, self.weekday, self.monthly_ordinal)) <= until:
                found += [day] if day >= start else []
                year, month = year + month // 12, month % 12 + 1
            return found
        step = timedelta(weeks=self.every_weeks)
        monday = self.first_date - timedelta(days=self.first_date.weekday())
        monday += step * max(0, (start - monday).days // step.days)
        for week in range((until - monday).days // step.days + 1):
            days = (monday + step * week + timedelta(days=d) for d in self.rule_days)
            found += [day for day in days if start <= day <= until]
        return found

    def rrule(self, until: date | datetime | None = None) -> str:
        """The iCalendar RRULE; UNTIL (the term's end) in UTC, as RFC 5545 wants with a TZID."""
        if not self.recurring:
            raise ValueError("a one-off session has no recurrence rule")
        byday = ",".join(_BYDAY[d] for d in self.rule_days)
        text = f"FREQ=WEEKLY;INTERVAL={self.every_weeks};BYDAY={byday}"
        if self.monthly_ordinal is not None:
            text = f"FREQ=MONTHLY;BYDAY={self.monthly_ordinal}{_BYDAY[self.weekday]}"
        if until is not None:
            if not isinstance(until, datetime):
                until = local_to_utc(until, self.local_time, self.tz)
            text += f";UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        return text

    def describe(self, tz: str | None = None) -> str:
        """'every Tuesday at 15:00 (Europe/Berlin)', in the reader's zone ``tz`` if given;
        another zone can move the day as well as the hour, so the days shift with it."""
        reader = tz or self.tz
        start = self.first_start().astimezone(zone(reader))
        shift = (start.date() - self.first_date).days
        at = f"{start:%H:%M}{f' ({reader})' if reader else ''}"
        length = f", {self.duration_minutes} minutes" if self.duration_minutes else ""
        if not self.recurring:
            return f"once, on {start:%A %d %B} at {at}{length}"
        names = [WEEKDAYS[(d + shift) % 7].capitalize() for d in self.rule_days]
        days = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        if self.monthly_ordinal is not None:
            ordinal, own = ORDINALS[self.monthly_ordinal], WEEKDAYS[self.weekday].capitalize()
            if shift:
                own_at = f"{self.local_time:%H:%M} ({self.tz})"
                return f"the {ordinal} {own} of every month at {own_at}, {days} {at}{length}"
            return f"the {ordinal} {days} of every month at {at}{length}"
        every = {1: f"every {days}", 2: f"every other {days}"}.get(self.every_weeks)
        return f"{every or f'every {self.every_weeks} weeks on {days}'} at {at}{length}"


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


def _alternation(words: Collection[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Vocabulary:
    """Built once per set of languages: the phrase-independent part of reading."""

    days: dict[str, int]
    plurals: frozenset[str]
    months: dict[str, int]
    words: dict[str, str]
    fuzzy: tuple[str, ...]
    known: frozenset[str]
    day_re: re.Pattern[str]
    month_re: re.Pattern[str]
    lexicon: re.Pattern[str]
    ordinal_re: re.Pattern[str]


@lru_cache(maxsize=32)
def _vocabulary(languages: tuple[str, ...]) -> _Vocabulary:
    """Weekday and month names from dateparser's data, so any language it knows has them;
    short forms ("di", "mar") are left out: they collide with other words."""
    days = {name: i for i, name in enumerate(WEEKDAYS)} | dict(_EN_DAYS)
    months = {name[:3]: i for i, name in enumerate(MONTHS, 1)} | {"sept": 9}
    months |= {name: i for i, name in enumerate(MONTHS, 1)}
    words: dict[str, str] = {}
    for language in languages:
        info = default_loader.get_locale(language).info
        for i, name in enumerate(WEEKDAYS):
            days |= {_fold(n): i for n in info.get(name, []) if len(n) >= 4}
        for i, name in enumerate(MONTHS, 1):
            months |= {_fold(n).rstrip("."): i for n in info.get(name, []) if len(n) >= 3}
        words |= _LEXICON.get(language, {})
    plurals = {n + "s": i for n, i in days.items() if len(n) > 3 and n[-1] != "s"}
    plurals = {n: i for n, i in plurals.items() if n not in days}
    days |= plurals
    months = {name: m for name, m in months.items() if name not in days and name not in words}
    day = _alternation(days)
    return _Vocabulary(
        days=days,
        plurals=frozenset(plurals),
        months=months,
        words=words,
        fuzzy=(*(n for n in days if len(n) >= 6), "every"),
        known=frozenset(re.findall(r"[a-z]+", " ".join([*days, *months, *words, *words.values()]))),
        day_re=re.compile(rf"\b(?:(next|this|coming)\s+)?({day})\b(\s+next)?"),
        month_re=re.compile(rf"\b({_alternation(months)})\b\.?"),
        lexicon=re.compile(rf"(?<![\w'])({_alternation(words)})(?![\w'])"),
        ordinal_re=re.compile(
            rf"\b(?:(?:on\s+)?the\s+|(every|each)\s+)?({_alternation(_ORDINAL)})\s+({day})\b"
        ),
    )


@lru_cache(maxsize=4096)
def _correct(word: str, languages: tuple[str, ...]) -> str:
    """A misspelt weekday ("Teusdays") or "evry" becomes the word meant; others stay."""
    vocabulary = _vocabulary(languages)
    if word in vocabulary.known:  # "viene" (es) is not a misspelt "viernes"
        return word
    close = difflib.get_close_matches(word, vocabulary.fuzzy, n=1, cutoff=0.8)
    return close[0] if close else word


@lru_cache(maxsize=64)
def _languages(requested: tuple[str, ...]) -> tuple[str, ...]:
    """ "de-DE" -> "de"; English always; languages dateparser doesn't know are dropped."""
    found = ["en"]
    for short in (code.replace("_", "-").split("-")[0].lower() for code in requested):
        try:
            found += [] if short in found else [default_loader.get_locale(short).shortname]
        except (ValueError, KeyError):
            continue
    return tuple(found)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _normalise(text: str, vocabulary: _Vocabulary, languages: tuple[str, ...]) -> str:
    """One spelling for each thing: folded, typos fixed, other languages' connectors in
    English, "half past three" as 3:30, so the grammar below has one form to match."""
    phrase = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", _fold(" ".join(text.split())))
    phrase = re.sub(r"[,;!?()]|(?<=[a-z])\.(?=\s|$)", " ", phrase).replace("\u2019", "'")
    phrase = re.sub(r"\s*[\u2013\u2014]\s*", " - ", phrase)
    phrase = re.sub(r"[a-z]{4,}", lambda m: _correct(m.group(), languages), phrase)
    if "de" in languages:  # "am Dienstag", "halb vier" (= 3:30)
        phrase = re.sub(r"(?<!\d)(?<!\d )\bam\b(?=\s+[a-z])", "on", phrase)
        phrase = re.sub(r"\bhalb\s+(\d{1,2})\b", lambda m: f"{int(m[1]) - 1}:30", phrase)
    if {"fr", "es"} & set(languages):
        phrase = re.sub(r"\ba(?=\s+\d)", "at", phrase)
    phrase = vocabulary.lexicon.sub(lambda m: vocabulary.words[m.group()], phrase)
    for pattern, replacement in _CLOCK_WORDS:
        phrase = re.sub(pattern, replacement, phrase)
    return " ".join(phrase.split())


_CLOCK_WORDS: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    (r"(\d{1,2})\s+:(\d{2})", r"\1:\2"),  # "3 y media" -> "3 :30" -> "3:30"
    (r"\bhalf\s+(?:past|after)\s+(\d{1,2})\b", r"\1:30"),
    (r"\b(?:a\s+)?quarter\s+(?:past|after)\s+(\d{1,2})\b", r"\1:15"),
    (r"\b(?:a\s+)?quarter\s+(?:to|before|of)\s+(\d{1,2})\b", lambda m: f"{int(m[1]) - 1}:45"),
    (r"\bhalf\s+(\d{1,2})\b(?!\s*(?:h|hours?)\b)", r"\1:30"),  # British "half three"
    (r"\bbetween\s+(\S+)\s+and\s+", r"\1 - "),
)


class _Phrase:
    """The folded phrase; each piece is cut out once read, so what is left is filler."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        if match := pattern.search(self.text):
            self.cut(match)
        return match

    def cut(self, match: re.Match[str]) -> None:
        self.text = f"{self.text[: match.start()]} ; {self.text[match.end() :]}"

    def leftover(self) -> str:
        return " ".join(w for w in re.split(r"[\s;]+", self.text) if w and w not in _STOP)


def _fail(what: str, example: str = EXAMPLES) -> UnreadableTime:
    return UnreadableTime(f"{what}, for example {example}.")


def _minutes(match: re.Match[str]) -> int:
    amount, unit, extra, half = match.groups()
    number = 1.0 if amount in ("a", "an") else 0.5 if amount.startswith("half") else None
    number = number or float(amount.replace(",", "."))
    return round(number * (60 if unit.startswith("h") else 1)) + int(extra or 0) + 30 * bool(half)


def _hour(hour: int, minute: int, meridiem: str | None, hours: tuple[time, time]) -> time:
    """An hour 1-12 without am/pm takes the reading inside working ``hours``, else pm when
    the am one is too early: "at 3" is 15:00, "at 9" 09:00, "at 7" 19:00 with 08:00-18:00."""
    if hour > 23 or minute > 59 or (meridiem in ("am", "pm") and not 1 <= hour <= 12):
        shown = f"{hour}{meridiem}" if meridiem in ("am", "pm") else f"{hour}:{minute:02d}"
        raise _fail(f"{shown} isn't a time of day: hours run from 0 to 23", '"15:00" or "3pm"')
    if meridiem in ("am", "pm"):
        return time(hour % 12 + (12 if meridiem == "pm" else 0), minute)
    if meridiem == "24h" or not 1 <= hour <= 12:
        return time(hour, minute)
    am, pm = time(hour % 12, minute), time(hour % 12 + 12, minute)
    inside = hours[0] <= am < hours[1] or (not hours[0] <= pm < hours[1] and am >= hours[0])
    return am if inside else pm


def _clocks(phrase: _Phrase, hours: tuple[time, time]) -> tuple[time | None, int | None, str]:
    """The time, the length if a range gave one, and a part of day said without a time."""
    part = _PART.search(phrase.text)
    said = {"morning": "am"}.get(part[1], "pm") if part else None
    found = list(_CLOCK.finditer(phrase.text))
    explicit = [m for m in found if m[1] or m[3] or m[4]]

    def read(m: re.Match[str], meridiem: str | None) -> time:
        if m[1]:
            return time(0) if m[1] == "midnight" else time(12)
        hour, own = int(m[2]), m[4] if m[4] in ("am", "pm") else None
        if (m[2].startswith("0") or hour > 12) and not own:  # "09:30", "15:00"
            return _hour(hour, int(m[3] or 0), "24h", hours)
        return _hour(hour, int(m[3] or 0), own or meridiem, hours)

    def minutes(at: time) -> int:
        return at.hour * 60 + at.minute

    for a, b in itertools.pairwise(found):
        if _RANGE_GAP.fullmatch(phrase.text[a.end() : b.start()]):  # "3-4pm", "10:30-11:15"
            end = read(b, said)
            first = read(a, b[4] if b[4] in ("am", "pm") and not a[4] else said)
            first = read(a, "am") if minutes(first) >= minutes(end) and not a[4] else first
            phrase.cut(b)
            phrase.cut(a)
            return first, minutes(end) - minutes(first), ""
    bare = [m for m in found if m not in explicit]
    picked = explicit or [m for m in bare if _AT.search(phrase.text[: m.start()])] or bare
    times = {read(m, said) for m in picked}
    if len(times) > 1:
        shown = " and ".join(sorted(f"{t:%H:%M}" for t in times))
        raise _fail(f"I found more than one time ({shown}): give one for all the days")
    for m in reversed(picked):
        phrase.cut(m)
    if not times:
        return None, None, part[1] if part else ""
    phrase.take(_PART)
    return times.pop(), None, ""


def _named_zone(phrase: _Phrase) -> str | None:
    """ "15:00 Europe/London", "7pm EST"; a two-letter one ("ET") only after a time or "in",
    since "et" is also French for "and"."""
    for match in _ZONE.finditer(phrase.text):
        iana = "/" in match[2]
        name = _zone_names().get(match[2]) if iana else _ZONES.get(match[2])
        after_time = re.search(r"(\d|[ap]m|noon|midday|h|uhr)\s*$", phrase.text[: match.start()])
        if name and (len(match[2]) > 2 or match[1] or after_time):
            phrase.cut(match)
            return name
    return None


def _rhythm(phrase: _Phrase, vocabulary: _Vocabulary) -> tuple[int | None, int | None, bool]:
    """The monthly ordinal, the weeks apart, and whether the month was said ("of the month",
    "every first"); "every second Monday" is every other week, not monthly."""
    ordinal, every, said_monthly = None, None, False
    found = vocabulary.ordinal_re.search(phrase.text)
    if found and not (found[1] and _ORDINAL[found[2]] == 2 and not _MONTHLY.search(phrase.text)):
        if (ordinal := _ORDINAL[found[2]]) == 5:
            raise _fail("Not every month has a fifth: pick first to fourth, or last", _EX_MONTHLY)
        phrase.text = phrase.text.replace(found[0], f" {found[3]} ", 1)
        said_monthly = bool(phrase.take(_MONTHLY) or found[1])
    elif found := phrase.take(_MONTHLY):
        raise _fail(f"Say which week of the month ('{found[0]}')", _EX_MONTHLY)
    for pattern, weeks in _CADENCES:
        if cadence := phrase.take(pattern):
            every = weeks or int(cadence[1])
            while phrase.take(_CADENCES[-1][0]):
                pass
            break
    return ordinal, every, said_monthly


def _next_date(day: int, month: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        with contextlib.suppress(ValueError):
            if (candidate := date(year, month, day)) >= today:
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
        if relative[2]:  # "in 2 days"
            return today + timedelta(days=1 if relative[2] in ("a", "an") else int(relative[2]))
        return today + timedelta(days=("today", "tomorrow", "overmorrow").index(relative[1]))
    if iso := phrase.take(_ISO):
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise _fail(f"'{iso[0]}' isn't a date", '"2026-03-10 at 3pm"') from None
    month = vocabulary.month_re.pattern
    for pattern in (
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?(?:\s+(?:of|de))?\s+{month}",
        rf"{month}(?:\s+the)?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?::|\.\d|am|pm|h|uhr))",
    ):
        if found := phrase.take(re.compile(pattern)):
            day, name = (found[1], found[2]) if found[1].isdigit() else (found[2], found[1])
            return _next_date(int(day), vocabulary.months[name], today)
    for numeric in _NUMERIC.finditer(phrase.text):
        first, second = int(numeric[1]), int(numeric[2] or numeric[4])
        readings = {(first, second), (second, first)} if first <= 12 and not numeric[4] else set()
        readings = {(d, m) for d, m in readings or {(first, second)} if m <= 12}
        if len(readings) > 1:
            what = f"'{numeric[0]}' could be day or month first: write the month as a word"
            raise _fail(what, '"March 10 at 3pm"')
        if readings:
            phrase.cut(numeric)
            (number, month_number), year = readings.pop(), numeric[3] or numeric[5]
            if not year:
                return _next_date(number, month_number, today)
            with contextlib.suppress(ValueError):
                return date(int(year) + 2000 * (len(year) == 2), month_number, number)
            raise _fail(f"'{numeric[0]}' isn't a date", '"March 10 at 3pm"')
    if nth := phrase.take(_NTH):
        ahead = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        for month_start in (today.replace(day=1), ahead):
            with contextlib.suppress(ValueError):
                if (candidate := month_start.replace(day=int(nth[1]))) >= today:
                    return candidate
    return None


def parse_time_of_day(
    text: str, *, tz: str = "UTC", now: datetime, working_hours: tuple[time, time] = WORKING_HOURS
) -> time:
    """Just the clock part ("3pm", "15h30", "half past three"); ``tz`` and ``now`` stay for
    the callers written when dateparser read it."""
    phrase = _Phrase(_normalise(text, _vocabulary(("en",)), ("en",)))
    at, _, part = _clocks(phrase, working_hours)
    if at is None:
        raise _fail(f"Add a time{f' to {part!r}' if part else ''}")
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
    if not text.strip() or len(text) > 200:
        raise _fail("Say when you'd like to meet" if not text.strip() else "Keep it short")
    langs = _languages(tuple(languages))
    vocabulary = _vocabulary(langs)
    phrase, said = _Phrase(_normalise(text, vocabulary, langs)), " ".join(text.split())
    for what, example, pattern in _REFUSALS:
        if refused := pattern.search(phrase.text):
            usual = '"Mondays and Thursdays at 8am"' if several_days else '"Tuesdays at 3pm"'
            raise _fail(f"{what} ('{refused[0]}')", example or usual)
    where = _named_zone(phrase) or tz
    length = next((_minutes(m) for p in _DURATIONS if (m := phrase.take(p))), None)
    today = now.astimezone(zone(where)).date()

    ordinal, every, said_monthly = _rhythm(phrase, vocabulary)
    start_date = _one_off_date(phrase, vocabulary, today)
    month = vocabulary.month_re.search(phrase.text)
    at, range_length, part = _clocks(phrase, working_hours)
    length = range_length if range_length is not None else length

    days: list[int] = []
    plural = one_off = False
    for day in vocabulary.day_re.finditer(phrase.text):
        days.append(vocabulary.days[day[2]])
        plural |= day[2] in vocabulary.plurals
        one_off |= bool(day[1] or day[3])  # "next Friday", "mardi prochain"
    phrase.text = vocabulary.day_re.sub(" ; ", phrase.text)
    if re.search(r"\bor\b", phrase.text) and len(days) > 1:
        raise _fail("Pick the days you mean: I read 'or'", '"Tuesdays and Thursdays at 3pm"')
    days = sorted(set(days), key=days.index)
    if ordinal is not None and not said_monthly:
        named = f"the {ORDINALS[ordinal]} {WEEKDAYS[days[0]].capitalize()}"
        if not month:
            raise _fail(f"Say which month, or 'of every month', for {named}", _EX_MONTHLY)
        number = vocabulary.months[month[1]]  # "the first Monday of April": once
        start_date = _nth_weekday(today.year + (number < today.month), number, days[0], ordinal)
        ordinal = None
        phrase.take(vocabulary.month_re)
    if not days and start_date is None and at is not None and phrase.leftover():
        rest = " ".join(re.split(r"[\s;]+", phrase.text)).strip()  # "in 2 days", "next week"
        parsed = dateparser.parse(rest, languages=list(langs), settings=_settings(where, now))
        if parsed and not re.search(r"\b(weeks?|months?|years?)\b", rest):  # not "next week"
            start_date, phrase.text = parsed.date(), ""
    if not days and start_date is None:
        if at is None:
            raise _fail(f"I need a day and a time, and found neither in '{said}'")
        raise _fail("Add a day of the week or a date", '"Tuesdays at 3pm" or "tomorrow at 3pm"')
    if at is None:
        if part:
            raise _fail(f"'{part}' isn't a time for a calendar: add the hour", '"Fridays at 9am"')
        raise _fail(f"Add a time to '{said}'", '"Tuesdays at 3pm"')
    if length is not None and not min_minutes <= length <= max_minutes:
        what = f"Sessions last {min_minutes} to {max_minutes} minutes, and you said {length}"
        raise _fail(what, '"10:30am-11:15am" or "for 45 minutes"')
    if every is not None and every not in cadences:
        offered = " or ".join(str(n) for n in sorted(cadences) if n > 1)
        what = f"Every {every} weeks isn't offered: sessions repeat weekly or every {offered} weeks"
        raise _fail(what, '"every other Monday at 11"')
    if start_date is not None and (every is not None or ordinal is not None or plural or one_off):
        what = "That mixes a repeating rule and a date: give one or the other"
        raise _fail(what, '"Tuesdays at 3pm" or "Tuesday the 10th at 3pm"')
    ignored = phrase.leftover()
    if start_date is not None or one_off:
        if len(days) > 1:
            raise _fail("A single session is on one day", '"next Friday at 2:30pm"')
        if start_date is None:  # "next Friday": the first one after today
            start_date = today + timedelta(days=(days[0] - today.weekday() - 1) % 7 + 1)
        if days and start_date.weekday() != days[0]:
            what = f"{start_date:%A %d %B} isn't a {WEEKDAYS[days[0]].capitalize()}"
            raise _fail(what, f'"{start_date:%A} the {start_date.day} at 3pm"')
        if local_to_utc(start_date, at, where) <= now:
            raise UnreadableTime("That time has already passed: pick one in the future.")
        once = SessionTime(where, at, start_date, 0, start_date.weekday(), duration_minutes=length)
        return _convert(replace(once, ignored=ignored), tz)
    if len(days) > 1 and not several_days:
        raise _fail("Several days a week can't be scheduled yet: pick one day", '"Tuesdays at 3pm"')
    if ordinal is not None and not monthly:
        raise _fail(
            "Monthly sessions can't be scheduled yet: pick weeks", '"every 4 weeks on Monday"'
        )
    first = min(_first(weekday, ordinal, at, where, now) for weekday in days)
    several = tuple(sorted(days)) if len(days) > 1 else ()
    weeks = 4 if ordinal is not None else every or 1
    rule = SessionTime(where, at, first, weeks, first.weekday(), several, ordinal, length, ignored)
    return _convert(rule, tz)


def _first(weekday: int, ordinal: int | None, at: time, tz: str, now: datetime) -> date:
    """The first date of a rule's day still to come (today only if its time is ahead)."""
    today = now.astimezone(zone(tz)).date()
    if ordinal is None:
        first = today + timedelta(days=(weekday - today.weekday()) % 7)
        return first + timedelta(days=7 * (local_to_utc(first, at, tz) <= now))
    first = _nth_weekday(today.year, today.month, weekday, ordinal)
    if local_to_utc(first, at, tz) <= now:
        following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        first = _nth_weekday(following.year, following.month, weekday, ordinal)
    return first


def _convert(found: SessionTime, tz: str) -> SessionTime:
    """A time said in another zone ("7pm EST"), restated on the author's own wall clock as
    of its first session (the two zones' clocks may change on different dates)."""
    if found.tz == tz:
        return found
    start = found.first_start().astimezone(zone(tz))
    shift = (start.date() - found.first_date).days
    if shift and found.monthly_ordinal is not None:
        raise _fail(f"In {tz} that falls on another day: say it in your own zone", _EX_MONTHLY)
    days = tuple(sorted((d + shift) % 7 for d in found.days))
    at, day = start.time(), start.date()
    return replace(found, tz=tz, local_time=at, first_date=day, weekday=day.weekday(), days=days)


def _settings(tz: str, now: datetime) -> dict[str, Any]:
    base = now.astimezone(zone(tz)).replace(tzinfo=None)
    settings = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}
    return settings | {"RELATIVE_BASE": base, "TIMEZONE": tz or "UTC", "REQUIRE_PARTS": ["day"]}


def warm_up() -> None:
    """dateparser loads its language data and compiles its patterns on first use (~100 ms,
    once ~270 ms): do it before Slack waits, for the grammar and the dateparser fallback."""
    now = datetime.now(UTC)
    for phrase in ("Tuesdays at 3pm", "tomorrow 10am", "at 10am the day after next"):
        with contextlib.suppress(UnreadableTime):
            parse_when(phrase, tz="UTC", now=now)
