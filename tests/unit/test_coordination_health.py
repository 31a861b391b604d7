"""Program health figures, checked against a small program whose numbers are known."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.coordination.health import health_csv, program_health
from bot.model.partnership import MentorRequest, Partnership, PartnershipStatus, RequestStatus
from bot.model.sessions import SessionLog, SessionOutcome

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def request(
    mentee: str, status: RequestStatus, *, asked_days_ago: float, waited: float | None
) -> MentorRequest:
    created = NOW - asked_days_ago * DAY
    return MentorRequest(
        team_id="T1",
        mentee_id=mentee,
        goals="private goals never leave",
        focus_areas=[],
        organization="",
        wants_other_org=False,
        tz="UTC",
        status=status,
        created_at=created,
        matched_at=None if waited is None else created + waited * DAY,
    )


def pair(
    pid: int,
    mentee: str,
    status: PartnershipStatus,
    *,
    started: datetime,
    ended: datetime | None = None,
    reason: str = "",
) -> Partnership:
    return Partnership(
        team_id="T1",
        mentor_id="UM1",
        mentee_id=mentee,
        request_id=None,
        started_at=started,
        ends_at=started + 365 * DAY,
        status=status,
        ended_at=ended,
        end_reason=reason,
        id=pid,
    )


def log(pid: int, days_ago: float, outcome: SessionOutcome = SessionOutcome.MET) -> SessionLog:
    return SessionLog(
        team_id="T1",
        partnership_id=pid,
        occurrence_start=NOW - days_ago * DAY,
        outcome=outcome,
        answered_by="UM1",
        answered_at=NOW - days_ago * DAY,
    )


def seeded() -> dict[str, object]:
    return {
        "now": NOW,
        "mentor_ids": ["UM1", "UM2", "UM3"],
        "requests": [
            request("UE1", RequestStatus.MATCHED, asked_days_ago=100, waited=2),
            request("UE2", RequestStatus.MATCHED, asked_days_ago=90, waited=4),
            request("UE3", RequestStatus.MATCHED, asked_days_ago=80, waited=9),
            request("UE4", RequestStatus.WAITLISTED, asked_days_ago=12, waited=None),
            request("UE5", RequestStatus.MATCHING, asked_days_ago=3, waited=None),
        ],
        "partnerships": [
            pair(1, "UE1", PartnershipStatus.ACTIVE, started=NOW - 98 * DAY),
            pair(2, "UE2", PartnershipStatus.ACTIVE, started=NOW - 86 * DAY),
            pair(
                3,
                "UE3",
                PartnershipStatus.ENDED,
                started=NOW - 71 * DAY,
                ended=NOW - 40 * DAY,
                reason="fit: we never clicked",
            ),
            pair(4, "UE6", PartnershipStatus.PAUSED, started=NOW - 200 * DAY),
            pair(
                5, "UE7", PartnershipStatus.COMPLETED, started=NOW - 400 * DAY, ended=NOW - 35 * DAY
            ),
        ],
        "logs": [
            log(1, 3),
            log(1, 10),
            log(1, 17),
            log(1, 40),
            log(2, 20),
            log(2, 27, SessionOutcome.SKIPPED),
            log(3, 50),
            log(2, 5, SessionOutcome.RESCHEDULED),
        ],
    }


def test_the_figures_of_a_known_program() -> None:
    health = program_health(**seeded())  # type: ignore[arg-type]
    assert (health.mentors, health.mentees, health.waitlisted) == (3, 7, 1)
    assert (health.active_pairs, health.paused_pairs) == (2, 1)
    assert health.sessions_last_30_days == 4  # pair 1: 3, 10, 17; pair 2: 20
    assert health.sessions_per_pair_per_month == 2.0
    assert health.met_last_14_days_share == 0.5  # pair 1 only
    assert (health.completed, health.ended_early) == (1, 1)
    assert health.end_reasons == {"fit": 1}  # the category, never the private note
    assert health.median_wait_days == 4.0
    assert health.longest_current_wait_days == 12.0
    months = {m.month: (m.sessions_held, m.active_pairs) for m in health.trend}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    # June: met 3 and 10 days ago; pairs 1, 2 and the paused 4 are live.
    assert months["2026-06"] == (2, 3)
    # May: met on the 6th, 26th and 29th; pairs 3 and 5 ended in May, so they count too.
    assert months["2026-05"] == (3, 5)
    # April: pair 3 met on the 26th; pair 5 (started long before) and 4 were live, 1-3 began.
    assert months["2026-04"] == (1, 5)


def test_the_csv_carries_the_same_figures_and_no_private_text() -> None:
    health = program_health(**seeded())  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(health_csv(health))))
    figures = {r[0]: r[1] for r in rows if len(r) == 2}
    assert figures["Active pairs"] == "2"
    assert figures["Pairs that met in the last 14 days"] == "50%"
    assert figures["Ended early: fit"] == "1"
    assert ["month", "sessions held", "active pairs"] in rows
    text = health_csv(health)
    assert "never clicked" not in text and "private goals" not in text


def test_an_empty_program_reports_zeros_not_errors() -> None:
    health = program_health(now=NOW, mentor_ids=[], requests=[], partnerships=[], logs=[])
    assert health.active_pairs == 0 and health.met_last_14_days_share == 0.0
    assert health.median_wait_days is None
    assert dict(health.rows())["Median wait for a mentor (days)"] == "-"


def test_average_pulse_and_at_risk_pairs_count_only_recent_signals_of_live_pairs() -> None:
    from bot.model.progress import CheckKind, ProgressCheck, RiskFlag, RiskSignal

    def pulse(score: int, days_ago: float) -> ProgressCheck:
        return ProgressCheck(
            team_id="T1",
            partnership_id=1,
            user_id="UM1",
            kind=CheckKind.PULSE,
            round=1,
            answered_at=NOW - days_ago * DAY,
            score=score,
        )

    def flag(pid: int, signal: RiskSignal, days_ago: float) -> RiskFlag:
        return RiskFlag(
            team_id="T1",
            partnership_id=pid,
            signal=signal,
            occasion=f"{days_ago}",
            detail="",
            raised_at=NOW - days_ago * DAY,
        )

    health = program_health(
        **seeded(),  # type: ignore[arg-type]
        pulses=[pulse(2, 3), pulse(5, 10), pulse(1, 45)],
        flags=[
            flag(1, RiskSignal.QUIET, 20),
            flag(1, RiskSignal.LOW_PULSE, 3),  # the newest signal for pair 1 wins
            flag(2, RiskSignal.UNANSWERED_PULSES, 60),  # too old
            flag(3, RiskSignal.LOW_PULSE, 2),  # pair 3 has ended
        ],
    )
    assert health.average_pulse == 3.5
    assert [(p.partnership_id, p.signal) for p in health.at_risk] == [(1, "a low pulse")]
    assert dict(health.rows())["Pairs at risk"] == "1"
