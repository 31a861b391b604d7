"""One transaction per unit of work; it rolls back unless told to commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.ports import DmNoteRepository
from bot.ports import (
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
from bot.programs.ports import SharingRepository
from storage.announcements import SqlAnnouncementRepository
from storage.conversation import SqlDmNoteRepository
from storage.coordination import SqlAuditLog, SqlCoordinatorGroupRepository, SqlDirectory
from storage.journal import SqlJournalRepository
from storage.matching import SqlMentorRepository
from storage.outbox import SqlEventLog, SqlOutbox
from storage.pair_channels import SqlPairChannelRepository
from storage.pairs import (
    SqlCohortPlanRepository,
    SqlPartnershipRepository,
    SqlProposalRepository,
)
from storage.privacy import SqlPersonalData
from storage.programs import SqlProgramRepository, SqlProgramTextRepository
from storage.requests import SqlRequestRepository
from storage.rhythm import SqlProgressRepository
from storage.sessions import SqlSessionRepository
from storage.sharing import SqlSharingRepository
from storage.workspaces import SqlWorkspaceRepository


class SqlUnitOfWork:
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
    dm_notes: DmNoteRepository
    sharing: SharingRepository
    pair_channels: PairChannelRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._sessions()
        session = self._session
        self.mentors = SqlMentorRepository(session)
        self.requests = SqlRequestRepository(session)
        self.proposals = SqlProposalRepository(session)
        self.partnerships = SqlPartnershipRepository(session)
        self.outbox = SqlOutbox(session)
        self.events = SqlEventLog(session)
        self.sessions = SqlSessionRepository(session)
        self.cohort_plans = SqlCohortPlanRepository(session)
        self.audit = SqlAuditLog(session)
        self.announcements = SqlAnnouncementRepository(session)
        self.directory = SqlDirectory(session)
        self.program_texts = SqlProgramTextRepository(session)
        self.journal = SqlJournalRepository(session)
        self.progress = SqlProgressRepository(session)
        self.workspaces = SqlWorkspaceRepository(session)
        self.coordinator_groups = SqlCoordinatorGroupRepository(session)
        self.programs = SqlProgramRepository(session)
        self.people = SqlPersonalData(session)
        self.dm_notes = SqlDmNoteRepository(session)
        self.sharing = SqlSharingRepository(session)
        self.pair_channels = SqlPairChannelRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
