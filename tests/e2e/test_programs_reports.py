"""Reports on a program shared across companies, through the signed edge, with three
workspaces installed by OAuth: Acme (T1) hosts "Cross-company", Globex (T2) and Initech (T3)
joined it. Acme's coordinators see the whole program with a row per company that shows a
number only for five people or more; Globex's see their own people only, never a name of
another company's; nobody sees what anyone wrote. People and pairs are built through the
repositories until matching across workspaces lands."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from bot.model.partnership import MentorProfile, MentorRequest, Partnership, RequestStatus
from storage import SqlUnitOfWork
from tests.conftest import RunningBot
from tests.e2e.test_programs_sharing import (  # noqa: F401  (fixtures)
    command,
    join,
    settings_overrides,
    share,
    shared,
    table,
)
from tests.support.oauth import as_team

HOST = {"T1": None, "T2": "T1", "T3": "T1"}
MENTORS = {"T1": ["UA1", "UA2", "UA3"], "T2": ["UG1", "UG2"], "T3": ["UI1", "UI2"]}
MENTEES = {"T1": ["UA4", "UA5"], "T2": ["UG3", "UG4", "UG5"], "T3": ["UI3", "UI4"]}
PAIRS = [  # (mentor, its workspace, mentee, its workspace)
    ("UG1", "T2", "UA4", "T1"),
    ("UA1", "T1", "UG3", "T2"),
    ("UA2", "T1", "UI3", "T3"),
]
SECRET = "a private goal about my manager"


def program_id(bot: RunningBot) -> int:
    (found,) = table(bot, "SELECT id FROM programs WHERE team_id = 'T1'")
    return int(found[0])


def add_mentor(bot: RunningBot, team: str, user: str) -> None:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        uow.mentors.save(
            MentorProfile(
                team_id=team,
                user_id=user,
                expertise=["leadership"],
                bio="I have led teams",
                organization="",
                capacity=2,
                languages=["en"],
                tz="Europe/London",
                program_id=program_id(bot),
                host_team_id=HOST[team],
            )
        )
        uow.commit()


def status_of(user: str, paired: set[str]) -> RequestStatus:
    if user in paired:
        return RequestStatus.MATCHED
    return RequestStatus.WAITLISTED if user == "UG5" else RequestStatus.MATCHING


@pytest.fixture
def program(shared: RunningBot) -> RunningBot:  # noqa: F811
    bot = shared
    for team in ("T2", "T3"):
        code, _ = share(bot)
        assert join(bot, team, code)["response_action"] == "update"
    pid, now = program_id(bot), bot.clock.now()
    for team, users in MENTORS.items():
        for user in users:
            add_mentor(bot, team, user)
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        requests = {}
        paired = {mentee for *_, mentee, _ in PAIRS}
        for team, users in MENTEES.items():
            for user in users:
                requests[user] = uow.requests.save(
                    MentorRequest(
                        team_id=team,
                        mentee_id=user,
                        goals=SECRET,
                        focus_areas=["leadership"],
                        organization="",
                        wants_other_org=True,
                        tz="Europe/London",
                        status=status_of(user, paired),
                        created_at=now,
                        program_id=pid,
                        host_team_id=HOST[team],
                    )
                )
        for mentor, mentor_team, mentee, mentee_team in PAIRS:
            uow.partnerships.save(
                Partnership(
                    team_id="T1",
                    mentor_id=mentor,
                    mentee_id=mentee,
                    request_id=requests[mentee].id,
                    started_at=now,
                    ends_at=now + timedelta(days=180),
                    program_id=pid,
                    mentor_team_id=mentor_team,
                    mentee_team_id=mentee_team,
                )
            )
        uow.commit()
    return bot


def report(bot: RunningBot, team: str) -> tuple[str, dict[str, str], str]:
    """``team``'s coordinator asks for the program's report: the DM's text as posted with
    that workspace's token, the CSV's rows, and the CSV as text."""
    coordinator = {"T1": "UCOORD1", "T2": "UCOORD2", "T3": "UCOORD3"}[team]
    uploads = len(bot.fake.uploads)
    told = command(bot, team, "report Cross-company")
    assert "sent you the program report" in told["text"], told
    token = bot.fake.bot_token(team)
    (posted,) = [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.token == token and c.params["text"].startswith("Program health")
    ][-1:]
    assert posted["channel"] in (coordinator, posted["channel"])
    csv_upload = next(
        u for u in bot.fake.uploads[uploads:] if u.filename.startswith("program-health")
    )
    content = csv_upload.content.decode()
    rows = {r[0]: r[1] for r in csv.reader(io.StringIO(content)) if len(r) == 2}
    return str(posted["blocks"]) + posted["text"], rows, content


def test_the_host_sees_every_company_and_a_breakdown_only_of_five_or_more(
    program: RunningBot,
) -> None:
    bot = program

    figures, rows, content = report(bot, "T1")

    assert (rows["Mentors"], rows["Mentees"], rows["Active pairs"]) == ("7", "7", "3")
    assert rows["People from Acme"] == "5"
    assert rows["Active pairs with people from Acme"] == "3"
    assert rows["People from Globex"] == "5"
    assert rows["Active pairs with people from Globex"] == "2"
    assert rows["People from Initech"] == "fewer than 5"  # four: could be recognised
    assert "Active pairs with people from Initech" not in rows
    assert "People from Initech: *fewer than 5*" in figures
    for text in (figures, content):
        assert SECRET not in text

    add_mentor(bot, "T3", "UI5")  # a fifth person at Initech: now the number shows
    _, rows, _ = report(bot, "T1")
    assert rows["People from Initech"] == "5"
    assert rows["Active pairs with people from Initech"] == "1"
    assert rows["Mentors"] == "8"


def test_a_member_coordinator_sees_only_their_own_people(program: RunningBot) -> None:
    bot = program

    figures, rows, content = report(bot, "T2")

    assert (rows["Mentors"], rows["Mentees"], rows["Active pairs"]) == ("2", "3", "2")
    assert not [label for label in rows if label.startswith("People from")]
    others = MENTORS["T1"] + MENTEES["T1"] + MENTORS["T3"] + MENTEES["T3"]
    for text in (figures, content):
        assert SECRET not in text
        assert not [user for user in others if user in text]
    assert "your people" in figures
    # asked and audited in Globex's own log; Acme's log does not hold Globex's look
    audit = table(bot, "SELECT team_id, action FROM audit_events WHERE action = 'report.view'")
    assert audit == [("T2", "report.view")]


def test_each_workspace_reads_its_own_audit_log(program: RunningBot) -> None:
    """`/mentor audit` in each workspace lists that workspace's entries only."""
    bot = program
    seen: dict[str, Any] = {}
    for team, coordinator in (("T1", "UCOORD1"), ("T2", "UCOORD2")):
        reply = as_team(bot, team).command("audit", user=coordinator)
        assert reply.status == 200
        bot.settle()
        seen[team] = str(bot.fake.last("response_url").params)
    assert "`program.member_join`" in seen["T1"] and "`program.join`" not in seen["T1"]
    assert "`program.join`" in seen["T2"] and "`program.member_join`" not in seen["T2"]
    assert "`program.share`" in seen["T1"] and "`program.share`" not in seen["T2"]
    # and someone who is not a coordinator is refused
    reply = as_team(bot, "T2").command("audit", user="UPLAIN2")
    assert "for the program's coordinators" in reply.json()["text"]


