"""A meeting rule as its author meant it, in their zone, and the instants it gives."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ["en"]


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


EXAMPLES = (
    '"Tuesdays at 3pm", "every other Thursday 10:30", "1pm every Friday for 45 minutes", '
    '"next Friday at 2:30pm" or "tomorrow 10am"'
)


WORKING_HOURS = (time(8), time(18))


ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def example_of(every: int) -> str:
    return {1: "Tuesdays at 3pm", 2: "every other Monday at 11"}.get(
        every, f"every {every} weeks on Monday at 11"
    )


def cadence_refusal(every: int, cadences: Collection[int]) -> tuple[str, str]:
    """What the program offers instead, with an example of one it does."""
    said = {1: "Weekly sessions aren't", 2: "Every other week isn't"}.get(
        every, f"Every {every} weeks isn't"
    )
    offered = [{1: "weekly", 2: "every other week"}.get(n, f"every {n} weeks") for n in cadences]
    listed = " or ".join([", ".join(offered[:-1]), offered[-1]] if len(offered) > 1 else offered)
    example = " or ".join(f'"{example_of(n)}"' for n in sorted(cadences)[:2])
    return f"{said} offered in this program: sessions repeat {listed}", example


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
            while (day := nth_weekday(year, month, self.weekday, self.monthly_ordinal)) <= until:
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

    def describe(self, tz: str | None = None, *, label: str | None = None) -> str:
        """'every Tuesday at 15:00 (Europe/Berlin)', in the reader's zone ``tz`` if given;
        another zone can move the day as well as the hour, so the days shift with it.
        ``label`` names the zone for this reader instead ("your time")."""
        reader = tz or self.tz
        start = self.first_start().astimezone(zone(reader))
        shift = (start.date() - self.first_date).days
        shown = label or reader
        at = f"{start:%H:%M}{f' ({shown})' if shown else ''}"
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


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    if ordinal > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)
