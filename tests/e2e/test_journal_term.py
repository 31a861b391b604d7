"""A short program term: the term-completed milestone arrives at its end, once, and an ended
partnership gets none."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain import PartnershipStatus
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
