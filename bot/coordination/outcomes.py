"""What people said at the end: final evaluations and exit surveys, as counts and averages.

A group of answers is shown only when it has five or more (``SMALL_GROUP``): below that an
average is one person's answer with a little noise, so the row says "fewer than 5 answers".
Nothing anybody wrote is read here; notes stay with their authors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.model.progress import ProgressCheck

SMALL_GROUP = 5
TOO_FEW = f"fewer than {SMALL_GROUP} answers"
AGAIN_ORDER = ("yes", "maybe", "no")


def _average(values: Sequence[int]) -> str:
    return f"{sum(values) / len(values):.1f}" if len(values) >= SMALL_GROUP else TOO_FEW


def _count(n: int) -> str:
    return str(n) if n >= SMALL_GROUP else TOO_FEW


def outcome_rows(finals: Sequence[ProgressCheck], exits: Sequence[ProgressCheck]) -> dict[str, str]:
    """The rows the report, the scheduled report and the CSV share, always the same labels
    (a spreadsheet's columns stay put whatever the numbers)."""
    ratings = [c.score for c in finals if c.score is not None]
    recommends = [
        int(c.answers["recommend"]) for c in finals if isinstance(c.answers.get("recommend"), int)
    ]
    exit_scores = [c.score for c in exits if c.score is not None]
    again = [str(c.answers["again"]) for c in exits if c.answers.get("again") in AGAIN_ORDER]
    answered_exits = [c for c in exits if c.score is not None or c.answers.get("again")]
    tally = Counter(again)
    return {
        "Final evaluations answered": _count(len(ratings)),
        "Final evaluation: average rating (1-5)": _average(ratings),
        "Final evaluation: average recommend (0-10)": _average(recommends),
        "Exit surveys answered": _count(len(answered_exits)),
        "Exit survey: average rating (1-5)": _average(exit_scores),
        "Exit survey: would take part again": (
            ", ".join(f"{answer} {tally.get(answer, 0)}" for answer in AGAIN_ORDER)
            if len(again) >= SMALL_GROUP
            else TOO_FEW
        ),
    }
