"""The sandbox without a browser: the page's endpoints drive the real bot over its signed edge."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from mentorbot.sandbox import RunningSandbox, start_sandbox
from mentorbot.settings import Settings
from sandbox.clock import SandboxClock
from sandbox.workspace import ACME, GLOBEX

MENTEE = "U0MENTEE1"  # Maya, in Los Angeles
GLOBEX_MENTEE = "U0GMENTEE1"  # Aisha, in Nairobi, at Globex


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite:///{tmp_path / 'sandbox.db'}"
    )
    clock = SandboxClock(start=datetime(2026, 3, 4, 18, 0, tzinfo=UTC))  # a Wednesday
    running = start_sandbox(settings, port=0, clock=clock, background=True, scheduler=False)
    try:
        yield running
    finally:
        running.close()


def call(sandbox: RunningSandbox, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        sandbox.url + path, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_slash_command_reaches_the_bot_and_its_answer_shows_only_to_the_person(
    sandbox: RunningSandbox,
) -> None:
    dm = sandbox.slack.dm_channel(MENTEE)
    status, answer = call(
        sandbox, "/sandbox/command", {"as": MENTEE, "channel": dm, "text": "/mentor help"}
    )
    assert (status, answer) == (200, {})
    status, state = call(sandbox, f"/sandbox/state?as={MENTEE}&channel={dm}")
    assert status == 200
    assert "<code>/mentor ask</code>" in state["timeline"]
    assert "Only visible to you" in state["timeline"]
    # A page that already shows this version is told nothing changed, until something does.
    again = call(sandbox, f"/sandbox/state?as={MENTEE}&channel={dm}&v={state['version']}")
    assert again == (200, {"unchanged": True, "version": state["version"]})
    call(sandbox, "/sandbox/command", {"as": MENTEE, "channel": dm, "text": "/mentor"})
    _, changed = call(sandbox, f"/sandbox/state?as={MENTEE}&channel={dm}&v={state['version']}")
    assert changed["version"] != state["version"]
    assert changed["timeline"].count("Only visible to you") == 2
    _, other = call(sandbox, f"/sandbox/state?as=U0MENTOR1&channel={dm}")
    assert "/mentor ask" not in other["timeline"], "someone else's DM is not shown"
    # The bot heard it through the signed edge: it answered, and never touched the Web API.
    # (oauth.v2.access: the two companies' installs at start-up.)
    setup = ("auth.test", "oauth.v2.access")
    assert [c.method for c in sandbox.slack.calls if c.method not in setup] == []


def test_each_person_acts_in_their_own_workspace_and_the_bot_answers_with_its_token(
    sandbox: RunningSandbox,
) -> None:
    slack = sandbox.slack
    acme, globex = slack.bot_token(ACME.team_id), slack.bot_token(GLOBEX.team_id)
    assert acme and globex and acme != globex
    for user, token in ((MENTEE, acme), (GLOBEX_MENTEE, globex)):
        dm = slack.dm_channel(user)
        assert call(sandbox, "/sandbox/command", {"as": user, "channel": dm, "text": "/mentor ask"})
        sandbox.workspace.settle()
        assert slack.calls_to("views.open")[-1].token == token
        assert slack.modal_stack(user)[-1]["callback_id"] == "mentor_ask"
        assert call(sandbox, "/sandbox/home", {"as": user}) == (200, {})
        sandbox.workspace.settle()
        published = slack.calls_to("views.publish")[-1]
        assert (published.params["user_id"], published.token) == (user, token)
    assert slack.refusals() == []
    _, state = call(sandbox, f"/sandbox/state?as={GLOBEX_MENTEE}&channel=home")
    assert state["company"] == GLOBEX.team_id and "Ask for a mentor" in state["home"]["html"]
    status, answer = call(
        sandbox,
        "/sandbox/command",
        {"as": GLOBEX_MENTEE, "channel": ACME.channel[0], "text": "/mentor help"},
    )
    assert status == 400 and "not one of U0GMENTEE1's conversations" in answer["problem"]


def test_commands_the_bot_does_not_have_and_unknown_people_get_a_clear_answer(
    sandbox: RunningSandbox,
) -> None:
    dm = sandbox.slack.dm_channel(MENTEE)
    status, answer = call(
        sandbox, "/sandbox/command", {"as": MENTEE, "channel": dm, "text": "/remind me"}
    )
    assert status == 200 and "the bot's command is /mentor" in answer["problem"]
    status, answer = call(sandbox, "/sandbox/command", {"as": "U9NOBODY", "channel": dm})
    assert status == 400 and "no one called U9NOBODY" in answer["problem"]


def test_next_monday_nine_is_in_the_acting_persons_time_zone(sandbox: RunningSandbox) -> None:
    status, _ = call(sandbox, "/sandbox/clock", {"as": MENTEE, "step": "next_monday"})
    assert status == 200
    local = sandbox.workspace.clock.now().astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.date().isoformat(), local.hour) == ("2026-03-09", 9)
    _, state = call(sandbox, f"/sandbox/state?as={MENTEE}")
    assert state["now"].startswith("Mon 09 Mar 2026, 09:0")
    status, answer = call(sandbox, "/sandbox/clock", {"as": MENTEE, "step": "back"})
    assert status == 400 and "unknown clock step" in answer["problem"]


def test_what_slack_would_refuse_is_shown_on_the_page_with_slacks_reasons(
    sandbox: RunningSandbox,
) -> None:
    client = WebClient(base_url=sandbox.slack.url, token="xoxb-sandbox", retry_handlers=[])
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=MENTEE, text="too much", blocks=[{"type": "divider"}] * 51)
    _, state = call(sandbox, f"/sandbox/state?as={MENTEE}")
    assert state["refusals"] == [
        {
            "method": "chat.postMessage",
            "error": "invalid_blocks",
            "messages": ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"],
        }
    ]
    assert "too much" not in state["timeline"]


def test_the_page_answers_only_loopback_names_and_json_posts(sandbox: RunningSandbox) -> None:
    def status(request: urllib.request.Request) -> int:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    body = json.dumps({"as": MENTEE, "step": "day"}).encode()
    rebound = urllib.request.Request(
        sandbox.url + f"/sandbox/state?as={MENTEE}", headers={"Host": "evil.example:3000"}
    )
    assert status(rebound) == 403
    form = urllib.request.Request(
        sandbox.url + "/sandbox/clock", data=body, headers={"Content-Type": "text/plain"}
    )
    before = sandbox.workspace.clock.now()
    assert status(form) == 415
    assert sandbox.workspace.clock.now() - before < timedelta(hours=1), "time did not move"
    local = urllib.request.Request(
        sandbox.url.replace("127.0.0.1", "localhost") + f"/sandbox/state?as={MENTEE}"
    )
    assert status(local) == 200
