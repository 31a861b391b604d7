"""Coordinators from a Slack user group: read from Slack after the ack, kept in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.conftest import RunningBot

GROUP = "S0COORDS"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mentorbot_coordinator_group": GROUP, "mentorbot_onboarding": False}


def refused(bot: RunningBot, user: str) -> bool:
    reply = bot.slack.command("report", user=user)
    assert reply.status == 200
    bot.settle()
    return "for the program's coordinators" in (reply.json() or {}).get("text", "")


def lookups(bot: RunningBot) -> int:
    return len(bot.fake.calls_to("usergroups.users.list"))


def known_workspace(bot: RunningBot) -> None:
    """The bot has heard from the workspace (someone opened its Home tab)."""
    bot.fake.add_user("UMENTEE1", tz="Europe/London")
    bot.slack.event({"type": "app_home_opened", "user": "UMENTEE1", "tab": "home"})
    bot.settle()


def test_a_group_member_becomes_a_coordinator_after_the_refresh_and_loses_it_when_removed(
    bot: RunningBot,
) -> None:
    for user in ("UGROUP1", "UGROUP2"):
        bot.fake.add_user(user, tz="Europe/London")
    bot.fake.set_usergroup(GROUP, ["UGROUP1"])
    known_workspace(bot)
    coordination = bot.runtime.services.coordination
    assert not coordination.is_coordinator("UGROUP1", team_id="T0001")
    assert lookups(bot) == 0

    bot.runtime.services.coordinator_group.start()  # what `mentorbot run` does
    bot.tick()
    assert lookups(bot) == 1
    assert not refused(bot, "UGROUP1")
    assert "program report" in bot.fake.last("response_url").params["text"]
    assert refused(bot, "UGROUP2")

    # The hourly round reads the group again: UGROUP1 left, UGROUP2 joined.
    bot.fake.set_usergroup(GROUP, ["UGROUP2"])
    bot.tick(timedelta(hours=1))
    assert refused(bot, "UGROUP1")
    assert not refused(bot, "UGROUP2")
    assert not refused(bot, "UCOORD1")  # the settings' coordinators stay whatever the group


def test_the_members_changed_event_applies_at_once_without_asking_slack(
    bot: RunningBot,
) -> None:
    bot.fake.add_user("UGROUP1", tz="Europe/London")
    before = lookups(bot)
    changed = {
        "type": "subteam_members_changed",
        "subteam_id": GROUP,
        "team_id": "T0001",
        "date_previous_update": 1446670362,
        "date_update": 1492906952,
        "added_users": ["UGROUP1"],
        "added_users_count": "1",
        "removed_users": [],
        "removed_users_count": "0",
    }
    assert bot.slack.event(changed).status == 200
    bot.settle()
    assert not refused(bot, "UGROUP1")

    other_group = {**changed, "subteam_id": "S0OTHERS", "added_users": ["UMENTEE1"]}
    bot.slack.event(other_group)
    removed = {**changed, "added_users": [], "removed_users": ["UGROUP1"]}
    bot.slack.event(removed)
    bot.settle()
    assert refused(bot, "UGROUP1")
    assert refused(bot, "UMENTEE1")
    assert lookups(bot) - before <= 2  # only the refusals' look-agains, after their acks


@pytest.mark.parametrize("failure", ["ratelimited", "fatal_error"])
def test_when_slack_fails_the_last_known_members_stay(bot: RunningBot, failure: str) -> None:
    for user in ("UGROUP1", "UGROUP2"):
        bot.fake.add_user(user, tz="Europe/London")
    bot.fake.set_usergroup(GROUP, ["UGROUP1"])
    known_workspace(bot)
    bot.runtime.services.coordinator_group.start()
    bot.tick()
    assert not refused(bot, "UGROUP1")

    bot.fake.set_usergroup(GROUP, ["UGROUP2"])
    if failure == "ratelimited":
        bot.fake.rate_limit_next("usergroups.users.list", retry_after=120)
    else:
        bot.fake.fail_next("usergroups.users.list", failure)
    bot.tick(timedelta(hours=1))
    assert bot.fake.calls_to("usergroups.users.list")[-1].outcome != "ok"
    assert not refused(bot, "UGROUP1")  # as last seen, not locked out by an outage
    assert refused(bot, "UGROUP2")
    if failure == "ratelimited":
        bot.tick(timedelta(seconds=121))  # Retry-After honoured: asked again, then it counts
        assert bot.fake.calls_to("usergroups.users.list")[-1].outcome == "ok"
        assert refused(bot, "UGROUP1")
        assert not refused(bot, "UGROUP2")


def test_a_new_group_member_is_let_in_after_a_first_refusal(bot: RunningBot) -> None:
    """A fresh install, or a missed event: the refusal has the group read again, after the
    ack, so the member's next try works."""
    bot.fake.add_user("UGROUP1", tz="Europe/London")
    bot.fake.set_usergroup(GROUP, ["UGROUP1"])
    assert refused(bot, "UGROUP1")
    bot.tick()
    assert not refused(bot, "UGROUP1")


def test_a_group_member_hears_what_coordinators_hear(bot: RunningBot) -> None:
    bot.fake.add_user("UGROUP1", tz="Europe/London")
    bot.fake.set_usergroup(GROUP, ["UGROUP1"])
    refused(bot, "UGROUP1")
    bot.tick()
    coordination = bot.runtime.services.coordination
    assert coordination.is_coordinator("UGROUP1", team_id="T0001")
    assert not coordination.is_coordinator("UGROUP1", team_id="T0002")  # per workspace


def test_the_local_slack_answers_usergroups_users_list_like_slack(bot: RunningBot) -> None:
    client = WebClient(token="xoxb-test-token", base_url=bot.fake.url)
    bot.fake.set_usergroup(GROUP, ["UGROUP1", "UGROUP2"])
    assert client.usergroups_users_list(usergroup=GROUP)["users"] == ["UGROUP1", "UGROUP2"]
    for usergroup, error in (("S0NOSUCH", "no_such_subteam"), ("", "invalid_arguments")):
        with pytest.raises(SlackApiError) as raised:
            client.usergroups_users_list(usergroup=usergroup)
        assert raised.value.response["error"] == error
