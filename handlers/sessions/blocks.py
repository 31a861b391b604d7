"""Block Kit for weekly sessions: the schedule modal, reminders, "did you meet?"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from bot.model.messages.sessions import (
    SessionChanged,
    SessionCheck,
    SessionInvite,
    SessionReminder,
    SessionSet,
)
from bot.model.sessions import SessionOutcome, SessionSlot
from bot.when import EXAMPLES, WEEKDAYS, zone
from handlers.kit.blocks import (
    MODAL_TITLE_MAX,
    Block,
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    notice_modal,
    option,
    plain,
    section,
    slack_date,
    text_input,
)

WHEN = "{date_long_pretty} at {time}"


def schedule_modal(
    *,
    lengths: Sequence[int],
    default_length: int,
    metadata: dict[str, Any],
    partner_id: str,
    current: str = "",
    title: str = "Your sessions",  # weekly, every other week or monthly alike
    one_off: bool = False,
    tz: str = "",
    every_weeks: Sequence[int] = (1, 2),
) -> dict[str, Any]:
    length_options = [option(f"{m} minutes", str(m)) for m in lengths]
    initial_length = next(
        (o for o in length_options if o["value"] == str(default_length)), length_options[0]
    )
    yours = f"your time zone ({tz})" if tz else "your time zone"
    blocks: list[Block] = [
        section(
            f"When will you and <@{partner_id}> meet? Say it in your own words, in {yours}: "
            "I'll show it to each of you in yours." + (f"\n*Now:* {current}" if current else "")
        ),
        input_block(
            "when",
            "When",
            text_input(max_length=200, placeholder="Tuesdays at 3pm"),
            optional=True,
            hint=f"For example {EXAMPLES}.",
        ),
    ]
    if not one_off:
        blocks += _weekly_pickers(length_options, initial_length, every_weeks)
    return modal(
        callback_id="session_move" if one_off else "session_schedule",
        title=title,
        submit="Save" if one_off else "Next",
        blocks=blocks,
        metadata=metadata,
    )


def _weekly_pickers(
    length_options: list[dict[str, Any]],
    initial_length: dict[str, Any],
    every_weeks: Sequence[int],
) -> list[Block]:
    """For a weekly slot: a day, a time, how often, and how long, instead of words."""
    repeats = [option(_EVERY.get(n, f"Every {n} weeks"), str(n)) for n in every_weeks]
    return [
        context("Or pick a day and a time:"),
        input_block(
            "day",
            "Day",
            {
                "type": "static_select",
                "options": [option(d.capitalize(), str(i)) for i, d in enumerate(WEEKDAYS)],
            },
            optional=True,
        ),
        input_block("time", "Time", {"type": "timepicker"}, optional=True),
        input_block(
            "repeat",
            "Repeat",
            {"type": "static_select", "options": repeats, "initial_option": repeats[0]},
            optional=True,
        ),
        input_block(
            "length",
            "Length",
            {
                "type": "static_select",
                "options": length_options,
                "initial_option": initial_length,
            },
        ),
    ]


_EVERY = {1: "Every week", 2: "Every other week"}


def check_modal(
    slot: SessionSlot,
    *,
    first: datetime | None,
    ends_at: datetime,
    ignored: str,
    partner_id: str,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """The rule read back in words before it is saved; Back returns to the words typed."""
    rule = slot.describe(slot.tz, label=f"your time, {slot.tz or 'UTC'}")
    lines = [f":calendar: *{rule[:1].upper()}{rule[1:]}*"]
    if first is not None:
        lines.append(f"First one: {slack_date(first, WHEN)}.")
    else:
        lines.append("None of these falls before your term ends: pick an earlier time.")
    if slot.every_weeks:
        lines.append(f"Until your term ends, {slack_date(ends_at, '{date_long}')}.")
    lines.append(f"<@{partner_id}> will read it in their own time zone, with a calendar invite.")
    blocks: list[Block] = [section("\n".join(lines))]
    if ignored:
        blocks.append(context(f"I ignored: _{escape(ignored)}_"))
    return modal(
        callback_id="session_confirm",
        title="Your sessions",
        submit="Save",
        close="Back",
        blocks=blocks,
        metadata=metadata,
    )


def check_refused(message: str) -> dict[str, Any]:
    """The check, when saving was refused after all: what happened, and Back to change it."""
    return notice_modal("Your sessions", f":warning: {message}") | {
        "close": plain("Back", MODAL_TITLE_MAX)
    }


def session_set_message(payload: SessionSet) -> tuple[str, list[Block]]:
    text = f"<@{payload.author_id}> set your mentoring session: {payload.describe}."
    lines = [f":calendar: {text}"]
    if payload.next_start:
        lines.append(f"First one: {slack_date(payload.next_start, WHEN)}.")
    blocks: list[Block] = [
        section("\n".join(lines)),
        actions(
            button(
                "Propose another time",
                "open_schedule",
                str(payload.partnership_id),
            ),
            block_id="session_set",
        ),
    ]
    return text, blocks


def invite_comment(payload: SessionInvite, *, reader: str = "") -> str:
    """In the pair's group DM: the rule as each of them reads it, when their clocks differ;
    sent to one of them (``reader``, a pair across workspaces): as they read it."""
    described = payload.described or {}
    readings = {str(text) for text in described.values()}
    if reader and reader in described:
        rule = str(described[reader])
    elif len(readings) > 1:
        rule = "; ".join(f"<@{member}>: {text}" for member, text in described.items())
    else:
        rule = readings.pop() if readings else payload.describe
    return (
        f"Here's the calendar invite for your mentoring sessions ({rule}). "
        "Open it to add them to your calendar."
    )


def invite_description(slot: SessionSlot, *, until: datetime | None) -> str:
    """What the calendar shows: the rule in words, in the zone its times are kept in."""
    rule = slot.describe(label=f"{slot.tz or 'UTC'} time")
    kind = "mentoring session" if slot.every_weeks else "one-off mentoring session"
    ends = ""
    if until is not None and slot.every_weeks:
        ends = f", until {until.astimezone(zone(slot.tz)):%d %B %Y}"
    return (
        f"Your {kind}: {rule}{ends}. Set up by Mentorbot; the mentee brings the questions, "
        "the mentor listens, guides and connects."
    )


_CHANGES = {
    "skip": "skipped the session on {at}",
    "move": "moved the next session to {at}",
    "pause": "paused your sessions until {until}",
    "resume": "resumed your sessions",
    "pause_pair": "paused your mentoring partnership until {until}: no prompts until then",
    "resume_pair": "resumed your mentoring partnership",
}


def session_changed_message(payload: SessionChanged) -> tuple[str, list[Block]]:
    at = slack_date(payload.at, WHEN) if payload.at else ""
    until = ""
    if payload.until:  # a date: shown at noon UTC, the same day in every zone people live in
        until = slack_date(datetime.combine(payload.until, time(12), UTC), "{date_long}")
    change = _CHANGES.get(payload.change, "changed your session plan").format(at=at, until=until)
    text = f"<@{payload.author_id}> {change}."
    lines = [f":spiral_calendar_pad: {text}"]
    if payload.next_start:
        lines.append(f"Next session: {slack_date(payload.next_start, WHEN)}.")
    return text, [section("\n".join(lines))]


def reminder_message(payload: SessionReminder) -> tuple[str, list[Block]]:
    start = payload.start
    soon = payload.before <= 3600
    when = f"starts {slack_date(start, '{time}')}" if soon else f"is {slack_date(start, WHEN)}"
    text = f"Your mentoring session with <@{payload.partner_id}> {when}."
    value = f"{payload.partnership_id}:{payload.original_date.isoformat()}"
    blocks: list[Block] = [
        section(f":alarm_clock: {text}"),
        context(f"{payload.minutes} minutes. Bring one question you'd like to explore."),
    ]
    if not soon:
        blocks.append(
            actions(
                button("Skip this week", "session_skip", value),
                button("Reschedule", "session_reschedule", value),
                block_id="reminder_actions",
            )
        )
    return text, blocks


CHECK_BUTTONS = (
    ("We met", "session_met", SessionOutcome.MET, "primary"),
    ("Rescheduled", "session_rescheduled", SessionOutcome.RESCHEDULED, None),
    ("Skipped this week", "session_skipped", SessionOutcome.SKIPPED, None),
)


def check_message(payload: SessionCheck) -> tuple[str, list[Block]]:
    start = payload.start
    text = f"Did you meet <@{payload.partner_id}> {slack_date(start, WHEN)}?"
    stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    value = f"{payload.partnership_id}:{stamp}"
    return text, [
        section(f":handshake: {text}"),
        actions(
            *(
                button(label, action_id, value, style=style)
                for label, action_id, _, style in CHECK_BUTTONS
            ),
            block_id="session_check",
        ),
    ]


_ANSWERS = {
    SessionOutcome.MET: ":white_check_mark: Met",
    SessionOutcome.RESCHEDULED: ":arrows_counterclockwise: Rescheduled",
    SessionOutcome.SKIPPED: ":zzz: Skipped this week",
}


def check_answered_message(
    *,
    start: datetime,
    outcome: SessionOutcome,
    answered_by: str,
    held: int,
    partnership_id: int | None = None,
) -> tuple[str, list[Block]]:
    text = f"{_ANSWERS[outcome]}: recorded by <@{answered_by}> for {slack_date(start, WHEN)}."
    extra = (
        f"That's {held} session{'s' if held != 1 else ''} together so far."
        if outcome is SessionOutcome.MET
        else "Thanks for letting me know: see you next time."
    )
    answered: list[Block] = [section(text), context(extra)]
    if outcome is SessionOutcome.MET and partnership_id is not None:
        stamp = start.strftime("%Y%m%dT%H%MZ")
        answered.append(
            actions(
                button("Log a reflection", "open_reflect", f"{partnership_id}:{stamp}"),
                block_id="after_session",
            )
        )
    return text, answered


def pause_modal(*, metadata: dict[str, Any]) -> dict[str, Any]:
    """Holidays: no sessions, reminders or "did you meet?" until the picked date."""
    return modal(
        callback_id="session_pause",
        title="Pause sessions",
        submit="Pause",
        blocks=[
            section("No sessions, reminders or check-ins until the date you pick."),
            input_block("until", "Until", {"type": "datepicker"}),
        ],
        metadata=metadata,
    )
