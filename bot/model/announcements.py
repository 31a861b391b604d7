"""Announcements from the program team: who they reach, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ports speak of announcements, so import them only for typing
    pass


class Audience(StrEnum):
    CHANNEL = "channel"
    EVERYONE = "everyone"
    MENTORS = "mentors"
    MENTEES = "mentees"

    @property
    def label(self) -> str:
        return {
            "channel": "the program channel",
            "everyone": "every participant, by DM",
            "mentors": "every mentor, by DM",
            "mentees": "every mentee, by DM",
        }[self.value]


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"  # composed and previewed, not confirmed
    SCHEDULED = "scheduled"
    SENDING = "sending"  # fanned out; copies are on their way
    SENT = "sent"
    CANCELLED = "cancelled"


@dataclass
class Announcement:
    team_id: str
    author_id: str
    text: str
    audience: Audience
    send_at: datetime | None  # None: as soon as it is confirmed
    status: AnnouncementStatus = AnnouncementStatus.DRAFT
    replaces: int | None = None  # a scheduled announcement this draft edits
    created_at: datetime | None = None
    sent_at: datetime | None = None
    recipients: int = 0
    delivered: int = 0
    failed: int = 0
    id: int | None = None
    program: str = ""  # "": every program; else one program's value (bot/programs.py)
