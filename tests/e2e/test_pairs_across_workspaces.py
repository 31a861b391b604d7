"""A pair across two companies' Slacks, through the signed edge: Acme (T1) hosts the
"Cross-company" program, Globex (T2) joined it with a join code; Maria (Acme) mentors Ada
(Globex). Each of them is reached in their own Slack, with their own workspace's token and in
their own working hours, and acts from there: scheduling, "did you meet?", pulses,
reflections, pause, resume and ending; nobody else of either workspace can act for them.

Until matching across workspaces lands, the partnership itself is saved through the
repositories (profile, request and partnership with each person's own workspace), and its
rhythm planned by the same hooks a match runs; everything after that goes through Slack.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.model.partnership import MentorProfile, MentorRequest, Partnership, RequestStatus
from bot.services import partnership_events
from mentorbot.services import sql_unit_of_work
from sandbox.slack import Call
from tests.conftest import START, RunningBot
from tests.e2e.journeys import buttons
from tests.e2e.test_programs import CROSS, create
from tests.e2e.test_programs_sharing import COORDINATORS, NAMES, join, share, table
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, as_team, in_workspace, install
from tests.support.oauth import oauth_settings as oauth

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

MENTOR, MENTEE = "UACME1", "UGLOBEX1"  # Maria at Acme (London), Ada at Globex (New York)
STRANGER = "UGLOBEX2"  # of Globex, not in the pair
_ts = itertools.count(1)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return oauth(
        mentorbot_coordinators=",".join(f"{t}:{u}" for t, u in COORDINATORS.items()),
        mentorbot_onboarding=False,
    )


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, int]:
    """Three workspaces installed by OAuth; Globex joins Acme's program; the pair is saved."""
    bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    for team, name in NAMES.items():
        bot.fake.add_user(COORDINATORS[team], team_id=team, tz="Europe/London")
        install(bot, team, name=name)
    create(in_workspace(bot, "T1"), CROSS)
    code, _ = share(bot)
    assert join(bot, "T2", code)["response_action"] == "update"
    bot.fake.add_user(MENTOR, team_id="T1", real_name="Maria Mentor", tz="Europe/London")
    bot.fake.add_user(MENTEE, team_id="T2", real_name="Ada Mentee", tz="America/New_York")
    bot.fake.add_user(STRANGER, team_id="T2", real_name="Sam Stranger", tz="America/New_York")
    pid = save_pair(bot)
    for _ in range(3):  # what the start sends at once (the pair channel's set-up or its note)
        bot.tick()
    return bot, pid


def save_pair(bot: RunningBot) -> int:
    services = bot.runtime.services
    now = bot.clock.now()
    with sql_unit_of_work(bot.runtime.database)() as uow:
        program = next(p for p in uow.programs.all("T1") if p.name == "Cross-company")
        assert program.id is not None
        uow.mentors.save(
            MentorProfile(
                team_id="T1",
                user_id=MENTOR,
                expertise=["leadership"],
                bio="Twenty years of leading teams through change.",
                organization="Acme",
                capacity=2,
                languages=["English"],
                tz="Europe/London",
                program_id=program.id,
            )
        )
        request = uow.requests.save(
            MentorRequest(
                team_id="T2",
                mentee_id=MENTEE,
                goals="Lead my first team through a reorganization.",
                focus_areas=["leadership"],
                organization="Globex",
                wants_other_org=True,
                tz="America/New_York",
                status=RequestStatus.MATCHED,
                created_at=now,
                matched_at=now,
                program_id=program.id,
                host_team_id="T1",
            )
        )
        rules = services.programs.rules(uow, "T1", program.id)
        partnership = uow.partnerships.save(
            Partnership(
                team_id="T1",
                mentor_id=MENTOR,
                mentee_id=MENTEE,
                request_id=request.id,
                started_at=now,
                ends_at=now + rules.term,
                program_id=program.id,
                mentor_team_id="T1",
                mentee_team_id="T2",
            )
        )
        partnership_events(services.rules).start(uow, partnership, rules)
        uow.commit()
        assert partnership.id is not None
        return partnership.id


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def step_to(bot: RunningBot, when: datetime) -> None:
    bot.clock.set(when)
    bot.settle()
    bot.runtime.services.dispatcher.run_once(when)
    bot.settle()


