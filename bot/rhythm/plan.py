"""Planning a partnership's rhythm as keyed jobs in the outbox (planning twice is once).

Called when a partnership starts (a ``PartnershipEvents`` hook), at start-up for pairs older
than the rhythm, and by each job for its successor."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.model.dates import add_months
from bot.model.kinds import Kind
from bot.model.messages.rhythm import GoalCheckDue, PartnershipJob, PulseRound, TermJob
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership
from bot.model.rules import ProgramRules
from bot.ports import OutboxWork
from bot.rhythm.part import stamp


def plan_program(
    uow: OutboxWork,
    partnership: Partnership,
    *,
    rules: ProgramRules,
    now: datetime | None = None,
) -> None:
    """Plan a partnership's rhythm; ``now`` when planning late (a pair older than the code),
    so a mid-term long past is not asked for out of the blue."""
    assert partnership.id is not None
    plan_pulse_round(uow, partnership, 1, rules=rules)
    plan_quiet_check(
        uow, partnership, partnership.started_at + timedelta(days=rules.quiet_nudge_days[0])
    )
    half = partnership.started_at + (partnership.ends_at - partnership.started_at) / 2
    if now is None or half > now - timedelta(days=14):
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.MIDTERM,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:midterm-job",
                due_at=half,
                payload=PartnershipJob(partnership_id=partnership.id),
            )
        )
    plan_term(uow, partnership, rules=rules)
    plan_goal_checks(uow, partnership, now=now)


QUARTERS = (3, 6, 9)


def plan_goal_checks(
    uow: OutboxWork, partnership: Partnership, *, now: datetime | None = None
) -> None:
    """Each quarter of the term, the mentee looks at their goals (keyed: planning twice is once)."""
    assert partnership.id is not None
    for months in QUARTERS:
        due = datetime.combine(
            add_months(partnership.started_at.date(), months), partnership.started_at.timetz()
        )
        if due >= partnership.ends_at or (now is not None and due <= now):
            continue
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.GOAL_CHECK_DUE,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:goal-check-job:{months}",
                due_at=due,
                payload=GoalCheckDue(partnership_id=partnership.id, months=months),
            )
        )


def plan_pulse_round(
    uow: OutboxWork, partnership: Partnership, round_no: int, *, rules: ProgramRules
) -> None:
    assert partnership.id is not None
    at = partnership.started_at + rules.pulse_every * round_no
    if at >= partnership.ends_at - rules.term_notice:
        return  # the term notice and the final evaluation take over from here
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.PULSE_ROUND,
            recipient=partnership.mentee_id,
            key=f"rhythm:{partnership.id}:pulse-job:{round_no}",
            due_at=at,
            payload=PulseRound(partnership_id=partnership.id, round=round_no),
        )
    )


def plan_quiet_check(uow: OutboxWork, partnership: Partnership, at: datetime) -> None:
    assert partnership.id is not None
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.QUIET_CHECK,
            recipient=partnership.mentee_id,
            key=f"rhythm:{partnership.id}:quiet-check:{stamp(at)}",
            due_at=at,
            payload=PartnershipJob(partnership_id=partnership.id),
        )
    )


def plan_term(uow: OutboxWork, partnership: Partnership, *, rules: ProgramRules) -> None:
    assert partnership.id is not None
    ends = stamp(partnership.ends_at)
    for kind, name, at in (
        (Kind.TERM_NOTICE_DUE, "term-notice-job", partnership.ends_at - rules.term_notice),
        (Kind.TERM_END, "term-end-job", partnership.ends_at),
    ):
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=kind,
                recipient=partnership.mentee_id,
                key=f"rhythm:{partnership.id}:{name}:{ends}",
                due_at=at,
                payload=TermJob(partnership_id=partnership.id, ends_at=ends),
            )
        )
