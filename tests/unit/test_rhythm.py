"""The program's rhythm on fakes: what each job plans, what answers flag, and that a job run
twice plans and sends nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.errors import Conflict, DomainError
from bot.model.kinds import Kind
from bot.model.messages.rhythm import PlanMissing
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import (
    MentorProfile,
    MentorRequest,
    Partnership,
    PartnershipStatus,
    RequestStatus,
)
from bot.model.progress import CheckKind, RiskSignal
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionLog, SessionOutcome
from bot.outbox.dispatch import Dispatcher
from bot.rhythm.service import PROMPT_KINDS, RhythmService, longest_streak, plan_program
from bot.services import partnership_events
from tests.unit.fakes import FakeMessenger, FakeStore, FakeUnitOfWork, stored_payload

TEAM = "T0001"
MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday
RULES = ProgramRules(coordinators=("UCOORD1",))


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        partnership = uow.partnerships.save(  # the store's first ID: partnership 1
            Partnership(
                team_id=TEAM,
                mentor_id=MENTOR,
                mentee_id=MENTEE,
                request_id=101,
                started_at=START,
                ends_at=START + RULES.term,
            )
        )
        uow.mentors.save(
            MentorProfile(
                team_id=TEAM,
                user_id=MENTOR,
                expertise=["leadership"],
                bio="",
                organization="Acme",
                capacity=2,
                languages=["en"],
                tz="Europe/Berlin",
                id=100,
            )
        )
        uow.requests.save(
            MentorRequest(
                team_id=TEAM,
                mentee_id=MENTEE,
                goals="Lead a team",
                focus_areas=["leadership"],
                organization="Globex",
                wants_other_org=False,
                tz="Europe/London",
                status=RequestStatus.MATCHED,
                id=101,
            )
        )
        plan_program(uow, partnership, rules=RULES)
        uow.commit()
    return store


def run(store: FakeStore, at: datetime, rematched: list[int] | None = None) -> FakeMessenger:
    clock = FixedClock(at)
    service = rhythm(store, clock, rematched)
    messenger = FakeMessenger()
    Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=messenger,
        clock=clock,
        jobs={
            Kind.PULSE_ROUND: service.pulse_round,
            Kind.QUIET_CHECK: service.quiet_check,
            Kind.MIDTERM: service.midterm,
            Kind.TERM_NOTICE_DUE: service.term_notice,
            Kind.TERM_END: service.term_end,
        },
        worker="w1",
    ).run_once(at)
    return messenger


def rhythm(
    store: FakeStore, clock: FixedClock, rematched: list[int] | None = None
) -> RhythmService:
    def rematch(_uow: object, partnership: Partnership, _now: datetime) -> None:
        if rematched is not None:
            assert partnership.id is not None
            rematched.append(partnership.id)

    return RhythmService(
        uow=lambda: FakeUnitOfWork(store),
        clock=clock,
        rules=RULES,
        rematch=rematch,
        events=partnership_events(RULES),
    )


def pulses(store: FakeStore) -> list[OutgoingMessage]:
    return store.messages(kind=Kind.PULSE)


def test_a_new_partnership_plans_its_whole_rhythm_as_jobs(store: FakeStore) -> None:
    jobs = {
        m.kind: m.due_at
        for m in store.messages()
        if m.kind.startswith("job.") and m.kind != Kind.GOAL_CHECK_DUE
    }
    quarters = sorted(m.due_at for m in store.messages() if m.kind == Kind.GOAL_CHECK_DUE)
    assert [(q.month, q.day) for q in quarters] == [(6, 2), (9, 2), (12, 2)]  # from 2 March
    assert jobs == {
        Kind.PULSE_ROUND: START + timedelta(days=14),
        Kind.QUIET_CHECK: START + timedelta(days=14),
        Kind.FIT_CHECK_DUE: START + timedelta(days=21),
        Kind.MIDTERM: START + timedelta(days=182, hours=12),
        Kind.TERM_NOTICE_DUE: START + timedelta(days=351),
        Kind.TERM_END: START + timedelta(days=365),
    }


def test_a_pulse_round_asks_both_in_their_zone_and_plans_the_next(store: FakeStore) -> None:
    run(store, START + timedelta(days=14))
    asked = pulses(store)
    assert [(m.recipient, stored_payload(m)["tz"], stored_payload(m)["round"]) for m in asked] == [
        (MENTOR, "Europe/Berlin", 1),
        (MENTEE, "Europe/London", 1),
    ]
    assert all(m.coalesce_key and m.kind in PROMPT_KINDS for m in asked)
    nxt = store.message("rhythm:1:pulse-job:2")
    assert nxt.due_at == START + timedelta(days=28)


def test_a_pulse_job_run_twice_asks_once(store: FakeStore) -> None:
    job = store.message("rhythm:1:pulse-job:1")
    clock = FixedClock(START + timedelta(days=14))
    service = rhythm(store, clock)
    for _ in range(2):  # a replica that crashed after the job, before marking it done
        with FakeUnitOfWork(store) as uow:
            service.pulse_round(uow, job, clock.now())
            uow.commit()
    assert len(pulses(store)) == 2  # one each


def test_low_pulses_flag_once_and_coordinators_never_see_unshared_text(store: FakeStore) -> None:
    run(store, START + timedelta(days=14))
    service = rhythm(store, FixedClock(START + timedelta(days=14, hours=1)))
    answer = service.answer_pulse(
        team_id=TEAM, user_id=MENTEE, partnership_id=1, round_no=1, score=2
    )
    assert answer.flagged
    again = service.answer_pulse(
        team_id=TEAM, user_id=MENTEE, partnership_id=1, round_no=1, score=1
    )
    assert not again.flagged
    service.note_pulse(
        team_id=TEAM, user_id=MENTEE, partnership_id=1, round_no=1, note="Hard", share=False
    )
    alerts = store.messages(kind=Kind.COORDINATOR_AT_RISK)
    assert len(alerts) == 1 and "Hard" not in str(stored_payload(alerts[0]))
    assert stored_payload(alerts[0])["detail"] == "the mentee rated the partnership 2/5"
    with pytest.raises(DomainError):
        service.answer_pulse(team_id=TEAM, user_id=MENTEE, partnership_id=1, round_no=1, score=6)
    with pytest.raises(DomainError):
        service.answer_pulse(
            team_id=TEAM, user_id="USTRANGER", partnership_id=1, round_no=1, score=3
        )


def test_two_unanswered_pulses_flag_the_silent_partner_only(store: FakeStore) -> None:
    service = rhythm(store, FixedClock(START))
    for round_no in (1, 2, 3, 4):
        run(store, START + timedelta(days=14 * round_no))
        service._clock = FixedClock(START + timedelta(days=14 * round_no, hours=1))
        service.answer_pulse(
            team_id=TEAM, user_id=MENTEE, partnership_id=1, round_no=round_no, score=4
        )
    with FakeUnitOfWork(store) as uow:
        flagged = [
            (f.signal, f.occasion)
            for f in uow.progress.flags(TEAM)
            if f.signal is not RiskSignal.QUIET  # they never log a session here either
        ]
    assert flagged == [(RiskSignal.UNANSWERED_PULSES, f"pulse2:{MENTOR}")]


def test_a_session_met_restarts_the_quiet_clock(store: FakeStore) -> None:
    run(store, START + timedelta(days=10))
    with FakeUnitOfWork(store) as uow:
        uow.sessions.add_log(
            SessionLog(
                team_id=TEAM,
                partnership_id=1,
                occurrence_start=START + timedelta(days=8),
                outcome=SessionOutcome.MET,
                answered_by=MENTEE,
                answered_at=START + timedelta(days=8),
            )
        )
        uow.commit()
    run(store, START + timedelta(days=21))
    assert store.messages(kind=Kind.QUIET_NUDGE) == []
    run(store, START + timedelta(days=22))
    nudges = store.messages(kind=Kind.QUIET_NUDGE)
    assert [(m.recipient, stored_payload(m)["days"]) for m in nudges] == [(MENTEE, 14)]


def test_a_declared_holiday_pauses_the_ladder_for_the_pair_until_the_return(
    store: FakeStore,
) -> None:
    with FakeUnitOfWork(store) as uow:
        preferences = uow.sessions.preferences(TEAM, MENTEE)
        preferences.away_until = (START + timedelta(days=30)).date()
        uow.sessions.save_preferences(preferences)
        uow.commit()
    run(store, START + timedelta(days=29))
    assert store.messages(kind=Kind.QUIET_NUDGE) == []  # the partner can't meet them either
    assert store.messages(kind=Kind.COORDINATOR_AT_RISK) == []  # away is not quiet
    back = [m for m in store.messages(kind=Kind.QUIET_CHECK) if m.status is MessageStatus.PENDING]
    assert [m.due_at.date() for m in back] == [(START + timedelta(days=30)).date()]


def test_ending_cancels_every_pending_prompt_and_rematches_the_mentee(store: FakeStore) -> None:
    run(store, START + timedelta(days=14))
    rematched: list[int] = []
    service = rhythm(store, FixedClock(START + timedelta(days=15)), rematched)
    with pytest.raises(DomainError) as refused:
        service.end(team_id=TEAM, user_id=MENTOR, partnership_id=1, reason="blame")
    assert refused.value.field == "reason"
    ended = service.end(
        team_id=TEAM, user_id=MENTOR, partnership_id=1, reason="schedule", note="Too busy"
    )
    assert ended.partner_id == MENTEE and rematched == [1]
    pending = [
        m.key
        for m in store.messages()
        if m.status is MessageStatus.PENDING and m.key.startswith("rhythm:1:")
    ]
    assert pending == []
    to_mentee = store.messages(kind=Kind.PARTNERSHIP_ENDED)
    assert [m.recipient for m in to_mentee] == [MENTEE]
    assert "Too busy" not in str(stored_payload(to_mentee[0])) and "schedule" not in str(
        stored_payload(to_mentee[0])
    )
    assert stored_payload(store.messages(kind=Kind.COORDINATOR_ENDED)[0])["note"] == "Too busy"
    with pytest.raises(Conflict):
        service.end(team_id=TEAM, user_id=MENTEE, partnership_id=1, reason="fit")


def test_extending_moves_the_end_and_keeps_the_pulses_coming(store: FakeStore) -> None:
    notice_at = START + timedelta(days=351)
    service = rhythm(store, FixedClock(START + timedelta(days=100)))
    unchanged = service.extend(team_id=TEAM, user_id=MENTEE, partnership_id=1)
    assert unchanged.ends_at == START + timedelta(days=365)  # too early to extend
    service = rhythm(store, FixedClock(notice_at + timedelta(hours=2)))
    extended = service.extend(team_id=TEAM, user_id=MENTEE, partnership_id=1)
    assert extended.ends_at == START + timedelta(days=455)
    twice = service.extend(team_id=TEAM, user_id=MENTOR, partnership_id=1)
    assert twice.ends_at == START + timedelta(days=455)  # both clicked: extended once
    # The old end is gone; the new one is planned, and so is the next pulse round.
    assert store.message(f"rhythm:1:term-end-job:{'20270302T1500Z'}").status is (
        MessageStatus.CANCELLED
    )
    assert store.message("rhythm:1:term-end-job:20270531T1500Z").status is MessageStatus.PENDING
    assert store.message("rhythm:1:pulse-job:26").status is MessageStatus.PENDING


def test_the_term_end_closes_the_pair_and_asks_for_the_final_evaluation(store: FakeStore) -> None:
    end = START + timedelta(days=365)
    with FakeUnitOfWork(store) as uow:
        uow.outbox.cancel(TEAM, "rhythm:1:pulse-job")  # only the end matters here
        uow.commit()
    run(store, end)
    with FakeUnitOfWork(store) as uow:
        partnership = uow.partnerships.get(TEAM, 1)
        assert partnership is not None and partnership.status is PartnershipStatus.COMPLETED
    assert sorted(m.recipient for m in store.messages(kind=Kind.FINAL_EVALUATION)) == [
        MENTEE,
        MENTOR,
    ]
    service = rhythm(store, FixedClock(end + timedelta(hours=1)))
    service.answer_final(
        team_id=TEAM, user_id=MENTEE, partnership_id=1, rating=5, recommend=10, changed="All"
    )
    numbers = {m.key: m.status for m in store.messages(kind=Kind.YEAR_IN_NUMBERS)}
    assert numbers == {
        f"rhythm:1:numbers:{MENTOR}": MessageStatus.PENDING,
        f"rhythm:1:numbers:{MENTEE}": MessageStatus.CANCELLED,
        f"rhythm:1:numbers:{MENTEE}:after-evaluation": MessageStatus.PENDING,
    }
    with pytest.raises(DomainError) as refused:
        service.answer_final(
            team_id=TEAM, user_id=MENTOR, partnership_id=1, rating=5, recommend=11, changed=""
        )
    assert refused.value.field == "recommend"
    with FakeUnitOfWork(store) as uow:
        final = uow.progress.check(TEAM, 1, MENTEE, CheckKind.FINAL, 1)
        assert final is not None and final.answers == {"recommend": 10} and final.note == "All"


def test_midterm_answers_aggregate_for_coordinators_without_text(store: FakeStore) -> None:
    service = rhythm(store, FixedClock(START + timedelta(days=183)))
    for user, progress, rhythm_ in ((MENTEE, 4, "as_planned"), (MENTOR, 3, "less_often")):
        service.answer_midterm(
            team_id=TEAM,
            user_id=user,
            partnership_id=1,
            progress=progress,
            rhythm=rhythm_,
            change="private words",
        )
    summary = service.midterm_summary(TEAM)
    assert summary.answered == 2 and summary.average_progress == 3.5
    assert summary.rhythms == {"as_planned": 1, "less_often": 1, "rarely": 0}
    assert "private words" not in repr(summary)


def test_longest_streak_counts_weekly_runs() -> None:
    weeks = [START + timedelta(weeks=n) for n in (0, 1, 2, 4, 5, 6, 7)]
    assert longest_streak(weeks) == 4
    assert longest_streak([]) == 0


def test_pairs_matched_before_the_rhythm_get_one_at_start_and_planned_pairs_are_left_alone(
    store: FakeStore,
) -> None:
    with FakeUnitOfWork(store) as uow:
        older = uow.partnerships.save(
            Partnership(
                team_id=TEAM,
                mentor_id="UMENTOR2",
                mentee_id="UMENTEE2",
                request_id=None,
                started_at=START - timedelta(days=300),
                ends_at=START + timedelta(days=65),
            )
        )
        uow.commit()
    before = {m.key for m in store.messages() if m.key.startswith("rhythm:1:")}
    service = rhythm(store, FixedClock(START))
    assert service.plan_missing() == 2
    assert service.plan_missing() == 2  # again at the next start: nothing new
    assert {m.key for m in store.messages() if m.key.startswith("rhythm:1:")} == before
    planned = {m.kind for m in store.messages() if m.key.startswith(f"rhythm:{older.id}:")}
    # The mid-term (day 182) is long past: not asked out of the blue; the rest is planned.
    assert planned == {Kind.PULSE_ROUND, Kind.QUIET_CHECK, Kind.TERM_NOTICE_DUE, Kind.TERM_END}
    run(store, START)
    # The first round is long past: the catch-up asks the current round only, once.
    assert {stored_payload(m)["round"] for m in pulses(store)} == {21}


def test_the_year_in_numbers_counts_goals_reached_and_milestones(store: FakeStore) -> None:
    from bot.model.journal import Goal, GoalStatus, Milestone
    from bot.rhythm.service import year_in_numbers

    with FakeUnitOfWork(store) as uow:
        for position, status in enumerate(
            (GoalStatus.DONE, GoalStatus.IN_PROGRESS, GoalStatus.DONE)
        ):
            uow.journal.save_goal(
                Goal(
                    team_id=TEAM,
                    partnership_id=1,
                    text=f"g{position}",
                    position=position,
                    status=status,
                )
            )
        uow.journal.add_milestone(
            Milestone(
                team_id=TEAM, partnership_id=1, key="sessions:1", title="First", achieved_at=START
            )
        )
        uow.commit()
    with FakeUnitOfWork(store) as uow:
        partnership = uow.partnerships.get(TEAM, 1)
        assert partnership is not None
        numbers = year_in_numbers(uow, partnership, MENTEE)
    assert (numbers.goals_done, numbers.milestones, numbers.partner_id) == (2, 1, MENTOR)


def test_a_start_plans_older_pairs_in_the_background_a_chunk_per_job(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.rhythm.service.PLANNING_CHUNK", 2)
    with FakeUnitOfWork(store) as uow:  # four pairs from before the rhythm: nothing planned
        older = [
            uow.partnerships.save(
                Partnership(
                    team_id=TEAM,
                    mentor_id=f"UMENTOR{n}",
                    mentee_id=f"UMENTEE{n + 10}",
                    request_id=None,
                    started_at=START - timedelta(days=30),
                    ends_at=START + timedelta(days=300),
                )
            )
            for n in range(4)
        ]
        uow.commit()
    clock = FixedClock(START)
    service = rhythm(store, clock)

    service.plan_missing_later()  # what `mentorbot serve` does before its workers start

    assert not any(m.key.startswith(f"rhythm:{older[0].id}:") for m in store.messages())
    chain = [m for m in store.messages() if m.kind == Kind.PLAN_MISSING]
    assert [(m.payload_as(PlanMissing).after_id, m.due_at) for m in chain] == [(0, START)]
    report = Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=FakeMessenger(),
        clock=clock,
        jobs={Kind.PLAN_MISSING: service.plan_missing_step},
        worker="w",
    ).run_once()

    # pairs 1 (planned when it started), then the four older ones: three chunks of two
    assert report.jobs == 3
    for partnership in older:
        planned = {
            m.kind for m in store.messages() if m.key.startswith(f"rhythm:{partnership.id}:")
        }
        assert {Kind.PULSE_ROUND, Kind.QUIET_CHECK, Kind.TERM_END} <= planned
    chain = [m for m in store.messages() if m.kind == Kind.PLAN_MISSING]
    assert {m.status for m in chain} == {MessageStatus.SENT}
    before = len(store.messages())
    service.plan_missing_later()  # the next start: the same chain, nothing planned twice
    clock.advance(timedelta(minutes=1))
    service.plan_missing_later()
    Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=FakeMessenger(),
        clock=clock,
        jobs={Kind.PLAN_MISSING: service.plan_missing_step},
        worker="w",
    ).run_once()
    assert {m.kind for m in store.messages()[before:]} == {Kind.PLAN_MISSING}
