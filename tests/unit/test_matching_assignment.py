"""The sparse cohort solver's pieces on arrays alone: the first graph and the pricing scan are
the cells their plain definitions give (``test_matching_cohort`` proves the optimum)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.matching import assignment
from bot.matching.assignment import MAX_SCORE, _Costs, _improving


def random_weights(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """Few distinct scores (many ties, and 0: a pair as costly as allowed ones get), a third
    of the pairs forbidden."""
    weights = rng.choice(np.array([0, 1, 40, 55, 61, 85, 86, 100], dtype=np.int8), size=(n, m))
    weights[rng.random((n, m)) < 0.33] = -1
    return weights


def plain_best(weights: np.ndarray, k: int, free: np.ndarray) -> set[tuple[int, int]]:
    """The first graph as it was defined: ``argpartition`` over 16-bit costs with the
    forbidden pairs masked to the largest cost, per mentee and (transposed) per mentor."""
    n, m = weights.shape
    costs = np.where(weights >= 0, MAX_SCORE + 1 - weights.astype(np.int16), 2**15 - 1)
    found: set[tuple[int, int]] = set()
    for i in range(n):
        kk = min(k, m)
        for j in np.argpartition(costs[i], kk - 1)[:kk] if kk < m else range(m):
            if weights[i, j] >= 0:
                found.add((i, int(j)))
    transposed = np.ascontiguousarray(costs.T)
    for j in range(m):
        kk = min(k * int(free[j]), n)
        for i in np.argpartition(transposed[j], kk - 1)[:kk] if kk < n else range(n):
            if weights[i, j] >= 0:
                found.add((int(i), j))
    return found


@pytest.mark.parametrize("seed", range(6))
def test_the_first_graph_is_the_same_cells_as_the_masked_16_bit_selection(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One-byte costs in blocks of any size pick the very cells (ties and all), so the solver
    takes the same rounds to the same pairs."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 90)), int(rng.integers(3, 40))
    weights = random_weights(rng, n, m)
    free = rng.integers(1, 4, size=m).astype(np.int64)
    monkeypatch.setattr(assignment, "SELECT_CELLS", int(rng.integers(1, 200)))  # many blocks
    rows, columns = assignment._cheapest(weights, free)
    assert set(zip(rows.tolist(), columns.tolist(), strict=True)) == plain_best(
        weights, assignment.CANDIDATES, free
    )
    assert len(rows) == len(set(zip(rows.tolist(), columns.tolist(), strict=True)))


@pytest.mark.parametrize("spread", [300, 3_000_000])  # 16-bit scan; 32-bit (unmatched cost)
def test_the_pricing_scan_finds_every_row_with_a_negative_reduced_cost(spread: int) -> None:
    rng = np.random.default_rng(spread)
    n, m = 60, 25
    weights = random_weights(rng, n, m)
    potential = rng.integers(-spread, 1, size=n + m + 2).astype(np.int64)
    match = np.where(rng.random(n) < 0.5, rng.integers(0, m, size=n), -1).astype(np.int64)
    rows, columns = _improving(weights, _Costs.of(n), match=match, potential=potential)
    reduced = (
        MAX_SCORE + 1 - weights.astype(np.int64) + potential[:n, None] - potential[None, n : n + m]
    )
    bad = (reduced < 0) & (weights >= 0)
    placed = np.flatnonzero(match >= 0)
    bad[placed, match[placed]] = False
    assert bad.any()
    found = set(zip(rows.tolist(), columns.tolist(), strict=True))
    assert all(bad[i, j] for i, j in found)  # only improving pairs, never a chosen one
    for i in range(n):  # each row's most negative few, as many as it has up to ADDED
        mine = sorted(reduced[i, j] for r, j in found if r == i)
        everyone = sorted(reduced[i, bad[i]])
        assert mine == everyone[: assignment.ADDED]


def plain_bellman_ford(
    nodes: int, tail: np.ndarray, head: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Every edge relaxed each pass, from every node at 0."""
    distance = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes + 1):
        changed = False
        for t, h, w in zip(tail.tolist(), head.tolist(), weight.tolist(), strict=True):
            if distance[t] + w < distance[h]:
                distance[h] = distance[t] + w
                changed = True
        if not changed:
            return distance
    raise AssertionError("negative cycle")


@pytest.mark.parametrize("seed", range(8))
def test_the_distances_relaxing_only_what_changed_are_bellman_fords(seed: int) -> None:
    """Edges whose costs reduced by hidden potentials are never negative: no negative cycle,
    many negative edges, long chains of them."""
    rng = np.random.default_rng(seed)
    nodes, count = int(rng.integers(2, 60)), int(rng.integers(1, 400))
    tail = rng.integers(0, nodes, size=count).astype(np.int64)
    head = rng.integers(0, nodes, size=count).astype(np.int64)
    hidden = rng.integers(-500, 500, size=nodes)
    weight = (rng.integers(0, 20, size=count) - hidden[tail] + hidden[head]).astype(np.int64)
    found = assignment._shortest_distances(nodes, tail, head, weight)
    assert (found == plain_bellman_ford(nodes, tail, head, weight)).all()
    assert (weight + found[tail] - found[head] >= 0).all()  # potentials: no edge negative


def test_a_negative_cycle_is_refused() -> None:
    tail, head = np.array([0, 1, 2], dtype=np.int64), np.array([1, 2, 0], dtype=np.int64)
    with pytest.raises(AssertionError, match="negative cycle"):
        assignment._shortest_distances(3, tail, head, np.array([1, -3, 1], dtype=np.int64))
