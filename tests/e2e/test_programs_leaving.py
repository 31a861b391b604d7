"""A workspace leaving a program shared across companies, through the signed edge, with three
workspaces installed by OAuth: Acme (T1) hosts "Cross-company", Globex (T2) and Initech (T3)
joined it with codes. Globex's people are in partnerships with Acme's (built through the
repositories until matching across workspaces lands) when Globex leaves, is removed, or
uninstalls Mentorbot: each pair across the boundary ends kindly, the partner who stays is
told in their own Slack and (a mentee) offered new mentors, never the one who left; Globex's
people leave the pool at once and their data in Acme's program goes after the retention
period (at once on uninstall); a retried event or a second click does nothing twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.model.journal import Goal, Reflection
from bot.model.partnership import (
    MentorProfile,
    MentorRequest,
    Partnership,
    RequestStatus,
)
from handlers.coordination.listeners import REFUSAL
from storage import SqlUnitOfWork
from tests.conftest import RunningBot
from tests.e2e.journeys import buttons
from tests.e2e.test_programs_sharing import (  # noqa: F401  (fixtures)
    command,
    join,
    members,
    settings_overrides,
    share,
    shared,
    table,
    texts,
)
from tests.support.oauth import as_team

RETENTION_DAYS = 30
LEFT = "their company left the program"
PEOPLE = {
    "UMENTEE1": ("T1", "Europe/London"),  # Acme's mentee, with Globex's mentor
    # Initech's mentor: the new suggestion (in a shared program the company is the
    # workspace, so an Acme mentee who wants another company never gets an Acme mentor)
    "UMENTOR1": ("T3", "Europe/London"),
    "UMENTOR1B": ("T1", "Europe/London"),  # Acme's mentor, with Globex's mentee
    "UMENTOR2": ("T2", "Europe/Paris"),
    "UMENTEE2": ("T2", "Europe/Paris"),
    "UASKER2": ("T2", "Europe/Paris"),  # Globex, still choosing a mentor
}


def program_id(bot: RunningBot) -> int:
    (found,) = table(bot, "SELECT id FROM programs WHERE team_id = 'T1'")
    return int(found[0])


def profile(team: str, user: str, pid: int, *, org: str, host: str | None = None) -> MentorProfile:
    return MentorProfile(
        team_id=team,
        user_id=user,
        expertise=["leadership"],
        bio=f"{user} has led teams",
        organization=org,
        capacity=2,
        languages=["en"],
        tz=PEOPLE[user][1],
        program_id=pid,
        host_team_id=host,
    )


def request(
    team: str, user: str, pid: int, *, org: str, host: str | None = None, status: RequestStatus
) -> MentorRequest:
    return MentorRequest(
        team_id=team,
        mentee_id=user,
        goals="grow as a leader",
        focus_areas=["leadership"],
        organization=org,
        wants_other_org=True,
        tz=PEOPLE[user][1],
        status=status,
        program_id=pid,
        host_team_id=host,
    )


@pytest.fixture
def crossed(shared: RunningBot) -> RunningBot:  # noqa: F811
    """Globex and Initech joined; two partnerships across Acme and Globex, with a goal and
    each partner's reflection, and a Globex mentee still choosing."""
    bot = shared
    for team in ("T2", "T3"):
        code, _ = share(bot)
        assert join(bot, team, code)["response_action"] == "update"
    for user, (team, tz) in PEOPLE.items():
        bot.fake.add_user(user, team_id=team, tz=tz)
    pid = program_id(bot)
    now = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        uow.mentors.save(profile("T3", "UMENTOR1", pid, org="Initech", host="T1"))
        uow.mentors.save(profile("T1", "UMENTOR1B", pid, org="Hooli"))
        uow.mentors.save(profile("T2", "UMENTOR2", pid, org="Globex", host="T1"))
        first = uow.requests.save(
            request("T1", "UMENTEE1", pid, org="Acme", status=RequestStatus.MATCHED)
        )
        second = uow.requests.save(
            request("T2", "UMENTEE2", pid, org="Globex", host="T1", status=RequestStatus.MATCHED)
        )
        uow.requests.save(
            request("T2", "UASKER2", pid, org="Globex", host="T1", status=RequestStatus.MATCHING)
        )
        for mentor, mentee, (mentor_team, mentee_team), req in (
            ("UMENTOR2", "UMENTEE1", ("T2", "T1"), first),
            ("UMENTOR1B", "UMENTEE2", ("T1", "T2"), second),
        ):
            pair = uow.partnerships.save(
                Partnership(
                    team_id="T1",
                    mentor_id=mentor,
                    mentee_id=mentee,
                    request_id=req.id,
                    started_at=now,
                    ends_at=now + timedelta(days=180),
                    program_id=pid,
                    mentor_team_id=mentor_team,
                    mentee_team_id=mentee_team,
                )
            )
            assert pair.id is not None
            uow.journal.save_goal(
                Goal(team_id="T1", partnership_id=pair.id, text="Lead the offsite", position=1)
            )
            for author, team in ((mentor, mentor_team), (mentee, mentee_team)):
                uow.journal.save_reflection(
                    Reflection(
                        team_id=team,
                        partnership_id=pair.id,
                        author_id=author,
                        topics=f"what {author} took away",
                        learned="",
                        next_steps="",
                        created_at=now,
                    )
                )
        uow.commit()
    return bot


