"""In-memory fakes of the ports in ``bot.ports``: what the unit tests run the core on.

They mirror the SQL implementations in ``storage`` where it matters to the core:

* repositories hand out copies, so a change counts only once it is saved;
* a ``FakeUnitOfWork`` rolls back everything it did unless ``commit()`` was called, like
  ``SqlUnitOfWork``;
* every unit of work built on the same ``FakeStore`` sees the same data, so a factory
  ``lambda: FakeUnitOfWork(store)`` behaves like a database shared by several transactions.

Transactions on one store are serialized (a unit of work holds the store's lock from
``__enter__`` to ``__exit__``), which keeps snapshot-and-restore rollback correct when a test
drives the dispatcher from several threads.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from bot.model.audit import AuditEvent
from bot.model.cohort import CohortPlan, PlanStatus
from bot.model.journal import Goal, JournalPreferences, Milestone, Reflection, Visibility
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.messages import Payload, encode
from bot.model.outbox import MessageStatus, OutboxTally, OutgoingMessage
from bot.model.partnership import (
    AskOpening,
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.model.programs import Program
from bot.model.progress import CheckKind, ProgressCheck, RiskFlag
from bot.model.sessions import MemberPreferences, SessionLog, SessionSlot
from bot.model.sharing import ProgramMembership
from bot.ports import (
    AuditLog,
    CohortPlanRepository,
    CohortWork,
    CoordinatorGroupRepository,
    EventLog,
    JournalRepository,
    JournalWork,
    MatchingWork,
    MentorRepository,
    Messenger,
    Outbox,
    PartnershipRepository,
    ProgramRepository,
    ProgressRepository,
    ProposalRepository,
    RequestRepository,
    RhythmWork,
    SendOutcome,
    SendResult,
    SessionRepository,
    SessionsWork,
)

T = TypeVar("T")

SUSPENDED = "workspace removed"  # how storage marks what a removed workspace left

LOCK_TIMEOUT = 5.0
"""Seconds a unit of work waits for the store before the test fails instead of hanging."""

_OPEN_REQUEST = (RequestStatus.MATCHING, RequestStatus.PENDING_MENTOR, RequestStatus.WAITLISTED)
_TAKES_A_SLOT = (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)


def stored_payload(message: OutgoingMessage) -> dict[str, Any]:
    """A message's payload as the outbox table holds it (JSON), for asserting on its shape."""
    return encode(message.payload)


@dataclass
class StoredMessage:
    """An outbox row: the message plus what only the outbox knows (who holds it, until when)."""

    message: OutgoingMessage
    claimed_by: str = ""
    lease_until: datetime | None = None
    lease_token: str = ""


@dataclass
class FakeState:
    """Everything a database would hold; deep-copied to take a snapshot."""

    mentors: dict[tuple[str, str], MentorProfile] = field(default_factory=dict)
    requests: dict[int, MentorRequest] = field(default_factory=dict)
    proposals: dict[int, MatchProposal] = field(default_factory=dict)
    partnerships: dict[int, Partnership] = field(default_factory=dict)
    outbox: dict[int, StoredMessage] = field(default_factory=dict)
    events: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    slots: dict[tuple[str, int], SessionSlot] = field(default_factory=dict)
    logs: dict[int, SessionLog] = field(default_factory=dict)
    preferences: dict[tuple[str, str], MemberPreferences] = field(default_factory=dict)
    goals: dict[int, Goal] = field(default_factory=dict)
    reflections: dict[int, Reflection] = field(default_factory=dict)
    milestones: dict[int, Milestone] = field(default_factory=dict)
    journal_preferences: dict[tuple[str, str], JournalPreferences] = field(default_factory=dict)
    checks: dict[int, ProgressCheck] = field(default_factory=dict)
    flags: dict[int, RiskFlag] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    programs: dict[int, Program] = field(default_factory=dict)
    cohort_plans: dict[int, CohortPlan] = field(default_factory=dict)
    coordinator_groups: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    memberships: list[ProgramMembership] = field(default_factory=list)  # shared programs
    workspace_names: dict[str, str] = field(default_factory=dict)  # as installed
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


