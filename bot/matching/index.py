"""The accepting mentors of each workspace as NumPy columns, kept per process between asks.

Reading every mentor (bios too) and scoring them one by one on each `/mentor ask` grew with
the program: 20,000 mentors cost a quarter of a second a mentee waits. Here the columns are
read once and kept with the version they were read at; each ask reads the version (one row)
and reloads only what moved: mentors after a profile change, loads alone after a proposal or
partnership change, whichever replica made it. Scoring is ``score_mentor``'s arithmetic over
whole columns (``tests/unit/test_matching_index.py`` pins the two together), and only the
winners are read whole and scored again by ``score_mentor`` for their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from bot.matching.scores import (
    CAPACITY_WEIGHT,
    FOCUS_WEIGHT,
    OVERLAP_WEIGHT,
    WORKDAY_HOURS,
    Candidate,
    is_eligible,
    score_mentor,
    utc_offset_seconds,
)
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, normalize_org
from bot.ports import SuggestWork

_DEFAULT_PROGRAM = -1  # program_id None in the int column


@dataclass(frozen=True)
class _Mentors:
    """The profile columns, in Python's order of user IDs (the tie-break of ``rank_mentors``)."""

    user_ids: list[str]
    row_of: dict[str, int]
    areas: dict[str, int]  # casefolded focus area -> column of ``offers``
    offers: NDArray[np.bool_]  # mentors x areas
    capacity: NDArray[np.int64]
    program: NDArray[np.int64]
    org: NDArray[np.int64]  # index into ``org_names``
    org_names: list[str]  # one spelling per normalized organization
    zone: NDArray[np.int64]  # index into ``zones``
    zones: list[tuple[str, int]]  # (tz, Slack's offset) pairs, a few hundred at most

    @classmethod
    def of(cls, columns: MentorColumns) -> _Mentors:
        order = sorted(range(len(columns)), key=columns.user_ids.__getitem__)
        user_ids = [columns.user_ids[i] for i in order]
        areas: dict[str, int] = {}
        cells: list[tuple[int, int]] = []
        orgs: dict[str, int] = {}
        org_names: list[str] = []
        zones: dict[tuple[str, int], int] = {}
        org = np.empty(len(order), dtype=np.int64)
        zone = np.empty(len(order), dtype=np.int64)
        for row, i in enumerate(order):
            for area in columns.expertise[i]:
                cells.append((row, areas.setdefault(area.casefold(), len(areas))))
            name = columns.organizations[i]
            key = normalize_org(name)
            if key not in orgs:
                orgs[key] = len(org_names)
                org_names.append(name)
            org[row] = orgs[key]
            zone[row] = zones.setdefault((columns.tzs[i], columns.tz_offsets[i]), len(zones))
        offers = np.zeros((len(order), max(1, len(areas))), dtype=bool)
        if cells:
            rows, cols = np.array(cells, dtype=np.int64).T
            offers[rows, cols] = True
        program = [columns.program_ids[i] for i in order]
        return cls(
            user_ids=user_ids,
            row_of={user_id: row for row, user_id in enumerate(user_ids)},
            areas=areas,
            offers=offers,
            capacity=np.array([columns.capacities[i] for i in order], dtype=np.int64),
            program=np.array(
                [_DEFAULT_PROGRAM if p is None else p for p in program], dtype=np.int64
            ),
            org=org,
            org_names=org_names,
            zone=zone,
            zones=list(zones),
        )


@dataclass(frozen=True)
class _Entry:
    version: PoolVersion | None
    mentors: _Mentors
    loads: NDArray[np.int64]


