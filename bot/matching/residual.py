"""The residual graph of a cohort's assignment: the potentials that prove it optimal on its
graph's pairs, and the small repairs that keep it optimal as a few pairs join.

The assignment is a flow: each mentee -> a mentor -> the mentor's free places -> a sink, or
mentee -> "unmatched" -> sink at the unmatched cost. Its residual graph has an edge for each
change that the flow can still take, weighted by what that change costs: a pair not chosen
(mentee -> mentor, its cost), a chosen one undone (mentor -> mentee, minus its cost), a mentee
left unmatched or placed (+/- the unmatched cost), a place taken or given back (0). The
assignment is the cheapest on its pairs exactly when this graph has no negative cycle, and
then shortest distances from every node at 0 are potentials under which no edge is negative.

Kept apart from ``assignment``, which chooses the graph's pairs and solves it with SciPy,
because both of its answers are worked out here on the same edges: the potentials after a
solve, and, when only a few mentees could still gain from the pairs a round adds, the new
optimum itself, reached by cancelling the negative cycles those pairs close, in a few
milliseconds instead of a solve from scratch (SciPy's solver has no warm start: it paid
0.3-0.4 s at 10,000 x 5,000 for each of the last rounds, which changed a few dozen pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Edges = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]  # rows, columns, costs

# Cycle cancelling is for rounds that change little: beyond these it gives way to a solve
# from scratch (a round that places hundreds of mentees cancels one cycle at a time, every
# such cycle passing through the "unmatched" node: 1 s and more, against a 0.35 s solve).
CANCEL_BATCHES = 10  # cancelling at most this many times (each: the cycles found at once)
CANCEL_PASSES = 400  # Bellman-Ford passes in all


@dataclass(frozen=True)
class Residual:
    """The residual graph's edges sorted by tail, with each node's first out-edge, so that a
    pass relaxes only the edges out of the nodes the last pass lowered."""

    nodes: int
    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    weight: NDArray[np.int64]
    first_out: NDArray[np.int64]

    @classmethod
    def of(
        cls, nodes: int, tail: NDArray[np.int64], head: NDArray[np.int64], weight: NDArray[np.int64]
    ) -> Residual:
        # Sorted as 16-bit keys where the nodes fit: NumPy sorts those by radix (350,000
        # edges in 3 ms, not 25; a plan sorts a dozen such graphs).
        keys = tail.astype(np.uint16) if nodes <= 1 << 16 else tail
        order = np.argsort(keys, kind="stable")
        first_out = np.zeros(nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=nodes), out=first_out[1:])
        return cls(nodes, tail[order], head[order], weight[order], first_out)

    @classmethod
    def of_assignment(
        cls,
        n: int,
        free: NDArray[np.int64],
        unmatched: int,
        *,
        edges: Edges,
        match: NDArray[np.int64],
    ) -> Residual:
        """Nodes: mentees ``0..n-1``, mentors ``n..n+m-1``, "unmatched" ``n+m``, the sink
        ``n+m+1``; ``match`` is each mentee's mentor or -1."""
        edges_rows, edges_columns, edge_costs = edges
        m = len(free)
        unplaced, sink = n + m, n + m + 1
        chosen = match[edges_rows] == edges_columns
        load = np.bincount(match[match >= 0], minlength=m)
        mentors = np.arange(m, dtype=np.int64)
        left = np.flatnonzero(match < 0)
        placed = np.flatnonzero(match >= 0)
        room, busy = mentors[load < free], mentors[load > 0]
        tails = [
            edges_rows[~chosen],
            n + edges_columns[chosen],
            placed,
            np.full(len(left), unplaced),
            n + room,
            np.full(len(busy), sink),
            [unplaced],
            [sink] if len(left) else [],
        ]
        heads = [
            n + edges_columns[~chosen],
            edges_rows[chosen],
            np.full(len(placed), unplaced),
            left,
            np.full(len(room), sink),
            n + busy,
            [sink],
            [unplaced] if len(left) else [],
        ]
        weights = [
            edge_costs[~chosen],
            -edge_costs[chosen],
            np.full(len(placed), unmatched),
            np.full(len(left), -unmatched),
            np.zeros(len(room)),
            np.zeros(len(busy)),
            [0],
            [0] if len(left) else [],
        ]
        return cls.of(
            n + m + 2,
            np.concatenate([np.asarray(t, dtype=np.int64) for t in tails]),
            np.concatenate([np.asarray(h, dtype=np.int64) for h in heads]),
            np.concatenate([np.asarray(w, dtype=np.int64) for w in weights]),
        )

    def out_of(self, nodes: NDArray[np.int64]) -> NDArray[np.int64]:
        """The indices of the edges out of ``nodes``: each one's range of the sorted edges."""
        count = self.first_out[nodes + 1] - self.first_out[nodes]
        return np.repeat(self.first_out[nodes] - np.cumsum(count) + count, count) + np.arange(
            int(count.sum()), dtype=np.int64
        )


