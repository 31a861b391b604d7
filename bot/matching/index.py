"""The accepting mentors of each workspace as NumPy columns, kept per process between asks.

Reading every mentor (bios too) and scoring them one by one on each `/mentor ask` grew with
the program: 20,000 mentors cost a quarter of a second a mentee waits. Here the columns are
read once and kept with the version they were read at; each ask reads the version (one row)
and reloads only what moved: mentors after a profile change, loads alone after a proposal or
partnership change, whichever replica made it. Scoring is ``score_mentor``'s arithmetic over
whole columns, with the same rules (languages, the fit floor) and the same goals' TF-IDF
(one ``ProfileTexts`` per program, built from the bios as they are read and kept as numbers
only); ``tests/unit/test_matching_index.py`` pins the two together. Only the winners are read
whole and scored again by ``score_mentor`` for their reasons.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime

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
    Shortfall,
    is_eligible,
    score_mentor,
    utc_offset_seconds,
)
from bot.matching.text import (
    FULL_MATCH,
    NO_GOALS_FIT,
    GoalsFit,
    GoalsQuery,
    ProfileTexts,
    StemCache,
    profile_text,
)
from bot.model.languages import known_languages, language_key
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule, normalize_org
from bot.ports import SuggestWork

_DEFAULT_PROGRAM = -1  # program_id None in the int column
BACKGROUND_FROM = 2_000  # mentors: a pool this large is rebuilt off the request path
REST = 3.0
"""A workspace's next background rebuild waits three times as long as its last one took: a
pool changing every second is rebuilt a quarter of the time, not all the time (a rebuild
holds the interpreter, so the asks it overlaps run slower)."""
STALE_SLACK = 10  # finalists beyond the limit, checked again when serving a stale pool

log = logging.getLogger(__name__)

Reader = Callable[[], AbstractContextManager[SuggestWork]]
"""A unit of work of its own, for rebuilding a workspace's pool on a background thread."""


@dataclass(frozen=True)
class _Mentors:
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
    def of(cls, columns: MentorColumns, *, owner: str, cache: StemCache) -> _Mentors:
        teams = columns.team_ids or [owner] * len(columns)
        order = sorted(range(len(columns)), key=lambda i: (columns.user_ids[i], teams[i]))
        user_ids = [columns.user_ids[i] for i in order]
        team_ids = [teams[i] for i in order]
        names = [_key(team, user) for team, user in zip(team_ids, user_ids, strict=True)]
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
            text_rows[int(program_id)] = rows_of
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


@dataclass(frozen=True)
class _Entry:
    version: PoolVersion | None
    mentors: _Mentors
    loads: NDArray[np.int64]


