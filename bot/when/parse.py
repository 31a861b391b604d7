"""Reading "Tuesdays at 3pm" and friends: when a pair wants to meet, in plain words.

dateparser returns nothing for recurring phrases, so the rule ("every other", several days,
"the first Monday of the month") is read here with regexes, over vocabulary taken from
dateparser's own language data (weekday and month names in every language it knows). Each
piece found is cut out of the phrase, so what is left is filler and is reported, not guessed
at. dateparser only sees a leftover date piece ("in 2 days"), with its languages pinned:
automatic language detection took seconds on text it couldn't read, past Slack's 3 s budget.
Anything that can't be honoured raises ``UnreadableTime`` naming what is missing."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import dateparser

from bot.errors import echo
from bot.when.patterns import (
    AT,
    CADENCES,
    CLOCK,
    DURATIONS,
    ISO,
    MONTHLY,
    NTH,
    NUMERIC,
    PART,
    RANGE_GAP,
    REFUSALS,
    RELATIVE,
    ZONE,
)
from bot.when.schedule import (
    EXAMPLES,
    ORDINALS,
    WEEKDAYS,
    WORKING_HOURS,
    SessionTime,
    UnreadableTime,
    local_to_utc,
    nth_weekday,
    zone,
)
from bot.when.words import (
    ORDINAL_WORDS,
    STOP,
    ZONES,
    Vocabulary,
    corrected,
    fold,
    languages_of,
    vocabulary_of,
    zone_names,
)

_EX_MONTHLY = '"the first Monday of every month at 9"'


def _normalise(text: str, vocabulary: Vocabulary, languages: tuple[str, ...]) -> str:
    """One spelling for each thing: folded, typos fixed, other languages' connectors in
    English, "half past three" as 3:30, so the grammar below has one form to match."""
    phrase = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", fold(" ".join(text.split())))
    phrase = re.sub(r"[,;!?()]|(?<=[a-z])\.(?=\s|$)", " ", phrase).replace("\u2019", "'")
    phrase = re.sub(r"\s*[\u2013\u2014]\s*", " - ", phrase)
    phrase = re.sub(r"[a-z]{4,}", lambda m: corrected(m.group(), languages), phrase)
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
        return " ".join(w for w in re.split(r"[\s;]+", self.text) if w and w not in STOP)


def _fail(what: str, example: str = EXAMPLES) -> UnreadableTime:
    """The refusal, escaped whole: ``what`` quotes the phrase and has no markup of its own."""
    return UnreadableTime(echo(f"{what}, for example {example}."))


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
    part = PART.search(phrase.text)
    said = {"morning": "am"}.get(part[1], "pm") if part else None
    found = list(CLOCK.finditer(phrase.text))
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
        if RANGE_GAP.fullmatch(phrase.text[a.end() : b.start()]):  # "3-4pm", "10:30-11:15"
            end = read(b, said)
            first = read(a, b[4] if b[4] in ("am", "pm") and not a[4] else said)
            first = read(a, "am") if minutes(first) >= minutes(end) and not a[4] else first
            phrase.cut(b)
            phrase.cut(a)
            return first, minutes(end) - minutes(first), ""
    bare = [m for m in found if m not in explicit]
    picked = explicit or [m for m in bare if AT.search(phrase.text[: m.start()])] or bare
    times = {read(m, said) for m in picked}
    if len(times) > 1:
        shown = " and ".join(sorted(f"{t:%H:%M}" for t in times))
        raise _fail(f"I found more than one time ({shown}): give one for all the days")
    for m in reversed(picked):
        phrase.cut(m)
    if not times:
        return None, None, part[1] if part else ""
    phrase.take(PART)
    return times.pop(), None, ""


def _named_zone(phrase: _Phrase) -> str | None:
    """ "15:00 Europe/London", "7pm EST"; a two-letter one ("ET") only after a time or "in",
    since "et" is also French for "and"."""
    for match in ZONE.finditer(phrase.text):
        iana = "/" in match[2]
        name = zone_names().get(match[2]) if iana else ZONES.get(match[2])
        after_time = re.search(r"(\d|[ap]m|noon|midday|h|uhr)\s*$", phrase.text[: match.start()])
        if name and (len(match[2]) > 2 or match[1] or after_time):
            phrase.cut(match)
            return name
    return None


def _rhythm(phrase: _Phrase, vocabulary: Vocabulary) -> tuple[int | None, int | None, bool]:
    """The monthly ordinal, the weeks apart, and whether the month was said ("of the month",
    "every first"); "every second Monday" is every other week, not monthly."""
    ordinal, every, said_monthly = None, None, False
    found = vocabulary.ordinal_re.search(phrase.text)
    if found and not (
        found[1] and ORDINAL_WORDS[found[2]] == 2 and not MONTHLY.search(phrase.text)
    ):
        if (ordinal := ORDINAL_WORDS[found[2]]) == 5:
            raise _fail("Not every month has a fifth: pick first to fourth, or last", _EX_MONTHLY)
        phrase.text = phrase.text.replace(found[0], f" {found[3]} ", 1)
        said_monthly = bool(phrase.take(MONTHLY) or found[1])
    elif found := phrase.take(MONTHLY):
        raise _fail(f"Say which week of the month ('{found[0]}')", _EX_MONTHLY)
    for pattern, weeks in CADENCES:
        if cadence := phrase.take(pattern):
            every = weeks or int(cadence[1])
            while phrase.take(CADENCES[-1][0]):
                pass
            break
    return ordinal, every, said_monthly


def _next_date(day: int, month: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        with contextlib.suppress(ValueError):
            if (candidate := date(year, month, day)) >= today:
                return candidate
    return None


def _one_off_date(phrase: _Phrase, vocabulary: Vocabulary, today: date) -> date | None:
    """A date written out: "tomorrow", "March 10", "10 de marzo", "the 10th", "2026-03-10"."""
    if relative := phrase.take(RELATIVE):
        if relative[2]:  # "in 2 days"
            return today + timedelta(days=1 if relative[2] in ("a", "an") else int(relative[2]))
        return today + timedelta(days=("today", "tomorrow", "overmorrow").index(relative[1]))
    if iso := phrase.take(ISO):
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
    for numeric in NUMERIC.finditer(phrase.text):
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
    if nth := phrase.take(NTH):
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
    phrase = _Phrase(_normalise(text, vocabulary_of(("en",)), ("en",)))
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
    langs = languages_of(tuple(languages))
    vocabulary = vocabulary_of(langs)
    phrase, said = _Phrase(_normalise(text, vocabulary, langs)), " ".join(text.split())
    _refuse_unsupported(phrase, several_days=several_days)
    where = _named_zone(phrase) or tz
    length = next((_minutes(m) for p in DURATIONS if (m := phrase.take(p))), None)
    today = now.astimezone(zone(where)).date()

    ordinal, every, said_monthly = _rhythm(phrase, vocabulary)
    start_date = _one_off_date(phrase, vocabulary, today)
    month = vocabulary.month_re.search(phrase.text)
    at, range_length, part = _clocks(phrase, working_hours)
    length = range_length if range_length is not None else length
    days, plural, one_off = _days(phrase, vocabulary)
    if ordinal is not None and not said_monthly:  # "the first Monday of April": once
        start_date = _nth_of_month(
            phrase, vocabulary, month=month, weekday=days[0], ordinal=ordinal, today=today
        )
        ordinal = None
    if not days and start_date is None and at is not None and phrase.leftover():
        start_date = _relative_date(phrase, langs=langs, where=where, now=now)  # "in 2 days"
    at = _day_and_time(has_day=bool(days) or start_date is not None, at=at, part=part, said=said)
    _offered(length, every, minutes=(min_minutes, max_minutes), cadences=cadences)
    if start_date is not None and (every is not None or ordinal is not None or plural or one_off):
        what = "That mixes a repeating rule and a date: give one or the other"
        raise _fail(what, '"Tuesdays at 3pm" or "Tuesday the 10th at 3pm"')
    ignored = phrase.leftover()
    if start_date is not None or one_off:
        once = _one_session(days, start_date, at=at, where=where, now=now, length=length)
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


def _refuse_unsupported(phrase: _Phrase, *, several_days: bool) -> None:
    """Rules no calendar can hold ("daily", "weekdays", ...) are named before anything is read."""
    for what, example, pattern in REFUSALS:
        if refused := pattern.search(phrase.text):
            usual = '"Mondays and Thursdays at 8am"' if several_days else '"Tuesdays at 3pm"'
            raise _fail(f"{what} ('{refused[0]}')", example or usual)


def _days(phrase: _Phrase, vocabulary: Vocabulary) -> tuple[list[int], bool, bool]:
    """The weekdays said, in the order said; whether one was plural ("Tuesdays") and whether
    one was a single coming day ("next Friday", "mardi prochain")."""
    days: list[int] = []
    plural = one_off = False
    for day in vocabulary.day_re.finditer(phrase.text):
        days.append(vocabulary.days[day[2]])
        plural |= day[2] in vocabulary.plurals
        one_off |= bool(day[1] or day[3])
    phrase.text = vocabulary.day_re.sub(" ; ", phrase.text)
    if re.search(r"\bor\b", phrase.text) and len(days) > 1:
        raise _fail("Pick the days you mean: I read 'or'", '"Tuesdays and Thursdays at 3pm"')
    return sorted(set(days), key=days.index), plural, one_off


def _nth_of_month(
    phrase: _Phrase,
    vocabulary: Vocabulary,
    *,
    month: re.Match[str] | None,
    weekday: int,
    ordinal: int,
    today: date,
) -> date:
    """An ordinal weekday with a month and no "every month" is one date, the next such."""
    if not month:
        named = f"the {ORDINALS[ordinal]} {WEEKDAYS[weekday].capitalize()}"
        raise _fail(f"Say which month, or 'of every month', for {named}", _EX_MONTHLY)
    number = vocabulary.months[month[1]]
    found = nth_weekday(today.year + (number < today.month), number, weekday, ordinal)
    phrase.take(vocabulary.month_re)
    return found


def _relative_date(
    phrase: _Phrase, *, langs: tuple[str, ...], where: str, now: datetime
) -> date | None:
    """What our own words did not read, dateparser may ("in 2 days"); never a week or month
    ahead with no day ("next week"), which would be a guess."""
    rest = " ".join(re.split(r"[\s;]+", phrase.text)).strip()
    parsed = dateparser.parse(rest, languages=list(langs), settings=_settings(where, now))
    if parsed and not re.search(r"\b(weeks?|months?|years?)\b", rest):
        phrase.text = ""
        return parsed.date()
    return None


def _day_and_time(*, has_day: bool, at: time | None, part: str, said: str) -> time:
    """Both a day and an hour are needed; the refusal says which one is missing."""
    if not has_day:
        if at is None:
            raise _fail(f"I need a day and a time, and found neither in '{said}'")
        raise _fail("Add a day of the week or a date", '"Tuesdays at 3pm" or "tomorrow at 3pm"')
    if at is None:
        if part:
            raise _fail(f"'{part}' isn't a time for a calendar: add the hour", '"Fridays at 9am"')
        raise _fail(f"Add a time to '{said}'", '"Tuesdays at 3pm"')
    return at


def _offered(
    length: int | None,
    every: int | None,
    *,
    minutes: tuple[int, int],
    cadences: Collection[int],
) -> None:
    """A length and a cadence the program offers, or a refusal naming what it does offer."""
    if length is not None and not minutes[0] <= length <= minutes[1]:
        what = f"Sessions last {minutes[0]} to {minutes[1]} minutes, and you said {length}"
        raise _fail(what, '"10:30am-11:15am" or "for 45 minutes"')
    if every is not None and every not in cadences:
        offered = " or ".join(str(n) for n in sorted(cadences) if n > 1)
        what = f"Every {every} weeks isn't offered: sessions repeat weekly or every {offered} weeks"
        raise _fail(what, '"every other Monday at 11"')


def _one_session(
    days: list[int],
    start_date: date | None,
    *,
    at: time,
    where: str,
    now: datetime,
    length: int | None,
) -> SessionTime:
    """A single meeting: a date, or the next of one weekday ("next Friday")."""
    if len(days) > 1:
        raise _fail("A single session is on one day", '"next Friday at 2:30pm"')
    if start_date is None:  # "next Friday": the first one after today
        today = now.astimezone(zone(where)).date()
        start_date = today + timedelta(days=(days[0] - today.weekday() - 1) % 7 + 1)
    if days and start_date.weekday() != days[0]:
        what = f"{start_date:%A %d %B} isn't a {WEEKDAYS[days[0]].capitalize()}"
        raise _fail(what, f'"{start_date:%A} the {start_date.day} at 3pm"')
    if local_to_utc(start_date, at, where) <= now:
        raise UnreadableTime("That time has already passed: pick one in the future.")
    return SessionTime(where, at, start_date, 0, start_date.weekday(), duration_minutes=length)


def _first(weekday: int, ordinal: int | None, at: time, tz: str, now: datetime) -> date:
    """The first date of a rule's day still to come (today only if its time is ahead)."""
    today = now.astimezone(zone(tz)).date()
    if ordinal is None:
        first = today + timedelta(days=(weekday - today.weekday()) % 7)
        return first + timedelta(days=7 * (local_to_utc(first, at, tz) <= now))
    first = nth_weekday(today.year, today.month, weekday, ordinal)
    if local_to_utc(first, at, tz) <= now:
        following = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        first = nth_weekday(following.year, following.month, weekday, ordinal)
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
