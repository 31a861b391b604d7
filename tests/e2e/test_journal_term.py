"""A short program term: the term-completed milestone arrives at its end, once, and an ended
partnership gets none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.model.partnership import PartnershipStatus
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
