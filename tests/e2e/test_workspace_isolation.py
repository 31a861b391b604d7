"""Two workspaces installed by OAuth into one bot: nothing of one can be read or changed from
the other, whatever IDs a crafted button, modal or command carries, and each workspace's
messages go out with its own token.

Workspace T1 runs a full program (a pair with goals, a private reflection, a weekly session,
a pending request to a second mentor); T2 runs a smaller one. Then the people of T2 replay
every button T1's people were shown and submit every modal T1's people were given, with T1's
IDs in them, and run the coordinator commands: T1's rows stay exactly as they were, no call
reaches Slack with T1's token, and nothing T1's people wrote shows up anywhere.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from storage.models.base import Base
from tests.conftest import RunningBot
from tests.e2e.journeys import ask, buttons, matched_pair, offer, pick, schedule
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, as_team, in_workspace, install
from tests.support.oauth import oauth_settings as _oauth_settings
from tests.support.signed import SignedSlack

SECRET = "T1-PRIVATE"  # in everything T1's people write: must never leave T1
T1_PEOPLE = ("UMENTORA", "UMENTEEA", "UMENTORA2", "UMENTEEA2", "UCOORD1")
T2_PEOPLE = ("UMENTORB", "UMENTEEB", "UCOORD2")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return _oauth_settings(mentorbot_coordinators="T1:UCOORD1,T2:UCOORD2")


def t1_snapshot(bot: RunningBot) -> dict[str, list[tuple[Any, ...]]]:
    """Every T1 row of every table, whole."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with bot.runtime.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if "team_id" in table.c and table.name != "processed_events":
                query = sa.select(table).where(table.c.team_id == "T1")
                snapshot[table.name] = sorted(tuple(r) for r in connection.execute(query))
    return snapshot


REFERENCES = {
    "partnership_id": "partnerships",
    "request_id": "mentor_requests",
    "proposal_id": "match_proposals",
}


def cross_references(bot: RunningBot) -> list[str]:
    """Rows that point at a row of another workspace (a T2 goal on T1's partnership, say)."""
    found = []
    with bot.runtime.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column, target in REFERENCES.items():
                if column not in table.c or "team_id" not in table.c:
                    continue
                query = sa.text(
                    f"SELECT count(*) FROM {table.name} x JOIN {target} t ON t.id = x.{column} "
                    "WHERE x.team_id <> t.team_id"
                )
                if connection.scalar(query):
                    found.append(f"{table.name}.{column}")
    return found


def interactive_elements(blocks: Any) -> list[tuple[str, str]]:
    """(action_id, value) of every button, and of every option of overflow menus and selects."""
    found: list[tuple[str, str]] = []
    if isinstance(blocks, dict) and blocks.get("type") == "input":
        return found  # what a modal's inputs hold arrives on submit, not as a click
    if isinstance(blocks, dict):
        action_id = blocks.get("action_id")
        if isinstance(action_id, str):
            if isinstance(blocks.get("value"), str):
                found.append((action_id, blocks["value"]))
            for option in blocks.get("options") or []:
                if isinstance(option, dict) and isinstance(option.get("value"), str):
                    found.append((action_id, option["value"]))
        for value in blocks.values():
            found += interactive_elements(value)
    elif isinstance(blocks, list):
        for item in blocks:
            found += interactive_elements(item)
    return found


def plausible_values(view: dict[str, Any]) -> dict[str, Any]:
    """What a person would enter in each input of a modal: enough to pass field checks."""
    values: dict[str, Any] = {}
    for i, block in enumerate(view.get("blocks") or []):
        if block.get("type") != "input":
            continue
        block_id = str(block.get("block_id") or f"b{i}")
        element = block["element"]
        kind = element["type"]
        options = [o["value"] for o in element.get("options") or []] + [
            o["value"] for g in element.get("option_groups") or [] for o in g["options"]
        ]
        if block_id == "when":
            values[block_id] = "Tuesdays at 3pm"
        elif kind in ("plain_text_input", "email_text_input", "url_text_input"):
            values[block_id] = "Written in T2"
        elif kind == "number_input":
            values[block_id] = "3"
        elif kind in ("static_select", "radio_buttons") and options:
            values[block_id] = options[-1]
        elif kind in ("checkboxes", "multi_static_select") and options:
            values[block_id] = [options[0]]
        elif kind == "datepicker":
            values[block_id] = "2026-06-01"
        elif kind == "timepicker":
            values[block_id] = "10:00"
        elif kind == "users_select":
            values[block_id] = "UMENTEEB"
    return values


