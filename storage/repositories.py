"""Repositories: rows in, domain dataclasses out. They add and flush; only the UoW commits."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import (
    MatchProposal,
    MentorProfile,
    MentorRequest,
    MessageStatus,
    OutgoingMessage,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.sessions import MemberPreferences, SessionLog, SessionOutcome, SessionSlot
from storage.models import (
    Base,
    MatchProposalRow,
    MemberPreferencesRow,
    MentorProfileRow,
    MentorRequestRow,
    OutgoingMessageRow,
    PartnershipRow,
    ProcessedEventRow,
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
        rows = self._s.scalars(
            select(MentorProfileRow)
            .where(MentorProfileRow.team_id == team_id, MentorProfileRow.accepting.is_(True))
            .order_by(MentorProfileRow.user_id)
        )
        return [_to_domain(MentorProfile, row, {}) for row in rows]


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
        rows = self._s.scalars(
            select(MentorRequestRow)
            .where(
                MentorRequestRow.team_id == team_id,
                MentorRequestRow.status == RequestStatus.WAITLISTED.value,
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


_MESSAGE_ENUMS: dict[str, type[StrEnum]] = {"status": MessageStatus}


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching ``prefix`` literally (``%`` and ``_`` are not wildcards)."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _message(row: OutgoingMessageRow) -> OutgoingMessage:
    return _to_domain(OutgoingMessage, row, _MESSAGE_ENUMS)


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
                OutgoingMessageRow.key.like(_like_prefix(key_prefix), escape="\\"),
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
            )
            .values(status=MessageStatus.CANCELLED.value)
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
            )
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
                OutgoingMessageRow.key.like(_like_prefix(key_prefix), escape="\\"),
                OutgoingMessageRow.status == MessageStatus.SENT.value,
            )
            .order_by(OutgoingMessageRow.id)
        )
        return [_message(row) for row in rows]

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

    def slot(self, team_id: str, partnership_id: int) -> SessionSlot | None:
        row = self._s.scalar(
            select(SessionSlotRow).where(
                SessionSlotRow.team_id == team_id, SessionSlotRow.partnership_id == partnership_id
            )
        )
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
