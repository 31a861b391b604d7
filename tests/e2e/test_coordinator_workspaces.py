"""A coordinator hears about the people of their own workspace only.

Two workspaces, each with a mentee nobody can mentor yet: the waitlist notice names the
mentee, so it must reach that workspace's coordinators and no one else, whether the bot is
installed by OAuth (coordinator IDs written ``T012AB:U012CD``) or runs on one bot token (a
bare ID is a coordinator of the token's own workspace, the one ``auth.test`` names).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import ask
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, in_workspace, install, oauth_settings

WAITING = "is waiting for a mentor"


def notices(bot: RunningBot, team_id: str) -> list[str]:
    """Who the outbox addressed a waitlist notice to, for ``team_id``'s requests."""
    with bot.runtime.database.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT recipient FROM outgoing_messages "
                "WHERE kind = 'coordinator.waitlist' AND team_id = :t ORDER BY recipient"
            ),
            {"t": team_id},
        )
        return [str(r[0]) for r in rows]


def addressed_to(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    """Every post and DM opening addressed to ``user``, whatever Slack answered."""
    return [
        {"token": c.token, "text": c.params.get("text", ""), "outcome": c.outcome}
        for c in bot.fake.calls
        if c.method in ("chat.postMessage", "conversations.open")
        and user in str(c.params.get("channel") or c.params.get("users") or "")
    ]


def waitlist_in_both(bot: RunningBot, first: str, second: str) -> None:
    for team_id, mentee in ((first, "UMENTEEA"), (second, "UMENTEEB")):
        ask(in_workspace(bot, team_id), mentee, focus=["leadership"])  # no mentor: waitlisted
    bot.tick()


class TestInstalledByOAuth:
    @pytest.fixture
    def settings_overrides(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return oauth_settings(mentorbot_coordinators=request.param)

    @pytest.fixture
    def two(self, bot: RunningBot) -> RunningBot:
        bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
        for user, team in (("UMENTEEA", "T1"), ("UCOORD1", "T1")):
            bot.fake.add_user(user, team_id=team, tz="Europe/London")
        for user, team in (("UMENTEEB", "T2"), ("UCOORD2", "T2")):
            bot.fake.add_user(user, team_id=team, tz="Europe/London")
        install(bot, "T1", name="Alpha")
        install(bot, "T2", name="Beta")
        return bot

    @pytest.mark.parametrize("settings_overrides", ["T1:UCOORD1,T2:UCOORD2"], indirect=True)
    def test_each_workspaces_coordinator_hears_of_its_own_mentee(self, two: RunningBot) -> None:
        bot = two
        waitlist_in_both(bot, "T1", "T2")
        assert notices(bot, "T1") == ["UCOORD1"] and notices(bot, "T2") == ["UCOORD2"]
        (to_one,) = [m for m in addressed_to(bot, "UCOORD1") if WAITING in m["text"]]
        assert "<@UMENTEEA>" in to_one["text"] and to_one["token"] == bot.fake.bot_token("T1")
        (to_two,) = [m for m in addressed_to(bot, "UCOORD2") if WAITING in m["text"]]
        assert "<@UMENTEEB>" in to_two["text"] and to_two["token"] == bot.fake.bot_token("T2")

    @pytest.mark.parametrize("settings_overrides", ["UCOORD1,UCOORD2"], indirect=True)
    def test_bare_ids_that_slipped_past_start_up_reach_nobody(self, two: RunningBot) -> None:
        """Start-up refuses them (test_oauth_settings); a runtime built anyway leaks nothing:
        B's notice, naming B's mentee, once went to A's coordinator."""
        bot = two
        waitlist_in_both(bot, "T1", "T2")
        assert notices(bot, "T2") == [] and notices(bot, "T1") == []
        t2 = bot.fake.bot_token("T2")
        assert [m for m in addressed_to(bot, "UCOORD1") if m["token"] == t2] == []
        assert [m for m in addressed_to(bot, "UCOORD2") if m["token"] != t2] == []


def test_with_one_token_a_bare_id_is_a_coordinator_of_the_tokens_workspace_only(
    bot: RunningBot,
) -> None:
    """One token still hears other workspaces' people (Slack Connect, Enterprise Grid), and
    ``MENTORBOT_COORDINATORS=UCOORD1`` names a person of the token's workspace."""
    bot.fake.add_user("UMENTEEA", tz="Europe/London")
    bot.fake.add_user("UCOORD1", tz="Europe/London")
    bot.fake.add_user("UMENTEEB", team_id="T0002", tz="Europe/London")

    waitlist_in_both(bot, TEAM, "T0002")

    assert notices(bot, TEAM) == ["UCOORD1"]
    assert notices(bot, "T0002") == []
    told = [m["text"] for m in addressed_to(bot, "UCOORD1") if WAITING in m["text"]]
    assert len(told) == 1 and "<@UMENTEEA>" in told[0]
    assert not any("UMENTEEB" in text for text in told)
