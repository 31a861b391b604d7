"""The program health report: a DM with the figures, a trend chart (PNG) and a CSV."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from bot.coordination.health import health_csv, month_label
from bot.coordination.service import MAX_PAIR_MESSAGE
from bot.model.audit import AuditEvent
from bot.model.health import ProgramHealth
from bot.model.messages.coordination import CheckIn, ProgramReport
from handlers.kit.blocks import (
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    count,
    divider,
    escape,
    header,
    input_block,
    modal,
    quote,
    section,
    slack_date,
    text_input,
)


def report_message(health: ProgramHealth) -> tuple[str, list[Block]]:
    rows = health.rows()
    pairs_line = (
        f"*{count(health.active_pairs, 'active pair')}*, "
        f"*{health.met_last_14_days_share:.0%}* met in the last 14 days, "
        f"*{health.sessions_per_pair_per_month:.1f}* sessions per pair a month"
    )
    figures = "\n".join(f"• {label}: *{value}*" for label, value in rows)
    title = f"Program health: {health.program}" if health.program else "Program health"
    text = f"{title}: {count(health.active_pairs, 'active pair')}."
    at_risk: list[Block] = []
    if health.at_risk:
        lines = [
            f"• <@{pair.mentee_id}> and <@{pair.mentor_id}>: {pair.signal} "
            f"(since {slack_date(pair.raised_at, '{date_short}')})"
            for pair in health.at_risk[:AT_RISK_SHOWN]
        ]
        if len(health.at_risk) > AT_RISK_SHOWN:
            lines.append(f"… and {len(health.at_risk) - AT_RISK_SHOWN} more (see the CSV)")
        at_risk.append(section("*Pairs that may need support*\n" + "\n".join(lines)))
    return text, [
        header(title),
        section(pairs_line),
        section(figures),
        *at_risk,
        context(
            f"As of {slack_date(health.as_of)}. Counts only: what people write in their "
            "partnerships stays theirs."
        ),
    ]


def scheduled_report_message(payload: ProgramReport) -> tuple[str, list[Block]]:
    """The report a coordinator gets on the program's schedule, without asking."""
    text, message = report_message(payload)
    when = "monthly" if payload.schedule == "monthly" else "weekly"
    note = context(
        f"Your {when} program report. `/mentor report` gives you one any time; the chart and "
        "the CSV follow."
    )
    return f"Your {when} program report. {text}", [*message, note]


def report_files(health: ProgramHealth) -> list[dict[str, Any]]:
    """The chart and the CSV that go with a report, as files_upload_v2 takes them."""
    stamp = health.as_of.strftime("%Y-%m-%d")
    return [
        {
            "content": trend_chart(health),
            "filename": f"program-trend-{stamp}.png",
            "title": "Monthly trend: sessions held and active pairs",
        },
        {
            "content": health_csv(health),
            "filename": f"program-health-{stamp}.csv",
            "title": "Program health figures (CSV)",
        },
    ]


AT_RISK_SHOWN = 20
AT_RISK_ON_HOME = 5


def check_in_message(payload: CheckIn) -> tuple[str, list[Block]]:
    if payload.text:
        written = payload.text
        return f"From the program team: {written}", [
            section(quote(written)),
            context(f":wave: From the program team, <@{payload.coordinator_id}>. Reply here."),
        ]
    text = (
        f"The program team is checking in: how are things going with <@{payload.partner_id}>? "
        "If something is in the way, reply here and we'll help."
    )
    return text, [
        section(f":wave: {text}"),
        context(
            "Want to keep going? `/mentor schedule` sets your next session. Not the right fit? "
            "`/mentor end` closes it without blame, and mentees are matched again."
        ),
    ]


def write_modal(partnership_id: int, *, mentee_id: str, mentor_id: str) -> dict[str, Any]:
    return modal(
        callback_id="coordinator_write",
        title="Write to the pair",
        submit="Send",
        blocks=[
            section(f"A message from the program team to <@{mentee_id}> and <@{mentor_id}>."),
            input_block(
                "text",
                "Message",
                text_input(multiline=True, max_length=MAX_PAIR_MESSAGE),
            ),
        ],
        metadata={"partnership_id": partnership_id},
    )


JOINED_ON_HOME = 5  # other workspaces' programs shown, one line each


def with_program_section(
    view: dict[str, Any],
    health: ProgramHealth,
    joined: Sequence[tuple[str, ProgramHealth]] = (),
) -> dict[str, Any]:
    """A coordinator's Home tab: the program at a glance above their own partnerships, and
    a line for each other workspace's program theirs takes part in (``joined``: the host's
    name and their own people's figures there).

    Room is made by dropping the personal blocks at the end of the budget, never by going
    over Slack's 100 blocks.
    """
    section_blocks: list[Block] = [
        section(
            f"*Program health* · *{count(health.active_pairs, 'active pair')}* · "
            f"*{health.met_last_14_days_share:.0%}* met in the last 14 days · "
            f"*{count(health.waitlisted, 'person', 'people')}* waiting for a mentor · "
            f"*{count(health.milestones_this_month, 'milestone')}* this month",
            block_id="program_health",
        ),
        actions(
            button("Full report", "coordinator_report", style="primary"),
            button("Match the waitlist", "coordinator_match"),
            button("Announce", "coordinator_announce"),
            block_id="coordinator_actions",
        ),
    ]
    for host, theirs in joined[:JOINED_ON_HOME]:
        section_blocks.append(
            context(
                f"*{escape(theirs.program)}* (run by {escape(host)}) · "
                f"*{count(theirs.active_pairs, 'active pair')}* · "
                f"*{count(theirs.waitlisted, 'person', 'people')}* waiting for a mentor"
            )
        )
    for pair in health.at_risk[:AT_RISK_ON_HOME]:
        section_blocks += [
            section(
                f":warning: <@{pair.mentee_id}> and <@{pair.mentor_id}>: {pair.signal}",
                block_id=f"at_risk_{pair.partnership_id}",
            ),
            actions(
                button("Check in with them", "coordinator_check_in", str(pair.partnership_id)),
                button("Write to them", "coordinator_write", str(pair.partnership_id)),
                button("Close the partnership", "coordinator_close", str(pair.partnership_id)),
                block_id=f"at_risk_actions_{pair.partnership_id}",
            ),
        ]
    if len(health.at_risk) > AT_RISK_ON_HOME:
        section_blocks.append(
            context(
                f"… and {count(len(health.at_risk) - AT_RISK_ON_HOME, 'more pair')}"
                " in the full report."
            )
        )
    section_blocks.append(divider())
    blocks = list(view["blocks"])
    head, rest = blocks[:1], blocks[1:]
    room = VIEW_BLOCKS_MAX - len(head) - len(section_blocks)
    return {**view, "blocks": head + section_blocks + rest[:room]}


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


AUDIT_SHOWN = 30  # one line each: well inside a message's 3,000 characters per block


def audit_message(events: list[AuditEvent]) -> tuple[str, list[Block]]:
    """The workspace's own audit log, newest first: what was done and when, never whom it
    was about (the log keeps identifiers and counts only)."""
    if not events:
        text = "This workspace's audit log is empty."
        return text, [section(text)]
    lines = [
        f"• {slack_date(event.at, '{date_short} {time}')}: `{escape(event.action)}` "
        f"{escape(event.subject)}"
        for event in events
    ]
    text = f"This workspace's audit log: the last {count(len(events), 'entry', 'entries')}."
    blocks: list[Block] = [section(text)]
    for start in range(0, len(lines), 10):
        blocks.append(section("\n".join(lines[start : start + 10])))
    return text, blocks
