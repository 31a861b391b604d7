"""The fit check's words, the ladder's proposed time and a program's ladder, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.conversation.service import Intent, Prompt, read
from bot.model.kinds import Kind
from bot.model.messages.rhythm import FitQuestion
from bot.model.programs import Program, ladder_of
from bot.model.progress import FitAnswer
from bot.model.rules import ProgramRules
from bot.programs.service import check_program, ladder_days
from bot.rhythm.ladder import propose_time

FIT = Prompt(
    kind=Kind.FIT_CHECK,
    partnership_id=1,
    sent_at=datetime(2026, 3, 3, 8, tzinfo=UTC),
    payload=FitQuestion(partnership_id=1, partner_id="UMENTOR1", round=1),
)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Great", FitAnswer.GREAT),
        ("great so far!", FitAnswer.GREAT),
        ("going well", FitAnswer.GREAT),
        ("Not sure yet.", FitAnswer.UNSURE),
        ("unsure", FitAnswer.UNSURE),
        ("too early to tell", FitAnswer.UNSURE),
        ("It isn't working", FitAnswer.NOT_WORKING),
        ("it's not working out", FitAnswer.NOT_WORKING),
        ("not a good fit", FitAnswer.NOT_WORKING),
    ],
)
def test_the_fit_check_is_answered_in_plain_words(text: str, answer: FitAnswer) -> None:
    reading = read(text, [FIT])
    assert (reading.intent, reading.fit, reading.round_no) == (Intent.FIT, answer, 1)


def test_fit_words_mean_nothing_without_a_fit_check_and_other_words_stay_notes() -> None:
    assert read("great", []).intent is Intent.UNCLEAR
    assert read("We talked about my promotion", [FIT]).intent is Intent.NOTE
    assert read("skip this week", [FIT]).intent is Intent.SKIP


def test_the_proposed_time_is_inside_both_working_days() -> None:
    rules = ProgramRules()
    # Berlin (UTC+1 in March) and Tokyo (UTC+9): 08:00-09:00 UTC is their only hour.
    at = propose_time(
        ["Europe/Berlin", "Asia/Tokyo"], rules, after=datetime(2026, 3, 24, 15, tzinfo=UTC)
    )
    assert at == datetime(2026, 3, 25, 8, tzinfo=UTC)
    # Weekends off: a Friday evening proposes Monday, 09:00 in London (summer time by then).
    at = propose_time(["Europe/London"], rules, after=datetime(2026, 3, 27, 17, 30, tzinfo=UTC))
    assert at == datetime(2026, 3, 30, 8, tzinfo=UTC)
    # Days that never overlap (a 45-minute session needs 45 minutes of both days).
    assert (
        propose_time(
            ["America/Los_Angeles", "Asia/Kolkata"], rules, after=datetime(2026, 3, 24, tzinfo=UTC)
        )
        is None
    )


def test_a_program_sets_its_own_ladder_in_weeks_or_keeps_the_workspaces() -> None:
    assert ladder_days("1, 2, 3, 6") == [7, 14, 21, 42]
    assert ladder_days("") == []
    assert ladder_of([7, 14, 21, 42]) == (7, 14, 21, 42)
    assert ladder_of([14, 7, 21, 42]) is None
    assert ladder_of([7, 14, 21]) is None
    defaults = ProgramRules()
    program = Program(team_id="T1", name="Short", quiet_ladder_days=[7, 14, 21, 42])
    assert program.rules(defaults).quiet_ladder == (7, 14, 21, 42)
    assert Program(team_id="T1", name="Default").rules(defaults).quiet_ladder == (14, 21, 28, 56)
    for text in ("3, 2, 4, 8", "two, three", "1, 2"):
        program = Program(
            team_id="T1", name="Bad", focus_areas=["x"], quiet_ladder_days=ladder_days(text)
        )
        assert "quiet_ladder" in check_program(program, set()), text
