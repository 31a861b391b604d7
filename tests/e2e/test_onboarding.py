"""New pairs hear what their roles are, get a first-session agenda and a topic each month;
coordinators can rewrite those words and the next step uses them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.model.onboarding import TextKey
from bot.onboarding.service import DEFAULT_TEXTS, add_months
from tests.conftest import RunningBot
from tests.e2e.journeys import matched_pair

MENTOR, MENTEE, COORD = "UMENTOR1", "UMENTEE1", "UCOORD1"


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    bot.fake.add_user(MENTOR, tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, tz="Europe/London")
    bot.fake.add_user(COORD, tz="Europe/London")
    return bot, matched_pair(bot, MENTOR, MENTEE)


def onboarding(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if "onboarding:" in str((c.params.get("metadata") or {}).get("event_payload", {}))
    ]


def test_welcome_by_role_then_the_agenda_then_a_topic_a_month(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    assert onboarding(bot) == []  # not on top of the introduction
    bot.tick(timedelta(hours=1))
    welcome = {m["channel"]: m for m in onboarding(bot)}
    assert set(welcome) == {MENTOR, MENTEE}
    assert "You drive this partnership" in str(welcome[MENTEE]["blocks"])
    assert "You guide; your mentee drives" in str(welcome[MENTOR]["blocks"])

    bot.tick(timedelta(days=1))
    agenda = onboarding(bot)[-1]
    assert agenda["channel"] == intro["channel"] and agenda["text"].startswith("An agenda")
    bot.tick(timedelta(days=1))
    assert len(onboarding(bot)) == 3  # nothing more until a month has passed

    first_topic = DEFAULT_TEXTS[TextKey.MONTHLY_TOPICS].splitlines()[0]
    bot.tick(timedelta(days=29))
    # Summer time by now: 16:00 UTC is 18:00 in Berlin, after the mentor's working day, so the
    # pair's topic waits for the next hour that is working time for both of them.
    assert len(onboarding(bot)) == 3
    bot.tick(timedelta(hours=18))
    assert onboarding(bot)[-1]["text"] == f"This month's conversation starter: {first_topic}"
    bot.tick(timedelta(days=1))  # a tick again sends nothing twice
    assert len(onboarding(bot)) == 4


def test_a_coordinators_edit_reaches_the_next_step_and_bad_edits_are_field_errors(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reply = bot.slack.command("texts", user=MENTEE)
    assert "for the program's coordinators" in reply.json()["text"]

    bot.slack.command("texts", user=COORD)
    bot.settle()
    view = bot.view_opened("program_texts")
    current = {
        b["block_id"]: b["element"].get("initial_value", "")
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert current["first_session_agenda"] == DEFAULT_TEXTS[TextKey.FIRST_SESSION_AGENDA]

    too_many = "\n".join(f"Topic {n}" for n in range(13))
    reply = bot.slack.submit(view, user=COORD, values=current | {"monthly_topics": too_many})
    assert reply.json()["errors"] == {
        "monthly_topics": "At most 12 topics, one a line: this has 13."
    }
    reply = bot.slack.submit(view, user=COORD, values=current | {"welcome_mentee": " "})
    assert "welcome_mentee" in reply.json()["errors"]

    edited = current | {
        "first_session_agenda": "Meet, share stories, write one goal.",
        "monthly_topics": "Your first month: what surprised you?\nSecond topic",
    }
    reply = bot.slack.submit(view, user=COORD, values=edited)
    assert reply.json()["response_action"] == "update"
    bot.tick(timedelta(days=1, hours=1))
    assert onboarding(bot)[-1]["text"] == "An agenda for your first session"
    assert "Meet, share stories, write one goal." in str(onboarding(bot)[-1]["blocks"])
    bot.tick(timedelta(days=30))
    bot.tick(timedelta(hours=18))  # 18:00 in Berlin by then: held for the pair's working hours
    assert onboarding(bot)[-1]["text"].endswith("Your first month: what surprised you?")


def test_months_keep_their_day_or_take_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 29), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 2), 12) == date(2027, 3, 2)