class FakeStore:
    """The shared 'database' behind any number of ``FakeUnitOfWork``s."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.lock = threading.RLock()
        self.commits = 0

    # -- read-outs for assertions: copies, so a test cannot change the store by accident ---

    def messages(self, *, kind: str | None = None) -> list[OutgoingMessage]:
        """Outbox messages in the order they were added, optionally of one kind."""
        with self.lock:
            return [
                copy.deepcopy(row.message)
                for _, row in sorted(self.state.outbox.items())
                if kind is None or row.message.kind == kind
            ]

    def message(self, key: str, team_id: str | None = None) -> OutgoingMessage:
        found = [m for m in self.messages() if m.key == key and team_id in (None, m.team_id)]
        if len(found) != 1:
            raise AssertionError(f"expected one message with key {key!r}, found {len(found)}")
        return found[0]

    def lease_of(self, key: str) -> tuple[str, datetime | None]:
        with self.lock:
            for row in self.state.outbox.values():
                if row.message.key == key:
                    return row.claimed_by, row.lease_until
        raise AssertionError(f"no message with key {key!r}")

    def proposals(self) -> list[MatchProposal]:
        with self.lock:
            return [copy.deepcopy(p) for _, p in sorted(self.state.proposals.items())]

    def partnerships(self) -> list[Partnership]:
        with self.lock:
            return [copy.deepcopy(p) for _, p in sorted(self.state.partnerships.items())]

    def requests(self) -> list[MentorRequest]:
        with self.lock:
            return [copy.deepcopy(r) for _, r in sorted(self.state.requests.items())]

    def mentors(self) -> list[MentorProfile]:
        with self.lock:
            return [copy.deepcopy(m) for _, m in sorted(self.state.mentors.items())]


class FakeMentorRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(self, team_id: str, user_id: str) -> MentorProfile | None:
        found = self._store.state.mentors.get((team_id, user_id))
        return copy.deepcopy(found)

    def save(self, profile: MentorProfile) -> MentorProfile:
        state = self._store.state
        if profile.id is None:
            existing = state.mentors.get((profile.team_id, profile.user_id))
            profile.id = existing.id if existing is not None else state.next_id()
        state.mentors[(profile.team_id, profile.user_id)] = copy.deepcopy(profile)
        return profile

    def accepting(self, team_id: str) -> list[MentorProfile]:
        return [
            copy.deepcopy(m)
            for (team, _), m in sorted(self._store.state.mentors.items())
            if team == team_id and m.accepting
        ]

    def count_pool(self, team_id: str) -> int:
        return len(self.pool(team_id).user_ids)

    def pool(self, team_id: str) -> MentorColumns:
        state = self._store.state
        members: dict[int, set[str]] = {}
        for m in state.memberships:
            if m.host_team_id == team_id and m.active:
                members.setdefault(m.program_id, set()).add(m.team_id)
        mentors = [
            copy.deepcopy(m)
            for _, m in sorted(state.mentors.items())
            if m.accepting
            and (
                (m.team_id == team_id and m.host_team_id is None)
                or (
                    m.host_team_id == team_id and m.team_id in members.get(m.program_id or 0, set())
                )
            )
        ]
        columns = MentorColumns.of(mentors)
        return replace(
            columns,
            members={p: frozenset(t) for p, t in members.items()},
            names=dict(state.workspace_names),
        )

    def shared(self, team_id: str) -> MentorColumns:
        pool = self.pool(team_id)
        return MentorColumns(members=pool.members, names=pool.names)

    def pool_teams(self) -> list[str]:
        mentors = self._store.state.mentors.values()
        return sorted({m.host_team_id or m.team_id for m in mentors if m.accepting})

    def pool_version(self, team_id: str) -> PoolVersion | None:
        return None  # no versions here: every ranking reads the pool afresh

    def pool_changes(self, team_id: str, since: dict[str, int]) -> MentorColumns:
        """Every profile counts as changed (never asked: ``pool_version`` is None here)."""
        pool = self.pool(team_id)
        teams = set(since)
        inside = set(zip(pool.team_ids, pool.user_ids, strict=True))
        left = [k for k in sorted(self._store.state.mentors) if k[0] in teams and k not in inside]
        return replace(pool, left=left)

    def profiles(self, team_id: str, user_ids: Collection[str]) -> list[MentorProfile]:
        state = self._store.state
        return [
            copy.deepcopy(state.mentors[(team_id, u)])
            for u in user_ids
            if (team_id, u) in state.mentors
        ]


class FakeRequestRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(
        self, team_id: str, request_id: int, *, for_update: bool = False
    ) -> MentorRequest | None:
        found = self._store.state.requests.get(request_id)
        if found is None or team_id not in (found.team_id, found.host_team_id):
            return None
        return copy.deepcopy(found)

    def save(self, request: MentorRequest) -> MentorRequest:
        if request.id is None:
            request.id = self._store.state.next_id()
        self._store.state.requests[request.id] = copy.deepcopy(request)
        return request

    def open_for(self, team_id: str, mentee_id: str) -> MentorRequest | None:
        open_ones = [
            r
            for r in self._store.state.requests.values()
            if r.team_id == team_id and r.mentee_id == mentee_id and r.status in _OPEN_REQUEST
        ]
        if not open_ones:
            return None
        return copy.deepcopy(max(open_ones, key=lambda r: r.id or 0))

    def opening(self, team_id: str, mentee_id: str) -> AskOpening:
        profile = next(
            (
                p
                for p in self._store.state.mentors.values()
                if p.team_id == team_id and p.user_id == mentee_id
            ),
            None,
        )
        live = sorted(
            (
                p
                for p in self._store.state.partnerships.values()
                if p.team_id == team_id and p.mentee_id == mentee_id and p.live
            ),
            key=lambda p: p.id or 0,
        )
        return AskOpening(
            request=self.open_for(team_id, mentee_id),
            profile_zone=(profile.tz, profile.tz_offset) if profile is not None else None,
            seen_zone=None,  # no person_zones here
            current_mentor=live[0].mentor_id if live else None,
        )

    def _whose(self, request: MentorRequest, team_id: str, shared: bool) -> bool:
        return request.team_id == team_id or (
            shared
            and request.host_team_id == team_id
            and any(
                m.active
                and (m.team_id, m.host_team_id, m.program_id)
                == (request.team_id, team_id, request.program_id)
                for m in self._store.state.memberships
            )
        )

    def waitlisted(self, team_id: str, *, shared: bool = False) -> list[MentorRequest]:
        found = [
            r
            for r in self._store.state.requests.values()
            if self._whose(r, team_id, shared) and r.status is RequestStatus.WAITLISTED
        ]
        found.sort(key=lambda r: (r.created_at is not None, r.created_at, r.id or 0))
        return [copy.deepcopy(r) for r in found]

    def in_status(
        self, team_id: str, statuses: Collection[RequestStatus], *, shared: bool = False
    ) -> list[MentorRequest]:
        return [
            copy.deepcopy(r)
            for _, r in sorted(self._store.state.requests.items())
            if self._whose(r, team_id, shared) and r.status in statuses
        ]

    def count_in_status(
        self, team_id: str, statuses: Collection[RequestStatus], *, shared: bool = False
    ) -> int:
        return len(self.in_status(team_id, statuses, shared=shared))


class FakeProposalRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(
        self, team_id: str, proposal_id: int, *, for_update: bool = False
    ) -> MatchProposal | None:
        found = self._store.state.proposals.get(proposal_id)
        if found is None or team_id not in (
            found.team_id,
            found.mentee_team_id,
            found.mentor_team_id,
        ):
            return None
        return copy.deepcopy(found)

    def save(self, proposal: MatchProposal) -> MatchProposal:
        if proposal.id is None:
            proposal.id = self._store.state.next_id()
        self._store.state.proposals[proposal.id] = copy.deepcopy(proposal)
        return proposal

    def for_mentee(self, team_id: str, mentee_id: str) -> list[MatchProposal]:
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.state.proposals.items())
            if p.mentee_team_id == team_id and p.mentee_id == mentee_id
        ]

    def for_mentees(self, team_id: str, mentee_ids: Collection[str]) -> list[MatchProposal]:
        wanted = set(mentee_ids)
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.state.proposals.items())
            if p.mentee_team_id == team_id and p.mentee_id in wanted
        ]

    def pending_by_mentor(self, team_id: str) -> dict[str, int]:
        return dict(
            Counter(
                p.mentor_id
                for p in self._store.state.proposals.values()
                if p.mentor_team_id == team_id and p.status is ProposalStatus.PENDING
            )
        )

    def for_mentor(self, team_id: str, mentor_id: str) -> list[MatchProposal]:
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.state.proposals.items())
            if p.mentor_team_id == team_id and p.mentor_id == mentor_id
        ]

    def answered_since(self, team_id: str, since: datetime) -> list[MatchProposal]:
        return sorted(
            (
                copy.deepcopy(p)
                for p in self._store.state.proposals.values()
                if p.team_id == team_id and p.answered_at is not None and p.answered_at >= since
            ),
            key=lambda p: (p.answered_at, p.id),
        )


class FakePartnershipRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(self, team_id: str, partnership_id: int) -> Partnership | None:
        found = self._store.state.partnerships.get(partnership_id)
        if found is None or team_id not in (
            found.team_id,
            found.mentee_team_id,
            found.mentor_team_id,
        ):
            return None
        return copy.deepcopy(found)

    def save(self, partnership: Partnership) -> Partnership:
        if partnership.id is None:
            partnership.id = self._store.state.next_id()
        self._store.state.partnerships[partnership.id] = copy.deepcopy(partnership)
        return partnership

    def for_member(self, team_id: str, user_id: str) -> list[Partnership]:
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.state.partnerships.items())
            if p.includes(team_id, user_id)
        ]

    def of_mentees(self, team_id: str, mentee_ids: Collection[str]) -> list[Partnership]:
        wanted = set(mentee_ids)
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.state.partnerships.items())
            if p.mentee_team_id == team_id and p.mentee_id in wanted
        ]

    def active_by_mentor(self, team_id: str) -> dict[str, int]:
        return dict(
            Counter(
                p.mentor_id
                for p in self._store.state.partnerships.values()
                if p.mentor_team_id == team_id and p.status in _TAKES_A_SLOT
            )
        )

    def live(self, *, after_id: int = 0, limit: int | None = None) -> list[Partnership]:
        found = [
            copy.deepcopy(p)
            for id_, p in sorted(self._store.state.partnerships.items())
            if p.status in _TAKES_A_SLOT and id_ > after_id
        ]
        return found if limit is None else found[:limit]


class FakeOutbox:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def _rows(self) -> list[StoredMessage]:
        rows = list(self._store.state.outbox.values())
        rows.sort(key=lambda r: (r.message.due_at, r.message.id or 0))
        return rows

    def add(self, message: OutgoingMessage) -> bool:
        state = self._store.state
        if any(
            row.message.team_id == message.team_id and row.message.key == message.key
            for row in state.outbox.values()
        ):
            return False
        assert isinstance(message.payload, Payload), "payloads are typed (bot.model.messages)"
        message.id = state.next_id()
        state.outbox[message.id] = StoredMessage(message=copy.deepcopy(message))
        return True

    def batched(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # each add is in the store at once: the same outcome

    def cancel(self, team_id: str, key_prefix: str, *, from_key: str = "") -> int:
        cancelled = 0
        for row in self._store.state.outbox.values():
            m = row.message
            if (
                m.team_id == team_id
                and m.key.startswith(key_prefix)
                and m.key >= from_key
                and m.status is MessageStatus.PENDING
            ):
                m.status = MessageStatus.CANCELLED
                cancelled += 1
        return cancelled

    def suspend(self, team_id: str) -> int:
        suspended = 0
        for row in self._store.state.outbox.values():
            m = row.message
            if m.team_id == team_id and m.status is MessageStatus.PENDING:
                m.status, m.last_error = MessageStatus.CANCELLED, SUSPENDED
                suspended += 1
        return suspended

    def resume(self, team_id: str) -> int:
        resumed = 0
        for row in self._store.state.outbox.values():
            m = row.message
            suspended = m.status is MessageStatus.CANCELLED and m.last_error == SUSPENDED
            if m.team_id == team_id and suspended:
                m.status, m.last_error = MessageStatus.PENDING, ""
                resumed += 1
        return resumed

    def tally(self, team_id: str, key_prefix: str) -> OutboxTally:
        by_status: Counter[MessageStatus] = Counter()
        failures: Counter[str] = Counter()
        for row in self._store.state.outbox.values():
            m = row.message
            if m.team_id == team_id and m.key.startswith(key_prefix):
                by_status[m.status] += 1
                if m.status is MessageStatus.FAILED:
                    failures[m.last_error or "unknown"] += 1
        return OutboxTally(by_status=dict(by_status), failures=dict(failures))

    @staticmethod
    def _is_due(row: StoredMessage, now: datetime) -> bool:
        m = row.message
        if m.status is MessageStatus.PENDING:
            return m.due_at <= now
        if m.status is MessageStatus.SENDING:
            return row.lease_until is not None and row.lease_until < now
        return False

    def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str, token: str = ""
    ) -> list[OutgoingMessage]:
        claimed: list[OutgoingMessage] = []
        for row in self._rows():
            if len(claimed) >= limit:
                break
            if not self._is_due(row, now):
                continue
            in_doubt = row.message.status is MessageStatus.SENDING  # its worker stopped
            row.message.status = MessageStatus.SENDING
            row.claimed_by = worker
            row.lease_token = token
            row.lease_until = now + lease
            message = copy.deepcopy(row.message)
            message.in_doubt = in_doubt
            claimed.append(message)
        return claimed

    def renew(self, ids: Collection[int], *, worker: str, token: str, until: datetime) -> set[int]:
        held: set[int] = set()
        for id_ in ids:
            row = self._store.state.outbox.get(id_)
            if (
                row is not None
                and row.message.status is MessageStatus.SENDING
                and (row.claimed_by, row.lease_token) == (worker, token)
            ):
                row.lease_until = until
                held.add(id_)
        return held

    def settle(
        self, message: OutgoingMessage, *, worker: str | None = None, token: str = ""
    ) -> bool:
        if message.id is None or message.id not in self._store.state.outbox:
            return False  # like an UPDATE that matches no row
        row = self._store.state.outbox[message.id]
        if worker is not None and (row.claimed_by, row.lease_token) != (worker, token):
            return False  # another worker claimed it since
        row.message.status = message.status
        row.message.attempts = message.attempts
        row.message.last_error = message.last_error[:2000]
        row.message.due_at = message.due_at
        row.message.expires_at = message.expires_at
        row.message.sent_at = message.sent_at
        row.message.sent_channel = message.sent_channel
        row.message.sent_ts = message.sent_ts
        row.lease_until = None
        return True

    def settle_many(
        self, messages: Sequence[OutgoingMessage], *, worker: str, token: str
    ) -> set[int]:
        return {
            m.id
            for m in messages
            if m.id is not None and self.settle(m, worker=worker, token=token)
        }

    def newer_due(self, message: OutgoingMessage, *, now: datetime) -> bool:
        return any(
            m.team_id == message.team_id
            and m.coalesce_key == message.coalesce_key
            and m.status in (MessageStatus.PENDING, MessageStatus.SENDING)
            and m.due_at <= now
            and m.id != message.id
            and (m.due_at, m.id or 0) > (message.due_at, message.id or 0)
            for m in (row.message for row in self._store.state.outbox.values())
        )

    def sent(self, team_id: str, key_prefix: str) -> list[OutgoingMessage]:
        return [
            copy.deepcopy(row.message)
            for _, row in sorted(self._store.state.outbox.items())
            if row.message.team_id == team_id
            and row.message.key.startswith(key_prefix)
            and row.message.status is MessageStatus.SENT
        ]

    def status_of(self, team_id: str, key: str) -> MessageStatus | None:
        found = [
            r.message.status
            for r in self._rows()
            if r.message.team_id == team_id and r.message.key == key
        ]
        return found[0] if found else None

    def due_preview(self, *, now: datetime, limit: int) -> list[OutgoingMessage]:
        return [copy.deepcopy(r.message) for r in self._rows() if self._is_due(r, now)][:limit]


class FakeEventLog:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def first_delivery(self, team_id: str, event_id: str, at: datetime) -> bool:
        events = self._store.state.events
        if event_id in events:
            return False
        events[event_id] = (team_id, at)
        return True


class FakeSessionRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def slot(
        self, team_id: str, partnership_id: int, *, for_update: bool = False
    ) -> SessionSlot | None:
        return copy.deepcopy(self._store.state.slots.get((team_id, partnership_id)))

    def save_slot(self, slot: SessionSlot) -> SessionSlot:
        state = self._store.state
        if slot.id is None:
            existing = state.slots.get((slot.team_id, slot.partnership_id))
            slot.id = existing.id if existing is not None else state.next_id()
        state.slots[(slot.team_id, slot.partnership_id)] = copy.deepcopy(slot)
        return slot

    def log(self, team_id: str, partnership_id: int, start: datetime) -> SessionLog | None:
        found = next(
            (
                entry
                for entry in self._store.state.logs.values()
                if entry.team_id == team_id
                and entry.partnership_id == partnership_id
                and entry.occurrence_start == start
            ),
            None,
        )
        return copy.deepcopy(found)

    def add_log(self, log: SessionLog) -> bool:
        if self.log(log.team_id, log.partnership_id, log.occurrence_start) is not None:
            return False
        log.id = self._store.state.next_id()
        self._store.state.logs[log.id] = copy.deepcopy(log)
        return True

    def logs(self, team_id: str, partnership_id: int) -> list[SessionLog]:
        found = [
            entry
            for entry in self._store.state.logs.values()
            if entry.team_id == team_id and entry.partnership_id == partnership_id
        ]
        found.sort(key=lambda entry: entry.occurrence_start)
        return [copy.deepcopy(entry) for entry in found]

    def preferences(self, team_id: str, user_id: str) -> MemberPreferences:
        found = self._store.state.preferences.get((team_id, user_id))
        if found is None:
            return MemberPreferences(team_id=team_id, user_id=user_id)
        return copy.deepcopy(found)

    def save_preferences(self, preferences: MemberPreferences) -> MemberPreferences:
        state = self._store.state
        key = (preferences.team_id, preferences.user_id)
        if preferences.id is None:
            existing = state.preferences.get(key)
            preferences.id = existing.id if existing is not None else state.next_id()
        state.preferences[key] = copy.deepcopy(preferences)
        return preferences


def _newest_first(items: Iterable[Reflection]) -> list[Reflection]:
    return sorted(items, key=lambda r: (r.created_at or datetime.min, r.id or 0), reverse=True)


def _page(items: list[T], limit: int | None, offset: int) -> list[T]:
    return items[offset : offset + limit if limit is not None else None]


class FakeJournalRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def goals(self, team_id: str, partnership_id: int) -> list[Goal]:
        found = [
            g
            for g in self._store.state.goals.values()
            if g.team_id == team_id and g.partnership_id == partnership_id
        ]
        return [copy.deepcopy(g) for g in sorted(found, key=lambda g: (g.position, g.id or 0))]

    def goal(self, team_id: str, goal_id: int) -> Goal | None:
        goal = self._store.state.goals.get(goal_id)
        return copy.deepcopy(goal) if goal is not None and goal.team_id == team_id else None

    def save_goal(self, goal: Goal) -> Goal:
        if goal.id is None:
            goal.id = self._store.state.next_id()
        self._store.state.goals[goal.id] = copy.deepcopy(goal)
        return goal

    def delete_goal(self, team_id: str, goal_id: int) -> None:
        goal = self._store.state.goals.get(goal_id)
        if goal is not None and goal.team_id == team_id:
            del self._store.state.goals[goal_id]

    def reflection(self, team_id: str, reflection_id: int) -> Reflection | None:
        found = self._store.state.reflections.get(reflection_id)
        return copy.deepcopy(found) if found is not None and found.team_id == team_id else None

    def save_reflection(self, reflection: Reflection) -> Reflection:
        if reflection.id is None:
            reflection.id = self._store.state.next_id()
        self._store.state.reflections[reflection.id] = copy.deepcopy(reflection)
        return reflection

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
        found = [
            r
            for r in self._store.state.reflections.values()
            if r.team_id == team_id
            and partnership_id in (None, r.partnership_id)
            and (
                r.author_id in authors
                or (r.author_id == shared_by != "" and r.visibility is Visibility.SHARED)
            )
        ]
        return [copy.deepcopy(r) for r in _page(_newest_first(found), limit, offset)]

    def count_reflections(
        self, team_id: str, *, partnership_id: int | None = None, authors: tuple[str, ...] = ()
    ) -> int:
        return sum(
            1
            for r in self._store.state.reflections.values()
            if r.team_id == team_id
            and partnership_id in (None, r.partnership_id)
            and (not authors or r.author_id in authors)
        )

    def add_milestone(self, milestone: Milestone) -> bool:
        if any(
            (m.team_id, m.partnership_id, m.key)
            == (milestone.team_id, milestone.partnership_id, milestone.key)
            for m in self._store.state.milestones.values()
        ):
            return False
        milestone.id = self._store.state.next_id()
        self._store.state.milestones[milestone.id] = copy.deepcopy(milestone)
        return True

    def milestones(
        self, team_id: str, partnership_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[Milestone]:
        found = sorted(
            (
                m
                for m in self._store.state.milestones.values()
                if m.team_id == team_id and m.partnership_id == partnership_id
            ),
            key=lambda m: (m.achieved_at, m.id or 0),
            reverse=True,
        )
        return [copy.deepcopy(m) for m in _page(found, limit, offset)]

    def count_milestones(self, team_id: str, partnership_id: int) -> int:
        return len(self.milestones(team_id, partnership_id))

    def preferences(self, team_id: str, user_id: str) -> JournalPreferences:
        found = self._store.state.journal_preferences.get((team_id, user_id))
        if found is None:
            return JournalPreferences(team_id=team_id, user_id=user_id)
        return copy.deepcopy(found)

    def save_preferences(self, preferences: JournalPreferences) -> JournalPreferences:
        key = (preferences.team_id, preferences.user_id)
        existing = self._store.state.journal_preferences.get(key)
        if preferences.id is None:
            preferences.id = existing.id if existing is not None else self._store.state.next_id()
        self._store.state.journal_preferences[key] = copy.deepcopy(preferences)
        return preferences


class FakeProgressRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def check(
        self, team_id: str, partnership_id: int, user_id: str, kind: CheckKind, round_no: int
    ) -> ProgressCheck | None:
        found = next(
            (
                c
                for c in self._store.state.checks.values()
                if (c.team_id, c.partnership_id, c.user_id, c.kind, c.round)
                == (team_id, partnership_id, user_id, kind, round_no)
            ),
            None,
        )
        return copy.deepcopy(found)

    def save_check(self, check: ProgressCheck) -> ProgressCheck:
        if check.id is None:
            check.id = self._store.state.next_id()
        self._store.state.checks[check.id] = copy.deepcopy(check)
        return check

    def checks(self, team_id: str, partnership_id: int) -> list[ProgressCheck]:
        return [
            copy.deepcopy(c)
            for _, c in sorted(self._store.state.checks.items())
            if c.team_id == team_id and c.partnership_id == partnership_id
        ]

    def checks_of_kind(self, team_id: str, kind: CheckKind) -> list[ProgressCheck]:
        return [
            copy.deepcopy(c)
            for _, c in sorted(self._store.state.checks.items())
            if c.team_id == team_id and c.kind == kind
        ]

    def add_flag(self, flag: RiskFlag) -> bool:
        for f in self._store.state.flags.values():
            if (f.team_id, f.partnership_id, f.signal, f.occasion) == (
                flag.team_id,
                flag.partnership_id,
                flag.signal,
                flag.occasion,
            ):
                return False
        flag.id = self._store.state.next_id()
        self._store.state.flags[flag.id] = copy.deepcopy(flag)
        return True

    def flags(self, team_id: str) -> list[RiskFlag]:
        return [
            copy.deepcopy(f)
            for _, f in sorted(self._store.state.flags.items())
            if f.team_id == team_id
        ]


class FakeAuditLog:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def add(self, event: AuditEvent) -> None:
        self._store.state.audit.append(copy.deepcopy(event))

    def recent(self, team_id: str, *, limit: int) -> list[AuditEvent]:
        mine = [e for e in self._store.state.audit if e.team_id == team_id]
        return [copy.deepcopy(e) for e in reversed(mine)][:limit]


class FakeProgramRepository:
    """Only the workspace's default program, unless a test saves one."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(self, team_id: str, program_id: int) -> Program | None:
        found = self._store.state.programs.get(program_id)
        return copy.deepcopy(found) if found is not None and found.team_id == team_id else None

    def save(self, program: Program) -> Program:
        if program.id is None:
            program.id = self._store.state.next_id()
        self._store.state.programs[program.id] = copy.deepcopy(program)
        return program

    def joined(self, team_id: str) -> list[Program]:
        state = self._store.state
        return [
            copy.deepcopy(state.programs[m.program_id])
            for m in state.memberships
            if m.team_id == team_id and m.active and m.program_id in state.programs
        ]

    def all(self, team_id: str) -> list[Program]:
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._store.state.programs.items())
            if p.team_id == team_id
        ]


class FakeCohortPlanRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def get(self, team_id: str, plan_id: int) -> CohortPlan | None:
        found = self._store.state.cohort_plans.get(plan_id)
        return copy.deepcopy(found) if found is not None and found.team_id == team_id else None

    def save(self, plan: CohortPlan) -> CohortPlan:
        if plan.id is None:
            plan.id = self._store.state.next_id()
        self._store.state.cohort_plans[plan.id] = copy.deepcopy(plan)
        return plan

    def start(self, plan: CohortPlan) -> bool:
        if self.planning(plan.team_id) is not None:
            return False
        self.save(plan)
        return True

    def planning(self, team_id: str) -> CohortPlan | None:
        return next(
            (
                copy.deepcopy(p)
                for _, p in sorted(self._store.state.cohort_plans.items())
                if p.team_id == team_id and p.status is PlanStatus.PLANNING
            ),
            None,
        )


class FakeCoordinatorGroupRepository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def members(self, team_id: str, group_id: str) -> list[str]:
        return sorted(self._store.state.coordinator_groups.get((team_id, group_id), set()))

    def is_member(self, team_id: str, group_id: str, user_id: str) -> bool:
        return user_id in self._store.state.coordinator_groups.get((team_id, group_id), set())

    def replace(self, team_id: str, group_id: str, users: Collection[str], *, at: datetime) -> None:
        self._store.state.coordinator_groups[(team_id, group_id)] = set(users)

    def change(
        self,
        team_id: str,
        group_id: str,
        *,
        added: Collection[str],
        removed: Collection[str],
        at: datetime,
    ) -> None:
        group = self._store.state.coordinator_groups.setdefault((team_id, group_id), set())
        group |= set(added)
        group -= set(removed)


