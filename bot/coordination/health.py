"""Program health for coordinators: counts and rates, never the contents of a partnership.

Everything here is computed from the program's records (profiles, requests, partnerships,
session logs) by pure functions, so the numbers can be checked against a seeded program in
unit tests and the report, the App Home summary and the CSV always agree.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from bot.model.partnership import MentorRequest, Partnership, PartnershipStatus, RequestStatus
from bot.model.progress import ProgressCheck, RiskFlag, RiskSignal
from bot.model.sessions import SessionLog, SessionOutcome

MET_RECENTLY = timedelta(days=14)
RECENT = timedelta(days=30)
SIGNAL_LABELS = {
    RiskSignal.LOW_PULSE: "a low pulse",
    RiskSignal.UNANSWERED_PULSES: "pulses left unanswered",
    RiskSignal.QUIET: "no sessions lately",
    RiskSignal.FIT_UNSURE: "not sure about the fit, twice",
    RiskSignal.QUIET_UNDECIDED: "quiet, and no answer to pause, continue or close",
}
MONTHS_SHOWN = 6


@dataclass(frozen=True)
class MonthTrend:
    month: str  # "2026-03"
    sessions_held: int
    active_pairs: int


@dataclass(frozen=True)
class AtRiskPair:
    """A live pair with a recent risk signal: who, and why in the program's words only."""

    partnership_id: int
    mentee_id: str
    mentor_id: str
    signal: str
    raised_at: datetime


@dataclass(frozen=True)
class ProgramHealth:
    as_of: datetime
    mentors: int
    mentees: int
    waitlisted: int
    active_pairs: int
    paused_pairs: int
    sessions_last_30_days: int
    sessions_per_pair_per_month: float
    met_last_14_days_share: float  # of active pairs, 0..1
    completed: int
    ended_early: int
    end_reasons: dict[str, int]
    median_wait_days: float | None  # from asking to being matched
    longest_current_wait_days: float | None
    trend: list[MonthTrend]
    goals_done_this_month: int = 0
    milestones_this_month: int = 0
    average_pulse: float | None = None  # 1-5, pulses answered in the last 30 days
    at_risk: list[AtRiskPair] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # more figures other parts add
    program: str = ""  # one program's figures (its name); empty: the whole workspace

    def rows(self) -> list[tuple[str, str]]:
        """The headline figures as label/value pairs: the CSV and the message share them."""
        rows = [
            ("Mentors", str(self.mentors)),
            ("Mentees", str(self.mentees)),
            ("Waitlisted", str(self.waitlisted)),
            ("Active pairs", str(self.active_pairs)),
            ("Paused pairs", str(self.paused_pairs)),
            ("Sessions held, last 30 days", str(self.sessions_last_30_days)),
            ("Sessions per pair per month", f"{self.sessions_per_pair_per_month:.1f}"),
            ("Pairs that met in the last 14 days", f"{self.met_last_14_days_share:.0%}"),
            (
                "Average pulse (1-5), last 30 days",
                "-" if self.average_pulse is None else f"{self.average_pulse:.1f}",
            ),
            ("Pairs at risk", str(len(self.at_risk))),
            ("Goals done this month", str(self.goals_done_this_month)),
            ("Milestones this month", str(self.milestones_this_month)),
            ("Completed partnerships", str(self.completed)),
            ("Ended early", str(self.ended_early)),
            ("Median wait for a mentor (days)", _days(self.median_wait_days)),
            ("Longest current wait (days)", _days(self.longest_current_wait_days)),
        ]
        rows += [(reason, str(n)) for reason, n in _reason_rows(self.end_reasons)]
        rows += list(self.extra.items())
        return rows


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _reason_rows(reasons: dict[str, int]) -> list[tuple[str, int]]:
    return [
        (f"Ended early: {reason}", n)
        for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]


def _months_back(now: datetime, count: int) -> list[tuple[str, datetime, datetime]]:
    """The last ``count`` calendar months (UTC), oldest first, as (label, start, end)."""
    months = []
    year, month = now.astimezone(UTC).year, now.astimezone(UTC).month
    for _ in range(count):
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
        months.append((start.strftime("%Y-%m"), start, end))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def month_start(now: datetime) -> datetime:
    local = now.astimezone(UTC)
    return datetime(local.year, local.month, 1, tzinfo=UTC)


def end_category(reason: str) -> str:
    """The category part of an end reason ("fit: ..." -> "fit"); private notes never count."""
    category = reason.split(":", 1)[0].strip().lower()
    return category or "not given"


