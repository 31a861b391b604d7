"""`/mentor ask` ranking with thousands of mentors: the pure ranking, and the whole service call.

The service call is what a mentee waits for after submitting the form: load every accepting
mentor and the loads, rank, queue the suggestions, commit. Cohort matching is timed on the
assignment itself (2,000 mentees x 1,000 mentors) and its total fit compared with greedy.
"""

from __future__ import annotations

import math
import random
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from scipy.optimize import linear_sum_assignment

from bench.common import Figure, child_env, ms, percentile, read_json, spawn, stop
from bench.program import ORGS, TEAM, ZONES, profiles, seed
from bot.clock import FixedClock
from bot.matching.cohort import CohortInput, assign_cohort
from bot.matching.fit_matrix import assign_greedily, rank_for_request
from bot.matching.scores import rank_mentors
from bot.matching.service import MenteeAsk, MentoringService
from bot.model.partnership import DEFAULT_FOCUS_AREAS, MentorRequest
from bot.model.rules import CrossCompanyRule, ProgramRules
from bot.ports import UnitOfWork
from storage import Database, SqlUnitOfWork, connect
from storage.models.matching import MentorRequestRow

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TARGET = 0.050
BUDGET_SECONDS = 15.0  # per figure: enough samples for a p99 without an unbounded run


def ranking(mentors: int, rounds: int, *, vectorized: bool = True) -> Figure:
    pool = profiles(mentors)
    request = MentorRequest(
        team_id=TEAM,
        mentee_id="UASKER",
        goals="grow",
        focus_areas=["leadership", "career growth"],
        organization="Acme",
        wants_other_org=True,
        tz="Europe/Berlin",
        tz_offset=3600,
    )
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_SECONDS
    while len(samples) < rounds and time.perf_counter() < deadline:
        started = time.perf_counter()
        rank = rank_for_request if vectorized else rank_mentors
        best = rank(request, pool, loads={}, rule=CrossCompanyRule(), excluded=frozenset(), at=AT)
        samples.append(time.perf_counter() - started)
    assert len(best) == 3
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    return Figure(
        section="matching",
        name=f"{'rank_for_request (NumPy)' if vectorized else 'rank_mentors (reference)'}, "
        f"{mentors:,} mentors",
        value=f"p50 {ms(p50)} p99 {ms(p99)} ({len(samples)} rounds)",
        target="p99 < 50 ms",
        met=p99 < TARGET,
        data={
            "mentors": mentors,
            "rounds": len(samples),
            "p50_ms": p50 * 1000,
            "p99_ms": p99 * 1000,
        },
    )


