"""Reading the schedule form: the words (or the pickers) into a rule, and the rule carried
from the check to its Save in the modal's private metadata."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.errors import DomainError
from bot.model.rules import ProgramRules
from bot.when import SessionTime, UnreadableTime, local_to_utc, parse_when, zone
from handlers.kit.forms import ViewForm, int_or_none


def read_session_time(
    form: ViewForm,
    *,
    tz: str,
    now: datetime,
    locale: str = "",
    rules: ProgramRules | None = None,
) -> SessionTime:
    """From the plain-words field (in the person's Slack language, English always), or else
    from the day and time pickers. ``rules``: the rhythms and lengths the program offers."""
    text = form.text("when")
    if text.strip():
        offers = rules or ProgramRules()
        try:
            return parse_when(
                text,
                tz=tz,
                now=now,
                languages=[locale] if locale else (),
                min_minutes=min(offers.session_lengths),
                max_minutes=max(offers.session_lengths),
                cadences=offers.session_every_weeks,
                several_days=offers.several_days_a_week,
                monthly=offers.monthly_sessions,
            )
        except UnreadableTime as error:
            raise DomainError(str(error), field="when") from None
    day, picked = int_or_none(form.selected("day")), form.picked_time("time")
    if day is None or picked is None or not 0 <= day <= 6:
        raise DomainError(
            "Say when in your own words, or pick both a day and a time.", field="when"
        )
    local_now = now.astimezone(zone(tz))
    first = local_now.date()
    first = date.fromordinal(first.toordinal() + (day - local_now.weekday()) % 7)
    at = time(picked[0], picked[1])
    if local_to_utc(first, at, tz) <= now:
        first = date.fromordinal(first.toordinal() + 7)
    every = int_or_none(form.selected("repeat")) or 1
    return SessionTime(tz=tz, local_time=at, first_date=first, every_weeks=every, weekday=day)


def rule_metadata(when: SessionTime) -> dict[str, Any]:
    """The rule as read, carried to the confirmation's Save (what was shown is what is kept)."""
    return {
        "tz": when.tz,
        "at": when.local_time.strftime("%H:%M"),
        "first": when.first_date.isoformat(),
        "every": when.every_weeks,
        "weekday": when.weekday,
        "days": list(when.days),
        "ordinal": when.monthly_ordinal,
        "minutes": when.duration_minutes,
    }


def rule_from_metadata(data: Any) -> SessionTime:
    try:
        ordinal, minutes = data["ordinal"], data["minutes"]
        if ordinal not in (None, 1, 2, 3, 4, -1) or not 0 <= int(data["every"]) <= 8:
            raise ValueError("not a rule the form makes")
        return SessionTime(
            tz=str(data["tz"]),
            local_time=time.fromisoformat(str(data["at"])),
            first_date=date.fromisoformat(str(data["first"])),
            every_weeks=int(data["every"]),
            weekday=int(data["weekday"]) % 7,
            days=tuple(int(d) % 7 for d in data["days"]),
            monthly_ordinal=int(ordinal) if ordinal is not None else None,
            duration_minutes=int(minutes) if minutes is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        raise DomainError("This form is out of date; please close it.") from None
