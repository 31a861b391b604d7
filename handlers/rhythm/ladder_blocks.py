"""Block Kit for the ladder of quiet pairs: the nudges, the question of the eighth week, and
the coordinators' decision."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model.messages.rhythm import CoordinatorQuietDecision, QuietDecision, QuietNudge
from handlers.kit.blocks import Block, actions, button, context, count, section, slack_date

WHEN = "{date_long_pretty} at {time}"


def _weeks(days: int) -> int:
    return max(1, days // 7)


def quiet_nudge_message(payload: QuietNudge) -> tuple[str, list[Block]]:
    partner, weeks = payload.partner_id, _weeks(payload.days)
    pid = str(payload.partnership_id)
    if payload.both:
        text = (
            f"It's been {count(weeks, 'week')} since you and <@{partner}> last met. "
            "Life gets busy: one click finds you a time."
        )
    else:
        text = (
            f"It's been {count(weeks, 'week')} since you and <@{partner}> last met. You drive the "
            "partnership: a quick message to find a time goes a long way."
        )
    blocks: list[Block] = [section(f":wave: {text}")]
    proposed = payload.proposed
    if proposed is not None:
        blocks.append(
            section(
                f"How about *{slack_date(proposed, WHEN)}*? It's inside both your working days.",
                block_id="quiet_proposal",
            )
        )
    buttons = [button("Schedule", "open_schedule", pid, style="primary")]
    if proposed is not None:
        stamp = proposed.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
        minutes = payload.minutes or 60
        buttons.insert(0, button("Meet then", "quiet_book", f"{pid}:{stamp}:{minutes}"))
    buttons.append(button("We met", "quiet_met", pid))
    buttons.append(button("Pause", "home_session_pause", pid))
    blocks.append(actions(*buttons, block_id="quiet_nudge"))
    return text, blocks


def quiet_booked_message(start: datetime) -> tuple[str, list[Block]]:
    text = f"Booked: {slack_date(start, WHEN)}. I've told your partner; an invite follows."
    return text, [section(f":calendar: {text}")]


def quiet_met_message(partner_id: str) -> tuple[str, list[Block]]:
    text = f"Noted: you met <@{partner_id}>. Keep it up!"
    return text, [section(f":white_check_mark: {text}")]


def quiet_decision_message(payload: QuietDecision) -> tuple[str, list[Block]]:
    pid = str(payload.partnership_id)
    text = (
        f"It's been {count(_weeks(payload.days), 'week')} since you and "
        f"<@{payload.partner_id}> last met. What would you like to do?"
    )
    return text, [
        section(f":thought_balloon: {text}"),
        actions(
            button("We'll continue", "quiet_continue", pid, style="primary"),
            button("Pause for a while", "home_session_pause", pid),
            button("Close the partnership", "open_end", pid),
            block_id="quiet_decision",
        ),
        context(
            "Nothing happens without you: if neither of you answers within a week, the program "
            "team will get in touch."
        ),
    ]


def quiet_continued_message() -> tuple[str, list[Block]]:
    text = "Great: carry on. I'll check in again if things go quiet."
    return text, [section(f":muscle: {text}")]


def coordinator_quiet_decision_message(
    payload: CoordinatorQuietDecision,
) -> tuple[str, list[Block]]:
    pid = str(payload.partnership_id)
    pair = f"<@{payload.mentee_id}> (mentee) and <@{payload.mentor_id}> (mentor)"
    text = (
        f"{pair} haven't met in {count(_weeks(payload.days), 'week')} and neither answered "
        "whether to pause, continue or close. Please decide with them."
    )
    return text, [
        section(f":warning: {text}"),
        actions(
            button("Check in with them", "coordinator_check_in", pid, style="primary"),
            button("Let them continue", "quiet_continue", pid),
            button("Close the partnership", "coordinator_close", pid),
            block_id=f"quiet_program_{pid}",
        ),
        context("Nothing is closed without a decision. Nothing they wrote is shown."),
    ]
