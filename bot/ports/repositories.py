"""The repositories: what the core reads and writes, one small interface per kind of row.

``storage`` implements them with SQLAlchemy, unit tests with dictionaries.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.model.announcements import Announcement
from bot.model.audit import AuditEvent
from bot.model.cohort import CohortPlan
from bot.model.erasure import Erasure
from bot.model.journal import Goal, JournalPreferences, Milestone, Reflection
from bot.model.mentor_pool import MentorColumns, PoolVersion
from bot.model.onboarding import ProgramText, TextKey
from bot.model.outbox import MessageStatus, OutboxTally, OutgoingMessage
from bot.model.pair_channels import PairChannel
from bot.model.partnership import (
    AskOpening,
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    RequestStatus,
)
from bot.model.programs import Program
from bot.model.progress import CheckKind, ProgressCheck, RiskFlag
from bot.model.sessions import MemberPreferences, SessionLog, SessionSlot
from bot.model.workspaces import WorkspaceRemoval


class MentorRepository(Protocol):
    def get(self, team_id: str, user_id: str) -> MentorProfile | None: ...
    def save(self, profile: MentorProfile) -> MentorProfile: ...
    def accepting(self, team_id: str) -> list[MentorProfile]: ...
    def pool(self, team_id: str) -> MentorColumns:
        """The accepting mentors of the workspace's programs as columns, bios read into
        numbers (``bot.matching.index``): its own, and its active member workspaces' in its
        shared programs."""
        ...

    def shared(self, team_id: str) -> MentorColumns:
        """No mentors: only ``pool``'s ``members`` and ``names`` (cohort matching's)."""
        ...

    def pool_teams(self) -> list[str]:
        """The workspaces with accepting mentors (whose pools are worth building at start)."""
        ...

    def pool_version(self, team_id: str) -> PoolVersion | None:
        """Where mentors and loads stand in the workspace and each active member workspace
        of its shared programs (one indexed read); None while this transaction has
        uncommitted changes to them, so what it reads is newer than any version says."""
        ...

    def pool_changes(self, team_id: str, since: dict[str, int]) -> MentorColumns:
        """``pool``'s columns of just the profiles written after ``since`` (workspace -> the
        change number a copy was read at, ``PoolVersion.mentors_since``), with the people
        among them who are not in the pool (any more) in ``left``. Reading more than what
        changed (an older number) is harmless: a row read again is the same row."""
        ...

    def profiles(self, team_id: str, user_ids: Collection[str]) -> list[MentorProfile]:
        """Whole profiles (bios too) of just these mentors: the few a ranking picked."""
        ...

    def count_pool(self, team_id: str) -> int:
        """How many mentors ``pool`` would read (one COUNT: what a coordinator is told)."""
        ...


class RequestRepository(Protocol):
    def get(
        self, team_id: str, request_id: int, *, for_update: bool = False
    ) -> MentorRequest | None: ...
    def save(self, request: MentorRequest) -> MentorRequest: ...
    def open_for(self, team_id: str, mentee_id: str) -> MentorRequest | None: ...
    def opening(self, team_id: str, mentee_id: str) -> AskOpening:
        """``open_for``, their profile's zone and their live mentor, in one statement."""
        ...

    def waitlisted(self, team_id: str, *, shared: bool = False) -> list[MentorRequest]: ...
    def in_status(
        self, team_id: str, statuses: Collection[RequestStatus], *, shared: bool = False
    ) -> list[MentorRequest]:
        """``shared``: with the requests of active member workspaces' people in this
        workspace's shared programs."""
        ...

    def count_in_status(
        self, team_id: str, statuses: Collection[RequestStatus], *, shared: bool = False
    ) -> int:
        """How many ``in_status`` would read (one COUNT)."""
        ...


class ProposalRepository(Protocol):
    def get(
        self, team_id: str, proposal_id: int, *, for_update: bool = False
    ) -> MatchProposal | None:
        """The proposal, seen from its program's workspace or either person's."""
        ...

    def save(self, proposal: MatchProposal) -> MatchProposal: ...
    def for_mentee(self, team_id: str, mentee_id: str) -> list[MatchProposal]: ...
    def for_mentees(self, team_id: str, mentee_ids: Collection[str]) -> list[MatchProposal]:
        """``for_mentee`` for many at once (a cohort): a statement per few thousand."""
        ...

    def pending_by_mentor(self, team_id: str) -> dict[str, int]: ...
    def for_mentor(self, team_id: str, mentor_id: str) -> list[MatchProposal]:
        """Every request this mentor was asked about, the oldest first."""
        ...

    def answered_since(self, team_id: str, since: datetime) -> list[MatchProposal]:
        """Proposals answered (accepted, declined, expired) at or after ``since``."""
        ...


