"""A coordinator closes an at-risk partnership from the Home tab, after a confirmation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.model.partnership import PartnershipStatus
from handlers.rhythm import blocks as rhythm_blocks
from storage import SqlUnitOfWork
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import buttons, click, dms, last_dm, matched_pair, offer

MENTOR, MENTEE, COORDINATOR = "UMENTOR1", "UMENTEE1", "UCOORD1"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mentorbot_onboarding": False}


@pytest.fixture
def at_risk(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    """A pair whose mentor answered the fortnight's pulse with a 1, and the coordinator's
    Home tab listing them."""
    for user in (MENTOR, MENTEE, COORDINATOR, "UMENTOR2"):
        bot.fake.add_user(user, tz="Europe/London")
    matched_pair(bot, MENTOR, MENTEE)
    offer(bot, "UMENTOR2", expertise=["leadership"])  # someone to rematch with, later
    bot.tick(timedelta(days=14))
    click(bot, MENTOR, last_dm(bot, MENTOR), "pulse_1")
    bot.slack.event({"type": "app_home_opened", "user": COORDINATOR, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(COORDINATOR)
    assert home is not None
    return bot, home


def partnership_status(bot: RunningBot) -> PartnershipStatus:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.partnerships.get(TEAM, 1)
        assert partnership is not None
        return partnership.status


def test_a_coordinator_closes_an_at_risk_pair_in_two_clicks(
    at_risk: tuple[RunningBot, dict[str, Any]],
) -> None:
    bot, home = at_risk
    assert buttons(home, "coordinator_close") == ["1"]
    bot.slack.click("coordinator_close", user=COORDINATOR, value="1", view=home)
    bot.settle()
    modal = bot.view_opened("coordinator_close")
    assert "<@UMENTEE1> (mentee) and <@UMENTOR1> (mentor)" in str(modal["blocks"])
    assert partnership_status(bot) is PartnershipStatus.ACTIVE  # nothing until confirmed

    reply = bot.slack.submit(modal, user=COORDINATOR, values={})
    assert reply.json()["response_action"] == "errors"  # a reason category is needed
    reply = bot.slack.submit(modal, user=COORDINATOR, values={"reason": "fit"})
    assert reply.json()["response_action"] == "update"
    bot.settle()
    assert partnership_status(bot) is PartnershipStatus.ENDED
    refreshed = bot.fake.home_view(COORDINATOR)
    assert refreshed is not None and buttons(refreshed, "coordinator_close") == []

    to_mentee = next(m for m in dms(bot, MENTEE) if "program team has closed" in m["text"])
    to_mentor = next(m for m in dms(bot, MENTOR) if "program team has closed" in m["text"])
    assert "other mentors for you right away" in to_mentee["text"]
    assert "Thank you for the time and care" in to_mentor["text"]
    for message in (to_mentee, to_mentor):
        assert "fit" not in message["text"].lower().replace("fit and schedules", "")
    # The mentee is offered new mentors, never the same one again.
    suggestions = last_dm(bot, MENTEE)
    assert buttons(suggestions, "pick_mentor")
    assert all(not v.endswith(":" + MENTOR) for v in buttons(suggestions, "pick_mentor"))

    trail = bot.runtime.services.coordination.audit_trail(team_id=TEAM, coordinator_id=COORDINATOR)
    assert (trail[0].action, trail[0].subject, trail[0].detail) == (
        "pair.close",
        "partnership:1",
        {"reason": "fit"},
    )
    # Their pulses, nudges and term milestones are over.
    before = len(dms(bot, MENTEE)) + len(dms(bot, MENTOR))
    bot.tick(timedelta(days=40))
    later = [m["text"][:30] for m in dms(bot, MENTEE) + dms(bot, MENTOR)]
    assert len(dms(bot, MENTEE)) + len(dms(bot, MENTOR)) - before <= 2, later  # rematch only
    assert not any(t.startswith("How is your mentoring") for t in later[-2:])

    # Submitting the same modal again changes nothing.
    reply = bot.slack.submit(modal, user=COORDINATOR, values={"reason": "fit"})
    assert reply.json()["response_action"] == "errors"


def test_closing_is_refused_to_anyone_else_even_with_a_crafted_payload(
    at_risk: tuple[RunningBot, dict[str, Any]],
) -> None:
    bot, home = at_risk
    bot.slack.click("coordinator_close", user=MENTEE, value="1", view=home)
    bot.settle()
    assert "no longer on the at-risk list" in last_dm(bot, MENTEE)["text"]
    assert not [
        c
        for c in bot.fake.calls_to("views.open")
        if c.params["view"]["callback_id"] == "coordinator_close"
    ]

    # A crafted submission of the coordinator's modal by the mentor: refused, nothing happens.
    modal = rhythm_blocks.close_modal(mentee_id=MENTEE, mentor_id=MENTOR, partnership_id=1)
    reply = bot.slack.submit(modal, user=MENTOR, values={"reason": "fit"})
    assert reply.json()["response_action"] == "errors"
    assert "coordinators" in str(reply.json()["errors"])
    bot.settle()
    assert partnership_status(bot) is PartnershipStatus.ACTIVE
    assert not any("program team has closed" in m["text"] for m in dms(bot, MENTEE))
