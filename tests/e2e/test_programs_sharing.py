"""A program shared across workspaces, through the signed edge, with three workspaces installed
by OAuth on one bot: Acme (T1) hosts "Cross-company" and gives out join codes; Globex (T2)
and Initech (T3) join with them; Acme sees both and removes one. Every wrong turn (a wrong,
expired, reused or revoked code, a non-coordinator, the host's own workspace) gets a private
answer, changes nothing, and the code is never written to a log or stored as text."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from handlers.coordination.listeners import REFUSAL
from tests.conftest import RunningBot
from tests.e2e.journeys import buttons
from tests.e2e.test_programs import CROSS, create
from tests.support.oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    as_team,
    in_workspace,
    install,
    oauth_settings,
)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

COORDINATORS = {"T1": "UCOORD1", "T2": "UCOORD2", "T3": "UCOORD3"}
NAMES = {"T1": "Acme", "T2": "Globex", "T3": "Initech"}
CODE = re.compile(r"`([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})`")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return oauth_settings(
        mentorbot_coordinators=",".join(f"{t}:{u}" for t, u in COORDINATORS.items()),
        mentorbot_onboarding=False,
    )


@pytest.fixture
def shared(bot: RunningBot) -> RunningBot:
    """Three installed workspaces; Acme runs the Cross-company program."""
    bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    for team, name in NAMES.items():
        bot.fake.add_user(COORDINATORS[team], team_id=team, tz="Europe/London")
        install(bot, team, name=name)
    bot.fake.add_user("UPLAIN2", team_id="T2", tz="Europe/Paris")
    create(in_workspace(bot, "T1"), CROSS)
    return bot


def command(bot: RunningBot, team: str, text: str, *, user: str | None = None) -> dict[str, Any]:
    """``/mentor <text>`` in ``team``; what the person was told (the ack, else the reply;
    nothing when a modal opened instead)."""
    before = len(bot.fake.calls_to("response_url"))
    reply = as_team(bot, team).command(text, user=user or COORDINATORS[team])
    assert reply.status == 200, reply.text
    bot.settle()
    if reply.text:
        return dict(reply.json())
    answers = bot.fake.calls_to("response_url")[before:]
    return dict(answers[-1].params) if answers else {}


def share(bot: RunningBot) -> tuple[str, dict[str, Any]]:
    told = command(bot, "T1", "program share Cross-company")
    assert told["response_type"] == "ephemeral"
    found = CODE.search(told["blocks"][0]["text"]["text"])
    assert found, told
    return found.group(1), told


def join(bot: RunningBot, team: str, code: str, *, tick: bool = True) -> Any:
    """A coordinator of ``team`` joins with ``code`` and accepts the terms."""
    opened = len(bot.fake.calls_to("views.open"))
    told = command(bot, team, f"program join {code}")
    assert len(bot.fake.calls_to("views.open")) == opened + 1, told
    view = bot.view_opened("program_join_accept")
    reply = as_team(bot, team).submit(
        view, user=COORDINATORS[team], values={"agree": ["accept"] if tick else []}
    )
    bot.settle()
    return reply.json()


def members(bot: RunningBot) -> dict[str, Any]:
    return command(bot, "T1", "program workspaces Cross-company")


def texts(message: dict[str, Any]) -> str:
    found = []
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [e.get("text", "") for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(found)


def table(bot: RunningBot, sql: str) -> list[tuple[Any, ...]]:
    with bot.runtime.database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql))]


def test_a_program_is_shared_with_two_workspaces_and_the_host_removes_one(
    shared: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = shared
    caplog.set_level(logging.INFO)

    code, told = share(bot)
    assert "Globex" not in texts(told)
    assert buttons(told, "program_code_revoke")

    opened = len(bot.fake.calls_to("views.open"))
    command(bot, "T2", f"program join {code.lower()}")
    view = bot.view_opened("program_join_accept")
    call = bot.fake.calls_to("views.open")[opened]
    assert call.token == bot.fake.bot_token("T2")  # the joiner's own workspace's token
    terms = texts(view)
    assert "Cross-company" in terms and "Acme" in terms
    for shared_data in ("names", "time zones", "focus areas", "profile text"):
        assert shared_data in terms
    assert "Reflections" in terms.split("*Never shared*")[1]
    assert "leadership" in terms and "180-day term" in terms

    # not ticking the box keeps the modal open with a word under it, nothing joined
    unticked = as_team(bot, "T2").submit(view, user="UCOORD2", values={"agree": []})
    assert unticked.json()["response_action"] == "errors"
    assert table(bot, "SELECT * FROM program_memberships") == []

    accepted = as_team(bot, "T2").submit(view, user="UCOORD2", values={"agree": ["accept"]})
    done = accepted.json()
    assert done["response_action"] == "update"
    assert "joined *Cross-company*, run by *Acme*" in done["view"]["blocks"][0]["text"]["text"]

    second, _ = share(bot)
    assert second != code
    assert join(bot, "T3", second)["response_action"] == "update"

    listed = members(bot)
    assert "2 member workspaces" in texts(listed)
    assert "Globex" in texts(listed) and "Initech" in texts(listed)
    removable = buttons(listed, "program_member_remove")
    assert len(removable) == 2
    remove = next(
        e["accessory"]
        for e in listed["blocks"]
        if "accessory" in e and "Globex" in e["text"]["text"]
    )
    assert remove["confirm"]["confirm"]["text"] == "Remove"  # Slack asks before it happens

    # both workspaces see it in `/mentor program`
    assert "shared with Globex and Initech" in texts(command(bot, "T1", "program"))
    assert "takes part in *Cross-company*, run by Acme" in texts(command(bot, "T2", "program"))

    # the host removes Globex, from the button under the list
    t1 = as_team(bot, "T1")
    clicked = t1.click("program_member_remove", user="UCOORD1", value=remove["value"])
    assert clicked.status == 200
    bot.settle()
    after = bot.fake.last("response_url").params
    assert after["replace_original"] is True
    assert "1 member workspace" in texts(after) and "Globex: removed" in texts(after)
    assert "takes part" not in texts(command(bot, "T2", "program"))

    memberships = table(
        bot,
        "SELECT team_id, host_team_id, status, accepted_by FROM program_memberships ORDER BY id",
    )
    assert memberships == [
        ("T2", "T1", "removed", "UCOORD2"),
        ("T3", "T1", "active", "UCOORD3"),
    ]
    audit = table(bot, "SELECT team_id, action FROM audit_events WHERE action LIKE 'program.%'")
    by_team: dict[str, list[str]] = {}
    for team, action in audit:
        by_team.setdefault(team, []).append(action)
    assert by_team["T1"] == [
        "program.create",
        "program.share",
        "program.member_join",
        "program.share",
        "program.member_join",
        "program.member_remove",
    ]
    assert by_team["T2"] == ["program.join", "program.removed_by_host"]
    assert by_team["T3"] == ["program.join"]

    # the codes were said to their coordinator only: no log line, no column holds them
    for secret in (code, second, code.replace("-", ""), second.replace("-", "")):
        assert secret not in caplog.text
        for name in ("program_join_codes", "program_memberships", "audit_events"):
            assert secret not in str(table(bot, f"SELECT * FROM {name}"))


@pytest.mark.parametrize(
    ("team", "user", "text", "says"),
    [
        ("T2", "UCOORD2", "program join ABCD-EFGH-JKMN-PQRS", "not a join code I know"),
        ("T2", "UCOORD2", "program join hello", "not a join code I know"),
        ("T2", "UPLAIN2", "program join {code}", REFUSAL),
        ("T1", "UCOORD1", "program join {code}", "for *other* workspaces"),
        ("T2", "UCOORD2", "program join", "program join <code>"),
        ("T1", "UCOORD1", "program share Main program", "stays in this workspace"),
        ("T1", "UCOORD1", "program share Nope", "There is no program called Nope"),
        ("T1", "UCOORD1", "program revoke ABCD-EFGH-JKMN-PQRS", "no such code"),
    ],
)
def test_a_wrong_code_a_non_coordinator_or_the_host_itself_is_told_privately(
    shared: RunningBot, team: str, user: str, text: str, says: str
) -> None:
    bot = shared
    code, _ = share(bot)
    modals = len(bot.fake.calls_to("views.open"))

    told = command(bot, team, text.format(code=code), user=user)

    assert says in told["text"]
    assert told.get("response_type") == "ephemeral"
    assert "Traceback" not in str(told)
    assert len(bot.fake.calls_to("views.open")) == modals
    assert table(bot, "SELECT * FROM program_memberships") == []
    assert join(bot, "T3", code)["response_action"] == "update"  # the code still works


def test_a_used_an_expired_and_a_revoked_code_are_refused(shared: RunningBot) -> None:
    bot = shared
    used, _ = share(bot)
    join(bot, "T2", used)
    expiring, _ = share(bot)
    by_command, _ = share(bot)
    by_button, shown = share(bot)

    assert "Revoked" in command(bot, "T1", f"program revoke {by_command}")["text"]
    clicked = as_team(bot, "T1").click(
        "program_code_revoke", user="UCOORD1", value=buttons(shown, "program_code_revoke")[0]
    )
    assert clicked.status == 200
    bot.settle()
    assert "An unused code" in texts(bot.fake.last("response_url").params)  # `expiring` only

    assert "already used" in command(bot, "T3", f"program join {used}")["text"]
    assert "already used that code" in command(bot, "T2", f"program join {used}")["text"]
    assert "revoked" in command(bot, "T3", f"program join {by_command}")["text"]
    assert "revoked" in command(bot, "T3", f"program join {by_button}")["text"]
    bot.clock.advance(timedelta(days=7))
    assert "expired" in command(bot, "T3", f"program join {expiring}")["text"]
    assert table(bot, "SELECT team_id FROM program_memberships") == [("T2",)]


def test_a_code_used_while_the_terms_were_open_is_refused_on_accept(shared: RunningBot) -> None:
    """Two coordinators open the terms with the same code; the second to accept is told."""
    bot = shared
    code, _ = share(bot)
    command(bot, "T2", f"program join {code}")
    globex = bot.view_opened("program_join_accept")
    command(bot, "T3", f"program join {code}")
    initech = bot.view_opened("program_join_accept")

    first = as_team(bot, "T3").submit(initech, user="UCOORD3", values={"agree": ["accept"]})
    second = as_team(bot, "T2").submit(globex, user="UCOORD2", values={"agree": ["accept"]})

    assert first.json()["response_action"] == "update"
    refused = second.json()
    assert refused["response_action"] == "errors"
    assert "already used" in refused["errors"]["agree"]
    assert table(bot, "SELECT team_id FROM program_memberships") == [("T3",)]


def test_another_workspaces_buttons_change_nothing_of_the_host(shared: RunningBot) -> None:
    """Globex replays Acme's remove and revoke buttons: refused, Acme's rows unchanged."""
    bot = shared
    code, _ = share(bot)
    join(bot, "T3", code)
    _, open_code = share(bot)
    remove = buttons(members(bot), "program_member_remove")[0]
    before = table(bot, "SELECT * FROM program_memberships") + table(
        bot, "SELECT * FROM program_join_codes"
    )

    for action, value in (
        ("program_member_remove", remove),
        ("program_code_revoke", buttons(open_code, "program_code_revoke")[0]),
    ):
        assert as_team(bot, "T2").click(action, user="UCOORD2", value=value).status == 200
        bot.settle()
        assert "no such code" in str(bot.fake.last("response_url").params) or (
            "not in any of this workspace's programs" in str(bot.fake.last("response_url").params)
        )

    after = table(bot, "SELECT * FROM program_memberships") + table(
        bot, "SELECT * FROM program_join_codes"
    )
    assert after == before
