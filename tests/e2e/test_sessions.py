"""A pair sets its weekly session in plain words; time is stepped; reminders and "did you
meet?" arrive at the right local times, and the answers are recorded once for both."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.model.outbox import MessageStatus
from mentorbot.cli import main
from storage import SqlUnitOfWork
from storage.models.outbox import OutgoingMessageRow
from tests.conftest import RunningBot
from tests.e2e.journeys import buttons, click, dms, last_dm, matched_pair, schedule

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """These tests read each person's DMs in order: leave out the onboarding series."""
    return {"mentorbot_onboarding": False}


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, object]]:
    bot.fake.add_user(MENTOR, real_name="Maria Mentor", tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, real_name="Ada Mentee", tz="Europe/London")
    bot.fake.add_user("UCOORD1", tz="Europe/London")
    intro = matched_pair(bot, MENTOR, MENTEE)
    return bot, intro


def stamps(text: str) -> list[datetime]:
    """The instants inside Slack date tokens: what each reader sees in their own zone."""
    return [datetime.fromtimestamp(int(t), UTC) for t in re.findall(r"<!date\^(\d+)\^", text)]


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def last_session_dm(bot: RunningBot, user: str) -> dict[str, object]:
    """The latest DM about sessions: pulses and quiet-pair nudges (bot/rhythm.py) also arrive
    in these weeks-long steps, since these pairs never log a session."""
    rhythm = ("How is your mentoring partnership", "It's been ")
    return [m for m in dms(bot, user) if not str(m["text"]).startswith(rhythm)][-1]


def step_to(bot: RunningBot, when: datetime) -> None:
    bot.clock.set(when)
    bot.settle()
    bot.runtime.services.dispatcher.run_once(when)


