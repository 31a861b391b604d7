"""Working hours: what the bot starts reaches each person inside their working day, in their own
zone (Slack's, asked once and kept); what answers a person's own click is never held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import RunningBot
from tests.e2e.journeys import ask, click, dms, last_dm, matched_pair, offer, pick, schedule

MENTOR, MENTEE, COORDINATOR = "UMENTOR1", "UMENTEE1", "UCOORD1"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"mentorbot_default_tz": "UTC"}  # the zone of people Slack can't tell us about


def welcomes(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    return [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.params.get("channel") == user
        and "onboarding:" in str((c.params.get("metadata") or {}).get("event_payload", {}))
    ]


def zone_lookups(bot: RunningBot, user: str) -> int:
    return sum(1 for c in bot.fake.calls_to("users.info") if c.params.get("user") == user)


def cached_zone(bot: RunningBot, user: str) -> str | None:
    with bot.runtime.database.engine.connect() as connection:
        return connection.scalar(
            sa.text("SELECT tz FROM person_zones WHERE user_id = :user"), {"user": user}
        )


def test_a_los_angeles_mentees_welcome_waits_for_nine_in_los_angeles(bot: RunningBot) -> None:
    bot.fake.add_user(MENTOR, tz="Asia/Tokyo")
    bot.fake.add_user(MENTEE, tz="America/Los_Angeles")
    bot.clock.set(datetime(2026, 3, 3, 8, 9, tzinfo=UTC))  # Tuesday 00:09 in LA, 17:09 in Tokyo

    # Answers to what people just did go at once, whatever the hour: suggestions after the
    # ask, the request the mentee's click sends, the introduction after the mentor's accept.
    intro = matched_pair(bot, MENTOR, MENTEE)
    assert intro["text"].startswith("Welcome to your mentoring partnership")
    posted = [c.params["text"] for c in bot.fake.delivered("chat.postMessage")]
    assert any("would like you to be their mentor" in text for text in posted)

    bot.tick(timedelta(hours=1))  # 01:09 in LA, 18:09 in Tokyo: the welcome is due for both
    assert welcomes(bot, MENTEE) == [] and welcomes(bot, MENTOR) == []
    bot.tick(timedelta(hours=7, minutes=50))  # 16:59 UTC: 08:59 in LA, 01:59 in Tokyo
    assert welcomes(bot, MENTEE) == [] and welcomes(bot, MENTOR) == []
    bot.tick(timedelta(minutes=1))  # 09:00 in Los Angeles
    (welcome,) = welcomes(bot, MENTEE)
    assert "You drive this partnership" in str(welcome["blocks"])
    assert welcomes(bot, MENTOR) == []
    bot.tick(timedelta(hours=7))  # Wednesday 09:00 in Tokyo
    assert len(welcomes(bot, MENTOR)) == 1
    # Both zones came from users.info when the modals opened, kept for the dispatcher.
    assert cached_zone(bot, MENTEE) == "America/Los_Angeles"
    assert cached_zone(bot, MENTOR) == "Asia/Tokyo"


def test_a_new_york_coordinators_flag_goes_at_once_and_the_report_at_nine_their_time(
    bot: RunningBot,
) -> None:
    bot.fake.add_user(MENTOR, tz="Europe/London")
    bot.fake.add_user(MENTEE, tz="Europe/London")
    bot.fake.add_user(COORDINATOR, tz="America/New_York")
    matched_pair(bot, MENTOR, MENTEE)
    bot.clock.set(datetime(2026, 3, 16, 17, 0, tzinfo=UTC))  # Monday, two weeks in
    bot.tick()
    pulse = next(m for m in reversed(dms(bot, MENTOR)) if "How is your mentoring" in m["text"])

    # 14:10 in New York (18:10 UTC, after the program's default UTC working day): a low pulse
    # raises a flag, and the coordinator reads it now, not tomorrow morning.
    bot.clock.set(datetime(2026, 3, 16, 18, 10, tzinfo=UTC))
    click(bot, MENTOR, pulse, "pulse_1")
    bot.tick()
    flags = [m for m in dms(bot, COORDINATOR) if "low pulse" in str(m).lower()]
    assert len(flags) == 1, [m["text"] for m in dms(bot, COORDINATOR)]
    assert cached_zone(bot, COORDINATOR) == "America/New_York"
    asked = zone_lookups(bot, COORDINATOR)
    assert asked == 1  # the dispatcher asked Slack once, and keeps it

    # The monthly report is planned for 9:00 in the program's zone (UTC): 05:00 in New York.
    planned = bot.runtime.services.coordination.plan_reports()
    assert planned == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    bot.clock.set(planned)
    bot.tick()
    assert not [m for m in dms(bot, COORDINATOR) if "monthly program report" in m["text"]]
    bot.tick(timedelta(hours=3, minutes=59))  # 08:59 in New York
    assert not [m for m in dms(bot, COORDINATOR) if "monthly program report" in m["text"]]
    bot.tick(timedelta(minutes=1))
    assert len([m for m in dms(bot, COORDINATOR) if "monthly program report" in m["text"]]) == 1
    assert zone_lookups(bot, COORDINATOR) == asked  # the report and its files: no new lookup


def test_a_coordinator_who_moves_gets_the_next_report_in_the_new_zone(bot: RunningBot) -> None:
    bot.fake.add_user(MENTEE, tz="Europe/London")
    bot.fake.add_user(COORDINATOR, tz="Europe/London")
    bot.slack.event({"type": "app_home_opened", "user": MENTEE, "tab": "home"})
    bot.settle()
    planned = bot.runtime.services.coordination.plan_reports()
    assert planned == datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    # Slack says the coordinator moved to Tokyo (user_change): 18:00 there is 09:00 UTC.
    moved = bot.fake.add_user(COORDINATOR, tz="Asia/Tokyo")
    assert bot.slack.event({"type": "user_change", "user": moved}).status == 200
    bot.settle()
    assert cached_zone(bot, COORDINATOR) == "Asia/Tokyo"
    bot.clock.set(planned)
    bot.tick()
    assert not [m for m in dms(bot, COORDINATOR) if "monthly program report" in m["text"]]
    bot.tick(timedelta(hours=14))  # 23:00 UTC: Thursday 08:00 in Tokyo
    assert not [m for m in dms(bot, COORDINATOR) if "monthly program report" in m["text"]]
    bot.tick(timedelta(hours=1))
    assert len([m for m in dms(bot, COORDINATOR) if "monthly program report" in m["text"]]) == 1
    assert zone_lookups(bot, COORDINATOR) == 0  # Slack told us; nobody had to ask


def test_a_button_click_at_night_is_answered_at_once(bot: RunningBot) -> None:
    bot.fake.add_user(MENTOR, tz="Asia/Tokyo")
    bot.fake.add_user(MENTEE, tz="America/Los_Angeles")
    bot.clock.set(datetime(2026, 3, 7, 9, 30, tzinfo=UTC))  # Saturday 01:30 in LA, 18:30 Tokyo
    offer(bot, MENTOR, expertise=["leadership"])
    ask(bot, MENTEE, focus=["leadership"])
    assert "pick_mentor" in str(last_dm(bot, MENTEE))  # suggestions: the answer to the ask
    pick(bot, MENTEE, MENTOR)
    assert "would like you to be their mentor" in last_dm(bot, MENTOR)["text"]  # a Saturday evening
    report = bot.tick()
    assert report.held == 0


def test_a_held_did_you_meet_survives_a_change_of_plan_that_evening(bot: RunningBot) -> None:
    """Held till the morning, the check about tonight's session must not be cancelled with
    the plan when the pair moves next week's session in the evening: that session happened."""
    bot.fake.add_user(MENTOR, tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, tz="Europe/London")
    intro = matched_pair(bot, MENTOR, MENTEE)
    schedule(bot, MENTEE, intro, when="Tuesdays at 6pm")  # 18:00-19:00 in London (UTC)
    bot.tick(timedelta(days=1, hours=4, minutes=5))  # Tuesday 19:05 in London, 20:05 Berlin
    assert not [m for m in dms(bot, MENTEE) if "Did you meet" in m["text"]]
    bot.tick(timedelta(hours=1))
    schedule(bot, MENTEE, intro, when="Thursdays at 3pm")  # from this Thursday on
    bot.tick(timedelta(hours=12))  # Wednesday 08:05 in London, 09:05 in Berlin
    assert [m for m in dms(bot, MENTOR) if "Did you meet" in m["text"]]
    bot.tick(timedelta(hours=1))
    (check,) = [m for m in dms(bot, MENTEE) if "Did you meet" in m["text"]]
    assert "20260303T1800Z" in str(check["blocks"])  # about Tuesday's session
