"""A slot's occurrences come from its rule's dates, and the calendar invite says the same:
what the bot reminds people of is what their calendar app expands from the .ics, across both
daylight-saving changes, for weekly, several-day, every-other-week and monthly rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.model.sessions import SessionSlot, weekly_streak
from bot.sessions.calendar import Attendee, session_invite
from bot.when import SessionTime, parse_when

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday, before both zones' spring change
TERM_END = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
PEOPLE = [Attendee("Ada", "urn:x-slack:user:U1"), Attendee("Maria", "urn:x-slack:user:U2")]


def slot_of(when: SessionTime, *, minutes: int = 45) -> SessionSlot:
    slot = SessionSlot(
        team_id="T1",
        partnership_id=1,
        tz=when.tz,
        local_time="00:00",
        weekday=0,
        every_weeks=1,
        first_date=when.first_date,
        duration_minutes=minutes,
        set_by="U1",
    )
    slot.apply(when, duration_minutes=minutes, set_by="U1")
    return slot


def expanded(ics: bytes) -> tuple[list[datetime], timedelta]:
    """What a calendar app shows: the event's RRULE expanded from its DTSTART (with TZID)."""
    event = next(iter(Calendar.from_ical(ics).walk("VEVENT")))
    start = event.decoded("dtstart")
    assert start.tzinfo is not None
    if "rrule" not in event:
        return [start.astimezone(UTC)], event.decoded("duration")
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    return [d.astimezone(UTC) for d in rule], event.decoded("duration")


RULES = [  # 02:30 is skipped in spring and twice in autumn in Berlin; 01:30 in New York
    ("Sundays at 02:30", "Europe/Berlin"),
    ("Sundays at 02:30", "America/New_York"),
    ("Saturdays and Sundays at 01:30", "America/New_York"),
    ("every other Sunday at 02:30", "Europe/Berlin"),
    ("every other Sunday at 01:30", "America/New_York"),
    ("the last Sunday of the month at 02:30", "Europe/Berlin"),
    ("the second Sunday of the month at 02:30", "America/New_York"),
    ("the first Sunday of the month at 01:30", "America/New_York"),
    ("Mondays and Thursdays at 8am", "Europe/Berlin"),
    ("every other Monday and Thursday at 8am", "Europe/Berlin"),  # starts on the Thursday
]


@pytest.mark.parametrize(("phrase", "tz"), RULES)
def test_the_bots_sessions_are_the_ones_the_invite_expands_to(phrase: str, tz: str) -> None:
    slot = slot_of(parse_when(phrase, tz=tz, now=NOW))
    ics = session_invite(
        slot, attendees=PEOPLE, title="Mentoring", description="", stamp=NOW, until=TERM_END
    )
    calendar, duration = expanded(ics)
    bot = [o.start for o in slot.occurrences(after=NOW, limit=200) if o.start <= TERM_END]
    assert bot == calendar
    assert duration == timedelta(minutes=45)
    assert len(bot) >= 12 and bot[-1] <= TERM_END < bot[-1] + timedelta(days=40)


def test_across_the_changes_the_wall_clock_stays_and_a_skipped_hour_moves_forward() -> None:
    berlin = slot_of(
        parse_when("the last Sunday of the month at 02:30", tz="Europe/Berlin", now=NOW)
    )
    starts = {o.start.date(): o.start for o in berlin.occurrences(after=NOW, limit=12)}
    # 29 March 2026: 02:30 does not exist in Berlin, it is 03:30 CEST (01:30 UTC)
    assert starts[date(2026, 3, 29)] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 25 October 2026: 02:30 happens twice, the first (CEST, 00:30 UTC) is meant
    assert starts[date(2026, 10, 25)] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert starts[date(2026, 4, 26)] == datetime(2026, 4, 26, 0, 30, tzinfo=UTC)  # CEST
    new_york = slot_of(parse_when("Sundays at 02:30", tz="America/New_York", now=NOW))
    spring = [o.start for o in new_york.occurrences(after=NOW, limit=12)]
    assert datetime(2026, 3, 8, 7, 30, tzinfo=UTC) in spring  # 03:30 EDT, not 01:30 EST


def test_skips_pauses_and_moves_apply_to_several_days_and_monthly_rules() -> None:
    twice = slot_of(parse_when("Mondays and Thursdays at 8am", tz="Europe/Berlin", now=NOW))
    days = [o.original_date for o in twice.occurrences(after=NOW, limit=4)]
    assert days == [date(2026, 1, 8), date(2026, 1, 12), date(2026, 1, 15), date(2026, 1, 19)]
    twice.skipped.append("2026-01-12")
    twice.moved["2026-01-08"] = datetime(2026, 1, 16, 9, tzinfo=UTC).isoformat()
    after = [o.original_date for o in twice.occurrences(after=NOW, limit=3)]
    assert after == [date(2026, 1, 15), date(2026, 1, 8), date(2026, 1, 19)]
    twice.paused_until = date(2026, 2, 1)
    assert twice.next_occurrence(NOW).original_date == date(2026, 2, 2)  # type: ignore[union-attr]
    monthly = slot_of(parse_when("the first Monday of the month at 9", tz="Europe/Berlin", now=NOW))
    found = [o.original_date for o in monthly.occurrences(after=NOW, limit=3)]
    assert found == [date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 6)]
    late = datetime(2027, 6, 1, tzinfo=UTC)  # far ahead: still found, a quarter at a time
    assert monthly.next_occurrence(late).original_date == date(2027, 6, 7)  # type: ignore[union-attr]


def test_a_one_off_is_one_session_and_its_invite_repeats_nothing() -> None:
    once = slot_of(parse_when("tomorrow at 11am", tz="Europe/Berlin", now=NOW))
    assert [o.start for o in once.occurrences(after=NOW, limit=5)] == [
        datetime(2026, 1, 6, 10, tzinfo=UTC)
    ]
    ics = session_invite(once, attendees=PEOPLE, title="M", description="", stamp=NOW)
    assert b"RRULE" not in ics
    assert expanded(ics)[0] == [datetime(2026, 1, 6, 10, tzinfo=UTC)]


def test_streaks_measure_against_the_rules_own_longest_wait() -> None:
    monthly = slot_of(parse_when("the first Monday of the month at 9", tz="Europe/Berlin", now=NOW))
    assert monthly.longest_gap() == timedelta(weeks=5)  # some months are five weeks apart
    twice = slot_of(parse_when("Mondays and Thursdays at 8am", tz="Europe/Berlin", now=NOW))
    assert twice.longest_gap() == timedelta(days=4)
    met = [o.start for o in monthly.occurrences(after=NOW, limit=6)]
    assert weekly_streak(met, gap=monthly.longest_gap()) == 6
    assert weekly_streak(met, every_weeks=4) < 6  # weeks alone break on a five-week month
    held = [o.start for o in twice.occurrences(after=NOW, limit=6)]
    assert weekly_streak(held, gap=twice.longest_gap()) == 6
    assert weekly_streak(held[:2] + held[3:], gap=twice.longest_gap()) == 3  # one missed


def test_the_rule_reads_in_the_readers_zone_saying_whose_time_it_is() -> None:
    los_angeles = slot_of(parse_when("Tuesdays at 3pm", tz="America/Los_Angeles", now=NOW))
    assert los_angeles.describe("America/New_York", label="your time") == (
        "every Tuesday at 18:00 (your time), 45 minutes"
    )
    assert los_angeles.describe() == "every Tuesday at 15:00 (America/Los_Angeles), 45 minutes"