class Statements:
    """Statements sent and rows read (PostgreSQL reports a SELECT's row count) meanwhile."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = 0
        self.rows = 0
        self._engine = engine
        sa.event.listen(engine, "after_cursor_execute", self._seen)

    def _seen(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if statement.lstrip()[:6].upper() in ("SELECT", "WITH A") and cursor.rowcount > 0:
            self.rows += int(cursor.rowcount)

    def close(self) -> None:
        sa.event.remove(self._engine, "after_cursor_execute", self._seen)


ASK_TARGET = {20_000: 0.030}  # the targets; 20 ms below 20,000 mentors


def service(database: str, database_url: str, mentors: int, asks: int) -> list[Figure]:
    """The ask form submitted: ``MentoringService.ask`` as the modal's submission calls it;
    then the same right after each of ``asks`` profile changes (the index rebuilt meanwhile)."""
    db = connect(database_url)
    db.migrate()
    seed(db, mentors=mentors, mentees=0, pairs=0)

    def uow() -> UnitOfWork:
        return SqlUnitOfWork(db.sessions)

    mentoring = MentoringService(uow=uow, clock=FixedClock(AT), rules=ProgramRules())
    samples: list[float] = []
    counted = Statements(db.engine)
    deadline = time.perf_counter() + BUDGET_SECONDS
    first = math.nan
    for n in range(asks + 1):
        if time.perf_counter() > deadline:
            break
        if n == 1:  # the first ask fills the per-process index: counted apart
            counted.statements = counted.rows = 0
            first = samples.pop() if samples else math.nan
        started = time.perf_counter()
        result = mentoring.ask(
            team_id=TEAM,
            mentee_id=f"UASK{n:05d}",
            ask=MenteeAsk(
                goals="Lead my first team",
                focus_areas=["leadership", "communication"],
                organization="Acme",
                wants_other_org=n % 2 == 0,
            ),
            tz="Europe/Berlin",
            tz_offset=3600,
        )
        samples.append(time.perf_counter() - started)
        assert len(result.candidates) == 3
    counted.close()
    changed, rebuilt, cpu_changed = _after_changes(db, mentoring, asks, start=0)
    # the anchors, same run: every change read whole (background from 2,000 mentors, as
    # before the incremental refresh), and every rebuild on the ask's own path
    whole = MentoringService(uow=uow, clock=FixedClock(AT), rules=ProgramRules())
    whole.index.incremental = False
    whole_changed, _, cpu_whole = _after_changes(db, whole, asks, start=asks)
    inline = MentoringService(uow=uow, clock=FixedClock(AT), rules=ProgramRules())
    inline.index.background_from = 10**9
    inline.index.incremental = False
    inline_changed, _, _ = _after_changes(db, inline, asks, start=2 * asks)
    db.dispose()
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    per_ask = counted.statements / len(samples) if samples else math.nan
    rows = counted.rows / len(samples) if samples else math.nan
    target = ASK_TARGET.get(mentors, 0.020)
    read = f", {rows:,.0f} rows read" if database == "postgresql" else ""
    after = Figure(
        section="matching",
        name=f"ask right after a profile change, {mentors:,} mentors, {database}",
        value=f"p50 {ms(percentile(changed, 0.5))} p99 {ms(percentile(changed, 0.99))} "
        f"({len(changed)} changes, each followed by an ask; {cpu_changed * 1000:.1f} ms CPU "
        f"per ask and change); idle {ms(rebuilt)} after the last change | each change read "
        f"whole (before): p50 {ms(percentile(whole_changed, 0.5))} p99 "
        f"{ms(percentile(whole_changed, 0.99))}, {cpu_whole * 1000:.1f} ms CPU per ask and "
        f"change; rebuilt on the ask's path: p50 "
        f"{ms(percentile(inline_changed, 0.5))} p99 {ms(percentile(inline_changed, 0.99))}",
        target=f"p99 <= {target * 1000:.0f} ms",
        met=percentile(changed, 0.99) <= target,
        data={
            "database": database,
            "mentors": mentors,
            "changes": len(changed),
            "p50_ms": percentile(changed, 0.5) * 1000,
            "p99_ms": percentile(changed, 0.99) * 1000,
            "rebuilt_after_ms": rebuilt * 1000,
            "cpu_ms_per_change": cpu_changed * 1000,
            "whole_p50_ms": percentile(whole_changed, 0.5) * 1000,
            "whole_p99_ms": percentile(whole_changed, 0.99) * 1000,
            "whole_cpu_ms_per_change": cpu_whole * 1000,
            "inline_p50_ms": percentile(inline_changed, 0.5) * 1000,
            "inline_p99_ms": percentile(inline_changed, 0.99) * 1000,
        },
    )
    return [
        Figure(
            section="matching",
            name=f"ask submitted (MentoringService.ask), {mentors:,} mentors, {database}",
            value=f"p50 {ms(p50)} p99 {ms(p99)} ({len(samples)} asks); "
            f"{per_ask:.0f} statements{read} per ask; the first (builds the index) {ms(first)}",
            target=f"p99 <= {target * 1000:.0f} ms, rows independent of mentors",
            met=p99 <= target,
            data={
                "database": database,
                "mentors": mentors,
                "asks": len(samples),
                "p50_ms": p50 * 1000,
                "p99_ms": p99 * 1000,
                "statements_per_ask": per_ask,
                "rows_per_ask": rows if database == "postgresql" else None,
                "first_ask_ms": first * 1000,
            },
        ),
        after,
    ]


def _after_changes(
    db: Database, mentoring: MentoringService, rounds: int, *, start: int
) -> tuple[list[float], float, float]:
    """One mentor's bio edited and committed (as ``/mentor offer`` would), then an ask at
    once, ``rounds`` times; how long after the last change the index was idle, and the
    process's CPU per change and ask."""
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_SECONDS
    cpu = time.process_time()
    for k in range(start, start + rounds):
        if time.perf_counter() > deadline:
            break
        with SqlUnitOfWork(db.sessions) as work:
            profile = work.mentors.get(TEAM, f"UMEN{k:05d}")
            assert profile is not None
            profile.bio = f"Led teams through {k + 2} reorganisations; happy to talk careers."
            work.mentors.save(profile)
            work.commit()
        started = time.perf_counter()
        result = mentoring.ask(
            team_id=TEAM,
            mentee_id=f"UCHG{k:05d}",
            ask=MenteeAsk(
                goals="Lead my first team",
                focus_areas=["leadership", "communication"],
                organization="Acme",
                wants_other_org=k % 2 == 0,
            ),
            tz="Europe/Berlin",
            tz_offset=3600,
        )
        samples.append(time.perf_counter() - started)
        assert len(result.candidates) == 3
    started = time.perf_counter()
    assert mentoring.index.wait_idle(60)
    # the process's CPU per change and ask, background rebuilds included (wall clock on a
    # shared machine says more about the neighbours)
    idle = time.perf_counter() - started
    return samples, idle, (time.process_time() - cpu) / max(1, len(samples))


