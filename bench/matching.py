"""`/mentor ask` ranking with thousands of mentors: the pure ranking, and the whole service call.

The service call is what a mentee waits for after submitting the form: load every accepting
mentor and the loads, rank, queue the suggestions, commit. Cohort matching is timed on the
assignment itself (2,000 mentees x 1,000 mentors) and its total fit compared with greedy.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from bench.common import Figure, ms, percentile
from bench.program import ORGS, TEAM, ZONES, profiles, seed
from bot.clock import FixedClock
from bot.matching.cohort import CohortInput, assign_cohort, assign_greedily, rank_for_request
from bot.matching.scores import rank_mentors
from bot.matching.service import MenteeAsk, MentoringService
from bot.model.partnership import DEFAULT_FOCUS_AREAS, MentorRequest
from bot.model.rules import CrossCompanyRule, ProgramRules
from bot.ports import UnitOfWork
from storage import SqlUnitOfWork, connect

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


def service(database: str, database_url: str, mentors: int, asks: int) -> Figure:
    db = connect(database_url)
    db.migrate()
    seed(db, mentors=mentors, mentees=0, pairs=0)

    def uow() -> UnitOfWork:
        return SqlUnitOfWork(db.sessions)

    mentoring = MentoringService(uow=uow, clock=FixedClock(AT), rules=ProgramRules())
    samples: list[float] = []
    deadline = time.perf_counter() + BUDGET_SECONDS
    for n in range(asks):
        if time.perf_counter() > deadline:
            break
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
    db.dispose()
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    return Figure(
        section="matching",
        name=f"/mentor ask service call, {mentors:,} mentors, {database}",
        value=f"p50 {ms(p50)} p99 {ms(p99)} ({len(samples)} asks)",
        target="p99 < 50 ms",
        met=p99 < TARGET,
        data={
            "database": database,
            "mentors": mentors,
            "asks": len(samples),
            "p50_ms": p50 * 1000,
            "p99_ms": p99 * 1000,
        },
    )


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
