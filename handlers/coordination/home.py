"""The coordinators' part of the Home tab: the program at a glance, above their own."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from handlers.coordination import report_blocks
from handlers.home import HomeBuilder


def coordination_section(services: Services) -> HomeBuilder:
    """Adds the program's health for a coordinator; anyone else's tab is left as it is."""

    def build(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        coordination = services.coordination
        if not coordination.is_coordinator(user_id, team_id=team_id):
            return view
        health = coordination.health(team_id=team_id, coordinator_id=user_id, audit=False)
        joined = [
            (
                program.host_name,
                coordination.health(
                    team_id=team_id,
                    coordinator_id=user_id,
                    audit=False,
                    # said which: the workspace's own program may have the same name
                    program=f"{program.program_name} ({program.host_name}'s)",
                ),
            )
            for program in services.sharing.joined(team_id)[: report_blocks.JOINED_ON_HOME]
        ]
        return report_blocks.with_program_section(view, health, joined)

    return build