def dms_in(bot: RunningBot, team: str, user: str) -> list[str]:
    """The text of every DM the bot delivered to ``user`` with ``team``'s token."""
    token = bot.fake.bot_token(team)
    return [
        c.params.get("text", "") + " " + str(c.params.get("blocks", ""))
        for c in bot.fake.delivered("chat.postMessage")
        if c.params.get("channel") == user and c.token == token
    ]


def leave(bot: RunningBot, *, user: str = "UCOORD2", pairs: int = 2) -> dict[str, Any]:
    """Globex's coordinator asks to leave, then confirms with the button."""
    asked = command(bot, "T2", "program leave cross-company", user=user)
    assert asked["response_type"] == "ephemeral"
    assert "Leave *Cross-company*, run by Acme?" in texts(asked)
    assert f"{pairs} partnerships with your people will end kindly" in texts(asked)
    (value,) = buttons(asked, "program_leave")
    button = asked["blocks"][-1]["elements"][0]
    assert button["confirm"]["confirm"]["text"] == "Leave"
    clicked = as_team(bot, "T2").click("program_leave", user=user, value=value)
    assert clicked.status == 200
    bot.settle()
    return dict(bot.fake.last("response_url").params) | {"value": value}


def assert_left_kindly(bot: RunningBot, *, at_once: bool = False) -> None:
    """Both pairs ended without blame; each partner who stays was told in Acme's Slack and
    the mentee offered Initech's mentor, never Globex's."""
    bot.tick(timedelta(minutes=1))
    ended = table(bot, "SELECT status, end_reason FROM partnerships ORDER BY id")
    assert ended == [("ended", LEFT), ("ended", LEFT)]
    mentee = dms_in(bot, "T1", "UMENTEE1")
    assert any("your mentor's company, Globex, has left the program" in m for m in mentee)
    suggestions = [m for m in mentee if "UMENTOR1" in m]
    assert suggestions and not any("UMENTOR2" in m for m in suggestions)
    mentor = dms_in(bot, "T1", "UMENTOR1B")
    assert any("your mentee's company, Globex, has left the program" in m for m in mentor)
    # nothing of this went to Globex's people, nor through Globex's token to Acme's
    assert not dms_in(bot, "T2", "UMENTEE1") and not dms_in(bot, "T2", "UMENTOR1B")
    assert not dms_in(bot, "T1", "UMENTOR2") and not dms_in(bot, "T1", "UMENTEE2")
    # Globex's people are out of the pool and their open request cancelled, at once
    assert table(bot, "SELECT user_id FROM mentor_profiles WHERE team_id = 'T2'") == []
    asked = table(bot, "SELECT status FROM mentor_requests WHERE mentee_id = 'UASKER2'")
    assert asked == ([] if at_once else [("cancelled",)])
    # the one who stays lost nothing: their reflection is theirs
    assert table(bot, "SELECT author_id FROM reflections WHERE team_id = 'T1' ORDER BY id") == [
        ("UMENTEE1",),
        ("UMENTOR1B",),
    ]


def globex_gone(bot: RunningBot) -> None:
    """Nothing of Globex's people is left in Acme's program: the rows the program counts
    stay, under a placeholder; what was theirs or hung off their pairs is deleted."""
    pairs = table(bot, "SELECT mentor_id, mentee_id FROM partnerships ORDER BY id")
    assert pairs[0][0].startswith("erased-") and pairs[0][1] == "UMENTEE1"
    assert pairs[1][0] == "UMENTOR1B" and pairs[1][1].startswith("erased-")
    assert table(bot, "SELECT author_id FROM reflections WHERE team_id = 'T2'") == []
    assert table(bot, "SELECT count(*) FROM goals") == [(0,)]
    for user in ("UMENTOR2", "UMENTEE2", "UASKER2"):
        for name in ("partnerships", "match_proposals", "mentor_requests", "reflections"):
            assert user not in str(table(bot, f"SELECT * FROM {name}")), (user, name)
    assert table(bot, "SELECT author_id FROM reflections ORDER BY id") == [
        ("UMENTEE1",),
        ("UMENTOR1B",),
    ]