class MentorIndex:
    """Per process, one entry per workspace; safe across threads (entries are replaced whole,
    never changed, so a reader holds one consistent entry)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def rank(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        *,
        rule: CrossCompanyRule,
        excluded: frozenset[str],
        at: datetime,
        limit: int,
    ) -> list[Candidate]:
        """``rank_mentors`` over the request's program: the ``limit`` best, best first."""
        if limit <= 0:
            return []
        entry = self._entry(uow, request.team_id)
        mentors = entry.mentors
        if not mentors.user_ids:
            return []
        eligible = np.flatnonzero(_eligible(entry, request, rule=rule, excluded=excluded))
        if not len(eligible):
            return []
        scores = _scores(entry, request, at=at)[eligible]
        # Only mentors scoring at least the limit-th best can win; ties at that score then
        # break on user ID, which is the row order.
        cutoff = np.partition(scores, len(scores) - min(limit, len(scores)))[
            len(scores) - min(limit, len(scores))
        ]
        finalists = eligible[scores >= cutoff]
        finalist_scores = scores[scores >= cutoff]
        winners = finalists[np.lexsort((finalists, -finalist_scores))][:limit]
        user_ids = [mentors.user_ids[int(row)] for row in winners]
        loads = {user_id: int(entry.loads[mentors.row_of[user_id]]) for user_id in user_ids}
        found = {p.user_id: p for p in uow.mentors.profiles(request.team_id, user_ids)}
        return [
            score_mentor(request, found[user_id], load=loads[user_id], at=at)
            for user_id in user_ids
            if user_id in found
        ]

    def score(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        mentor: MentorProfile,
        *,
        rule: CrossCompanyRule,
        excluded: frozenset[str],
        at: datetime,
    ) -> Candidate | None:
        """One mentor's candidacy for the request (None where a hard rule forbids it): what
        ranking everyone and looking the mentor up gave, without ranking everyone."""
        entry = self._entry(uow, request.team_id)
        row = entry.mentors.row_of.get(mentor.user_id)
        load = int(entry.loads[row]) if row is not None else 0
        if mentor.program_id != request.program_id or not is_eligible(
            request, mentor, load=load, rule=rule, excluded=excluded
        ):
            return None
        return score_mentor(request, mentor, load=load, at=at)

    def _entry(self, uow: SuggestWork, team_id: str) -> _Entry:
        version = uow.mentors.pool_version(team_id)
        known = self._entries.get(team_id)
        if version is not None and known is not None and known.version == version:
            return known
        if version is not None and known is not None and known.version is not None:
            mentors = known.mentors if known.version.mentors == version.mentors else None
        else:
            mentors = None
        if mentors is None:
            mentors = _Mentors.of(uow.mentors.pool(team_id))
        entry = _Entry(version=version, mentors=mentors, loads=_loads(uow, team_id, mentors))
        if version is not None:
            self._entries[team_id] = entry
        return entry


def _loads(uow: SuggestWork, team_id: str, mentors: _Mentors) -> NDArray[np.int64]:
    """Mentees each mentor has, counting those asked about and not answered yet."""
    loads = np.zeros(len(mentors.user_ids), dtype=np.int64)
    counts = uow.partnerships.active_by_mentor(team_id)
    for mentor_id, pending in uow.proposals.pending_by_mentor(team_id).items():
        counts[mentor_id] = counts.get(mentor_id, 0) + pending
    for mentor_id, count in counts.items():
        if (row := mentors.row_of.get(mentor_id)) is not None:
            loads[row] = count
    return loads


def _eligible(
    entry: _Entry,
    request: MentorRequest,
    *,
    rule: CrossCompanyRule,
    excluded: frozenset[str],
) -> NDArray[np.bool_]:
    """``is_eligible`` and the program's own mentors, for every mentor at once; the
    organization rule is asked once per organization, not per mentor."""
    mentors = entry.mentors
    program = _DEFAULT_PROGRAM if request.program_id is None else request.program_id
    allowed = np.array(
        [
            rule.allows(request.organization, name, mentee_wants_other=request.wants_other_org)
            for name in mentors.org_names
        ],
        dtype=bool,
    )
    eligible: NDArray[np.bool_] = (mentors.program == program) & (entry.loads < mentors.capacity)
    eligible &= allowed[mentors.org]
    for user_id in excluded | {request.mentee_id}:
        if (row := mentors.row_of.get(user_id)) is not None:
            eligible[row] = False
    return eligible


def _scores(entry: _Entry, request: MentorRequest, *, at: datetime) -> NDArray[np.int64]:
    """``score_mentor``'s score for every mentor, with the same float arithmetic in the same
    order (so the same halves round the same way)."""
    mentors = entry.mentors
    wanted = list(request.focus_areas)
    if wanted:
        counts = np.zeros(mentors.offers.shape[1], dtype=np.int64)
        for area in wanted:
            if (k := mentors.areas.get(area.casefold())) is not None:
                counts[k] += 1
        shared = mentors.offers @ counts
        focus: NDArray[np.float64] | float = FOCUS_WEIGHT * shared / len(wanted)
    else:
        focus = FOCUS_WEIGHT / 2
    mentee = utc_offset_seconds(request.tz, request.tz_offset, at)
    zone_offsets = np.array(
        [utc_offset_seconds(tz, fallback, at) for tz, fallback in mentors.zones], dtype=np.float64
    )
    diff = (np.abs(mentee - zone_offsets[mentors.zone]) / 3600) % 24
    diff = np.minimum(diff, 24 - diff)
    overlap = np.floor(np.maximum(0.0, WORKDAY_HOURS - diff))
    free = np.maximum(0, mentors.capacity - entry.loads)
    capacity_part = np.where(
        mentors.capacity > 0,
        CAPACITY_WEIGHT * free / np.where(mentors.capacity > 0, mentors.capacity, 1),
        0.0,
    )
    return np.rint(focus + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS + capacity_part).astype(
        np.int64
    )
