"""What a dispatch pass did, and where its time went, stage by stage."""

from __future__ import annotations

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
    message needs, handing sends out, reading Slack's answers). Per batch and per send, never
    per check: a stage costs about a microsecond. What a message costs and where, without a
    profiler: the benchmark prints it (bench/dispatch.py).
    """

    __slots__ = ("_cpu", "_inner_cpu", "_inner_wall", "_name", "_report", "_wall")

    def __init__(self, report: DispatchReport, name: str) -> None:
        self._report = report
        self._name = name
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
        if stack:
            stack[-1]._inner_cpu += cpu
            stack[-1]._inner_wall += wall
        report, name = self._report, self._name
        with _stage_lock:  # sends finish in several threads at once
            report.cpu[name] = report.cpu.get(name, 0.0) + cpu - self._inner_cpu
            report.wall[name] = report.wall.get(name, 0.0) + wall - self._inner_wall


_stages = threading.local()  # each thread's open stages, innermost last
_stage_lock = threading.Lock()
