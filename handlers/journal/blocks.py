"""Block Kit for goals, reflections, milestones, celebrations and the App Home.

Pure functions of domain objects. Whatever people typed is escaped (no pings, no broken
quotes) and truncated to Slack's limits, and the Home tab is built against a block budget so
it stays within Slack's 100 blocks however long the year has been.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.journal.service import HomeData, Page, PartnershipSummary
from bot.model.journal import (
    CELEBRATION_WORDINGS,
    MAX_GOAL_TEXT,
    MAX_GOALS,
    MAX_MILESTONE_TEXT,
    MAX_NOTE,
    MAX_REFLECTION_FIELD,
    Goal,
    GoalStatus,
    Milestone,
    Reflection,
    Visibility,
)
from handlers.kit.blocks import (
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    input_block,
    modal,
    option,
    plain,
    quote,
    section,
    slack_date,
    text_input,
    truncate,
)

WHEN = "{date_long_pretty} at {time}"
DAY = "{date_short_pretty}"
PAGE_SIZE = 20
STATUS_EMOJI = {
    GoalStatus.NOT_STARTED: ":white_circle:",
    GoalStatus.IN_PROGRESS: ":large_blue_circle:",
    GoalStatus.DONE: ":white_check_mark:",
}
STATUS_BUTTONS = (
    (GoalStatus.NOT_STARTED, "Not started"),
    (GoalStatus.IN_PROGRESS, "In progress"),
    (GoalStatus.DONE, "Done"),
)
HOME_FOOTER_BLOCKS = 6
"""Blocks kept free at the end of the Home tab for settings, the profile and the buttons."""


def snippet(reflection: Reflection, limit: int = 80) -> str:
    first = next(
        (t for t in (reflection.topics, reflection.learned, reflection.next_steps) if t.strip()),
        "",
    )
    return escape(truncate(" ".join(first.split()), limit))


# -- modals -----------------------------------------------------------------------------------


def goals_modal(*, partnership_id: int, goals: Sequence[Goal], mentor_id: str) -> dict[str, Any]:
    """Five goal fields, each tied to the goal it edits, so a rewrite keeps its status."""
    ordered = list(goals)[:MAX_GOALS]
    blocks: list[Block] = [
        section(
            f"What do you want to achieve this year with <@{mentor_id}>? Write 1 to {MAX_GOALS} "
            "specific goals. Your mentor sees them, and you can both mark progress from the App "
            "Home. Clear a field to remove that goal."
        )
    ]
    for n in range(1, MAX_GOALS + 1):
        existing = ordered[n - 1] if n <= len(ordered) else None
        blocks.append(
            input_block(
                f"goal_{n}",
                f"Goal {n}",
                text_input(
                    initial=existing.text if existing else "",
                    max_length=MAX_GOAL_TEXT,
                    placeholder="Lead my team's planning for next year" if n == 1 else "",
                ),
                optional=True,
            )
        )
    ids = [g.id for g in ordered] + [None] * (MAX_GOALS - len(ordered))
    return modal(
        callback_id="journal_goals",
        title="Goals for the year",
        submit="Save goals",
        blocks=blocks,
        metadata={"partnership_id": partnership_id, "goal_ids": ids},
    )


def goal_note_modal(goal: Goal) -> dict[str, Any]:
    return modal(
        callback_id="journal_goal_note",
        title="Note on a goal",
        submit="Save",
        blocks=[
            section(f"*{escape(goal.text)}*\n_{goal.status.label}_"),
            input_block(
                "note",
                "Where does it stand?",
                text_input(initial=goal.note, multiline=True, max_length=MAX_NOTE),
                optional=True,
            ),
        ],
        metadata={"goal_id": goal.id},
    )


def reflection_modal(
    *,
    partnership_id: int,
    partner_id: str,
    session_start: datetime | None = None,
    reflection: Reflection | None = None,
) -> dict[str, Any]:
    private = option("Private: only me", Visibility.PRIVATE.value)
    shared = option("Shared with my partner", Visibility.SHARED.value)
    current = reflection.visibility if reflection is not None else Visibility.PRIVATE
    when = f" about your session of {slack_date(session_start, WHEN)}" if session_start else ""
    blocks: list[Block] = [
        section(
            f"A few lines for yourself{when} with <@{partner_id}>. It stays private unless you "
            "choose to share it with your partner; the program team never reads it."
        ),
        input_block(
            "topics",
            "What we talked about",
            text_input(
                initial=reflection.topics if reflection else "",
                multiline=True,
                max_length=MAX_REFLECTION_FIELD,
            ),
            optional=True,
        ),
        input_block(
            "learned",
            "What I learned or will try",
            text_input(
                initial=reflection.learned if reflection else "",
                multiline=True,
                max_length=MAX_REFLECTION_FIELD,
            ),
            optional=True,
        ),
        input_block(
            "next_steps",
            "Next steps",
            text_input(
                initial=reflection.next_steps if reflection else "",
                multiline=True,
                max_length=MAX_REFLECTION_FIELD,
            ),
            optional=True,
        ),
        input_block(
            "visibility",
            "Who can read it",
            {
                "type": "radio_buttons",
                "options": [private, shared],
                "initial_option": shared if current is Visibility.SHARED else private,
            },
        ),
    ]
    metadata: dict[str, Any] = {"partnership_id": partnership_id}
    if session_start is not None:
        metadata["session"] = session_start.isoformat()
    if reflection is not None:
        metadata["reflection_id"] = reflection.id
    return modal(
        callback_id="journal_reflect",
        title="Edit reflection" if reflection else "Log a reflection",
        submit="Save",
        blocks=blocks,
        metadata=metadata,
    )


def milestone_modal(*, partnership_id: int, partner_id: str) -> dict[str, Any]:
    return modal(
        callback_id="journal_milestone",
        title="Log a milestone",
        submit="Celebrate",
        blocks=[
            section(f"Something worth celebrating with <@{partner_id}>? I'll let you both know."),
            input_block(
                "text",
                "What happened",
                text_input(max_length=MAX_MILESTONE_TEXT, placeholder="Presented to the board"),
            ),
        ],
        metadata={"partnership_id": partnership_id},
    )


def reflection_view(reflection: Reflection, *, viewer_id: str, partner_id: str) -> dict[str, Any]:
    mine = reflection.author_id == viewer_id
    if mine:
        who = (
            f"Shared with <@{partner_id}>."
            if reflection.visibility is Visibility.SHARED
            else "Private: only you can read it."
        )
    else:
        who = f"Written and shared with you by <@{reflection.author_id}>."
    blocks: list[Block] = []
    if reflection.created_at is not None:
        blocks.append(context(f"{slack_date(reflection.created_at, DAY)} · {who}"))
    for label, value in (
        ("What we talked about", reflection.topics),
        ("What I learned or will try", reflection.learned),
        ("Next steps", reflection.next_steps),
    ):
        if value.strip():
            blocks.append(section(f"*{label}*\n{quote(truncate(value, 2800))}"))
    if mine:
        blocks.append(
            actions(button("Edit", "reflection_edit", str(reflection.id)), block_id="reflection")
        )
    return {
        "type": "modal",
        "callback_id": "journal_reflection_view",
        "title": plain("Reflection", 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }


def reflections_page(
    page: Page[Reflection], *, partnership_id: int, viewer_id: str
) -> dict[str, Any]:
    blocks: list[Block] = [
        context(
            f"Reflections {page.offset + 1}-{page.offset + len(page.items)} of {page.total}, "
            "newest first: yours, and those your partner shared with you."
            if page.items
            else "No reflections yet."
        )
    ]
    for reflection in page.items:
        mine = reflection.author_id == viewer_id
        label = (
            ("Private" if reflection.visibility is Visibility.PRIVATE else "Shared")
            if mine
            else f"Shared by <@{reflection.author_id}>"
        )
        when = slack_date(reflection.created_at, DAY) if reflection.created_at else ""
        blocks.append(
            section(
                f"*{when}* · {label}\n{snippet(reflection, 200)}",
                accessory=button("Open", "reflection_open", str(reflection.id)),
            )
        )
    return _list_modal("Reflections", "reflections", page, partnership_id, blocks)


def milestones_page(page: Page[Milestone], *, partnership_id: int) -> dict[str, Any]:
    blocks: list[Block] = [
        context(
            f"Milestones {page.offset + 1}-{page.offset + len(page.items)} of {page.total}, "
            "newest first."
            if page.items
            else "No milestones yet: they'll come."
        )
    ]
    blocks += [section(_milestone_line(m)) for m in page.items]
    return _list_modal("Milestones", "milestones", page, partnership_id, blocks)


def _list_modal(
    title: str, kind: str, page: Page[Any], partnership_id: int, blocks: list[Block]
) -> dict[str, Any]:
    nav = []
    if page.offset > 0:
        newer = max(0, page.offset - PAGE_SIZE)
        nav.append(button("Newer", "journal_newer", f"{kind}:{partnership_id}:{newer}"))
    if page.has_older:
        older = page.offset + PAGE_SIZE
        nav.append(button("Older", "journal_older", f"{kind}:{partnership_id}:{older}"))
    if nav:
        blocks.append(actions(*nav, block_id="pages"))
    return {
        "type": "modal",
        "callback_id": "journal_list",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": blocks[:VIEW_BLOCKS_MAX],
    }


def _milestone_line(milestone: Milestone) -> str:
    title = escape(truncate(milestone.title, 300))
    who = f" (by <@{milestone.created_by}>)" if milestone.personal and milestone.created_by else ""
    return f":tada: *{title}*{who} · {slack_date(milestone.achieved_at, DAY)}"


# -- messages ---------------------------------------------------------------------------------

_CELEBRATIONS = (
    ":tada: *{title}*, with <@{partner}>! Take a moment to mark it for yourself: a walk, a "
    "treat, a note to your future self.",
    ":confetti_ball: Look at that: *{title}*. You and <@{partner}> got here together. How "
    "will you celebrate? Something small and just for you counts.",
    ":sparkles: *{title}*, you and <@{partner}>. Moments like this are easy to rush past: "
    "pause today and give yourself the credit.",
    ":trophy: A milestone worth noticing: *{title}* with <@{partner}>. Treat yourself, you "
    "earned it.",
    ":star2: *{title}*! Growth with <@{partner}> is adding up. Mark the moment your way, "
    "whatever feels like a celebration to you.",
    ":clap: Here's to *{title}*, with <@{partner}>. Generosity begins with yourself: do "
    "something kind for you today.",
)
assert len(_CELEBRATIONS) == CELEBRATION_WORDINGS


def celebration_message(payload: dict[str, Any]) -> tuple[str, list[Block]]:
    wording = int(payload.get("wording", 0)) % CELEBRATION_WORDINGS
    title = escape(truncate(str(payload["title"]), 300))
    title = title[:1].upper() + title[1:]
    text = _CELEBRATIONS[wording].format(title=title, partner=payload["partner_id"])
    blocks: list[Block] = [section(text)]
    if payload.get("personal") and payload.get("created_by"):
        blocks.append(context(f"Logged by <@{payload['created_by']}>."))
    blocks.append(
        context("See all your milestones in my App Home. `/mentor milestone` logs your own.")
    )
    return text, blocks


def shout_out_message(payload: dict[str, Any]) -> tuple[str, list[Block]]:
    headline = escape(truncate(str(payload["headline"]), 200))
    text = (
        f":tada: A moment to celebrate: <@{payload['mentee_id']}> and <@{payload['mentor_id']}>, "
        f"{headline}!"
    )
    return text, [
        section(text),
        context("Both of them chose to share their milestones here."),
    ]


# -- App Home ---------------------------------------------------------------------------------


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
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS_MAX]}


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
    p = summary.partnership
    assert p.id is not None
    role = "mentor" if summary.viewer_is_mentor else "mentee"
    partner = summary.partner_id
    lines = [
        f"*You are <@{partner}>'s {role} since {slack_date(p.started_at, '{date_long}')}* "
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
    if summary.goals:
        blocks.append(section("*Goals for the year*"))
        for n, goal in enumerate(summary.goals[:MAX_GOALS], start=1):
            blocks += goal_blocks(n, goal)
    else:
        who = "you" if not summary.viewer_is_mentor else f"<@{p.mentee_id}>"
        blocks.append(section(f"*Goals for the year*\nNone yet: {who} can set 1 to 5."))
    if summary.milestones:
        more = summary.milestone_count - len(summary.milestones)
        lines = [_milestone_line(m) for m in summary.milestones]
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
                f"<@{partner}>)\n" + "\n".join(lines)
            )
        )
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
    blocks.append(actions(*quick, block_id=f"quick_{p.id}"))
    if summary.paused_until is not None:
        until = summary.paused_until.strftime("%A %d %B")
        blocks.append(context(f"Sessions paused until {until}. `/mentor help` lists the rest."))
    else:
        blocks.append(context("`/mentor help` lists everything else I can do."))
    blocks.append(divider())
    return blocks


def goal_blocks(n: int, goal: Goal) -> list[Block]:
    assert goal.id is not None
    text = f"{STATUS_EMOJI[goal.status]} *{n}. {escape(goal.text)}* · _{goal.status.label}_"
    if goal.note:
        text += "\n" + quote(truncate(goal.note, 1000))
    buttons = [
        button(
            label if status is not goal.status else f"✓ {label}",
            f"goal_status_{status.value}",
            str(goal.id),
            style="primary" if status is goal.status else None,
        )
        for status, label in STATUS_BUTTONS
    ]
    buttons.append(button("Note", "goal_note", str(goal.id)))
    return [section(text), actions(*buttons, block_id=f"goal_{goal.id}")]
