"""Coordinators announce to the program channel or by DM: now, later, edited or cancelled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.model.partnership import MentorProfile
from storage import SqlUnitOfWork
from tests.conftest import RunningBot
from tests.e2e.journeys import ask, dms, last_dm, offer
from tests.support.signed import Reply

COORD = "UCOORD1"


@pytest.fixture
def program(bot: RunningBot) -> RunningBot:
    bot.fake.add_user(COORD, real_name="Cora Coordinator", tz="Europe/London")
    bot.fake.add_user("UMENTOR1", tz="Europe/Berlin")
    bot.fake.add_user("UMENTEE1", tz="America/New_York")
    offer(bot, "UMENTOR1", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    return bot


def compose(bot: RunningBot, **values: Any) -> Reply:
    """The coordinator runs `/mentor announce` and presses "Preview" with ``values``."""
    reply = bot.slack.command("announce", user=COORD)
    assert reply.status == 200
    bot.settle()
    view = bot.view_opened("announce_compose")
    filled = {"audience": "channel", "when": "now"} | values
    return bot.slack.submit(view, user=COORD, values=filled)


def send(bot: RunningBot, preview: Reply) -> Reply:
    body = preview.json()
    assert body["response_action"] == "push", body
    reply = bot.slack.submit(body["view"], user=COORD, values={})
    bot.settle()
    return reply


def copies(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if "From the program team" in str(c.params.get("blocks"))
    ]


def test_only_coordinators_may_announce(program: RunningBot) -> None:
    reply = program.slack.command("announce", user="UMENTEE1")
    program.settle()
    assert "for the program's coordinators" in reply.json()["text"]
    assert not program.fake.calls_to("views.open")[-1:] or all(
        c.params["view"].get("callback_id") != "announce_compose"
        for c in program.fake.calls_to("views.open")
    )


def test_a_channel_post_is_previewed_sent_and_reported_back(program: RunningBot) -> None:
    bot = program
    preview = compose(bot, text="*Kickoff* is on Monday: bring one question!")
    view = preview.json()["view"]
    assert view["callback_id"] == "announce_preview"
    assert "Kickoff" in str(view["blocks"]) and "the program channel" in str(view["blocks"])
    # the preview is pushed over the form: its close button goes back, and says so
    assert view["close"]["text"] == "Back" and "Use *Back*" in str(view["blocks"])
    reply = send(bot, preview)
    assert reply.json()["response_action"] == "update"
    assert "On its way" in str(reply.json()["view"])
    posted = copies(bot)
    assert [p["channel"] for p in posted] == ["C0PROGRAM"]
    assert posted[0]["text"] == "*Kickoff* is on Monday: bring one question!"
    bot.tick(timedelta(minutes=1))
    assert last_dm(bot, COORD)["text"] == "Your announcement is in the program channel."


def test_bad_input_gets_field_errors_and_keeps_the_modal(program: RunningBot) -> None:
    bot = program
    reply = compose(bot, text="   ")
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"text": "Write the message people will get."},
    }
    reply = compose(bot, text="Hello", when="later", time="10:00")
    assert reply.json()["errors"] == {"date": "Pick the date it should go out."}
    reply = compose(bot, text="Hello", when="later", date="2026-03-01", time="10:00")
    assert "That time has passed" in reply.json()["errors"]["when"]
    reply = compose(bot, text="x" * 2801)
    assert "Slack shows at most 2,800" in reply.json()["errors"]["text"]
    assert copies(bot) == []


def test_scheduled_announcements_can_be_listed_edited_and_cancelled(program: RunningBot) -> None:
    bot = program  # it is Monday 2 March 2026, 15:00 UTC
    send(
        bot,
        compose(
            bot,
            text="Mid-point survey next week",
            audience="everyone",
            when="later",
            date="2026-03-04",
            time="09:00",
        ),
    )
    send(
        bot,
        compose(
            bot,
            text="Social on Friday",
            audience="mentors",
            when="later",
            date="2026-03-05",
            time="12:00",
        ),
    )
    assert copies(bot) == []

    bot.slack.command("announce list", user=COORD)
    bot.settle()
    listing = bot.fake.last("response_url").params
    assert "Mid-point survey" in str(listing["blocks"]) and "Social on Friday" in str(
        listing["blocks"]
    )
    edit_ids = [
        e["value"]
        for b in listing["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "announce_edit"
    ]

    # Edit the survey: the modal opens with what was written and when, in the author's zone.
    bot.slack.click("announce_edit", user=COORD, value=edit_ids[0])
    bot.settle()
    view = bot.view_opened("announce_compose")
    assert "Mid-point survey next week" in str(view["blocks"])
    assert view["blocks"][4]["element"]["initial_time"] == "09:00"
    send(
        bot,
        bot.slack.submit(
            view,
            user=COORD,
            values={
                "text": "Mid-point survey: Wednesday!",
                "audience": "everyone",
                "when": "later",
                "date": "2026-03-04",
                "time": "09:00",
            },
        ),
    )
    # Cancel the social.
    bot.slack.click("announce_cancel", user=COORD, value=edit_ids[1])
    bot.settle()
    assert "Cancelled" in bot.fake.last("response_url").params["text"]

    bot.tick(timedelta(days=4))  # past both times
    bot.tick(timedelta(minutes=2))
    texts = sorted((p["channel"], p["text"]) for p in copies(bot))
    assert texts == [
        ("UMENTEE1", "Mid-point survey: Wednesday!"),
        ("UMENTOR1", "Mid-point survey: Wednesday!"),
    ]
    assert "went out to 2 of 2 people" in last_dm(bot, COORD)["text"]


def seed_mentors(bot: RunningBot, count: int) -> list[str]:
    ids = [f"UM{i:04d}" for i in range(count)]
    for user_id in ids:
        bot.fake.add_user(user_id, tz="UTC")
    with SqlUnitOfWork(bot.runtime.database.sessions) as work:
        for user_id in ids:
            work.mentors.save(
                MentorProfile(
                    team_id=bot.slack.team_id,
                    user_id=user_id,
                    expertise=["leadership"],
                    bio="",
                    organization="",
                    capacity=1,
                    languages=[],
                    tz="UTC",
                )
            )
        work.commit()
    return ids


def test_a_dm_to_500_mentors_through_429s_reaches_each_once_and_reports_the_misses(
    program: RunningBot,
) -> None:
    bot = program
    seeded = seed_mentors(bot, 499)  # and UMENTOR1: 500 mentors
    bot.fake.fail_next("chat.postMessage", "user_not_found", times=1)
    bot.fake.fail_next("chat.postMessage", "account_inactive", times=1)
    bot.fake.rate_limit_next("chat.postMessage", retry_after=30, times=2)
    bot.fake.set_chaos("chat.postMessage", rate_limit=0.01, seed=3)
    preview = compose(bot, text="Thank you for mentoring!", audience="mentors")
    send(bot, preview)
    for _ in range(60):
        report = bot.tick(timedelta(seconds=30))
        told = [m for m in dms(bot, COORD) if "Your announcement" in m["text"]]
        if told and report.handled == 0:
            break
    bot.fake.reset_faults()
    bot.tick(timedelta(minutes=2))
    assert len([c for c in bot.fake.calls_to("chat.postMessage") if c.outcome == "429"]) >= 2
    keys = bot.fake.delivered_keys()
    sent = {k: n for k, n in keys.items() if ":to:" in k}
    assert len(sent) == 498 and set(sent.values()) == {1}  # nobody twice
    reached = {p["channel"] for p in copies(bot)}
    assert reached <= set(seeded) | {"UMENTOR1"}
    assert "UMENTEE1" not in reached
    done = last_dm(bot, COORD)
    assert done["text"] == "Your announcement went out to 498 of 500 people."
    assert "2 could not be reached (account_inactive: 1, user_not_found: 1)" in str(done["blocks"])


def test_the_form_names_the_coordinators_zone_and_says_dm_in_capitals(program: RunningBot) -> None:
    bot = program
    bot.slack.command("announce", user=COORD)
    bot.settle()
    view = bot.view_opened("announce_compose")
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}
    assert labels["time"] == "Time (Europe/London)"
    audience = next(b for b in view["blocks"] if b.get("block_id") == "audience")
    options = [o["text"]["text"] for o in audience["element"]["options"]]
    assert "Every participant, by DM" in options, options
