"""Repositories: rows in, domain dataclasses out. They add and flush; only the UoW commits."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Text, and_, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.announcements import Announcement, AnnouncementStatus, Audience
from bot.cohort import CohortPlan, PlannedPair
from bot.domain import (
    AuditEvent,
    MatchProposal,
    MentorProfile,
    MentorRequest,
    MessageStatus,
    OutboxTally,
    OutgoingMessage,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.journal import Goal, GoalStatus, JournalPreferences, Milestone, Reflection, Visibility
from bot.onboarding import ProgramText, TextKey
from bot.programs import Program
from bot.progress import CheckKind, ProgressCheck, RiskFlag, RiskSignal
from bot.sessions import MemberPreferences, SessionLog, SessionOutcome, SessionSlot
from storage.models import (
    AnnouncementRow,
    AuditEventRow,
    Base,
    CohortPlanRow,
    CoordinatorGroupMemberRow,
    GoalRow,
    JournalPreferencesRow,
    MatchProposalRow,
    MemberPreferencesRow,
    MentorProfileRow,
    MentorRequestRow,
    MilestoneRow,
    OutgoingMessageRow,
    PartnershipRow,
    ProcessedEventRow,
    ProgramRow,
    ProgramTextRow,
    ProgressCheckRow,
    ReflectionRow,
    RiskFlagRow,
    SessionLogRow,
    SessionSlotRow,
)

D = TypeVar("D")
R = TypeVar("R", bound=Base)


def _to_domain(cls: type[D], row: Base, enums: dict[str, type[StrEnum]]) -> D:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.metadata.get("stored") is False:
            continue
        value = getattr(row, f.name)
        if f.name in enums and value is not None:
            value = enums[f.name](value)
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        values[f.name] = value
    return cls(**values)


def _copy_into(row: Base, obj: Any) -> None:
    for f in dataclasses.fields(obj):
        if f.name == "id" or f.metadata.get("stored") is False:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, StrEnum):
            value = value.value
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        setattr(row, f.name, value)


def _save(session: Session, row_type: type[R], obj: Any) -> R:
    row = session.get(row_type, obj.id) if obj.id is not None else None
    if row is None:
        row = row_type()
        session.add(row)
    _copy_into(row, obj)
    session.flush()
    obj.id = row.id  # type: ignore[attr-defined]
    return row


class SqlMentorRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, user_id: str) -> MentorProfile | None:
        row = self._s.scalar(
            select(MentorProfileRow).where(
                MentorProfileRow.team_id == team_id, MentorProfileRow.user_id == user_id
            )
        )
        return _to_domain(MentorProfile, row, {}) if row else None

    def save(self, profile: MentorProfile) -> MentorProfile:
        _save(self._s, MentorProfileRow, profile)
        return profile

    def accepting(self, team_id: str) -> list[MentorProfile]:
        """Every accepting mentor, for ranking: read as plain text, parsed in one go.

        Every `/mentor ask` reads all of them. For thousands, decoding two JSON lists and two
        timestamps per row through SQLAlchemy's type processors cost most of the call, so the
        lists come back as text (CAST works alike on SQLite and PostgreSQL) and are parsed
        with one ``json.loads`` over all rows; the timestamps ranking never reads stay out.
        """
        row = MentorProfileRow
        rows = (
            self._s.connection()
            .execute(  # Core, not ORM: no per-row entity bookkeeping
                select(
                    row.id,
                    row.user_id,
                    cast(row.expertise, Text),
                    row.bio,
                    row.organization,
                    row.capacity,
                    cast(row.languages, Text),
                    row.tz,
                    row.tz_offset,
                    row.program_id,
                )
                .where(row.team_id == team_id, row.accepting.is_(True))
                .order_by(row.user_id)
            )
            .all()
        )
        if not rows:
            return []
        lists = json.loads("[" + ",".join(f"{r[2]},{r[6]}" for r in rows) + "]")
        return [
            MentorProfile(
                team_id=team_id,
                user_id=user_id,
                expertise=lists[2 * n],
                bio=bio,
                organization=organization,
                capacity=capacity,
                languages=lists[2 * n + 1],
                tz=tz,
                tz_offset=tz_offset,
                accepting=True,
                program_id=program_id,
                id=profile_id,
            )
            for n, (
                profile_id,
                user_id,
                _,
                bio,
                organization,
                capacity,
                _,
                tz,
                tz_offset,
                program_id,
            ) in enumerate(rows)
        ]


_REQUEST_ENUMS: dict[str, type[StrEnum]] = {"status": RequestStatus}
_OPEN_REQUEST = (
    RequestStatus.MATCHING.value,
    RequestStatus.PENDING_MENTOR.value,
    RequestStatus.WAITLISTED.value,
)


class SqlRequestRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(
        self, team_id: str, request_id: int, *, for_update: bool = False
    ) -> MentorRequest | None:
        """``for_update`` locks the row until commit (PostgreSQL; SQLite's transactions are
        serial already), so two clicks at once act one after the other."""
        row = self._s.get(
            MentorRequestRow,
            request_id,
            with_for_update=True if for_update else None,
            populate_existing=for_update,
        )
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(MentorRequest, row, _REQUEST_ENUMS)

    def save(self, request: MentorRequest) -> MentorRequest:
        _save(self._s, MentorRequestRow, request)
        return request

    def open_for(self, team_id: str, mentee_id: str) -> MentorRequest | None:
        row = self._s.scalar(
            select(MentorRequestRow)
            .where(
                MentorRequestRow.team_id == team_id,
                MentorRequestRow.mentee_id == mentee_id,
                MentorRequestRow.status.in_(_OPEN_REQUEST),
            )
            .order_by(MentorRequestRow.id.desc())
            .limit(1)
        )
        return _to_domain(MentorRequest, row, _REQUEST_ENUMS) if row else None

    def waitlisted(self, team_id: str) -> list[MentorRequest]:
        return self.in_status(team_id, (RequestStatus.WAITLISTED,))

    def in_status(self, team_id: str, statuses: Collection[RequestStatus]) -> list[MentorRequest]:
        rows = self._s.scalars(
            select(MentorRequestRow)
            .where(
                MentorRequestRow.team_id == team_id,
                MentorRequestRow.status.in_([s.value for s in statuses]),
            )
            .order_by(MentorRequestRow.created_at, MentorRequestRow.id)
        )
        return [_to_domain(MentorRequest, row, _REQUEST_ENUMS) for row in rows]


_PROPOSAL_ENUMS: dict[str, type[StrEnum]] = {"status": ProposalStatus}


class SqlProposalRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(
        self, team_id: str, proposal_id: int, *, for_update: bool = False
    ) -> MatchProposal | None:
        row = self._s.get(
            MatchProposalRow,
            proposal_id,
            with_for_update=True if for_update else None,
            populate_existing=for_update,
        )
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(MatchProposal, row, _PROPOSAL_ENUMS)

    def save(self, proposal: MatchProposal) -> MatchProposal:
        _save(self._s, MatchProposalRow, proposal)
        return proposal

    def for_mentee(self, team_id: str, mentee_id: str) -> list[MatchProposal]:
        rows = self._s.scalars(
            select(MatchProposalRow)
            .where(MatchProposalRow.team_id == team_id, MatchProposalRow.mentee_id == mentee_id)
            .order_by(MatchProposalRow.id)
        )
        return [_to_domain(MatchProposal, row, _PROPOSAL_ENUMS) for row in rows]

    def pending_by_mentor(self, team_id: str) -> dict[str, int]:
        rows = self._s.execute(
            select(MatchProposalRow.mentor_id, func.count())
            .where(
                MatchProposalRow.team_id == team_id,
                MatchProposalRow.status == ProposalStatus.PENDING.value,
            )
            .group_by(MatchProposalRow.mentor_id)
        )
        return {mentor_id: count for mentor_id, count in rows}


_PARTNERSHIP_ENUMS: dict[str, type[StrEnum]] = {"status": PartnershipStatus}
_TAKES_A_SLOT = (PartnershipStatus.ACTIVE.value, PartnershipStatus.PAUSED.value)


class SqlPartnershipRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, partnership_id: int) -> Partnership | None:
        row = self._s.get(PartnershipRow, partnership_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Partnership, row, _PARTNERSHIP_ENUMS)

    def save(self, partnership: Partnership) -> Partnership:
        _save(self._s, PartnershipRow, partnership)
        return partnership

    def for_member(self, team_id: str, user_id: str) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(
                PartnershipRow.team_id == team_id,
                or_(PartnershipRow.mentor_id == user_id, PartnershipRow.mentee_id == user_id),
            )
            .order_by(PartnershipRow.id)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]

    def active_by_mentor(self, team_id: str) -> dict[str, int]:
        rows = self._s.execute(
            select(PartnershipRow.mentor_id, func.count())
            .where(PartnershipRow.team_id == team_id, PartnershipRow.status.in_(_TAKES_A_SLOT))
            .group_by(PartnershipRow.mentor_id)
        )
        return {mentor_id: count for mentor_id, count in rows}

    def live(self) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(PartnershipRow.status.in_(_TAKES_A_SLOT))
            .order_by(PartnershipRow.id)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]


_MESSAGE_ENUMS: dict[str, type[StrEnum]] = {"status": MessageStatus}


def _key_starts_with(prefix: str) -> Any:
    """Keys that start with ``prefix``, exactly and case-sensitively, on both databases.

    LIKE alone is not enough: SQLite's LIKE ignores ASCII case, so ``remind:u1`` would also
    match ``remind:U1:...``. LIKE narrows the rows; the ``substr`` comparison decides.
    """
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return and_(
        OutgoingMessageRow.key.like(pattern, escape="\\"),
        func.substr(OutgoingMessageRow.key, 1, len(prefix)) == prefix,
    )


def _message(row: OutgoingMessageRow) -> OutgoingMessage:
    return _to_domain(OutgoingMessage, row, _MESSAGE_ENUMS)


SUSPENDED = "workspace removed"
"""``last_error`` of the messages a removed workspace had pending: resumed if it returns."""


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, message: OutgoingMessage) -> bool:
        exists = self._s.scalar(
            select(OutgoingMessageRow.id).where(
                OutgoingMessageRow.team_id == message.team_id,
                OutgoingMessageRow.key == message.key,
            )
        )
        if exists is not None:
            return False
        try:
            with self._s.begin_nested():
                row = OutgoingMessageRow()
                _copy_into(row, message)
                self._s.add(row)
        except IntegrityError:  # another transaction added the same key first
            return False
        message.id = row.id
        return True

    def cancel(self, team_id: str, key_prefix: str) -> int:
        result = self._s.execute(
            update(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                _key_starts_with(key_prefix),
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
            )
            .values(status=MessageStatus.CANCELLED.value)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def suspend(self, team_id: str) -> int:
        result = self._s.execute(
            update(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
            )
            .values(status=MessageStatus.CANCELLED.value, last_error=SUSPENDED)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def resume(self, team_id: str) -> int:
        result = self._s.execute(
            update(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                OutgoingMessageRow.status == MessageStatus.CANCELLED.value,
                OutgoingMessageRow.last_error == SUSPENDED,
            )
            .values(status=MessageStatus.PENDING.value, last_error="")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _due(self, now: datetime) -> Any:
        return or_(
            and_(
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
                OutgoingMessageRow.due_at <= now,
            ),
            # a worker that died mid-send: its lease ran out, so the message is up for grabs
            and_(
                OutgoingMessageRow.status == MessageStatus.SENDING.value,
                OutgoingMessageRow.lease_until < now,
            ),
        )

    def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str
    ) -> list[OutgoingMessage]:
        # Lock the ids first, in a statement of their own: inside an ``IN (subquery)`` PostgreSQL
        # may re-run the locking subquery once per outer row, each run skipping different rows
        # that other workers hold, and one UPDATE would then claim more than ``limit`` rows.
        picked = self._s.execute(
            select(OutgoingMessageRow.id, OutgoingMessageRow.status)
            .where(self._due(now))
            .order_by(OutgoingMessageRow.due_at, OutgoingMessageRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL: replicas skip each other's rows
        ).all()
        if not picked:
            return []
        # Still "sending" with its lease run out: whoever claimed it stopped, maybe after Slack
        # had posted it. (SQLite: the transaction began IMMEDIATE, so nobody got in between.)
        in_doubt = {id_ for id_, status in picked if status == MessageStatus.SENDING.value}
        rows = list(
            self._s.scalars(
                update(OutgoingMessageRow)
                .where(OutgoingMessageRow.id.in_([id_ for id_, _ in picked]), self._due(now))
                .values(
                    status=MessageStatus.SENDING.value, claimed_by=worker, lease_until=now + lease
                )
                .returning(OutgoingMessageRow),
                execution_options={"synchronize_session": False},
            )
        )
        rows.sort(key=lambda r: (r.due_at, r.id))
        claimed = [_message(row) for row in rows]
        for message in claimed:
            message.in_doubt = message.id in in_doubt
        return claimed

    def settle(self, message: OutgoingMessage) -> None:
        self._s.execute(
            update(OutgoingMessageRow)
            .where(OutgoingMessageRow.id == message.id)
            .values(
                status=message.status.value,
                attempts=message.attempts,
                last_error=message.last_error[:2000],
                due_at=message.due_at,
                sent_at=message.sent_at,
                sent_channel=message.sent_channel,
                sent_ts=message.sent_ts,
                lease_until=None,
            ),
            # nothing in this session holds the row as an object: skip the ORM's bookkeeping
            execution_options={"synchronize_session": False},
        )

    def newer_due(self, message: OutgoingMessage, *, now: datetime) -> bool:
        newer = or_(
            OutgoingMessageRow.due_at > message.due_at,
            and_(
                OutgoingMessageRow.due_at == message.due_at,
                OutgoingMessageRow.id > (message.id or 0),
            ),
        )
        found = self._s.scalar(
            select(OutgoingMessageRow.id)
            .where(
                OutgoingMessageRow.team_id == message.team_id,
                OutgoingMessageRow.coalesce_key == message.coalesce_key,
                OutgoingMessageRow.status.in_(
                    (MessageStatus.PENDING.value, MessageStatus.SENDING.value)
                ),
                OutgoingMessageRow.due_at <= now,
                OutgoingMessageRow.id != message.id,
                newer,
            )
            .limit(1)
        )
        return found is not None

    def sent(self, team_id: str, key_prefix: str) -> list[OutgoingMessage]:
        rows = self._s.scalars(
            select(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                _key_starts_with(key_prefix),
                OutgoingMessageRow.status == MessageStatus.SENT.value,
            )
            .order_by(OutgoingMessageRow.id)
        )
        return [_message(row) for row in rows]

    def tally(self, team_id: str, key_prefix: str) -> OutboxTally:
        rows = self._s.execute(
            select(OutgoingMessageRow.status, OutgoingMessageRow.last_error, func.count())
            .where(OutgoingMessageRow.team_id == team_id, _key_starts_with(key_prefix))
            .group_by(OutgoingMessageRow.status, OutgoingMessageRow.last_error)
        )
        by_status: dict[MessageStatus, int] = {}
        failures: dict[str, int] = {}
        for status, error, count in rows:
            state = MessageStatus(status)
            by_status[state] = by_status.get(state, 0) + int(count)
            if state is MessageStatus.FAILED:
                reason = error or "unknown"
                failures[reason] = failures.get(reason, 0) + int(count)
        return OutboxTally(by_status=by_status, failures=failures)

    def status_of(self, team_id: str, key: str) -> MessageStatus | None:
        status = self._s.scalar(
            select(OutgoingMessageRow.status).where(
                OutgoingMessageRow.team_id == team_id, OutgoingMessageRow.key == key
            )
        )
        return None if status is None else MessageStatus(status)

    def due_preview(self, *, now: datetime, limit: int) -> list[OutgoingMessage]:
        rows = self._s.scalars(
            select(OutgoingMessageRow)
            .where(self._due(now))
            .order_by(OutgoingMessageRow.due_at, OutgoingMessageRow.id)
            .limit(limit)
        )
        return [_message(row) for row in rows]


class SqlEventLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def first_delivery(self, team_id: str, event_id: str, at: datetime) -> bool:
        if self._s.get(ProcessedEventRow, event_id) is not None:
            return False
        try:
            with self._s.begin_nested():
                self._s.add(ProcessedEventRow(event_id=event_id, team_id=team_id, received_at=at))
        except IntegrityError:  # the retry raced the original
            return False
        return True


_LOG_ENUMS: dict[str, type[StrEnum]] = {"outcome": SessionOutcome}


class SqlSessionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def slot(
        self, team_id: str, partnership_id: int, *, for_update: bool = False
    ) -> SessionSlot | None:
        query = select(SessionSlotRow).where(
            SessionSlotRow.team_id == team_id, SessionSlotRow.partnership_id == partnership_id
        )
        if for_update:  # PostgreSQL: a second change of the same plan waits for the first
            query = query.with_for_update()
        row = self._s.scalar(query)
        return _to_domain(SessionSlot, row, {}) if row else None

    def save_slot(self, slot: SessionSlot) -> SessionSlot:
        _save(self._s, SessionSlotRow, slot)
        return slot

    def log(self, team_id: str, partnership_id: int, start: datetime) -> SessionLog | None:
        row = self._s.scalar(
            select(SessionLogRow).where(
                SessionLogRow.team_id == team_id,
                SessionLogRow.partnership_id == partnership_id,
                SessionLogRow.occurrence_start == start,
            )
        )
        return _to_domain(SessionLog, row, _LOG_ENUMS) if row else None

    def add_log(self, log: SessionLog) -> bool:
        if self.log(log.team_id, log.partnership_id, log.occurrence_start) is not None:
            return False
        try:
            with self._s.begin_nested():
                row = SessionLogRow()
                _copy_into(row, log)
                self._s.add(row)
        except IntegrityError:  # the partner's answer landed a moment earlier
            return False
        log.id = row.id
        return True

    def logs(self, team_id: str, partnership_id: int) -> list[SessionLog]:
        rows = self._s.scalars(
            select(SessionLogRow)
            .where(SessionLogRow.team_id == team_id, SessionLogRow.partnership_id == partnership_id)
            .order_by(SessionLogRow.occurrence_start)
        )
        return [_to_domain(SessionLog, row, _LOG_ENUMS) for row in rows]

    def preferences(self, team_id: str, user_id: str) -> MemberPreferences:
        row = self._s.scalar(
            select(MemberPreferencesRow).where(
                MemberPreferencesRow.team_id == team_id, MemberPreferencesRow.user_id == user_id
            )
        )
        if row is None:
            return MemberPreferences(team_id=team_id, user_id=user_id)
        return _to_domain(MemberPreferences, row, {})

    def save_preferences(self, preferences: MemberPreferences) -> MemberPreferences:
        _save(self._s, MemberPreferencesRow, preferences)
        return preferences


class SqlCohortPlanRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, plan_id: int) -> CohortPlan | None:
        row = self._s.get(CohortPlanRow, plan_id)
        if row is None or row.team_id != team_id:
            return None
        return CohortPlan(
            team_id=row.team_id,
            created_by=row.created_by,
            created_at=row.created_at,
            pairs=[PlannedPair.from_json(p) for p in row.pairs],
            unmatched=list(row.unmatched),
            total_fit=row.total_fit,
            id=row.id,
        )

    def save(self, plan: CohortPlan) -> CohortPlan:
        row = self._s.get(CohortPlanRow, plan.id) if plan.id is not None else None
        if row is None:
            row = CohortPlanRow()
            self._s.add(row)
        row.team_id, row.created_by, row.created_at = plan.team_id, plan.created_by, plan.created_at
        row.pairs = [p.as_json() for p in plan.pairs]
        row.unmatched = list(plan.unmatched)
        row.total_fit = plan.total_fit
        self._s.flush()
        plan.id = row.id
        return plan


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, event: AuditEvent) -> None:
        row = AuditEventRow()
        _copy_into(row, event)
        self._s.add(row)
        self._s.flush()

    def recent(self, team_id: str, *, limit: int) -> list[AuditEvent]:
        rows = self._s.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.team_id == team_id)
            .order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
            .limit(limit)
        )
        return [_to_domain(AuditEvent, row, {}) for row in rows]


_ANNOUNCEMENT_ENUMS: dict[str, type[StrEnum]] = {
    "audience": Audience,
    "status": AnnouncementStatus,
}


class SqlAnnouncementRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, announcement_id: int) -> Announcement | None:
        row = self._s.get(AnnouncementRow, announcement_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Announcement, row, _ANNOUNCEMENT_ENUMS)

    def save(self, announcement: Announcement) -> Announcement:
        _save(self._s, AnnouncementRow, announcement)
        return announcement

    def scheduled(self, team_id: str) -> list[Announcement]:
        rows = self._s.scalars(
            select(AnnouncementRow)
            .where(
                AnnouncementRow.team_id == team_id,
                AnnouncementRow.status == AnnouncementStatus.SCHEDULED.value,
            )
            .order_by(AnnouncementRow.send_at, AnnouncementRow.id)
        )
        return [_to_domain(Announcement, row, _ANNOUNCEMENT_ENUMS) for row in rows]


class SqlDirectory:
    """Who takes part in a workspace's program, read from what they did."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def mentor_ids(self, team_id: str) -> list[str]:
        return list(
            self._s.scalars(
                select(MentorProfileRow.user_id)
                .where(MentorProfileRow.team_id == team_id)
                .order_by(MentorProfileRow.user_id)
            )
        )

    def in_program(self, team_id: str, program_id: int | None) -> set[str]:
        def of(column: Any) -> Any:
            return column.is_(None) if program_id is None else column == program_id

        mentors = select(MentorProfileRow.user_id).where(
            MentorProfileRow.team_id == team_id, of(MentorProfileRow.program_id)
        )
        mentees = select(MentorRequestRow.mentee_id).where(
            MentorRequestRow.team_id == team_id,
            MentorRequestRow.status != RequestStatus.CANCELLED.value,
            of(MentorRequestRow.program_id),
        )
        pairs = self._s.execute(
            select(PartnershipRow.mentor_id, PartnershipRow.mentee_id).where(
                PartnershipRow.team_id == team_id, of(PartnershipRow.program_id)
            )
        )
        people = set(self._s.scalars(mentors)) | set(self._s.scalars(mentees))
        for mentor_id, mentee_id in pairs:
            people |= {mentor_id, mentee_id}
        return people

    def mentee_ids(self, team_id: str) -> list[str]:
        asked = select(MentorRequestRow.mentee_id).where(
            MentorRequestRow.team_id == team_id,
            MentorRequestRow.status != RequestStatus.CANCELLED.value,
        )
        paired = select(PartnershipRow.mentee_id).where(PartnershipRow.team_id == team_id)
        return sorted(set(self._s.scalars(asked)) | set(self._s.scalars(paired)))

    def requests(self, team_id: str) -> list[MentorRequest]:
        rows = self._s.scalars(
            select(MentorRequestRow)
            .where(MentorRequestRow.team_id == team_id)
            .order_by(MentorRequestRow.id)
        )
        return [_to_domain(MentorRequest, row, _REQUEST_ENUMS) for row in rows]

    def partnerships(self, team_id: str) -> list[Partnership]:
        rows = self._s.scalars(
            select(PartnershipRow)
            .where(PartnershipRow.team_id == team_id)
            .order_by(PartnershipRow.id)
        )
        return [_to_domain(Partnership, row, _PARTNERSHIP_ENUMS) for row in rows]

    def session_logs(self, team_id: str) -> list[SessionLog]:
        rows = self._s.scalars(
            select(SessionLogRow)
            .where(SessionLogRow.team_id == team_id)
            .order_by(SessionLogRow.occurrence_start)
        )
        return [_to_domain(SessionLog, row, _LOG_ENUMS) for row in rows]

    def goals_done_since(
        self, team_id: str, since: datetime, partnership_ids: Collection[int] | None = None
    ) -> int:
        query = select(func.count()).select_from(GoalRow)
        query = query.where(GoalRow.team_id == team_id, GoalRow.done_at >= since)
        if partnership_ids is not None:
            query = query.where(GoalRow.partnership_id.in_(list(partnership_ids)))
        return int(self._s.scalar(query) or 0)

    def milestones_since(
        self, team_id: str, since: datetime, partnership_ids: Collection[int] | None = None
    ) -> int:
        query = select(func.count()).select_from(MilestoneRow)
        query = query.where(MilestoneRow.team_id == team_id, MilestoneRow.achieved_at >= since)
        if partnership_ids is not None:
            query = query.where(MilestoneRow.partnership_id.in_(list(partnership_ids)))
        return int(self._s.scalar(query) or 0)

    def mentor_ids_in(self, team_id: str, program_id: int | None) -> list[str]:
        column = MentorProfileRow.program_id
        return list(
            self._s.scalars(
                select(MentorProfileRow.user_id)
                .where(
                    MentorProfileRow.team_id == team_id,
                    column.is_(None) if program_id is None else column == program_id,
                )
                .order_by(MentorProfileRow.user_id)
            )
        )

    def teams(self) -> list[str]:
        found: set[str] = set()
        for column in (
            MentorProfileRow.team_id,
            MentorRequestRow.team_id,
            PartnershipRow.team_id,
            ProcessedEventRow.team_id,
            CoordinatorGroupMemberRow.team_id,
        ):
            found.update(self._s.scalars(select(column).distinct()))
        return sorted(t for t in found if t)


class SqlCoordinatorGroupRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def members(self, team_id: str, group_id: str) -> list[str]:
        return list(
            self._s.scalars(
                select(CoordinatorGroupMemberRow.user_id)
                .where(
                    CoordinatorGroupMemberRow.team_id == team_id,
                    CoordinatorGroupMemberRow.group_id == group_id,
                )
                .order_by(CoordinatorGroupMemberRow.user_id)
            )
        )

    def is_member(self, team_id: str, group_id: str, user_id: str) -> bool:
        return (
            self._s.scalar(
                select(CoordinatorGroupMemberRow.id).where(
                    CoordinatorGroupMemberRow.team_id == team_id,
                    CoordinatorGroupMemberRow.group_id == group_id,
                    CoordinatorGroupMemberRow.user_id == user_id,
                )
            )
            is not None
        )

    def replace(self, team_id: str, group_id: str, users: Collection[str], *, at: datetime) -> None:
        current = set(self.members(team_id, group_id))
        wanted = set(users)
        self.change(team_id, group_id, added=wanted - current, removed=current - wanted, at=at)

    def change(
        self,
        team_id: str,
        group_id: str,
        *,
        added: Collection[str],
        removed: Collection[str],
        at: datetime,
    ) -> None:
        if removed:
            self._s.execute(
                delete(CoordinatorGroupMemberRow).where(
                    CoordinatorGroupMemberRow.team_id == team_id,
                    CoordinatorGroupMemberRow.group_id == group_id,
                    CoordinatorGroupMemberRow.user_id.in_(list(removed)),
                )
            )
        for user_id in sorted(set(added) - set(removed)):
            if self.is_member(team_id, group_id, user_id):
                continue
            try:
                with self._s.begin_nested():  # an event and a refresh may add the same person
                    self._s.add(
                        CoordinatorGroupMemberRow(
                            team_id=team_id, group_id=group_id, user_id=user_id, seen_at=at
                        )
                    )
            except IntegrityError:
                continue
        self._s.flush()


