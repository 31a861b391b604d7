"""The journal's Home tab: each partnership at a glance, and what to do next.

Built against a block budget so it stays within Slack's 100 blocks however long the year
has been; pure functions of the journal's ``HomeData`` but for the builder that reads it.
"""

from __future__ import annotations

from typing import Any

from bot.journal.service import HomeData, PartnershipSummary
from bot.model.journal import MAX_GOALS, Visibility
from bot.services import Services
from handlers.home import HomeBuilder
from handlers.journal.blocks import DAY, WHEN, goal_blocks, milestone_line, snippet
from handlers.kit.blocks import (
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    header,
    section,
    slack_date,
)

HOME_FOOTER_BLOCKS = 8
"""Blocks kept free at the end of the Home tab for settings, the profile and the buttons,
and for the rhythm's "your next step" (two blocks) above the partnerships."""


def journal_home(services: Services) -> HomeBuilder:
    """Lays the tab out: a person's partnerships, goals, sessions and buttons."""

    def build(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        return home_view(services.journal.home(team_id, user_id))

    return build


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab: each partnership at a glance, newest partnership first, within budget."""
    blocks: list[Block] = [header("Mentorbot")]
    budget = VIEW_BLOCKS_MAX - HOME_FOOTER_BLOCKS
    shown = 0
    for summary in data.summaries:
        part = partnership_blocks(summary)
        if len(blocks) + len(part) > budget:
            break
        blocks += part
        shown += 1
    hidden = len(data.summaries) - shown
    if hidden:
        blocks.append(
            context(f"… and {hidden} more partnership{'s' if hidden > 1 else ''}: `/mentor export`")
        )
    if not data.summaries:
        blocks += _no_partnership_blocks(data)
    blocks += _footer_blocks(data)
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS_MAX]}


def _footer_blocks(data: HomeData) -> list[Block]:
    """Shout-outs, the mentor profile, and the buttons to ask, offer or export."""
    blocks: list[Block] = []
    if data.summaries and data.program_channel:
        on = data.preferences.shout_outs
        blocks.append(
            section(
                f"*Celebrate in <#{data.program_channel}>:* {'on' if on else 'off'}. When you and "
                "your partner both turn this on, milestones are announced there (never what "
                "you wrote).",
                accessory=button(
                    "Turn off" if on else "Turn on", "shout_outs", "off" if on else "on"
                ),
                block_id="shout_outs",
            )
        )
    if data.profile is not None:
        state = "taking new mentees" if data.profile.accepting else "paused for new mentees"
        if (until := data.profile.requests_paused_until) is not None:
            state += f" until {until:%A} {until.day} {until:%B}"
        blocks.append(
            context(f"Your mentor profile: {state}, up to {data.profile.capacity} at a time.")
        )
    buttons = [
        button("Offer to mentor" if data.profile is None else "Edit mentor profile", "open_offer")
    ]
    if not any(s.partnership.mentee_id == data.user_id for s in data.summaries):
        buttons.insert(0, button("Ask for a mentor", "open_ask", style="primary"))
    if data.summaries:
        buttons.append(button("Export my journal", "journal_export"))
    blocks.append(actions(*buttons, block_id="home_actions"))
    return blocks


def _no_partnership_blocks(data: HomeData) -> list[Block]:
    if data.request is not None:
        status = {
            "matching": "You have mentor suggestions waiting in our DMs: pick one to ask.",
            "pending_mentor": "You've asked a mentor; waiting for their answer.",
            "waitlisted": "You're on the waitlist; I'll message you when a mentor is free.",
        }.get(data.request.status.value, "")
        return [section(f"*Your mentor request*\n{status}")]
    return [
        section(
            "A mentor can help you grow in leadership, your career and more, for a year. "
            "You drive: you say what you want to work on, and pick your mentor."
        ),
        context(
            "*Ask for a mentor* with the button below or `/mentor ask`. Have experience to "
            "share? *Offer to mentor* (or `/mentor offer`): you're always asked first."
        ),
    ]


def partnership_blocks(summary: PartnershipSummary) -> list[Block]:
    """One partnership: who and until when, its goals, milestones, reflections, buttons."""
    p = summary.partnership
    assert p.id is not None
    role = "mentor" if summary.viewer_is_mentor else "mentee"
    lines = [
        f"*You are <@{summary.partner_id}>'s {role} since "
        f"{slack_date(p.started_at, '{date_long}')}* "
        f"(until {slack_date(p.ends_at, '{date_long}')})"
        + (" · _paused_" if p.status.value == "paused" else ""),
        (
            f":calendar: Next session: {slack_date(summary.next_session, WHEN)}"
            if summary.next_session
            else ":calendar: No session planned yet."
        ),
        f":handshake: {summary.held} session{'s' if summary.held != 1 else ''} held · "
        f"current streak: {summary.streak} week{'s' if summary.streak != 1 else ''}",
    ]
    blocks: list[Block] = [section("\n".join(lines), block_id=f"partnership_{p.id}")]
    blocks += _journal_blocks(summary)
    blocks.append(actions(*_quick_buttons(summary), block_id=f"quick_{p.id}"))
    if summary.paused_until is not None:
        until = summary.paused_until.strftime("%A %d %B")
        blocks.append(context(f"Sessions paused until {until}. `/mentor help` lists the rest."))
    else:
        blocks.append(context("`/mentor help` lists everything else I can do."))
    blocks.append(divider())
    return blocks


def _journal_blocks(summary: PartnershipSummary) -> list[Block]:
    """The goals, the recent milestones and the viewer's recent reflections."""
    p = summary.partnership
    blocks: list[Block] = []
    if summary.goals:
        blocks.append(section("*Goals for the year*"))
        for n, goal in enumerate(summary.goals[:MAX_GOALS], start=1):
            blocks += goal_blocks(n, goal)
    else:
        who = "you" if not summary.viewer_is_mentor else f"<@{p.mentee_id}>"
        blocks.append(section(f"*Goals for the year*\nNone yet: {who} can set 1 to 5."))
    if summary.milestones:
        more = summary.milestone_count - len(summary.milestones)
        lines = [milestone_line(m) for m in summary.milestones]
        if more > 0:
            lines.append(f"_… and {more} more_")
        blocks.append(section("*Recent milestones*\n" + "\n".join(lines)))
    if summary.reflections:
        more = summary.reflection_count - len(summary.reflections)
        lines = []
        for r in summary.reflections:
            when = slack_date(r.created_at, DAY) if r.created_at else ""
            lock = ":lock:" if r.visibility is Visibility.PRIVATE else ":busts_in_silhouette:"
            lines.append(f"{lock} {when}: {snippet(r)}")
        if more > 0:
            lines.append(f"_… and {more} more_")
        blocks.append(
            section(
                "*Your reflections* (:lock: only you · :busts_in_silhouette: shared with "
                f"<@{summary.partner_id}>)\n" + "\n".join(lines)
            )
        )
    return blocks


def _quick_buttons(summary: PartnershipSummary) -> list[Block]:
    """What one can do next in this partnership, in the order people reach for it."""
    p = summary.partnership
    quick = [
        button(
            "Schedule" if summary.next_session is None else "Change slot",
            "open_schedule",
            str(p.id),
        )
    ]
    if summary.next_session is not None and summary.next_original_date is not None:
        occurrence = f"{p.id}:{summary.next_original_date.isoformat()}"
        quick.append(button("Skip next", "home_session_skip", occurrence))
        quick.append(button("Reschedule next", "session_reschedule", occurrence))
    if summary.paused_until is not None:
        quick.append(button("Resume sessions", "home_session_resume", str(p.id)))
    elif summary.next_session is not None:
        quick.append(button("Pause sessions", "home_session_pause", str(p.id)))
    quick.append(button("Log a reflection", "open_reflect", str(p.id)))
    if not summary.viewer_is_mentor:
        quick.append(button("Set goals", "open_goals", str(p.id)))
    quick.append(button("Log a milestone", "open_milestone", str(p.id)))
    quick.append(button("See all reflections", "see_all_reflections", f"reflections:{p.id}:0"))
    quick.append(button("End the partnership", "open_end", str(p.id)))
    if summary.milestone_count:
        quick.append(button("See all milestones", "see_all_milestones", f"milestones:{p.id}:0"))
    return quick
