"""The program health report: a DM with the figures, a trend chart (PNG) and a CSV."""

from __future__ import annotations

import io

from bot.health import ProgramHealth, month_label
from handlers.blocks import Block, context, header, section, slack_date


def report_message(health: ProgramHealth) -> tuple[str, list[Block]]:
    rows = health.rows()
    pairs_line = (
        f"*{health.active_pairs}* active pairs, *{health.met_last_14_days_share:.0%}* met in "
        f"the last 14 days, *{health.sessions_per_pair_per_month:.1f}* sessions per pair a month"
    )
    figures = "\n".join(f"• {label}: *{value}*" for label, value in rows)
    text = f"Program health: {health.active_pairs} active pairs."
    return text, [
        header("Program health"),
        section(pairs_line),
        section(figures),
        context(
            f"As of {slack_date(health.as_of)}. Counts only: what people write in their "
            "partnerships stays theirs."
        ),
    ]


def trend_chart(health: ProgramHealth) -> bytes:
    """Sessions held and active pairs per month, as a PNG small enough to read in Slack.

    matplotlib is imported here, not at start-up: only coordinators asking for a report pay
    for it, in time and in the bot's resident memory.
    """
    from matplotlib.figure import Figure  # noqa: PLC0415 (a bare Figure renders with Agg)
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    months = [month_label(m.month) for m in health.trend]
    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.add_subplot()
    positions = list(range(len(months)))
    axes.bar(
        positions, [m.sessions_held for m in health.trend], color="#4A90D9", label="Sessions held"
    )
    axes.plot(
        positions,
        [m.active_pairs for m in health.trend],
        color="#E8743B",
        marker="o",
        linewidth=2,
        label="Active pairs",
    )
    axes.set_xticks(positions, months)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("Monthly trend")
    axes.legend(loc="upper left", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
