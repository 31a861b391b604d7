"""What a dispatch pass did, and where its time went, stage by stage."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field


@dataclass
class DispatchReport:
    due: int = 0  # rows claimed: what this pass found due
    sent: int = 0
    failed: int = 0
    retried: int = 0
    dropped: int = 0
    jobs: int = 0
    held: int = 0  # bot-started messages waiting for the recipient's working hours
    late: int = 0  # of ``dropped``: past their ``expires_at``
    lost: int = 0  # claimed, but another worker took them over before their turn: left alone
    failures: list[tuple[str, str]] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)  # seconds from due to sent, per message
    cpu: dict[str, float] = field(default_factory=dict)  # seconds of CPU by stage (``Stage``)
    wall: dict[str, float] = field(default_factory=dict)  # seconds of waiting + CPU by stage

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.retried + self.dropped + self.jobs

    def add(self, other: DispatchReport) -> None:
        """Fold another pass into this one (``deliver_now`` may go round several times)."""
        for name in ("due", "sent", "failed", "retried", "dropped", "jobs", "held", "late", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures
        self.lags += other.lags
        for mine, theirs in ((self.cpu, other.cpu), (self.wall, other.wall)):
            for stage, seconds in theirs.items():
                mine[stage] = mine.get(stage, 0.0) + seconds


class Stage:
    """Times one stage of a pass into its report: CPU of the thread it runs in, and wall time,
    less the stages nested in it (a job inside the batch's loop is the job's, not the loop's).

    Stages: ``claim`` (the claim's statements, the rows decoded), ``settle`` (writing the
    outcomes), ``commit``, ``renew``, ``send`` (rendering and the Slack call, in whichever
    thread makes it), ``job``, and ``loop``: the rest of working through a batch (what each
    message needs, handing sends out, reading Slack's answers). Per batch and per send (the
    dispatching thread's part of a post sampled: ``Sampled``), never per check: a stage
    reads the thread's CPU clock twice, ~3 us. What a message costs and where, without a
    profiler: the benchmark prints it (bench/dispatch.py).
    """

    __slots__ = ("_cpu", "_inner_cpu", "_inner_wall", "_name", "_report", "_wall", "_weight")

    def __init__(self, report: DispatchReport, name: str, weight: int = 1) -> None:
        self._report = report
        self._name = name
        self._weight = weight  # a sampled stage stands for this many calls (``Sampled``)
        self._cpu = self._wall = self._inner_cpu = self._inner_wall = 0.0

    def __enter__(self) -> Stage:
        stack: list[Stage] | None = getattr(_stages, "open", None)
        if stack is None:
            stack = _stages.open = []
        stack.append(self)
        self._cpu = time.thread_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        cpu = time.thread_time() - self._cpu
        wall = time.perf_counter() - self._wall
        stack: list[Stage] = _stages.open
        stack.pop()
        weight = self._weight
        own_cpu = (cpu - self._inner_cpu) * weight
        own_wall = (wall - self._inner_wall) * weight
        if stack:
            stack[-1]._inner_cpu += own_cpu + self._inner_cpu
            stack[-1]._inner_wall += own_wall + self._inner_wall
        report, name = self._report, self._name
        with _stage_lock:  # sends finish in several threads at once
            report.cpu[name] = report.cpu.get(name, 0.0) + own_cpu
            report.wall[name] = report.wall.get(name, 0.0) + own_wall


class _Untimed:
    """A call of a sampled stage that is not timed: it costs nothing but the ``with``."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


_UNTIMED = _Untimed()


class Sampled:
    """A stage that runs once per message (the dispatching thread's part of a post), timed
    for its first ``exact`` calls and then for one call in ``every`` on average, chosen at
    random, which stands for ``every``.

    Timing a stage reads the thread's CPU clock twice, a system call here (~1.4 us): two
    stages a post cost ~6 us of the ~100 a message may cost, which the figures would then
    show as the post's. Sampled, the stage's figure is an estimate, what the enclosing stage
    shows is the rest, and the pass's total CPU stays measured, not estimated. At random, not
    every n-th call: the window's calls come round in cycles (one answer waited for, the
    next ones already in), and every n-th would time the same place in the cycle each time.
    """

    __slots__ = ("_calls", "_every", "_exact", "_name", "_share")

    def __init__(self, name: str, *, every: int = 16, exact: int = 64) -> None:
        self._name = name
        self._every = every
        self._share = 1 / every
        self._exact = exact
        self._calls = 0

    def __call__(self, report: DispatchReport) -> Stage | _Untimed:
        if self._calls < self._exact:
            self._calls += 1
            return Stage(report, self._name)
        if _draw() >= self._share:
            return _UNTIMED
        return Stage(report, self._name, self._every)


_draw = random.Random().random  # noqa: S311 (picks calls to time: no secret)


_stages = threading.local()  # each thread's open stages, innermost last
_stage_lock = threading.Lock()
