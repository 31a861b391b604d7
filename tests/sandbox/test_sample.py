"""The sandbox opens on a living sample program, made by the sample people through the bot's
edge: mentors to ask, a pair a few weeks in, a waitlist, an at-risk pair; and "Start over
empty" forgets it. Time starts at the acting person's next working morning."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mentorbot.sandbox import RunningSandbox, opening_time, start_sandbox
from mentorbot.settings import Settings
from sandbox.sample import next_working_morning

COORDINATOR, MAYA, TOMAS = "U0COORD", "U0MENTEE1", "U0MENTEE2"
# Thursday 3 December 2026, 00:07 in Los Angeles: "at night" for everyone west of London.
REAL_NOW = datetime(2026, 12, 3, 8, 7, tzinfo=UTC)


def seeded(folder: Path) -> Iterator[RunningSandbox]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite:///{folder / 'sandbox.db'}"
    )
    running = start_sandbox(
        settings, port=0, background=True, scheduler=False, sample=True, now=REAL_NOW
    )
    try:
        assert running.seeding is not None
        running.seeding.join(120)
        assert not running.workspace.preparing
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """One seeded sandbox for the tests that only look: setting it up is the slow part."""
    yield from seeded(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def own_sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    yield from seeded(tmp_path)


def call(sandbox: RunningSandbox, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        sandbox.url + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def home(sandbox: RunningSandbox, user: str) -> str:
    call(sandbox, "/sandbox/home", {"as": user})
    sandbox.workspace.settle()
    return text(call(sandbox, f"/sandbox/state?as={user}&channel=home")["home"]["html"])


def test_time_starts_at_the_next_working_morning_of_the_acting_person() -> None:
    london = ZoneInfo("Europe/London")
    assert opening_time(REAL_NOW) == datetime(2026, 12, 3, 9, 30, tzinfo=london)
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    assert opening_time(friday_evening) == datetime(2026, 12, 7, 9, 30, tzinfo=london)
    los_angeles = next_working_morning(REAL_NOW, "America/Los_Angeles")
    assert los_angeles == datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_the_seeded_sandbox_opens_at_that_morning(sandbox: RunningSandbox) -> None:
    now = sandbox.workspace.clock.now().astimezone(ZoneInfo("Europe/London"))
    assert (now.date().isoformat(), now.hour, now.minute) == ("2026-12-03", 9, 30)
    state = call(sandbox, "/sandbox/state")
    assert state["as"] == COORDINATOR and state["preparing"] is False
    assert state["now"].startswith("Thu 03 Dec 2026, 09:3")


def test_a_mentee_who_asks_finds_mentors(sandbox: RunningSandbox) -> None:
    dm = sandbox.slack.dm_channel(TOMAS)
    ask = {"as": TOMAS, "channel": dm, "text": "/mentor ask"}
    assert call(sandbox, "/sandbox/command", ask) == {}
    sandbox.workspace.settle()
    modal = sandbox.slack.modal_stack(TOMAS)[-1]
    answer = call(
        sandbox,
        "/sandbox/submit",
        {
            "as": TOMAS,
            "view_id": modal["id"],
            "values": {
                "goals": "Become the tech lead of my team this year.",
                "focus_areas": ["technical skills"],
                "organization": "Initech",
            },
        },
    )
    assert answer == {}
    sandbox.workspace.settle()
    timeline = call(sandbox, f"/sandbox/state?as={TOMAS}&channel={dm}")["timeline"]
    assert 'data-action-id="pick_mentor"' in timeline
    assert "Kenji Watanabe" in text(timeline)


def test_the_coordinator_sees_the_at_risk_pair_and_the_waitlist(sandbox: RunningSandbox) -> None:
    seen = home(sandbox, COORDINATOR)
    assert "Amara Nwosu and @Jordan Okafor : a low pulse" in seen
    assert "1 person waiting for a mentor" in seen


def test_the_pair_a_few_weeks_in_shows_its_sessions_goal_and_milestones(
    sandbox: RunningSandbox,
) -> None:
    seen = home(sandbox, MAYA)
    assert "You are @Sofia Alvarez 's mentee" in seen
    assert re.search(r"[23] sessions held", seen), seen
    assert "Run the team's planning for next quarter" in seen
    assert "Presented the reorg plan to my team" in seen


def test_the_dm_box_reaches_the_bot_as_a_message_im_event(sandbox: RunningSandbox) -> None:
    dm = sandbox.slack.dm_channel(MAYA)
    answer = call(
        sandbox, "/sandbox/command", {"as": MAYA, "channel": dm, "text": "Our session helped"}
    )
    assert answer == {}
    sandbox.workspace.settle()
    messages = sandbox.slack.messages(dm)
    assert messages[-2]["user"] == MAYA and messages[-2]["text"] == "Our session helped"
    assert messages[-1]["user"] != MAYA, "the bot answered in the DM"
    elsewhere = call(
        sandbox,
        "/sandbox/command",
        {"as": MAYA, "channel": sandbox.workspace.channel_id, "text": "hi all"},
    )
    assert "DM" in elsewhere["problem"]


def test_start_over_empty_forgets_the_program(own_sandbox: RunningSandbox) -> None:
    sandbox = own_sandbox
    assert call(sandbox, "/sandbox/start_over", {"as": COORDINATOR}) == {}
    assert sandbox.slack.messages(sandbox.slack.dm_channel(MAYA)) == []
    assert sandbox.slack.group_conversations(MAYA) == {}
    seen = home(sandbox, MAYA)
    assert "mentee since" not in seen and "Ask for a mentor" in seen
    assert "a low pulse" not in home(sandbox, COORDINATOR)
