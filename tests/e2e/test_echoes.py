"""What people typed, quoted back when the bot can't use it: a phrase full of Slack's control
characters reads as the words typed, never as a ping, a mention or a link (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import RunningBot
from tests.e2e.journeys import last_dm, matched_pair, schedule
from tests.e2e.test_conversation import write

MENTOR, MENTEE, COORDINATOR = "UMENTOR1", "UMENTEE1", "UCOORD1"
PHRASE = "<!channel> <@U123> *bold* & <https://x|y>"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"mentorbot_onboarding": False}


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    bot.fake.add_user(MENTOR, tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, tz="Europe/London")
    return bot, matched_pair(bot, MENTOR, MENTEE)


def harmless(text: str, *, echoed: str = "&lt;!channel&gt;") -> None:
    for control in ("<!channel>", "<@U123>", "<https://x|y>", " & "):
        assert control not in text, text
    assert echoed in text, text


def ephemeral(bot: RunningBot, command: str, *, user: str) -> str:
    bot.slack.command(command, user=user)
    bot.settle()
    return str(bot.fake.last("response_url").params["text"])


def test_an_unreadable_pause_date_is_quoted_harmlessly(pair: tuple[RunningBot, Any]) -> None:
    """Without the mention: `/mentor pause @someone` names the partner to pause with."""
    bot, _ = pair
    typed = PHRASE.replace(" <@U123>", "")
    harmless(ephemeral(bot, f"pause until {typed}", user=MENTEE))


def test_an_unknown_program_name_is_quoted_harmlessly(pair: tuple[RunningBot, Any]) -> None:
    bot, _ = pair
    harmless(ephemeral(bot, f"program edit {PHRASE}", user=COORDINATOR))


def test_an_unreadable_time_is_quoted_harmlessly_in_the_dm_and_the_modal(
    pair: tuple[RunningBot, dict[str, Any]],
) -> None:
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    write(bot, MENTEE, f"reschedule to {PHRASE}")
    harmless(last_dm(bot, MENTEE)["text"])
    reply = schedule(bot, MENTEE, intro, when=PHRASE)
    assert reply.json()["response_action"] == "errors"
    harmless(reply.json()["errors"]["when"])
