"""Block Kit for the program's rhythm: pulses, nudges, reviews, the term end, ending early."""

from __future__ import annotations

from typing import Any

from bot.model.journal import MAX_GOALS, Goal
from bot.model.messages import PairPrompt
from bot.model.messages.rhythm import (
    AtRisk,
    CoordinatorEnded,
    GoalCheck,
    PartnershipEnded,
    Pulse,
    QuietNudge,
    TermNotice,
    YearInNumbers,
)
from bot.rhythm.service import MIDTERM_RHYTHMS, EndReason, MidtermSummary
from handlers.journal.blocks import goal_blocks
from handlers.kit.blocks import (
    Block,
    actions,
    button,
    context,
    header,
    input_block,
    modal,
    option,
    quote,
    section,
    slack_date,
    text_input,
)

PULSE_SCORES = tuple(range(1, 6))
PULSE_ACTIONS = tuple(f"pulse_{score}" for score in PULSE_SCORES)
SHARE = "share"


def pulse_message(payload: Pulse) -> tuple[str, list[Block]]:
    text = f"How is your mentoring partnership with <@{payload.partner_id}> going?"
    value = f"{payload.partnership_id}:{payload.round}"
    return text, [
        section(f":seedling: {text}"),
        actions(
            *(button(str(score), f"pulse_{score}", value) for score in PULSE_SCORES),
            block_id="pulse_scores",
        ),
        context(
            "1 = not well at all, 5 = really well. A 1 or 2 lets the program team know your "
            "pair may need support; nothing you write is shared unless you choose to."
        ),
        actions(button("Anything in the way?", "pulse_note", value), block_id="pulse_more"),
    ]


def pulse_answered_message(
    *, partner_id: str, score: int, value: str, noted: bool
) -> tuple[str, list[Block]]:
    text = f"Thanks! You rated your partnership with <@{partner_id}> {score}/5."
    blocks: list[Block] = [section(f":white_check_mark: {text}")]
    if score <= 2:
        blocks.append(
            context(
                "Sorry it's hard right now. The program team hears that a pair may need "
                "support (never what you write, unless you choose to share it)."
            )
        )
    if noted:
        blocks.append(context("Your note is saved. Thank you for telling us."))
    else:
        blocks.append(
            actions(button("Anything in the way?", "pulse_note", value), block_id="pulse_more")
        )
    return text, blocks


def pulse_note_modal(*, metadata: dict[str, Any]) -> dict[str, Any]:
    return modal(
        callback_id="pulse_note",
        title="Anything in the way?",
        submit="Save",
        metadata=metadata,
        blocks=[
            input_block(
                "note",
                "What's getting in the way?",
                text_input(multiline=True, max_length=2000),
                hint="Private to you unless you tick the box below.",
            ),
            input_block(
                "share",
                "Program team",
                {
                    "type": "checkboxes",
                    "options": [option("Share this with the program team", SHARE)],
                },
                optional=True,
            ),
        ],
    )


def quiet_nudge_message(payload: QuietNudge) -> tuple[str, list[Block]]:
    partner, days = payload.partner_id, payload.days
    weeks = days // 7
    if payload.both:
        text = (
            f"It's been {weeks} weeks since you and <@{partner}> last met. Life gets busy: "
            "one click finds you a time."
        )
    else:
        text = (
            f"It's been {weeks} weeks since you and <@{partner}> last met. You drive the "
            "partnership: a quick message to find a time goes a long way."
        )
    return text, [
        section(f":wave: {text}"),
        actions(
            button("Schedule now", "open_schedule", str(payload.partnership_id), style="primary"),
            block_id="quiet_nudge",
        ),
    ]


_SIGNALS = {
    "low_pulse": "a low pulse",
    "unanswered_pulses": "pulses left unanswered",
    "quiet": "no sessions lately",
}


def at_risk_message(payload: AtRisk) -> tuple[str, list[Block]]:
    pair = f"<@{payload.mentee_id}> (mentee) and <@{payload.mentor_id}> (mentor)"
    if payload.signal == "shared":
        text = f"<@{payload.author_id}> shared a note with the program team about {pair}."
        return text, [
            section(f":speech_balloon: {text}"),
            section(quote(payload.shared_note or "")),
        ]
    signal = _SIGNALS.get(payload.signal, payload.signal)
    text = f"A pair may need support: {pair}. Signal: {signal} ({payload.detail})."
    return text, [
        section(f":warning: {text}"),
        context(
            "A friendly check-in with each of them usually helps. Nothing they wrote is shown."
        ),
    ]