def posts_to(bot: RunningBot, user: str) -> list[Call]:
    """Every message the bot posted to ``user``'s DM, with the token it used."""
    return [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.params.get("channel") in (user, bot.fake.dm_channel(user))
    ]


def token(bot: RunningBot, team: str) -> str:
    found = bot.fake.bot_token(team)
    assert found is not None
    return found


def write(bot: RunningBot, team: str, user: str, text: str) -> None:
    """``user`` writes in their DM with the bot, in their own workspace's Slack."""
    ts = f"{1772463600 + next(_ts)}.000100"
    event = {
        "type": "message",
        "channel": bot.fake.dm_channel(user),
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }
    assert as_team(bot, team).event(event).status == 200
    bot.settle()


def schedule_from(bot: RunningBot, team: str, user: str, when: str) -> dict[str, Any]:
    """``/mentor schedule`` in ``team``, the rule typed and confirmed: the confirmation."""
    slack = as_team(bot, team)
    assert slack.command("schedule", user=user).status == 200
    bot.settle()
    opened = bot.fake.calls_to("views.open")[-1]
    assert opened.token == token(bot, team)  # the modal opens in their own Slack
    view = bot.view_opened("session_schedule")
    reply = slack.submit(view, user=user, values={"when": when, "length": "60", "repeat": "1"})
    assert reply.status == 200, reply.text
    if reply.json().get("response_action") == "push":  # the check, then saved
        reply = slack.submit(reply.json()["view"], user=user, values={})
    bot.settle()
    return dict(reply.json())


