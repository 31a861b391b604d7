"""`/mentor match` shown as it goes, on fakes: "working it out" first, each step on that
message, the outcome in its place; one plan at a time per workspace; failures said kindly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.matching import cohorts as cohorts_module
from bot.matching.cohorts import CohortService
from bot.model.cohort import CohortPlan, PlanProgress, PlanStage, PlanStatus
from bot.model.kinds import Kind
from bot.model.messages.coordination import (
    CohortFailed,
    CohortPlanning,
    CohortReady,
    PlanCohort,
)
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.rules import OneProgram
from bot.outbox.dispatch import Dispatcher
from bot.ports import SendOutcome, SendResult
from bot.roster import Roster
from tests.unit.fakes import FakeCohortPlanRepository, FakeMessenger, FakeUnitOfWork
from tests.unit.test_matching_service import RULES, TEAM, Program

COORDINATOR = "UCOORD1"
POSTED = SendResult(SendOutcome.SENT, channel="DCOORD1", ts="1772442000.000100")


@dataclass
class Board:
    """The ``PlanningBoard`` port as a list of what it was told, in order."""

    told: list[tuple[Any, ...]] = field(default_factory=list)

    def show(
        self,
        team_id: str,
        channel: str,
        ts: str,
        planning: CohortPlanning,
        progress: PlanProgress,
    ) -> None:
        self.told.append(("show", team_id, channel, ts, planning.plan_id, progress))

    def done(self, channel: str, ts: str) -> None:
        self.told.append(("done", channel, ts))


class Cohort:
    """Mentors and mentees on a fake store, the cohort service over it, and a dispatcher."""

    def __init__(self, clock: FixedClock, *, mentees: int = 3) -> None:
        self.program = Program(clock)
        self.clock = clock
        self.store = self.program.store
        self.board = Board()
        self.service = CohortService(
            uow=self.program._uow,
            clock=clock,
            roster=Roster(uow=self.program._uow, rules=RULES),
            programs=OneProgram(RULES),
            board=self.board,
        )
        self.program.offer("UMENTOR1", capacity=2)
        self.program.offer("UMENTOR2", capacity=1)
        for n in range(mentees):
            self.program.ask(f"UMENTEE{n}")
        self.dispatch()  # their suggestions: out of the way

    def ask(self, coordinator: str = COORDINATOR) -> cohorts_module.Planning:
        return self.service.plan_later(
            team_id=TEAM, coordinator_id=coordinator, include_choosing=True
        )

    def dispatch(self, *results: SendResult) -> FakeMessenger:
        messenger = FakeMessenger(results)
        Dispatcher(
            uow=self.program._uow,
            messenger=messenger,
            clock=self.clock,
            jobs={Kind.PLAN_COHORT: self.service.plan_job},
            job_failures={Kind.PLAN_COHORT: self.service.job_failed},  # as mentorbot wires it
            worker="test",
        ).run_once()
        return messenger

    def of(self, kind: str) -> list[OutgoingMessage]:
        return self.store.messages(kind=kind)


@pytest.fixture
def cohort(clock: FixedClock) -> Cohort:
    return Cohort(clock)


def test_asking_says_how_many_and_since_when_then_plans_in_the_background(
    cohort: Cohort, clock: FixedClock
) -> None:
    planning = cohort.ask()
    assert planning.started
    assert planning.plan.status is PlanStatus.PLANNING
    # Nothing is worked out in the request: the message, then the job, both due now.
    [message] = cohort.of(Kind.COHORT_PLANNING)
    [job] = cohort.of(Kind.PLAN_COHORT)
    assert message.id is not None and job.id is not None and message.id < job.id
    assert message.recipient == COORDINATOR and message.due_at == job.due_at == clock.now()
    assert message.payload == CohortPlanning(
        plan_id=planning.plan.id or 0,
        asked_at=clock.now().isoformat(),
        include_choosing=True,
        mentees=3,
        mentors=2,
    )
    assert job.payload_as(PlanCohort).plan_id == planning.plan.id
    assert not cohort.of(Kind.COHORT_READY)


def test_each_step_is_shown_on_the_message_and_the_outcome_takes_its_place(
    cohort: Cohort,
) -> None:
    plan = cohort.ask().plan
    messenger = cohort.dispatch(POSTED)
    # The message went first; the job then showed the planner's steps on it, in order, with
    # the sizes it found, and let go of it before the outcome was queued.
    assert [m.kind for m in messenger.asked] == [Kind.COHORT_PLANNING, Kind.COHORT_READY]
    shown = [t for t in cohort.board.told if t[0] == "show"]
    assert [t[-1].stage for t in shown] == [
        PlanStage.SCORING,
        PlanStage.SOLVING,
        PlanStage.EXPLAINING,
    ]
    assert {t[1:5] for t in shown} == {(TEAM, POSTED.channel, POSTED.ts, plan.id)}
    assert shown[0][-1] == PlanProgress(
        stage=PlanStage.SCORING, mentees=3, mentors=2, places=3, program=1, programs=1
    )
    assert cohort.board.told[-1] == ("done", POSTED.channel, POSTED.ts)
    [ready] = cohort.of(Kind.COHORT_READY)
    payload = ready.payload_as(CohortReady)
    assert (payload.channel, payload.ts) == (POSTED.channel, POSTED.ts)  # drawn over it
    assert (payload.plan_id, payload.pairs, payload.unmatched) == (plan.id, 3, 0)
    saved = cohort.service.plan(team_id=TEAM, coordinator_id=COORDINATOR, plan_id=plan.id or 0)
    assert saved.status is PlanStatus.READY and len(saved.pairs) == 3


def test_a_second_ask_while_one_is_planned_is_told_so_and_plans_nothing_more(
    cohort: Cohort,
) -> None:
    first = cohort.ask()
    again = cohort.ask("UCOORD2")
    assert not again.started
    assert again.plan.id == first.plan.id and again.plan.created_by == COORDINATOR
    assert len(cohort.of(Kind.PLAN_COHORT)) == len(cohort.of(Kind.COHORT_PLANNING)) == 1
    # Once it is ready, a new ask plans anew.
    cohort.dispatch(POSTED)
    third = cohort.ask()
    assert third.started and third.plan.id != first.plan.id


def test_a_plan_that_fails_is_said_kindly_in_place_and_can_be_asked_again(
    cohort: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise MemoryError

    plan = cohort.ask().plan
    monkeypatch.setattr(cohorts_module, "assign_cohort", broken)
    cohort.dispatch(POSTED)
    [failed] = cohort.of(Kind.COHORT_FAILED)
    assert failed.payload == CohortFailed(
        plan_id=plan.id or 0,
        asked_at=plan.created_at.isoformat(),
        include_choosing=True,
        channel=POSTED.channel,
        ts=POSTED.ts,
    )
    assert failed.status is MessageStatus.SENT  # told in the same pass
    assert not cohort.of(Kind.COHORT_READY)
    assert cohort.board.told[-1] == ("done", POSTED.channel, POSTED.ts)
    assert cohort.store.messages(kind=Kind.MENTOR_REQUEST) == []  # nobody was asked
    monkeypatch.undo()
    again = cohort.ask()
    assert again.started
    cohort.dispatch(POSTED)
    assert len(cohort.of(Kind.COHORT_READY)) == 1


def test_a_plan_whose_job_died_for_good_no_longer_blocks_the_next_ask(cohort: Cohort) -> None:
    """Its job's own transaction failed (the dispatcher marked it failed): nothing will finish
    the plan, so the next ask retires it and starts anew."""
    stuck = cohort.ask().plan
    with FakeUnitOfWork(cohort.store) as uow:
        for row in cohort.store.state.outbox.values():
            if row.message.kind == Kind.PLAN_COHORT:
                row.message.status = MessageStatus.FAILED
        uow.commit()
    again = cohort.ask()
    assert again.started and again.plan.id != stuck.id
    with FakeUnitOfWork(cohort.store) as uow:
        retired = uow.cohort_plans.get(TEAM, stuck.id or 0)
    assert retired is not None and retired.status is PlanStatus.FAILED


def test_a_job_that_dies_mid_plan_is_run_again_and_tells_ready_once(
    cohort: Cohort, clock: FixedClock
) -> None:
    plan = cohort.ask().plan
    [job] = cohort.of(Kind.PLAN_COHORT)
    with FakeUnitOfWork(cohort.store) as uow:  # a run whose process dies before its commit
        cohort.service.plan_job(uow, job, clock.now())
    assert not cohort.of(Kind.COHORT_READY)
    cohort.dispatch(POSTED)  # its row is claimed again: the job runs from the start
    [planning] = cohort.of(Kind.COHORT_PLANNING)
    assert planning.status is MessageStatus.SENT  # the dead run's changes left no trace
    assert len(cohort.of(Kind.COHORT_READY)) == 1
    [job] = cohort.of(Kind.PLAN_COHORT)
    with FakeUnitOfWork(cohort.store) as uow:  # and once more, after it had finished
        cohort.service.plan_job(uow, job, clock.now())
        uow.commit()
    assert len(cohort.of(Kind.COHORT_READY)) == 1
    saved = cohort.service.plan(team_id=TEAM, coordinator_id=COORDINATOR, plan_id=plan.id or 0)
    assert saved.status is PlanStatus.READY


def test_a_message_not_posted_yet_is_cancelled_and_the_outcome_posted_on_its_own(
    cohort: Cohort,
) -> None:
    cohort.ask()
    cohort.dispatch(SendResult(SendOutcome.RETRY, error="http 503"))  # "working it out" waits
    [planning] = cohort.of(Kind.COHORT_PLANNING)
    assert planning.status is MessageStatus.CANCELLED  # it would come after the outcome
    [ready] = cohort.of(Kind.COHORT_READY)
    assert ready.payload_as(CohortReady).ts is None  # posted, nothing to draw over
    assert cohort.board.told == []  # nothing to show progress on


def test_each_program_is_shown_as_one_of_how_many(cohort: Cohort) -> None:
    with FakeUnitOfWork(cohort.store) as uow:  # one mentee and one mentor in another program
        mentor = uow.mentors.get(TEAM, "UMENTOR2")
        [request] = [r for r in cohort.store.requests() if r.mentee_id == "UMENTEE0"]
        assert mentor is not None
        mentor.program_id = request.program_id = 7
        uow.mentors.save(mentor)
        uow.requests.save(request)
        uow.commit()
    cohort.ask()
    cohort.dispatch(POSTED)
    shown = [t[-1] for t in cohort.board.told if t[0] == "show"]
    assert {(p.program, p.programs, p.stage) for p in shown} == {
        (n, 2, stage)
        for n in (1, 2)
        for stage in (PlanStage.SCORING, PlanStage.SOLVING, PlanStage.EXPLAINING)
    }


def test_a_job_queued_by_the_release_before_still_plans_and_says_ready(
    cohort: Cohort, clock: FixedClock
) -> None:
    asked = datetime(2026, 3, 2, 9, 0, tzinfo=clock.now().tzinfo)
    with FakeUnitOfWork(cohort.store) as uow:
        uow.outbox.add(
            OutgoingMessage(
                team_id=TEAM,
                kind=Kind.PLAN_COHORT,
                recipient=COORDINATOR,
                key=f"cohort:{COORDINATOR}:{asked.isoformat()}",
                due_at=clock.now(),
                payload=PlanCohort(include_choosing=True, asked_at=asked.isoformat()),
            )
        )
        uow.commit()
    cohort.dispatch()
    [ready] = cohort.of(Kind.COHORT_READY)
    payload = ready.payload_as(CohortReady)
    assert payload.pairs == 3 and payload.ts is None
    assert cohort.board.told == []


def test_a_job_whose_own_transaction_fails_tells_the_coordinator_in_place(
    cohort: Cohort, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses the finished plan (not the planner failing): the job's
    transaction rolls back and the dispatcher runs the cohort's follow-up in a new one, so
    the "working it out" message becomes "couldn't finish" instead of staying so forever;
    a second call of the follow-up does nothing more."""
    plan = cohort.ask().plan
    original = FakeCohortPlanRepository.save

    def refused(self: FakeCohortPlanRepository, saved: CohortPlan) -> CohortPlan:
        if saved.status is PlanStatus.READY:
            raise RuntimeError("the database refused the plan")
        return original(self, saved)

    monkeypatch.setattr(FakeCohortPlanRepository, "save", refused)
    cohort.dispatch(POSTED, POSTED)  # "working it out" posted, then its job, which fails
    cohort.dispatch(POSTED)
    [planning] = cohort.of(Kind.COHORT_PLANNING)
    [job] = cohort.of(Kind.PLAN_COHORT)
    assert job.status is MessageStatus.FAILED
    [failed] = cohort.of(Kind.COHORT_FAILED)
    assert failed.payload == CohortFailed(
        plan_id=plan.id or 0,
        asked_at=plan.created_at.isoformat(),
        include_choosing=True,
        channel=planning.sent_channel,
        ts=planning.sent_ts,
    )
    assert not cohort.of(Kind.COHORT_READY)
    with FakeUnitOfWork(cohort.store) as uow:
        retired = uow.cohort_plans.get(TEAM, plan.id or 0)
        cohort.service.job_failed(uow, job, cohort.clock.now())  # once more: nothing new
        uow.commit()
    assert retired is not None and retired.status is PlanStatus.FAILED
    assert len(cohort.of(Kind.COHORT_FAILED)) == 1
