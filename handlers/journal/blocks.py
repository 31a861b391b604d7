"""Block Kit for goals, reflections, milestones and celebrations (the Home tab's part is in
``handlers.journal.home``).

Pure functions of domain objects. Whatever people typed is escaped (no pings, no broken
quotes) and truncated to Slack's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.journal.service import Page
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
from bot.model.messages.journal import Celebration, ShoutOut
from handlers.kit.blocks import (
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    escape,
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
        *(
            _reflection_input(block_id, label, reflection)
            for block_id, label in (
                ("topics", "What we talked about"),
                ("learned", "What I learned or will try"),
                ("next_steps", "Next steps"),
            )
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


def _reflection_input(block_id: str, label: str, reflection: Reflection | None) -> Block:
    """One of a reflection's three free-text parts, with what was written before."""
    return input_block(
        block_id,
        label,
        text_input(
            initial=str(getattr(reflection, block_id)) if reflection else "",
            multiline=True,
            max_length=MAX_REFLECTION_FIELD,
        ),
        optional=True,
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
    blocks += [section(milestone_line(m)) for m in page.items]
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


def milestone_line(milestone: Milestone) -> str:
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


def celebration_message(payload: Celebration) -> tuple[str, list[Block]]:
    wording = payload.wording % CELEBRATION_WORDINGS
    title = escape(truncate(payload.title, 300))
    title = title[:1].upper() + title[1:]
    text = _CELEBRATIONS[wording].format(title=title, partner=payload.partner_id)
    blocks: list[Block] = [section(text)]
    if payload.personal and payload.created_by:
        blocks.append(context(f"Logged by <@{payload.created_by}>."))
    blocks.append(
        context("See all your milestones in my App Home. `/mentor milestone` logs your own.")
    )
    return text, blocks


def shout_out_message(payload: ShoutOut) -> tuple[str, list[Block]]:
    headline = escape(truncate(payload.headline, 200))
    text = (
        f":tada: A moment to celebrate: <@{payload.mentee_id}> and <@{payload.mentor_id}>, "
        f"{headline}!"
    )
    return text, [
        section(text),
        context("Both of them chose to share their milestones here."),
    ]


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
