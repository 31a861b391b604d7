"""What every benchmark shares: percentiles, throwaway databases, child processes, figures."""

from __future__ import annotations

import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SIGNING_SECRET = "bench-signing-secret"
TEAM = "T0001"


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: p99 of 100 samples is the 99th smallest, never interpolated."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One line of the printed table; ``target`` says what good looks like, ``met`` if it is."""

    section: str
    name: str
    value: str
    target: str = ""
    met: bool | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "value": self.value,
            "target": self.target,
            "met": self.met,
            **self.data,
        }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def table(figures: Sequence[Figure]) -> str:
    rows = [("section", "figure", "measured", "target", "")]
    for f in figures:
        verdict = "" if f.met is None else ("met" if f.met else "MISSED")
        rows.append((f.section, f.name, f.value, f.target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_results(figures: Sequence[Figure], *, meta: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = out / f"bench-{stamp}.json"
    path.write_text(
        json.dumps({"meta": meta, "figures": [f.as_json() for f in figures]}, indent=2) + "\n"
    )
    return path


# ---- databases ------------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as folder:
        yield f"sqlite:///{folder}/bench.db"


def postgres_available(url: str) -> bool:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def postgres_url(admin_url: str) -> Iterator[str]:
    """A throwaway database on the server, dropped afterwards (as tests/conftest.py does)."""
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    name = f"mentorbot_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def database_url(kind: str, *, postgres: str) -> Iterator[str]:
    if kind == "sqlite":
        with sqlite_url() as url:
            yield url
    else:
        with postgres_url(postgres) as url:
            yield url


# ---- child processes ------------------------------------------------------------------------


def child_env(**values: str) -> dict[str, str]:
    """The environment of a bot-like child: no .env file of the developer's leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT)
    env.update(values)
    return env


LOGS = Path(tempfile.gettempdir()) / "mentorbot-bench-logs"


def spawn(module: str, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """``python -m module args`` talking JSON lines over stdin/stdout; its log goes to LOGS."""
    LOGS.mkdir(exist_ok=True)
    log = (LOGS / f"{module}-{'-'.join(args) or 'main'}-{uuid.uuid4().hex[:6]}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=tempfile.gettempdir(),  # never pick up a .env in the repository
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        bufsize=1,
    )


def read_json(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"{process.args!r} exited with {process.wait()} before answering")
    answer: dict[str, Any] = json.loads(line)
    return answer


def say(process: subprocess.Popen[str], message: dict[str, Any]) -> dict[str, Any]:
    assert process.stdin is not None
    process.stdin.write(json.dumps(message) + "\n")
    process.stdin.flush()
    return read_json(process)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        with contextlib.suppress(BrokenPipeError, OSError):
            assert process.stdin is not None
            process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children alive now (a
    gunicorn master and its workers), from /proc; 0 for a process that is gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        pending.extend(int(child) for child in children)
    return total


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and its peak (VmRSS, VmHWM) in MB, from /proc."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", math.nan), values.get("VmHWM", math.nan)


def slash_command_body(*, user: str, text: str, trigger: str, n: int) -> str:
    """A ``/mentor`` slash command's form body as Slack sends it (unsigned)."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "bench",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/mentor",
            "text": text,
            "api_app_id": "A0MENTOR",
            "is_enterprise_install": "false",
            "response_url": f"http://127.0.0.1:9/response/{n}",
            "trigger_id": trigger,
        }
    )
