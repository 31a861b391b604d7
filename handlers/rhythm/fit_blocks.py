"""Block Kit for the early fit check: the question, and each answer in place of its buttons."""

from __future__ import annotations

from bot.model.messages.rhythm import FitQuestion
from bot.model.progress import FitAnswer
from handlers.kit.blocks import Block, actions, button, context, section

FIT_ACTIONS = {f"fit_{answer.value}": answer for answer in FitAnswer}


def fit_check_message(payload: FitQuestion) -> tuple[str, list[Block]]:
    text = f"How is the fit with <@{payload.partner_id}> so far?"
    value = f"{payload.partnership_id}:{payload.round}"
    return text, [
        section(f":jigsaw: {text}"),
        actions(
            *(button(answer.label, action_id, value) for action_id, answer in FIT_ACTIONS.items()),
            block_id="fit_answers",
        ),
        context(
            "Only you see your answer. You can also reply here in your own words: "
            '"great", "not sure yet" or "it isn\'t working".'
        ),
    ]


def fit_answered_message(
    *, partner_id: str, answer: FitAnswer, value: str, flagged: bool = False
) -> tuple[str, list[Block]]:
    if answer is FitAnswer.GREAT:
        text = f"Great to hear that it fits with <@{partner_id}>!"
        return text, [section(f":white_check_mark: {text}")]
    if answer is FitAnswer.UNSURE:
        text = "Thanks for saying so: a good fit often takes a few sessions. I'll ask again later."
        blocks = [section(f":thinking_face: {text}")]
        if flagged:
            blocks.append(
                context(
                    "The program team hears that you weren't sure twice (never your words), "
                    "so they can help if you'd like."
                )
            )
        return text, blocks
    text = (
        "Thanks for being honest. Sometimes the fit isn't there, and that says nothing about "
        "either of you."
    )
    return text, [
        section(f":handshake: {text}"),
        actions(
            button("Close it, no blame", "fit_close", value, style="danger"),
            button("Ask me again after the next session", "fit_again", value),
            block_id="fit_next",
        ),
        context(
            f"Closing tells <@{partner_id}> kindly, without your reasons; a mentee gets new "
            "mentor suggestions at once."
        ),
    ]


def fit_again_message() -> tuple[str, list[Block]]:
    text = "I'll ask you again after your next session."
    return text, [section(f":spiral_calendar_pad: {text}")]


def fit_closed_message(*, partner_id: str, mentee: bool) -> tuple[str, list[Block]]:
    text = f"Closed, without blame: I've let <@{partner_id}> know kindly." + (
        " New mentor suggestions are on their way to you." if mentee else ""
    )
    return text, [section(f":checkered_flag: {text}")]
