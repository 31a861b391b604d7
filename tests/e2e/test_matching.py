"""A mentee asks, picks a mentor, the mentor answers: every step through signed HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import RunningBot
from tests.e2e.journeys import answer, ask, buttons, click, dms, last_dm, offer, pick


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    bot.fake.add_user("UMENTOR1", real_name="Maria Mentor", tz="Europe/Berlin")
    bot.fake.add_user("UMENTOR2", real_name="Omar Mentor", tz="America/New_York")
    bot.fake.add_user("UMENTOR3", real_name="Lee Mentor", tz="Asia/Tokyo")
    bot.fake.add_user("UMENTEE1", real_name="Ada Mentee", tz="Europe/London")
    bot.fake.add_user("UCOORD1", real_name="Cora Coordinator", tz="Europe/London")
    return bot


def mentors_suggested(bot: RunningBot, mentee: str) -> list[str]:
    return [v.split(":")[1] for v in buttons(last_dm(bot, mentee), "pick_mentor")]


def test_offer_ask_pick_accept_and_both_get_an_introduction(people: RunningBot) -> None:
    bot = people
    reply = offer(bot, "UMENTOR1", expertise=["leadership", "change management"])
    assert reply.status == 200
    assert reply.json()["response_action"] == "update"
    assert "profile is saved" in str(reply.json()["view"])
    offer(bot, "UMENTOR2", expertise=["technical skills"])  # shares no focus area

    reply = ask(bot, "UMENTEE1", focus=["leadership", "change management"])
    assert reply.json()["response_action"] == "update"
    assert "1 mentor who fits you well" in str(reply.json()["view"])

    # The mentee's time zone came from Slack, not from a form.
    assert bot.fake.calls_to("users.info")[-1].params["user"] == "UMENTEE1"
    assert mentors_suggested(bot, "UMENTEE1") == ["UMENTOR1"]  # not worth their time: UMENTOR2
    reason = last_dm(bot, "UMENTEE1")["blocks"][1]["text"]["text"]
    assert "Shares leadership and change management; 7 working hours overlap" in reason

    pick(bot, "UMENTEE1", "UMENTOR1")
    # The suggestions turn into what happened, so nobody clicks twice by mistake.
    assert "You asked <@UMENTOR1>" in last_dm(bot, "UMENTEE1")["text"]
    assert not buttons(last_dm(bot, "UMENTEE1"), "pick_mentor")

    request = last_dm(bot, "UMENTOR1")
    assert "<@UMENTEE1> would like you to be their mentor" in request["text"]
    assert "reorganization" in str(request["blocks"])
    assert buttons(request, "accept_request")
    assert buttons(request, "decline_request")

    answer(bot, "UMENTOR1", "accept_request")
    opened = bot.fake.last("conversations.open").params
    assert sorted(opened["users"].split(",")) == ["UMENTEE1", "UMENTOR1"]
    intro = bot.fake.delivered("chat.postMessage")[-1].params
    assert intro["channel"].startswith("G")
    assert intro["text"] == "Welcome to your mentoring partnership, <@UMENTEE1> and <@UMENTOR1>!"
    assert "Kickoff checklist" in str(intro["blocks"])
    assert "<!date^" in str(intro["blocks"])  # the term end in each reader's own time zone
    assert "You accepted <@UMENTEE1>'s request" in last_dm(bot, "UMENTOR1")["text"]
    assert all(c.outcome == "ok" for c in bot.fake.calls)

    # The same Accept clicked again (a double click, an old message): one partnership.
    again = bot.slack.click(
        "accept_request", user="UMENTOR1", value=buttons(request, "accept_request")[0]
    )
    bot.settle()
    assert again.status == 200
    assert len(bot.fake.calls_to("conversations.open")) == 1


def test_a_decline_is_kind_and_the_mentee_is_offered_the_next_best(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    offer(bot, "UMENTOR2", expertise=["leadership", "communication"])
    ask(bot, "UMENTEE1", focus=["leadership", "communication"])
    assert mentors_suggested(bot, "UMENTEE1") == ["UMENTOR2", "UMENTOR1"]
    pick(bot, "UMENTEE1", "UMENTOR2")

    answer(bot, "UMENTOR2", "decline_request")
    modal = bot.view_opened("mentor_decline")
    reply = bot.slack.submit(modal, user="UMENTOR2", values={"reason": "Too busy this quarter"})
    bot.settle()
    assert reply.status == 200
    assert reply.body == b""  # the modal closes

    followup = last_dm(bot, "UMENTEE1")
    assert "not about you" in followup["text"]
    assert "Too busy" not in str(followup)  # the reason is for the program team only
    assert mentors_suggested(bot, "UMENTEE1") == ["UMENTOR1"]
    assert "You declined <@UMENTEE1>'s request" in last_dm(bot, "UMENTOR2")["text"]

    # The mentor who declined is never suggested to this mentee again, even on a fresh ask.
    ask(bot, "UMENTEE1", focus=["leadership", "communication"])
    assert mentors_suggested(bot, "UMENTEE1") == ["UMENTOR1"]


def test_no_mentor_free_waitlists_the_mentee_and_tells_coordinators(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"], accepting=False)

    reply = ask(bot, "UMENTEE1", focus=["leadership"])
    assert "waitlist" in str(reply.json()["view"])
    assert "on the waitlist" in last_dm(bot, "UMENTEE1")["text"]
    assert "<@UMENTEE1> is waiting for a mentor" in last_dm(bot, "UCOORD1")["text"]

    # A mentor who becomes available clears the waitlist: the mentee hears at once.
    offer(bot, "UMENTOR2", expertise=["leadership"])
    assert "Good news" in last_dm(bot, "UMENTEE1")["text"]
    assert mentors_suggested(bot, "UMENTEE1") == ["UMENTOR2"]


def test_no_answer_reminds_the_mentor_once_then_moves_on(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    offer(bot, "UMENTOR2", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    pick(bot, "UMENTEE1", "UMENTOR1")
    request = last_dm(bot, "UMENTOR1")
    asked = len(dms(bot, "UMENTOR1"))

    bot.tick(timedelta(days=2, hours=23))
    assert len(dms(bot, "UMENTOR1")) == asked  # not yet
    bot.tick(timedelta(hours=1))
    assert "A gentle reminder" in last_dm(bot, "UMENTOR1")["text"]
    bot.tick(timedelta(days=1))
    bot.tick(timedelta(hours=1))  # running again changes nothing
    assert len(dms(bot, "UMENTOR1")) == asked + 1

    bot.tick(timedelta(days=1))
    assert "expired" in last_dm(bot, "UMENTOR1")["text"]
    assert "let's not keep you waiting" in last_dm(bot, "UMENTEE1")["text"]
    assert mentors_suggested(bot, "UMENTEE1") == ["UMENTOR2"]

    # The mentor's late click is answered kindly, and nothing else happens.
    late = click(bot, "UMENTOR1", request, "accept_request")
    assert late.status == 200
    assert "expired" in bot.fake.last("response_url").params["text"]
    assert not bot.fake.calls_to("conversations.open")


def test_help_and_unknown_subcommands_answer_in_the_ack(people: RunningBot) -> None:
    bot = people
    reply = bot.slack.command("", user="UMENTEE1")
    assert reply.status == 200
    assert "/mentor ask" in reply.json()["text"]
    assert reply.json()["response_type"] == "ephemeral"
    reply = bot.slack.command("dance", user="UMENTEE1")
    assert "I don't know `dance`" in reply.json()["text"]
    bot.settle()
    assert not bot.fake.calls_to("views.open")


def test_help_lists_each_roles_commands_and_coordinators_only_to_coordinators(
    people: RunningBot,
) -> None:
    bot = people
    mentee = bot.slack.command("help", user="UMENTEE1").json()["text"]
    for usage in ("/mentor ask", "/mentor offer", "/mentor away <date>", "/mentor back"):
        assert f"`{usage}`" in mentee
    assert "*As a mentee*" in mentee and "*As a mentor*" in mentee
    assert "coordinator" not in mentee.lower()
    assert "/mentor announce" not in mentee and "/mentor midterm" not in mentee
    coordinator = bot.slack.command("help", user="UCOORD1").json()["text"]
    assert "*As a coordinator*" in coordinator
    for usage in ("/mentor announce list", "/mentor midterm", "/mentor erase @person"):
        assert f"`{usage}`" in coordinator
