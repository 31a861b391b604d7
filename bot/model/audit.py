"""What coordinators did, recorded without what people wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    """Who did what, when: identifiers and counts, never what anybody wrote."""

    team_id: str
    actor_id: str
    action: str
    subject: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