class FakeUnitOfWork:
    """A transaction on a ``FakeStore``: rolled back on exit unless ``commit()`` was called."""

    mentors: MentorRepository
    requests: RequestRepository
    proposals: ProposalRepository
    partnerships: PartnershipRepository
    outbox: Outbox
    events: EventLog
    sessions: SessionRepository
    journal: JournalRepository
    progress: ProgressRepository
    audit: AuditLog
    programs: ProgramRepository
    cohort_plans: CohortPlanRepository
    coordinator_groups: CoordinatorGroupRepository

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.committed = False
        self._snapshot: FakeState | None = None
        self.mentors = FakeMentorRepository(store)
        self.requests = FakeRequestRepository(store)
        self.proposals = FakeProposalRepository(store)
        self.partnerships = FakePartnershipRepository(store)
        self.outbox = FakeOutbox(store)
        self.events = FakeEventLog(store)
        self.sessions = FakeSessionRepository(store)
        self.journal = FakeJournalRepository(store)
        self.progress = FakeProgressRepository(store)
        self.audit = FakeAuditLog(store)
        self.programs = FakeProgramRepository(store)
        self.cohort_plans = FakeCohortPlanRepository(store)
        self.coordinator_groups = FakeCoordinatorGroupRepository(store)

    def __enter__(self) -> Self:
        if not self.store.lock.acquire(timeout=LOCK_TIMEOUT):
            raise TimeoutError("another unit of work held the fake store for too long")
        self._snapshot = copy.deepcopy(self.store.state)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._snapshot = None
            self.store.lock.release()

    def commit(self) -> None:
        if self._snapshot is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        self._snapshot = copy.deepcopy(self.store.state)
        self.committed = True
        self.store.commits += 1

    def rollback(self) -> None:
        """Forget everything since the last commit (or since the block began)."""
        if self._snapshot is None:
            raise RuntimeError("use the unit of work inside a `with` block")
        self.store.state = copy.deepcopy(self._snapshot)


