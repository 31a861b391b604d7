"""Working hours: what the bot starts waits for the recipient's working day, in their zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.clock import FixedClock
from bot.model.kinds import ANSWERS, BOT_STARTED, JOBS, TIMING, Kind, SuggestionContext
from bot.model.messages import Payload
from bot.model.messages.matching import MentorSuggestions, Waitlisted
from bot.model.messages.rhythm import Pulse
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.rules import ProgramRules
from bot.outbox.dispatch import Dispatcher
from bot.outbox.quiet_hours import QuietHours
from bot.outbox.zones import RecipientZones
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


# -- what is held, whose zone, and never lost ------------------------------------------------


def test_every_kind_is_classified_in_one_place() -> None:
    """A new kind fails here until someone says whether it is the bot's idea (held to working
    hours), an answer to what a person just did (never held) or an internal job."""
    assert set(TIMING) == set(Kind), sorted(set(Kind) - set(TIMING))
    assert {k for k in Kind if k.value.startswith("job.")} == JOBS
    assert set(Kind) == BOT_STARTED | ANSWERS | JOBS
    assert not (BOT_STARTED & ANSWERS or BOT_STARTED & JOBS or ANSWERS & JOBS)


@pytest.mark.parametrize(
    ("kind", "payload", "held"),
    [
        (Kind.ONBOARDING, None, True),  # the welcome
        (Kind.SESSION_CHECK, None, True),
        (Kind.PROGRAM_REPORT, None, True),
        (Kind.COORDINATOR_AT_RISK, None, True),
        (Kind.INTRODUCTION, None, False),  # the mentor just accepted
        (Kind.SESSION_REMINDER, None, False),  # its time is the pair's
        (Kind.SUGGESTIONS, MentorSuggestions(request_id=1, candidates=()), False),  # just asked
        (
            Kind.SUGGESTIONS,
            MentorSuggestions(request_id=1, context=SuggestionContext.FROM_WAITLIST, candidates=()),
            True,
        ),
        (
            Kind.WAITLISTED,
            Waitlisted(request_id=1, context=SuggestionContext.AFTER_NO_ANSWER),
            True,
        ),
        (Kind.PULSE_ROUND, None, False),  # a job: what it plans is timed by its own kind
        ("some.kind.from.an.older.release", None, False),
    ],
)
def test_what_is_held_is_what_the_bot_started(
    kind: str, payload: Payload | None, held: bool
) -> None:
    message = OutgoingMessage(
        team_id=TEAM, kind=kind, recipient="UMENTEE1", key="k", due_at=utc(2, 3)
    )
    if payload is not None:
        message.payload = payload
    hours = QuietHours.for_program(ProgramRules())
    assert hours.holds(message) is held
    assert (hours.hold_until(message, utc(2, 3)) is not None) is held  # 03:00 UTC, a Monday


def test_a_channel_post_is_never_held() -> None:
    hours = QuietHours.for_program(ProgramRules())
    post = OutgoingMessage(
        team_id=TEAM, kind=Kind.ANNOUNCEMENT, recipient="C0PROGRAM", key="k", due_at=utc(2, 3)
    )
    assert hours.hold_until(post, utc(2, 3)) is None


def test_the_planners_zone_wins_and_else_the_recipients_is_looked_up() -> None:
    hours = QuietHours.for_program(ProgramRules())
    asked: list[str] = []

    def zone_of(team_id: str, user_id: str) -> str | None:
        asked.append(user_id)
        return {"UNY": "America/New_York"}.get(user_id)

    def to(recipient: str, tz: str = "") -> OutgoingMessage:
        return OutgoingMessage(
            team_id=TEAM,
            kind=Kind.PULSE,
            recipient=recipient,
            key="k",
            due_at=utc(2, 3),
            payload=Pulse(partnership_id=1, partner_id="UMENTOR1", round=1, tz=tz),
        )

    at = utc(2, 19, 10)  # Monday 14:10 in New York, 19:10 in London
    assert hours.hold_until(to("UNY"), at, zone_of=zone_of) is None
    assert hours.hold_until(to("UNY", tz="Europe/London"), at, zone_of=zone_of) == utc(3, 9)
    assert asked == ["UNY"]  # the planner knew the second one's zone: nothing looked up
    assert hours.hold_until(to("UNOBODY"), at, zone_of=zone_of) == utc(3, 9)  # default: UTC


def test_a_group_dm_waits_for_an_hour_that_is_working_time_for_everyone() -> None:
    hours = QuietHours.for_program(ProgramRules())
    zones = {"UBERLIN": "Europe/Berlin", "UNY": "America/New_York", "UAKL": "Pacific/Auckland"}

    def group(recipient: str) -> OutgoingMessage:
        return OutgoingMessage(
            team_id=TEAM, kind=Kind.ONBOARDING, recipient=recipient, key="k", due_at=utc(2, 8)
        )

    # Monday 08:00 UTC: 09:00 in Berlin, 03:00 in New York: both work from 14:00 UTC (09:00 NY)
    at = hours.hold_until(group("UBERLIN,UNY"), utc(2, 8), zone_of=lambda _t, u: zones[u])
    assert at == utc(2, 14)
    # Berlin's 9-18 and Auckland's never meet: the last member's (the pair's mentee's) morning
    at = hours.hold_until(group("UBERLIN,UAKL"), utc(2, 8), zone_of=lambda _t, u: zones[u])
    assert at == utc(2, 20)  # Tuesday 09:00 in Auckland (NZDT, +13)


def test_a_hold_never_makes_a_message_too_late() -> None:
    """A did-you-meet expires six days after the session; one with two days to live, held
    from Friday evening to Monday morning, is still worth sending on Monday."""
    store, messenger = FakeStore(), FakeMessenger()
    with FakeUnitOfWork(store) as uow:
        message = prompt("check", utc(6, 17, 30), tz="Europe/Berlin")  # Friday 18:30 there
        message.expires_at = message.due_at + timedelta(days=2)
        uow.outbox.add(message)
        uow.commit()
    assert dispatcher(store, messenger, utc(6, 17, 35)).run_once().held == 1
    held = store.message("check")
    assert (held.due_at, held.expires_at) == (utc(9, 8), utc(11, 8))  # Monday 09:00 Berlin
    report = dispatcher(store, messenger, utc(9, 8)).run_once()
    assert (report.sent, report.late) == (1, 0) and messenger.keys == ["check"]


def test_a_persons_zone_is_asked_of_slack_once_however_many_messages() -> None:
    store, clock = FakeZoneStore(), FixedClock(utc(2, 3))
    slack = CountingZones({"UNY": "America/New_York"})
    zones = RecipientZones(store=store, slack=slack, clock=clock)
    assert [zones.of(TEAM, "UNY") for _ in range(100)] == ["America/New_York"] * 100
    assert [zones.of(TEAM, "UGONE") for _ in range(100)] == [None] * 100
    assert slack.asked == ["UNY", "UGONE"]  # once each, a failure too
    assert store.rows == {(TEAM, "UNY"): "America/New_York"}
    assert zones.seen(TEAM, "UNY", "Europe/Lisbon")  # user_change: moved
    assert zones.of(TEAM, "UNY") == "Europe/Lisbon" and slack.asked == ["UNY", "UGONE"]
    assert not zones.seen(TEAM, "UNY", "Mars/Olympus_Mons")  # never a zone we can't use
    writes = store.writes
    assert not zones.seen(TEAM, "UNY", "Europe/Lisbon")  # every modal's users.info says so
    assert store.writes == writes  # remembered: no row locked and written again
    clock.advance(timedelta(hours=2))
    assert zones.of(TEAM, "UGONE") is None and slack.asked == ["UNY", "UGONE", "UGONE"]


class FakeZoneStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}
        self.writes = 0

    def get(self, team_id: str, user_id: str) -> str | None:
        return self.rows.get((team_id, user_id))

    def put(self, *, team_id: str, user_id: str, tz: str, at: datetime) -> bool:
        self.writes += 1
        changed = self.rows.get((team_id, user_id)) != tz
        self.rows[(team_id, user_id)] = tz
        return changed


class CountingZones:
    def __init__(self, zones: dict[str, str]) -> None:
        self.zones = zones
        self.asked: list[str] = []

    def time_zone(self, team_id: str, user_id: str) -> str | None:
        self.asked.append(user_id)
        return self.zones.get(user_id)
