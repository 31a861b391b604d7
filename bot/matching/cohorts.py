"""Cohort matching: a coordinator has everyone waiting assigned at once to the mentors'
free places, then approves pairs (or leaves some out); each approved pair's mentor is asked
exactly as when a mentee picks them. Every step is in the audit log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import Clock
from bot.errors import NotAllowed, NotFound
from bot.matching.cohort import (
    CohortInput,
    CohortResult,
    assign_cohort,
    describe_result,
)
from bot.matching.cohort_board import Board, job_key, plan_key, planning_key, quiet
from bot.matching.companies import Companies
from bot.matching.scores import Candidate, is_eligible, profile_texts, score_mentor
from bot.matching.suggestions import (
    ask_mentor,
    excluded_for_cohort,
    program_people,
    with_company,
)
from bot.matching.text import ProfileTexts
from bot.model.cohort import (
    CohortPlan,
    PairState,
    PlannedPair,
    PlanStatus,
)
from bot.model.kinds import Kind
from bot.model.messages.coordination import CohortFailed, CohortPlanning, CohortReady, PlanCohort
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import MentorProfile, MentorRequest, RequestStatus
from bot.model.rules import ProgramRules
from bot.ports import CohortWork, PlanningBoard, ProgramRulesSource, record_audit
from bot.roster import Roster

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planning:
    """What `/mentor match` found: the plan it started, or (``started`` False) the one
    already being worked out in the workspace, by whoever asked for it."""

    plan: CohortPlan
    started: bool = False


class CohortService:
    def __init__(
        self,
        *,
        uow: Callable[[], CohortWork],
        clock: Clock,
        roster: Roster,
        programs: ProgramRulesSource,
        board: PlanningBoard | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roster = roster
        self._programs = programs
        self._board = board  # None: nobody watches (tests of the plan, the benchmark)

    def _require(self, user_id: str, team_id: str) -> None:
        if not self._roster.is_coordinator(team_id, user_id):
            raise NotAllowed(
                "That is for the program's coordinators. If you think you should be one, "
                "ask your program team to add you."
            )

    def plan_cohort(
        self, *, team_id: str, coordinator_id: str, include_choosing: bool = False
    ) -> CohortPlan:
        """The best assignment of everyone waiting to the mentors' free places.

        Waitlisted mentees always; with ``include_choosing`` also those who have suggestions
        and have not picked yet. Nothing is sent until the coordinator approves.
        """
        self._require(coordinator_id, team_id)
        with self._uow() as uow:
            plan = self._plan_in(
                uow,
                team_id=team_id,
                coordinator_id=coordinator_id,
                include_choosing=include_choosing,
                now=self._clock.now(),
            )
            uow.commit()
            return plan

    def plan_later(
        self, *, team_id: str, coordinator_id: str, include_choosing: bool = False
    ) -> Planning:
        """``plan_cohort`` as a job in the outbox: a cohort of thousands takes seconds, so it
        is never worked out in a request.

        The plan is saved at once as ``PLANNING`` (one per workspace: a second ask, by anyone,
        is answered with the one under way), and two rows are queued in that transaction: the
        coordinator's "working it out" message (``COHORT_PLANNING``: how many are waiting,
        since when), then the job, which edits that message as it goes and puts the outcome
        in its place. A plan whose job ended without finishing it (the job's own transaction
        failed) no longer blocks: it is marked failed here and a new one starts."""
        self._require(coordinator_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            under_way = uow.cohort_plans.planning(team_id)
            if under_way is not None and self._abandoned(uow, under_way):
                under_way.status = PlanStatus.FAILED
                uow.cohort_plans.save(under_way)
                under_way = None
            plan = CohortPlan(
                team_id=team_id,
                created_by=coordinator_id,
                created_at=now,
                pairs=[],
                status=PlanStatus.PLANNING,
                include_choosing=include_choosing,
            )
            if under_way is not None or not uow.cohort_plans.start(plan):
                uow.commit()  # an abandoned plan's failure, if that was all
                return Planning(plan=under_way or uow.cohort_plans.planning(team_id) or plan)
            plan_id = plan.id or 0
            statuses = _waiting(include_choosing)
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team_id,
                    kind=Kind.COHORT_PLANNING,
                    recipient=coordinator_id,
                    key=planning_key(plan_id),
                    due_at=now,
                    payload=CohortPlanning(
                        plan_id=plan_id,
                        asked_at=now.isoformat(),
                        include_choosing=include_choosing,
                        mentees=uow.requests.count_in_status(team_id, statuses, shared=True),
                        mentors=uow.mentors.count_pool(team_id),
                    ),
                )
            )
            uow.outbox.add(  # after it: claimed in (due, id) order, so the message goes first
                OutgoingMessage(
                    team_id=team_id,
                    kind=Kind.PLAN_COHORT,
                    recipient=coordinator_id,
                    key=job_key(plan_id),
                    due_at=now,
                    payload=PlanCohort(
                        include_choosing=include_choosing,
                        asked_at=now.isoformat(),
                        plan_id=plan_id,
                    ),
                )
            )
            record_audit(
                uow.audit,
                team_id=team_id,
                actor=coordinator_id,
                action="cohort.ask",
                subject=f"plan:{plan_id}",
                at=now,
            )
            uow.commit()
            return Planning(plan=plan, started=True)

    @staticmethod
    def _abandoned(uow: CohortWork, plan: CohortPlan) -> bool:
        """Its job is over (failed, cancelled, gone) and it is still ``PLANNING``: nothing
        will finish it. A job waiting or claimed (even by a worker that died: its lease runs
        out and it is run again) still will."""
        status = uow.outbox.status_of(plan.team_id, job_key(plan.id or 0))
        return status not in (MessageStatus.PENDING, MessageStatus.SENDING)

    def plan_job(self, uow: CohortWork, message: OutgoingMessage, now: datetime) -> None:
        """The job: work the plan out, showing its steps on the coordinator's message, keep
        it, and queue the outcome in that message's place.

        Exactly once, however often it runs: a run that dies mid-plan commits nothing, and
        the next run works out the same plan again (its progress edits redraw the same
        message; the outcome is keyed by plan). If the planner itself fails, the plan is
        marked failed and the coordinator is told kindly, with a button to ask again."""
        job = message.payload_as(PlanCohort)
        if job.plan_id is None:  # queued by a release that saved plans only when ready
            self._plan_unannounced(uow, message, job, now)
            return
        team_id = message.team_id
        plan = uow.cohort_plans.get(team_id, job.plan_id)
        if plan is None or plan.status is not PlanStatus.PLANNING:
            return  # done already, or the workspace's data is gone
        board = Board.find(uow, plan, self._board)
        try:
            result = self._assign_by_program(
                uow, team_id, self._requests(uow, team_id, plan.include_choosing), now, board
            )
        except Exception:
            log.exception("cohort plan %s of %s could not be worked out", plan.id, team_id)
            board.done()
            self._tell_failed(uow, message, plan, job, now, board=board)
            return
        board.done()
        self._keep(uow, plan, result, now)
        self._tell_ready(uow, message, plan, job.asked_at, channel=board.channel, ts=board.ts)

    def job_failed(self, uow: CohortWork, message: OutgoingMessage, now: datetime) -> None:
        """The job's own transaction failed (the database refused something mid-plan): the
        dispatcher has rolled it back and calls this in a new one, so the coordinator's
        "working it out" message does not stay so forever. The plan is marked failed and the
        coordinator is told, with Try again, as when the planner itself fails. Only a plan
        still planning is touched (a run that got further, or a second call, does nothing)."""
        job = message.payload_as(PlanCohort)
        if job.plan_id is None:
            return
        plan = uow.cohort_plans.get(message.team_id, job.plan_id)
        if plan is None or plan.status is not PlanStatus.PLANNING:
            return
        self._tell_failed(uow, message, plan, job, now, board=Board.find(uow, plan, None))

    @staticmethod
    def _tell_failed(
        uow: CohortWork,
        message: OutgoingMessage,
        plan: CohortPlan,
        job: PlanCohort,
        now: datetime,
        *,
        board: Board,
    ) -> None:
        plan.status = PlanStatus.FAILED
        uow.cohort_plans.save(plan)
        uow.outbox.add(
            OutgoingMessage(
                team_id=message.team_id,
                kind=Kind.COHORT_FAILED,
                recipient=message.recipient,
                key=plan_key(plan.id or 0) + "failed",
                due_at=now,
                payload=CohortFailed(
                    plan_id=plan.id or 0,
                    asked_at=job.asked_at,
                    include_choosing=plan.include_choosing,
                    channel=board.channel,
                    ts=board.ts,
                ),
            )
        )

    def _plan_unannounced(
        self, uow: CohortWork, message: OutgoingMessage, job: PlanCohort, now: datetime
    ) -> None:
        """A job queued before plans were saved first: planned and announced as it was."""
        plan = self._plan_in(
            uow,
            team_id=message.team_id,
            coordinator_id=message.recipient,
            include_choosing=job.include_choosing,
            now=now,
        )
        self._tell_ready(uow, message, plan, job.asked_at, channel=None, ts=None)

    def _tell_ready(
        self,
        uow: CohortWork,
        message: OutgoingMessage,
        plan: CohortPlan,
        asked_at: str,
        *,
        channel: str | None,
        ts: str | None,
    ) -> None:
        done_at = self._clock.now()  # the planning took place since the job's ``now``
        seconds = (done_at - datetime.fromisoformat(asked_at)).total_seconds()
        uow.outbox.add(
            OutgoingMessage(
                team_id=message.team_id,
                kind=Kind.COHORT_READY,
                recipient=message.recipient,
                key=plan_key(plan.id or 0) + "ready",
                due_at=done_at,
                payload=CohortReady(
                    plan_id=plan.id or 0,
                    pairs=len(plan.pairs),
                    unmatched=len(plan.unmatched),
                    seconds=round(max(0.0, seconds), 1),
                    asked_at=asked_at,
                    channel=channel,
                    ts=ts,
                ),
            )
        )

    @staticmethod
    def _requests(uow: CohortWork, team_id: str, include_choosing: bool) -> list[MentorRequest]:
        return uow.requests.in_status(team_id, _waiting(include_choosing), shared=True)

    def _plan_in(
        self,
        uow: CohortWork,
        *,
        team_id: str,
        coordinator_id: str,
        include_choosing: bool,
        now: datetime,
    ) -> CohortPlan:
        requests = self._requests(uow, team_id, include_choosing)
        result = self._assign_by_program(uow, team_id, requests, now)
        plan = CohortPlan(
            team_id=team_id,
            created_by=coordinator_id,
            created_at=now,
            pairs=[],
            include_choosing=include_choosing,
        )
        return self._keep(uow, plan, result, now)

    @staticmethod
    def _keep(uow: CohortWork, plan: CohortPlan, result: CohortResult, now: datetime) -> CohortPlan:
        plan.pairs = [
            PlannedPair(
                request_id=a.request.id or 0,
                mentee_id=a.request.mentee_id,
                mentor_id=a.mentor.user_id,
                score=a.score,
                reason=a.reason,  # in a shared program, already "from <Company>, ..."
            )
            for a in result.assignments
        ]
        plan.unmatched = [r.mentee_id for r in result.unmatched]
        plan.total_fit = result.total_fit
        plan.status = PlanStatus.READY
        uow.cohort_plans.save(plan)
        record_audit(
            uow.audit,
            team_id=plan.team_id,
            actor=plan.created_by,
            action="cohort.plan",
            subject=f"plan:{plan.id}",
            at=now,
            detail=describe_result(result),
        )
        return plan

    def plan(self, *, team_id: str, coordinator_id: str, plan_id: int) -> CohortPlan:
        self._require(coordinator_id, team_id)
        with self._uow() as uow:
            return self._own_plan(uow, team_id, plan_id)

    def approve(
        self, *, team_id: str, coordinator_id: str, plan_id: int, index: int | None = None
    ) -> CohortPlan:
        """Ask the mentors of one proposed pair (``index``) or of all of them.

        Each pair is checked again against the program as it is now: a mentee who found a
        mentor meanwhile, or a mentor who filled up, is marked stale and nobody is asked.
        Approving twice asks nobody twice.
        """
        self._require(coordinator_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            plan = self._own_plan(uow, team_id, plan_id)
            chosen = [p for p in self._pairs(plan, index) if p.state is PairState.PROPOSED]
            asking = _Asking.read(uow, team_id, chosen)
            asked = 0
            for pair in chosen:
                note = self._ask(uow, team_id, pair, now, asking)
                pair.state = PairState.STALE if note else PairState.APPROVED
                pair.note = note
                asked += 0 if note else 1
            uow.cohort_plans.save(plan)
            record_audit(
                uow.audit,
                team_id=team_id,
                actor=coordinator_id,
                action="cohort.approve",
                subject=f"plan:{plan_id}" + ("" if index is None else f":pair:{index}"),
                at=now,
                detail={"asked": asked, "stale": plan.count(PairState.STALE)},
            )
            uow.commit()
            return plan

    def leave_out(
        self, *, team_id: str, coordinator_id: str, plan_id: int, index: int
    ) -> CohortPlan:
        self._require(coordinator_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            plan = self._own_plan(uow, team_id, plan_id)
            (pair,) = self._pairs(plan, index)
            if pair.state is PairState.PROPOSED:
                pair.state = PairState.LEFT_OUT
                uow.cohort_plans.save(plan)
                record_audit(
                    uow.audit,
                    team_id=team_id,
                    actor=coordinator_id,
                    action="cohort.leave_out",
                    subject=f"plan:{plan_id}:pair:{index}",
                    at=now,
                )
                uow.commit()
            return plan

    @staticmethod
    def _own_plan(uow: CohortWork, team_id: str, plan_id: int) -> CohortPlan:
        plan = uow.cohort_plans.get(team_id, plan_id)
        if plan is None or plan.status is not PlanStatus.READY:
            raise NotFound("I can't find that cohort proposal. Run `/mentor match` for a new one.")
        return plan

    def _assign_by_program(
        self,
        uow: CohortWork,
        team_id: str,
        requests: list[MentorRequest],
        now: datetime,
        board: Board | None = None,
    ) -> CohortResult:
        """One optimal assignment per program: mentees meet only their program's mentors,
        under its own cross-company rule (a mentor is in one program, so places never mix).
        A shared program's pool spans its member workspaces, and there each person's company
        is their workspace (``bot.matching.companies``). ``board`` is shown each program's
        steps, with its sizes."""
        people = program_people(uow, team_id)
        companies = people.companies
        excluded = excluded_for_cohort(uow, team_id, requests)
        mentors = {(m.team_id, m.user_id): m for m in people.mentors}
        combined = CohortResult(assignments=[])
        programs = list(dict.fromkeys(r.program_id for r in requests))
        for number, program_id in enumerate(programs, start=1):
            group = [r for r in requests if r.program_id == program_id]
            rules = self._programs.rules(uow, team_id, program_id)
            keyed = [companies.mentor(m) for m in people.mentors if m.program_id == program_id]
            cohort = CohortInput(
                requests=[companies.request(r) for r in group],
                mentors=keyed,
                loads=people.loads,
                excluded={r.id or 0: excluded[r.id or 0] for r in group},
                rule=companies.rule(rules.cross_company, program_id),
                at=now,
                fit=rules.fit,
            )
            stages = board.stages(cohort, number, len(programs)) if board else quiet
            result = assign_cohort(cohort, stages)
            by_id = {r.id: r for r in group}
            for a in result.assignments:
                request = by_id[a.request.id]
                mentor = mentors[(a.mentor.team_id, a.mentor.user_id)]
                company = companies.company_of(request, mentor)
                if request is a.request and mentor is a.mentor and not company:
                    combined.assignments.append(a)  # nobody keyed by workspace: as it is
                    continue
                combined.assignments.append(
                    replace(
                        a,
                        request=request,
                        mentor=mentor,
                        reason=with_company(a.reason, company),
                    )
                )
            combined.unmatched.extend(by_id[r.id] for r in result.unmatched)
        return combined

    @staticmethod
    def _pairs(plan: CohortPlan, index: int | None) -> list[PlannedPair]:
        if index is None:
            return plan.pairs
        if not 0 <= index < len(plan.pairs):
            raise NotFound("That pair is not in this proposal. Run `/mentor match` again.")
        return [plan.pairs[index]]

    def _ask(
        self, uow: CohortWork, team_id: str, pair: PlannedPair, now: datetime, asking: _Asking
    ) -> str:
        """Ask the pair's mentor; the reason it could not be done, or "" when it was.

        Only this pair is scored (``score_mentor``, with the rules ``rank_mentors`` applies),
        against the program as it stands now."""
        request = asking.requests.get(pair.request_id)
        if request is None or request.status not in (
            RequestStatus.WAITLISTED,
            RequestStatus.MATCHING,
        ):
            return "the mentee is no longer waiting"
        rules = self._programs.rules(uow, team_id, request.program_id)
        chosen = asking.candidate(request, pair.mentor_id, rules=rules, now=now)
        if chosen is None:
            return "the mentor can no longer take them"
        ask_mentor(uow, rules=rules, request=request, chosen=chosen, now=now)
        asking.loads[pair.mentor_id] = asking.loads.get(pair.mentor_id, 0) + 1
        return ""


@dataclass
class _Asking:
    """What approving pairs needs, read once for all of them (not the whole pool per pair):
    the accepting mentors of the program's workspaces and their loads (counted up as mentors
    are asked), who is of which company, and who each mentee may not be paired with."""

    requests: dict[int, MentorRequest]
    accepting: dict[str, MentorProfile]
    loads: dict[str, int]
    excluded: dict[int, frozenset[str]]
    companies: Companies | None = None
    texts: dict[int | None, ProfileTexts] = field(default_factory=dict)

    @classmethod
    def read(cls, uow: CohortWork, team_id: str, pairs: list[PlannedPair]) -> _Asking:
        if not pairs:
            return cls(requests={}, accepting={}, loads={}, excluded={})
        requests = [
            r for pair in pairs if (r := uow.requests.get(team_id, pair.request_id)) is not None
        ]
        people = program_people(uow, team_id)
        return cls(
            requests={r.id or 0: r for r in requests},
            accepting={m.user_id: m for m in people.mentors},
            loads=people.loads,
            excluded=excluded_for_cohort(uow, team_id, requests),
            companies=people.companies,
        )

    def candidate(
        self, request: MentorRequest, mentor_id: str, *, rules: ProgramRules, now: datetime
    ) -> Candidate | None:
        """The pair as ``rank_mentors`` would score it (in a shared program with each
        person's workspace as their company); None where a rule forbids it."""
        mentor = self.accepting.get(mentor_id)
        companies = self.companies
        if mentor is None or companies is None or mentor.program_id != request.program_id:
            return None
        load = self.loads.get(mentor_id, 0)
        excluded = self.excluded.get(request.id or 0, frozenset())
        keyed_request, keyed_mentor = companies.request(request), companies.mentor(mentor)
        rule = companies.rule(rules.cross_company, request.program_id)
        if not is_eligible(
            keyed_request, keyed_mentor, load=load, rule=rule, excluded=excluded, fit=rules.fit
        ):
            return None
        texts = self.texts.get(request.program_id)
        if texts is None:
            texts = self.texts[request.program_id] = profile_texts(
                [m for m in self.accepting.values() if m.program_id == request.program_id]
            )
        candidate = score_mentor(
            keyed_request,
            keyed_mentor,
            load=load,
            at=now,
            fit=rules.fit,
            goals=texts.fit(texts.query(request.goals), mentor_id),
        )
        if not candidate.worth_it(keyed_request, rules.fit):
            return None
        reason = with_company(candidate.reason, companies.company_of(request, mentor))
        return replace(candidate, mentor=mentor, reason=reason)


def _waiting(include_choosing: bool) -> set[RequestStatus]:
    """Waitlisted mentees always; with ``include_choosing`` also those who have suggestions
    and have not picked yet."""
    if include_choosing:
        return {RequestStatus.WAITLISTED, RequestStatus.MATCHING}
    return {RequestStatus.WAITLISTED}
