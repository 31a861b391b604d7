"""Announcements from the program team: to the program channel, or a DM to each participant.

An announcement is drafted (the coordinator sees a preview), then scheduled, now or for later.
When its time comes a job fans it out through the outbox, one row per recipient with its own
key, so the dispatcher's rate-limit handling, retries and crash safety apply to every copy and
nobody gets it twice. A second job waits until every copy has settled and tells the author how
many went out and why any could not be delivered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.model.audit import AuditEvent
from bot.model.kinds import Kind
from bot.model.messages.announcements import (
    AnnouncementCopy,
    AnnouncementDone,
    SendAnnouncement,
    TallyAnnouncement,
)
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.programs import program_id_of
from bot.model.rules import ProgramRules
from bot.roster import Roster

if TYPE_CHECKING:  # the ports speak of announcements, so import them only for typing
    from bot.ports import AnnouncementsWork, ProgramCatalog
from bot.model.announcements import Announcement, AnnouncementStatus, Audience

MAX_TEXT = 2800  # a section holds 3,000 characters; leave room for the signature line


TALLY_EVERY = timedelta(minutes=1)


class AnnouncementService:
    def __init__(
        self,
        *,
        uow: Callable[[], AnnouncementsWork],
        clock: Clock,
        rules: ProgramRules,
        program_channel: str,
        roster: Roster | None = None,
        programs: ProgramCatalog,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._channel = program_channel
        self._roster = roster or Roster(uow=uow, rules=rules)
        self._programs = programs

    @property
    def program_channel(self) -> str:
        return self._channel

    def _require(self, user_id: str, team_id: str) -> None:
        if not self._roster.is_coordinator(team_id, user_id):
            raise NotAllowed("Announcements are for the program's coordinators.")

    def draft(
        self,
        *,
        team_id: str,
        author_id: str,
        text: str,
        audience: str,
        send_at: datetime | None,
        replaces: int | None = None,
        program: str = "",
    ) -> Announcement:
        """Check and keep what the coordinator wrote; nothing goes out until ``confirm``."""
        self._require(author_id, team_id)
        text = text.strip()
        if not text:
            raise DomainError("Write the message people will get.", field="text")
        if len(text) > MAX_TEXT:
            raise DomainError(
                f"That's {len(text):,} characters; Slack shows at most {MAX_TEXT:,} here. "
                "Shorten it, or link to a longer document.",
                field="text",
            )
        chosen = self._audience(team_id, audience, program)
        now = self._clock.now()
        if send_at is not None and send_at <= now:
            raise DomainError(
                "That time has passed: pick a later one, or send it now.", field="when"
            )
        with self._uow() as uow:
            if replaces is not None:
                self._scheduled(uow, team_id, replaces)
            announcement = uow.announcements.save(
                Announcement(
                    team_id=team_id,
                    author_id=author_id,
                    text=text,
                    audience=chosen,
                    send_at=send_at,
                    replaces=replaces,
                    created_at=now,
                    program=program,
                )
            )
            uow.commit()
            return announcement

    def _audience(self, team_id: str, audience: str, program: str) -> Audience:
        """Who gets it; a channel audience needs a channel (the program's, else the bot's)."""
        try:
            chosen = Audience(audience)
        except ValueError:
            raise DomainError("Choose who gets it.", field="audience") from None
        if program:
            try:
                one = self._programs.program(team_id, program_id_of(program))
            except NotFound:
                raise DomainError("Choose one of the programs.", field="program") from None
            if chosen is Audience.CHANNEL and not (one.channel or self._channel):
                raise DomainError(
                    f"{one.name} has no channel: choose a DM audience.", field="audience"
                )
        elif chosen is Audience.CHANNEL and not self._channel:
            raise DomainError(
                "No program channel is set (MENTORBOT_PROGRAM_CHANNEL): choose a DM audience, "
                "or ask your admin to set the channel.",
                field="audience",
            )
        return chosen

    def confirm(self, *, team_id: str, author_id: str, announcement_id: int) -> Announcement:
        """Schedule a previewed draft; an edit takes the place of the one it replaces."""
        self._require(author_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            announcement = self._get(uow, team_id, announcement_id)
            if announcement.status is not AnnouncementStatus.DRAFT:
                return announcement  # a double click on "Send"
            if announcement.replaces is not None:
                replaced = self._scheduled(uow, team_id, announcement.replaces)
                self._cancel(uow, replaced)
            announcement.status = AnnouncementStatus.SCHEDULED
            uow.announcements.save(announcement)
            assert announcement.id is not None
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team_id,
                    kind=Kind.SEND_ANNOUNCEMENT,
                    recipient=author_id,
                    key=f"announcement:{announcement.id}:fanout",
                    due_at=announcement.send_at or now,
                    payload=SendAnnouncement(announcement_id=announcement.id),
                )
            )
            self._audit(uow, announcement, "announcement.schedule", now)
            uow.commit()
            return announcement

    def cancel(self, *, team_id: str, author_id: str, announcement_id: int) -> Announcement:
        self._require(author_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            announcement = self._scheduled(uow, team_id, announcement_id)
            self._cancel(uow, announcement)
            self._audit(uow, announcement, "announcement.cancel", now)
            uow.commit()
            return announcement

    def get(self, *, team_id: str, author_id: str, announcement_id: int) -> Announcement:
        self._require(author_id, team_id)
        with self._uow() as uow:
            return self._get(uow, team_id, announcement_id)

    def scheduled(self, *, team_id: str, author_id: str) -> list[Announcement]:
        self._require(author_id, team_id)
        with self._uow() as uow:
            return uow.announcements.scheduled(team_id)

    # -- jobs, run by the dispatcher -------------------------------------------------------

    def fan_out(self, uow: AnnouncementsWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: one outbox row per recipient, then a tally to report back to the author."""
        job = message.payload_as(SendAnnouncement)
        announcement = uow.announcements.get(message.team_id, job.announcement_id)
        if announcement is None or announcement.status is not AnnouncementStatus.SCHEDULED:
            return
        assert announcement.id is not None
        recipients = self._recipients(uow, announcement)
        for recipient in recipients:
            uow.outbox.add(
                OutgoingMessage(
                    team_id=announcement.team_id,
                    kind=Kind.ANNOUNCEMENT,
                    recipient=recipient,
                    key=f"announcement:{announcement.id}:to:{recipient}",
                    due_at=now,
                    payload=AnnouncementCopy(
                        text=announcement.text,
                        author_id=announcement.author_id,
                        audience=announcement.audience,
                    ),
                )
            )
        announcement.status = AnnouncementStatus.SENDING
        announcement.sent_at = now
        announcement.recipients = len(recipients)
        uow.announcements.save(announcement)
        self._queue_tally(uow, announcement, now + TALLY_EVERY, round_no=1)

    def tally(self, uow: AnnouncementsWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: once every copy has settled, tell the author how it went; else look again."""
        tally = message.payload_as(TallyAnnouncement)
        announcement = uow.announcements.get(message.team_id, tally.announcement_id)
        if announcement is None or announcement.status is not AnnouncementStatus.SENDING:
            return
        counts = uow.outbox.tally(announcement.team_id, f"announcement:{announcement.id}:to:")
        if not counts.settled:
            round_no = tally.round + 1
            self._queue_tally(uow, announcement, now + TALLY_EVERY, round_no=round_no)
            return
        announcement.delivered = counts.by_status.get(MessageStatus.SENT, 0)
        announcement.failed = sum(counts.failures.values())
        announcement.status = AnnouncementStatus.SENT
        uow.announcements.save(announcement)
        assert announcement.id is not None
        uow.outbox.add(
            OutgoingMessage(
                team_id=announcement.team_id,
                kind=Kind.ANNOUNCEMENT_DONE,
                recipient=announcement.author_id,
                key=f"announcement:{announcement.id}:done",
                due_at=now,
                payload=AnnouncementDone(
                    announcement_id=announcement.id,
                    audience=announcement.audience,
                    recipients=announcement.recipients,
                    delivered=announcement.delivered,
                    failures=dict(counts.failures),
                ),
            )
        )

    # -- internals -------------------------------------------------------------------------

    def _recipients(self, uow: AnnouncementsWork, announcement: Announcement) -> list[str]:
        team = announcement.team_id
        program_id = program_id_of(announcement.program)
        if announcement.audience is Audience.CHANNEL:
            if announcement.program:
                return [self._programs.rules(uow, team, program_id).channel or self._channel]
            return [self._channel]
        people: set[str] = set()
        if announcement.audience in (Audience.EVERYONE, Audience.MENTORS):
            people |= set(uow.directory.mentor_ids(team))
        if announcement.audience in (Audience.EVERYONE, Audience.MENTEES):
            people |= set(uow.directory.mentee_ids(team))
        if announcement.program:  # one program's people only
            people &= uow.directory.in_program(team, program_id)
        return sorted(people)

    @staticmethod
    def _queue_tally(
        uow: AnnouncementsWork, announcement: Announcement, due_at: datetime, *, round_no: int
    ) -> None:
        assert announcement.id is not None
        uow.outbox.add(
            OutgoingMessage(
                team_id=announcement.team_id,
                kind=Kind.TALLY_ANNOUNCEMENT,
                recipient=announcement.author_id,
                key=f"announcement:{announcement.id}:tally:{round_no}",
                due_at=due_at,
                payload=TallyAnnouncement(announcement_id=announcement.id, round=round_no),
            )
        )

    @staticmethod
    def _get(uow: AnnouncementsWork, team_id: str, announcement_id: int) -> Announcement:
        announcement = uow.announcements.get(team_id, announcement_id)
        if announcement is None:
            raise NotFound("I can't find that announcement.")
        return announcement

    def _scheduled(
        self, uow: AnnouncementsWork, team_id: str, announcement_id: int
    ) -> Announcement:
        announcement = self._get(uow, team_id, announcement_id)
        if announcement.status is not AnnouncementStatus.SCHEDULED:
            raise Conflict(
                "That announcement has already gone out or was cancelled, so it can't be "
                "changed any more."
            )
        return announcement

    @staticmethod
    def _cancel(uow: AnnouncementsWork, announcement: Announcement) -> None:
        announcement.status = AnnouncementStatus.CANCELLED
        uow.announcements.save(announcement)
        uow.outbox.cancel(announcement.team_id, f"announcement:{announcement.id}:")

    @staticmethod
    def _audit(
        uow: AnnouncementsWork, announcement: Announcement, action: str, at: datetime
    ) -> None:
        uow.audit.add(
            AuditEvent(
                team_id=announcement.team_id,
                actor_id=announcement.author_id,
                action=action,
                subject=f"announcement:{announcement.id}",
                at=at,
                detail={"audience": announcement.audience.value},
            )
        )


def summarize_failures(failures: dict[str, int]) -> str:
    """'2 could not be reached (user_not_found: 1, account_inactive: 1)', or ''."""
    total = sum(failures.values())
    if not total:
        return ""
    ordered = sorted(failures.items(), key=lambda item: (-item[1], item[0]))
    reasons = ", ".join(f"{reason}: {n}" for reason, n in ordered)
    return f"{total} could not be reached ({reasons})"
