"""The seams between the parts of a cross-company program, through the signed edge: Acme (T1)
hosts "Cross-company", Globex (T2) joined it; Maria (Acme) mentors Ada (Globex).

Each test here failed before its fix: a note to the program team reached only the author's own
company; the host's coordinators counted none of the member's reflections; the host's Home named
member people by a mention that can't resolve; the host's uninstall left member people in pairs
of a program that was gone; a pair channel kept names after an erasure; a report name shared by
an own and a joined program was silently taken as the own one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.programs.leaving import HOST_LEFT
from tests.conftest import START, RunningBot
from tests.e2e.journeys import buttons
from tests.e2e.test_pairs_across_workspaces import (  # noqa: F401  (fixtures)
    MENTEE,
    MENTOR,
    pair,
    posts_to,
    settings_overrides,
    step_to,
    token,
    write,
)
from tests.e2e.test_programs import CROSS
from tests.e2e.test_programs_leaving import crossed, dms_in  # noqa: F401  (fixtures)
from tests.e2e.test_programs_reports import program  # noqa: F401  (fixtures)
from tests.e2e.test_programs_sharing import (  # noqa: F401  (fixtures)
    COORDINATORS,
    command,
    shared,
    table,
)
from tests.support.oauth import as_team

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

HOST_COORD, MEMBER_COORD = COORDINATORS["T1"], COORDINATORS["T2"]


def click_in(bot: RunningBot, team: str, user: str, message: dict[str, Any], action: str) -> None:
    values = buttons(message, action)
    assert values, f"no {action} button in {message.get('text')!r}"
    reply = as_team(bot, team).click(
        action,
        user=user,
        value=values[0],
        channel=bot.fake.dm_channel(user),
        message_ts=str(message.get("ts", "")),
    )
    assert reply.status == 200, reply.text
    bot.settle()


def test_a_note_to_the_program_team_reaches_the_hosts_coordinators_in_acmes_slack(
    pair: tuple[RunningBot, int],  # noqa: F811
) -> None:
    bot, _ = pair
    write(bot, "T2", MENTEE, "I'm not sure my mentor and I are a good fit.")
    click_in(bot, "T2", MENTEE, bot.fake.messages(MENTEE)[-1], "conversation_team")

    to_host = posts_to(bot, HOST_COORD)[-1]
    assert to_host.token == token(bot, "T1")  # with the host's token, in Acme's Slack
    assert to_host.params["text"].startswith("Ada Mentee wrote to the program team")
    assert f"<@{MENTEE}>" not in str(to_host.params)  # a mention can't resolve in Acme
    to_own = posts_to(bot, MEMBER_COORD)[-1]  # and Globex's own coordinators too
    assert to_own.token == token(bot, "T2")
    assert "wrote to the program team" in to_own.params["text"]
    assert "reached 2 of 2 coordinators" in bot.fake.messages(MENTEE)[-1]["text"]
    assert table(bot, "SELECT team_id, author_id FROM dm_notes") == [("T2", MENTEE)]

    # Acme's coordinator answers from Acme's Slack; Ada reads it in Globex's
    host_message = bot.fake.messages(HOST_COORD)[-1]
    click_in(bot, "T1", HOST_COORD, host_message, "conversation_write")
    view = bot.view_opened("conversation_write")
    assert "Ada Mentee" in str(view["blocks"])
    reply = as_team(bot, "T1").submit(
        view, user=HOST_COORD, values={"text": "Let's talk tomorrow: I'll call you."}
    )
    assert reply.status == 200, reply.text
    assert reply.json()["response_action"] == "update"
    bot.settle()
    answer = posts_to(bot, MENTEE)[-1]
    assert answer.token == token(bot, "T2")
    assert "Let's talk tomorrow" in str(answer.params)
    assert f"<@{HOST_COORD}>" not in str(answer.params)


def test_a_coordinator_of_a_third_company_cannot_answer_a_globex_note(
    pair: tuple[RunningBot, int],  # noqa: F811
) -> None:
    bot, _ = pair
    write(bot, "T2", MENTEE, "Could someone call me?")
    click_in(bot, "T2", MENTEE, bot.fake.messages(MENTEE)[-1], "conversation_team")
    value = buttons(bot.fake.messages(HOST_COORD)[-1], "conversation_write")[0]
    intruder = COORDINATORS["T3"]
    reply = as_team(bot, "T3").click(
        "conversation_write", user=intruder, value=value, channel=bot.fake.dm_channel(intruder)
    )
    assert reply.status == 200
    bot.settle()
    assert not bot.fake.calls_to("views.open") or all(
        c.token != token(bot, "T3") for c in bot.fake.calls_to("views.open")
    )
    assert bot.fake.messages(intruder)[-1]["text"] == "That message is no longer there."


def reflect(bot: RunningBot, team: str, user: str, topics: str) -> None:
    slack = as_team(bot, team)
    assert slack.command("reflect", user=user).status == 200
    bot.settle()
    reply = slack.submit(
        bot.view_opened("journal_reflect"),
        user=user,
        values={"topics": topics, "learned": "", "next_steps": "", "visibility": "private"},
    )
    assert reply.status == 200, reply.text
    bot.settle()


def test_the_hosts_reflection_count_includes_the_globex_persons_without_reading_them(
    pair: tuple[RunningBot, int],  # noqa: F811
) -> None:
    bot, pid = pair
    reflect(bot, "T2", MENTEE, "Private: my salary worries")
    reflect(bot, "T1", MENTOR, "Private: am I too directive?")
    assert sorted(table(bot, "SELECT team_id, author_id FROM reflections")) == [
        ("T1", MENTOR),
        ("T2", MENTEE),
    ]
    journal = bot.runtime.services.journal
    assert journal.reflection_counts("T1", pid) == 2  # the host's: both companies' people
    assert journal.reflection_counts("T2", pid) == 2  # the member's, for the same pair
    assert journal.reflection_counts("T3", pid) == 0  # a company outside the pair: nothing


def test_the_hosts_coordinator_reads_globex_people_by_name_and_company(
    pair: tuple[RunningBot, int],  # noqa: F811
) -> None:
    bot, pid = pair
    step_to(bot, START + timedelta(days=14))  # the first pulse, in each one's working hours
    write(bot, "T2", MENTEE, "1")  # Ada, in Globex's Slack: it isn't going well
    bot.settle()
    notice = [c for c in posts_to(bot, HOST_COORD) if "Ada Mentee (Globex)" in str(c.params)]
    assert notice, [c.params.get("text") for c in posts_to(bot, HOST_COORD)]
    assert notice[-1].token == token(bot, "T1")
    assert f"<@{MENTEE}>" not in str(notice[-1].params)

    # the quiet-pair ladder names the pair too
    with bot.runtime.database.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE partnerships SET quiet_rung = 'program' WHERE id = :id"), {"id": pid}
        )
    as_team(bot, "T1").event({"type": "app_home_opened", "user": HOST_COORD, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(HOST_COORD)
    assert home is not None
    blocks = {b.get("block_id"): str(b) for b in home["blocks"]}
    assert "Ada Mentee (Globex)" in blocks[f"at_risk_{pid}"]
    assert "Ada Mentee (Globex)" in blocks[f"quiet_pair_{pid}"]
    assert f"<@{MENTEE}>" not in str(home)
    assert f"<@{MENTOR}>" in blocks[f"at_risk_{pid}"]  # Acme's own people: a mention resolves

    # "Check in with them" from that Home: the coordinator is told whom, in words
    reply = as_team(bot, "T1").click(
        "coordinator_check_in", user=HOST_COORD, value=str(pid), channel=HOST_COORD
    )
    assert reply.status == 200
    bot.settle()
    told = bot.fake.messages(HOST_COORD)[-1]["text"]
    assert told.startswith("I've checked in with Ada Mentee (Globex) and"), told


def every_post_in_its_own_slack(bot: RunningBot, since: int) -> list[str]:
    """The DMs posted since call ``since``, as "user: token's workspace", where the token was
    not of the recipient's own workspace (a person is reached only in their own Slack)."""
    wrong = []
    for call in bot.fake.delivered("chat.postMessage")[since:]:
        channel = str(call.params.get("channel", ""))
        user = bot.fake.user(channel) or bot.fake.user("U" + channel[1:])
        if user is not None and bot.fake.team_of(call.token) != user["team_id"]:
            wrong.append(f"{user['id']}: {bot.fake.team_of(call.token)}")
    return wrong


