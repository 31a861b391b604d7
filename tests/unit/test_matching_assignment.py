"""The sparse cohort solver's pieces on arrays alone: the first graph and the pricing scan are
the cells their plain definitions give (``test_matching_cohort`` proves the optimum)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.matching import assignment, residual
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
    found = residual.shortest_distances(nodes, tail, head, weight)
    assert (found == plain_bellman_ford(nodes, tail, head, weight)).all()
    assert (weight + found[tail] - found[head] >= 0).all()  # potentials: no edge negative


@pytest.mark.parametrize("nodes", [1 << 16, (1 << 16) + 1])  # sorted by radix, or not
def test_the_edges_out_of_each_node_are_found_at_any_size(nodes: int) -> None:
    rng = np.random.default_rng(nodes)
    tail = rng.choice(np.array([0, 1, nodes - 2, nodes - 1]), size=200).astype(np.int64)
    head = rng.integers(0, nodes, size=200).astype(np.int64)
    weight = rng.integers(0, 30, size=200).astype(np.int64)
    graph = residual.Residual.of(nodes, tail, head, weight)
    for node in (0, 1, nodes - 2, nodes - 1, 5):
        out = graph.out_of(np.array([node], dtype=np.int64))
        found = zip(graph.head[out].tolist(), graph.weight[out].tolist(), strict=True)
        assert sorted(found) == sorted(
            (int(h), int(w)) for t, h, w in zip(tail, head, weight, strict=True) if t == node
        )


def test_a_negative_cycle_is_refused() -> None:
    tail, head = np.array([0, 1, 2], dtype=np.int64), np.array([1, 2, 0], dtype=np.int64)
    with pytest.raises(AssertionError, match="negative cycle"):
        residual.shortest_distances(3, tail, head, np.array([1, -3, 1], dtype=np.int64))


def dense_optimum(weights: np.ndarray, free: np.ndarray) -> tuple[int, int]:
    """(mentees matched, total fit) by SciPy's dense solver on every place and an unmatched
    place per mentee: the same problem, solved another way."""
    from scipy.optimize import linear_sum_assignment

    n, m = weights.shape
    unmatched = _Costs.of(n).unmatched
    places = np.repeat(np.arange(m), free)
    costs = np.full((n, len(places) + n), np.inf)
    eligible = weights[:, places] >= 0
    costs[:, : len(places)][eligible] = (MAX_SCORE + 1 - weights[:, places].astype(np.int64))[
        eligible
    ]
    costs[np.arange(n), len(places) + np.arange(n)] = unmatched
    rows, columns = linear_sum_assignment(costs)
    real = columns < len(places)
    return int(real.sum()), int(weights[rows[real], places[columns[real]]].astype(int).sum())


def solved(weights: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> tuple[int, int]:
    return len(rows), int(weights[rows, columns].astype(int).sum())


def test_rounds_repaired_by_cancelling_cycles_reach_the_optimum_solving_would() -> None:
    """Every round that can be repaired is (any share of mentees gaining), on cohorts with
    many ties and mentors competed for: the same count and total fit as the dense solver's,
    a valid assignment, and the repair really ran."""
    repaired = 0
    original = residual.cancel_negative_cycles

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal repaired
        found = original(*args, **kwargs)  # type: ignore[arg-type]
        repaired += found is not None
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assignment, "REPAIRED_SHARE", 1.0)
        patch.setattr(assignment, "CANDIDATES", 1)  # a poor first graph: many rounds
        patch.setattr(assignment, "cancel_negative_cycles", counted)
        for seed in range(40):
            rng = np.random.default_rng(500 + seed)
            n, m = int(rng.integers(2, 120)), int(rng.integers(1, 40))
            weights = random_weights(rng, n, m)
            free = rng.integers(1, 4, size=m).astype(np.int64)
            rows, columns = assignment.optimal_assignment(weights, free)
            assert solved(weights, rows, columns) == dense_optimum(weights, free)
            assert len(set(rows.tolist())) == len(rows)
            assert (np.bincount(columns, minlength=m) <= free).all()
            assert (weights[rows, columns] >= 0).all()
    assert repaired >= 20


@pytest.mark.parametrize("seed", range(12))
def test_cancelling_from_the_optimum_on_fewer_pairs_gives_the_optimum_on_all(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the cheapest assignment on half the pairs and its potentials, cancelling the
    cycles the other half closes: the cheapest on all of them, with potentials under which
    no residual edge is negative (the proof ``assignment`` relies on)."""
    monkeypatch.setattr(residual, "CANCEL_BATCHES", 1000)
    monkeypatch.setattr(residual, "CANCEL_PASSES", 100_000)
    rng = np.random.default_rng(900 + seed)
    n, m = int(rng.integers(2, 80)), int(rng.integers(1, 30))
    weights = random_weights(rng, n, m)
    free = rng.integers(1, 4, size=m).astype(np.int64)
    costs = _Costs.of(n)
    rows, columns = np.nonzero(weights >= 0)
    half = rng.random(len(rows)) < 0.5
    before = (rows[half], columns[half], costs.of_pairs(weights[rows[half], columns[half]]))
    match = assignment._match(n, free, costs, edges=before)
    start = residual.potentials(n, free, costs.unmatched, edges=before, match=match)
    everything = (rows, columns, costs.of_pairs(weights[rows, columns]))
    found = residual.cancel_negative_cycles(
        n, free, costs.unmatched, edges=everything, match=match, start=start
    )
    assert found is not None
    repaired, potential = found
    placed = np.flatnonzero(repaired >= 0)
    assert solved(weights, placed, repaired[placed]) == dense_optimum(weights, free)
    graph = residual.Residual.of_assignment(
        n, free, costs.unmatched, edges=everything, match=repaired
    )
    assert (graph.weight + potential[graph.tail] - potential[graph.head] >= 0).all()


