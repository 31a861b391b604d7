"""With one bot token (no OAuth), an uninstall is handled the same way: nothing more is sent,
the data waits out the retention period, and starting again with the new token keeps it."""

from __future__ import annotations

from datetime import timedelta

from mentorbot.wiring import reinstate_token_workspace
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import matched_pair
from tests.support.oauth import outbox, team_rows


def test_an_uninstalled_single_workspace_keeps_its_data_until_retention_ends(
    bot: RunningBot,
) -> None:
    bot.fake.add_user("UMENTOR1", tz="Europe/London")
    bot.fake.add_user("UMENTEE1", tz="Europe/London")
    matched_pair(bot, "UMENTOR1", "UMENTEE1")
    pending = outbox(bot, TEAM, "pending")
    assert pending > 0

    assert bot.slack.event({"type": "app_uninstalled"}).status == 200

    assert outbox(bot, TEAM, "pending") == 0
    (removal,) = bot.runtime.services.workspaces.removals()
    assert removal.team_id == TEAM

    # the bot is started again with the workspace's new token: nothing is lost
    reinstate_token_workspace(bot.runtime.settings, bot.runtime.services)
    assert bot.runtime.services.workspaces.removals() == []
    assert outbox(bot, TEAM, "pending") == pending
    bot.clock.advance(timedelta(days=60))
    assert bot.runtime.services.workspaces.purge_due() == []
    assert team_rows(bot, TEAM)["partnerships"] == 1