def midterm_message(payload: PairPrompt) -> tuple[str, list[Block]]:
    text = (
        f"You're half-way through your mentoring year with <@{payload.partner_id}>. "
        "Three quick questions help you both (and the program) take stock."
    )
    return text, [
        section(f":hourglass: {text}"),
        actions(
            button(
                "Answer 3 questions",
                "open_midterm",
                str(payload.partnership_id),
                style="primary",
            ),
            block_id="midterm",
        ),
    ]


def midterm_modal(*, metadata: dict[str, Any]) -> dict[str, Any]:
    return modal(
        callback_id="midterm_review",
        title="Mid-term review",
        submit="Send",
        metadata=metadata,
        blocks=[
            input_block(
                "progress",
                "How far along are you toward your goals?",
                {
                    "type": "static_select",
                    "options": [
                        option(f"{n} - {label}", str(n))
                        for n, label in (
                            (1, "just starting"),
                            (2, "a little"),
                            (3, "half-way"),
                            (4, "most of the way"),
                            (5, "there"),
                        )
                    ],
                },
            ),
            input_block(
                "rhythm",
                "How often do you meet?",
                {
                    "type": "radio_buttons",
                    "options": [option(label, value) for value, label in MIDTERM_RHYTHMS],
                },
            ),
            input_block(
                "change",
                "One thing you'd change for the second half",
                text_input(multiline=True, max_length=2000),
                optional=True,
                hint="Private to you: the program team only sees totals.",
            ),
        ],
    )


def term_notice_message(payload: TermNotice) -> tuple[str, list[Block]]:
    ends = payload.ends_at
    pid = str(payload.partnership_id)
    text = (
        f"Your mentoring partnership with <@{payload.partner_id}> ends on "
        f"{slack_date(ends, '{date_long}')}. Two weeks to go: a good time to look back together."
    )
    buttons = []
    days = payload.extension_days
    if days > 0:
        buttons.append(button(f"Extend by {days} days", "term_extend", pid, style="primary"))
    buttons.append(button("Close it now", "term_close", pid))
    return text, [
        section(f":calendar: {text}"),
        actions(*buttons, block_id="term_notice"),
        context("Do nothing and it closes on its end date, with a short final evaluation."),
    ]


def final_evaluation_message(payload: PairPrompt) -> tuple[str, list[Block]]:
    text = (
        f"Your mentoring partnership with <@{payload.partner_id}> is complete. "
        "Congratulations on the year! Three questions to close it well:"
    )
    return text, [
        section(f":tada: {text}"),
        actions(
            button("Final evaluation", "open_final", str(payload.partnership_id), style="primary"),
            block_id="final_evaluation",
        ),
    ]


def final_modal(*, metadata: dict[str, Any]) -> dict[str, Any]:
    return modal(
        callback_id="final_evaluation",
        title="Final evaluation",
        submit="Send",
        metadata=metadata,
        blocks=[
            input_block(
                "rating",
                "Overall, how was your mentoring partnership?",
                {
                    "type": "static_select",
                    "options": [option(f"{n} of 5", str(n)) for n in range(5, 0, -1)],
                },
            ),
            input_block(
                "recommend",
                "Would you recommend the program to a colleague? (0-10)",
                {
                    "type": "static_select",
                    "options": [option(str(n), str(n)) for n in range(10, -1, -1)],
                },
            ),
            input_block(
                "changed",
                "What changed for you?",
                text_input(multiline=True, max_length=2000),
                optional=True,
                hint="Private to you: the program team only sees totals.",
            ),
        ],
    )


NUMBER_LABELS: tuple[tuple[str, str], ...] = (
    ("sessions", "sessions together"),
    ("longest_streak", "sessions in a row, your longest streak"),
    ("weeks", "weeks as a pair"),
    ("pulses_answered", "check-ins answered"),
    ("goals_done", "goals reached"),  # issue 4 fills these in
    ("milestones", "milestones celebrated"),
)


def year_in_numbers_message(payload: YearInNumbers) -> tuple[str, list[Block]]:
    text = f"Your year with <@{payload.partner_id}> in numbers"
    lines = [f"*{getattr(payload, key)}* {label}" for key, label in NUMBER_LABELS]
    return text, [
        header("Your year in numbers"),
        section(f":sparkles: With <@{payload.partner_id}>:\n" + "\n".join(lines)),
        context("Get it. Use it. Pass it forward: `/mentor offer` when you're ready to mentor."),
    ]