def cohort(mentees: int, mentors: int) -> list[Figure]:
    """Cohort matching: the optimal assignment against greedy, on the same program."""
    rng = random.Random(5)
    pool = profiles(mentors, seed=3)  # capacities of 1 to 3
    requests = []
    for n in range(mentees):
        tz, offset = rng.choice(ZONES)
        requests.append(
            MentorRequest(
                team_id=TEAM,
                mentee_id=f"UCOH{n:05d}",
                goals="",
                focus_areas=rng.sample(DEFAULT_FOCUS_AREAS, rng.randint(1, 3)),
                organization=rng.choice(ORGS),
                wants_other_org=rng.random() < 0.3,
                tz=tz,
                tz_offset=offset,
                id=n + 1,
            )
        )
    program = CohortInput(
        requests=requests,
        mentors=pool,
        loads={},
        excluded={},
        rule=CrossCompanyRule(competitors=frozenset({frozenset({"acme", "globex"})})),
        at=AT,
    )
    started = time.perf_counter()
    best = assign_cohort(program)
    optimal_seconds = time.perf_counter() - started
    started = time.perf_counter()
    greedy = assign_greedily(program)
    greedy_seconds = time.perf_counter() - started
    places = sum(p.capacity for p in pool)
    gain = (best.total_fit - greedy.total_fit) / greedy.total_fit if greedy.total_fit else 0.0
    return [
        Figure(
            section="matching",
            name=f"cohort matching {mentees:,} x {mentors:,} ({places:,} places)",
            value=f"{optimal_seconds:.2f} s; {len(best.assignments):,} matched, "
            f"total fit {best.total_fit:,}",
            target="< 5 s",
            met=optimal_seconds < 5.0,
            data={
                "mentees": mentees,
                "mentors": mentors,
                "places": places,
                "seconds": optimal_seconds,
                "matched": len(best.assignments),
                "total_fit": best.total_fit,
            },
        ),
        Figure(
            section="matching",
            name="cohort matching vs greedy (best pair first)",
            value=f"greedy {len(greedy.assignments):,} matched, total fit "
            f"{greedy.total_fit:,} in {greedy_seconds:.2f} s: optimal is {gain:+.1%}",
            target="optimal >= greedy",
            met=(len(best.assignments), best.total_fit)
            >= (len(greedy.assignments), greedy.total_fit),
            data={
                "greedy_matched": len(greedy.assignments),
                "greedy_total_fit": greedy.total_fit,
                "greedy_seconds": greedy_seconds,
                "gain": gain,
            },
        ),
    ]


def seed_cohort(database_url: str, *, mentees: int, mentors: int) -> None:
    """``mentors`` accepting mentors and ``mentees`` mentees on the waitlist, in bulk."""
    db = connect(database_url)
    db.migrate()
    seed(db, mentors=mentors, mentees=0, pairs=0)
    rng = random.Random(7)
    rows = []
    for n in range(mentees):
        tz, offset = rng.choice(ZONES)
        rows.append(
            {
                "team_id": TEAM,
                "mentee_id": f"UCOH{n:05d}",
                "goals": "Grow into leading a team",
                "focus_areas": rng.sample(DEFAULT_FOCUS_AREAS, rng.randint(1, 3)),
                "organization": rng.choice(ORGS),
                "wants_other_org": rng.random() < 0.3,
                "tz": tz,
                "tz_offset": offset,
                "status": "waitlisted",
                "created_at": AT,
            }
        )
    with db.engine.begin() as connection:
        for start in range(0, len(rows), 2000):
            connection.execute(sa.insert(MentorRequestRow), rows[start : start + 2000])
    db.dispose()


def lsa_anchor(mentees: int, mentors: int) -> float:
    """scipy's linear_sum_assignment alone on random integer fits of the same shape."""
    weights = np.random.default_rng(3).integers(0, 100, size=(mentees, mentors)).astype(np.int32)
    started = time.perf_counter()
    linear_sum_assignment(weights, maximize=True)
    return time.perf_counter() - started


def cohort_service(database: str, database_url: str, mentees: int, mentors: int) -> Figure:
    """``/mentor match everyone`` through CohortService.plan_cohort, in its own process."""
    seed_cohort(database_url, mentees=mentees, mentors=mentors)
    planner = spawn("bench.cohort_process", env=child_env(DATABASE_URL=database_url))
    try:
        found = read_json(planner)
    finally:
        stop(planner)
    anchor = lsa_anchor(mentees, mentors)
    seconds, statements, peak = found["seconds"], found["statements"], found["peak_rss_mb"]
    target = 3.0 if mentees >= 10_000 else 0.3
    return Figure(
        section="cohort",
        name=f"cohort {mentees:,} x {mentors:,} through the service, {database}",
        value=f"{seconds:.2f} s ({found['cpu_seconds']:.2f} s CPU), {statements:,} statements, "
        f"peak RSS {peak:,.0f} MB; "
        f"{found['pairs']:,} pairs | scipy LSA alone {anchor:.2f} s",
        target=f"<= {target:g} s, <= 1 GB, O(1) statements",
        met=seconds <= target and peak <= 1024 and statements <= 50,
        data={
            "database": database,
            "mentees": mentees,
            "mentors": mentors,
            "lsa_anchor_seconds": anchor,
            **found,
        },
    )
