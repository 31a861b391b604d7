"""People's data: forget me, a coordinator's erasure, and erasure after leaving Slack.

An erasure deletes what is the person's own (profile, requests, the reflections they wrote),
the goals, milestones, check-ins and risk flags of their partnerships, and every message to or
about them. Their live
partnerships end: the partner is told kindly and without detail, keeps their own reflections,
and a mentee partner is offered new mentors. What coordinators count stays countable: a
partnership row remains under a placeholder that ties to nobody (``bot.erasure``), so /mentor
report keeps its pairs, sessions and endings ("left the program") as anonymous numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import DomainError, NotAllowed
from bot.model.audit import AuditEvent
from bot.model.erasure import new_placeholder
from bot.model.kinds import Kind
from bot.model.messages.people import ErasePerson, PartnerLeft
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus, partner_of
from bot.ports import PartnershipEvents, PrivacyWork, Rematch, Reopen
from bot.roster import Roster

LEFT_THE_PROGRAM = "left the program"  # the end reason: a category, nothing about why
SELF = "self"  # the actor of a forget-me in the audit log: never the person's ID
SLACK_DELETED = "slack:user_deleted"  # the actor of an erasure after leaving Slack


@dataclass(frozen=True)
class Footprint:
    """What an erasure would delete, for the confirmation to say plainly."""

    mentor_profile: bool
    open_request: bool
    live_partnerships: int
    past_partnerships: int
    reflections: int

    @property
    def empty(self) -> bool:
        return not (
            self.mentor_profile
            or self.open_request
            or self.live_partnerships
            or self.past_partnerships
            or self.reflections
        )


@dataclass(frozen=True)
class Erased:
    partnerships_ended: int
    partners_told: int
    rows: int


def erase_key_prefix(user_id: str) -> str:
    return f"erase:{user_id}:"


class PrivacyService:
    def __init__(
        self,
        *,
        uow: Callable[[], PrivacyWork],
        clock: Clock,
        roster: Roster,
        retention: timedelta,
        rematch: Rematch | None = None,
        reopen: Reopen | None = None,
        events: PartnershipEvents | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roster = roster
        self._retention = retention
        self._rematch = rematch
        self._reopen = reopen
        self._events = events or PartnershipEvents()

    def is_coordinator(self, user_id: str, *, team_id: str) -> bool:
        return self._roster.is_coordinator(team_id, user_id)

    def footprint(self, *, team_id: str, user_id: str) -> Footprint:
        with self._uow() as uow:
            partnerships = uow.partnerships.for_member(team_id, user_id)
            return Footprint(
                mentor_profile=uow.mentors.get(team_id, user_id) is not None,
                open_request=uow.requests.open_for(team_id, user_id) is not None,
                live_partnerships=sum(1 for p in partnerships if p.live),
                past_partnerships=sum(1 for p in partnerships if not p.live),
                reflections=uow.journal.count_reflections(team_id, authors=(user_id,)),
            )

    def forget_me(self, *, team_id: str, user_id: str) -> Erased:
        """The person asked, and confirmed: erase them now."""
        if not user_id:
            raise DomainError("I couldn't tell who you are; please try again.")
        with self._uow() as uow:
            erased = self._erase(uow, team_id, user_id, actor=SELF, action="person.forget_me")
            uow.commit()
            return erased

    def erase(self, *, team_id: str, coordinator_id: str, user_id: str) -> Erased:
        """A coordinator erases someone who left the organisation (audited without their ID)."""
        if not self.is_coordinator(coordinator_id, team_id=team_id):
            raise NotAllowed(
                "Erasing someone is for the program's coordinators. If they want to leave, "
                "they can use `/mentor forget-me` themselves."
            )
        if not user_id:
            raise DomainError("Say whom to erase, like `/mentor erase @name`.")
        actor = SELF if user_id == coordinator_id else coordinator_id
        with self._uow() as uow:
            erased = self._erase(uow, team_id, user_id, actor=actor, action="person.erase")
            uow.commit()
            return erased

    # -- Slack's user_change events ---------------------------------------------------------

    def user_deleted(self, *, team_id: str, user_id: str) -> bool:
        """Slack deactivated them: erase after the retention period, unless they come back.
        False if an erasure was already waiting (Slack repeats user_change often)."""
        now = self._clock.now()
        with self._uow() as uow:
            waiting = uow.outbox.tally(team_id, erase_key_prefix(user_id))
            if waiting.by_status.get(MessageStatus.PENDING, 0):
                return False
            added = uow.outbox.add(
                OutgoingMessage(
                    team_id=team_id,
                    kind=Kind.ERASE_PERSON,
                    recipient=user_id,
                    key=f"{erase_key_prefix(user_id)}{now.isoformat()}",
                    due_at=now + self._retention,
                    payload=ErasePerson(user_id=user_id),
                )
            )
            uow.commit()
            return added

    def user_reactivated(self, *, team_id: str, user_id: str) -> int:
        """Back in Slack before the erasure ran: nothing is erased. How many were waiting."""
        with self._uow() as uow:
            cancelled = uow.outbox.cancel(team_id, erase_key_prefix(user_id))
            uow.commit()
            return cancelled

    def erase_job(self, uow: PrivacyWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: the retention period after a deletion in Slack has passed."""
        self._erase(
            uow,
            message.team_id,
            message.payload_as(ErasePerson).user_id,
            actor=SLACK_DELETED,
            action="person.erase_after_retention",
            now=now,
        )

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _end_partnerships(
        uow: PrivacyWork, team_id: str, user_id: str, now: datetime
    ) -> list[tuple[Partnership, str]]:
        """End the person's live partnerships, nothing more asked of them; each with the
        partner to tell."""
        ended: list[tuple[Partnership, str]] = []
        for partnership in uow.partnerships.for_member(team_id, user_id):
            if not partnership.live:
                continue
            partnership.status = PartnershipStatus.ENDED
            partnership.ended_at = now
            partnership.end_reason = LEFT_THE_PROGRAM
            partnership.paused_until = None
            uow.partnerships.save(partnership)
            # the pair's prompts wait in each person's workspace and the program's
            for team in {
                partnership.team_id,
                partnership.mentee_team_id,
                partnership.mentor_team_id,
            }:
                uow.outbox.cancel(team, f"rhythm:{partnership.id}:")
                uow.outbox.cancel(team, f"session:{partnership.id}:")
            ended.append((partnership, partner_of(partnership, user_id)))
        return ended

    def _erase(
        self,
        uow: PrivacyWork,
        team_id: str,
        user_id: str,
        *,
        actor: str,
        action: str,
        now: datetime | None = None,
    ) -> Erased:
        now = now or self._clock.now()
        ended = self._end_partnerships(uow, team_id, user_id, now)
        erasure = uow.people.erase(team_id, user_id, placeholder=new_placeholder())
        for partnership, partner in ended:
            assert partnership.id is not None
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(partner),  # told in their own Slack
                    kind=Kind.PARTNER_LEFT,
                    recipient=partner,
                    key=f"partnership:{partnership.id}:partner_left:{partner}",
                    due_at=now,
                    payload=PartnerLeft(
                        partnership_id=partnership.id,
                        to_mentee=partner == partnership.mentee_id,
                    ),
                )
            )
            self._events.finish(uow, partnership, (partner,), now)  # the exit survey
            if partner == partnership.mentee_id and self._rematch is not None:
                self._rematch(uow, partnership, now)
        if self._reopen is not None:
            for request_id in erasure.waiting_request_ids:
                self._reopen(uow, erasure.waiting_teams.get(request_id, team_id), request_id, now)
        rows = sum(erasure.counts.values())
        if not rows and not erasure.partnership_ids:
            # someone deleted from Slack who never took part: nothing happened to record
            return Erased(partnerships_ended=0, partners_told=0, rows=0)
        uow.audit.add(
            AuditEvent(
                team_id=team_id,
                actor_id=actor,
                action=action,
                subject="person:erased",
                at=now,
                detail={
                    "partnerships_ended": len(ended),
                    "partnerships_kept_anonymous": len(erasure.partnership_ids),
                    **{f"deleted_{k}": v for k, v in erasure.counts.items() if k != "replaced"},
                    "mentions_replaced": erasure.counts.get("replaced", 0),
                },
            )
        )
        return Erased(partnerships_ended=len(ended), partners_told=len(ended), rows=rows)
