"""The journal's Home tab: each partnership at a glance, and what to do next."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from handlers.home import HomeBuilder
from handlers.journal import blocks as journal_blocks


def journal_home(services: Services) -> HomeBuilder:
    """Lays the tab out: a person's partnerships, goals, sessions and buttons."""

    def build(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        return journal_blocks.home_view(services.journal.home(team_id, user_id))

    return build
