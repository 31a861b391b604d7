"""Capacity and outcomes as pure rules: declines in a row, the figures coordinators see (no
reasons below five declines), the digest's week, and final/exit answers below five hidden."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.coordination.outcomes import TOO_FEW, outcome_rows
from bot.errors import DomainError
from bot.matching.capacity import DeclineChoice, decline_choice, declines_in_a_row
from bot.matching.digest import capacity_figures, next_digest
from bot.model.kinds import Kind
from bot.model.messages import decode, encode
from bot.model.messages.capacity import CapacityDigest
from bot.model.partnership import MatchProposal, MentorRequest, ProposalStatus, RequestStatus
from bot.model.progress import CheckKind, ProgressCheck

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def proposal(
    n: int, status: ProposalStatus, choice: str = "", *, days_ago: int = 1
) -> MatchProposal:
    return MatchProposal(
        team_id="T1",
        request_id=n,
        mentee_id=f"UMENTEE{n}",
        mentor_id="UMENTOR1",
        score=80,
        reason="",
        status=status,
        decline_choice=choice,
        answered_at=None if status is ProposalStatus.PENDING else NOW - timedelta(days=days_ago),
        id=n,
    )


def test_declines_in_a_row_count_from_the_latest_answer_and_skip_expiries() -> None:
    declined, accepted, expired = (
        ProposalStatus.DECLINED,
        ProposalStatus.ACCEPTED,
        ProposalStatus.EXPIRED,
    )
    assert declines_in_a_row([]) == 0
    assert declines_in_a_row([proposal(1, declined, days_ago=3)]) == 1
    run = [proposal(1, declined, days_ago=5), proposal(2, expired, days_ago=4)]
    run.append(proposal(3, declined, days_ago=3))
    assert declines_in_a_row(run) == 2  # the expiry between neither counts nor breaks it
    run.append(proposal(4, accepted, days_ago=2))
    assert declines_in_a_row(run) == 0
    run.append(proposal(5, ProposalStatus.PENDING))
    assert declines_in_a_row(run) == 0


def test_a_decline_choice_is_one_of_three_and_empty_means_other() -> None:
    assert decline_choice("") is DeclineChoice.OTHER
    assert decline_choice("no_time") is DeclineChoice.NO_TIME
    with pytest.raises(DomainError):
        decline_choice("too busy lol")


def test_reasons_are_shown_only_for_five_declines_or_more() -> None:
    four = [proposal(n, ProposalStatus.DECLINED, "no_time") for n in range(1, 5)]
    figures = capacity_figures(proposals=four, waitlisted=[], since=NOW - timedelta(7), now=NOW)
    assert (figures.declines, figures.reasons) == (4, {})
    five = [*four, proposal(5, ProposalStatus.DECLINED, "")]
    old = proposal(6, ProposalStatus.EXPIRED, days_ago=9)  # before the span: not counted
    figures = capacity_figures(
        proposals=[*five, old], waitlisted=[], since=NOW - timedelta(7), now=NOW
    )
    assert figures.reasons == {"no_time": 4, "not given": 1}
    assert figures.expired == 0


def test_only_waits_of_two_weeks_or_more_are_listed_longest_first() -> None:
    def waiting(mentee: str, days: float) -> MentorRequest:
        return MentorRequest(
            team_id="T1",
            mentee_id=mentee,
            goals="",
            focus_areas=[],
            organization="",
            wants_other_org=False,
            tz="UTC",
            status=RequestStatus.WAITLISTED,
            created_at=NOW - timedelta(days=days),
        )

    figures = capacity_figures(
        proposals=[],
        waitlisted=[waiting("UA", 13.9), waiting("UB", 30), waiting("UC", 14)],
        since=NOW - timedelta(7),
        now=NOW,
    )
    assert figures.waiting == [("UB", 30), ("UC", 14)]
    assert not figures.quiet
    stored = json.loads(json.dumps(encode(figures.payload(tz="Europe/Berlin"))))
    read = decode(Kind.CAPACITY_DIGEST, stored)
    assert isinstance(read, CapacityDigest)
    assert type(figures).from_payload(read) == figures


def test_the_digest_is_planned_for_the_next_monday_morning_in_the_programs_zone() -> None:
    sunday = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    assert next_digest(sunday, zone_name="Europe/Berlin", hour=9) == (
        "2026-W11",
        datetime(2026, 3, 9, 8, 0, tzinfo=UTC),
    )
    at_it = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # strictly after: the week after
    assert next_digest(at_it, zone_name="Europe/Berlin", hour=9)[0] == "2026-W12"


def check(kind: CheckKind, score: int | None, **answers: object) -> ProgressCheck:
    return ProgressCheck(
        team_id="T1",
        partnership_id=1,
        user_id="U1",
        kind=kind,
        round=1,
        answered_at=NOW,
        score=score,
        answers=dict(answers),
    )


def test_final_evaluations_and_exit_surveys_below_five_answers_show_no_figure() -> None:
    finals = [check(CheckKind.FINAL, 4, recommend=9) for _ in range(4)]
    exits = [check(CheckKind.EXIT, 5, again="yes") for _ in range(4)]
    rows = outcome_rows(finals, exits)
    assert set(rows.values()) == {TOO_FEW}

    finals.append(check(CheckKind.FINAL, 2, recommend=4))
    exits += [check(CheckKind.EXIT, None, again="no"), check(CheckKind.EXIT, 1)]
    rows = outcome_rows(finals, exits)
    assert rows["Final evaluations answered"] == "5"
    assert rows["Final evaluation: average rating (1-5)"] == "3.6"
    assert rows["Final evaluation: average recommend (0-10)"] == "8.0"
    assert rows["Exit surveys answered"] == "6"
    assert rows["Exit survey: average rating (1-5)"] == "4.2"  # (5*4 + 1) / 5
    assert rows["Exit survey: would take part again"] == "yes 4, maybe 0, no 1"