def told(bot: RunningBot) -> list[int]:
    """How many times each partner who stays was told, in Acme's Slack."""
    bot.tick(timedelta(minutes=1))
    return [
        sum("company, Globex, has left the program" in m for m in dms_in(bot, "T1", user))
        for user in ("UMENTEE1", "UMENTOR1B")
    ]


def test_a_member_coordinator_leaves_mid_partnership(crossed: RunningBot) -> None:
    bot = crossed

    done = leave(bot)

    assert done["replace_original"] is True
    assert (
        "Your workspace has left *Cross-company*, run by Acme. 2 partnerships ended"
        in (done["text"])
    )
    assert_left_kindly(bot)
    assert told(bot) == [1, 1]
    assert table(bot, "SELECT team_id, status FROM program_memberships ORDER BY id") == [
        ("T2", "removed"),
        ("T3", "active"),
    ]
    # the coordinators of both sides were told, each in their own Slack
    assert any("Globex left *Cross-company*" in m for m in dms_in(bot, "T1", "UCOORD1"))
    assert any(
        "Your workspace left *Cross-company*, run by Acme" in m
        for m in dms_in(bot, "T2", "UCOORD2")
    )
    audit = table(bot, "SELECT team_id, action FROM audit_events ORDER BY id")
    assert ("T2", "program.left") in audit and ("T1", "program.member_left") in audit

    # a second click (or Slack retrying it) does nothing twice
    as_team(bot, "T2").click("program_leave", user="UCOORD2", value=done["value"])
    bot.settle()
    assert "no longer in that program" in bot.fake.last("response_url").params["text"]
    assert told(bot) == [1, 1]

    # the data waits out the retention period (Globex may come back), then goes
    bot.tick(timedelta(days=RETENTION_DAYS - 1))
    assert "UMENTOR2" in str(table(bot, "SELECT mentor_id FROM partnerships"))
    bot.tick(timedelta(days=1, minutes=1))
    globex_gone(bot)
    assert ("T1", "program.member_data_erased") in table(
        bot, "SELECT team_id, action FROM audit_events"
    )


def test_the_host_removes_a_member_mid_partnership(crossed: RunningBot) -> None:
    bot = crossed
    listed = members(bot)
    remove = next(
        b["accessory"]["value"]
        for b in listed["blocks"]
        if "accessory" in b and "Globex" in b["text"]["text"]
    )

    assert as_team(bot, "T1").click("program_member_remove", user="UCOORD1", value=remove)
    bot.settle()

    assert "Globex: removed" in texts(bot.fake.last("response_url").params)
    assert_left_kindly(bot)
    assert any(
        "Acme removed your workspace from *Cross-company*" in m
        for m in dms_in(bot, "T2", "UCOORD2")
    )
    # clicking Remove again changes nothing
    as_team(bot, "T1").click("program_member_remove", user="UCOORD1", value=remove)
    bot.settle()
    assert told(bot) == [1, 1]
    bot.tick(timedelta(days=RETENTION_DAYS, minutes=1))
    globex_gone(bot)


def test_joining_again_within_the_retention_period_keeps_the_data(crossed: RunningBot) -> None:
    bot = crossed
    leave(bot)
    code, _ = share(bot)
    assert join(bot, "T2", code)["response_action"] == "update"

    bot.tick(timedelta(days=RETENTION_DAYS, minutes=1))

    assert "UMENTOR2" in str(table(bot, "SELECT mentor_id FROM partnerships"))
    kept = sorted(table(bot, "SELECT author_id FROM reflections WHERE team_id = 'T2'"))
    assert kept == [("UMENTEE2",), ("UMENTOR2",)]
    assert any("Globex joined *Cross-company*" in m for m in dms_in(bot, "T1", "UCOORD1"))


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
def test_a_member_uninstalling_mid_partnership_leaves_at_once(
    crossed: RunningBot, event: str
) -> None:
    bot = crossed
    more: dict[str, Any] = (
        {"tokens": {"oauth": [], "bot": ["UBOT"]}} if event != "app_uninstalled" else {}
    )
    bot.fake.uninstall("T2")
    for _ in range(2):  # Slack retries, and sends both events for one uninstall
        reply = as_team(bot, "T2").event({"type": event, **more})
        assert reply.status == 200, reply.text
    bot.settle()

    assert_left_kindly(bot, at_once=True)
    assert told(bot) == [1, 1]
    assert any(
        "Globex removed Mentorbot and left *Cross-company*" in m
        for m in dms_in(bot, "T1", "UCOORD1")
    )
    globex_gone(bot)  # at once: the job was due when the app went