def test_everything_queued_at_the_end_reaches_each_person_in_their_own_slack(
    pair: tuple[RunningBot, int],  # noqa: F811
) -> None:
    bot, _ = pair
    globex = as_team(bot, "T2")
    before = len(bot.fake.delivered("chat.postMessage"))
    assert globex.command("end", user=MENTEE).status == 200
    bot.settle()
    reply = globex.submit(
        bot.view_opened("partnership_end"), user=MENTEE, values={"reason": "schedule", "note": ""}
    )
    assert reply.status == 200, reply.text
    bot.settle()
    for _ in range(3):
        bot.tick()
    for action in ("exit_rate_4", "exit_again_yes", "exit_note"):
        survey = next(
            m
            for m in reversed(bot.fake.messages(MENTEE))
            if any(b.get("block_id") == "exit_survey" for b in m.get("blocks") or [])
        )
        click_in(bot, "T2", MENTEE, survey, action)
    sent = globex.submit(
        bot.view_opened("exit_note"),
        user=MENTEE,
        values={"note": "More structure in month two would help.", "send": ["send"]},
    )
    assert "Sent to the program team" in str(sent.json()["view"])
    bot.settle()
    (note,) = [c for c in posts_to(bot, HOST_COORD) if "exit survey" in c.params["text"]]
    assert note.token == token(bot, "T1")  # the program's team, in Acme's Slack
    assert note.params["text"] == (
        "Ada Mentee (Globex) sent the program team a note from their exit survey."
    )
    assert every_post_in_its_own_slack(bot, before) == []
    assert {c.token for c in posts_to(bot, MENTEE)[-3:]} == {token(bot, "T2")}


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
def test_the_host_uninstalling_ends_the_members_pairs_kindly_in_their_own_slack(
    crossed: RunningBot,  # noqa: F811
    event: str,
) -> None:
    bot = crossed
    acme = bot.fake.bot_token("T1")
    before = len(bot.fake.calls_to("chat.postMessage"))
    more: dict[str, Any] = (
        {"tokens": {"oauth": [], "bot": ["UBOT"]}} if event != "app_uninstalled" else {}
    )
    bot.fake.uninstall("T1")
    for _ in range(2):  # Slack retries, and sends both events for one uninstall
        reply = as_team(bot, "T1").event({"type": event, **more})
        assert reply.status == 200, reply.text
    bot.settle()
    bot.tick(timedelta(minutes=1))
    bot.tick(timedelta(hours=12))  # the coordinators' news waits for their working hours

    assert table(bot, "SELECT status, end_reason FROM partnerships ORDER BY id") == [
        ("ended", HOST_LEFT),
        ("ended", HOST_LEFT),
    ]
    for user in ("UMENTOR2", "UMENTEE2"):  # Globex's people, each told once, in Globex's Slack
        news = [m for m in dms_in(bot, "T2", user) if "the company that ran the program" in m]
        assert len(news) == 1, (user, dms_in(bot, "T2", user))
        assert "Acme, the company that ran the program, has left it" in news[0]
    assert any("`/mentor ask` finds one" in m for m in dms_in(bot, "T2", "UMENTEE2"))
    # no rematch in a program that is gone, no exit survey nobody could read
    assert table(bot, "SELECT count(*) FROM match_proposals") == [(0,)]
    for user in ("UMENTOR2", "UMENTEE2"):
        assert not any("Three quick questions" in m for m in dms_in(bot, "T2", user))
    # their open request and profile in the gone program are closed; the memberships ended
    assert table(bot, "SELECT status FROM mentor_requests WHERE mentee_id = 'UASKER2'") == [
        ("cancelled",)
    ]
    assert table(bot, "SELECT user_id FROM mentor_profiles WHERE team_id = 'T2'") == []
    assert table(bot, "SELECT team_id, status FROM program_memberships ORDER BY team_id") == [
        ("T2", "removed"),
        ("T3", "removed"),
    ]
    # Globex's and Initech's coordinators are told in their own Slack; nothing used Acme's token
    assert any("Acme removed Mentorbot" in m for m in dms_in(bot, "T2", "UCOORD2"))
    assert any("Acme removed Mentorbot" in m for m in dms_in(bot, "T3", "UCOORD3"))
    assert all(c.token != acme for c in bot.fake.calls_to("chat.postMessage")[before:])
    # the audit log of the member records it
    assert table(
        bot, "SELECT team_id FROM audit_events WHERE action = 'program.host_left' ORDER BY 1"
    ) == [("T2",), ("T3",)]