def home(bot: RunningBot, team: str, user: str) -> str:
    assert as_team(bot, team).event({"type": "app_home_opened", "user": user, "tab": "home"})
    bot.settle()
    view = bot.fake.home_view(user)
    assert view is not None
    return str(view["blocks"])


def test_the_home_tabs_and_whole_workspace_reports_count_each_side_once(
    program: RunningBot,
) -> None:
    """Acme's whole-workspace figures include its members' people in its shared program;
    Globex's own figures leave out its people in Acme's program, shown on a line of its own."""
    bot = program
    for team, coordinator in (("T1", "UCOORD1"), ("T2", "UCOORD2")):
        told = as_team(bot, team).command("report", user=coordinator)
        assert told.status == 200
        bot.settle()
    acme, globex = (
        {r[0]: r[1] for r in csv.reader(io.StringIO(u.content.decode())) if len(r) == 2}
        for u in [u for u in bot.fake.uploads if u.filename.startswith("program-health")][-2:]
    )
    assert (acme["Mentors"], acme["Mentees"], acme["Active pairs"]) == ("7", "7", "3")
    assert acme["Waitlisted"] == "1"  # Globex's mentee, waiting in Acme's program
    assert (globex["Mentors"], globex["Mentees"], globex["Active pairs"]) == ("0", "0", "0")

    acme_home = home(bot, "T1", "UCOORD1")
    assert "*3 active pairs*" in acme_home and "*1 person* waiting" in acme_home
    globex_home = home(bot, "T2", "UCOORD2")
    assert "*0 active pairs*" in globex_home
    line = "*Cross-company, your people* (run by Acme) · *2 active pairs* · *1 person* waiting"
    assert line in globex_home
    for user in MENTORS["T1"] + MENTEES["T1"] + MENTORS["T3"] + MENTEES["T3"]:
        assert user not in globex_home