def potentials(
    n: int, free: NDArray[np.int64], unmatched: int, *, edges: Edges, match: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Shortest distances in the residual graph of an assignment optimal on ``edges``: every
    residual edge then has ``weight + d[tail] - d[head] >= 0``.

    Vectorized passes (``shortest_distances``), stopping when nothing changes (a few
    dozen): SciPy's Bellman-Ford and Johnson in C took 30x longer on these graphs (0.5 s
    against 0.016 s at 2,000 x 1,000), and starting from the last round's potentials saved no
    time per pass and cost a round (other potentials, other pairs joining)."""
    return _distances(Residual.of_assignment(n, free, unmatched, edges=edges, match=match))


def shortest_distances(
    nodes: int, tail: NDArray[np.int64], head: NDArray[np.int64], weight: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Bellman-Ford from every node at 0, each pass relaxing only the edges out of the nodes
    the last pass lowered (the first, every edge): the same distances as relaxing every edge
    each pass, in the same number of passes, but the later passes touch a few thousand edges
    instead of all 350,000 (10,000 x 5,000: 0.22 -> 0.08 s over a plan's five rounds)."""
    return _distances(Residual.of(nodes, tail, head, weight))


def _distances(graph: Residual) -> NDArray[np.int64]:
    distance = np.zeros(graph.nodes, dtype=np.int64)
    edges = np.arange(len(graph.tail), dtype=np.int64)
    for _ in range(graph.nodes + 1):
        lowered, changed, _, _ = _relax(graph, distance, edges)
        if not len(changed):
            return distance
        distance = lowered
        edges = graph.out_of(changed)
    raise AssertionError("a negative cycle: the sparse assignment was not optimal")


def _relax(
    graph: Residual, distance: NDArray[np.int64], edges: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """One pass over ``edges``: the lowered distances, the nodes lowered, and for each node
    lowered (``heads``) the edge that lowered it (``through``)."""
    reached = distance[graph.tail[edges]] + graph.weight[edges]
    heads = graph.head[edges]
    better = reached < distance[heads]
    if not better.any():
        return distance, np.zeros(0, dtype=np.int64), heads[:0], edges[:0]
    lowered = distance.copy()
    np.minimum.at(lowered, heads[better], reached[better])
    changed = np.flatnonzero(lowered < distance)
    best = better & (reached == lowered[heads])
    return lowered, changed, heads[best], edges[best]


def cancel_negative_cycles(
    n: int,
    free: NDArray[np.int64],
    unmatched: int,
    *,
    edges: Edges,
    match: NDArray[np.int64],
    start: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """The cheapest assignment on ``edges`` reached from ``match`` (the cheapest on fewer of
    them) and its potentials, or None when that takes more than a few repairs.

    Bellman-Ford from the last potentials ``start``, under which only the pairs that joined
    are negative, keeping each node's predecessor: a cycle among the predecessors is a
    negative cycle of the residual graph (a cheaper assignment), and all such cycles are
    disjoint, so each mentee on one moves at once to the mentor (or "unmatched") after it on
    its cycle. Passes go on from the lowered distances until none lowers anything: then no
    negative cycle is left, the assignment is optimal on ``edges``, and the distances are
    its potentials."""
    match = match.copy()
    distance = start.copy()
    passes = 0
    for _ in range(CANCEL_BATCHES + 1):
        graph = Residual.of_assignment(n, free, unmatched, edges=edges, match=match)
        before = np.full(graph.nodes, -1, dtype=np.int64)
        active = np.arange(len(graph.tail), dtype=np.int64)
        cycles = None
        while cycles is None:
            passes += 1
            if passes > CANCEL_PASSES:
                return None
            distance, changed, heads, through = _relax(graph, distance, active)
            if not len(changed):
                return match, distance
            before[heads] = graph.tail[through]
            cycles = _on_cycles(before)
            active = graph.out_of(changed)
        after = np.full(graph.nodes, -1, dtype=np.int64)
        after[before[cycles]] = cycles
        moved = cycles[cycles < n]
        match[moved] = np.where(after[moved] < n + len(free), after[moved] - n, -1)
    return None


def _on_cycles(before: NDArray[np.int64]) -> NDArray[np.int64] | None:
    """The nodes on cycles of the predecessor graph (each node's one predecessor, -1 for
    none), or None: the predecessors followed 2^k >= nodes times from every node end on a
    cycle or at the root every chain without one ends at; the cycles are then walked once."""
    nodes = len(before)
    step = np.append(np.where(before >= 0, before, nodes), nodes)  # ``nodes``: the root
    far = step
    reach = 1
    while reach < nodes:
        far = far[far]
        reach *= 2
    found = np.unique(far[:nodes])
    found = found[found < nodes]
    if not len(found):
        return None
    on = np.zeros(nodes + 1, dtype=bool)
    on[found] = True
    walk = found
    while len(walk := step[walk][~on[step[walk]]]):
        on[walk] = True
    return np.flatnonzero(on[:nodes])