def test_scheduled_from_globex_each_hears_in_their_own_slack_at_their_own_hours(
    pair: tuple[RunningBot, int],
) -> None:
    bot, pid = pair
    confirmed = schedule_from(bot, "T2", MENTEE, "Tuesdays at 3pm")  # New York: 20:00 UTC
    assert "Saved: every Tuesday at 15:00 (your time)" in str(confirmed["view"])
    # the form named Maria in words (her mention can't resolve in Globex's Slack)
    form = str(bot.view_opened("session_schedule"))
    assert "When will you and Maria Mentor meet?" in form and "<@UACME1>" not in form

    # Maria hears of it in Acme's Slack, with Acme's token, in London time, Ada named in words
    told = posts_to(bot, MENTOR)[-1]
    assert told.token == token(bot, "T1")
    assert (
        "Ada Mentee set your mentoring session: every Tuesday at 20:00 (your time)"
        in (told.params["text"])
    )
    assert "<@UGLOBEX1>" not in str(told.params)
    # each gets the calendar invite in their own DM, uploaded with their workspace's token
    # (no group DM can span two workspaces), both named in it as their own Slack knows them
    assert not [
        c for c in bot.fake.calls_to("conversations.open") if "," in str(c.params.get("users"))
    ]
    shared = {
        c.params.get("channel_id"): c.token
        for c in bot.fake.delivered("files.completeUploadExternal")
    }
    assert shared == {
        bot.fake.dm_channel(MENTOR): token(bot, "T1"),
        bot.fake.dm_channel(MENTEE): token(bot, "T2"),
    }
    invites = [u for u in bot.fake.uploads if u.filename == "mentoring-session.ics"]
    assert len(invites) == 2
    for invite in invites:
        ics = invite.content.decode()
        assert "Ada Mentee" in ics and "Maria Mentor" in ics
        assert "RRULE:FREQ=WEEKLY" in ics and "TZID=America/New_York" in ics
    comments = {u.channel: u.initial_comment or "" for u in invites}
    assert "every Tuesday at 20:00 (your time)" in comments[bot.fake.dm_channel(MENTOR)]
    assert "every Tuesday at 15:00 (your time)" in comments[bot.fake.dm_channel(MENTEE)]

    # the reminders come when the pair chose, each in their own Slack
    step_to(bot, at(3, 19, 45))
    for person, team in ((MENTOR, "T1"), (MENTEE, "T2")):
        reminder = posts_to(bot, person)[-1]
        assert "Your mentoring session with" in reminder.params["text"], person
        assert reminder.token == token(bot, team)
    assert "Your mentoring session with Ada Mentee" in posts_to(bot, MENTOR)[-1].params["text"]
    assert "Your mentoring session with Maria Mentor" in posts_to(bot, MENTEE)[-1].params["text"]

    # "did you meet?" at the session's end: 16:00 in New York is working time, 21:00 in London
    # is not: Maria's waits for her morning
    step_to(bot, at(3, 21))
    ada_check = posts_to(bot, MENTEE)[-1]
    assert ada_check.params["text"].startswith("Did you meet")
    assert ada_check.token == token(bot, "T2")
    assert not posts_to(bot, MENTOR)[-1].params["text"].startswith("Did you meet")
    step_to(bot, at(4, 8, 59))
    assert not posts_to(bot, MENTOR)[-1].params["text"].startswith("Did you meet")
    step_to(bot, at(4, 9))
    maria_check = posts_to(bot, MENTOR)[-1]
    assert maria_check.params["text"].startswith("Did you meet")
    assert maria_check.token == token(bot, "T1")
    maria_ts = bot.fake.messages(MENTOR)[-1]["ts"]

    # a Globex person not in the pair clicks Ada's button: refused, nothing recorded
    value = buttons(bot.fake.messages(MENTEE)[-1], "session_met")[0]
    as_team(bot, "T2").click(
        "session_met", user=STRANGER, value=value, channel=bot.fake.dm_channel(STRANGER)
    )
    bot.settle()
    assert table(bot, "SELECT count(*) FROM session_logs") == [(0,)]
    # nor does an ID of the pair's from the wrong workspace pass for the person
    bot.fake.add_user(MENTOR, team_id="T2", real_name="Not Maria", tz="America/New_York")
    as_team(bot, "T2").click("session_met", user=MENTOR, value=value)
    bot.settle()
    assert table(bot, "SELECT count(*) FROM session_logs") == [(0,)]
    bot.fake.add_user(MENTOR, team_id="T1", real_name="Maria Mentor", tz="Europe/London")

    # Ada answers from Globex: recorded once, for the program; Maria's copy in Acme's Slack
    # shows it too, redrawn with Acme's token
    ada_message = bot.fake.messages(MENTEE)[-1]
    reply = as_team(bot, "T2").click(
        "session_met",
        user=MENTEE,
        value=value,
        channel=bot.fake.dm_channel(MENTEE),
        message_ts=ada_message["ts"],
    )
    assert reply.status == 200
    bot.settle()
    assert table(bot, "SELECT team_id, answered_by, outcome FROM session_logs") == [
        ("T1", MENTEE, "met")
    ]
    assert bot.runtime.services.sessions.held("T2", pid) == 1
    assert bot.runtime.services.sessions.held("T1", pid) == 1
    redrawn = [c for c in bot.fake.delivered("chat.update") if c.token == token(bot, "T1")]
    assert any(c.params["channel"] == bot.fake.dm_channel(MENTOR) for c in redrawn)
    maria_now = next(m for m in bot.fake.messages(MENTOR) if m["ts"] == maria_ts)
    assert "Met: recorded by Ada Mentee" in maria_now["text"]
    assert not buttons(maria_now, "session_met") and "<@UGLOBEX1>" not in str(maria_now)
    ada_now = next(m for m in bot.fake.messages(MENTEE) if m["ts"] == ada_message["ts"])
    assert "Met: recorded by <@UGLOBEX1>" in ada_now["text"]  # her own mention resolves