@pytest.fixture
def two_workspaces(bot: RunningBot) -> RunningBot:
    fake = bot.fake
    fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    for user in T1_PEOPLE:
        fake.add_user(user, team_id="T1", tz="Europe/London")
    for user in T2_PEOPLE:
        fake.add_user(user, team_id="T2", tz="America/New_York")
    install(bot, "T1", name="Alpha")
    install(bot, "T2", name="Beta")

    one = in_workspace(bot, "T1")
    intro = matched_pair(one, "UMENTORA", "UMENTEEA")
    one.slack.click(
        "open_goals",
        user="UMENTEEA",
        value=buttons(intro, "open_goals")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    one.slack.submit(
        bot.view_opened("journal_goals"), user="UMENTEEA", values={"goal_1": f"{SECRET} goal"}
    )
    bot.settle()
    one.slack.command("reflect", user="UMENTEEA")
    bot.settle()
    one.slack.submit(
        bot.view_opened("journal_reflect"),
        user="UMENTEEA",
        values={"topics": f"{SECRET} reflection", "visibility": "private"},
    )
    bot.settle()
    schedule(one, "UMENTEEA", intro, when="Thursdays at 10am")
    one.slack.event({"type": "app_home_opened", "user": "UMENTEEA", "tab": "home"})
    bot.settle()
    # a pending request: a second mentee asks a second mentor, who has not answered
    offer(one, "UMENTORA2", expertise=["communication"], bio=f"{SECRET} bio")
    ask(one, "UMENTEEA2", focus=["communication"], goals=f"{SECRET} request")
    pick(one, "UMENTEEA2", "UMENTORA2")

    two = in_workspace(bot, "T2")
    matched_pair(two, "UMENTORB", "UMENTEEB")
    bot.settle()
    return bot


def t1_views(bot: RunningBot) -> list[dict[str, Any]]:
    token = bot.fake.bot_token("T1")
    return [
        c.params["view"]
        for c in bot.fake.calls
        if c.token == token and c.method in ("views.open", "views.push", "views.update")
    ]


def t1_elements(bot: RunningBot) -> list[tuple[str, str]]:
    token = bot.fake.bot_token("T1")
    seen: list[tuple[str, str]] = []
    for call in bot.fake.calls:
        if call.token != token:
            continue
        for key in ("blocks", "view"):
            for element in interactive_elements(call.params.get(key)):
                if element not in seen:
                    seen.append(element)
    return seen


def assert_nothing_crossed(bot: RunningBot, since: int) -> None:
    """After ``since``: no call with T1's token, nothing to T1's people, no T1 text anywhere."""
    t1_token = bot.fake.bot_token("T1")
    later = bot.fake.calls[since:]
    assert [c.method for c in later if c.token == t1_token] == []
    for call in later:
        text = json.dumps(call.params, default=str)
        assert SECRET not in text, (call.method, text[:300])
        if call.method == "chat.postMessage" and call.outcome == "ok":
            # T1's people's IDs in T2's requests get T2's answers, with T2's token: Slack
            # refuses those (channel_not_found), and nothing reaches T1's people. (Each
            # coordinator is named with their workspace: test_coordinator_workspaces.)
            assert call.params.get("channel") not in T1_PEOPLE


def test_crafted_buttons_from_the_other_workspace_read_and_change_nothing(
    two_workspaces: RunningBot,
) -> None:
    bot = two_workspaces
    before = t1_snapshot(bot)
    assert before["goals"] and before["reflections"] and before["match_proposals"]
    elements = t1_elements(bot)
    assert len(elements) >= 10, elements
    since = len(bot.fake.calls)
    beta = as_team(bot, "T2")

    # T2's people, and T1's people's IDs in T2's requests (one person in two workspaces of
    # an Enterprise Grid org has one ID): only the workspace scopes what they reach.
    for user in T2_PEOPLE + T1_PEOPLE:
        for action_id, value in elements:
            in_dm = beta.click(action_id, user=user, value=value, channel=bot.fake.dm_channel(user))
            on_home = beta.click(
                action_id, user=user, value=value, view={"id": "VHOME", "type": "home"}
            )
            assert in_dm.status == 200, (action_id, value, in_dm.text)
            assert on_home.status == 200, (action_id, value, on_home.text)
        bot.settle()

    assert t1_snapshot(bot) == before
    assert cross_references(bot) == []
    assert_nothing_crossed(bot, since)


def test_crafted_modal_submissions_from_the_other_workspace_change_nothing(
    two_workspaces: RunningBot,
) -> None:
    bot = two_workspaces
    before = t1_snapshot(bot)
    views = t1_views(bot)
    callbacks = {v.get("callback_id") for v in views}
    assert {"journal_goals", "journal_reflect", "session_schedule"} <= callbacks
    since = len(bot.fake.calls)
    beta = as_team(bot, "T2")

    for view in views:
        for user in ("UMENTEEB", "UMENTORB", "UMENTEEA", "UMENTORA", "UCOORD1"):
            reply = beta.submit(
                {**view, "id": "V" + str(view.get("callback_id"))},
                user=user,
                values=plausible_values(view),
            )
            assert reply.status == 200, (view.get("callback_id"), reply.text)
        bot.settle()

    assert t1_snapshot(bot) == before
    assert cross_references(bot) == []
    assert_nothing_crossed(bot, since)


def test_the_other_workspaces_people_and_coordinators_see_only_their_own(
    two_workspaces: RunningBot,
) -> None:
    bot = two_workspaces
    before = t1_snapshot(bot)
    since = len(bot.fake.calls)
    beta: SignedSlack = as_team(bot, "T2")

    # T1's people named from T2, and T1's people's IDs sending T2's commands
    for user in ("UMENTEEA", "UMENTORA", "UMENTEEA2"):
        for text in ("goals", "reflect", "schedule", "skip", "export", "end", "pause 2026-06-01"):
            assert beta.command(text, user=user).status == 200
    for text in (
        "goals <@UMENTEEA>",
        "reflect <@UMENTORA>",
        "schedule <@UMENTORA>",
        "milestone <@UMENTORA> got the promotion",
        "skip",
        "export",
    ):
        assert beta.command(text, user="UMENTEEB").status == 200
    # T1's person opening the Home tab through T2's events
    beta.event({"type": "app_home_opened", "user": "UMENTEEA", "tab": "home"})
    # a coordinator of T2, against T1's program
    for text in ("report", "midterm", "match everyone", "announce list", "texts"):
        assert beta.command(text, user="UCOORD2").status == 200
    bot.settle()

    assert t1_snapshot(bot) == before
    assert cross_references(bot) == []
    assert_nothing_crossed(bot, since)
    report = [
        c
        for c in bot.fake.calls[since:]
        if c.method == "chat.postMessage" and c.params.get("channel") == "UCOORD2"
    ]
    assert report, "the T2 coordinator got no report"
    assert all(bot.fake.team_of(c.token) == "T2" for c in report)


def test_each_workspaces_messages_go_out_with_its_own_token(two_workspaces: RunningBot) -> None:
    bot = two_workspaces
    bot.tick()
    posts = bot.fake.delivered("chat.postMessage") + bot.fake.delivered("conversations.open")
    assert posts
    t1_token, t2_token = bot.fake.bot_token("T1"), bot.fake.bot_token("T2")
    assert t1_token and t2_token and t1_token != t2_token
    by_team: dict[str, set[str | None]] = {"T1": set(), "T2": set()}
    for call in posts:
        channel = str(call.params.get("channel") or call.params.get("users") or "")
        people = set(channel.split(","))
        if people & set(T1_PEOPLE):
            by_team["T1"].add(call.token)
        if people & set(T2_PEOPLE):
            by_team["T2"].add(call.token)
    assert by_team["T1"] == {t1_token}
    assert by_team["T2"] == {t2_token}