def test_a_non_coordinator_leaving_is_refused_and_nothing_changes(crossed: RunningBot) -> None:
    bot = crossed
    before = table(bot, "SELECT * FROM partnerships") + table(bot, "SELECT * FROM mentor_profiles")

    told = command(bot, "T2", "program leave Cross-company", user="UPLAIN2")

    assert REFUSAL in told["text"]
    assert told["response_type"] == "ephemeral"
    # the button replayed by someone who is not a coordinator is refused too
    clicked = as_team(bot, "T2").click("program_leave", user="UPLAIN2", value="1")
    assert clicked.status == 200
    bot.settle()
    assert "for your workspace's coordinators" in bot.fake.last("response_url").params["text"]
    after = table(bot, "SELECT * FROM partnerships") + table(bot, "SELECT * FROM mentor_profiles")
    assert after == before


@pytest.mark.parametrize(
    ("team", "name", "says"),
    [
        ("T2", "Nope", "isn't in a program called Nope"),
        ("T1", "Cross-company", "isn't in a program called Cross-company"),  # the host
        ("T2", "", "program leave <name>"),
    ],
)
def test_leaving_a_program_you_are_not_in_gets_a_clear_answer(
    crossed: RunningBot, team: str, name: str, says: str
) -> None:
    told = command(crossed, team, f"program leave {name}".strip())
    assert says in told["text"]
    assert "Traceback" not in str(told)
    assert table(crossed, "SELECT status FROM program_memberships") == [
        ("active",),
        ("active",),
    ]


# -- one person of a member workspace erased -------------------------------------------------


def test_erasing_a_globex_person_removes_their_rows_in_acmes_program(crossed: RunningBot) -> None:
    """Globex's coordinator erases their mentor: the partnership in Acme's program ends, its
    row stays under a placeholder, what hung off it goes, Acme's mentee is told in Acme's Slack
    and offered other mentors; Globex's other people and Acme's are untouched."""
    bot = crossed

    assert command(bot, "T2", "erase <@UMENTOR2|bo>") == {}
    view = bot.view_opened("erase_person")
    reply = as_team(bot, "T2").submit(view, user="UCOORD2", values={})
    assert reply.status == 200, reply.text
    bot.settle()
    bot.tick(timedelta(minutes=1))

    pairs = table(bot, "SELECT team_id, mentor_id, mentee_id, status FROM partnerships ORDER BY id")
    assert pairs[0][0] == "T1" and pairs[0][1].startswith("erased-")
    assert pairs[0][2:] == ("UMENTEE1", "ended")
    assert pairs[1] == ("T1", "UMENTOR1B", "UMENTEE2", "active")  # Globex's mentee stays
    for name in ("partnerships", "mentor_profiles", "reflections", "outgoing_messages"):
        assert "UMENTOR2" not in str(table(bot, f"SELECT * FROM {name}")), name
    assert table(bot, "SELECT partnership_id FROM goals ORDER BY id") == [(2,)]
    assert sorted(table(bot, "SELECT author_id FROM reflections")) == [
        ("UMENTEE1",),
        ("UMENTEE2",),
        ("UMENTOR1B",),
    ]
    mentee = dms_in(bot, "T1", "UMENTEE1")
    assert any("your mentor is no longer part of the program" in m for m in mentee)
    suggestions = [m for m in mentee if "UMENTOR1" in m]
    assert suggestions and not any("UMENTOR2" in m for m in suggestions)
    audit = table(bot, "SELECT team_id, action FROM audit_events WHERE action = 'person.erase'")
    assert audit == [("T2", "person.erase")]


def test_a_globex_persons_export_has_their_pairs_goals_in_acmes_program(
    crossed: RunningBot,
) -> None:
    """`/mentor export` in Globex: the pair's goals (kept by Acme's program) and only their
    own reflection, as a file in their DM with Globex's token."""
    bot = crossed
    uploads = len(bot.fake.uploads)

    reply = as_team(bot, "T2").command("export", user="UMENTEE2")
    assert reply.status == 200
    bot.settle()

    (upload,) = [u for u in bot.fake.uploads[uploads:] if u.filename == "mentoring-journal.md"]
    content = upload.content.decode()
    assert "Lead the offsite" in content
    assert "what UMENTEE2 took away" in content
    assert "what UMENTOR1B took away" not in content  # the partner's stays theirs