class MentorIndex:
    """Per process, one entry per program owner (a workspace: its own programs, and the
    mentors its shared programs draw from member workspaces); safe across threads (entries
    are replaced whole, never changed, so a reader holds one consistent entry).

    With a ``reader``, a large pool (``background_from`` mentors or more) whose profiles
    changed is rebuilt on a background thread while the entry in hand keeps answering: its
    loads are current, and the few finalists are checked against their profiles as they are
    now (one who stopped accepting or has no room is passed over); a mentor new since then
    waits for the rebuild, a second or so (a pool that keeps changing is rebuilt after a
    rest, ``REST``, so that the rebuilds do not take the asks' time). A small pool is rebuilt
    at once, as is a pool
    the transaction itself changed. ``warm`` builds every workspace's pool at start-up on
    the same thread; an ask before it is done waits for that build rather than starting a
    second one."""

    def __init__(self, reader: Reader | None = None, *, background_from: int = BACKGROUND_FROM):
        self._entries: dict[str, _Entry] = {}
        self._reader = reader
        self.background_from = background_from
        self._lock = threading.Condition()
        self._building: set[str] = set()  # workspaces with a background build queued or running
        self._rest_until: dict[str, float] = {}  # no rebuild of the workspace before (monotonic)

    def rank(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        *,
        rule: CrossCompanyRule,
        excluded: frozenset[str],
        at: datetime,
        limit: int,
        fit: FitRule = DEFAULT_FIT,
    ) -> list[Candidate]:
        """``rank_mentors`` over the request's program: the ``limit`` best, best first."""
        if limit <= 0:
            return []
        entry, stale = self._entry(uow, request.program_team_id)
        mentors = entry.mentors
        if not mentors.user_ids or not _takes_part(mentors, request):
            return []
        allowed = _allowed(entry, request, rule=rule, excluded=excluded)
        query = _query(mentors, request)
        scores, floor = _scores(entry, request, at=at, query=query)
        passing = allowed & _speaking(mentors, request, fit)
        if not fit.weak_fit:
            passing &= floor
        eligible = np.flatnonzero(passing)
        if not len(eligible):
            return []
        scores = scores[eligible]
        wanted = limit + STALE_SLACK if stale else limit
        # Only mentors scoring at least the wanted-th best can win; ties at that score then
        # break on user ID, which is the row order.
        cutoff = np.partition(scores, len(scores) - min(wanted, len(scores)))[
            len(scores) - min(wanted, len(scores))
        ]
        finalists = eligible[scores >= cutoff]
        finalist_scores = scores[scores >= cutoff]
        winners = finalists[np.lexsort((finalists, -finalist_scores))][:wanted]
        people = [(mentors.team_ids[int(row)], mentors.user_ids[int(row)]) for row in winners]
        loads = {person: int(entry.loads[mentors.row_of[person]]) for person in people}
        by_team: dict[str, list[str]] = {}
        for team, user_id in people:
            by_team.setdefault(team, []).append(user_id)
        found = {
            (p.team_id, p.user_id): p
            for team, user_ids in by_team.items()
            for p in uow.mentors.profiles(team, user_ids)
        }
        texts = mentors.texts.get(_program(request))
        companies = mentors.companies
        candidates = [
            _scored(
                companies,
                request,
                found[person],
                load=loads[person],
                at=at,
                fit=fit,
                goals=texts.fit(query, _key(*person)) if texts and query else NO_GOALS_FIT,
            )
            for person in people
            if person in found
        ]
        if not stale:
            return candidates
        # Profiles changed since these columns were read: whoever the rules or the fit floor
        # now refuse is passed over, and the rest are ordered by their scores as they are now.
        fresh = [
            c
            for c in candidates
            if c.mentor.accepting
            and (c.mentor.program_team_id, c.mentor.program_id)
            == (request.program_team_id, request.program_id)
            and is_eligible(
                companies.request(request),
                companies.mentor(c.mentor),
                load=loads[(c.mentor.team_id, c.mentor.user_id)],
                rule=companies.rule(rule, request.program_id),
                excluded=excluded,
                fit=fit,
            )
            and c.worth_it(request, fit)
        ]
        fresh.sort(key=lambda c: (-c.score, c.mentor.user_id, c.mentor.team_id))
        return fresh[:limit]

    def shortfall(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        *,
        rule: CrossCompanyRule,
        excluded: frozenset[str],
        at: datetime,
        fit: FitRule = DEFAULT_FIT,
    ) -> Shortfall:
        """Why ``rank`` found nobody: of the mentors with room whom the program's rules allow,
        how many speak none of the mentee's languages, then share no focus area, then no
        working hour (each counted once, at the first rule they miss)."""
        entry, _ = self._entry(uow, request.program_team_id)
        if not entry.mentors.user_ids or not _takes_part(entry.mentors, request):
            return Shortfall()
        allowed = _allowed(entry, request, rule=rule, excluded=excluded)
        speaking = allowed & _speaking(entry.mentors, request, fit)
        focus, overlap = _floor_parts(entry, request, at=at)
        if fit.weak_fit:
            focus = overlap = np.ones_like(focus)
        return Shortfall(
            with_room=int(allowed.sum()),
            other_language=int((allowed & ~speaking).sum()),
            no_shared_focus=int((speaking & ~focus).sum()),
            no_overlap=int((speaking & focus & ~overlap).sum()),
        )

    def score(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        mentor: MentorProfile,
        *,
        rule: CrossCompanyRule,
        excluded: frozenset[str],
        at: datetime,
        fit: FitRule = DEFAULT_FIT,
    ) -> Candidate | None:
        """One mentor's candidacy for the request (None where a rule forbids it): what
        ranking everyone and looking the mentor up gave, without ranking everyone."""
        entry, _ = self._entry(uow, request.program_team_id)
        companies = entry.mentors.companies
        person = (mentor.team_id, mentor.user_id)
        row = entry.mentors.row_of.get(person)
        load = int(entry.loads[row]) if row is not None else 0
        if (
            (mentor.program_team_id, mentor.program_id)
            != (request.program_team_id, request.program_id)
            or not _takes_part(entry.mentors, request)
            or not companies.takes_part(mentor.team_id, mentor.program_id)
            or person == (request.team_id, request.mentee_id)
            or not is_eligible(
                companies.request(request),
                companies.mentor(mentor),
                load=load,
                rule=companies.rule(rule, request.program_id),
                excluded=excluded,
                fit=fit,
            )
        ):
            return None
        texts = entry.mentors.texts.get(_program(request))
        query = texts.query(request.goals) if texts is not None else None
        candidate = _scored(
            companies,
            request,
            mentor,
            load=load,
            at=at,
            fit=fit,
            goals=texts.fit(query, _key(*person)) if texts and query else NO_GOALS_FIT,
        )
        return candidate if candidate.worth_it(request, fit) else None

    def _entry(self, uow: SuggestWork, team_id: str) -> tuple[_Entry, bool]:
        """The program owner's entry as this transaction sees it, and whether its profiles
        are older than the transaction's (a background rebuild is then on its way). A member
        workspace joining or leaving one of its programs rebuilds it at once."""
        version = uow.mentors.pool_version(team_id)
        known = self._entries.get(team_id)
        if known is None and version is not None and self._wait_for_build(team_id):
            known = self._entries.get(team_id)
        if version is not None and known is not None and known.version == version:
            return known, False
        if version is None:  # this transaction's own changes: read them, keep nothing
            mentors = _Mentors.of(uow.mentors.pool(team_id), owner=team_id, cache=_cache(known))
            return _Entry(version=None, mentors=mentors, loads=_loads(uow, team_id, mentors)), False
        if known is not None and known.version is not None and known.version.teams == version.teams:
            stale = known.version.mentors_key != version.mentors_key
            if not stale or self._in_background(team_id, known):
                seen = version.with_mentors_of(known.version)
                loads = (
                    known.loads
                    if known.version.loads_key == version.loads_key
                    else _loads(uow, team_id, known.mentors)
                )
                entry = _Entry(version=seen, mentors=known.mentors, loads=loads)
                self._keep(team_id, entry)
                return entry, stale
        mentors = _Mentors.of(uow.mentors.pool(team_id), owner=team_id, cache=_cache(known))
        entry = _Entry(version=version, mentors=mentors, loads=_loads(uow, team_id, mentors))
        self._keep(team_id, entry)
        return entry, False

    def _keep(self, team_id: str, entry: _Entry) -> None:
        """Keep ``entry`` unless one of newer profiles got there first (a background build);
        after a member workspace joined or left, the latest read wins."""
        assert entry.version is not None
        with self._lock:
            current = self._entries.get(team_id)
            if (
                current is None
                or current.version is None
                or current.version.teams != entry.version.teams
                or entry.version.covers(current.version)
            ):
                self._entries[team_id] = entry

    def _in_background(self, team_id: str, known: _Entry) -> bool:
        """Whether ``known`` may keep answering while its workspace is rebuilt on a thread:
        there is a reader and the pool is large. Starts the rebuild unless one is on its way."""
        if self._reader is None or len(known.mentors.user_ids) < self.background_from:
            return False
        self._start([team_id])
        return True

    def warm(self, team_ids: Iterable[str]) -> None:
        """Build these workspaces' pools on a background thread (at start-up: the first ask
        then finds its pool built, or waits for this build rather than making its own)."""
        if self._reader is not None:
            self._start(list(team_ids))

    def _start(self, team_ids: list[str]) -> None:
        with self._lock:
            todo = [t for t in team_ids if t not in self._building]
            self._building.update(todo)
        if todo:
            threading.Thread(
                target=self._build_all, args=(todo,), name="mentor-index", daemon=True
            ).start()

    def _build_all(self, team_ids: list[str]) -> None:
        for team_id in team_ids:
            try:
                with self._lock:
                    rest = self._rest_until.get(team_id, 0.0) - time.monotonic()
                if rest > 0:  # on this background thread only: the asks go on meanwhile
                    time.sleep(rest)
                started = time.monotonic()
                self._build(team_id)
                with self._lock:
                    self._rest_until[team_id] = time.monotonic() + REST * (
                        time.monotonic() - started
                    )
            except Exception:  # the next ask tries again (at once, or on a thread)
                log.exception("rebuilding the mentor pool of %s failed", team_id)
            finally:
                with self._lock:
                    self._building.discard(team_id)
                    self._lock.notify_all()

    def _build(self, team_id: str) -> None:
        assert self._reader is not None
        known = self._entries.get(team_id)
        with self._reader() as uow:
            version = uow.mentors.pool_version(team_id)
            mentors = _Mentors.of(uow.mentors.pool(team_id), owner=team_id, cache=_cache(known))
            loads = _loads(uow, team_id, mentors)
        if version is not None:
            self._keep(team_id, _Entry(version=version, mentors=mentors, loads=loads))

    def _wait_for_build(self, team_id: str) -> bool:
        """Wait for a background build of this workspace, if there is one: True after it."""
        with self._lock:
            if team_id not in self._building:
                return False
            return self._lock.wait_for(lambda: team_id not in self._building, timeout=30.0)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """True once no background build is queued or running (tests, and shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._building, timeout=timeout)


def _cache(known: _Entry | None) -> StemCache:
    return known.mentors.stems.fresh() if known is not None else StemCache()


def _key(team_id: str, user_id: str) -> str:
    """A mentor's name among the profile texts: a person is their workspace and user ID."""
    return f"{team_id}/{user_id}"


