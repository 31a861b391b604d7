"""Messages the core leaves for people, and how their delivery went."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from bot.model.messages import NoPayload, Payload

P = TypeVar("P", bound=Payload)


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DROPPED = "dropped"


@dataclass
class OutgoingMessage:
    """Something due to happen at ``due_at``: a message to a person, or an internal job.

    ``key`` is unique: adding the same key twice keeps the first, which is what makes every
    service safe to re-run. ``recipient`` is a user ID, a channel ID, or several user IDs joined
    by commas (a group DM of those people with the bot).
    """

    team_id: str
    kind: str
    recipient: str
    key: str
    due_at: datetime
    payload: Payload = field(default_factory=NoPayload)  # the type ``kind`` carries
    expires_at: datetime | None = None  # past this, sending would be pointless: drop it
    coalesce_key: str | None = None  # several due with one key: only the newest goes out
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    last_error: str = ""
    sent_at: datetime | None = None
    sent_channel: str = ""  # where Slack put it, so a later answer can update it
    sent_ts: str = ""
    id: int | None = None
    # Not stored: set when a run claims it back from a dispatcher that stopped mid-send (its
    # lease ran out), so Slack may already have it; the dispatcher looks before posting again.
    in_doubt: bool = field(default=False, compare=False, metadata={"stored": False})

    def payload_as(self, kind: type[P]) -> P:
        """The payload as the type a job or renderer expects; a mismatch is a bug (or a row
        that did not decode: ``Unreadable``), never a guess."""
        if not isinstance(self.payload, kind):
            raise TypeError(f"{self.key}: {type(self.payload).__name__}, not {kind.__name__}")
        return self.payload


@dataclass(frozen=True)
class OutboxTally:
    """How a group of outgoing messages (one key prefix) fared so far."""

    by_status: dict[MessageStatus, int]
    failures: dict[str, int]  # Slack's reason -> how many

    @property
    def settled(self) -> bool:
        return not (
            self.by_status.get(MessageStatus.PENDING, 0)
            or self.by_status.get(MessageStatus.SENDING, 0)
        )
