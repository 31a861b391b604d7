"""The program report on a schedule: coordinators get it without asking, once per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.coordination.service import ReportSchedule, next_report
from mentorbot.wiring import build_runtime
from tests.conftest import RunningBot
from tests.e2e.journeys import matched_pair


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mentorbot_default_tz": "Europe/Berlin", "mentorbot_onboarding": False}


def reports(bot: RunningBot, user: str = "UCOORD1") -> list[dict[str, Any]]:
    return [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.params.get("channel") == user
        and str(c.params.get("text", "")).startswith("Your monthly program report")
    ]


def step_until(bot: RunningBot, until: datetime, step: timedelta = timedelta(hours=6)) -> None:
    while bot.clock.now() + step <= until:
        bot.tick(step)
    bot.tick(until - bot.clock.now())


def test_coordinators_get_the_report_on_the_first_working_day_of_each_month(
    bot: RunningBot,
) -> None:
    for user in ("UMENTOR1", "UMENTEE1", "UCOORD1"):
        bot.fake.add_user(user, tz="Europe/London")
    matched_pair(bot, "UMENTOR1", "UMENTEE1")
    planned = bot.runtime.services.coordination.plan_reports()
    # Wednesday 1 April 2026, 9:00 in Berlin (summer time) is 7:00 UTC.
    assert planned == datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    bot.runtime.services.coordination.plan_reports()  # a restart plans nothing new

    step_until(bot, planned - timedelta(minutes=1))
    assert reports(bot) == []
    bot.tick(timedelta(minutes=1))
    assert reports(bot) == []  # 8:00 in London, where the coordinator is: their 9:00 it is
    bot.tick(timedelta(hours=1))
    (report,) = reports(bot)
    assert "Active pairs: *1*" in str(report["blocks"])
    files = [u for u in bot.fake.uploads if u.filename.startswith("program-")]
    assert sorted(u.filename.split("-2026")[0] for u in files) == [
        "program-health",
        "program-trend",
    ]
    assert {u.channel for u in files} == {bot.fake.dm_channel("UCOORD1")}

    # May 1 2026 is a Friday: the next one comes then, and only then.
    step_until(bot, datetime(2026, 5, 1, 7, 59, tzinfo=UTC), step=timedelta(days=1))
    assert len(reports(bot)) == 1
    bot.tick(timedelta(minutes=1))
    assert len(reports(bot)) == 2


def test_two_replicas_send_each_report_once(bot: RunningBot) -> None:
    for user in ("UMENTOR1", "UMENTEE1", "UCOORD1"):
        bot.fake.add_user(user, tz="Europe/London")
    matched_pair(bot, "UMENTOR1", "UMENTEE1")
    other = build_runtime(
        bot.runtime.settings, clock=bot.clock, database=bot.runtime.database, migrate=False
    )
    try:
        for runtime in (bot.runtime, other):
            runtime.services.coordination.plan_reports()
        bot.clock.set(datetime(2026, 4, 1, 8, 0, tzinfo=UTC))  # 9:00 for a London coordinator
        for _ in range(2):
            for runtime in (other, bot.runtime):
                runtime.services.dispatcher.run_once(bot.clock.now())
        assert len(reports(bot)) == 1
        assert len([u for u in bot.fake.uploads if u.filename.startswith("program-trend")]) == 1
    finally:
        other.executor.shutdown(wait=True)


def test_a_rate_limited_report_is_sent_once_after_retry_after(bot: RunningBot) -> None:
    bot.fake.add_user("UCOORD1", tz="Europe/London")
    bot.fake.add_user("UMENTEE1", tz="Europe/London")
    bot.slack.event({"type": "app_home_opened", "user": "UMENTEE1", "tab": "home"})
    bot.settle()
    at = bot.runtime.services.coordination.plan_reports()
    assert at is not None
    bot.clock.set(at + timedelta(hours=1))  # 9:00 in Berlin is 8:00 for a London coordinator
    bot.fake.rate_limit_next("chat.postMessage", retry_after=30)
    bot.tick()
    assert reports(bot) == []
    assert [c.outcome for c in bot.fake.calls_to("chat.postMessage")] == ["429"]
    bot.tick(timedelta(seconds=31))
    assert len(reports(bot)) == 1


def test_the_schedule_can_be_weekly_or_off() -> None:
    monday_noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    weekly = next_report(monday_noon, schedule=ReportSchedule.WEEKLY, zone="UTC", hour=9)
    assert weekly == ("2026-W11", datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    early = next_report(
        datetime(2026, 3, 2, 8, 0, tzinfo=UTC), schedule=ReportSchedule.WEEKLY, zone="UTC", hour=9
    )
    assert early == ("2026-W10", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    # August 2026 starts on a Saturday: the report waits for Monday the 3rd.
    monthly = next_report(
        datetime(2026, 7, 20, tzinfo=UTC), schedule=ReportSchedule.MONTHLY, zone="UTC", hour=9
    )
    assert monthly == ("2026-08", datetime(2026, 8, 3, 9, 0, tzinfo=UTC))
    december = next_report(
        datetime(2026, 12, 1, 10, tzinfo=UTC), schedule=ReportSchedule.MONTHLY, zone="UTC", hour=9
    )
    assert december == ("2027-01", datetime(2027, 1, 1, 9, 0, tzinfo=UTC))
    assert next_report(monday_noon, schedule=ReportSchedule.OFF, zone="UTC", hour=9) is None
    # Berlin's clocks go forward on Sunday 29 March: Monday's 9:00 is 7:00 UTC, not 8:00.
    after_change = next_report(
        datetime(2026, 3, 27, tzinfo=UTC),
        schedule=ReportSchedule.WEEKLY,
        zone="Europe/Berlin",
        hour=9,
    )
    assert after_change == ("2026-W14", datetime(2026, 3, 30, 7, 0, tzinfo=UTC))


@pytest.mark.parametrize("schedule", ["off"])
def test_off_sends_nothing(bot: RunningBot, schedule: str) -> None:
    off = build_runtime(
        bot.runtime.settings.model_copy(update={"mentorbot_report_schedule": schedule}),
        clock=bot.clock,
        database=bot.runtime.database,
        migrate=False,
    )
    try:
        assert off.services.coordination.plan_reports() is None
    finally:
        off.executor.shutdown(wait=True)
