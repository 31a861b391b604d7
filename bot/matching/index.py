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
from datetime import datetime

import numpy as np

from bot.matching.columns import (
    Entry,
    Mentors,
    allowed_mask,
    floor_parts,
    goals_query,
    loads_of,
    person_key,
    program_of,
    score_columns,
    scored,
    speaks_mask,
    stem_cache,
    takes_part,
)
from bot.matching.scores import (
    Candidate,
    Shortfall,
    is_eligible,
)
from bot.matching.text import (
    NO_GOALS_FIT,
)
from bot.model.mentor_pool import PoolVersion
from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import DEFAULT_FIT, CrossCompanyRule, FitRule
from bot.ports import SuggestWork

BACKGROUND_FROM = 2_000  # mentors: a pool this large is rebuilt off the request path
REST = 3.0
"""A workspace's next background rebuild waits three times as long as its last one took: a
pool changing every second is rebuilt a quarter of the time, not all the time (a rebuild
holds the interpreter, so the asks it overlaps run slower)."""
PATCH_AT_MOST = 64  # changed profiles patched in whatever the pool's size
PATCH_SHARE = 0.25  # beyond this share of the pool changed, reading it whole costs less
STALE_SLACK = 10  # finalists beyond the limit, checked again when serving a stale pool

log = logging.getLogger(__name__)

Reader = Callable[[], AbstractContextManager[SuggestWork]]
"""A unit of work of its own, for rebuilding a workspace's pool on a background thread."""


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
        self._entries: dict[str, Entry] = {}
        self._reader = reader
        self.background_from = background_from
        self._lock = threading.Condition()
        self._building: set[str] = set()  # workspaces with a background build queued or running
        self._rest_until: dict[str, float] = {}  # no rebuild of the workspace before (monotonic)
        self.incremental = True  # False: every change read whole (the bench's anchor)

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
        if not mentors.user_ids or not takes_part(mentors, request):
            return []
        allowed = allowed_mask(entry, request, rule=rule, excluded=excluded)
        query = goals_query(mentors, request)
        scores, floor = score_columns(entry, request, at=at, query=query)
        passing = allowed & speaks_mask(mentors, request, fit)
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
        texts = mentors.texts.get(program_of(request))
        companies = mentors.companies
        candidates = [
            scored(
                companies,
                request,
                found[person],
                load=loads[person],
                at=at,
                fit=fit,
                goals=texts.fit(query, person_key(*person)) if texts and query else NO_GOALS_FIT,
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
        if not entry.mentors.user_ids or not takes_part(entry.mentors, request):
            return Shortfall()
        allowed = allowed_mask(entry, request, rule=rule, excluded=excluded)
        speaking = allowed & speaks_mask(entry.mentors, request, fit)
        focus, overlap = floor_parts(entry, request, at=at)
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
            or not takes_part(entry.mentors, request)
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
        texts = entry.mentors.texts.get(program_of(request))
        query = texts.query(request.goals) if texts is not None else None
        candidate = scored(
            companies,
            request,
            mentor,
            load=load,
            at=at,
            fit=fit,
            goals=texts.fit(query, person_key(*person)) if texts and query else NO_GOALS_FIT,
        )
        return candidate if candidate.worth_it(request, fit) else None

    def _entry(self, uow: SuggestWork, team_id: str) -> tuple[Entry, bool]:
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
            mentors = Mentors.of(uow.mentors.pool(team_id), owner=team_id, cache=stem_cache(known))
            return Entry(
                version=None, mentors=mentors, loads=loads_of(uow, team_id, mentors)
            ), False
        if known is not None and known.version is not None and known.version.teams == version.teams:
            stale = known.version.mentors_key != version.mentors_key
            if stale and (patched := self._patched(uow, team_id, known, version)) is not None:
                self._keep(team_id, patched)
                return patched, False
            if not stale or self._in_background(team_id, known):
                seen = version.with_mentors_of(known.version)
                loads = (
                    known.loads
                    if known.version.loads_key == version.loads_key
                    else loads_of(uow, team_id, known.mentors)
                )
                entry = Entry(version=seen, mentors=known.mentors, loads=loads)
                self._keep(team_id, entry)
                return entry, stale
        mentors = Mentors.of(uow.mentors.pool(team_id), owner=team_id, cache=stem_cache(known))
        entry = Entry(version=version, mentors=mentors, loads=loads_of(uow, team_id, mentors))
        self._keep(team_id, entry)
        return entry, False

    def _patched(
        self, uow: SuggestWork, team_id: str, known: Entry, version: PoolVersion
    ) -> Entry | None:
        """``known`` brought up to ``version`` from the profile rows written since it was
        read, or None where only a whole read will do: rows went without a change number
        (a profile deleted, a bulk change, members joining or leaving: ``structure``), or so
        many changed that reading everyone costs less than patching them in."""
        assert known.version is not None
        if not self.incremental or known.version.structure_key != version.structure_key:
            return None
        changes = uow.mentors.pool_changes(team_id, version.mentors_since(known.version, team_id))
        size = len(known.mentors.user_ids)
        if len(changes) + len(changes.left) > max(PATCH_AT_MOST, size * PATCH_SHARE):
            return None
        found = known.mentors.patched(changes, owner=team_id)
        if found is None:
            return None
        mentors, moved = found
        if known.version.loads_key != version.loads_key or (
            moved is not None and int((moved >= 0).sum()) < len(mentors.user_ids)
        ):  # loads moved, or a mentor came whose mentees the columns never counted
            loads = loads_of(uow, team_id, mentors)
        elif moved is None:
            loads = known.loads
        else:
            loads = np.zeros(len(mentors.user_ids), dtype=np.int64)
            loads[moved[moved >= 0]] = known.loads[moved >= 0]
        return Entry(version=version, mentors=mentors, loads=loads)

    def _keep(self, team_id: str, entry: Entry) -> None:
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

    def _in_background(self, team_id: str, known: Entry) -> bool:
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
            mentors = Mentors.of(uow.mentors.pool(team_id), owner=team_id, cache=stem_cache(known))
            loads = loads_of(uow, team_id, mentors)
        if version is not None:
            self._keep(team_id, Entry(version=version, mentors=mentors, loads=loads))

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
