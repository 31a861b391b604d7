"""Goals, reflections and the App Home, through signed requests and the fake Slack.

A mentee sets goals from the introduction, both partners move them along from the Home tab,
reflections stay with their author unless shared, and crafted IDs reveal nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from bot.model.journal import Goal, GoalStatus, Milestone, Reflection, Visibility
from bot.model.partnership import Partnership
from bot.model.sessions import SessionLog, SessionOutcome
from storage import SqlUnitOfWork
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import buttons, click, matched_pair, schedule
from tests.support.fake_slack import validate_view
from tests.support.signed import Reply

MENTOR, MENTEE, STRANGER = "UMENTOR1", "UMENTEE1", "UCOORD1"


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    bot.fake.add_user(MENTOR, real_name="Maria Mentor", tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, real_name="Ada Mentee", tz="Europe/London")
    bot.fake.add_user(STRANGER, real_name="Cora Coordinator", tz="Europe/London")
    return bot, matched_pair(bot, MENTOR, MENTEE)


# -- helpers: what people see and do ---------------------------------------------------------


def home(bot: RunningBot, user: str) -> dict[str, Any]:
    view = bot.fake.home_view(user)
    assert view is not None, f"no Home tab published for {user}"
    return view


def open_home(bot: RunningBot, user: str) -> dict[str, Any]:
    assert bot.slack.event({"type": "app_home_opened", "user": user, "tab": "home"}).status == 200
    bot.settle()
    return home(bot, user)


def home_buttons(bot: RunningBot, user: str, action_id: str) -> list[str]:
    return buttons(home(bot, user), action_id)


def click_home(bot: RunningBot, user: str, action_id: str, value: str) -> Reply:
    reply = bot.slack.click(action_id, user=user, value=value, view=home(bot, user))
    bot.settle()
    return reply


def click_in(bot: RunningBot, user: str, view: dict[str, Any], action_id: str, value: str) -> Reply:
    """A click on a button inside a modal the bot opened."""
    reply = bot.slack.click(action_id, user=user, value=value, view=view)
    bot.settle()
    return reply


def command(bot: RunningBot, user: str, text: str) -> Reply:
    reply = bot.slack.command(text, user=user)
    assert reply.status == 200, reply.text
    bot.settle()
    return reply


def submit(bot: RunningBot, user: str, view: dict[str, Any], values: dict[str, Any]) -> Reply:
    reply = bot.slack.submit(view, user=user, values=values)
    bot.settle()
    return reply


def said(bot: RunningBot) -> str:
    """The last ephemeral answer the bot gave on a response URL."""
    return str(bot.fake.last("response_url").params.get("text", ""))


def opened_views(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        c.params["view"] for c in bot.fake.calls if c.method in ("views.open", "views.push")
    ] + [c.params["view"] for c in bot.fake.calls if c.method == "views.update"]


def set_goals(bot: RunningBot, intro: dict[str, Any], goals: dict[str, str]) -> Reply:
    bot.slack.click(
        "open_goals",
        user=MENTEE,
        value=buttons(intro, "open_goals")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    return submit(bot, MENTEE, bot.view_opened("journal_goals"), goals)


def reflect(bot: RunningBot, user: str, *, topics: str, shared: bool = False) -> Reply:
    command(bot, user, "reflect")
    view = bot.view_opened("journal_reflect")
    return submit(
        bot,
        user,
        view,
        {
            "topics": topics,
            "learned": "",
            "next_steps": "",
            "visibility": "shared" if shared else "private",
        },
    )


def reflection_ids(bot: RunningBot, user: str) -> dict[str, str]:
    """The reflections ``user`` can list ("See all"), as {text snippet: id}."""
    click_home(bot, user, "see_all_reflections", home_buttons(bot, user, "see_all_reflections")[0])
    listing = bot.view_opened("journal_list")
    found = {}
    for block in listing["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == "reflection_open":
            found[block["text"]["text"].split("\n", 1)[1]] = accessory["value"]
    return found


# -- goals -----------------------------------------------------------------------------------


def test_the_mentee_sets_goals_and_both_partners_move_them_along_from_home(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    # The introduction has a kickoff button; the mentor is told goals are the mentee's to set.
    bot.slack.click(
        "open_goals",
        user=MENTOR,
        value=buttons(intro, "open_goals")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    assert "Goals are <@UMENTEE1>'s to set" in said(bot)

    # An empty form is refused on the field, nothing is saved.
    bot.slack.click(
        "open_goals",
        user=MENTEE,
        value=buttons(intro, "open_goals")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    empty = submit(bot, MENTEE, bot.view_opened("journal_goals"), {})
    assert empty.json()["errors"] == {"goal_1": "Write at least one goal for the year."}

    saved = set_goals(
        bot,
        intro,
        {"goal_1": "Lead next year's planning", "goal_3": "Speak at an all-hands <!channel>"},
    )
    assert saved.json()["response_action"] == "update"
    assert "Saved your 2 goals" in str(saved.json()["view"])

    # Both Home tabs were republished with the goals, mentions in them defused.
    for person in (MENTOR, MENTEE):
        shown = str(home(bot, person)["blocks"])
        assert "1. Lead next year's planning" in shown
        assert "2. Speak at an all-hands &lt;!channel&gt;" in shown
        assert "Not started" in shown
    first_goal = home_buttons(bot, MENTOR, "goal_status_in_progress")[0]

    # The mentor marks progress from their Home tab; the mentee's Home shows it too.
    click_home(bot, MENTOR, "goal_status_in_progress", first_goal)
    assert ":large_blue_circle: *1. Lead next year's planning* · _In progress_" in str(
        home(bot, MENTEE)["blocks"]
    )
    # The mentee adds a note.
    click_home(bot, MENTEE, "goal_note", first_goal)
    note_view = bot.view_opened("journal_goal_note")
    submit(bot, MENTEE, note_view, {"note": "Drafted the roadmap with my team"})
    assert "> Drafted the roadmap with my team" in str(home(bot, MENTOR)["blocks"])

    # Rewriting the list keeps each goal's status and note; clearing a field removes it.
    command(bot, MENTEE, "goals")
    again = bot.view_opened("journal_goals")
    assert again["blocks"][1]["element"]["initial_value"] == "Lead next year's planning"
    submit(bot, MENTEE, again, {"goal_1": "Lead next year's planning well", "goal_2": ""})
    shown = str(home(bot, MENTEE)["blocks"])
    assert "1. Lead next year's planning well* · _In progress_" in shown
    assert "Drafted the roadmap" in shown
    assert "all-hands" not in shown

    # Done is celebrated with both, once, even if it is undone and done again.
    click_home(bot, MENTEE, "goal_status_done", first_goal)
    click_home(bot, MENTEE, "goal_status_in_progress", first_goal)
    click_home(bot, MENTEE, "goal_status_done", first_goal)
    for person in (MENTOR, MENTEE):
        celebrations = [m for m in bot.fake.messages(person) if "goal reached" in m["text"]]
        assert len(celebrations) == 1, person
        assert "Lead next year's planning well" in celebrations[0]["text"]
    assert "Recent milestones" in str(home(bot, MENTOR)["blocks"])


def test_a_crafted_goal_id_changes_nothing_for_someone_outside_the_pair(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    set_goals(bot, intro, {"goal_1": "Negotiate my raise"})
    goal = home_buttons(bot, MENTEE, "goal_status_done")[0]
    bot.slack.click("goal_status_done", user=STRANGER, value=goal)
    bot.settle()
    assert said(bot) == "I can't find that goal."
    assert "Not started" in str(open_home(bot, MENTEE)["blocks"])
    bot.slack.click("goal_note", user=STRANGER, value=goal)
    bot.settle()
    assert said(bot) == "I can't find that goal."
    assert not any("Negotiate" in json.dumps(v) for v in opened_views(bot) if v)


# -- reflections -----------------------------------------------------------------------------


def test_a_reflection_stays_private_and_a_shared_one_reaches_the_partner_only(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reply = reflect(bot, MENTEE, topics="Private: my salary worries")
    assert "Private: only you can read it." in str(reply.json()["view"])
    reflect(bot, MENTEE, topics="Shared: how to run a good one-to-one", shared=True)
    reflect(bot, MENTOR, topics="Mentor's own: listen more than I talk")

    mentee_home = str(open_home(bot, MENTEE)["blocks"])
    assert "salary worries" in mentee_home and "one-to-one" in mentee_home
    assert "listen more" not in mentee_home  # the mentor's private one
    mentor_home = str(open_home(bot, MENTOR)["blocks"])
    assert "salary" not in mentor_home and "one-to-one" not in mentor_home  # own ones only
    assert "listen more" in mentor_home

    # The mentor's "See all" lists their own and what the mentee shared, never the private one.
    seen_by_mentor = reflection_ids(bot, MENTOR)
    assert any("one-to-one" in text for text in seen_by_mentor)
    assert not any("salary" in text for text in seen_by_mentor)
    shared_id = next(v for k, v in seen_by_mentor.items() if "one-to-one" in k)
    listing = bot.view_opened("journal_list")
    click_in(bot, MENTOR, listing | {"id": "VLIST"}, "reflection_open", shared_id)
    pushed = bot.fake.last("views.push").params["view"]
    assert "how to run a good one-to-one" in json.dumps(pushed)
    assert "Written and shared with you by <@UMENTEE1>" in json.dumps(pushed)
    assert not buttons(pushed, "reflection_edit")  # only the author edits

    # Nobody outside the pair reads even the shared one; a stranger sees the same "not found"
    # as for an ID that does not exist.
    bot.slack.click("reflection_open", user=STRANGER, value=shared_id)
    bot.settle()
    assert said(bot) == "I can't find that reflection."
    bot.slack.click("reflection_open", user=STRANGER, value="999999")
    bot.settle()
    assert said(bot) == "I can't find that reflection."


def test_a_crafted_reflection_id_reveals_nothing(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reflect(bot, MENTEE, topics="Private: thinking of leaving the company")
    private_id = next(iter(reflection_ids(bot, MENTEE).values()))
    calls_before = len(bot.fake.calls)

    # The mentor crafts button values carrying the mentee's private reflection ID.
    for action_id in ("reflection_open", "reflection_edit"):
        bot.slack.click(action_id, user=MENTOR, value=private_id)
        bot.settle()
        assert said(bot) == "I can't find that reflection."
    # From the Home tab (no response URL), the answer is a notice, still without the text.
    bot.slack.click("reflection_open", user=MENTOR, value=private_id, view=open_home(bot, MENTOR))
    bot.settle()
    notice = bot.fake.last("views.open").params["view"]
    assert "I can't find that reflection." in json.dumps(notice)
    # And a crafted edit form, submitted with the ID in its metadata, changes nothing.
    command(bot, MENTOR, "reflect")
    form = bot.view_opened("journal_reflect")
    meta = json.loads(form["private_metadata"])
    forged = form | {"private_metadata": json.dumps(meta | {"reflection_id": int(private_id)})}
    reply = submit(
        bot,
        MENTOR,
        forged,
        {"topics": "overwritten", "learned": "", "next_steps": "", "visibility": "shared"},
    )
    assert reply.json()["errors"] == {"topics": "I can't find that reflection."}

    leaked = [
        c
        for c in bot.fake.calls[calls_before:]
        if "leaving the company" in json.dumps(c.params)
        and not (c.method == "views.publish" and c.params["user_id"] == MENTEE)  # her own Home
    ]
    assert leaked == []
    assert "leaving the company" in str(open_home(bot, MENTEE)["blocks"])  # still there, unchanged
    assert "overwritten" not in str(home(bot, MENTEE)["blocks"])


def test_a_reflection_can_be_edited_and_keeps_its_place(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reflect(bot, MENTEE, topics="First thoughts")
    reflection_id = next(iter(reflection_ids(bot, MENTEE).values()))
    bot.slack.click("reflection_edit", user=MENTEE, value=reflection_id)
    bot.settle()
    form = bot.view_opened("journal_reflect")
    assert form["title"]["text"] == "Edit reflection"
    submit(
        bot,
        MENTEE,
        form,
        {"topics": "Second thoughts", "learned": "", "next_steps": "", "visibility": "private"},
    )
    ids = reflection_ids(bot, MENTEE)
    assert list(ids.values()) == [reflection_id]
    assert "Second thoughts" in next(iter(ids))


# -- the Home tab ------------------------------------------------------------------------------


def test_someone_without_a_partnership_is_shown_how_to_ask_or_offer(bot: RunningBot) -> None:
    bot.fake.add_user("UNEW1", tz="Europe/London")
    view = open_home(bot, "UNEW1")
    assert validate_view(view, surface="home") == []
    text = str(view["blocks"])
    assert "Ask for a mentor" in text and "Offer to mentor" in text
    assert {"open_ask", "open_offer"} <= {
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    }


def fill_history(bot: RunningBot, *, partnership_id: int, sessions: int) -> None:
    """A long year, written straight to the database: sessions held, reflections, milestones,
    and five goals with the longest texts and notes people can type."""
    start = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        for week in range(sessions):
            at = start - timedelta(weeks=week, hours=1)
            uow.sessions.add_log(
                SessionLog(
                    team_id=TEAM,
                    partnership_id=partnership_id,
                    occurrence_start=at,
                    outcome=SessionOutcome.MET,
                    answered_by=MENTEE,
                    answered_at=at,
                )
            )
            uow.journal.save_reflection(
                Reflection(
                    team_id=TEAM,
                    partnership_id=partnership_id,
                    author_id=MENTEE if week % 2 else MENTOR,
                    topics=f"Week {week}: " + "x" * 1990,
                    learned="y" * 2000,
                    next_steps="z" * 2000,
                    visibility=Visibility.SHARED if week % 3 else Visibility.PRIVATE,
                    created_at=at,
                )
            )
            uow.journal.add_milestone(
                Milestone(
                    team_id=TEAM,
                    partnership_id=partnership_id,
                    key=f"personal:{week}",
                    title="m" * 200,
                    achieved_at=at,
                    personal=True,
                    created_by=MENTEE,
                )
            )
        for n in range(1, 6):
            uow.journal.save_goal(
                Goal(
                    team_id=TEAM,
                    partnership_id=partnership_id,
                    text=f"{n}" + "g" * 299,
                    position=n,
                    status=GoalStatus.IN_PROGRESS,
                    note="n" * 1000,
                )
            )
        uow.commit()


@pytest.mark.parametrize("sessions", [0, 1, 300])
def test_the_home_tab_is_valid_block_kit_however_long_the_history(pair, sessions: int) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    fill_history(bot, partnership_id=1, sessions=sessions)
    for person in (MENTOR, MENTEE):
        view = open_home(bot, person)
        assert validate_view(view, surface="home") == []
        assert len(view["blocks"]) <= 100
        assert bot.fake.last("views.publish").outcome == "ok"
        text = json.dumps(view["blocks"], ensure_ascii=False)
        assert "Next session: <!date^" in text
        assert f"{sessions} session{'s' if sessions != 1 else ''} held" in text
        if sessions:
            assert f"current streak: {sessions} week" in text
            assert home_buttons(bot, person, "see_all_milestones")
        if sessions == 300:
            assert "… and 297 more" in text  # newest first, the rest behind "See all"
    # "See all" pages through 300 reflections, 20 at a time, within a modal's limits.
    if sessions == 300:
        click_home(
            bot, MENTEE, "see_all_reflections", home_buttons(bot, MENTEE, "see_all_reflections")[0]
        )
        listing = bot.view_opened("journal_list")
        assert validate_view(listing, surface="modal") == []
        assert "Reflections 1-20 of 250" in json.dumps(listing)  # her 150 + 100 shared to her
        older = buttons(listing, "journal_older")[0]
        click_in(bot, MENTEE, bot.fake.modals("journal_list")[-1], "journal_older", older)
        updated = bot.fake.last("views.update")
        assert updated.outcome == "ok"
        assert "Reflections 21-40 of 250" in json.dumps(updated.params["view"])


def test_a_mentor_with_many_partnerships_still_gets_a_valid_home_tab(bot: RunningBot) -> None:
    bot.fake.add_user(MENTOR, tz="Europe/Berlin")
    now = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        for n in range(12):
            mentee = f"UMENTEE{n:02d}"
            bot.fake.add_user(mentee, tz="Europe/London")
            p = uow.partnerships.save(
                Partnership(
                    team_id=TEAM,
                    mentor_id=MENTOR,
                    mentee_id=mentee,
                    request_id=None,
                    started_at=now - timedelta(days=n),
                    ends_at=now + timedelta(days=300),
                )
            )
            assert p.id is not None
            for g in range(5):
                uow.journal.save_goal(
                    Goal(team_id=TEAM, partnership_id=p.id, text="g" * 300, position=g)
                )
        uow.commit()
    view = open_home(bot, MENTOR)
    assert validate_view(view, surface="home") == []
    assert len(view["blocks"]) <= 100
    assert "more partnerships" in json.dumps(view["blocks"], ensure_ascii=False)


# -- milestones and celebrations -------------------------------------------------------------


def celebrations(bot: RunningBot, person: str) -> list[str]:
    return [
        m["text"] for m in bot.fake.messages(person) if "logs your own" in json.dumps(m["blocks"])
    ]


def meet(bot: RunningBot, person: str) -> dict[str, Any]:
    """``person`` answers "We met" on their latest "did you meet?"; returns it as it reads now."""
    check = next(m for m in reversed(bot.fake.messages(person)) if "Did you meet" in m["text"])
    click(bot, person, check, "session_met")
    return next(m for m in bot.fake.messages(person) if m["ts"] == check["ts"])


def test_milestones_fire_once_at_the_right_sessions_and_dates(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")  # Mar 3, 10, 17, 24, 31 (London)
    bot.tick(timedelta(days=1, hours=1, minutes=5))  # Tuesday Mar 3, 16:05 UTC
    reached: dict[int, list[str]] = {}
    for week in range(1, 6):
        before = len(celebrations(bot, MENTEE))
        if week == 5:  # 16:05 UTC is 18:05 in Berlin since the clocks changed: the mentor's
            bot.tick(timedelta(hours=16))  # "did you meet?" waits for the morning there
        mentors_check = next(
            m for m in reversed(bot.fake.messages(MENTOR)) if "Did you meet" in m["text"]
        )
        answered = meet(bot, MENTEE)
        if week == 1:  # the answered check offers "Log a reflection" for that session
            assert buttons(answered, "open_reflect") == ["1:20260303T1500Z"]
        # both Home tabs were republished with the count, without anyone opening them
        assert f"{week} session{'s' if week > 1 else ''} held" in json.dumps(home(bot, MENTOR))
        click(bot, MENTOR, mentors_check, "session_met")  # the partner's click counts no twice
        bot.tick()
        reached[week] = celebrations(bot, MENTEE)[before:]
        if week < 5:
            bot.tick(timedelta(days=7))
    assert reached == {
        1: [reached[1][0]],
        2: [],
        3: [],
        4: [reached[4][0]],
        5: [reached[5][0]],
    }
    assert "Your first session together" in reached[1][0]
    assert "4 weekly sessions in a row" in reached[4][0]
    assert "5 sessions together" in reached[5][0]
    assert len(celebrations(bot, MENTOR)) == 3
    # Each celebration is worded differently from the one before it, for each person.
    for person in (MENTOR, MENTEE):
        openings = [text.split(" ", 1)[0] for text in celebrations(bot, person)]
        assert all(a != b for a, b in pairwise(openings)), openings

    # Dates: one month together, at the day and hour the partnership began (Mar 2 15:00 UTC).
    bot.clock.set(datetime(2026, 4, 2, 14, 59, tzinfo=UTC))
    bot.tick()
    assert not any("month" in t for t in celebrations(bot, MENTEE))
    bot.tick(timedelta(minutes=1))
    bot.tick(timedelta(hours=1))
    months = [t for t in celebrations(bot, MENTEE) if "month" in t]
    assert len(months) == 1 and "One month together" in months[0]
    assert len([t for t in celebrations(bot, MENTOR) if "month" in t]) == 1
    assert "one month together" in json.dumps(home(bot, MENTOR))  # republished after it
    # And the Home tab lists them, newest first.
    shown = json.dumps(open_home(bot, MENTEE)["blocks"])
    assert shown.index("one month together") < shown.index("5 sessions together")


def test_a_reflection_can_be_logged_from_the_we_met_message(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    bot.tick(timedelta(days=1, hours=1, minutes=5))
    answered = meet(bot, MENTOR)
    click(bot, MENTOR, answered, "open_reflect")
    form = bot.view_opened("journal_reflect")
    assert json.loads(form["private_metadata"])["session"] == "2026-03-03T15:00:00+00:00"
    submit(
        bot,
        MENTOR,
        form,
        {
            "topics": "Her first team meeting",
            "learned": "Ask before advising",
            "next_steps": "",
            "visibility": "private",
        },
    )
    assert "Her first team meeting" in json.dumps(open_home(bot, MENTOR)["blocks"])


def test_the_channel_shout_out_needs_both_partners_to_opt_in(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    channel = "C0PROGRAM"
    home_text = json.dumps(open_home(bot, MENTEE)["blocks"])
    assert "Celebrate in <#C0PROGRAM>:* off" in home_text  # off by default
    command(bot, MENTEE, "shoutouts on")
    assert "once your partner turns this on too" in said(bot)
    command(bot, MENTEE, "milestone Got the promotion")
    assert "I've told you both" in said(bot)
    assert any("Got the promotion" in t for t in celebrations(bot, MENTOR))
    assert bot.fake.messages(channel) == []

    # The mentor opts in from the Home tab.
    click_home(bot, MENTOR, "shout_outs", home_buttons(bot, MENTOR, "shout_outs")[0])
    assert "Celebrate in <#C0PROGRAM>:* on" in json.dumps(home(bot, MENTOR)["blocks"])
    command(bot, MENTOR, "milestone Presented to the board")
    [shout] = bot.fake.messages(channel)
    assert "<@UMENTEE1> and <@UMENTOR1>, a personal milestone!" in shout["text"]
    assert "board" not in json.dumps(shout)  # never what they wrote

    # Either one turning it off stops it.
    command(bot, MENTEE, "shoutouts off")
    command(bot, MENTEE, "milestone Ran my first offsite")
    assert len(bot.fake.messages(channel)) == 1


# -- your data -------------------------------------------------------------------------------


def test_export_delivers_a_markdown_file_with_the_users_own_content_only(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    set_goals(bot, intro, {"goal_1": "Lead next year's planning"})
    reflect(bot, MENTEE, topics="Mentee private: salary worries")
    reflect(bot, MENTEE, topics="Mentee shared: one-to-ones", shared=True)
    reflect(bot, MENTOR, topics="Mentor shared: listen more", shared=True)
    command(bot, MENTEE, "milestone Got the promotion")

    command(bot, MENTEE, "export")
    assert "I've sent your journal to our DM" in said(bot)
    upload = bot.fake.uploads[-1]
    assert upload.channel == bot.fake.dm_channel(MENTEE)
    assert upload.filename == "mentoring-journal.md"
    mentee_file = upload.content.decode()
    assert mentee_file.startswith("# Mentoring journal of Ada Mentee")
    assert "## With Maria Mentor (you are the mentee)" in mentee_file
    assert "1. Lead next year's planning (not started)" in mentee_file
    assert "Got the promotion" in mentee_file
    assert "> Mentee private: salary worries" in mentee_file
    assert "> Mentee shared: one-to-ones" in mentee_file
    assert "listen more" not in mentee_file  # the partner's, even shared, is theirs

    # The mentor's export, from the Home tab button, holds none of the mentee's reflections.
    click_home(bot, MENTOR, "journal_export", "")
    mentor_file = bot.fake.uploads[-1].content.decode()
    assert bot.fake.uploads[-1].channel == bot.fake.dm_channel(MENTOR)
    assert "> Mentor shared: listen more" in mentor_file
    assert "Lead next year's planning" in mentor_file
    assert "salary" not in mentor_file and "one-to-ones" not in mentor_file

    # Someone with no partnership gets a file that says so, and nothing of anyone else's.
    command(bot, STRANGER, "export")
    stranger_file = bot.fake.uploads[-1].content.decode()
    assert "Nothing here yet" in stranger_file
    assert "salary" not in stranger_file and "listen" not in stranger_file
