"""The texts a coordinator can rewrite (welcome, first-session agenda, topics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ports speak of program texts, so import them only for typing
    pass


class TextKey(StrEnum):
    WELCOME_MENTEE = "welcome_mentee"
    WELCOME_MENTOR = "welcome_mentor"
    FIRST_SESSION_AGENDA = "first_session_agenda"
    MONTHLY_TOPICS = "monthly_topics"  # one a line

    @property
    def label(self) -> str:
        return {
            "welcome_mentee": "Welcome, for mentees",
            "welcome_mentor": "Welcome, for mentors",
            "first_session_agenda": "First-session agenda",
            "monthly_topics": "Monthly topics (one a line)",
        }[self.value]


@dataclass(frozen=True)
class ProgramText:
    team_id: str
    key: TextKey
    text: str
    updated_by: str = ""
    updated_at: datetime | None = None