class PartnershipRepository(Protocol):
    def get(self, team_id: str, partnership_id: int) -> Partnership | None:
        """The partnership, seen from ``team_id``: its program's workspace or either person's
        (a pair across workspaces is reached, and clicked on, from both)."""
        ...

    def save(self, partnership: Partnership) -> Partnership: ...
    def for_member(self, team_id: str, user_id: str) -> list[Partnership]:
        """Every partnership of the person ``user_id`` of workspace ``team_id``, whichever
        workspace's program it is in."""
        ...

    def of_mentees(self, team_id: str, mentee_ids: Collection[str]) -> list[Partnership]:
        """Every partnership these people had as mentees (a cohort's exclusions)."""
        ...

    def active_by_mentor(self, team_id: str) -> dict[str, int]: ...
    def live(self, *, after_id: int = 0, limit: int | None = None) -> list[Partnership]:
        """Active and paused partnerships of every workspace (start-up housekeeping), by id:
        those after ``after_id``, at most ``limit`` of them."""
        ...


class Outbox(Protocol):
    def add(self, message: OutgoingMessage) -> bool:
        """Queue a message; False if one with the same key already exists (kept as it was)."""
        ...

    def batched(self) -> AbstractContextManager[None]:
        """Within it ``add`` answers True at once (and sets no ``id``); what was added goes in
        at its end in one go, a key already there kept as it was. For planning many pairs."""
        ...

    def cancel(self, team_id: str, key_prefix: str, *, from_key: str = "") -> int:
        """Cancel pending messages whose key starts with ``key_prefix``; how many were.

        With ``from_key``, only keys that sort at or after it (as Python compares strings):
        keys that name a moment in sortable form (a session's start) cancel what is to come
        and leave what is about the past."""
        ...

    def suspend(self, team_id: str) -> int:
        """Cancel every pending message of a removed workspace, marked so ``resume`` can
        bring them back if it returns; how many were."""
        ...

    def resume(self, team_id: str) -> int:
        """Make what ``suspend`` cancelled pending again (late ones drop as usual)."""
        ...

    def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str, token: str = ""
    ) -> list[OutgoingMessage]:
        """Take up to ``limit`` due messages for this worker only (others skip them) until
        ``now + lease``; ``token``, new per claim, is what ``renew`` and ``settle`` fence on."""
        ...

    def renew(self, ids: Collection[int], *, worker: str, token: str, until: datetime) -> set[int]:
        """Extend the lease of those rows still held under this claim; the ids still held."""
        ...

    def settle(
        self, message: OutgoingMessage, *, worker: str | None = None, token: str = ""
    ) -> bool:
        """Store the outcome of an attempt (status, attempts, last_error, due_at, sent_at).

        With ``worker``, only while the row is still held under that claim: False (nothing
        written) once another worker has claimed it, whose outcome must not be overwritten.
        """
        ...

    def due_preview(self, *, now: datetime, limit: int) -> list[OutgoingMessage]: ...

    def settle_many(
        self, messages: Sequence[OutgoingMessage], *, worker: str, token: str
    ) -> set[int]:
        """``settle`` for a batch in one statement: the ids written (held under this claim);
        the others were claimed by another worker since and are left as they are."""
        ...

    def newer_due(self, message: OutgoingMessage, *, now: datetime) -> bool:
        """Whether a newer message with the same ``coalesce_key`` is due (pending or claimed)."""
        ...

    def sent(self, team_id: str, key_prefix: str) -> list[OutgoingMessage]:
        """Messages already delivered whose key starts with ``key_prefix``."""
        ...

    def tally(self, team_id: str, key_prefix: str) -> OutboxTally:
        """How the messages whose key starts with ``key_prefix`` fared, by status and reason."""

    def status_of(self, team_id: str, key: str) -> MessageStatus | None:
        """The status of the message with exactly this key (an indexed lookup), if any."""
        ...


