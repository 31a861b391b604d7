"""Block Kit for the onboarding series and the coordinator's editor of its texts."""

from __future__ import annotations

from typing import Any

from bot.model.messages.people import OnboardingMessage
from bot.model.onboarding import TextKey
from bot.onboarding.service import MAX_TEXT
from handlers.kit.blocks import Block, context, input_block, modal, section, text_input


def onboarding_message(payload: OnboardingMessage) -> tuple[str, list[Block]]:
    step, text = payload.step, payload.text
    if step == "welcome":
        title = ":wave: *Welcome to the mentoring program.* A word about your part in it:"
        return "Welcome to the mentoring program", [
            section(title),
            section(text),
            context(
                "From the program team, for every new pair. `/mentor help` lists what I can do."
            ),
        ]
    if step == "agenda":
        return "An agenda for your first session", [
            section(text),
            context("A suggestion, not a rule: make the session yours."),
        ]
    month = payload.month or 0
    return f"This month's conversation starter: {text}", [
        section(f":bulb: *This month's conversation starter*\n{text}"),
        context(f"Month {month} of your year together. Use it or ignore it: the mentee leads."),
    ]


def texts_modal(texts: dict[TextKey, str]) -> dict[str, Any]:
    """One box per text, filled with what goes out now; edits reach every pair's next step."""
    blocks: list[Block] = [
        section(
            "These are the words new pairs get: a welcome for each role an hour after they're "
            "introduced, an agenda the next day, then a conversation starter each month."
        )
    ]
    for key in TextKey:
        blocks.append(
            input_block(
                key.value,
                key.label,
                text_input(initial=texts[key], multiline=True, max_length=MAX_TEXT),
            )
        )
    return modal(
        callback_id="program_texts",
        title="Program texts",
        submit="Save",
        blocks=blocks,
        metadata={},
    )
