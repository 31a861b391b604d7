"""Several programs in one workspace: a cross-company cohort and an internal one, each matched
within itself under its own rules, with its own term, session length, check-in cadence and
working hours; coordinators set them up with `/mentor program`, everyone else is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.model.partnership import PartnershipStatus
from storage import SqlUnitOfWork
from tests.conftest import START, TEAM, RunningBot
from tests.e2e.journeys import answer, buttons, click, last_dm, pick

COORDINATOR = "UCOORD1"
CROSS = {
    "name": "Cross-company",
    "term_days": "180",
    "session_minutes": "60",
    "pulse_every_days": "14",
    "focus_areas": "leadership\ncareer growth",
    "workday_start": "9",
    "workday_end": "18",
    "flags": ["weekends_off", "cross_company"],
    "competitors": "Acme | Globex",
}
INTERNAL = {
    "name": "Internal",
    "term_days": "90",
    "session_minutes": "30",
    "pulse_every_days": "7",
    "focus_areas": "technical skills\nonboarding",
    "workday_start": "7",
    "workday_end": "13",
    "flags": ["weekends_off"],
    "competitors": "",
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"mentorbot_onboarding": False}  # count only the program's own prompts


def open_program_form(bot: RunningBot, text: str = "program new") -> dict[str, Any]:
    reply = bot.slack.command(text, user=COORDINATOR)
    assert reply.status == 200, reply.text
    bot.settle()
    return bot.view_opened("program_edit")


def create(bot: RunningBot, values: dict[str, Any], *, user: str = COORDINATOR) -> Any:
    view = open_program_form(bot)
    reply = bot.slack.submit(view, user=user, values=values)
    bot.settle()
    return reply.json()


def program_value(view: dict[str, Any], name: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == "program")
    return next(o["value"] for o in block["element"]["options"] if o["text"]["text"] == name)


def join_as_mentor(
    bot: RunningBot, user: str, program: str, *, expertise: list[str], organization: str
) -> Any:
    bot.slack.command("offer", user=user)
    bot.settle()
    view = bot.view_opened("mentor_offer")
    reply = bot.slack.submit(
        view,
        user=user,
        values={
            "program": program_value(view, program),
            "expertise": expertise,
            "bio": "Glad to help.",
            "organization": organization,
            "capacity": "2",
            "languages": "English",
            "accepting": ["accepting"],
        },
    )
    bot.settle()
    return reply.json()


def join_as_mentee(
    bot: RunningBot, user: str, program: str, *, focus: list[str], organization: str
) -> Any:
    bot.slack.command("ask", user=user)
    bot.settle()
    view = bot.view_opened("mentor_ask")
    reply = bot.slack.submit(
        view,
        user=user,
        values={
            "program": program_value(view, program),
            "goals": "Grow into the next step of my career with someone who has done it.",
            "focus_areas": focus,
            "organization": organization,
            "other_org": [],
        },
    )
    bot.settle()
    return reply.json()


def suggested(bot: RunningBot, mentee: str) -> list[str]:
    return [v.partition(":")[2] for v in buttons(last_dm(bot, mentee), "pick_mentor")]


def pulses(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    return [m for m in bot.fake.messages(user) if "How is your mentoring partnership" in m["text"]]


def partnerships(bot: RunningBot) -> dict[str, Any]:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        return {
            p.mentee_id: p
            for mentee in ("UE1", "UE2")
            for p in uow.partnerships.for_member(TEAM, mentee)
        }


@pytest.fixture
def two_programs(bot: RunningBot) -> RunningBot:
    for user in ("UM1", "UM2", "UM3", "UE1", "UE2"):
        bot.fake.add_user(user, tz="UTC")
    assert create(bot, CROSS)["response_action"] == "update"
    assert create(bot, INTERNAL)["response_action"] == "update"
    return bot


def test_without_programs_the_modals_are_as_before(bot: RunningBot) -> None:
    bot.slack.command("ask", user="UE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    assert "program" not in {b.get("block_id") for b in view["blocks"]}


def test_each_program_matches_within_itself_under_its_own_rules(two_programs: RunningBot) -> None:
    bot = two_programs
    # Cross-company: a mentor from a rival (Acme) of the mentee's Globex, one from Initech.
    saved = join_as_mentor(
        bot, "UM1", "Cross-company", expertise=["leadership"], organization="Acme"
    )
    assert saved["response_action"] == "update"
    join_as_mentor(bot, "UM2", "Cross-company", expertise=["leadership"], organization="Initech")
    # Internal: a mentor from the mentee's own organization, which this program allows.
    join_as_mentor(bot, "UM3", "Internal", expertise=["technical skills"], organization="Globex")

    join_as_mentee(bot, "UE1", "Cross-company", focus=["leadership"], organization="Globex")
    join_as_mentee(bot, "UE2", "Internal", focus=["technical skills"], organization="Globex")
    bot.tick()
    assert suggested(bot, "UE1") == ["UM2"]  # not the rival, not the internal mentor
    assert suggested(bot, "UE2") == ["UM3"]  # same organization is fine here

    pick(bot, "UE1", "UM2")
    answer(bot, "UM2", "accept_request")
    pick(bot, "UE2", "UM3")
    answer(bot, "UM3", "accept_request")
    pairs = partnerships(bot)
    cross, internal = pairs["UE1"], pairs["UE2"]
    assert cross.program_id is not None and internal.program_id is not None
    assert cross.program_id != internal.program_id
    assert cross.ends_at - cross.started_at == timedelta(days=180)
    assert internal.ends_at - internal.started_at == timedelta(days=90)

    # The internal pair's schedule form offers its 30-minute sessions by default.
    bot.slack.click("open_schedule", user="UE2", value=str(internal.id))
    bot.settle()
    form = bot.view_opened("session_schedule")
    length = next(b for b in form["blocks"] if b.get("block_id") == "length")["element"]
    assert length["initial_option"]["value"] == "30"

    # Internal checks in weekly, in its 7-13 working hours: due Monday 15:00 UTC, it waits
    # for Tuesday 07:00. The cross-company pair's fortnightly pulse has not come yet.
    bot.tick(timedelta(days=7))
    assert pulses(bot, "UE2") == [] and pulses(bot, "UE1") == []
    bot.tick(timedelta(hours=16))  # Tuesday 07:00
    assert len(pulses(bot, "UE2")) == 1 and len(pulses(bot, "UM3")) == 1
    assert pulses(bot, "UE1") == []
    bot.clock.set(START + timedelta(days=14))  # Monday 15:00: inside 9-18
    bot.tick()
    assert len(pulses(bot, "UE1")) == 1 and len(pulses(bot, "UM2")) == 1
    bot.tick(timedelta(hours=16))
    assert len(pulses(bot, "UE2")) == 2  # its second week

    # A coordinator sees one program's health, or the whole workspace's.
    def report(name: str = "") -> dict[str, Any]:
        bot.slack.command(f"report {name}".strip(), user=COORDINATOR)
        bot.settle()
        return next(
            c.params
            for c in reversed(bot.fake.delivered("chat.postMessage"))
            if c.params["text"].startswith("Program health")
        )

    bot.fake.add_user(COORDINATOR, tz="UTC")
    internal_health = report("internal")
    assert internal_health["text"] == "Program health: Internal: 1 active pair."
    figures = internal_health["blocks"][2]["text"]["text"]
    assert "Mentors: *1*" in figures and "Mentees: *1*" in figures
    assert report("Cross-company")["text"] == "Program health: Cross-company: 1 active pair."
    main_figures = report("Main program")["blocks"][2]["text"]["text"]
    assert "Mentors: *0*" in main_figures and "Active pairs: *0*" in main_figures
    assert report()["text"] == "Program health: 2 active pairs."
    bot.slack.command("report Night school", user=COORDINATOR)
    bot.settle()
    assert (
        "There is no program called Night school" in (bot.fake.last("response_url").params["text"])
    )

    # Each term ends on its own date.
    bot.clock.set(START + timedelta(days=90, hours=1))
    bot.tick()
    pairs = partnerships(bot)
    assert pairs["UE2"].status is PartnershipStatus.COMPLETED
    assert pairs["UE1"].status is PartnershipStatus.ACTIVE


def test_a_coordinator_creates_and_edits_a_program_with_field_errors(bot: RunningBot) -> None:
    wrong = CROSS | {
        "name": "A program name far too long for Slack",
        "term_days": "3",
        "pulse_every_days": "400",
        "focus_areas": "",
        "workday_start": "18",
        "workday_end": "9",
        "competitors": "Acme",
    }
    refused = create(bot, wrong)
    assert refused["response_action"] == "errors"
    assert set(refused["errors"]) == {
        "name",
        "term_days",
        "pulse_every_days",
        "focus_areas",
        "workday_end",
        "competitors",
    }
    assert create(bot, CROSS)["response_action"] == "update"
    again = create(bot, CROSS | {"name": "cross-COMPANY"})
    assert again["errors"] == {"name": "There is already a program called cross-COMPANY."}

    # The list has it, with an Edit button; editing keeps the name free for itself.
    bot.slack.command("program", user=COORDINATOR)
    bot.settle()
    listing = bot.fake.last("response_url").params
    assert "Cross-company" in str(listing["blocks"])
    edit = buttons(listing, "program_open_edit")
    assert len(edit) == 1
    bot.slack.click("program_open_edit", user=COORDINATOR, value=edit[0])
    bot.settle()
    view = bot.view_opened("program_edit")
    name = next(b for b in view["blocks"] if b.get("block_id") == "name")
    assert name["element"]["initial_value"] == "Cross-company"
    bot.fake.add_user("UNEW1", tz="UTC")
    reply = bot.slack.submit(
        view, user=COORDINATOR, values=CROSS | {"term_days": "200", "invite": ["UNEW1"]}
    )
    bot.settle()
    assert reply.json()["response_action"] == "update"
    assert "1 invited" in str(reply.json()["view"])
    bot.tick()
    assert buttons(last_dm(bot, "UNEW1"), "program_join_offer") == [edit[0]]
    program = bot.runtime.services.programs.find(TEAM, "cross-company")
    assert program.term_days == 200
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        actions = [e.action for e in uow.audit.recent(TEAM, limit=10)]
    assert sorted(actions) == ["program.create", "program.edit", "program.invite"]


def test_people_who_are_not_coordinators_are_refused_and_nothing_changes(
    bot: RunningBot,
) -> None:
    bot.fake.add_user("UE1", tz="UTC")
    before = len(bot.fake.calls)
    reply = bot.slack.command("program new", user="UE1")
    bot.settle()
    assert reply.json()["response_type"] == "ephemeral"
    assert "for the program's coordinators" in reply.json()["text"]
    assert {c.method for c in bot.fake.calls[before:]} <= {"auth.test"}

    reply = bot.slack.command("program invite Main program <@UE2>", user="UE1")
    bot.settle()
    assert "for the program's coordinators" in reply.json()["text"]

    # A crafted form submission or button from someone else changes nothing.
    view = open_program_form(bot)
    reply = bot.slack.submit(view, user="UE1", values=CROSS)
    bot.settle()
    assert reply.json()["response_action"] == "errors"
    assert "coordinators" in reply.json()["errors"]["name"]
    bot.slack.click("program_open_new", user="UE1", value="new", view={"id": "VHOME"})
    bot.settle()
    notice = bot.fake.calls_to("views.open")[-1].params["view"]  # over the Home tab
    assert "coordinators" in notice["blocks"][0]["text"]["text"]
    assert bot.runtime.services.programs.programs(TEAM)[1:] == []


def test_invited_people_join_the_program_from_their_dm(two_programs: RunningBot) -> None:
    bot = two_programs
    bot.slack.command("program invite Internal <@UE1> <@UM1|ana>", user=COORDINATOR)
    bot.settle()
    bot.tick()
    assert "Invited 2 people to Internal" in bot.fake.last("response_url").params["text"]
    invitation = last_dm(bot, "UE1")
    assert "Internal" in invitation["text"]
    internal = bot.runtime.services.programs.find(TEAM, "Internal")
    assert buttons(invitation, "program_join_ask") == [str(internal.id)]

    click(bot, "UE1", invitation, "program_join_ask")
    view = bot.view_opened("mentor_ask")
    select = next(b for b in view["blocks"] if b.get("block_id") == "program")
    assert select["element"]["initial_option"]["value"] == str(internal.id)
    areas = next(b for b in view["blocks"] if b.get("block_id") == "focus_areas")
    assert [o["value"] for o in areas["element"]["options"]] == ["technical skills", "onboarding"]

    reply = bot.slack.submit(
        view,
        user="UE1",
        values={
            "program": str(internal.id),
            "goals": "Learn the codebase and the people behind it quickly.",
            "focus_areas": ["onboarding"],
            "organization": "Globex",
            "other_org": [],
        },
    )
    bot.settle()
    assert reply.json()["response_action"] == "update"
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        request = uow.requests.open_for(TEAM, "UE1")
        events = uow.audit.recent(TEAM, limit=10)
    assert request is not None and request.program_id == internal.id
    invite = next(e for e in events if e.action == "program.invite")
    assert invite.detail == {"people": 2} and invite.actor_id == COORDINATOR


def test_a_focus_area_of_another_program_is_a_field_error(two_programs: RunningBot) -> None:
    bot = two_programs
    bot.slack.command("ask", user="UE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    reply = bot.slack.submit(
        view,
        user="UE1",
        values={
            "program": program_value(view, "Internal"),
            "goals": "Lead my first team through a reorganization with confidence.",
            "focus_areas": ["leadership"],  # offered (another program has it), not Internal's
            "organization": "Globex",
            "other_org": [],
        },
    )
    assert reply.json()["response_action"] == "errors"
    assert "focus_areas" in reply.json()["errors"]


def test_an_announcement_can_reach_one_programs_people_or_its_channel(
    two_programs: RunningBot,
) -> None:
    bot = two_programs
    bot.fake.add_user(COORDINATOR, tz="UTC")
    join_as_mentor(bot, "UM1", "Cross-company", expertise=["leadership"], organization="Acme")
    join_as_mentor(bot, "UM3", "Internal", expertise=["technical skills"], organization="Globex")
    join_as_mentee(bot, "UE2", "Internal", focus=["technical skills"], organization="Globex")
    bot.tick()
    internal = bot.runtime.services.programs.find(TEAM, "Internal")

    def announce(**values: Any) -> None:
        bot.slack.command("announce", user=COORDINATOR)
        bot.settle()
        view = bot.view_opened("announce_compose")
        filled = {"audience": "everyone", "when": "now", "text": "Kickoff on Monday!"} | values
        preview = bot.slack.submit(view, user=COORDINATOR, values=filled).json()
        assert preview["response_action"] == "push", preview
        bot.slack.submit(preview["view"], user=COORDINATOR, values={})
        bot.settle()
        bot.tick()

    def reached() -> set[str]:
        return {
            c.params["channel"]
            for c in bot.fake.delivered("chat.postMessage")
            if "Kickoff on Monday!" in str(c.params.get("text"))
        }

    announce(program=str(internal.id))
    assert reached() == {"UM3", "UE2"}  # not the cross-company mentor
    announce(program="all")
    assert "UM1" in reached()  # every program: the cross-company mentor too

    # A program without its own channel posts to the workspace's.
    announce(program=str(internal.id), audience="channel")
    assert "C0PROGRAM" in reached()

    # With a channel of its own, its announcements (and its pairs' shout-outs) go there.
    internal.channel = "C0INTERNAL"
    bot.runtime.services.programs.save(coordinator_id=COORDINATOR, program=internal)
    announce(program=str(internal.id), audience="channel")
    assert "C0INTERNAL" in reached()


def test_a_pairs_shout_outs_go_to_its_programs_channel(two_programs: RunningBot) -> None:
    bot = two_programs
    programs = bot.runtime.services.programs
    internal = programs.find(TEAM, "Internal")
    internal.channel = "C0INTERNAL"
    programs.save(coordinator_id=COORDINATOR, program=internal)
    join_as_mentor(bot, "UM3", "Internal", expertise=["technical skills"], organization="Globex")
    join_as_mentee(bot, "UE2", "Internal", focus=["technical skills"], organization="Globex")
    bot.tick()
    pick(bot, "UE2", "UM3")
    answer(bot, "UM3", "accept_request")
    for user in ("UE2", "UM3"):
        bot.slack.command("shoutouts on", user=user)
        bot.settle()
    bot.slack.command("milestone Shipped my first feature", user="UE2")
    bot.settle()
    bot.tick()
    [shout] = bot.fake.messages("C0INTERNAL")
    assert "<@UM3>" in shout["text"] and "feature" not in str(shout)
    assert bot.fake.messages("C0PROGRAM") == []
    bot.slack.event({"type": "app_home_opened", "user": "UE2", "tab": "home"})
    bot.settle()
    assert "Celebrate in <#C0INTERNAL>" in str(bot.fake.home_view("UE2"))


def test_a_program_climbs_its_own_quiet_pair_ladder(bot: RunningBot) -> None:
    for user in ("UM1", "UE1"):
        bot.fake.add_user(user, tz="UTC")
    refused = create(bot, CROSS | {"name": "Quick", "quiet_ladder": "3, 2, 4, 8"})
    assert refused["errors"] == {
        "quiet_ladder": "Four numbers of weeks, each later than the last: 2, 3, 4, 8."
    }
    assert create(bot, CROSS | {"name": "Quick", "quiet_ladder": "1, 2, 3, 5"})["response_action"]
    program = bot.runtime.services.programs.find(TEAM, "Quick")
    assert program.quiet_ladder_days == [7, 14, 21, 35]
    join_as_mentor(bot, "UM1", "Quick", expertise=["leadership"], organization="Initech")
    join_as_mentee(bot, "UE1", "Quick", focus=["leadership"], organization="Globex")
    pick(bot, "UE1", "UM1")
    answer(bot, "UM1", "accept_request")
    bot.tick(timedelta(days=7, hours=1))  # one week in: the program's first rung
    nudge = last_dm(bot, "UE1")
    assert nudge["text"].startswith("It's been 1 week since you and <@UM1> last met.")
    assert buttons(nudge, "quiet_met") and buttons(nudge, "open_schedule")
