"""The small interfaces the core needs from the outside world.

``storage`` implements the repositories and the unit of work with SQLAlchemy; ``handlers``
implements ``Messenger`` with Slack. Unit tests implement them with dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from bot.domain import (
    MatchProposal,
    MentorProfile,
    MentorRequest,
    OutgoingMessage,
    Partnership,
)
from bot.sessions import MemberPreferences, SessionLog, SessionSlot


class MentorRepository(Protocol):
    def get(self, team_id: str, user_id: str) -> MentorProfile | None: ...
    def save(self, profile: MentorProfile) -> MentorProfile: ...
    def accepting(self, team_id: str) -> list[MentorProfile]: ...


class RequestRepository(Protocol):
    def get(
        self, team_id: str, request_id: int, *, for_update: bool = False
    ) -> MentorRequest | None: ...
    def save(self, request: MentorRequest) -> MentorRequest: ...
    def open_for(self, team_id: str, mentee_id: str) -> MentorRequest | None: ...
    def waitlisted(self, team_id: str) -> list[MentorRequest]: ...


class ProposalRepository(Protocol):
    def get(
        self, team_id: str, proposal_id: int, *, for_update: bool = False
    ) -> MatchProposal | None: ...
    def save(self, proposal: MatchProposal) -> MatchProposal: ...
    def for_mentee(self, team_id: str, mentee_id: str) -> list[MatchProposal]: ...
    def pending_by_mentor(self, team_id: str) -> dict[str, int]: ...


class PartnershipRepository(Protocol):
    def get(self, team_id: str, partnership_id: int) -> Partnership | None: ...
    def save(self, partnership: Partnership) -> Partnership: ...
    def for_member(self, team_id: str, user_id: str) -> list[Partnership]: ...
    def active_by_mentor(self, team_id: str) -> dict[str, int]: ...


class Outbox(Protocol):
    def add(self, message: OutgoingMessage) -> bool:
        """Queue a message; False if one with the same key already exists (kept as it was)."""
        ...

    def cancel(self, team_id: str, key_prefix: str) -> int:
        """Cancel pending messages whose key starts with ``key_prefix``; how many were."""
        ...

    def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str
    ) -> list[OutgoingMessage]:
        """Take up to ``limit`` due messages for this worker only (others skip them)."""
        ...

    def settle(self, message: OutgoingMessage) -> None:
        """Store the outcome of an attempt (status, attempts, last_error, due_at, sent_at)."""
        ...

    def due_preview(self, *, now: datetime, limit: int) -> list[OutgoingMessage]: ...

    def newer_due(self, message: OutgoingMessage, *, now: datetime) -> bool:
        """Whether a newer message with the same ``coalesce_key`` is due (pending or claimed)."""
        ...

    def sent(self, team_id: str, key_prefix: str) -> list[OutgoingMessage]:
        """Messages already delivered whose key starts with ``key_prefix``."""
        ...


class SessionRepository(Protocol):
    def slot(self, team_id: str, partnership_id: int) -> SessionSlot | None: ...
    def save_slot(self, slot: SessionSlot) -> SessionSlot: ...
    def log(self, team_id: str, partnership_id: int, start: datetime) -> SessionLog | None: ...
    def add_log(self, log: SessionLog) -> bool:
        """Record an outcome; False if that occurrence already had one (the first counts)."""
        ...

    def logs(self, team_id: str, partnership_id: int) -> list[SessionLog]: ...
    def preferences(self, team_id: str, user_id: str) -> MemberPreferences: ...
    def save_preferences(self, preferences: MemberPreferences) -> MemberPreferences: ...


class EventLog(Protocol):
    def first_delivery(self, team_id: str, event_id: str, at: datetime) -> bool:
        """Record an event ID; False if it was seen before (Slack retried it)."""
        ...


class UnitOfWork(Protocol):
    """One transaction; leaving the block without ``commit()`` rolls everything back."""

    mentors: MentorRepository
    requests: RequestRepository
    proposals: ProposalRepository
    partnerships: PartnershipRepository
    outbox: Outbox
    events: EventLog
    sessions: SessionRepository

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class SendOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # transient: try again after ``retry_after``
    FAILED = "failed"  # permanent: Slack will never accept it (user gone, channel gone)


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    error: str = ""
    retry_after: float | None = None
    channel: str = ""
    ts: str = ""
    # The answer was lost (timeout, reset): Slack may have acted. Look before trying again.
    uncertain: bool = False


class Messenger(Protocol):
    """Delivers one outgoing message to people; implemented on Slack's Web API."""

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def find_sent(self, message: OutgoingMessage) -> SendResult | None:
        """Where the message already is, if an earlier attempt got it delivered; else None
        (also when that can't be told: then sending again is the lesser harm)."""
        ...
