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
from datetime import UTC, datetime, timedelta
from statistics import median

from bot.model.health import AtRiskPair, MonthTrend, ProgramHealth
from bot.model.partnership import (
    MentorRequest,
    Partnership,
    PartnershipStatus,
    RequestStatus,
    teams_if_across,
)
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
            **teams_if_across(live_pairs[pid]),
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


def month_label(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%b %Y")
