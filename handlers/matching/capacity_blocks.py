"""Block Kit for a mentor's time and the program team's view of it: one-click declines, the
pause date picker, the stay-open question, the waitlist's notes and the weekly digest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.matching.capacity import DECLINE_LABELS, DeclineChoice
from bot.matching.digest import SMALL_GROUP, WAITING_SHOWN, CapacityFigures
from bot.model.messages.capacity import CapacityDigest as DigestPayload
from bot.model.messages.capacity import (
    NewMentorQuestion,
    RequestsResumed,
    StayOpen,
    StillWaitlisted,
)
from handlers.kit.blocks import Block, actions, button, context, count, section, slack_date

# The request message's one-click declines; "Other" opens the modal with a text box.
DECLINE_ACTIONS = {
    "decline_no_time": DeclineChoice.NO_TIME,
    "decline_not_fit": DeclineChoice.NOT_FIT,
}
PAUSE_UNTIL = "requests_pause_until"  # the date picker
STAY_OPEN = "requests_stay_open"
STOP_REQUESTS = "requests_stop"
NEW_MENTOR_YES = "new_mentor_yes"
NEW_MENTOR_NO = "new_mentor_no"


def decline_buttons(proposal_id: str) -> list[dict[str, Any]]:
    return [
        button(DECLINE_LABELS[DeclineChoice.NO_TIME], "decline_no_time", proposal_id),
        button(DECLINE_LABELS[DeclineChoice.NOT_FIT], "decline_not_fit", proposal_id),
        button("Other reason…", "decline_request", proposal_id),
    ]


def _date_picker(placeholder: str = "Pause until…") -> dict[str, Any]:
    return {
        "type": "datepicker",
        "action_id": PAUSE_UNTIL,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }


def declined_message(mentee_id: str, choice: DeclineChoice) -> tuple[str, list[Block]]:
    """The request message once declined: with "no time", the offer to pause."""
    text = f"You declined <@{mentee_id}>'s request. Thank you for letting them know quickly."
    blocks: list[Block] = [section(text)]
    if choice is DeclineChoice.NO_TIME:
        blocks += [
            section(
                "Short on time? Pause new requests until a day you pick: nobody new is "
                "suggested your name until then, and that morning you're open again."
            ),
            actions(
                _date_picker(),
                button("Keep me open", STAY_OPEN),
                block_id="pause_requests",
            ),
        ]
    return text, blocks


def stay_open_message(payload: StayOpen) -> tuple[str, list[Block]]:
    text = (
        f"You've said no to the last {payload.declines} mentee requests, and that's "
        "fine. Would you like to stay open for new mentees?"
    )
    return text, [
        section(f":seedling: {text}"),
        actions(
            button("Yes, keep me open", STAY_OPEN, style="primary"),
            _date_picker(),
            button("Pause new requests", STOP_REQUESTS),
            block_id="stay_open",
        ),
        context("A pause never affects the mentees you have. `/mentor offer` changes it later."),
    ]


def paused_message(until: date) -> tuple[str, list[Block]]:
    text = (
        f"Paused: nobody new will ask you before {until:%A} {until.day} {until:%B}. That "
        "morning you're open again, and I'll tell you."
    )
    return text, [section(f":palm_tree: {text}")]


def open_message() -> tuple[str, list[Block]]:
    text = "You're open for new mentees. Thank you for making time!"
    return text, [section(f":white_check_mark: {text}")]


def stopped_message() -> tuple[str, list[Block]]:
    text = (
        "Paused for new mentees, with no end date. `/mentor offer` opens you again whenever "
        "you're ready."
    )
    return text, [section(text)]


def requests_resumed_message(payload: RequestsResumed) -> tuple[str, list[Block]]:
    text = (
        "Your pause is over: mentees who fit can ask you again from today. Need longer? "
        "`/mentor offer` pauses new requests any time."
    )
    return text, [section(f":sunrise: {text}")]


def still_waitlisted_message(payload: StillWaitlisted) -> tuple[str, list[Block]]:
    weeks = payload.weeks
    text = (
        f"A word after {count(weeks, 'week')}: you're still on the waitlist, and I haven't "
        "forgotten you. Every mentor who fits you is busy right now; the moment one has room, "
        "you'll hear from me."
    )
    return text, [
        section(f":seedling: {text}"),
        context(
            "The program team knows you're waiting. Want to change what you're looking for? "
            "`/mentor ask` updates your request."
        ),
    ]


def new_mentor_question_message(payload: NewMentorQuestion) -> tuple[str, list[Block]]:
    partner = payload.partner_id
    with_whom = f" with <@{partner}>" if partner else ""
    text = (
        f"Congratulations on reaching your goals{with_whom}! Would you like a new mentor to "
        "keep growing?"
    )
    value = str(payload.partnership_id)
    return text, [
        section(f":tada: {text}"),
        actions(
            button("Yes, suggest mentors", NEW_MENTOR_YES, value, style="primary"),
            button("Not now", NEW_MENTOR_NO, value),
            block_id="new_mentor",
        ),
    ]


def new_mentor_answered_message(
    *, wanted: bool, waitlisted: bool = False
) -> tuple[str, list[Block]]:
    if not wanted:
        text = "All right: no new mentor for now. Whenever you'd like one, `/mentor ask`."
    elif waitlisted:
        text = (
            "Every mentor who fits you is busy right now, so you're on the waitlist. "
            "I'll message you as soon as someone is free."
        )
    else:
        text = "Your new mentor suggestions are in our DM: pick the one you'd like to ask."
    return text, [section(text)]


def _figure_lines(figures: CapacityFigures) -> list[str]:
    answered = f"{count(figures.asked, 'request')} answered or expired"
    lines = [
        f"• {answered}: {figures.accepted} accepted, {figures.declines} declined, "
        f"{figures.expired} expired without an answer",
    ]
    if figures.reasons:
        reasons = ", ".join(
            f"{_reason_label(reason).lower()} {n}"
            for reason, n in sorted(figures.reasons.items(), key=lambda item: (-item[1], item[0]))
        )
        lines.append(f"• Why mentors declined: {reasons}")
    elif figures.declines:
        lines.append(f"• Reasons are shown from {SMALL_GROUP} declines on.")
    if figures.waiting:
        shown = ", ".join(
            f"<@{mentee}> ({count(days, 'day')})"
            for mentee, days in figures.waiting[:WAITING_SHOWN]
        )
        more = len(figures.waiting) - WAITING_SHOWN
        lines.append(
            f"• Waiting over two weeks for a mentor: {shown}"
            + (f" and {more} more" if more > 0 else "")
        )
    return lines


def _reason_label(value: str) -> str:
    try:
        return DeclineChoice(value).label
    except ValueError:
        return value


def capacity_digest_message(payload: DigestPayload) -> tuple[str, list[Block]]:
    figures = CapacityFigures.from_payload(payload)
    text = (
        f"Mentor capacity this week: {count(figures.declines, 'decline')}, "
        f"{figures.expired} expired, {count(len(figures.waiting), 'long wait')}."
    )
    return text, [
        section(f"*Mentor capacity, the week to {_day(figures.until)}*"),
        section("\n".join(_figure_lines(figures))),
        context(
            "Counts only: what mentors wrote stays private. Recruiting mentors in the areas "
            "people wait for, or `Match the waitlist` on your Home tab, helps most."
        ),
    ]


def _day(at: datetime) -> str:
    return slack_date(at, "{date_short}")


def capacity_home_blocks(figures: CapacityFigures) -> list[Block]:
    if figures.quiet and not figures.asked:
        return [
            context("*Mentor capacity, last 4 weeks:* no requests answered, nobody waiting long.")
        ]
    return [
        section(
            "*Mentor capacity, last 4 weeks*\n" + "\n".join(_figure_lines(figures)),
            block_id="capacity",
        )
    ]
