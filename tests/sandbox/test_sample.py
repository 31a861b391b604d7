"""The sandbox opens on a living sample program, made by the sample people through the bot's
edge: mentors to ask, a pair a few weeks in, a waitlist, an at-risk pair, and Acme's
Cross-company program shared with Globex, a second company in its own workspace; and "Start
over empty" forgets it. Time starts at the acting person's next working morning."""

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
import sqlalchemy as sa

from mentorbot.sandbox import RunningSandbox, opening_time, start_sandbox
from mentorbot.settings import Settings
from mentorbot.wiring import installation_store
from sandbox.sample import next_working_morning
from sandbox.slack import Call
from sandbox.workspace import ACME, GLOBEX, SAMPLE_PEOPLE

COORDINATOR, MAYA, TOMAS = "U0COORD", "U0MENTEE1", "U0MENTEE2"
INGRID, AISHA, RAFAEL = "U0GCOORD", "U0GMENTEE1", "U0MENTOR4"
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
                "organization": "Acme Retail",
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


def rows(sandbox: RunningSandbox, sql: str) -> list[tuple[Any, ...]]:
    with sandbox.runtime.database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql))]


def test_each_company_is_installed_with_its_own_bot_token(sandbox: RunningSandbox) -> None:
    store = installation_store(sandbox.runtime.settings, sandbox.runtime.database)
    tokens = {}
    for company in (ACME, GLOBEX):
        token = sandbox.slack.bot_token(company.team_id)
        assert token is not None and sandbox.slack.team_of(token) == company.team_id
        kept = store.find_bot(enterprise_id=None, team_id=company.team_id)
        assert kept is not None and kept.bot_token == token, "installed by the OAuth flow"
        tokens[company.name] = token
    assert tokens["Acme"] != tokens["Globex"]
    names = dict(rows(sandbox, "SELECT team_id, team_name FROM slack_bots"))
    assert (names[ACME.team_id], names[GLOBEX.team_id]) == ("Acme", "Globex")


def named_person(call: Call) -> str | None:
    """The sample person a Web API call is about: the DM it posts to, the user it names, the
    person whose act gave the trigger (the local Slack's trigger IDs name them)."""
    people = {p.id for p in SAMPLE_PEOPLE}
    trigger = str(call.params.get("trigger_id") or "").split(".")
    if len(trigger) == 3 and trigger[1] in people:
        return trigger[1]
    for key in ("channel", "user", "user_id"):
        value = str(call.params.get(key) or "")
        if value.startswith("D") and "U" + value[1:] in people:
            return "U" + value[1:]
        if value in people:
            return value
    return None


def test_each_persons_calls_go_with_their_own_workspaces_token(sandbox: RunningSandbox) -> None:
    teams = {p.id: p.team for p in SAMPLE_PEOPLE}
    seen: dict[str, set[str]] = {}
    for call in sandbox.slack.calls:
        person = named_person(call)
        if person is None or call.method == "oauth.v2.access":
            continue
        team = sandbox.slack.team_of(call.token)
        assert team == teams[person], (call.method, person, team)
        seen.setdefault(teams[person], set()).add(call.method)
    assert {"chat.postMessage", "views.open"} <= seen[ACME.team_id]
    assert "views.open" in seen[GLOBEX.team_id], "Ingrid's join modal, in Globex's Slack"
    # The one refusal is Slack's answer to the pair across companies' shared channel: the
    # sandbox's workspaces are on a free plan, so Aisha and Rafael meet through their DMs.
    assert [(r.method, r.error) for r in sandbox.slack.refusals()] == [
        ("conversations.inviteShared", "not_paid")
    ]


