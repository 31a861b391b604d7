"""A short program term: the term-completed milestone arrives at its end, once, and an ended
partnership gets none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.model.partnership import PartnershipStatus
from bot.model.progress import CheckKind
from storage import SqlUnitOfWork
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import matched_pair

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mentorbot_term_days": 30}


def celebrations(bot: RunningBot, person: str) -> list[str]:
    return [
        m["text"] for m in bot.fake.messages(person) if "logs your own" in json.dumps(m["blocks"])
    ]


@pytest.fixture
def pair(bot: RunningBot) -> RunningBot:
    bot.fake.add_user(MENTOR, tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, tz="Europe/London")
    matched_pair(bot, MENTOR, MENTEE)  # Monday March 2, 15:00 UTC: ends April 1, 15:00
    return bot


def test_the_term_completed_milestone_arrives_at_the_end_of_the_term_once(pair: RunningBot) -> None:
    bot = pair
    bot.clock.set(datetime(2026, 4, 1, 14, 59, tzinfo=UTC))
    bot.tick()
    assert celebrations(bot, MENTEE) == []  # and no "one month": the term ends before it
    bot.tick(timedelta(minutes=1))
    bot.tick(timedelta(days=1))
    for person in (MENTOR, MENTEE):
        [done] = celebrations(bot, person)
        assert "Your mentoring year, completed" in done


def test_a_partnership_that_ended_early_is_not_celebrated_as_completed(pair: RunningBot) -> None:
    bot = pair
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.partnerships.get(TEAM, 1)
        assert partnership is not None
        partnership.status = PartnershipStatus.ENDED
        uow.partnerships.save(partnership)
        uow.commit()
    bot.tick(timedelta(days=40))
    assert celebrations(bot, MENTEE) == [] and celebrations(bot, MENTOR) == []


def test_closing_as_completed_before_the_end_celebrates_then_not_at_the_old_date(
    pair: RunningBot,
) -> None:
    bot = pair
    bot.clock.set(datetime(2026, 3, 20, 10, 0, tzinfo=UTC))  # after the two-week notice
    bot.tick()
    bot.runtime.services.rhythm.close_now(team_id=TEAM, user_id=MENTEE, partnership_id=1)
    bot.tick()
    for person in (MENTOR, MENTEE):
        [done] = celebrations(bot, person)
        assert "Your mentoring year, completed" in done
    bot.clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=UTC))  # the original end of the term
    bot.tick()
    bot.tick(timedelta(days=2))
    assert len(celebrations(bot, MENTEE)) == 1 and len(celebrations(bot, MENTOR)) == 1
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        [milestone] = uow.journal.milestones(TEAM, 1)
    assert milestone.achieved_at == datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


def test_closing_or_answering_the_final_evaluation_on_day_one_is_refused(pair: RunningBot) -> None:
    """Both ends of the term exist only in its last two weeks: a crafted "Close it now" or a
    final evaluation sent on day one does nothing, and nobody celebrates a year not had."""
    bot = pair
    bot.tick(timedelta(hours=1))
    bot.slack.click("term_close", user=MENTEE, value="1", channel=bot.fake.dm_channel(MENTEE))
    bot.settle()
    refusal = bot.fake.last("response_url").params["text"]
    assert refusal == (
        "This can only be done in the last two weeks of the term, from Wednesday 18 March."
    )
    bot.slack.click("open_final", user=MENTOR, value="1", channel=bot.fake.dm_channel(MENTOR))
    bot.settle()
    final = bot.view_opened("final_evaluation")
    reply = bot.slack.submit(
        final, user=MENTOR, values={"rating": "5", "recommend": "10", "changed": "All of it"}
    )
    assert reply.json()["response_action"] == "errors"
    assert "only be done in the last two weeks" in reply.json()["errors"]["rating"]
    bot.tick(timedelta(days=3))
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.partnerships.get(TEAM, 1)
        assert partnership is not None and partnership.status is PartnershipStatus.ACTIVE
        assert uow.progress.check(TEAM, 1, MENTOR, CheckKind.FINAL, 1) is None
        assert uow.journal.milestones(TEAM, 1) == []
    assert celebrations(bot, MENTEE) == [] and celebrations(bot, MENTOR) == []
    numbers = [m for m in bot.fake.messages(MENTOR) if "in numbers" in m["text"].lower()]
    assert numbers == []
