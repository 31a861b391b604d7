"""`mentorbot serve` in child processes: real gunicorn on loopback ports, against the fake Slack.

Each replica is the command a deployment runs, with its settings in the environment and its
output (JSON log lines) in a file the test can read after it stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.fake_slack import FakeSlack
from tests.support.signed import SignedSlack

BOT_TOKEN = "xoxb-test-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sample(metrics_text: str, name: str, **labels: str) -> float:
    """One sample's value from Prometheus text (0 when it has not been counted yet)."""
    for family in text_string_to_metric_families(metrics_text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


@dataclass
class Replica:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)
    _signalled: bool = False

    def get(self, path: str) -> tuple[int, str]:
        return get(self.url + path)

    def metric(self, name: str, **labels: str) -> float:
        status, text = self.get("/metrics")
        assert status == 200, text
        return sample(text, name, **labels)

    def slack(self, signing_secret: str, *, team_id: str, fake: FakeSlack) -> SignedSlack:
        return SignedSlack(
            url=self.url,
            signing_secret=signing_secret,
            team_id=team_id,
            response_url=fake.response_url,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        """Poll ``/readyz`` until a worker answers 200 (a child process: nothing to inject)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited {self.process.returncode}:\n{self.output()}"
                )
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready after {timeout}s:\n{self.output()}")

    def sigterm(self) -> None:
        """Once, as an orchestrator does (a second one would only be queued behind it)."""
        if not self._signalled and self.process.poll() is None:
            self._signalled = True
            self.process.send_signal(signal.SIGTERM)

    def terminate(self, timeout: float = 40) -> int:
        """SIGTERM, as an orchestrator stops a container; returns the exit code."""
        self.sigterm()
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


def start_replica(
    *,
    name: str,
    database_url: str,
    fake: FakeSlack,
    signing_secret: str,
    folder: Path,
    **settings: str,
) -> Replica:
    """Start ``python -m mentorbot serve`` in ``folder`` (no .env there): one worker, a
    dispatcher looking every second, JSON logs; ``settings`` add or override variables."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_", "PROMETHEUS_"))
        and k not in ("DATABASE_URL", "PORT", "HOST", "WEB_CONCURRENCY", "LOG_FORMAT")
    }
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=signing_secret,
        SLACK_API_URL=fake.url,
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        MENTORBOT_DISPATCH_INTERVAL_SECONDS="1",
        MENTORBOT_COORDINATORS="UCOORD1",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        PROMETHEUS_MULTIPROC_DIR=str(folder / f"metrics-{name}"),
    )
    env.update(settings)
    log_path = folder / f"{name}.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "mentorbot", "serve"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Replica(
        name=name, url=f"http://127.0.0.1:{port}", process=process, log_path=log_path, _log=log
    )


def terminate_all(replicas: list[Replica], timeout: float = 40) -> list[int]:
    """SIGTERM every replica at once (a rolling stop would only be slower), then wait."""
    for replica in replicas:
        replica.sigterm()
    return [replica.terminate(timeout) for replica in replicas]


def wait_until(check: Any, *, timeout: float = 30, what: str = "condition") -> None:
    """Poll ``check()`` (something another process does) until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout}s for {what}")
