"""The accepting mentors of a program owner as NumPy columns, and the rules over them.

``score_mentor``'s arithmetic and ``is_eligible``'s rules, written over whole columns
(expertise bits, zone offsets, capacity, load, company, languages, the goals' TF-IDF), so
that ranking a request against 20,000 mentors is a few vector operations. ``bot.matching.index``
keeps these columns per process and knows when to rebuild them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.matching.companies import Companies, company_key
from bot.matching.scores import (
    CAPACITY_WEIGHT,
    FOCUS_WEIGHT,
    GOALS_WEIGHT,
    OVERLAP_WEIGHT,
    WORKDAY_HOURS,
    Candidate,
    score_mentor,
    utc_offset_seconds,
)
from bot.matching.text import (
    FULL_MATCH,
    GoalsFit,
    GoalsQuery,
    ProfileTexts,
    StemCache,
    profile_text,
)
from bot.model.languages import known_languages, language_key
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, FitRule, normalize_org
from bot.ports import SuggestWork

_DEFAULT_PROGRAM = -1  # program_id None in the int column


@dataclass(frozen=True)
class Mentors:
    """The profile columns, in Python's order of user IDs (the tie-break of ``rank_mentors``;
    then by workspace, for a pool of several)."""

    user_ids: list[str]
    team_ids: list[str]  # each mentor's own workspace
    row_of: dict[tuple[str, str], int]  # (workspace, user ID) -> row
    companies: Companies  # the owner's shared programs and the workspaces' names
    areas: dict[str, int]  # casefolded focus area -> column of ``offers``
    offers: NDArray[np.bool_]  # mentors x areas
    capacity: NDArray[np.int64]
    program: NDArray[np.int64]
    org: NDArray[np.int64]  # index into ``org_names``
    org_names: list[str]  # one spelling per normalized organization
    zone: NDArray[np.int64]  # index into ``zones``
    zones: list[tuple[str, int]]  # (tz, Slack's offset) pairs, a few hundred at most
    languages: dict[str, int]  # language key -> column of ``speaks``
    speaks: NDArray[np.bool_]  # mentors x languages
    silent: NDArray[np.bool_]  # named no language: speaks the program's default ones
    texts: dict[int, ProfileTexts]  # per program: its profiles' TF-IDF rows
    text_rows: dict[int, NDArray[np.int64]]  # per program: the rows of its ProfileTexts rows
    stems: StemCache  # the profiles' words, so the next read cuts only the changed ones

    @classmethod
    def of(cls, columns: MentorColumns, *, owner: str, cache: StemCache) -> Mentors:
        teams = columns.team_ids or [owner] * len(columns)
        order = sorted(range(len(columns)), key=lambda i: (columns.user_ids[i], teams[i]))
        user_ids = [columns.user_ids[i] for i in order]
        team_ids = [teams[i] for i in order]
        names = [person_key(team, user) for team, user in zip(team_ids, user_ids, strict=True)]
        companies = Companies(owner=owner, members=columns.members, names=columns.names)
        areas: dict[str, int] = {}
        cells: list[tuple[int, int]] = []
        orgs: dict[str, int] = {}
        org_names: list[str] = []
        zones: dict[tuple[str, int], int] = {}
        org = np.empty(len(order), dtype=np.int64)
        zone = np.empty(len(order), dtype=np.int64)
        org_of: dict[str, int] = {}  # spelling -> its organization (a few, written often)
        for row, i in enumerate(order):
            for area in columns.expertise[i]:
                cells.append((row, areas.setdefault(area.casefold(), len(areas))))
            name = columns.organizations[i]
            if companies.shared(columns.program_ids[i]):  # a shared program: the workspace
                name = company_key(team_ids[row])
            found = org_of.get(name)
            if found is None:
                key = normalize_org(name)
                if key not in orgs:
                    orgs[key] = len(org_names)
                    org_names.append(name)
                found = org_of[name] = orgs[key]
            org[row] = found
            zone[row] = zones.setdefault((columns.tzs[i], columns.tz_offsets[i]), len(zones))
        offers = np.zeros((len(order), max(1, len(areas))), dtype=bool)
        if cells:
            rows, cols = np.array(cells, dtype=np.int64).T
            offers[rows, cols] = True
        program = np.array(
            [_DEFAULT_PROGRAM if (p := columns.program_ids[i]) is None else p for i in order],
            dtype=np.int64,
        )
        languages: dict[str, int] = {}
        column_of: dict[str, int] = {}  # a language as written -> its column

        def column(name: str) -> int:
            found = column_of.get(name)
            if found is None:
                found = column_of[name] = languages.setdefault(language_key(name), len(languages))
            return found

        spoken = [
            [column(name) for name in names]
            for names in (columns.languages[i] if columns.languages else [] for i in order)
        ]
        speaks = np.zeros((len(order), max(1, len(languages))), dtype=bool)
        for row, keys in enumerate(spoken):
            speaks[row, keys] = True
        texts: dict[int, ProfileTexts] = {}
        text_rows: dict[int, NDArray[np.int64]] = {}
        for program_id in np.unique(program):
            rows_of = np.flatnonzero(program == program_id)
            texts[int(program_id)] = ProfileTexts(
                [names[row] for row in rows_of],
                [
                    profile_text(
                        columns.expertise[order[row]],
                        columns.bios[order[row]] if columns.bios else "",
                    )
                    for row in rows_of
                ],
                cache=cache,
            )
            # the texts' rows are in person-key order (workspace first), the columns' in user ID
            # order: each text row's column row, in the texts' order
            text_rows[int(program_id)] = (
                rows_of[
                    np.array(
                        sorted(range(len(rows_of)), key=lambda k: names[rows_of[k]]), dtype=np.int64
                    )
                ]
                if len(rows_of)
                else rows_of
            )
        return cls(
            user_ids=user_ids,
            team_ids=team_ids,
            row_of={(t, u): row for row, (t, u) in enumerate(zip(team_ids, user_ids, strict=True))},
            companies=companies,
            areas=areas,
            offers=offers,
            capacity=np.array([columns.capacities[i] for i in order], dtype=np.int64),
            program=program,
            org=org,
            org_names=org_names,
            zone=zone,
            zones=list(zones),
            languages=languages,
            speaks=speaks,
            silent=np.array([not names for names in spoken], dtype=bool),
            texts=texts,
            text_rows=text_rows,
            stems=cache,
        )

    def patched(
        self, changes: MentorColumns, *, owner: str
    ) -> tuple[Mentors, NDArray[np.int64] | None] | None:
        """These columns with ``changes`` (``MentorRepository.pool_changes``) written in:
        exactly what ``of`` would read now, and each old row's new row where rows moved (a
        mentor came or went; None: every row stayed put). None where the change is one of
        structure (a shared program's members), which only a whole read answers."""
        companies = Companies(owner=owner, members=changes.members, names=changes.names)
        if companies.members != self.companies.members:
            return None
        teams = changes.team_ids or [owner] * len(changes)
        people = list(zip(teams, changes.user_ids, strict=True))
        gone = {p for p in changes.left if p in self.row_of}
        coming = [p for p in people if p not in self.row_of]
        n = len(self.user_ids)
        if not gone and not coming:
            user_ids, team_ids, row_of, moved = self.user_ids, self.team_ids, self.row_of, None
            capacity, program = self.capacity.copy(), self.program.copy()
            org, zone, silent = self.org.copy(), self.zone.copy(), self.silent.copy()
            offers, speaks = self.offers.copy(), self.speaks.copy()
        else:
            keys = sorted(
                [
                    (u, t)
                    for u, t in zip(self.user_ids, self.team_ids, strict=True)
                    if (t, u) not in gone
                ]
                + [(u, t) for t, u in coming]
            )
            user_ids = [u for u, _ in keys]
            team_ids = [t for _, t in keys]
            row_of = {(t, u): r for r, (u, t) in enumerate(keys)}
            moved = np.array(
                [row_of.get((t, u), -1) for u, t in zip(self.user_ids, self.team_ids, strict=True)],
                dtype=np.int64,
            )
            stays = moved >= 0
            m = len(keys)

            def laid(column: NDArray[Any], fill: Any) -> NDArray[Any]:
                out = np.full((m, *column.shape[1:]), fill, dtype=column.dtype)
                out[moved[stays]] = column[:n][stays]
                return out

            capacity, program = laid(self.capacity, 0), laid(self.program, _DEFAULT_PROGRAM)
            org, zone, silent = laid(self.org, 0), laid(self.zone, 0), laid(self.silent, False)
            offers, speaks = laid(self.offers, False), laid(self.speaks, False)
        areas, languages = dict(self.areas), dict(self.languages)
        org_names, zones = list(self.org_names), list(self.zones)
        org_of = {normalize_org(name): k for k, name in enumerate(org_names)}
        zone_of = {z: k for k, z in enumerate(zones)}
        was = {p: int(self.program[self.row_of[p]]) for p in (*people, *gone) if p in self.row_of}
        for i, (team, user) in enumerate(people):
            row = row_of[(team, user)]
            cells = [areas.setdefault(a.casefold(), len(areas)) for a in changes.expertise[i]]
            if len(areas) > offers.shape[1]:
                offers = np.pad(offers, ((0, 0), (0, len(areas) - offers.shape[1])))
            offers[row] = False
            offers[row, cells] = True
            capacity[row] = changes.capacities[i]
            program_id = changes.program_ids[i]
            program[row] = _DEFAULT_PROGRAM if program_id is None else program_id
            name = changes.organizations[i]
            if companies.shared(program_id):
                name = company_key(team)
            key = normalize_org(name)
            if key not in org_of:
                org_of[key] = len(org_names)
                org_names.append(name)
            org[row] = org_of[key]
            place = (changes.tzs[i], changes.tz_offsets[i])
            if place not in zone_of:
                zone_of[place] = len(zones)
                zones.append(place)
            zone[row] = zone_of[place]
            spoken = [
                languages.setdefault(language_key(n), len(languages))
                for n in (changes.languages[i] if changes.languages else [])
            ]
            if len(languages) > speaks.shape[1]:
                speaks = np.pad(speaks, ((0, 0), (0, len(languages) - speaks.shape[1])))
            speaks[row] = False
            speaks[row, spoken] = True
            silent[row] = not spoken
        # the goals' TF-IDF of each program a changed mentor was or is in; the others' rows
        # only move with the columns
        touched: dict[int, dict[str, str | None]] = {}
        for (team, user), program_id in was.items():
            touched.setdefault(program_id, {})[person_key(team, user)] = None
        for i, (team, user) in enumerate(people):
            text = profile_text(changes.expertise[i], changes.bios[i] if changes.bios else "")
            touched.setdefault(int(program[row_of[(team, user)]]), {})[person_key(team, user)] = (
                text
            )
        texts, text_rows = dict(self.texts), dict(self.text_rows)
        if moved is not None:
            text_rows = {p: moved[rows] for p, rows in text_rows.items()}
        for program_id, now in touched.items():
            known = texts.get(program_id)
            if known is not None:
                found = known.patched(now, self.stems)
            else:
                fresh = {k: t for k, t in now.items() if t is not None}
                found = ProfileTexts(list(fresh), list(fresh.values()), cache=self.stems)
            if not len(found):
                texts.pop(program_id, None)
                text_rows.pop(program_id, None)
                continue
            texts[program_id] = found
            if known is None or found.user_ids is not known.user_ids:
                text_rows[program_id] = np.array(
                    [row_of[_person(k)] for k in found.user_ids], dtype=np.int64
                )
        patched = Mentors(
            user_ids=user_ids,
            team_ids=team_ids,
            row_of=row_of,
            companies=companies,
            areas=areas,
            offers=offers,
            capacity=capacity,
            program=program,
            org=org,
            org_names=org_names,
            zone=zone,
            zones=zones,
            languages=languages,
            speaks=speaks,
            silent=silent,
            texts=texts,
            text_rows=text_rows,
            stems=self.stems,
        )
        return patched, moved


@dataclass(frozen=True)
class Entry:
    """One program owner's columns as read at ``version``, with the loads read beside."""

    version: PoolVersion | None
    mentors: Mentors
    loads: NDArray[np.int64]


def stem_cache(known: Entry | None) -> StemCache:
    return known.mentors.stems.fresh() if known is not None else StemCache()


def person_key(team_id: str, user_id: str) -> str:
    """A mentor's name among the profile texts: a person is their workspace and user ID."""
    return f"{team_id}/{user_id}"


def _person(key: str) -> tuple[str, str]:
    team_id, _, user_id = key.partition("/")  # workspace IDs hold no slash
    return team_id, user_id


def takes_part(mentors: Mentors, request: MentorRequest) -> bool:
    """The mentee's workspace is the program's, or still an active member of it."""
    return mentors.companies.takes_part(request.team_id, request.program_id)


def scored(
    companies: Companies,
    request: MentorRequest,
    mentor: MentorProfile,
    *,
    load: int,
    at: datetime,
    fit: FitRule,
    goals: GoalsFit,
) -> Candidate:
    """``score_mentor`` as the program's companies see the pair, naming the mentor's company
    when it is another workspace; the candidate keeps the mentor's own profile."""
    candidate = score_mentor(
        companies.request(request),
        companies.mentor(mentor),
        load=load,
        at=at,
        fit=fit,
        goals=goals,
        company=companies.company_of(request, mentor),
    )
    return replace(candidate, mentor=mentor)


def loads_of(uow: SuggestWork, owner: str, mentors: Mentors) -> NDArray[np.int64]:
    """Mentees each mentor has, counting those asked about and not answered yet: every
    mentor's own, in whichever program's pairs, read by their own workspace."""
    loads = np.zeros(len(mentors.user_ids), dtype=np.int64)
    for team in sorted({owner, *mentors.team_ids}):
        counts = uow.partnerships.active_by_mentor(team)
        for mentor_id, pending in uow.proposals.pending_by_mentor(team).items():
            counts[mentor_id] = counts.get(mentor_id, 0) + pending
        for mentor_id, count in counts.items():
            if (row := mentors.row_of.get((team, mentor_id))) is not None:
                loads[row] = count
    return loads


def program_of(request: MentorRequest) -> int:
    return _DEFAULT_PROGRAM if request.program_id is None else request.program_id


def goals_query(mentors: Mentors, request: MentorRequest) -> GoalsQuery | None:
    texts = mentors.texts.get(program_of(request))
    return texts.query(request.goals) if texts is not None else None


def allowed_mask(
    entry: Entry,
    request: MentorRequest,
    *,
    rule: CrossCompanyRule,
    excluded: frozenset[str],
) -> NDArray[np.bool_]:
    """``is_eligible`` but for languages, and the program's own mentors, for every mentor at
    once; the organization rule is asked once per organization, not per mentor. In a shared
    program the organization is each person's workspace (``bot.matching.companies``)."""
    mentors = entry.mentors
    seen = mentors.companies.request(request)
    rule = mentors.companies.rule(rule, request.program_id)
    allowed_orgs = np.array(
        [
            rule.allows(seen.organization, name, mentee_wants_other=request.wants_other_org)
            for name in mentors.org_names
        ],
        dtype=bool,
    )
    eligible: NDArray[np.bool_] = (mentors.program == program_of(request)) & (
        entry.loads < mentors.capacity
    )
    eligible &= allowed_orgs[mentors.org]
    teams = set(mentors.team_ids)
    for user_id in excluded:  # by user ID, as the mentee's history names them
        for team in teams:
            if (row := mentors.row_of.get((team, user_id))) is not None:
                eligible[row] = False
    if (row := mentors.row_of.get((request.team_id, request.mentee_id))) is not None:
        eligible[row] = False
    return eligible


def speaks_mask(mentors: Mentors, request: MentorRequest, fit: FitRule) -> NDArray[np.bool_]:
    """``speak_together`` for every mentor: one of the mentee's languages (the defaults for
    whoever named none)."""
    if fit.any_language:
        return np.ones(len(mentors.user_ids), dtype=bool)
    wanted = {
        language_key(name) for name in known_languages(request.languages or fit.default_languages)
    }
    columns = [mentors.languages[key] for key in wanted if key in mentors.languages]
    speaking = np.asarray(mentors.speaks[:, columns].any(axis=1), dtype=bool)
    if wanted & {language_key(name) for name in fit.default_languages}:
        speaking |= mentors.silent
    return speaking


def _shared_focus(mentors: Mentors, request: MentorRequest) -> NDArray[np.int64] | None:
    """How many of the wanted areas (duplicates count) each mentor offers; None: none wanted."""
    wanted = list(request.focus_areas)
    if not wanted:
        return None
    counts = np.zeros(mentors.offers.shape[1], dtype=np.int64)
    for area in wanted:
        if (k := mentors.areas.get(area.casefold())) is not None:
            counts[k] += 1
    shared: NDArray[np.int64] = mentors.offers @ counts
    return shared


def _overlap(mentors: Mentors, request: MentorRequest, *, at: datetime) -> NDArray[np.float64]:
    mentee = utc_offset_seconds(request.tz, request.tz_offset, at)
    zone_offsets = np.array(
        [utc_offset_seconds(tz, fallback, at) for tz, fallback in mentors.zones], dtype=np.float64
    )
    diff = (np.abs(mentee - zone_offsets[mentors.zone]) / 3600) % 24
    diff = np.minimum(diff, 24 - diff)
    overlap: NDArray[np.float64] = np.floor(np.maximum(0.0, WORKDAY_HOURS - diff))
    return overlap


def floor_parts(
    entry: Entry, request: MentorRequest, *, at: datetime
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``Candidate.worth_it``'s two halves: a shared focus area, a working hour in common."""
    shared = _shared_focus(entry.mentors, request)
    focus = np.ones(len(entry.mentors.user_ids), dtype=bool) if shared is None else shared > 0
    return focus, _overlap(entry.mentors, request, at=at) > 0


def score_columns(
    entry: Entry, request: MentorRequest, *, at: datetime, query: GoalsQuery | None
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``score_mentor``'s score for every mentor, with the same float arithmetic in the same
    order (so the same halves round the same way), and whether each passes the fit floor."""
    mentors = entry.mentors
    shared = _shared_focus(mentors, request)
    if shared is not None:
        focus: NDArray[np.float64] | float = FOCUS_WEIGHT * shared / len(request.focus_areas)
    else:
        focus = FOCUS_WEIGHT / 2
    overlap = _overlap(mentors, request, at=at)
    free = np.maximum(0, mentors.capacity - entry.loads)
    capacity_part = np.where(
        mentors.capacity > 0,
        CAPACITY_WEIGHT * free / np.where(mentors.capacity > 0, mentors.capacity, 1),
        0.0,
    )
    similarity = np.zeros(len(mentors.user_ids), dtype=np.float64)
    texts = mentors.texts.get(program_of(request))
    if texts is not None and query is not None:
        similarity[mentors.text_rows[program_of(request)]] = texts.similarities(query)
    goals_part = GOALS_WEIGHT * np.minimum(1.0, similarity / FULL_MATCH)
    scores = np.rint(
        focus + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS + capacity_part + goals_part
    ).astype(np.int64)
    floor = overlap > 0
    if shared is not None:
        floor &= shared > 0
    return scores, floor