def test_a_third_companys_mentee_is_told_in_their_own_slack(crossed: RunningBot) -> None:
    """Initech's mentee had Globex's mentor: told with Initech's token, and their search
    starts again in Acme's program from their own workspace."""
    bot = crossed
    bot.fake.add_user("UMENTEE3", team_id="T3", tz="Europe/Berlin")
    pid, now = program_id(bot), bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        asked = uow.requests.save(
            MentorRequest(
                team_id="T3",
                mentee_id="UMENTEE3",
                goals="grow as a leader",
                focus_areas=["leadership"],
                organization="Initech",
                wants_other_org=True,
                tz="Europe/Berlin",
                status=RequestStatus.MATCHED,
                program_id=pid,
                host_team_id="T1",
            )
        )
        uow.partnerships.save(
            Partnership(
                team_id="T1",
                mentor_id="UMENTOR2",
                mentee_id="UMENTEE3",
                request_id=asked.id,
                started_at=now,
                ends_at=now + timedelta(days=180),
                program_id=pid,
                mentor_team_id="T2",
                mentee_team_id="T3",
            )
        )
        uow.commit()

    leave(bot, pairs=3)
    bot.tick(timedelta(minutes=1))

    told = dms_in(bot, "T3", "UMENTEE3")
    assert sum("your mentor's company, Globex, has left the program" in m for m in told) == 1
    assert not dms_in(bot, "T1", "UMENTEE3")
    again = table(
        bot,
        "SELECT team_id, host_team_id, program_id FROM mentor_requests "
        "WHERE mentee_id = 'UMENTEE3' ORDER BY id",
    )
    assert again == [("T3", "T1", pid), ("T3", "T1", pid)]  # the old one, and a new search


def test_the_news_waits_for_the_coordinators_working_hours(crossed: RunningBot) -> None:
    """Globex leaves at 22:00 in London: Acme's coordinator hears of it the next morning."""
    bot = crossed
    bot.clock.advance(timedelta(hours=7))  # Monday 22:00 UTC, 22:00 in London
    leave(bot)

    bot.tick(timedelta(minutes=5))
    assert not [m for m in dms_in(bot, "T1", "UCOORD1") if "Globex left" in m]
    bot.tick(timedelta(hours=12))  # Tuesday 10:05 in London
    assert [m for m in dms_in(bot, "T1", "UCOORD1") if "Globex left" in m]


def test_leaving_keeps_what_globex_people_have_in_globexs_own_program(
    crossed: RunningBot,
) -> None:
    """The erasure after leaving covers Acme's program only: a pair of Globex's own
    program, with its goal and reflection, is untouched."""
    bot = crossed
    now = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        own = uow.partnerships.save(
            Partnership(
                team_id="T2",
                mentor_id="UMENTOR2",
                mentee_id="UASKER2",
                request_id=None,
                started_at=now,
                ends_at=now + timedelta(days=180),
            )
        )
        assert own.id is not None
        uow.journal.save_goal(
            Goal(team_id="T2", partnership_id=own.id, text="Ship the roadmap", position=1)
        )
        uow.journal.save_reflection(
            Reflection(
                team_id="T2",
                partnership_id=own.id,
                author_id="UMENTOR2",
                topics="our own program",
                learned="",
                next_steps="",
                created_at=now,
            )
        )
        uow.commit()

    leave(bot)
    bot.tick(timedelta(days=RETENTION_DAYS, minutes=1))

    assert table(
        bot, f"SELECT team_id, mentor_id, mentee_id, status FROM partnerships WHERE id = {own.id}"
    ) == [("T2", "UMENTOR2", "UASKER2", "active")]
    assert table(bot, f"SELECT count(*) FROM goals WHERE partnership_id = {own.id}") == [(1,)]
    assert table(bot, f"SELECT author_id FROM reflections WHERE partnership_id = {own.id}") == [
        ("UMENTOR2",)
    ]
    # while everything of theirs in Acme's program went
    acme = table(bot, "SELECT mentor_id, mentee_id FROM partnerships WHERE team_id = 'T1'")
    assert "UMENTOR2" not in str(acme) and "UMENTEE2" not in str(acme)