_GOAL_ENUMS: dict[str, type[StrEnum]] = {"status": GoalStatus}
_REFLECTION_ENUMS: dict[str, type[StrEnum]] = {"visibility": Visibility}


class SqlJournalRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- goals -----------------------------------------------------------------------------

    def goals(self, team_id: str, partnership_id: int) -> list[Goal]:
        rows = self._s.scalars(
            select(GoalRow)
            .where(GoalRow.team_id == team_id, GoalRow.partnership_id == partnership_id)
            .order_by(GoalRow.position, GoalRow.id)
        )
        return [_to_domain(Goal, row, _GOAL_ENUMS) for row in rows]

    def goal(self, team_id: str, goal_id: int) -> Goal | None:
        row = self._s.get(GoalRow, goal_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Goal, row, _GOAL_ENUMS)

    def save_goal(self, goal: Goal) -> Goal:
        _save(self._s, GoalRow, goal)
        return goal

    def delete_goal(self, team_id: str, goal_id: int) -> None:
        row = self._s.get(GoalRow, goal_id)
        if row is not None and row.team_id == team_id:
            self._s.delete(row)
            self._s.flush()

    # -- reflections -----------------------------------------------------------------------

    def reflection(self, team_id: str, reflection_id: int) -> Reflection | None:
        row = self._s.get(ReflectionRow, reflection_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Reflection, row, _REFLECTION_ENUMS)

    def save_reflection(self, reflection: Reflection) -> Reflection:
        _save(self._s, ReflectionRow, reflection)
        return reflection

    def _reflection_filter(
        self,
        team_id: str,
        partnership_id: int | None,
        authors: tuple[str, ...],
        shared_by: str = "",
    ) -> list[Any]:
        where: list[Any] = [ReflectionRow.team_id == team_id]
        if partnership_id is not None:
            where.append(ReflectionRow.partnership_id == partnership_id)
        readable: list[Any] = []
        if authors:
            readable.append(ReflectionRow.author_id.in_(authors))
        if shared_by:
            readable.append(
                and_(
                    ReflectionRow.author_id == shared_by,
                    ReflectionRow.visibility == Visibility.SHARED.value,
                )
            )
        where.append(or_(*readable) if readable else ReflectionRow.id.is_(None))
        return where

    def reflections(
        self,
        team_id: str,
        *,
        partnership_id: int | None = None,
        authors: tuple[str, ...] = (),
        shared_by: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Reflection]:
        query = (
            select(ReflectionRow)
            .where(*self._reflection_filter(team_id, partnership_id, authors, shared_by))
            .order_by(ReflectionRow.created_at.desc(), ReflectionRow.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [_to_domain(Reflection, row, _REFLECTION_ENUMS) for row in self._s.scalars(query)]

    def count_reflections(
        self, team_id: str, *, partnership_id: int | None = None, authors: tuple[str, ...] = ()
    ) -> int:
        where: list[Any] = [ReflectionRow.team_id == team_id]
        if partnership_id is not None:
            where.append(ReflectionRow.partnership_id == partnership_id)
        if authors:
            where.append(ReflectionRow.author_id.in_(authors))
        return int(
            self._s.scalar(select(func.count()).select_from(ReflectionRow).where(*where)) or 0
        )

    # -- milestones ------------------------------------------------------------------------

    def add_milestone(self, milestone: Milestone) -> bool:
        exists = self._s.scalar(
            select(MilestoneRow.id).where(
                MilestoneRow.team_id == milestone.team_id,
                MilestoneRow.partnership_id == milestone.partnership_id,
                MilestoneRow.key == milestone.key,
            )
        )
        if exists is not None:
            return False
        try:
            with self._s.begin_nested():
                row = MilestoneRow()
                _copy_into(row, milestone)
                self._s.add(row)
        except IntegrityError:  # the same moment detected twice, at the same time
            return False
        milestone.id = row.id
        return True

    def milestones(
        self, team_id: str, partnership_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[Milestone]:
        query = (
            select(MilestoneRow)
            .where(MilestoneRow.team_id == team_id, MilestoneRow.partnership_id == partnership_id)
            .order_by(MilestoneRow.achieved_at.desc(), MilestoneRow.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [_to_domain(Milestone, row, {}) for row in self._s.scalars(query)]

    def count_milestones(self, team_id: str, partnership_id: int) -> int:
        return int(
            self._s.scalar(
                select(func.count())
                .select_from(MilestoneRow)
                .where(
                    MilestoneRow.team_id == team_id, MilestoneRow.partnership_id == partnership_id
                )
            )
            or 0
        )

    # -- settings --------------------------------------------------------------------------

    def preferences(self, team_id: str, user_id: str) -> JournalPreferences:
        row = self._s.scalar(
            select(JournalPreferencesRow).where(
                JournalPreferencesRow.team_id == team_id, JournalPreferencesRow.user_id == user_id
            )
        )
        if row is None:
            return JournalPreferences(team_id=team_id, user_id=user_id)
        return _to_domain(JournalPreferences, row, {})

    def save_preferences(self, preferences: JournalPreferences) -> JournalPreferences:
        if preferences.id is None:
            preferences.id = self.preferences(preferences.team_id, preferences.user_id).id
        if preferences.id is None:
            try:
                with self._s.begin_nested():
                    _save(self._s, JournalPreferencesRow, preferences)
                return preferences
            except IntegrityError:  # another transaction created this person's row first
                preferences.id = self.preferences(preferences.team_id, preferences.user_id).id
        _save(self._s, JournalPreferencesRow, preferences)
        return preferences


class SqlProgramTextRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def _row(self, team_id: str, key: TextKey) -> ProgramTextRow | None:
        return self._s.scalar(
            select(ProgramTextRow).where(
                ProgramTextRow.team_id == team_id, ProgramTextRow.key == key.value
            )
        )

    def get(self, team_id: str, key: TextKey) -> ProgramText | None:
        row = self._row(team_id, key)
        return _to_domain(ProgramText, row, {"key": TextKey}) if row else None

    def save(self, text: ProgramText) -> None:
        row = self._row(text.team_id, text.key)
        if row is None:
            row = ProgramTextRow()
            self._s.add(row)
        _copy_into(row, text)
        self._s.flush()


_CHECK_ENUMS: dict[str, type[StrEnum]] = {"kind": CheckKind}
_FLAG_ENUMS: dict[str, type[StrEnum]] = {"signal": RiskSignal}


class SqlProgressRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def check(
        self, team_id: str, partnership_id: int, user_id: str, kind: CheckKind, round_no: int
    ) -> ProgressCheck | None:
        row = self._s.scalar(
            select(ProgressCheckRow).where(
                ProgressCheckRow.team_id == team_id,
                ProgressCheckRow.partnership_id == partnership_id,
                ProgressCheckRow.user_id == user_id,
                ProgressCheckRow.kind == kind.value,
                ProgressCheckRow.round == round_no,
            )
        )
        return None if row is None else _to_domain(ProgressCheck, row, _CHECK_ENUMS)

    def save_check(self, check: ProgressCheck) -> ProgressCheck:
        _save(self._s, ProgressCheckRow, check)
        return check

    def checks(self, team_id: str, partnership_id: int) -> list[ProgressCheck]:
        rows = self._s.scalars(
            select(ProgressCheckRow)
            .where(
                ProgressCheckRow.team_id == team_id,
                ProgressCheckRow.partnership_id == partnership_id,
            )
            .order_by(ProgressCheckRow.id)
        )
        return [_to_domain(ProgressCheck, row, _CHECK_ENUMS) for row in rows]

    def checks_of_kind(self, team_id: str, kind: CheckKind) -> list[ProgressCheck]:
        rows = self._s.scalars(
            select(ProgressCheckRow)
            .where(ProgressCheckRow.team_id == team_id, ProgressCheckRow.kind == kind.value)
            .order_by(ProgressCheckRow.id)
        )
        return [_to_domain(ProgressCheck, row, _CHECK_ENUMS) for row in rows]

    def add_flag(self, flag: RiskFlag) -> bool:
        exists = self._s.scalar(
            select(RiskFlagRow.id).where(
                RiskFlagRow.team_id == flag.team_id,
                RiskFlagRow.partnership_id == flag.partnership_id,
                RiskFlagRow.signal == flag.signal.value,
                RiskFlagRow.occasion == flag.occasion,
            )
        )
        if exists is not None:
            return False
        try:
            with self._s.begin_nested():
                row = RiskFlagRow()
                _copy_into(row, flag)
                self._s.add(row)
        except IntegrityError:  # another transaction raised it first
            return False
        flag.id = row.id
        return True

    def flags(self, team_id: str) -> list[RiskFlag]:
        rows = self._s.scalars(
            select(RiskFlagRow).where(RiskFlagRow.team_id == team_id).order_by(RiskFlagRow.id)
        )
        return [_to_domain(RiskFlag, row, _FLAG_ENUMS) for row in rows]


class SqlProgramRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, team_id: str, program_id: int) -> Program | None:
        row = self._s.get(ProgramRow, program_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Program, row, {})

    def save(self, program: Program) -> Program:
        _save(self._s, ProgramRow, program)
        return program

    def all(self, team_id: str) -> list[Program]:
        rows = self._s.scalars(
            select(ProgramRow).where(ProgramRow.team_id == team_id).order_by(ProgramRow.id)
        )
        return [_to_domain(Program, row, {}) for row in rows]
