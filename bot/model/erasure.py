"""What erasing a person leaves behind: a placeholder in their place, and what went."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

PLACEHOLDER_PREFIX = "erased-"


def new_placeholder() -> str:
    """Stands in for an erased person where a record must stay (a partnership row, a session
    log). Random, so it ties to nobody; one per erasure, so /mentor report still counts a
    person once (a mentee with two past partnerships is one mentee, not two)."""
    return PLACEHOLDER_PREFIX + secrets.token_hex(6)


def is_erased(user_id: str) -> bool:
    return user_id.startswith(PLACEHOLDER_PREFIX)


@dataclass(frozen=True)
class Erasure:
    """What storage removed: the partnerships the person was in (now under the placeholder),
    the requests of mentees who were waiting on them as a mentor, and how many rows went."""

    partnership_ids: list[int] = field(default_factory=list)
    waiting_request_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # the workspace of each waiting request (its mentee's): another's, in a shared program
    waiting_teams: dict[int, str] = field(default_factory=dict)
