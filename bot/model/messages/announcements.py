"""Payloads of announcements from the program team."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.model.announcements import Audience
from bot.model.messages.base import Payload


@dataclass(frozen=True, kw_only=True)
class AnnouncementCopy(Payload):
    """One copy, to the channel or to one participant (the program's words, not private)."""

    text: str
    author_id: str
    audience: Audience


@dataclass(frozen=True, kw_only=True)
class AnnouncementDone(Payload):
    """To its author: how many it reached."""

    announcement_id: int
    audience: Audience
    recipients: int
    delivered: int
    failures: dict[str, int] = field(default_factory=dict)  # Slack's reason -> how many


@dataclass(frozen=True, kw_only=True)
class SendAnnouncement(Payload):
    """Job: fan an announcement out when it is due."""

    announcement_id: int


@dataclass(frozen=True, kw_only=True)
class TallyAnnouncement(SendAnnouncement):
    round: int
