"""What the local Slack keeps for the sandbox page: modal stacks, ephemeral answers, response_url
effects and group DMs, each seen through a real slack_sdk client or Slack's HTTP endpoints."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.clock import SandboxClock
from sandbox.slack import LocalSlack


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    with LocalSlack() as local:
        local.add_user("U1", real_name="Ada Lovelace", tz="Europe/London")
        local.add_user("U2", real_name="Grace Hopper")
        yield local


@pytest.fixture
def client(slack: LocalSlack) -> WebClient:
    return WebClient(base_url=slack.url, token="xoxb-sandbox", retry_handlers=[])


def modal(title: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": list(blocks) or [{"type": "divider"}],
    }


def post_json(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_modal_opened_with_a_persons_trigger_is_theirs_and_stacks(
    slack: LocalSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id=slack.issue_trigger("U1"), view=modal("First"))
    client.views_push(trigger_id=slack.issue_trigger("U1"), view=modal("Second"))
    stack = slack.modal_stack("U1")
    assert [v["title"]["text"] for v in stack] == ["First", "Second"]
    assert stack[1]["root_view_id"] == opened["view"]["id"]
    assert slack.modal_stack("U2") == []
    # A trigger from a test (not issued here) still opens a modal, owned by no one.
    client.views_open(trigger_id="1.2.free", view=modal("Loose"))
    assert len(slack.modal_stack("U1")) == 2

    slack.close_modal("U1")
    assert [v["title"]["text"] for v in slack.modal_stack("U1")] == ["First"]
    slack.close_modal("U1", everything=True)
    assert slack.modal_stack("U1") == []


def test_response_action_update_is_refused_like_slack_when_the_view_breaks_limits(
    slack: LocalSlack, client: WebClient
) -> None:
    view_id = client.views_open(trigger_id=slack.issue_trigger("U1"), view=modal("Ask"))["view"][
        "id"
    ]
    problems = slack.replace_modal("U1", view_id, modal("A title far longer than Slack allows"))
    assert problems and "must be less than 25 characters" in problems[0]
    assert slack.modal_stack("U1")[0]["title"]["text"] == "Ask", "the modal stays as it was"
    assert slack.replace_modal("U1", view_id, modal("Thanks")) == []
    assert slack.modal_stack("U1")[0]["title"]["text"] == "Thanks"
    assert slack.modal_stack("U1")[0]["id"] == view_id


def test_response_urls_reply_ephemerally_replace_or_delete_the_clicked_message(
    slack: LocalSlack, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel="U1", text="Pick a mentor", blocks=[])
    channel, ts = posted["channel"], posted["ts"]

    url = slack.response_url_for(user="U1", channel=channel, message_ts=ts)
    assert post_json(url, {"text": "That button is out of date.", "replace_original": False}) == 200
    assert [m["text"] for m in slack.ephemerals("U1", channel)] == ["That button is out of date."]
    assert slack.ephemerals("U2", channel) == []

    assert post_json(url, {"text": "You picked Grace.", "replace_original": True}) == 200
    assert [m["text"] for m in slack.messages(channel)] == ["You picked Grace."]
    assert slack.messages(channel)[0]["edited"]

    too_many = [{"type": "divider"}] * 51
    assert post_json(url, {"blocks": too_many, "replace_original": True}) == 400
    assert post_json(url, {"delete_original": True}) == 200
    assert slack.messages(channel) == []


def test_chat_post_ephemeral_and_group_dms_are_kept_for_the_page(
    slack: LocalSlack, client: WebClient
) -> None:
    client.chat_postEphemeral(channel="C0PROGRAM", user="U1", text="Only for Ada")
    assert [m["text"] for m in slack.ephemerals("U1", "C0PROGRAM")] == ["Only for Ada"]
    group = client.conversations_open(users="U1,U2")["channel"]["id"]
    assert slack.group_conversations("U1") == {group: ["U1", "U2"]}
    assert slack.group_conversations("U2") == {group: ["U1", "U2"]}
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=group, text="x", blocks=[{"type": "divider"}] * 51)
    assert refused.value.response["error"] == "invalid_blocks"


def test_message_timestamps_follow_the_sandbox_clock_and_keep_increasing() -> None:
    clock = SandboxClock(start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with LocalSlack(clock=clock.now) as slack:
        slack.add_user("U1")
        client = WebClient(base_url=slack.url, token="xoxb-sandbox", retry_handlers=[])
        first = float(client.chat_postMessage(channel="U1", text="one")["ts"])
        clock.advance(timedelta(weeks=1))
        second = float(client.chat_postMessage(channel="U1", text="two")["ts"])
        third = float(client.chat_postMessage(channel="U1", text="three")["ts"])
    assert abs(first - datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()) < 60
    assert second - first >= timedelta(weeks=1).total_seconds()
    assert third > second
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))


def test_each_installed_workspaces_token_reaches_its_own_members_only(slack: LocalSlack) -> None:
    slack.add_user("UG1", real_name="Aisha Mwangi", team_id="T0GLOBEX")
    code = slack.install_code("T0GLOBEX", name="Globex")
    globex = WebClient(base_url=slack.url, retry_handlers=[])
    token = globex.oauth_v2_access(client_id="c", client_secret="s", code=code)["access_token"]
    globex.token = token
    assert globex.chat_postMessage(channel="DG1", text="hi")["channel"] == "DG1"
    acme = slack.install_code("T0001", name="Acme")
    other = WebClient(base_url=slack.url, retry_handlers=[])
    other.token = other.oauth_v2_access(client_id="c", client_secret="s", code=acme)["access_token"]
    for channel in ("UG1", "DG1"):  # Globex's member, by ID or by the bot's DM with them
        with pytest.raises(SlackApiError) as refused:
            other.chat_postMessage(channel=channel, text="not yours")
        assert refused.value.response["error"] == "channel_not_found"
    assert [m["text"] for m in slack.messages("DG1")] == ["hi"]
