"""Cohort plans and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.model.audit import AuditEvent
from bot.model.cohort import CohortPlan, PairState, PlannedPair
from storage import Database, SqlUnitOfWork

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_a_cohort_plan_round_trips_and_belongs_to_its_workspace(database: Database) -> None:
    plan = CohortPlan(
        team_id="T0001",
        created_by="UCOORD1",
        created_at=NOW,
        pairs=[
            PlannedPair(
                request_id=7, mentee_id="UE1", mentor_id="UM1", score=91, reason="shares x"
            ),
            PlannedPair(request_id=8, mentee_id="UE2", mentor_id="UM1", score=40, reason="y"),
            PlannedPair(  # orjson writes the pairs; what it refuses (past 64 bits) json does
                request_id=2**64,
                mentee_id="UE4",
                mentor_id="UM2",
                score=55,
                reason='from Acme, shares Führung; the goals\' "lead" \\ 🎉\n meets the profile',
            ),
        ],
        unmatched=["UE3"],
        total_fit=131,
    )
    with SqlUnitOfWork(database.sessions) as work:
        work.cohort_plans.save(plan)
        work.commit()
    assert plan.id is not None
    assert stored_first(database, plan.id) == plan
    plan.pairs[1].state = PairState.STALE
    plan.pairs[1].note = "the mentee is no longer waiting"
    with SqlUnitOfWork(database.sessions) as work:
        work.cohort_plans.save(plan)
        work.commit()
    with SqlUnitOfWork(database.sessions) as work:
        stored = work.cohort_plans.get("T0001", plan.id)
        assert work.cohort_plans.get("T0002", plan.id) is None
    assert stored == plan
    assert stored.pairs[1].state is PairState.STALE


def stored_first(database: Database, plan_id: int) -> CohortPlan | None:
    with SqlUnitOfWork(database.sessions) as work:
        return work.cohort_plans.get("T0001", plan_id)


def test_the_audit_log_lists_a_workspaces_newest_actions_first(database: Database) -> None:
    with SqlUnitOfWork(database.sessions) as work:
        for minutes, team, action in ((0, "T0001", "a"), (5, "T0001", "b"), (9, "T0002", "c")):
            work.audit.add(
                AuditEvent(
                    team_id=team,
                    actor_id="UCOORD1",
                    action=action,
                    subject="plan:1",
                    at=NOW + timedelta(minutes=minutes),
                    detail={"asked": minutes},
                )
            )
        work.commit()
    with SqlUnitOfWork(database.sessions) as work:
        recent = work.audit.recent("T0001", limit=10)
    assert [(e.action, e.detail, e.at) for e in recent] == [
        ("b", {"asked": 5}, NOW + timedelta(minutes=5)),
        ("a", {"asked": 0}, NOW),
    ]
