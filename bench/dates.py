"""Reading schedule phrases (bot/when.py): warm latency per phrase and a fresh process's first."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.common import ROOT, Figure, child_env, ms, percentile
from bot.when import parse_when, warm_up

# The phrases issue 3 says must work, then issue 17's: several days, monthly, any word order,
# bare hours, lengths, zones, typos, filler, other languages, one-offs.
PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tuesdays at 3pm", ()),
    ("every Tuesday at 3pm", ()),
    ("every other Thursday 10:30", ()),
    ("Mondays 9am", ()),
    ("weekly on Wednesday at noon", ()),
    ("next Friday at 2:30pm", ()),
    ("tomorrow 10am", ()),
    ("Mondays and Thursdays at 8am", ()),
    ("the first Monday of every month at 9", ()),
    ("every 2 weeks on Monday at 10", ()),
    ("at 3pm every Tuesday", ()),
    ("Thursdays at 10", ()),
    ("Wed 9.30", ()),
    ("Tuesdays at half past three", ()),
    ("Fri 4:30pm for 45 minutes", ()),
    ("Tuesdays 10:30am-11:15am", ()),
    ("Tuesdays 7pm EST", ()),
    ("Teusdays at 3pm in the marketing room", ()),
    ("Thursdays at 10 not in August", ()),
    ("Tuesday the 10th at 3pm", ()),
    ("in 2 days at 3pm", ()),
    ("dienstags um 15 Uhr", ("de-DE",)),
    ("le mardi à 15h", ("fr",)),
    ("los martes a las 15:00", ("es",)),
)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TZ = "Europe/Berlin"

COLD = """
import json, time
from datetime import datetime, UTC
started = time.perf_counter()
from bot.when import parse_when
imported = time.perf_counter()
parse_when("every other Thursday 10:30", tz="Europe/Berlin", now=datetime(2026, 3, 2, tzinfo=UTC))
first = time.perf_counter()
parse_when("next Friday at 2:30pm", tz="Europe/Berlin", now=datetime(2026, 3, 2, tzinfo=UTC))
second = time.perf_counter()
print(json.dumps({"import": imported - started, "first": first - imported,
                  "second": second - first}))
"""


def parse(phrase: str, languages: tuple[str, ...]) -> None:
    """As the modal will once sessions store several days and monthly rules."""
    parse_when(phrase, tz=TZ, now=NOW, languages=languages, several_days=True, monthly=True)


def warm(rounds: int) -> list[Figure]:
    """After the bot's own ``warm_up()``, each phrase's first parse is timed on its own (what
    the first person to use that form waits), then every phrase ``rounds`` times."""
    warm_up()
    first: dict[str, float] = {}
    for phrase, languages in PHRASES:
        started = time.perf_counter()
        parse(phrase, languages)
        first[phrase] = time.perf_counter() - started
    samples: dict[str, list[float]] = {phrase: [] for phrase, _ in PHRASES}
    for _ in range(rounds):
        for phrase, languages in PHRASES:
            started = time.perf_counter()
            parse(phrase, languages)
            samples[phrase].append(time.perf_counter() - started)
    everything = [s for values in samples.values() for s in values]
    p50, p99 = percentile(everything, 0.5), percentile(everything, 0.99)
    slowest = max(samples, key=lambda p: percentile(samples[p], 0.99))
    late = max(first, key=lambda p: first[p])
    return [
        Figure(
            section="dates",
            name=f"parse_when, {len(PHRASES)} phrases x {rounds}, warm",
            value=(
                f"p50 {ms(p50)} p99 {ms(p99)}; slowest '{slowest}' p99 "
                f"{ms(percentile(samples[slowest], 0.99))}"
            ),
            target="p99 < 5 ms",
            met=p99 < 0.005,
            data={
                "p50_ms": p50 * 1000,
                "p99_ms": p99 * 1000,
                "per_phrase_p99_ms": {p: percentile(s, 0.99) * 1000 for p, s in samples.items()},
            },
        ),
        Figure(
            section="dates",
            name="first parse of each phrase after warm_up()",
            value=f"slowest '{late}' {ms(first[late])}",
            target="",
            met=None,
            data={"first_parse_ms": {p: t * 1000 for p, t in first.items()}},
        ),
    ]


def cold() -> Figure:
    output = subprocess.run(
        [sys.executable, "-c", COLD],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    times = json.loads(output)
    return Figure(
        section="dates",
        name="cold start (fresh process)",
        value=(
            f"import {ms(times['import'])}, first parse {ms(times['first'])}, "
            f"second {ms(times['second'])}"
        ),
        target="warmed at start-up (warm_up)",
        met=None,
        data={k + "_ms": v * 1000 for k, v in times.items()},
    )
