"""The coordinator's "working out your cohort proposal" message as the plan's job sees it:
where Slack put it, the rows keyed by plan, and the planner's steps shown on it through the
``PlanningBoard`` port (no Slack here: ``handlers.coordination.progress`` draws it)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.matching.cohort import CohortInput, Stages
from bot.model.cohort import CohortPlan, PlanProgress, PlanStage
from bot.model.messages.coordination import CohortPlanning
from bot.ports import CohortWork, PlanningBoard


def plan_key(plan_id: int) -> str:
    """Every row of one plan's asking starts so (the colon ends the ID: plan 1 is not 10)."""
    return f"cohort-plan:{plan_id}:"


def planning_key(plan_id: int) -> str:
    return plan_key(plan_id) + "planning"


def job_key(plan_id: int) -> str:
    return plan_key(plan_id) + "job"


def quiet(stage: PlanStage) -> None:
    return None


@dataclass(frozen=True)
class Board:
    """The coordinator's "working it out" message of one plan, where Slack put it, and the
    board that redraws it; without one (not posted yet, no board) showing does nothing."""

    team_id: str
    planning: CohortPlanning | None = None
    channel: str | None = None
    ts: str | None = None
    board: PlanningBoard | None = None

    @classmethod
    def find(cls, uow: CohortWork, plan: CohortPlan, board: PlanningBoard | None) -> Board:
        """The message as sent. Not sent yet (Slack was failing): cancelled, so it can't
        arrive after the outcome, which is then posted on its own."""
        key = planning_key(plan.id or 0)
        sent = next((m for m in uow.outbox.sent(plan.team_id, key) if m.key == key), None)
        if sent is None or not (sent.sent_channel and sent.sent_ts):
            uow.outbox.cancel(plan.team_id, key)
            return cls(team_id=plan.team_id)
        payload = sent.payload if isinstance(sent.payload, CohortPlanning) else None
        return cls(
            team_id=plan.team_id,
            planning=payload,
            channel=sent.sent_channel,
            ts=sent.sent_ts,
            board=board,
        )

    def stages(self, cohort: CohortInput, program: int, programs: int) -> Stages:
        """The planner's steps for one program, shown with its sizes (worked out once)."""
        if self.board is None or self.planning is None:
            return quiet
        loads = cohort.loads
        free = [
            p.capacity - loads.get(p.user_id, 0)
            for p in cohort.mentors
            if p.accepting and loads.get(p.user_id, 0) < p.capacity
        ]
        sizes = PlanProgress(
            stage=PlanStage.READING,
            mentees=len(cohort.requests),
            mentors=len(free),
            places=sum(free),
            program=program,
            programs=programs,
        )

        def show(stage: PlanStage) -> None:
            if self.board is not None and self.planning is not None and self.channel and self.ts:
                self.board.show(
                    self.team_id, self.channel, self.ts, self.planning, replace(sizes, stage=stage)
                )

        return show

    def done(self) -> None:
        if self.board is not None and self.channel and self.ts:
            self.board.done(self.channel, self.ts)