def program_health(
    *,
    now: datetime,
    mentor_ids: Sequence[str],
    requests: Sequence[MentorRequest],
    partnerships: Sequence[Partnership],
    logs: Sequence[SessionLog],
    goals_done_this_month: int = 0,
    milestones_this_month: int = 0,
    pulses: Sequence[ProgressCheck] = (),
    flags: Sequence[RiskFlag] = (),
) -> ProgramHealth:
    active = [p for p in partnerships if p.status is PartnershipStatus.ACTIVE]
    met = [log for log in logs if log.outcome is SessionOutcome.MET]
    recent = [log for log in met if now - timedelta(days=30) < log.occurrence_start <= now]
    met_recently = {
        log.partnership_id for log in met if now - MET_RECENTLY < log.occurrence_start <= now
    }
    ended = [p for p in partnerships if p.status is PartnershipStatus.ENDED]
    waits = [
        (r.matched_at - r.created_at).total_seconds() / 86400
        for r in requests
        if r.matched_at is not None and r.created_at is not None
    ]
    waiting = [
        (now - r.created_at).total_seconds() / 86400
        for r in requests
        if r.created_at is not None
        and r.status
        in (RequestStatus.WAITLISTED, RequestStatus.MATCHING, RequestStatus.PENDING_MENTOR)
    ]
    scores = [c.score for c in pulses if c.score is not None and now - c.answered_at <= RECENT]
    at_risk = _at_risk(partnerships, flags, now=now)
    trend = _trend(partnerships, met, now=now)
    return ProgramHealth(
        as_of=now,
        mentors=len(set(mentor_ids)),
        mentees=len({r.mentee_id for r in requests} | {p.mentee_id for p in partnerships}),
        waitlisted=sum(1 for r in requests if r.status is RequestStatus.WAITLISTED),
        active_pairs=len(active),
        paused_pairs=sum(1 for p in partnerships if p.status is PartnershipStatus.PAUSED),
        sessions_last_30_days=len(recent),
        sessions_per_pair_per_month=len(recent) / len(active) if active else 0.0,
        met_last_14_days_share=(
            len(met_recently & {p.id for p in active}) / len(active) if active else 0.0
        ),
        completed=sum(1 for p in partnerships if p.status is PartnershipStatus.COMPLETED),
        ended_early=len(ended),
        end_reasons=dict(Counter(end_category(p.end_reason) for p in ended)),
        median_wait_days=median(waits) if waits else None,
        longest_current_wait_days=max(waiting) if waiting else None,
        trend=trend,
        goals_done_this_month=goals_done_this_month,
        milestones_this_month=milestones_this_month,
        average_pulse=sum(scores) / len(scores) if scores else None,
        at_risk=at_risk,
    )


def _at_risk(
    partnerships: Sequence[Partnership], flags: Sequence[RiskFlag], *, now: datetime
) -> list[AtRiskPair]:
    """Live pairs with a recent flag, newest first, each under its newest signal."""
    live = (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
    live_pairs = {p.id: p for p in partnerships if p.status in live}
    latest: dict[int, RiskFlag] = {}
    fresh = [f for f in flags if f.partnership_id in live_pairs and now - f.raised_at <= RECENT]
    for flag in sorted(fresh, key=lambda f: f.raised_at):
        latest[flag.partnership_id] = flag  # the newest signal per pair wins
    return [
        AtRiskPair(
            partnership_id=pid,
            mentee_id=live_pairs[pid].mentee_id,
            mentor_id=live_pairs[pid].mentor_id,
            signal=SIGNAL_LABELS.get(flag.signal, flag.signal.value),
            raised_at=flag.raised_at,
        )
        for pid, flag in sorted(latest.items(), key=lambda item: item[1].raised_at, reverse=True)
    ]


def _trend(
    partnerships: Sequence[Partnership], met: Sequence[SessionLog], *, now: datetime
) -> list[MonthTrend]:
    """Sessions held and pairs running, month by month, the oldest first."""
    live = (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
    trend: list[MonthTrend] = []
    for label, start, end in _months_back(now, MONTHS_SHOWN):
        trend.append(
            MonthTrend(
                month=label,
                sessions_held=sum(1 for log in met if start <= log.occurrence_start < end),
                active_pairs=sum(
                    1
                    for p in partnerships
                    if p.started_at < end
                    and (p.status in live or (p.ended_at is not None and p.ended_at >= start))
                ),
            )
        )
    return trend


def health_csv(health: ProgramHealth) -> str:
    """The figures and the monthly trend as CSV, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "value"])
    writer.writerow(["As of (UTC)", health.as_of.astimezone(UTC).isoformat(timespec="minutes")])
    writer.writerows(health.rows())
    writer.writerow([])
    writer.writerow(["month", "sessions held", "active pairs"])
    writer.writerows((m.month, m.sessions_held, m.active_pairs) for m in health.trend)
    return out.getvalue()


def health_payload(health: ProgramHealth) -> dict[str, Any]:
    """The figures as JSON for the outbox: a scheduled report is sent as it was worked out."""
    data = asdict(health)
    data["as_of"] = health.as_of.isoformat()
    for pair in data["at_risk"]:
        pair["raised_at"] = pair["raised_at"].isoformat()
    return data


def health_from_payload(payload: dict[str, Any]) -> ProgramHealth:
    names = {f for f in ProgramHealth.__dataclass_fields__}
    data = {k: v for k, v in payload.items() if k in names}
    data["as_of"] = datetime.fromisoformat(str(payload["as_of"]))
    data["trend"] = [MonthTrend(**m) for m in payload.get("trend", [])]
    data["at_risk"] = [
        AtRiskPair(**{**p, "raised_at": datetime.fromisoformat(str(p["raised_at"]))})
        for p in payload.get("at_risk", [])
    ]
    return ProgramHealth(**data)


def month_label(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%b %Y")