def _takes_part(mentors: _Mentors, request: MentorRequest) -> bool:
    """The mentee's workspace is the program's, or still an active member of it."""
    return mentors.companies.takes_part(request.team_id, request.program_id)


def _scored(
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


def _loads(uow: SuggestWork, owner: str, mentors: _Mentors) -> NDArray[np.int64]:
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


def _program(request: MentorRequest) -> int:
    return _DEFAULT_PROGRAM if request.program_id is None else request.program_id


def _query(mentors: _Mentors, request: MentorRequest) -> GoalsQuery | None:
    texts = mentors.texts.get(_program(request))
    return texts.query(request.goals) if texts is not None else None


def _allowed(
    entry: _Entry,
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
    eligible: NDArray[np.bool_] = (mentors.program == _program(request)) & (
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


def _speaking(mentors: _Mentors, request: MentorRequest, fit: FitRule) -> NDArray[np.bool_]:
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


def _shared_focus(mentors: _Mentors, request: MentorRequest) -> NDArray[np.int64] | None:
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


def _overlap(mentors: _Mentors, request: MentorRequest, *, at: datetime) -> NDArray[np.float64]:
    mentee = utc_offset_seconds(request.tz, request.tz_offset, at)
    zone_offsets = np.array(
        [utc_offset_seconds(tz, fallback, at) for tz, fallback in mentors.zones], dtype=np.float64
    )
    diff = (np.abs(mentee - zone_offsets[mentors.zone]) / 3600) % 24
    diff = np.minimum(diff, 24 - diff)
    overlap: NDArray[np.float64] = np.floor(np.maximum(0.0, WORKDAY_HOURS - diff))
    return overlap


def _floor_parts(
    entry: _Entry, request: MentorRequest, *, at: datetime
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``Candidate.worth_it``'s two halves: a shared focus area, a working hour in common."""
    shared = _shared_focus(entry.mentors, request)
    focus = np.ones(len(entry.mentors.user_ids), dtype=bool) if shared is None else shared > 0
    return focus, _overlap(entry.mentors, request, at=at) > 0


def _scores(
    entry: _Entry, request: MentorRequest, *, at: datetime, query: GoalsQuery | None
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
    texts = mentors.texts.get(_program(request))
    if texts is not None and query is not None:
        similarity[mentors.text_rows[_program(request)]] = texts.similarities(query)
    goals_part = GOALS_WEIGHT * np.minimum(1.0, similarity / FULL_MATCH)
    scores = np.rint(
        focus + OVERLAP_WEIGHT * overlap / WORKDAY_HOURS + capacity_part + goals_part
    ).astype(np.int64)
    floor = overlap > 0
    if shared is not None:
        floor &= shared > 0
    return scores, floor
