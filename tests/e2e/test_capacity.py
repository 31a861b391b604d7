"""Capacity that learns: one-click declines, pausing new requests until a day, the stay-open
question, the coordinators' weekly digest and Home section, the waitlist's kind notes, and a
new mentor only when the mentee wants one. All through the signed edge and the fake Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.matching.digest import EVERY_WORKSPACE
from bot.model.partnership import ProposalStatus
from storage import SqlUnitOfWork
from storage.models.matching import MatchProposalRow
from storage.models.outbox import OutgoingMessageRow
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import (
    answer,
    ask,
    buttons,
    click,
    dms,
    last_dm,
    matched_pair,
    offer,
    pick,
)

MENTOR, OTHER = "UMENTOR1", "UMENTOR2"
MENTEE, LATE = "UMENTEE1", "UMENTEE2"
COORDINATOR = "UCOORD1"


def people(bot: RunningBot, *users: str) -> None:
    for user in (*users, COORDINATOR):
        bot.fake.add_user(user, tz="Europe/London")


def picked_mentors(message: dict[str, Any]) -> list[str]:
    return [v.split(":")[1] for v in buttons(message, "pick_mentor")]


def date_pickers(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for b in message.get("blocks") or []
        for e in b.get("elements", [])
        if e.get("type") == "datepicker"
    ]


def pick_date(bot: RunningBot, user: str, message: dict[str, Any], day: str) -> None:
    bot.slack.click(
        "requests_pause_until",
        user=user,
        selected_date=day,
        channel=bot.fake.dm_channel(user),
        message_ts=message["ts"],
    )
    bot.settle()


def proposals(bot: RunningBot) -> list[tuple[str, str, str]]:
    with bot.runtime.database.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                MatchProposalRow.mentor_id, MatchProposalRow.status, MatchProposalRow.decline_choice
            ).order_by(MatchProposalRow.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def step_days(bot: RunningBot, until: datetime) -> None:
    while bot.clock.now() + timedelta(days=1) <= until:
        bot.tick(timedelta(days=1))
    bot.tick(until - bot.clock.now())


def test_no_time_right_now_declines_in_one_click_and_pauses_new_requests_until_a_day(
    bot: RunningBot,
) -> None:
    people(bot, MENTOR, OTHER, MENTEE, LATE)
    offer(bot, MENTOR, expertise=["leadership"])
    offer(bot, OTHER, expertise=["leadership"], organization="Initech", capacity=1)
    ask(bot, MENTEE, focus=["leadership"])
    pick(bot, MENTEE, MENTOR)

    request = last_dm(bot, MENTOR)
    for action_id in ("accept_request", "decline_no_time", "decline_not_fit", "decline_request"):
        assert buttons(request, action_id), action_id
    answer(bot, MENTOR, "decline_no_time")

    # The request answers itself in place, with the offer to pause until a day.
    declined = last_dm(bot, MENTOR)
    assert declined["ts"] == request["ts"]
    assert declined["text"].startswith(f"You declined <@{MENTEE}>'s request")
    assert len(date_pickers(declined)) == 1
    assert proposals(bot) == [(MENTOR, ProposalStatus.DECLINED.value, "no_time")]
    # The mentee sees other mentors at once; the one who declined is never among them.
    assert picked_mentors(last_dm(bot, MENTEE)) == [OTHER]

    pick_date(bot, MENTOR, declined, "2026-03-02")  # today: refused, nothing changes
    refusal = bot.fake.last("response_url").params
    assert refusal["text"] == "Pick a day after today."
    assert refusal["response_type"] == "ephemeral"
    assert date_pickers(last_dm(bot, MENTOR))

    pick_date(bot, MENTOR, declined, "2026-03-16")
    paused = last_dm(bot, MENTOR)
    assert paused["text"].startswith("Paused: nobody new will ask you before Monday 16 March")
    assert not date_pickers(paused)
    bot.slack.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"})
    bot.settle()
    assert "paused for new mentees until Monday 16 March" in str(bot.fake.home_view(MENTOR))

    # While paused nobody new is suggested them: with the other mentor full, a new mentee
    # waits.
    pick(bot, MENTEE, OTHER)
    answer(bot, OTHER, "accept_request")
    ask(bot, LATE, focus=["leadership"])
    assert last_dm(bot, LATE)["text"].startswith("Every mentor who fits you is busy")

    # The morning of the day they picked (09:00 in London), they are open again, hear so,
    # and the waitlist is looked at at once.
    step_days(bot, datetime(2026, 3, 16, 8, 59, tzinfo=UTC))
    assert not last_dm(bot, MENTOR)["text"].startswith("Your pause is over")
    assert picked_mentors(last_dm(bot, LATE)) == []
    bot.tick(timedelta(minutes=1))
    assert last_dm(bot, MENTOR)["text"].startswith("Your pause is over")
    good_news = last_dm(bot, LATE)
    assert good_news["text"].startswith("Good news")
    assert picked_mentors(good_news) == [MENTOR]
    resumed = [m for m in dms(bot, MENTOR) if m["text"].startswith("Your pause is over")]
    bot.tick(timedelta(days=1))
    assert [m for m in dms(bot, MENTOR) if m["text"].startswith("Your pause")] == resumed


def test_two_declines_in_a_row_ask_the_mentor_whether_to_stay_open(bot: RunningBot) -> None:
    people(bot, MENTOR, OTHER, MENTEE, LATE)
    offer(bot, MENTOR, expertise=["leadership"], capacity=3)
    ask(bot, MENTEE, focus=["leadership"])
    pick(bot, MENTEE, MENTOR)
    answer(bot, MENTOR, "decline_not_fit")
    assert last_dm(bot, MENTOR)["text"].startswith("You declined")  # one: nothing asked
    assert last_dm(bot, MENTEE)["text"].startswith("Every mentor who fits you is busy")

    ask(bot, LATE, focus=["leadership"])
    pick(bot, LATE, MENTOR)
    answer(bot, MENTOR, "decline_request")  # "Other reason…": the modal, with a text box
    bot.slack.submit(
        bot.view_opened("mentor_decline"), user=MENTOR, values={"reason": "Travelling a lot."}
    )
    bot.settle()
    bot.tick()

    question = last_dm(bot, MENTOR)
    assert question["text"].startswith("You've said no to the last 2 mentee requests")
    assert buttons(question, "requests_stay_open") and buttons(question, "requests_stop")
    assert date_pickers(question)
    assert [c for _, _, c in proposals(bot)] == ["not_fit", "other"]

    click(bot, MENTOR, question, "requests_stop")
    assert last_dm(bot, MENTOR)["text"].startswith("Paused for new mentees, with no end date")
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        profile = uow.mentors.get(TEAM, MENTOR)
        assert profile is not None and not profile.accepting

    # Open again (the offer form): still never suggested to the mentees who were declined.
    offer(bot, MENTOR, expertise=["leadership"], capacity=3)
    offer(bot, OTHER, expertise=["leadership"], organization="Initech")
    for mentee in (MENTEE, LATE):
        assert picked_mentors(last_dm(bot, mentee)) == [OTHER], mentee
    posted = [c.params["text"] for c in bot.fake.delivered("chat.postMessage")]
    assert len([t for t in posted if t.startswith("You've said no")]) == 1


def test_coordinators_get_a_weekly_digest_once_and_long_waiters_hear_from_the_bot(
    bot: RunningBot,
) -> None:
    mentors = [f"UMENTOR{n}" for n in range(1, 6)]
    people(bot, *mentors, MENTEE, LATE)
    for n, mentor in enumerate(mentors):
        offer(bot, mentor, expertise=["leadership"], capacity=1, organization=f"Org{n}")
    ask(bot, MENTEE, focus=["leadership"])
    for mentor, choice in zip(
        mentors,
        ["decline_no_time", "decline_not_fit", "decline_no_time", "decline_not_fit", ""],
        strict=True,
    ):
        pick(bot, MENTEE, mentor)
        if choice:
            answer(bot, mentor, choice)
        else:
            answer(bot, mentor, "decline_request")
            bot.slack.submit(bot.view_opened("mentor_decline"), user=mentor, values={})
            bot.settle()
    bot.tick()
    assert last_dm(bot, MENTEE)["text"].startswith("Every mentor who fits you is busy")
    ask(bot, LATE, focus=["leadership"])
    pick(bot, LATE, "UMENTOR1")  # and they never answer: it expires after five days

    services = bot.runtime.services
    planned = services.mentoring.digest.plan_week()
    assert planned == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Monday, 9:00 in UTC
    assert services.mentoring.digest.plan_week() == planned  # a restart plans nothing new

    step_days(bot, planned - timedelta(minutes=1))
    assert digests(bot) == []
    bot.tick(timedelta(minutes=1))
    (digest,) = digests(bot)
    figures = str(digest["blocks"])
    assert digest["text"] == "Mentor capacity this week: 5 declines, 1 expired, 0 long waits."
    assert "5 declined, 1 expired without an answer" in figures
    assert "no time right now 2, not the right fit 2, other 1" in figures
    assert "Travelling" not in figures

    # The job run a second time (a retry, another replica) sends nothing new.
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        (job,) = uow.outbox.sent(EVERY_WORKSPACE, "capacity:due:")
        services.mentoring.digest.week_job(uow, job, bot.clock.now())
        uow.commit()
    bot.tick()
    assert len(digests(bot)) == 1

    # The coordinator's Home tab shows the last four weeks.
    bot.slack.event({"type": "app_home_opened", "user": COORDINATOR, "tab": "home"})
    bot.settle()
    home = str(bot.fake.home_view(COORDINATOR))
    assert "Mentor capacity, last 4 weeks" in home
    assert "no time right now 2, not the right fit 2, other 1" in home

    # A quiet week sends nothing; then the mentee waiting since 2 March is listed, and after
    # three weeks hears, kindly, that they are still on the list: once.
    step_days(bot, datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    assert len(digests(bot)) == 1
    assert still_waiting(bot, MENTEE) == []
    step_days(bot, datetime(2026, 3, 23, 9, 0, tzinfo=UTC))
    assert len(digests(bot)) == 2
    assert f"<@{MENTEE}> (20 days)" in str(digests(bot)[-1]["blocks"])
    assert still_waiting(bot, MENTEE) == []
    step_days(bot, datetime(2026, 3, 30, 9, 0, tzinfo=UTC))
    (note,) = still_waiting(bot, MENTEE)
    assert note.startswith("A word after 3 weeks: you're still on the waitlist")
    step_days(bot, datetime(2026, 4, 4, 9, 0, tzinfo=UTC))
    assert len(still_waiting(bot, MENTEE)) == 1
    keys = [k for k in bot.fake.delivered_keys() if k.startswith("capacity:")]
    assert len(keys) == len(set(keys)) == 3


def digests(bot: RunningBot) -> list[dict[str, Any]]:
    return [m for m in dms(bot, COORDINATOR) if m["text"].startswith("Mentor capacity this week")]


def still_waiting(bot: RunningBot, user: str) -> list[str]:
    return [m["text"] for m in dms(bot, user) if "still on the waitlist" in m["text"]]


def test_after_we_reached_our_goals_the_mentee_is_asked_before_any_suggestions(
    bot: RunningBot,
) -> None:
    people(bot, MENTOR, OTHER, MENTEE)
    matched_pair(bot, MENTOR, MENTEE)
    offer(bot, OTHER, expertise=["leadership"], organization="Initech")
    bot.slack.command("end", user=MENTOR)
    bot.settle()
    reply = bot.slack.submit(
        bot.view_opened("partnership_end"), user=MENTOR, values={"reason": "goals_reached"}
    )
    assert reply.status == 200
    bot.tick()

    texts = [m["text"] for m in dms(bot, MENTEE)]
    ended = next(t for t in texts if "has closed your mentoring partnership" in t)
    assert "you reached your goals together. Congratulations!" in ended
    assert "suggesting other mentors" not in ended
    assert not any(t.startswith("A new start") for t in texts)  # no suggestions pushed
    question = next(
        m for m in dms(bot, MENTEE) if m["text"].startswith("Congratulations on reaching")
    )
    coordinator = last_dm(bot, COORDINATOR)
    assert "asked whether they'd like a new mentor" in str(coordinator["blocks"])

    click(bot, MENTEE, question, "new_mentor_yes")
    bot.tick()
    suggestions = last_dm(bot, MENTEE)
    assert suggestions["text"].startswith("A new start")
    assert picked_mentors(suggestions) == [OTHER]  # never the mentor they had
    answered = next(m for m in dms(bot, MENTEE) if m["ts"] == question["ts"])
    assert answered["text"].startswith("Your new mentor suggestions are in our DM")

    # A second click changes nothing: one request, one set of suggestions.
    bot.slack.click(
        "new_mentor_yes",
        user=MENTEE,
        value=buttons(question, "new_mentor_yes")[0],
        channel=bot.fake.dm_channel(MENTEE),
        message_ts=question["ts"],
    )
    bot.settle()
    bot.tick()
    assert len([m for m in dms(bot, MENTEE) if m["text"].startswith("A new start")]) == 1
    with bot.runtime.database.engine.connect() as connection:
        keys = connection.scalars(
            sa.select(OutgoingMessageRow.key).where(OutgoingMessageRow.kind == "mentee.suggestions")
        ).all()
    assert len([k for k in keys if k.startswith("request:2:")]) == 1


def test_not_now_leaves_the_mentee_without_suggestions(bot: RunningBot) -> None:
    people(bot, MENTOR, OTHER, MENTEE)
    matched_pair(bot, MENTOR, MENTEE)
    offer(bot, OTHER, expertise=["leadership"], organization="Initech")
    bot.slack.command("end", user=MENTEE)
    bot.settle()
    reply = bot.slack.submit(
        bot.view_opened("partnership_end"), user=MENTEE, values={"reason": "goals_reached"}
    )
    assert "Would you like a new mentor?" in str(reply.json()["view"])
    bot.tick()
    question = next(
        m for m in dms(bot, MENTEE) if m["text"].startswith("Congratulations on reaching")
    )
    click(bot, MENTEE, question, "new_mentor_no")
    bot.tick(timedelta(days=1))
    assert last_dm(bot, MENTEE)["text"].startswith("All right: no new mentor for now")
    assert not any(m["text"].startswith("A new start") for m in dms(bot, MENTEE))
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        assert uow.requests.open_for(TEAM, MENTEE) is None