def test_a_repair_that_takes_too_long_gives_way_to_a_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Out of passes, the repair says so (None) rather than answer an assignment it has not
    proved: the solver then solves the round again."""
    monkeypatch.setattr(residual, "CANCEL_PASSES", 1)
    rng = np.random.default_rng(7)
    weights = random_weights(rng, 60, 20)
    free = np.ones(20, dtype=np.int64)
    costs = _Costs.of(60)
    rows, columns = np.nonzero(weights >= 0)
    some = rows % 3 == 0
    before = (rows[some], columns[some], costs.of_pairs(weights[rows[some], columns[some]]))
    match = assignment._match(60, free, costs, edges=before)
    start = residual.potentials(60, free, costs.unmatched, edges=before, match=match)
    everything = (rows, columns, costs.of_pairs(weights[rows, columns]))
    assert (
        residual.cancel_negative_cycles(
            60, free, costs.unmatched, edges=everything, match=match, start=start
        )
        is None
    )


@pytest.mark.parametrize("seed", range(10))
def test_the_nodes_on_predecessor_cycles_are_those_a_walk_comes_back_to(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nodes = int(rng.integers(1, 300))
    before = rng.integers(-1, nodes, size=nodes).astype(np.int64)
    before[rng.random(nodes) < 0.3] = -1
    expected = set()
    for node in range(nodes):
        seen, at = [], node
        while at >= 0 and at not in seen:
            seen.append(at)
            at = int(before[at])
        if at >= 0 and at == node:
            expected.add(node)
    found = residual._on_cycles(before)
    assert (set() if found is None else set(found.tolist())) == expected


@pytest.mark.parametrize("try_full", [True, False])
def test_a_graph_without_a_full_matching_is_solved_whether_or_not_one_is_tried(
    try_full: bool,
) -> None:
    """Three mentees, two one-place mentors, the third mentee's only mentor taken by the
    best pair: SciPy refuses the full problem, and the one with unmatched places answers."""
    weights = np.array([[90, 10], [80, -1], [-1, 70]], dtype=np.int8)
    free = np.array([1, 1], dtype=np.int64)
    costs = _Costs.of(3)
    rows, columns = np.nonzero(weights >= 0)
    edges = (rows, columns, costs.of_pairs(weights[rows, columns]))
    match = assignment._match(3, free, costs, edges=edges, try_full=try_full)
    assert match.tolist() == [0, -1, 1]
    assert not assignment._nearly_full(np.array([0, -1, -1]), free)
    assert assignment._nearly_full(match, free)