def test_globex_joined_acmes_cross_company_program_through_the_edge(
    sandbox: RunningSandbox,
) -> None:
    memberships = rows(
        sandbox, "SELECT team_id, host_team_id, status, accepted_by FROM program_memberships"
    )
    assert memberships == [(GLOBEX.team_id, ACME.team_id, "active", INGRID)]
    audit = rows(sandbox, "SELECT team_id, action FROM audit_events WHERE action LIKE 'program.%'")
    by_team: dict[str, list[str]] = {}
    for team, action in audit:
        by_team.setdefault(team, []).append(action)
    assert by_team[ACME.team_id] == ["program.create", "program.share", "program.member_join"]
    assert by_team[GLOBEX.team_id] == ["program.join"]
    # Ingrid sees it from Globex's own Slack, in her DM there.
    dm = sandbox.slack.dm_channel(INGRID)
    program = {"as": INGRID, "channel": dm, "text": "/mentor program"}
    assert call(sandbox, "/sandbox/command", program) == {}
    sandbox.workspace.settle()
    timeline = text(call(sandbox, f"/sandbox/state?as={INGRID}&channel={dm}")["timeline"])
    assert "This workspace takes part in Cross-company , run by Acme" in timeline


def test_the_page_shows_both_companies_each_person_in_their_own(sandbox: RunningSandbox) -> None:
    acme = call(sandbox, f"/sandbox/state?as={MAYA}")
    assert acme["companies"] == [
        {"id": ACME.team_id, "name": "Acme"},
        {"id": GLOBEX.team_id, "name": "Globex"},
    ]
    assert acme["company"] == ACME.team_id
    people = {p["id"]: p["company"] for p in acme["people"]}
    assert people[MAYA] == ACME.team_id and people[AISHA] == GLOBEX.team_id
    assert sum(1 for team in people.values() if team == GLOBEX.team_id) == 5
    globex = call(sandbox, f"/sandbox/state?as={AISHA}")
    assert globex["company"] == GLOBEX.team_id
    channels = [c["name"] for c in globex["conversations"] if c["kind"] == "channel"]
    assert channels == ["globex-mentoring"], "Globex's own channel, not Acme's"
    assert [c["name"] for c in acme["conversations"] if c["kind"] == "channel"] == [
        "mentoring-program"
    ]


def test_a_globex_mentee_asked_in_the_shared_program_and_an_acme_mentor_accepted(
    sandbox: RunningSandbox,
) -> None:
    pairs = rows(
        sandbox,
        "SELECT team_id, mentee_team_id, mentee_id, mentor_team_id, mentor_id, status "
        "FROM partnerships WHERE mentee_id = 'U0GMENTEE1'",
    )
    assert pairs == [(ACME.team_id, GLOBEX.team_id, AISHA, ACME.team_id, RAFAEL, "active")]
    home_of_aisha = home(sandbox, AISHA)
    assert "Rafael Costa" in home_of_aisha
    # The sandbox's companies have no Slack Connect (a free plan): each hears so, in their own
    # Slack, and that they meet through their DMs and the calendar invite instead.
    for person, company in ((AISHA, GLOBEX), (RAFAEL, ACME)):
        dm = sandbox.slack.dm_channel(person)
        said = [m for m in sandbox.slack.messages(dm) if "About meeting" in m.get("text", "")]
        assert len(said) == 1, (person, [m.get("text") for m in sandbox.slack.messages(dm)])
        assert "Slack Connect" in said[0]["text"]
        posted = [
            c
            for c in sandbox.slack.calls_to("chat.postMessage")
            if "About meeting" in str(c.params.get("text", "")) and named_person(c) == person
        ]
        assert [sandbox.slack.team_of(c.token) for c in posted] == [company.team_id]


def test_start_over_empty_forgets_the_program(own_sandbox: RunningSandbox) -> None:
    sandbox = own_sandbox
    assert call(sandbox, "/sandbox/start_over", {"as": COORDINATOR}) == {}
    assert sandbox.slack.messages(sandbox.slack.dm_channel(MAYA)) == []
    assert sandbox.slack.group_conversations(MAYA) == {}
    seen = home(sandbox, MAYA)
    assert "mentee since" not in seen and "Ask for a mentor" in seen
    assert "a low pulse" not in home(sandbox, COORDINATOR)
    # Both companies are installed again, each with a new token of its own, and work.
    assert rows(sandbox, "SELECT * FROM program_memberships") == []
    assert "Ask for a mentor" in home(sandbox, AISHA)
    publish = sandbox.slack.calls_to("views.publish")[-1]
    assert sandbox.slack.team_of(publish.token) == GLOBEX.team_id
