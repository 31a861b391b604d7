"""A pair's Slack Connect channel at the pair's end, and when either person or workspace goes,
through the signed edge: Ada (Acme, T1, the program's workspace) and Grace (Globex, T2) meet in
a private channel in Acme's Slack. When the partnership ends the channel gets a short kind
word and is archived (``groups:write``); an erasure blanks the names the row keeps; a purge of
either workspace removes the row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.model.partnership import Partnership
from tests.conftest import RunningBot
from tests.e2e.test_pair_channels import (  # noqa: F401  (fixtures)
    MENTEE,
    MENTOR,
    event,
    row,
    settings_overrides,
    start_pair,
    token_of,
    two,
)
from tests.support.oauth import as_team

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def ready(bot: RunningBot) -> tuple[Partnership, str]:
    """The pair's channel is made, Grace accepted: both meet there."""
    bot.fake.set_slack_connect("T1", "paid")
    bot.fake.set_slack_connect("T2", "paid")
    pair = start_pair(bot)
    bot.tick()
    accepted = bot.fake.accept_shared_invite(row(bot)["invite_id"])
    event(bot, "T1", accepted)
    assert row(bot)["status"] == "ready"
    return pair, str(row(bot)["channel_id"])


def end_from(bot: RunningBot, team: str, user: str) -> None:
    slack = as_team(bot, team)
    assert slack.command("end", user=user).status == 200
    bot.settle()
    reply = slack.submit(
        bot.view_opened("partnership_end"), user=user, values={"reason": "schedule", "note": ""}
    )
    assert reply.status == 200, reply.text
    bot.settle()


def test_the_end_of_the_partnership_closes_its_channel_kindly_once(two: RunningBot) -> None:  # noqa: F811
    bot = two
    _, channel = ready(bot)
    end_from(bot, "T2", MENTOR)  # Grace ends it from Globex's Slack
    bot.tick()

    posted = bot.fake.messages(channel)
    assert len(posted) == 2  # the welcome, then the closing word
    assert "Your mentoring partnership has ended" in posted[-1]["text"]
    closing = [c for c in bot.fake.delivered("chat.postMessage") if c.params["channel"] == channel]
    assert closing[-1].token == token_of(bot, "T1")  # the channel's own workspace's token
    archived = bot.fake.delivered("conversations.archive")
    assert [(c.token, c.params["channel"]) for c in archived] == [(token_of(bot, "T1"), channel)]
    assert (bot.fake.channel(channel) or {}).get("is_archived") is True
    assert row(bot)["status"] == "closed"

    bot.tick(timedelta(minutes=10))  # nothing twice
    assert len(bot.fake.messages(channel)) == 2
    assert len(bot.fake.calls_to("conversations.archive")) == 1


def web_api(bot: RunningBot, method: str, team: str, **params: Any) -> dict[str, Any]:
    """The fake's answer to one Web API call, with ``team``'s token, as slack_sdk reads it."""
    client = WebClient(token=token_of(bot, team), base_url=bot.fake.url)
    try:
        return dict(client.api_call(method, json=params).data)  # type: ignore[arg-type]
    except SlackApiError as error:
        return dict(error.response.data)  # type: ignore[arg-type]


def test_an_archived_channel_is_refused_like_slack(two: RunningBot) -> None:  # noqa: F811
    bot = two
    _, channel = ready(bot)
    assert web_api(bot, "conversations.archive", "T1", channel=channel)["ok"] is True
    again = web_api(bot, "conversations.archive", "T1", channel=channel)
    assert (again["ok"], again["error"]) == (False, "already_archived")
    unknown = web_api(bot, "conversations.archive", "T1", channel="C0NOPE")
    assert (unknown["ok"], unknown["error"]) == (False, "channel_not_found")
    posted = web_api(bot, "chat.postMessage", "T1", channel=channel, text="hi")
    assert (posted["ok"], posted["error"]) == (False, "is_archived")


def test_an_erased_person_leaves_no_name_on_the_pairs_channel(two: RunningBot) -> None:  # noqa: F811
    bot = two
    pair, _ = ready(bot)
    assert (row(bot)["host_name"], row(bot)["partner_name"]) == ("Ada Lovelace", "Grace Hopper")
    slack = as_team(bot, "T2")
    assert slack.command("forget-me", user=MENTOR).status == 200
    bot.settle()
    reply = slack.submit(bot.view_opened("forget_me"), user=MENTOR, values={})
    assert reply.status == 200, reply.text
    bot.settle()

    kept = row(bot)  # the row stays, so Slack's later events still find the channel
    assert (kept["host_name"], kept["partner_name"]) == ("", "")
    assert kept["name"] == f"mentoring-{pair.id}"
    assert "Grace" not in str(kept) and "Ada" not in str(kept)


def test_a_purged_partner_workspace_takes_the_pairs_channel_row(two: RunningBot) -> None:  # noqa: F811
    bot = two
    ready(bot)
    bot.fake.uninstall("T2")
    event(bot, "T2", {"type": "app_uninstalled"})
    workspaces = bot.runtime.services.workspaces
    report = workspaces.purge("T2")
    assert report.rows.get("pair_channels") == 1
    with bot.runtime.database.engine.connect() as connection:
        left = connection.execute(sa.text("SELECT count(*) FROM pair_channels")).scalar()
    assert left == 0
