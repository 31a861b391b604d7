"""Who fits whom: the scores behind `/mentor ask` and (later) cohort matching.

Scores are integers from 0 to 100 and fully deterministic (ties break on the mentor's user
ID), so the same program state always gives the same suggestions and tests can pin them.
Weights: shared focus areas 60, working-hour overlap 30, room left in the mentor's capacity 10.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, normalize_org

WORKDAY_START_HOUR = 9
WORKDAY_HOURS = 8
FOCUS_WEIGHT = 60
OVERLAP_WEIGHT = 30
CAPACITY_WEIGHT = 10


@dataclass(frozen=True)
class Candidate:
    mentor: MentorProfile
    score: int
    reason: str
    shared_focus: tuple[str, ...]
    overlap_hours: int
    free_slots: int


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def utc_offset_seconds(tz: str, fallback: int, at: datetime) -> int:
    """The zone's offset at ``at`` (DST-aware); Slack's reported offset if the name is unknown."""
    zone = _zone(tz) if tz else None
    if zone is None:
        return fallback
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else fallback


def working_hours_overlap(offset_a: int, offset_b: int) -> int:
    """Whole hours that two 9-to-5 working days share, given each side's UTC offset.

    Offsets that wrap around the date line compare the short way round (UTC+12 and UTC-11 are
    one hour apart, not 23).
    """
    diff_hours = (abs(offset_a - offset_b) / 3600) % 24
    diff_hours = min(diff_hours, 24 - diff_hours)
    return max(0, int(WORKDAY_HOURS - diff_hours))


def _join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe(shared: tuple[str, ...], overlap: int, *, other_org: bool) -> str:
    """A reason a person understands, e.g. 'shares leadership and change management; ...'."""
    parts = [f"shares {_join(shared)}" if shared else "no shared focus areas"]
    if overlap == 0:
        parts.append("no working hours overlap")
    else:
        parts.append(f"{overlap} working hour{'s' if overlap != 1 else ''} overlap")
    if other_org:
        parts.append("from another organization")
    return "; ".join(parts)


def score_mentor(
    request: MentorRequest,
    mentor: MentorProfile,
    *,
    load: int,
    at: datetime,
) -> Candidate:
    wanted = list(request.focus_areas)
    offered = {area.casefold() for area in mentor.expertise}
    shared = tuple(area for area in wanted if area.casefold() in offered)
    focus_part = FOCUS_WEIGHT * len(shared) / len(wanted) if wanted else FOCUS_WEIGHT / 2
    overlap = working_hours_overlap(
        utc_offset_seconds(request.tz, request.tz_offset, at),
        utc_offset_seconds(mentor.tz, mentor.tz_offset, at),
    )
    free = max(0, mentor.capacity - load)
    capacity_part = CAPACITY_WEIGHT * free / mentor.capacity if mentor.capacity else 0
    score = round(focus_part + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS + capacity_part)
    other_org = bool(normalize_org(mentor.organization)) and normalize_org(
        mentor.organization
    ) != normalize_org(request.organization)
    return Candidate(
        mentor=mentor,
        score=score,
        reason=describe(shared, overlap, other_org=other_org),
        shared_focus=shared,
        overlap_hours=overlap,
        free_slots=free,
    )


def is_eligible(
    request: MentorRequest,
    mentor: MentorProfile,
    *,
    load: int,
    rule: CrossCompanyRule,
    excluded: frozenset[str],
) -> bool:
    """The hard rules: no score makes up for breaking one of these."""
    return (
        mentor.accepting
        and mentor.user_id != request.mentee_id
        and mentor.user_id not in excluded
        and load < mentor.capacity
        and rule.allows(
            request.organization, mentor.organization, mentee_wants_other=request.wants_other_org
        )
    )


def rank_mentors(
    request: MentorRequest,
    mentors: Iterable[MentorProfile],
    *,
    loads: Mapping[str, int],
    rule: CrossCompanyRule,
    excluded: frozenset[str],
    at: datetime,
    limit: int = 3,
) -> list[Candidate]:
    """The ``limit`` best eligible mentors, best first."""
    candidates = [
        score_mentor(request, mentor, load=loads.get(mentor.user_id, 0), at=at)
        for mentor in mentors
        if is_eligible(
            request, mentor, load=loads.get(mentor.user_id, 0), rule=rule, excluded=excluded
        )
    ]
    candidates.sort(key=lambda c: (-c.score, c.mentor.user_id))
    return candidates[:limit]