Script = SendResult | BaseException

SENT = SendResult(SendOutcome.SENT)


class FakeMessenger:
    """Answers each ``send`` with the next scripted result (``SENT`` once the script is out).

    A scripted exception is raised instead of answered. ``before_send`` runs first on every
    call, for tests that need to hold a delivery up (on a ``threading.Event``, never a sleep).
    Every message it was asked to send is kept, as it was at that moment, in ``asked``.
    ``already_there`` maps keys to where Slack has them, for ``find_sent``; the keys it was
    asked about are kept in ``looked_for``.
    """

    def __init__(
        self,
        script: Iterable[Script] = (),
        *,
        before_send: Callable[[OutgoingMessage], None] | None = None,
    ) -> None:
        self.script: deque[Script] = deque(script)
        self.before_send = before_send
        self.asked: list[OutgoingMessage] = []
        self.already_there: dict[str, SendResult] = {}
        self.looked_for: list[str] = []
        self._lock = threading.Lock()

    def then(self, *results: Script) -> Self:
        self.script.extend(results)
        return self

    def send(self, message: OutgoingMessage) -> SendResult:
        with self._lock:
            self.asked.append(copy.deepcopy(message))
            answer = self.script.popleft() if self.script else SENT
        if self.before_send is not None:
            self.before_send(message)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def find_sent(self, message: OutgoingMessage) -> SendResult | None:
        with self._lock:
            self.looked_for.append(message.key)
            return self.already_there.get(message.key)

    @property
    def keys(self) -> list[str]:
        """The keys of the messages asked for, in order."""
        return [m.key for m in self.asked]


if TYPE_CHECKING:  # the fakes really implement the ports (`mypy tests/unit/fakes.py`)

    def _implements_ports(
        store: FakeStore,
    ) -> tuple[MatchingWork, CohortWork, SessionsWork, JournalWork, RhythmWork, Messenger]:
        uow = FakeUnitOfWork(store)
        return uow, uow, uow, uow, uow, FakeMessenger()
