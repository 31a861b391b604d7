"""Cohort planning's blocks on several threads: the same plan as on one, block for block."""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest

from bot.matching import assignment, cores
from bot.matching import cohort as cohort_module
from bot.matching.cohort import _Pairs, assign_cohort
from bot.matching.cores import each_block
from tests.unit.test_matching_cohort import random_cohort


def test_blocks_run_side_by_side_and_come_back_in_order() -> None:
    """Two spans wait for each other: on one thread this would break the barrier."""
    barrier = threading.Barrier(2, timeout=10)

    def work(k: int) -> int:
        if k < 2:
            barrier.wait()
        return k * k

    assert each_block(work, range(9), threads=2) == [k * k for k in range(9)]


def test_one_span_or_one_thread_runs_in_the_callers_thread() -> None:
    caller = threading.current_thread()
    seen: list[threading.Thread] = []
    each_block(lambda _k: seen.append(threading.current_thread()), [0])
    each_block(lambda _k: seen.append(threading.current_thread()), range(3), threads=1)
    assert seen == [caller] * 4


def test_the_workers_are_the_cores_this_process_may_use() -> None:
    assert 1 <= cores.workers() <= cores.MAX_WORKERS


@pytest.mark.parametrize("seed", range(3))
def test_a_cohort_is_planned_the_same_on_one_thread_and_on_several(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring, the first graph and the pricing scans cut into many small blocks (and the goals'
    points shared between them) give the same matrix and the same pairs on 1 and 3 threads."""
    cohort = random_cohort(random.Random(900 + seed), mentees=150, mentors=70, max_capacity=3)
    monkeypatch.setattr(cohort_module, "BLOCK_CELLS", 350)
    monkeypatch.setattr(assignment, "SCAN_CELLS", 350)
    monkeypatch.setattr(assignment, "SELECT_CELLS", 500)
    monkeypatch.setattr(cohort_module, "KEPT_POINTS", 3 * 70)  # the points cache fills, clears
    plans = []
    for threads in (1, 3):
        monkeypatch.setattr(cores, "workers", lambda threads=threads: threads)
        everyone = np.arange(len(cohort.mentors), dtype=np.int64)
        weights, _, _ = _Pairs(cohort, everyone).weights_and_reach()
        result = assign_cohort(cohort)
        pairs = [(a.request.mentee_id, a.mentor.user_id, a.score) for a in result.assignments]
        plans.append((weights, pairs))
    (one_weights, one_pairs), (several_weights, several_pairs) = plans
    assert (one_weights == several_weights).all()
    assert one_pairs == several_pairs
    assert len(one_pairs) > 20
