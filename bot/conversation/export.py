"""The DM notes in `/mentor export`: what its author kept of what they wrote to the bot."""

from __future__ import annotations

from collections.abc import Sequence

from bot.model.conversation import DmNote

PROMPT_NAMES = {
    "rhythm.pulse": "after a check-in",
    "session.check": 'after "did you meet?"',
    "rhythm.quiet_nudge": "after a nudge",
    "rhythm.term_notice": "after the term notice",
    "rhythm.midterm_review": "after the mid-term review",
    "rhythm.goal_check": "after a goal check",
    "coordinator.check_in": "after a word from the program team",
}


def notes_markdown(notes: Sequence[DmNote]) -> str:
    """A section to append to the journal's Markdown; empty when they kept no note."""
    if not notes:
        return ""
    lines = ["", "## My notes from our DM", ""]
    for note in notes:
        after = PROMPT_NAMES.get(note.prompt, "")
        heading = f"{note.created_at:%Y-%m-%d} ({note.audience.label}"
        lines += [f"#### {heading}{', ' + after if after else ''})", ""]
        lines += [f"> {line}" if line else ">" for line in note.text.strip().splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
