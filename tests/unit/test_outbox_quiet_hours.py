"""Quiet hours: prompts wait for the recipient's working day, in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.clock import FixedClock
from bot.model.messages.rhythm import Pulse
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.rules import ProgramRules
from bot.outbox.dispatch import Dispatcher
from bot.outbox.quiet_hours import QuietHours
from tests.unit.fakes import FakeMessenger, FakeStore, FakeUnitOfWork

TEAM = "T0001"
PROMPT = "rhythm.pulse"
QUIET = QuietHours.for_program(ProgramRules(), [PROMPT])


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)  # 2 March 2026 is a Monday


@pytest.mark.parametrize(
    ("at", "tz", "expected"),
    [
        (utc(2, 15), "Europe/Berlin", utc(2, 15)),  # 16:00 in Berlin: now
        (utc(2, 15), "Asia/Tokyo", utc(3, 0)),  # midnight in Tokyo: Tuesday 09:00 there
        (utc(2, 7, 59), "Europe/Berlin", utc(2, 8)),  # 08:59 in Berlin: a minute later
        (utc(2, 17), "Europe/Berlin", utc(3, 8)),  # 18:00 sharp is closed: tomorrow 09:00
        (utc(6, 17), "Europe/Berlin", utc(9, 8)),  # Friday evening: Monday morning
        (utc(7, 12), "America/New_York", utc(9, 13)),  # Saturday: Monday 09:00, now EDT
        (utc(2, 3), "", utc(2, 9)),  # unknown zone: the program's default (UTC)
    ],
)
def test_next_allowed_is_the_next_working_moment_in_their_zone(
    at: datetime, tz: str, expected: datetime
) -> None:
    assert QUIET.next_allowed(at, tz) == expected
    assert QUIET.allows(expected, tz)


def test_weekends_and_hours_are_configurable() -> None:
    rules = ProgramRules(workday_start_hour=7, workday_end_hour=20, weekends_off=False)
    quiet = QuietHours.for_program(rules, [PROMPT])
    assert quiet.start == time(7) and quiet.end == time(20)
    assert quiet.allows(utc(7, 12), "Europe/London")  # a Saturday
    assert quiet.next_allowed(utc(7, 21), "Europe/London") == utc(8, 7)


def prompt(key: str, due: datetime, *, tz: str, kind: str = PROMPT) -> OutgoingMessage:
    return OutgoingMessage(
        team_id=TEAM,
        kind=kind,
        recipient="UMENTEE1",
        key=key,
        due_at=due,
        payload=Pulse(partnership_id=1, partner_id="UMENTOR1", round=1, tz=tz),
        coalesce_key=f"{kind}:UMENTEE1" if kind == PROMPT else None,
    )


def dispatcher(store: FakeStore, messenger: FakeMessenger, now: datetime) -> Dispatcher:
    return Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=messenger,
        clock=FixedClock(now),
        jobs={},
        worker="w1",
        quiet_hours=QUIET,
    )


def test_a_prompt_due_at_night_waits_for_the_morning_and_then_goes_once() -> None:
    store, messenger = FakeStore(), FakeMessenger()
    with FakeUnitOfWork(store) as uow:
        uow.outbox.add(prompt("pulse-1", utc(2, 15), tz="Asia/Tokyo"))
        uow.outbox.add(prompt("other", utc(2, 15), tz="Asia/Tokyo", kind="session.reminder"))
        uow.commit()
    report = dispatcher(store, messenger, utc(2, 15)).run_once()
    assert (report.held, report.sent) == (1, 1)
    assert messenger.keys == ["other"]  # only prompt kinds wait
    held = store.message("pulse-1")
    assert (held.status, held.due_at, held.attempts) == (MessageStatus.PENDING, utc(3, 0), 0)
    assert dispatcher(store, messenger, utc(2, 23, 59)).run_once().handled == 0
    report = dispatcher(store, messenger, utc(3, 0)).run_once()
    assert report.sent == 1 and messenger.keys == ["other", "pulse-1"]


def test_after_downtime_only_the_newest_prompt_of_a_kind_waits_for_the_morning() -> None:
    store, messenger = FakeStore(), FakeMessenger()
    with FakeUnitOfWork(store) as uow:
        for day in (2, 3, 4):  # three days of pulses nobody delivered
            uow.outbox.add(prompt(f"pulse-{day}", utc(day, 15), tz="Asia/Tokyo"))
        uow.commit()
    report = dispatcher(store, messenger, utc(4, 20)).run_once()  # 05:00 Thursday in Tokyo
    assert (report.dropped, report.held, report.sent) == (2, 1, 0)
    report = dispatcher(store, messenger, utc(5, 0)).run_once()
    assert messenger.keys == ["pulse-4"]
    assert [store.message(f"pulse-{d}").status for d in (2, 3)] == [MessageStatus.DROPPED] * 2
    assert dispatcher(store, messenger, utc(5, 0) + timedelta(days=1)).run_once().handled == 0
