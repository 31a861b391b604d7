"""Units of work: one transaction, and the repositories a feature may reach inside it.

``UnitOfWork`` carries every repository (``storage.SqlUnitOfWork`` and the unit tests'
``FakeUnitOfWork`` implement it); each feature's service asks for its own narrow protocol
below instead, so what it can touch is written in its constructor. They are structural:
anything that is a ``UnitOfWork`` is every one of them.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from bot.ports.repositories import (
    AnnouncementRepository,
    AuditLog,
    CohortPlanRepository,
    CoordinatorGroupRepository,
    Directory,
    EventLog,
    JournalRepository,
    MentorRepository,
    Outbox,
    PairChannelRepository,
    PartnershipRepository,
    PersonalData,
    ProgramRepository,
    ProgramTextRepository,
    ProgressRepository,
    ProposalRepository,
    RequestRepository,
    SessionRepository,
    WorkspaceRepository,
)


class Transaction(Protocol):
    """One transaction; leaving the block without ``commit()`` rolls everything back."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


# -- what shared helpers read inside the caller's transaction ------------------------------


class OutboxWork(Protocol):
    """Enough to plan messages and jobs (what ``PartnershipEvents`` hooks do)."""

    outbox: Outbox


class ProgramsRead(Protocol):
    """Enough to read a program's rules (``ProgramRulesSource.rules``)."""

    programs: ProgramRepository


class CoordinatorsRead(Protocol):
    """Enough to list a workspace's coordinators (``Roster.of``)."""

    coordinator_groups: CoordinatorGroupRepository


class RosterWork(Transaction, Protocol):
    coordinator_groups: CoordinatorGroupRepository


# -- one per feature -----------------------------------------------------------------------


class SuggestWork(Transaction, Protocol):
    """Suggesting mentors to a mentee: also what a rhythm or privacy transaction needs to
    reopen a mentee's search in its own commit (``Rematch``)."""

    mentors: MentorRepository
    requests: RequestRepository
    proposals: ProposalRepository
    partnerships: PartnershipRepository
    outbox: Outbox
    programs: ProgramRepository
    coordinator_groups: CoordinatorGroupRepository


class MatchingWork(SuggestWork, Protocol):
    events: EventLog


class CapacityWork(SuggestWork, Protocol):
    """Matching's weekly look at capacity: every workspace's waitlist and answers."""

    directory: Directory


class CohortWork(SuggestWork, Protocol):
    cohort_plans: CohortPlanRepository
    audit: AuditLog


class SessionsWork(Transaction, Protocol):
    partnerships: PartnershipRepository
    mentors: MentorRepository  # each partner's zone, to state the rule in it
    requests: RequestRepository
    sessions: SessionRepository
    outbox: Outbox
    programs: ProgramRepository


class JournalWork(Transaction, Protocol):
    journal: JournalRepository
    mentors: MentorRepository
    requests: RequestRepository
    partnerships: PartnershipRepository
    sessions: SessionRepository
    outbox: Outbox
    programs: ProgramRepository


class RhythmWork(SuggestWork, Protocol):
    sessions: SessionRepository
    journal: JournalRepository
    progress: ProgressRepository
    audit: AuditLog


class ProgramsWork(Transaction, Protocol):
    programs: ProgramRepository
    audit: AuditLog
    outbox: Outbox
    coordinator_groups: CoordinatorGroupRepository


class CoordinationWork(Transaction, Protocol):
    directory: Directory
    partnerships: PartnershipRepository
    progress: ProgressRepository
    outbox: Outbox
    audit: AuditLog
    coordinator_groups: CoordinatorGroupRepository
    programs: ProgramRepository


class AnnouncementsWork(Transaction, Protocol):
    announcements: AnnouncementRepository
    directory: Directory
    outbox: Outbox
    audit: AuditLog
    programs: ProgramRepository
    coordinator_groups: CoordinatorGroupRepository


class OnboardingWork(Transaction, Protocol):
    partnerships: PartnershipRepository
    program_texts: ProgramTextRepository
    outbox: Outbox
    audit: AuditLog
    coordinator_groups: CoordinatorGroupRepository


class PrivacyWork(SuggestWork, Protocol):
    people: PersonalData
    journal: JournalRepository
    audit: AuditLog


class ClosingWork(Transaction, Protocol):
    """The exit survey: the ended partnership, the answers, the note to the program team."""

    partnerships: PartnershipRepository
    mentors: MentorRepository
    requests: RequestRepository
    progress: ProgressRepository
    outbox: Outbox
    coordinator_groups: CoordinatorGroupRepository


class WorkspacesWork(Transaction, Protocol):
    workspaces: WorkspaceRepository
    outbox: Outbox


class PairChannelWork(Transaction, Protocol):
    """A pair's channel across workspaces: the partnership, the channel, the messages."""

    partnerships: PartnershipRepository
    pair_channels: PairChannelRepository
    outbox: Outbox


class UnitOfWork(Transaction, Protocol):
    """Every repository: what storage implements and the dispatcher's jobs are handed."""

    mentors: MentorRepository
    requests: RequestRepository
    proposals: ProposalRepository
    partnerships: PartnershipRepository
    outbox: Outbox
    events: EventLog
    sessions: SessionRepository
    cohort_plans: CohortPlanRepository
    audit: AuditLog
    announcements: AnnouncementRepository
    directory: Directory
    program_texts: ProgramTextRepository
    journal: JournalRepository
    progress: ProgressRepository
    workspaces: WorkspaceRepository
    coordinator_groups: CoordinatorGroupRepository
    programs: ProgramRepository
    people: PersonalData
    pair_channels: PairChannelRepository


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
