"""Whether a rule is one the pair's program offers, and the rule as each reader reads it."""

from __future__ import annotations

from datetime import datetime

from bot.errors import DomainError
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionSlot
from bot.when import SessionTime, cadence_refusal, example_of


def allowed_length(when: SessionTime, minutes: int, rules: ProgramRules, now: datetime) -> int:
    """The session's length (the phrase's own if it said one), once the rule is one the
    program offers; a refusal names the field and gives an example that would pass."""
    if when.duration_minutes is not None:
        minutes = when.duration_minutes
        if minutes not in rules.session_lengths:
            allowed = " or ".join(str(m) for m in rules.session_lengths)
            raise DomainError(
                f"Sessions in this program last {allowed} minutes, and you said {minutes}: "
                f'for example "Tuesdays at 3pm for {rules.session_lengths[0]} minutes".',
                field="when",
            )
    elif minutes not in rules.session_lengths:
        allowed = " or ".join(str(m) for m in rules.session_lengths)
        raise DomainError(f"Sessions in this program last {allowed} minutes.", field="length")
    if when.recurring and when.monthly_ordinal is None:
        if when.every_weeks not in rules.session_every_weeks:
            what, example = cadence_refusal(when.every_weeks, rules.session_every_weeks)
            raise DomainError(f"{what}, for example {example}.", field="when")
        if len(when.rule_days) > 1 and not rules.several_days_a_week:
            example = example_of(min(rules.session_every_weeks))
            raise DomainError(
                f'This program\'s sessions are on one day of the week, for example "{example}".',
                field="when",
            )
    if when.monthly_ordinal is not None and not rules.monthly_sessions:
        example = example_of(max(rules.session_every_weeks))
        raise DomainError(
            f'This program doesn\'t hold monthly sessions: pick weeks, for example "{example}".',
            field="when",
        )
    if not when.recurring and when.first_start() <= now:
        raise DomainError("That time has already passed: pick one in the future.", field="when")
    return minutes


def slot_for(
    team_id: str, partnership_id: int, when: SessionTime, *, minutes: int, user_id: str
) -> SessionSlot:
    slot = SessionSlot(
        team_id=team_id,
        partnership_id=partnership_id,
        tz=when.tz,
        local_time="00:00",
        weekday=0,
        every_weeks=1,
        first_date=when.first_date,
        duration_minutes=minutes,
        set_by=user_id,
    )
    slot.apply(when, duration_minutes=minutes, set_by=user_id)
    return slot


def in_zone_of(slot: SessionSlot, reader_tz: str) -> str:
    """The rule as this reader reads it: on their own clock when their zone is known."""
    if not reader_tz:
        return slot.describe()
    return slot.describe(reader_tz, label="your time")
