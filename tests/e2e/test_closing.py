"""Closing well: every ending (a partner, the program team, the term, an erasure) asks each
partner still in the program three short questions, once; the answers are theirs, the note
reaches the program team only if they send it, and `/mentor report` and its CSV show counts
and averages of five or more answers only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from handlers.rhythm import blocks as rhythm_blocks
from storage.models.rhythm import ProgressCheckRow
from tests.conftest import RunningBot
from tests.e2e.journeys import buttons, click, dms, matched_pair, offer

MENTOR, MENTEE, OTHER = "UMENTOR1", "UMENTEE1", "UMENTOR9"
COORDINATOR = "UCOORD1"
SURVEY = "Three quick questions"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mentorbot_term_days": 30}  # a pair matched on March 2 completes on April 1


def people(bot: RunningBot, *users: str) -> None:
    for user in (*users, COORDINATOR):
        bot.fake.add_user(user, tz="Europe/London")


def surveys(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    """The exit surveys in ``user``'s DM, as Slack holds them now (answers drawn in)."""
    return [
        m
        for m in dms(bot, user)
        if any(b.get("block_id") == "exit_survey" for b in m.get("blocks") or [])
    ]


def end(bot: RunningBot, user: str, reason: str = "fit") -> None:
    bot.slack.command("end", user=user)
    bot.settle()
    reply = bot.slack.submit(
        bot.view_opened("partnership_end"), user=user, values={"reason": reason}
    )
    assert reply.json()["response_action"] == "update"
    bot.tick()


def checks(bot: RunningBot) -> list[tuple[str, int | None, dict[str, Any], str, bool]]:
    with bot.runtime.database.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                ProgressCheckRow.user_id,
                ProgressCheckRow.score,
                ProgressCheckRow.answers,
                ProgressCheckRow.note,
                ProgressCheckRow.share,
            )
            .where(ProgressCheckRow.kind == "exit")
            .order_by(ProgressCheckRow.user_id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def answer_survey(
    bot: RunningBot, user: str, *, score: int, again: str, note: str = "", send: bool = False
) -> dict[str, Any]:
    (survey,) = surveys(bot, user)
    click(bot, user, survey, f"exit_rate_{score}")
    click(bot, user, surveys(bot, user)[0], f"exit_again_{again}")
    if note:
        click(bot, user, surveys(bot, user)[0], "exit_note")
        values: dict[str, Any] = {"note": note, "send": ["send"] if send else []}
        reply = bot.slack.submit(bot.view_opened("exit_note"), user=user, values=values)
        assert reply.json()["response_action"] == "update"
        bot.settle()
    return surveys(bot, user)[0]


def test_a_partner_ending_asks_both_partners_and_the_answers_stay_theirs(
    bot: RunningBot,
) -> None:
    people(bot, MENTOR, MENTEE)
    matched_pair(bot, MENTOR, MENTEE)
    end(bot, MENTEE)

    (to_mentor,) = surveys(bot, MENTOR)
    (to_mentee,) = surveys(bot, MENTEE)
    assert f"now that your mentoring partnership with <@{MENTEE}> has ended" in to_mentor["text"]
    assert f"with <@{MENTOR}>" in to_mentee["text"]
    assert buttons(to_mentor, "exit_rate_1") and buttons(to_mentor, "exit_rate_5")

    # One click each, the message answering itself in place.
    click(bot, MENTOR, to_mentor, "exit_rate_4")
    (rated,) = surveys(bot, MENTOR)
    assert rated["ts"] == to_mentor["ts"]
    assert rated["text"] == "Thank you: you rated it 4/5."
    assert buttons(rated, "exit_again_yes") and not buttons(rated, "exit_rate_4")
    click(bot, MENTOR, rated, "exit_again_yes")
    click(bot, MENTOR, surveys(bot, MENTOR)[0], "exit_note")
    note_form = bot.view_opened("exit_note")
    reply = bot.slack.submit(note_form, user=MENTOR, values={"note": "", "send": ["send"]})
    assert reply.json()["response_action"] == "errors"  # nothing to send: said so, kept open
    reply = bot.slack.submit(
        note_form,
        user=MENTOR,
        values={"note": "More structure in month two would help.", "send": ["send"]},
    )
    assert "Sent to the program team" in str(reply.json()["view"])
    bot.settle()
    (done,) = surveys(bot, MENTOR)
    assert done["text"] == "Thank you: you rated it 4/5; take part again: yes."
    assert "Your note was sent to the program team" in str(done["blocks"])
    (note,) = [m for m in dms(bot, COORDINATOR) if "exit survey" in m["text"]]
    assert note["text"] == f"<@{MENTOR}> sent the program team a note from their exit survey."
    assert "More structure in month two would help." in str(note["blocks"])

    # The mentee keeps their note to themselves: the team hears nothing of it.
    answer_survey(bot, MENTEE, score=2, again="no", note="It was hard to find time.")
    assert not any("It was hard" in str(m) for m in dms(bot, COORDINATOR))
    assert checks(bot) == [
        (MENTEE, 2, {"again": "no"}, "It was hard to find time.", False),
        (MENTOR, 4, {"again": "yes"}, "More structure in month two would help.", True),
    ]


def test_the_program_team_closing_a_pair_asks_each_partner_once(bot: RunningBot) -> None:
    people(bot, MENTOR, MENTEE, OTHER)
    matched_pair(bot, MENTOR, MENTEE)
    offer(bot, OTHER, expertise=["leadership"], organization="Initech")
    # A crafted click on a running partnership's survey is refused kindly.
    bot.slack.click("exit_rate_5", user=MENTOR, value="1")
    bot.settle()
    assert "still running" in bot.fake.last("response_url").params["text"]
    modal = rhythm_blocks.close_modal(mentee_id=MENTEE, mentor_id=MENTOR, partnership_id=1)
    for _ in range(2):  # a second submit (a double click) changes nothing
        bot.slack.submit(modal, user=COORDINATOR, values={"reason": "schedule"})
        bot.settle()
        bot.tick()
    for user in (MENTOR, MENTEE):
        posted = [
            c
            for c in bot.fake.delivered("chat.postMessage")
            if c.params["channel"] == user and c.params["text"].startswith(SURVEY)
        ]
        assert len(posted) == 1, user


def test_the_term_end_asks_with_the_final_evaluation(bot: RunningBot) -> None:
    people(bot, MENTOR, MENTEE)
    matched_pair(bot, MENTOR, MENTEE)
    bot.clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=UTC))
    bot.tick()
    bot.tick(timedelta(hours=1))
    for user in (MENTOR, MENTEE):
        texts = [m["text"] for m in dms(bot, user)]
        assert any(t.startswith("Your mentoring partnership with") for t in texts), user
        (survey,) = surveys(bot, user)
        assert "now that your mentoring year with" in survey["text"]


