"""Blocks of NumPy work spread over the machine's cores, for cohort planning.

A 10,000-mentee cohort spends most of its time in blockwise NumPy (scoring every pair,
picking each line's best, scanning for pairs that could improve the plan), and NumPy
releases the GIL inside those loops: two threads on two cores take half the time. The
blocks write disjoint slices of their output, so they need no locks; results come back in
the blocks' order, so a plan is the same whichever thread finished first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Span = TypeVar("Span")
Result = TypeVar("Result")

MAX_WORKERS = 4  # beyond a few threads the blocks wait on memory, not on arithmetic


def workers() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, available))


def each_block(
    work: Callable[[Span], Result], spans: Iterable[Span], *, threads: int | None = None
) -> list[Result]:
    """``[work(span) for span in spans]``, the spans shared among ``threads`` threads (the
    cores available) when there is more than one span."""
    spans = list(spans)
    threads = min(len(spans), workers() if threads is None else threads)
    if threads <= 1:
        return [work(span) for span in spans]
    with ThreadPoolExecutor(threads, thread_name_prefix="cohort-block") as pool:
        return list(pool.map(work, spans))
