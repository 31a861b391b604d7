"""README's command tables and `/mentor help` come from one list: they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from slack_bolt import Ack, BoltResponse

from handlers.help import COMMANDS, COORDINATOR, commands_for, help_blocks, plain_help_answer
from handlers.kit.blocks import SECTION_TEXT_MAX

README = Path(__file__).resolve().parents[1] / "README.md"


def _table_commands(heading: str) -> set[str]:
    """The commands in the first column of the README table whose header cell is ``heading``."""
    text = README.read_text()
    table = text[text.index(f"| {heading} |") :]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split(" | ")[0])
    found: set[str] = set()
    for cell in rows:
        found.update(u.replace("\\|", "|") for u in re.findall(r"`(/mentor[^`]*)`", cell))
    return found


def test_readme_lists_exactly_the_commands_the_help_lists() -> None:
    everyone = {c.usage for c in COMMANDS if COORDINATOR not in c.roles}
    coordinators = {c.usage for c in commands_for(COORDINATOR)}
    readme_people = _table_commands("In Slack") - {"/mentor", "/mentor help"}
    assert readme_people == everyone
    assert _table_commands("Coordinators") == coordinators


def test_every_section_of_the_help_fits_slacks_limits() -> None:
    for coordinator in (False, True):
        _, blocks = help_blocks(coordinator=coordinator)
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_TEXT_MAX


def test_the_pre_encoded_help_is_what_bolts_ack_would_answer() -> None:
    """`/mentor` and `/mentor help` answer with the help encoded once; it must be the very
    body (and content type) that ``ack(text=, blocks=, response_type=)`` builds."""
    for coordinator in (False, True):
        text, blocks = help_blocks(coordinator=coordinator)
        ack = Ack()
        built = ack(text=text, blocks=blocks, response_type="ephemeral")
        encoded = BoltResponse(status=200, body=plain_help_answer(coordinator))
        assert encoded.body == built.body
        assert encoded.headers == built.headers
    assert plain_help_answer(coordinator=True) != plain_help_answer(coordinator=False)