def globex_program_named_like_acmes(bot: RunningBot) -> None:
    """Globex's coordinator creates Globex's own "Cross-company" too."""
    slack = as_team(bot, "T2")
    assert slack.command("program new", user=MEMBER_COORD).status == 200
    bot.settle()
    reply = slack.submit(bot.view_opened("program_edit"), user=MEMBER_COORD, values=CROSS)
    assert reply.status == 200, reply.text
    bot.settle()
    assert table(bot, "SELECT team_id FROM programs WHERE name = 'Cross-company' ORDER BY 1") == [
        ("T1",),
        ("T2",),
    ]


def health_sent(bot: RunningBot, team: str, before: int) -> list[str]:
    token = bot.fake.bot_token(team)
    return [
        str(c.params.get("blocks")) + c.params["text"]
        for c in bot.fake.delivered("chat.postMessage")[before:]
        if c.token == token and c.params["text"].startswith("Program health")
    ]


def test_a_report_name_shared_by_an_own_and_a_joined_program_asks_which(
    program: RunningBot,  # noqa: F811
) -> None:
    bot = program
    globex_program_named_like_acmes(bot)
    before = len(bot.fake.delivered("chat.postMessage"))
    told = command(bot, "T2", "report Cross-company")
    assert "Two programs are called Cross-company" in told["text"], told
    assert "`/mentor report Cross-company (own)`" in told["text"]
    assert "`/mentor report Cross-company (Acme's)`" in told["text"]
    assert health_sent(bot, "T2", before) == []  # nothing taken silently

    # Acme's: Globex's own people in it (two mentors, three mentees)
    told = command(bot, "T2", "report cross-company (acme's)")
    assert "sent you the program report" in told["text"], told
    (joined,) = health_sent(bot, "T2", before)
    assert "Mentors: *2*" in joined and "Mentees: *3*" in joined, joined
    # its own: nobody in it yet
    told = command(bot, "T2", "report Cross-company (own)")
    assert "sent you the program report" in told["text"], told
    own = health_sent(bot, "T2", before)[-1]
    assert "Mentors: *0*" in own and "Mentees: *0*" in own, own
    # a host nobody joined: said plainly
    told = command(bot, "T2", "report Cross-company (Initech's)")
    assert "There is no program called Cross-company (Initech's)" in told["text"], told
    # Globex's Home shows Acme's program's figures, not refused for the shared name
    as_team(bot, "T2").event({"type": "app_home_opened", "user": MEMBER_COORD, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(MEMBER_COORD)
    assert home is not None and "(run by Acme)" in str(home)


def test_a_members_scheduled_report_has_its_people_in_the_programs_it_joined(
    program: RunningBot,  # noqa: F811
) -> None:
    bot = program
    planned = bot.runtime.services.coordination.plan_reports()
    assert planned is not None
    while bot.clock.now() + timedelta(days=1) < planned:
        bot.tick(timedelta(days=1))
    bot.tick(planned - bot.clock.now() + timedelta(hours=3))  # in London's working hours

    globex = bot.fake.bot_token("T2")
    sent = [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.token == globex
        and c.params.get("channel") in (MEMBER_COORD, bot.fake.dm_channel(MEMBER_COORD))
        and str(c.params.get("text", "")).startswith("Your monthly program report")
    ]
    joined = [p for p in sent if "Cross-company, your people" in p["text"]]
    assert len(joined) == 1, [p["text"] for p in sent]
    shown = str(joined[0]["blocks"])
    assert "Mentors: *2*" in shown and "Mentees: *3*" in shown
    assert "UA1" not in shown and "UI3" not in shown  # no other company's people
    assert len(sent) == 2  # and Globex's own report, as before

    bot.tick(timedelta(hours=6))  # nothing twice
    again = [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.token == globex and "Cross-company, your people" in str(c.params.get("text"))
    ]
    assert len(again) == 1
