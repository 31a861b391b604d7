"""`make run` on a fresh machine with no Slack tokens: the sandbox starts and says where it is."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mentorbot.cli import main


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_run_without_tokens_serves_the_sandbox_on_loopback_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MENTORBOT_")) and k not in ("DATABASE_URL", "PORT")
    }
    env.update(PORT=str(port), LOG_LEVEL="WARNING")
    process = subprocess.Popen(
        [sys.executable, "-m", "mentorbot.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        assert f"open {url}" in line, line + (process.stderr.read() if process.poll() else "")

        status, page = get(url + "/")
        assert status == 200 and "Mentorbot sandbox" in page
        assert "https://" not in page, "the page loads nothing from the internet"
        assert get(url + "/healthz") == (200, "ok\n")
        # The bot's own edge is on the same port, and still refuses unsigned requests.
        request = urllib.request.Request(url + "/slack/events", data=b"x=1", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401
        assert (tmp_path / "mentorbot-sandbox.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")


def test_a_port_in_use_is_a_clear_message_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "MENTORBOT_")) or name in ("DATABASE_URL", "PORT"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("PORT", str(taken.getsockname()[1]))
        assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "PORT: can't listen on 127.0.0.1:" in err and "set PORT" in err
    assert "Traceback" not in err
    assert not (tmp_path / "mentorbot-sandbox.db").exists(), "nothing was started"