def partnership_ended_message(payload: PartnershipEnded) -> tuple[str, list[Block]]:
    who = payload.ended_by
    if payload.by_program:
        text = (
            f"The program team has closed your mentoring partnership with "
            f"<@{payload.partner_id}>. Fit and schedules change, and that says nothing "
            "about either of you. "
        )
        text += (
            "I'm suggesting other mentors for you right away."
            if payload.to_mentee
            else "Thank you for the time and care you gave: it counts."
        )
        return text, [
            section(f":leaves: {text}"),
            context(f"Questions? <@{who}> from the program team is happy to talk."),
        ]
    if payload.to_mentee:
        text = (
            f"<@{who}> has closed your mentoring partnership. Fit and schedules change, and "
            "that says nothing about you. I'm suggesting other mentors for you right away."
        )
    else:
        text = (
            f"<@{who}> has closed your mentoring partnership. Thank you for the time and care "
            "you gave: it counts. Your door stays open for new mentees."
        )
    return text, [section(f":leaves: {text}")]


def coordinator_ended_message(payload: CoordinatorEnded) -> tuple[str, list[Block]]:
    text = (
        f"<@{payload.ended_by}> closed the partnership of <@{payload.mentee_id}> "
        f"(mentee) and <@{payload.mentor_id}> (mentor). Reason: "
        f"{EndReason.label(payload.reason).lower()}."
    )
    blocks: list[Block] = [section(text)]
    if payload.note:
        blocks.append(section(f"*Private note for the program team*\n{quote(payload.note)}"))
    blocks.append(context("The mentee has been offered new mentors already."))
    return text, blocks


def end_modal(*, partner_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return modal(
        callback_id="partnership_end",
        title="End partnership",
        submit="End it",
        metadata=metadata,
        blocks=[
            section(
                f"This closes your mentoring partnership with <@{partner_id}>. They'll get a "
                "kind note, without your reason."
            ),
            _reason_input(),
            input_block(
                "note",
                "Anything the program team should know?",
                text_input(multiline=True, max_length=2000),
                optional=True,
                hint="Only the program team sees this; your partner never does.",
            ),
        ],
    )


def close_modal(*, mentee_id: str, mentor_id: str, partnership_id: int) -> dict[str, Any]:
    """A coordinator's "Close the partnership": the confirmation, with the reason's category."""
    return modal(
        callback_id="coordinator_close",
        title="Close partnership",
        submit="Close it",
        metadata={"partnership_id": partnership_id},
        blocks=[
            section(
                f"This closes the mentoring partnership of <@{mentee_id}> (mentee) and "
                f"<@{mentor_id}> (mentor) for the program team. Both get a kind note from the "
                f"program team, and <@{mentee_id}> is offered new mentors at once."
            ),
            _reason_input(),
            context("Only the category is kept, in the audit log; they never see it."),
        ],
    )


def _reason_input() -> Block:
    return input_block(
        "reason",
        "What's the main reason?",
        {
            "type": "radio_buttons",
            "options": [option(label, value) for value, label in EndReason.CHOICES],
        },
    )


def midterm_summary_text(summary: MidtermSummary) -> str:
    """Totals only: nobody's words, nobody's name."""
    if not summary.answered:
        return f"Mid-term review: asked {summary.asked} people, no answers yet."
    rhythms = ", ".join(
        f"{label.lower()}: {summary.rhythms.get(value, 0)}" for value, label in MIDTERM_RHYTHMS
    )
    return (
        f"Mid-term review: {summary.answered} of {summary.asked} answered. "
        f"Average progress toward goals {summary.average_progress}/5. Meeting rhythm: {rhythms}."
    )


def goal_check_message(payload: GoalCheck) -> tuple[str, list[Block]]:
    """The quarterly look at the mentee's goals; the buttons are the App Home's own."""
    months = payload.months or 0
    partner = f"<@{payload.partner_id}>"
    text = (
        f"{months} months into your mentoring year with {partner}: how are your goals going?"
        if months
        else f"Your goals with {partner}, as they stand now:"
    )
    goals = [
        Goal(
            team_id="",
            partnership_id=payload.partnership_id,
            text=g.text,
            position=n,
            status=g.status,
            note=g.note,
            id=g.id,
        )
        for n, g in enumerate(payload.goals, start=1)
    ]
    message: list[Block] = [section(f":dart: {text}", block_id="goal_check")]
    for n, goal in enumerate(goals[:MAX_GOALS], start=1):
        message += goal_blocks(n, goal)
    message.append(
        context("Mark where each one stands; your mentor sees it too. Done ones are celebrated.")
    )
    return text, message
