"""Block Kit for the exit survey: one message that answers itself in place, a note modal."""

from __future__ import annotations

from typing import Any

from bot.closing.survey import Again, ExitAnswer
from bot.model.messages.closing import ExitNote, ExitSurvey
from bot.model.progress import MAX_NOTE
from handlers.kit.blocks import (
    Block,
    actions,
    button,
    context,
    input_block,
    modal,
    option,
    quote,
    section,
    text_input,
)

EXIT_SCORES = tuple(range(1, 6))
RATE_ACTIONS = tuple(f"exit_rate_{score}" for score in EXIT_SCORES)
AGAIN_ACTIONS = {f"exit_again_{again.value}": again for again in Again}
OPEN_NOTE = "exit_note"
NOTE_VIEW = "exit_note"
SEND = "send"
SURVEY_BLOCK = "exit_survey"  # the survey's first block, however far it is answered
PRIVATE = "Private to you: the program team sees only totals, and only of five or more answers."


def _with(partner_id: str) -> str:
    return f" with <@{partner_id}>" if partner_id else ""


def exit_survey_message(payload: ExitSurvey) -> tuple[str, list[Block]]:
    value = str(payload.partnership_id)
    partner = payload.partner_id
    now = (
        f"now that your mentoring year{_with(partner)} is complete"
        if payload.completed
        else f"now that your mentoring partnership{_with(partner)} has ended"
    )
    text = f"Three quick questions for the program, {now}. Overall, how was it?"
    return text, [
        section(f":leaves: {text}", block_id=SURVEY_BLOCK),
        actions(
            *(button(str(score), f"exit_rate_{score}", value) for score in EXIT_SCORES),
            block_id="exit_rate",
        ),
        context(f"1 = not good at all, 5 = really good. {PRIVATE}"),
    ]


def exit_progress_message(answer: ExitAnswer) -> tuple[str, list[Block]]:
    """The survey message as it stands: what is answered, and the next question."""
    check = answer.check
    value = str(check.partnership_id)
    done: list[str] = []
    if check.score is not None:
        done.append(f"you rated it {check.score}/5")
    if answer.again is not None:
        done.append(f"take part again: {answer.again.label.lower()}")
    text = "Thank you" + (": " + "; ".join(done) if done else "") + "."
    blocks: list[Block] = [section(f":white_check_mark: {text}", block_id=SURVEY_BLOCK)]
    if check.score is None:
        blocks.append(
            actions(
                *(button(str(score), f"exit_rate_{score}", value) for score in EXIT_SCORES),
                block_id="exit_rate",
            )
        )
    elif answer.again is None:
        blocks += [
            section("Would you take part in the program again?"),
            actions(
                *(button(a.label, action, value) for action, a in AGAIN_ACTIONS.items()),
                block_id="exit_again",
            ),
        ]
    if check.note:
        blocks.append(
            context(
                "Your note was sent to the program team."
                if check.share
                else "Your note is saved, private to you."
            )
        )
    else:
        blocks.append(
            actions(
                button("Add a note for the program team", OPEN_NOTE, value),
                block_id="exit_more",
            )
        )
    blocks.append(context(PRIVATE))
    return text, blocks


def note_modal(*, metadata: dict[str, Any]) -> dict[str, Any]:
    send = option("Send this note to the program team", SEND)
    return modal(
        callback_id=NOTE_VIEW,
        title="A note for the team",
        submit="Save",
        metadata=metadata,
        blocks=[
            input_block(
                "note",
                "Anything the program team should hear?",
                text_input(multiline=True, max_length=MAX_NOTE),
                hint="What worked, what didn't, what would help the next pairs.",
            ),
            input_block(
                "send",
                "Who reads it",
                {"type": "checkboxes", "options": [send]},
                optional=True,
                hint="Unticked, it stays private to you. Ticked, the program team reads it "
                "with your name.",
            ),
        ],
    )


def note_to_team_message(payload: ExitNote) -> tuple[str, list[Block]]:
    text = f"<@{payload.author_id}> sent the program team a note from their exit survey."
    return text, [
        section(f":envelope: {text}"),
        section(quote(payload.note)),
        context("They chose to send it to you; reply to them directly if you'd like to talk."),
    ]
