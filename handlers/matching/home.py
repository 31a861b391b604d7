"""The coordinators' view of mentor capacity on their Home tab, below the program's health."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from handlers.home import HomeBuilder
from handlers.kit.blocks import VIEW_BLOCKS_MAX, divider
from handlers.matching.capacity_blocks import capacity_home_blocks

AFTER_BLOCK = "coordinator_actions"  # the program section's buttons, when it is there


def capacity_section(services: Services) -> HomeBuilder:
    """Declines, expiries and long waits of the last four weeks, for a coordinator; anyone
    else's tab is left as it is."""

    def build(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        capacity = services.mentoring.digest
        if not capacity.is_coordinator(user_id, team_id=team_id):
            return view
        figures = capacity.figures(team_id=team_id, coordinator_id=user_id)
        return with_section(view, [*capacity_home_blocks(figures), divider()])

    return build


def with_section(view: dict[str, Any], added: list[dict[str, Any]]) -> dict[str, Any]:
    """``added`` after the program section's first divider (else under the header), within
    Slack's 100 blocks: the personal blocks at the end give way."""
    blocks = list(view["blocks"])
    at = min(1, len(blocks))
    ids = [b.get("block_id") for b in blocks]
    if AFTER_BLOCK in ids:
        start = ids.index(AFTER_BLOCK)
        at = next(
            (i + 1 for i in range(start, len(blocks)) if blocks[i].get("type") == "divider"),
            start + 1,
        )
    head, rest = blocks[:at], blocks[at:]
    room = VIEW_BLOCKS_MAX - len(head) - len(added)
    return {**view, "blocks": head + added + rest[:room]}
