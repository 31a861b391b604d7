"""The benchmarks in a tiny run, so their code keeps working: figures are not judged here,
but every dispatched message must arrive exactly once and be marked sent."""

from __future__ import annotations

import json
from pathlib import Path

from bench.__main__ import main


def test_a_tiny_bench_run_delivers_every_message_exactly_once(tmp_path: Path) -> None:
    code = main(
        [
            "--tiny",
            "--only",
            "dispatch,dates",
            "--dispatchers",
            "3",
            "--postgres-url",
            "",  # the three-replica test on PostgreSQL is in test_outbox_slack.py
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    (written,) = tmp_path.glob("bench-*.json")
    figures = json.loads(written.read_text())["figures"]
    dispatched = [f for f in figures if f["section"] == "dispatch"]
    assert [(f["dispatchers"], f["transport"]) for f in dispatched] == [
        (3, "keep-alive"),
        (3, "urllib"),
    ]
    for figure in dispatched:
        assert figure["exactly_once"], figure
        assert (figure["delivered"], figure["duplicates"], figure["marked_sent"]) == (50, 0, 50)
        assert len(figure["per_process_per_second"]) == 3
    parsed = next(f for f in figures if f["section"] == "dates" and "warm" in f["name"])
    assert 0 < parsed["p50_ms"] <= parsed["p99_ms"]