def test_a_pulse_answered_in_globex_and_a_reflection_kept_in_globex(
    pair: tuple[RunningBot, int],
) -> None:
    bot, pid = pair
    # two weeks in (Monday 16 March, 15:00 UTC): the first pulse. New York is at 11:00 (DST
    # began on the 8th), London at 15:00: both working hours, each in their own Slack
    step_to(bot, START + timedelta(days=14))
    for person, team in ((MENTOR, "T1"), (MENTEE, "T2")):
        pulse = [c for c in posts_to(bot, person) if "pulse_4" in str(c.params.get("blocks"))]
        assert pulse and pulse[-1].token == token(bot, team), person
    ada_pulse = [c for c in posts_to(bot, MENTEE) if "pulse_4" in str(c.params.get("blocks"))][-1]
    assert "Maria Mentor" in str(ada_pulse.params) and "<@UACME1>" not in str(ada_pulse.params)

    # Ada answers in her DM in Globex's Slack, in words
    write(bot, "T2", MENTEE, "4")
    answer = posts_to(bot, MENTEE)[-1]
    assert "you rated your partnership 4/5" in answer.params["text"]
    assert answer.token == token(bot, "T2")
    assert table(
        bot, "SELECT team_id, user_id, kind, score FROM progress_checks WHERE kind = 'pulse'"
    ) == [("T1", MENTEE, "pulse", 4)]

    # a note Ada shares with Maria from her DM reaches Maria in Acme's Slack, naming Ada
    write(bot, "T2", MENTEE, "Loved our last chat about feedback.")
    kept = bot.fake.messages(MENTEE)[-1]
    value = buttons(kept, "conversation_share")[0]
    as_team(bot, "T2").click(
        "conversation_share",
        user=MENTEE,
        value=value,
        channel=bot.fake.dm_channel(MENTEE),
        message_ts=kept["ts"],
    )
    bot.settle()
    shared = posts_to(bot, MENTOR)[-1]
    assert shared.token == token(bot, "T1")
    assert shared.params["text"].startswith("Ada Mentee shared this with you")
    assert "Shared with your partner: it reached them" in bot.fake.messages(MENTEE)[-1]["text"]
    assert table(bot, "SELECT team_id, author_id FROM dm_notes") == [("T2", MENTEE)]

    # a reflection written in Globex is Ada's, kept in her workspace; Acme's side can't read it
    slack = as_team(bot, "T2")
    slack.command("reflect", user=MENTEE)
    bot.settle()
    view = bot.view_opened("journal_reflect")
    reply = slack.submit(
        view,
        user=MENTEE,
        values={
            "topics": "Private: my salary worries",
            "learned": "",
            "next_steps": "",
            "visibility": "private",
        },
    )
    assert reply.status == 200
    bot.settle()
    assert table(bot, "SELECT team_id, author_id, partnership_id FROM reflections") == [
        ("T2", MENTEE, pid)
    ]
    journal = bot.runtime.services.journal
    assert journal.reflections("T1", MENTOR, pid).total == 0
    assert journal.reflections("T2", MENTEE, pid).total == 1
    rid = int(table(bot, "SELECT id FROM reflections")[0][0])
    for team, user in (("T1", MENTOR), ("T1", MENTEE), ("T2", STRANGER)):
        with pytest.raises(Exception, match="can't find that reflection"):
            journal.reflection(team, user, rid)
    # a shared one reaches Maria's side, read from Acme
    slack.command("reflect", user=MENTEE)
    bot.settle()
    slack.submit(
        bot.view_opened("journal_reflect"),
        user=MENTEE,
        values={
            "topics": "Shared: running a good one-to-one",
            "learned": "",
            "next_steps": "",
            "visibility": "shared",
        },
    )
    bot.settle()
    seen = journal.reflections("T1", MENTOR, pid)
    assert [r.topics for r in seen.items] == ["Shared: running a good one-to-one"]
    # Ada's Home tab, in Globex's Slack, shows her pair and her own reflections
    as_team(bot, "T2").event({"type": "app_home_opened", "user": MENTEE, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(MENTEE)
    assert home is not None and "Private: my salary worries" in str(home)
    assert bot.fake.delivered("views.publish")[-1].token == token(bot, "T2")
    assert "Maria Mentor" in str(home) and "<@UACME1>" not in str(home)


def test_pause_resume_and_end_from_either_side_the_partner_told_in_their_own_slack(
    pair: tuple[RunningBot, int],
) -> None:
    bot, pid = pair
    schedule_from(bot, "T1", MENTOR, "Thursdays at 2pm")

    # Ada skips this week in words, in her DM in Globex's Slack: Maria hears in Acme's
    write(bot, "T2", MENTEE, "skip this week")
    assert (
        "Skipped the next session; I've told your partner"
        in (bot.fake.messages(MENTEE)[-1]["text"])
    )
    skipped = posts_to(bot, MENTOR)[-1]
    assert skipped.token == token(bot, "T1")
    assert skipped.params["text"].startswith("Ada Mentee skipped the session on")

    # Ada pauses from Globex's Home tab: Maria is told in Acme's Slack
    globex = as_team(bot, "T2")
    globex.event({"type": "app_home_opened", "user": MENTEE, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(MENTEE)
    assert home is not None
    assert buttons(home, "home_session_pause") == [str(pid)]
    globex.click("home_session_pause", user=MENTEE, value=str(pid), view=home)
    bot.settle()
    pause = bot.view_opened("session_pause")
    reply = globex.submit(pause, user=MENTEE, values={"until": "2026-03-25"})
    assert reply.json()["response_action"] == "update"
    bot.settle()
    told = posts_to(bot, MENTOR)[-1]
    assert "paused your sessions until" in told.params["text"]
    assert "Ada Mentee" in told.params["text"] and told.token == token(bot, "T1")
    assert table(bot, "SELECT status FROM partnerships") == [("paused",)]
    # both Home tabs are redrawn, each in its own workspace
    maria_home = bot.fake.home_view(MENTOR)
    assert maria_home is not None and buttons(maria_home, "home_session_resume")
    publishes = {c.params["user_id"]: c.token for c in bot.fake.delivered("views.publish")}
    assert publishes[MENTOR] == token(bot, "T1") and publishes[MENTEE] == token(bot, "T2")

    # a Globex stranger's crafted resume changes nothing
    globex.click("home_session_resume", user=STRANGER, value=str(pid), view=home)
    bot.settle()
    assert table(bot, "SELECT status FROM partnerships") == [("paused",)]

    # Maria resumes from Acme: Ada hears in Globex's Slack
    acme = as_team(bot, "T1")
    acme.click("home_session_resume", user=MENTOR, value=str(pid), view=maria_home)
    bot.settle()
    assert table(bot, "SELECT status FROM partnerships") == [("active",)]
    resumed = posts_to(bot, MENTEE)[-1]
    assert resumed.token == token(bot, "T2") and "Maria Mentor" in resumed.params["text"]

    # Ada ends it from Globex: Maria is told kindly in Acme's Slack, Acme's coordinator hears
    assert globex.command("end", user=MENTEE).status == 200
    bot.settle()
    ending = bot.view_opened("partnership_end")
    assert "partnership with Maria Mentor" in str(ending) and "<@UACME1>" not in str(ending)
    reply = globex.submit(ending, user=MENTEE, values={"reason": "schedule", "note": ""})
    assert reply.status == 200, reply.text
    bot.settle()
    assert table(bot, "SELECT status FROM partnerships") == [("ended",)]
    assert "I've let Maria Mentor know" in str(reply.json()["view"])
    ended = posts_to(bot, MENTOR)[-1]
    assert ended.token == token(bot, "T1")
    assert "Ada Mentee" in str(ended.params) and "<@UGLOBEX1>" not in str(ended.params)
    coordinator = posts_to(bot, "UCOORD1")[-1]
    assert coordinator.token == token(bot, "T1")  # the program's team hears, in Acme's Slack
    assert (
        "Ada Mentee (Globex) closed the partnership of Ada Mentee (Globex) (mentee) and <@UACME1>"
        in str(coordinator.params)
    )
    # the exit survey reaches Ada in Globex's Slack (Maria named in words); she answers there
    survey = next(
        m
        for m in reversed(bot.fake.messages(MENTEE))
        if any(b.get("block_id") == "exit_survey" for b in m.get("blocks") or [])
    )
    assert "Maria Mentor" in str(survey) and "<@UACME1>" not in str(survey)
    globex.click(
        "exit_rate_4",
        user=MENTEE,
        value=buttons(survey, "exit_rate_4")[0],
        channel=bot.fake.dm_channel(MENTEE),
        message_ts=survey["ts"],
    )
    bot.settle()
    assert table(
        bot, "SELECT team_id, user_id, score FROM progress_checks WHERE kind = 'exit'"
    ) == [("T1", MENTEE, 4)]
    # nothing was sent to either of them with the other workspace's token
    for person, team in ((MENTOR, "T1"), (MENTEE, "T2")):
        assert {c.token for c in posts_to(bot, person)} == {token(bot, team)}, person


def test_goals_set_in_globex_are_moved_along_from_acme_and_celebrated_in_each_slack(
    pair: tuple[RunningBot, int],
) -> None:
    bot, pid = pair
    # Maria, in Acme, is told the goals are Ada's to set, Ada named in words
    acme, globex = as_team(bot, "T1"), as_team(bot, "T2")
    acme.command("goals", user=MENTOR)
    bot.settle()
    told = str(bot.fake.last("response_url").params.get("text", ""))
    assert "Goals are Ada Mentee's to set" in told
    # Ada sets them from Globex's Slack: kept with the pair, in the program's workspace
    globex.command("goals", user=MENTEE)
    bot.settle()
    saved = globex.submit(
        bot.view_opened("journal_goals"), user=MENTEE, values={"goal_1": "Lead the planning"}
    )
    assert saved.json()["response_action"] == "update"
    bot.settle()
    assert table(bot, "SELECT team_id, partnership_id FROM goals") == [("T1", pid)]
    # both Home tabs show them, each published with its own workspace's token
    maria_home = bot.fake.home_view(MENTOR)
    assert maria_home is not None and "Lead the planning" in str(maria_home)
    assert "Ada Mentee" in str(maria_home) and "<@UGLOBEX1>" not in str(maria_home)
    # Maria marks it done from Acme's Home tab: both are celebrated, each in their own Slack
    done = buttons(maria_home, "goal_status_done")
    assert done
    acme.click("goal_status_done", user=MENTOR, value=done[0], view=maria_home)
    bot.settle()
    assert table(bot, "SELECT status FROM goals") == [("done",)]
    for person, team in ((MENTOR, "T1"), (MENTEE, "T2")):
        celebration = posts_to(bot, person)[-1]
        assert "A goal reached: Lead the planning" in celebration.params["text"], person
        assert celebration.token == token(bot, team)
    # a Globex stranger's click on the same button changes nothing
    globex.click("goal_status_in_progress", user=STRANGER, value=done[0], view=maria_home)
    bot.settle()
    assert table(bot, "SELECT status FROM goals") == [("done",)]
    # Ada moves it back from Globex's Home tab: the goal kept in Acme is found from Globex
    ada_home = bot.fake.home_view(MENTEE)
    assert ada_home is not None
    globex.click("goal_status_in_progress", user=MENTEE, value=done[0], view=ada_home)
    bot.settle()
    assert table(bot, "SELECT status FROM goals") == [("in_progress",)]