def test_an_erased_partner_is_not_named_and_the_one_left_is_asked(bot: RunningBot) -> None:
    people(bot, MENTOR, MENTEE)
    matched_pair(bot, MENTOR, MENTEE)
    bot.slack.command("forget-me", user=MENTEE)
    bot.settle()
    bot.slack.submit(bot.view_opened("forget_me"), user=MENTEE, values={})
    bot.settle()
    bot.tick()

    (survey,) = surveys(bot, MENTOR)
    assert survey["text"] == (
        f"{SURVEY} for the program, now that your mentoring partnership has ended. "
        "Overall, how was it?"
    )
    assert MENTEE not in str(survey)
    assert not [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.params["channel"] == MENTEE and c.params["text"].startswith(SURVEY)
    ]
    click(bot, MENTOR, survey, "exit_rate_5")
    assert surveys(bot, MENTOR)[0]["text"] == "Thank you: you rated it 5/5."


def test_the_report_shows_exit_surveys_as_counts_and_averages_of_five_or_more(
    bot: RunningBot,
) -> None:
    pairs = [(f"UMENTOR{n}", f"UMENTEE{n}") for n in range(1, 4)]
    people(bot, *(u for pair in pairs for u in pair))
    for mentor, mentee in pairs:
        matched_pair(bot, mentor, mentee)
        end(bot, mentee)

    def report() -> dict[str, str]:
        bot.slack.command("report", user=COORDINATOR)
        bot.settle()
        table = [u for u in bot.fake.uploads if u.filename.startswith("program-health")][-1]
        rows = csv.reader(io.StringIO(table.content.decode()))
        return {r[0]: r[1] for r in rows if len(r) == 2}

    for mentor, _ in pairs[:2]:
        answer_survey(bot, mentor, score=5, again="yes")
    rows = report()
    assert rows["Exit surveys answered"] == "fewer than 5 answers"
    assert rows["Exit survey: average rating (1-5)"] == "fewer than 5 answers"
    assert rows["Final evaluation: average rating (1-5)"] == "fewer than 5 answers"

    for _, mentee in pairs[:2]:
        answer_survey(bot, mentee, score=3, again="maybe")
    answer_survey(bot, pairs[2][0], score=4, again="no")
    rows = report()
    assert rows["Exit surveys answered"] == "5"
    assert rows["Exit survey: average rating (1-5)"] == "4.0"  # (5+5+3+3+4)/5
    assert rows["Exit survey: would take part again"] == "yes 2, maybe 2, no 1"
    message = [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.params["text"].startswith("Program health")
    ][-1]
    assert "Exit survey: average rating (1-5): *4.0*" in str(message["blocks"])