def test_tuesdays_at_3pm_from_the_introduction_to_the_first_log(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    reply = schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    assert reply.status == 200
    confirmation = str(reply.json()["view"])
    assert "every Tuesday at 15:00 (Europe/London), 60 minutes" in confirmation

    # The mentor is told, with a way to propose another time.
    told = last_dm(bot, MENTOR)
    assert "<@UMENTEE1> set your mentoring session: every Tuesday at 15:00" in told["text"]
    assert buttons(told, "open_schedule")
    # The pair's conversation gets a calendar invite with the weekly rule and both of them.
    upload = bot.fake.uploads[-1]
    assert upload.channel is not None and upload.channel.startswith("G")
    ics = upload.content.decode()
    assert "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU" in ics
    assert "DTSTART;TZID=Europe/London:20260303T150000" in ics
    assert "BEGIN:VTIMEZONE" in ics
    assert ics.count("ATTENDEE") == 2 and "Ada Mentee" in ics and "Maria Mentor" in ics

    # Set on Monday 15:00, the day-before reminder is already past: only the 15-minute one.
    def about_sessions() -> int:  # the onboarding series (a welcome at 16:00) is not counted
        return sum(1 for m in dms(bot, MENTOR) if "Welcome to the mentoring" not in m["text"])

    before = about_sessions()
    step_to(bot, at(3, 14, 44))
    assert about_sessions() == before
    step_to(bot, at(3, 14, 45))
    for person in (MENTOR, MENTEE):
        reminder = last_dm(bot, person)
        assert "Your mentoring session with" in reminder["text"]
        assert stamps(reminder["text"]) == [at(3, 15)]  # each reader sees it in their own zone

    step_to(bot, at(3, 16))
    checks = {person: last_dm(bot, person) for person in (MENTOR, MENTEE)}
    for person, check in checks.items():
        assert check["text"].startswith("Did you meet")
        assert len(buttons(check, "session_met")) == 1, person

    click(bot, MENTEE, checks[MENTEE], "session_met")

    # The first answer counts for both: both messages now show it, buttons gone.
    def now_shown(person: str) -> dict[str, Any]:  # the check message as it reads now
        return next(m for m in dms(bot, person) if m["ts"] == checks[person]["ts"])

    for person in (MENTOR, MENTEE):
        shown = now_shown(person)
        assert "Met: recorded by <@UMENTEE1>" in shown["text"], person
        assert not buttons(shown, "session_met")
        assert buttons(shown, "open_reflect")  # and each can log a reflection from it
    assert "1 session together so far" in str(now_shown(MENTEE)["blocks"])
    # The mentor's click on the old buttons changes nothing: one log.
    click(bot, MENTOR, checks[MENTOR], "session_skipped")
    assert "Met: recorded by <@UMENTEE1>" in now_shown(MENTOR)["text"]
    assert bot.runtime.services.sessions.held("T0001", 1) == 1

    # The next week is planned at the end of this one: the day-before reminder on Monday.
    step_to(bot, at(9, 15))
    reminder = last_dm(bot, MENTOR)
    assert stamps(reminder["text"]) == [at(10, 15)]
    assert buttons(reminder, "session_skip") and buttons(reminder, "session_reschedule")


def test_the_slot_stays_at_3pm_local_across_daylight_saving(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    seen: list[datetime] = []
    when = at(3, 12)
    for _ in range(5):  # Mar 3, 10, 17, 24, 31: London moves to BST on Sunday Mar 29
        when += timedelta(days=7) if seen else timedelta(0)
        step_to(bot, when.replace(hour=16, minute=30))
        checks = [m for m in dms(bot, MENTEE) if m["text"].startswith("Did you meet")]
        assert len(checks) == len(seen) + 1
        seen += stamps(checks[-1]["text"])
    assert seen == [at(3, 15), at(10, 15), at(17, 15), at(24, 15), at(31, 14)]


def test_skip_a_week_by_button_and_pause_and_resume_by_command(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTOR, intro, when="every Thursday at 10:30")  # Berlin time
    step_to(bot, at(4, 9, 30))  # Wednesday: the day-before reminder for Thursday 09:30 UTC
    reminder = last_dm(bot, MENTEE)
    assert stamps(reminder["text"]) == [at(5, 9, 30)]
    click(bot, MENTEE, reminder, "session_skip")
    assert "Skipped this week's session" in bot.fake.last("response_url").params["text"]
    assert "skipped the session on" in last_dm(bot, MENTOR)["text"]
    step_to(bot, at(5, 12))
    assert not last_dm(bot, MENTEE)["text"].startswith("Did you meet")  # nothing for a skip

    reply = bot.slack.command("pause until 2026-03-25", user=MENTEE)
    assert reply.status == 200
    bot.settle()
    assert (
        "Sessions paused until Wednesday 25 March" in bot.fake.last("response_url").params["text"]
    )
    assert "paused your sessions until" in last_dm(bot, MENTOR)["text"]
    messages_before = len(bot.fake.delivered("chat.postMessage"))
    step_to(bot, at(20, 12))  # nothing during the pause
    assert len(bot.fake.delivered("chat.postMessage")) == messages_before
    bot.slack.command("resume", user=MENTOR)
    bot.settle()
    assert "Sessions resumed" in bot.fake.last("response_url").params["text"]
    assert "Next:" in bot.fake.last("response_url").params["text"]
    step_to(bot, at(25, 9, 30))
    assert stamps(last_dm(bot, MENTOR)["text"]) == [at(26, 9, 30)]


def test_an_unreadable_time_is_a_field_error_that_says_what_works(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    reply = schedule(bot, MENTEE, intro, when="whenever suits")
    assert reply.json()["response_action"] == "errors"
    assert '"Tuesdays at 3pm"' in reply.json()["errors"]["when"]
    reply = schedule(bot, MENTEE, intro, when="", day=None, at=None)
    assert "pick both a day and a time" in reply.json()["errors"]["when"]
    assert not bot.fake.uploads


def test_the_pickers_work_for_people_who_prefer_them(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    reply = schedule(bot, MENTOR, intro, day="2", at="12:00", repeat="2", minutes=45)
    assert "every other Wednesday at 12:00 (Europe/Berlin), 45 minutes" in str(reply.json())
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE" in bot.fake.uploads[-1].content.decode()


def test_reminders_can_be_turned_off_per_person(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Fridays 9am")
    bot.slack.command("reminders off", user=MENTOR)
    bot.settle()
    step_to(bot, at(6, 8, 45))
    assert "Your mentoring session" in last_dm(bot, MENTEE)["text"]
    assert "Your mentoring session" not in last_dm(bot, MENTOR)["text"]


def test_after_downtime_a_missed_reminder_is_dropped_not_sent_late(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    before = len(dms(bot, MENTEE))
    step_to(bot, at(3, 15, 30))  # the bot was down from 14:40 to 15:30
    assert len(dms(bot, MENTEE)) == before  # no "starts at 15:00" at 15:30
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        dropped = uow.session.query(OutgoingMessageRow).filter_by(status=MessageStatus.DROPPED)
        assert {row.kind for row in dropped} == {"session.reminder"}


def test_tick_now_from_the_command_line_delivers_what_is_due(  # type: ignore[no-untyped-def]
    pair, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.runtime.settings.database_url)
    monkeypatch.setenv("SLACK_API_URL", bot.fake.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    assert main(["tick", "--dry-run", "--now", "2026-03-03T14:45:00+00:00"]) == 0
    assert "2 due as of" in capsys.readouterr().out
    assert main(["tick", "--now", "2026-03-03T14:45:00+00:00"]) == 0
    assert "sent 2" in capsys.readouterr().out
    assert "Your mentoring session" in last_dm(bot, MENTOR)["text"]


def test_reschedule_one_week_from_the_reminder_keeps_the_weekly_rhythm(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    step_to(bot, at(9, 15))  # Monday: the day-before reminder for Tuesday the 10th
    reminder = last_dm(bot, MENTOR)
    click(bot, MENTOR, reminder, "session_reschedule")
    modal = bot.view_opened("session_move")
    reply = bot.slack.submit(modal, user=MENTOR, values={"when": "Wednesday 11 March at 5pm"})
    bot.settle()
    assert reply.json()["response_action"] == "update", reply.json()
    assert "moved the next session to" in last_dm(bot, MENTEE)["text"]
    assert stamps(last_dm(bot, MENTEE)["text"])[0] == at(11, 16)  # 17:00 Berlin
    step_to(bot, at(11, 17, 30))
    assert stamps(last_dm(bot, MENTEE)["text"]) == [at(11, 16)]  # "did you meet?" for it
    step_to(bot, at(16, 15))  # and the week after is back on Tuesday
    assert stamps(str(last_session_dm(bot, MENTEE)["text"])) == [at(17, 15)]


def test_schedule_by_command_and_several_partnerships_need_a_name(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reply = bot.slack.command("schedule", user=MENTOR)
    assert reply.status == 200
    bot.settle()
    assert bot.view_opened("session_schedule")["title"]["text"] == "Your sessions"
    bot.fake.add_user("UMENTEE2", tz="Asia/Dubai")  # Tokyo: no working hour with Berlin
    from tests.e2e.journeys import answer, ask, pick

    ask(bot, "UMENTEE2", focus=["leadership"])
    pick(bot, "UMENTEE2", MENTOR)
    answer(bot, MENTOR, "accept_request")
    bot.slack.command("skip", user=MENTOR)
    bot.settle()
    assert "several partnerships" in bot.fake.last("response_url").params["text"]
    bot.slack.command("skip <@UMENTEE2|kenji>", user=MENTOR)
    bot.settle()
    assert "haven't set a session time" in bot.fake.last("response_url").params["text"]


def test_skip_reschedule_pause_and_resume_from_the_app_home(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTOR, intro, when="every Thursday at 10:30")  # Berlin: 09:30 UTC
    bot.slack.event({"type": "app_home_opened", "user": MENTEE, "tab": "home"})
    bot.settle()

    def home() -> dict[str, Any]:
        view = bot.fake.home_view(MENTEE)
        assert view is not None
        return view

    def click_home(action_id: str) -> None:
        values = buttons(home(), action_id)
        assert values, f"no {action_id} on the Home tab"
        bot.slack.click(action_id, user=MENTEE, value=values[0], view=home())
        bot.settle()

    assert stamps(str(home()["blocks"]))[2:3] == [at(5, 9, 30)]  # next session on the Home tab
    click_home("home_session_skip")
    assert "skipped the session on" in last_dm(bot, MENTOR)["text"]
    assert at(12, 9, 30) in stamps(str(home()["blocks"]))  # the Home tab moved on a week
    assert at(5, 9, 30) not in stamps(str(home()["blocks"]))

    click_home("session_reschedule")
    moving = bot.view_opened("session_move")
    assert (
        bot.slack.submit(moving, user=MENTEE, values={"when": "next Friday at 2pm"}).status == 200
    )
    bot.settle()
    assert "moved" in last_dm(bot, MENTOR)["text"] or "rescheduled" in last_dm(bot, MENTOR)["text"]

    click_home("home_session_pause")
    pause = bot.view_opened("session_pause")
    reply = bot.slack.submit(pause, user=MENTEE, values={"until": "2026-03-01"})
    assert reply.json()["response_action"] == "errors"  # in the past: said, nothing lost
    reply = bot.slack.submit(pause, user=MENTEE, values={"until": "2026-03-25"})
    assert reply.json()["response_action"] == "update"
    bot.settle()
    assert "paused your sessions until" in last_dm(bot, MENTOR)["text"]
    assert buttons(home(), "home_session_resume") and not buttons(home(), "home_session_pause")
    assert buttons(home(), "home_session_skip") == ["1:2026-03-26"]  # the first one after it

    click_home("home_session_resume")
    assert buttons(home(), "home_session_pause")
    # A crafted value for someone else's partnership changes nothing and says so in a DM.
    bot.slack.click(
        "home_session_skip",
        user="UCOORD1",
        value=f"{buttons(home(), 'home_session_skip')[0]}",
        view=home(),
    )
    bot.settle()
    assert last_dm(bot, "UCOORD1")["text"]


def _notices(bot) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        c.params["view"]["blocks"][0]["text"]["text"]
        for c in bot.fake.delivered("views.open")
        if c.params["view"]["title"]["text"] == "Mentorbot"
    ]


def test_an_out_of_date_home_button_is_answered_over_the_home_tab(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    home = {"type": "home", "id": "VHOME", "blocks": []}
    dms_before = len(bot.dms(MENTEE))
    bot.slack.click("open_schedule", user="UCOORD1", value="1", view=home)  # not their pair
    bot.settle()
    bot.slack.click("session_reschedule", user=MENTEE, value="junk", view=home)
    bot.settle()
    first, second = _notices(bot)
    assert first  # a kind "not yours / not found"
    assert second == "That button is out of date."
    assert len(bot.dms(MENTEE)) == dms_before


def test_when_the_notice_cannot_open_the_answer_goes_by_dm(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    bot.fake.fail_next("views.open", "expired_trigger_id")
    home = {"type": "home", "id": "VHOME", "blocks": []}
    bot.slack.click("session_reschedule", user=MENTEE, value="junk", view=home)
    bot.settle()
    assert last_dm(bot, MENTEE)["text"] == "That button is out of date."
    assert _notices(bot) == []


def test_both_partners_changing_their_reminders_at_once_keep_the_plan(pair) -> None:  # type: ignore[no-untyped-def]
    import threading

    bot, intro = pair
    schedule(bot, MENTOR, intro, when="every Thursday at 10:30")
    sessions = bot.runtime.services.sessions
    start = threading.Barrier(2)

    def turn_off(user: str) -> None:
        start.wait(5)
        sessions.set_reminders(team_id="T0001", user_id=user, enabled=False)

    threads = [threading.Thread(target=turn_off, args=(u,)) for u in (MENTOR, MENTEE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        pending = uow.session.scalars(
            sa.select(OutgoingMessageRow.kind).where(
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
                OutgoingMessageRow.key.like("session:%"),
            )
        ).all()
    # No reminders now (both said no), but the session itself is still planned: the check
    # afterwards and the planning of the next week.
    assert "session.check" in pending and "job.plan_next_session" in pending
    assert "session.reminder" not in pending
