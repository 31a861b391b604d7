"""The benchmarks in a tiny run, so their code keeps working: figures are not judged here,
but every dispatched message must arrive exactly once and be marked sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main
from tests.conftest import POSTGRES_URL


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
    dispatched = [f for f in figures if f["section"] == "dispatch" and "exactly_once" in f]
    assert [(f["dispatchers"], f["transport"]) for f in dispatched] == [
        (3, "keep-alive"),
        (3, "urllib"),
    ]
    for figure in dispatched:
        assert figure["exactly_once"], figure
        assert (figure["delivered"], figure["duplicates"], figure["marked_sent"]) == (50, 0, 50)
        assert len(figure["per_process_per_second"]) == 3
        assert max(figure["cpu_us_per_message"]) > 0  # a tiny run may leave two workers idle
    # Where the CPU went, by stage, beside the fake Slack's own ceiling measured alone.
    stages = [f for f in figures if f["section"] == "dispatch" and "exactly_once" not in f]
    assert len(stages) == 2
    for figure in stages:
        assert {"claim", "send", "settle"} <= set(figure["stages_cpu_us_per_message"])
        assert figure["cpu_us_per_message"] > 0
        assert figure["fake_alone_per_second"] > 0
    parsed = next(f for f in figures if f["section"] == "dates" and "warm" in f["name"])
    assert 0 < parsed["p50_ms"] <= parsed["p99_ms"]


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="the production path runs on PostgreSQL")
def test_a_quick_run_of_the_issues_rows_measures_each_through_the_production_path(
    tmp_path: Path,
) -> None:
    """`mentorbot serve` and the bare app start and answer, every modal reaches the fake
    Slack, the ask and the cohort go through their services (statements counted)."""
    code = main(
        [
            "--quick",
            "--only",
            "kickoff,matching,cohort",
            "--postgres-url",
            POSTGRES_URL,
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    (written,) = tmp_path.glob("bench-*.json")
    figures = json.loads(written.read_text())["figures"]
    kickoff = [f for f in figures if f["section"] == "kickoff"]
    start, ask, cpu, help_ = kickoff
    assert start["seconds"] is not None and start["seconds"] > 0
    assert ask["missing"] == 0 and 0 < ask["p50_ms"] <= ask["p99_ms"]  # every modal opened
    assert ask["bare_p50_ms"] > 0
    assert help_["errors"] == 0 and help_["per_second"] > 0 and help_["bare_per_second"] > 0
    assert help_["rounds"] == 2 and len(help_["p50_ratios"]) == 2  # interleaved rounds
    assert help_["cpu_us_per_ack"] > 0 and help_["bare_cpu_us_per_ack"] > 0
    assert cpu["cpu_us_per_ack"] > 0 and cpu["bare_cpu_us_per_ack"] > 0
    asks = [f for f in figures if f["section"] == "matching" and "statements_per_ask" in f]
    postgres = next(f for f in asks if f["database"] == "postgresql")
    assert 0 < postgres["statements_per_ask"] < 30 and postgres["rows_per_ask"] < 100
    (cohort,) = [f for f in figures if f["section"] == "cohort"]
    assert cohort["pairs"] > 0 and 0 < cohort["statements"] <= 50
    assert cohort["peak_rss_mb"] > 0 and cohort["lsa_anchor_seconds"] >= 0