class SessionRepository(Protocol):
    def slot(
        self, team_id: str, partnership_id: int, *, for_update: bool = False
    ) -> SessionSlot | None:
        """``for_update``: the slot is about to change; concurrent changes take turns."""
        ...

    def save_slot(self, slot: SessionSlot) -> SessionSlot: ...
    def log(self, team_id: str, partnership_id: int, start: datetime) -> SessionLog | None: ...
    def add_log(self, log: SessionLog) -> bool:
        """Record an outcome; False if that occurrence already had one (the first counts)."""
        ...

    def logs(self, team_id: str, partnership_id: int) -> list[SessionLog]: ...
    def preferences(self, team_id: str, user_id: str) -> MemberPreferences: ...
    def save_preferences(self, preferences: MemberPreferences) -> MemberPreferences: ...


class JournalRepository(Protocol):
    """Goals, reflections, milestones and the journal settings of each person.

    Listings are newest first and paged by ``limit``/``offset``, so a long year never has to
    be read whole to show its last few entries.
    """

    def goals(self, team_id: str, partnership_id: int) -> list[Goal]: ...
    def goal(self, team_id: str, goal_id: int) -> Goal | None: ...
    def save_goal(self, goal: Goal) -> Goal: ...
    def delete_goal(self, team_id: str, goal_id: int) -> None: ...
    def reflection(self, team_id: str, reflection_id: int) -> Reflection | None: ...
    def save_reflection(self, reflection: Reflection) -> Reflection: ...
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
        """Written by one of ``authors``, or shared by ``shared_by``; newest first."""
        ...

    def count_reflections(
        self, team_id: str, *, partnership_id: int | None = None, authors: tuple[str, ...] = ()
    ) -> int: ...
    def add_milestone(self, milestone: Milestone) -> bool:
        """Record a milestone; False if the partnership already has one with that key."""
        ...

    def milestones(
        self, team_id: str, partnership_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[Milestone]: ...
    def count_milestones(self, team_id: str, partnership_id: int) -> int: ...
    def preferences(self, team_id: str, user_id: str) -> JournalPreferences: ...
    def save_preferences(self, preferences: JournalPreferences) -> JournalPreferences: ...


class ProgressRepository(Protocol):
    def check(
        self, team_id: str, partnership_id: int, user_id: str, kind: CheckKind, round_no: int
    ) -> ProgressCheck | None: ...
    def save_check(self, check: ProgressCheck) -> ProgressCheck: ...
    def checks(self, team_id: str, partnership_id: int) -> list[ProgressCheck]: ...
    def checks_of_kind(self, team_id: str, kind: CheckKind) -> list[ProgressCheck]: ...
    def add_flag(self, flag: RiskFlag) -> bool:
        """Raise a flag; False if this pair already has one for that signal and occasion."""
        ...

    def flags(self, team_id: str) -> list[RiskFlag]: ...


class EventLog(Protocol):
    def first_delivery(self, team_id: str, event_id: str, at: datetime) -> bool:
        """Record an event ID; False if it was seen before (Slack retried it)."""
        ...


class CohortPlanRepository(Protocol):
    def get(self, team_id: str, plan_id: int) -> CohortPlan | None: ...
    def save(self, plan: CohortPlan) -> CohortPlan: ...
    def start(self, plan: CohortPlan) -> bool:
        """Save a new ``PLANNING`` plan; False (nothing saved) if the workspace has one being
        planned already, whichever transaction saved it (a unique index decides a race)."""
        ...

    def planning(self, team_id: str) -> CohortPlan | None:
        """The workspace's plan being worked out, if any."""
        ...


class AuditLog(Protocol):
    def add(self, event: AuditEvent) -> None: ...
    def recent(self, team_id: str, *, limit: int) -> list[AuditEvent]: ...


def record_audit(
    log: AuditLog,
    *,
    team_id: str,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """One way to write the audit trail, so every feature records the same shape."""
    log.add(
        AuditEvent(
            team_id=team_id,
            actor_id=actor,
            action=action,
            subject=subject,
            at=at,
            detail=dict(detail or {}),
        )
    )


class AnnouncementRepository(Protocol):
    def get(self, team_id: str, announcement_id: int) -> Announcement | None: ...
    def save(self, announcement: Announcement) -> Announcement: ...
    def scheduled(self, team_id: str) -> list[Announcement]: ...


class Directory(Protocol):
    """Who takes part in a workspace's program."""

    def mentor_ids(self, team_id: str) -> list[str]: ...
    def mentee_ids(self, team_id: str) -> list[str]: ...
    def requests(self, team_id: str) -> list[MentorRequest]: ...
    def partnerships(self, team_id: str) -> list[Partnership]: ...
    def session_logs(self, team_id: str) -> list[SessionLog]: ...
    def goals_done_since(
        self, team_id: str, since: datetime, partnership_ids: Collection[int] | None = None
    ) -> int:
        """Goals done since then: of the whole workspace, or of these partnerships only."""
        ...

    def milestones_since(
        self, team_id: str, since: datetime, partnership_ids: Collection[int] | None = None
    ) -> int: ...
    def mentor_ids_in(self, team_id: str, program_id: int | None) -> list[str]:
        """Mentors whose profile is in that program (None: the workspace's default one)."""
        ...

    def in_program(self, team_id: str, program_id: int | None) -> set[str]:
        """Everyone with a mentor profile, request or partnership in that program."""
        ...

    def guest_mentor_ids(self, team_id: str) -> set[str]:
        """The workspace's mentors whose profile is in another workspace's program."""
        ...

    def hosted_members(self, host_team_id: str) -> list[tuple[int, str]]:
        """(program ID, member workspace) of every active member of the host's programs."""
        ...

    def teams(self) -> list[str]:
        """Every workspace the bot has heard from or keeps anything for (scheduled work)."""
        ...


class CoordinatorGroupRepository(Protocol):
    """The last known members of the Slack user group whose members are coordinators."""

    def members(self, team_id: str, group_id: str) -> list[str]: ...
    def is_member(self, team_id: str, group_id: str, user_id: str) -> bool: ...
    def replace(self, team_id: str, group_id: str, users: Collection[str], *, at: datetime) -> None:
        """The group is exactly ``users`` now (a full list read from Slack)."""
        ...

    def change(
        self,
        team_id: str,
        group_id: str,
        *,
        added: Collection[str],
        removed: Collection[str],
        at: datetime,
    ) -> None: ...


class ProgramTextRepository(Protocol):
    """Texts a coordinator rewrote; ``None`` means the program's default."""

    def get(self, team_id: str, key: TextKey) -> ProgramText | None: ...
    def save(self, text: ProgramText) -> None: ...


class ProgramRepository(Protocol):
    """The programs a workspace set up besides its default one (which has no row)."""

    def get(self, team_id: str, program_id: int) -> Program | None: ...
    def save(self, program: Program) -> Program: ...
    def joined(self, team_id: str) -> list[Program]:
        """Other workspaces' programs this one is an active member of (``Program.team_id``
        is the host's)."""
        ...

    def all(self, team_id: str) -> list[Program]:
        """Every program of the workspace, archived ones too."""
        ...


class WorkspaceRepository(Protocol):
    """Removed workspaces waiting out their retention, and the purge of a workspace's rows."""

    def removal(self, team_id: str) -> WorkspaceRemoval | None: ...
    def record_removal(self, removal: WorkspaceRemoval) -> None: ...
    def forget_removal(self, team_id: str) -> None: ...
    def removals(self) -> list[WorkspaceRemoval]:
        """Every removed workspace, the soonest purge first."""
        ...

    def purge(self, team_id: str) -> dict[str, int]:
        """Delete every row of every table that belongs to the workspace; counts by table."""
        ...

    def installed(self, team_id: str) -> bool:
        """Whether an installation of the workspace is stored (OAuth installs only)."""
        ...


class PersonalData(Protocol):
    def erase(self, team_id: str, user_id: str, *, placeholder: str) -> Erasure:
        """Delete what is theirs and replace every other mention of ``user_id`` in the
        workspace with ``placeholder``; outgoing messages to or about them are deleted. Their
        rows in other workspaces' programs (found by their own workspace) go too."""
        ...

    def erase_in_program(
        self,
        team_id: str,
        user_id: str,
        *,
        host_team_id: str,
        program_id: int,
        placeholder: str,
    ) -> Erasure:
        """Only what the person of ``team_id`` has in another workspace's program (their
        workspace left it): the rest of what they have stays."""
        ...


class PairChannelRepository(Protocol):
    """The pair channels across workspaces (``bot.pair_channels``)."""

    def for_partnership(self, program_team_id: str, partnership_id: int) -> PairChannel | None:
        """The partnership's channel, by the partnership's own ``team_id`` (the program's)."""
        ...

    def find(
        self, team_id: str, *, invite_id: str = "", channel_id: str = ""
    ) -> PairChannel | None:
        """The channel a Slack event names (by its invite, else its channel), among those
        ``team_id`` hosts or was invited to: an event is delivered to either side."""
        ...

    def save(self, channel: PairChannel) -> PairChannel: ...
