"""A workspace leaving a program shared with it: removed by the host, left by its own
coordinator (`/mentor program leave <name>`), or gone with the app (uninstalled, tokens
revoked).

Whichever way it goes, the same happens once (``depart``), in the transaction that records
it, so a retried event or a second click finds nothing left to do:

- Every live partnership across the boundary ends, kindly: the end reason is the category
  ``THEIR_COMPANY_LEFT`` and the partner who stays is told in their own Slack that their
  partner's company left (nothing about why), gets the exit survey as after any ending, and a
  mentee who stays is offered new mentors at once (``Rematch``: the mentors of past
  partnerships stay excluded, and the one who left is out of the pool anyway).
- The leaving workspace's people's open requests in the program are cancelled and every
  unanswered proposal with one of them on either side is withdrawn (a mentee of another
  workspace who waited on one of them is shown other mentors at once); their mentor profiles
  in the program are deleted, so nobody is suggested them from this moment on.
- Their data in the host's program goes with the ``ERASE_DEPARTED`` job: after the retention
  period when the workspace left or was removed (it may come back: joining again cancels the
  job), at once when it uninstalled the app. What is the person's goes (requests, proposals,
  what they wrote about those partnerships, what hangs off those partnerships: goals,
  milestones, check-ins, risk flags, the session slot); what is the program's stays
  anonymous (the partnership rows and session logs, under a placeholder, for its numbers).
- The coordinators of the host and of the member are told in a DM (in their working hours),
  and each workspace's audit log records it.

The host itself removing the app (``host_gone``) is the mirror image: for every member the
program is gone. Their people's pairs in it end kindly, told in their own Slack that the
company running the program left (no rematch in a program that is gone, no exit survey
nobody could read), their requests, proposals and profiles there close, their coordinators
hear it, and nothing is queued for the host, whose token is gone. The removal is recorded
once (``WorkspaceService.removed``), so a retried event does nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.errors import NotAllowed, NotFound, echo
from bot.model.erasure import is_erased, new_placeholder
from bot.model.kinds import Kind
from bot.model.messages.people import EraseDeparted, PartnerLeft, ProgramMembersChanged
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.model.sharing import MembershipStatus, ProgramMembership
from bot.ports import PartnershipEvents, Rematch, Reopen, record_audit
from bot.roster import Roster

if TYPE_CHECKING:  # the ports name this feature's nouns: imported for annotations only
    from bot.programs.ports import LeavingWork

THEIR_COMPANY_LEFT = "their company left the program"  # the end reason: no blame, no detail
HOST_LEFT = "the company running the program left"  # the host's uninstall: the program's gone
OPEN_REQUESTS = (RequestStatus.MATCHING, RequestStatus.PENDING_MENTOR, RequestStatus.WAITLISTED)

NOT_COORDINATOR = (
    "Leaving a program is for your workspace's coordinators. If you should be one, ask your "
    "program team to add you."
)


class Departure(StrEnum):
    JOINED = "joined"  # not a departure: the same news, the other way
    LEFT = "left"  # its own coordinator took it out
    REMOVED = "removed"  # the host's coordinator took it out
    UNINSTALLED = "uninstalled"  # Mentorbot was removed from it
    HOST_LEFT = "host_left"  # Mentorbot was removed from the program's own (host) workspace


@dataclass(frozen=True)
class Departed:
    """What leaving changed, for the coordinator's confirmation and the audit log."""

    program: str
    host: str
    pairs_ended: int
    partners_told: int
    requests_cancelled: int
    proposals_withdrawn: int
    profiles_removed: int


@dataclass(frozen=True)
class Leaving:
    """What the member's coordinator is asked to confirm."""

    membership_id: int
    program: str
    host: str
    live_pairs: int


def erase_key(membership: ProgramMembership) -> str:
    return f"departed:{membership.host_team_id}:{membership.program_id}:{membership.team_id}:"


class Departures:
    def __init__(
        self,
        *,
        uow: Callable[[], LeavingWork],
        clock: Clock,
        roster: Roster,
        retention: timedelta,
        rematch: Rematch | None = None,
        reopen: Reopen | None = None,
        events: PartnershipEvents | None = None,
        forget: Callable[[str], None] | None = None,
    ) -> None:
        self._uow = uow
        self._forget = forget or (lambda _team_id: None)  # a workspace's cached programs
        self._clock = clock
        self._roster = roster
        self._retention = retention
        self._rematch = rematch
        self._reopen = reopen
        self._events = events or PartnershipEvents()

    # -- `/mentor program leave <name>`: the member's coordinator ---------------------------

    def leaving(self, *, team_id: str, coordinator_id: str, name: str) -> Leaving:
        """What leaving would do, for the confirmation; refused as leaving would be."""
        self._require(coordinator_id, team_id)
        with self._uow() as uow:
            membership, program = self._joined(uow, team_id, name)
            assert membership.id is not None
            live = [
                p
                for p in uow.sharing.pairs_with(
                    membership.host_team_id, membership.program_id, team_id
                )
                if p.live
            ]
            return Leaving(
                membership_id=membership.id,
                program=program,
                host=_name(uow, membership.host_team_id),
                live_pairs=len(live),
            )

    def leave(self, *, team_id: str, coordinator_id: str, membership_id: int) -> Departed | None:
        """Confirmed: take this workspace out of the host's program. None when it had left
        already (a second click, a retried request): nothing is done twice."""
        self._require(coordinator_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            membership = next(
                (m for m in uow.sharing.joined(team_id) if m.id == membership_id), None
            )
            if membership is None:
                return None
            membership.status = MembershipStatus.REMOVED
            membership.removed_by, membership.removed_at = coordinator_id, now
            uow.sharing.save_membership(membership)
            departed = self.depart(
                uow, membership, how=Departure.LEFT, actor=coordinator_id, now=now
            )
            uow.commit()
        self._forget(team_id)
        return departed

    # -- the app gone from a member workspace -------------------------------------------------

    def workspace_removed(self, uow: LeavingWork, team_id: str, now: datetime) -> int:
        """In the removal's transaction: the workspace leaves every program it joined, its
        people's data there goes at once. How many programs it left."""
        joined = uow.sharing.joined(team_id)
        for membership in joined:
            membership.status = MembershipStatus.REMOVED
            membership.removed_by, membership.removed_at = "slack:app_uninstalled", now
            uow.sharing.save_membership(membership)
            self.depart(
                uow,
                membership,
                how=Departure.UNINSTALLED,
                actor="slack:app_uninstalled",
                now=now,
            )
        hosted = uow.sharing.hosted(team_id)
        for membership in hosted:
            membership.status = MembershipStatus.REMOVED
            membership.removed_by, membership.removed_at = "slack:app_uninstalled", now
            uow.sharing.save_membership(membership)
            self.host_gone(uow, membership, now=now)
        return len(joined) + len(hosted)

    def host_gone(self, uow: LeavingWork, membership: ProgramMembership, *, now: datetime) -> int:
        """The program's own workspace removed the app: for this member workspace the program
        is gone. Its people's pairs in it end kindly (told in their own Slack; nobody can be
        rematched in a program that is gone, and its exit survey would reach nobody), their
        open requests, proposals and profiles there close, their coordinators are told.
        Nothing is queued for the host: its token is gone. How many pairs ended."""
        host, member, program_id = (
            membership.host_team_id,
            membership.team_id,
            membership.program_id,
        )
        program = uow.programs.get(host, program_id)
        program_name = program.name if program is not None else "the program"
        company = _name(uow, host)
        pairs = [p for p in uow.sharing.pairs_with(host, program_id, member) if p.live]
        for partnership in pairs:
            assert partnership.id is not None
            self._close(uow, partnership, HOST_LEFT, now)
            for person in partnership.members():
                if partnership.team_of(person) == host:
                    continue  # the host's own people: nothing can reach them now
                _tell_left(uow, partnership, person, company, now, program_gone=True)
        cancelled = 0
        for request in uow.sharing.requests_of(member, host, program_id):
            if request.status in OPEN_REQUESTS:
                request.status = RequestStatus.CANCELLED
                uow.requests.save(request)
                cancelled += 1
        for proposal in uow.sharing.pending_proposals_with(host, program_id, member):
            proposal.status = ProposalStatus.WITHDRAWN
            proposal.answered_at = now
            uow.proposals.save(proposal)
        uow.sharing.remove_profiles(member, host, program_id)
        uow.outbox.add(  # their people's data in the gone program, after the retention period
            OutgoingMessage(
                team_id=member,  # a job, never sent: kept off the host's suspended rows
                kind=Kind.ERASE_DEPARTED,
                recipient="",
                key=f"{erase_key(membership)}host_left:{now.isoformat()}",
                due_at=now + self._retention,
                payload=EraseDeparted(
                    host_team_id=host, program_id=program_id, member_team_id=member
                ),
            )
        )
        for coordinator in self._roster.of(uow, member):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=member,
                    kind=Kind.PROGRAM_MEMBERS_CHANGED,
                    recipient=coordinator,
                    key=f"program:{program_id}:{member}:host_left:{now.isoformat()}:{coordinator}",
                    due_at=now,
                    payload=ProgramMembersChanged(
                        program=program_name,
                        host=company,
                        member=_name(uow, member),
                        change=Departure.HOST_LEFT.value,
                        to_host=False,
                        pairs_ended=len(pairs),
                    ),
                )
            )
        record_audit(
            uow.audit,
            team_id=member,
            actor="slack:app_uninstalled",
            action="program.host_left",
            subject=f"program:{program_id}",
            at=now,
            detail={"host": host, "pairs_ended": len(pairs), "requests_cancelled": cancelled},
        )
        return len(pairs)

    # -- the one way out ---------------------------------------------------------------------

    def depart(
        self,
        uow: LeavingWork,
        membership: ProgramMembership,
        *,
        how: Departure,
        actor: str,
        now: datetime,
    ) -> Departed:
        """Everything leaving changes, in the caller's transaction (the membership is already
        marked as ended there); see the module's docstring."""
        host, member, program_id = (
            membership.host_team_id,
            membership.team_id,
            membership.program_id,
        )
        program = uow.programs.get(host, program_id)
        program_name = program.name if program is not None else "the program"
        company = _name(uow, member)
        told = 0
        pairs = [p for p in uow.sharing.pairs_with(host, program_id, member) if p.live]
        for partnership in pairs:
            told += self._end(uow, partnership, member, company, now)
        cancelled = 0
        for request in uow.sharing.requests_of(member, host, program_id):
            if request.status in OPEN_REQUESTS:
                request.status = RequestStatus.CANCELLED
                uow.requests.save(request)
                cancelled += 1
        withdrawn = 0
        for proposal in uow.sharing.pending_proposals_with(host, program_id, member):
            proposal.status = ProposalStatus.WITHDRAWN
            proposal.answered_at = now
            uow.proposals.save(proposal)
            withdrawn += 1
            waiting = proposal.mentee_team_id != member
            if waiting and self._reopen is not None:  # they waited on someone who left
                self._reopen(uow, proposal.mentee_team_id, proposal.request_id, now)
        profiles = uow.sharing.remove_profiles(member, host, program_id)
        uow.outbox.add(
            OutgoingMessage(
                team_id=host,
                kind=Kind.ERASE_DEPARTED,
                recipient="",
                key=f"{erase_key(membership)}{now.isoformat()}",
                due_at=now if how is Departure.UNINSTALLED else now + self._retention,
                payload=EraseDeparted(
                    host_team_id=host, program_id=program_id, member_team_id=member
                ),
            )
        )
        self.tell_coordinators(
            uow, membership, how=how, program=program_name, pairs_ended=len(pairs), now=now
        )
        if how is not Departure.REMOVED:  # the host's remove records its own, both sides
            detail = {"pairs_ended": len(pairs), "requests_cancelled": cancelled}
            for team, action, other in (
                (member, f"program.{how.value}", {"host": host}),
                (host, f"program.member_{how.value}", {"member": member}),
            ):
                record_audit(
                    uow.audit,
                    team_id=team,
                    actor=actor,
                    action=action,
                    subject=f"program:{program_id}",
                    at=now,
                    detail={**other, **detail},
                )
        return Departed(
            program=program_name,
            host=_name(uow, host),
            pairs_ended=len(pairs),
            partners_told=told,
            requests_cancelled=cancelled,
            proposals_withdrawn=withdrawn,
            profiles_removed=profiles,
        )

    def tell_coordinators(
        self,
        uow: LeavingWork,
        membership: ProgramMembership,
        *,
        how: Departure,
        program: str,
        now: datetime,
        pairs_ended: int = 0,
    ) -> None:
        """The news to the coordinators of both workspaces, each in their own Slack (the
        member's only while the app is still theirs)."""
        host, member = membership.host_team_id, membership.team_id
        names = {"host": _name(uow, host), "member": _name(uow, member)}
        teams = [host] if how is Departure.UNINSTALLED else [host, member]
        for team in teams:
            for coordinator in self._roster.of(uow, team):
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=team,
                        kind=Kind.PROGRAM_MEMBERS_CHANGED,
                        recipient=coordinator,
                        key=f"program:{membership.program_id}:{member}:{how.value}:"
                        f"{now.isoformat()}:{coordinator}",
                        due_at=now,
                        payload=ProgramMembersChanged(
                            program=program,
                            host=names["host"],
                            member=names["member"],
                            change=how.value,
                            to_host=team == host,
                            pairs_ended=pairs_ended,
                        ),
                    )
                )

    def erase_job(self, uow: LeavingWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: the leaving workspace's people's data in the host's program goes, unless the
        workspace is back in it. Safe to run again: what went is not found twice."""
        job = message.payload_as(EraseDeparted)
        host, member, program_id = job.host_team_id, job.member_team_id, job.program_id
        membership = uow.sharing.membership(member, host_team_id=host, program_id=program_id)
        if membership is not None and membership.active:
            return  # joined again within the retention period: nothing goes
        people: set[str] = set()
        for partnership in uow.sharing.pairs_with(host, program_id, member):
            people.update(
                user
                for user in partnership.members()
                if partnership.includes(member, user) and not is_erased(user)
            )
        people.update(r.mentee_id for r in uow.sharing.requests_of(member, host, program_id))
        rows = 0
        for user_id in sorted(people):
            erasure = uow.people.erase_in_program(
                member,
                user_id,
                host_team_id=host,
                program_id=program_id,
                placeholder=new_placeholder(),
            )
            rows += sum(erasure.counts.values())
        if people:
            record_audit(
                uow.audit,
                team_id=host,
                actor="retention",
                action="program.member_data_erased",
                subject=f"program:{program_id}",
                at=now,
                detail={"member": member, "people": len(people), "rows": rows},
            )

    # -- internals -------------------------------------------------------------------------

    def _end(
        self,
        uow: LeavingWork,
        partnership: Partnership,
        member: str,
        company: str,
        now: datetime,
    ) -> int:
        """End one pair across the boundary; how many partners were told (0 when both
        people are of the leaving workspace: nobody stays)."""
        assert partnership.id is not None
        self._close(uow, partnership, THEIR_COMPANY_LEFT, now)
        stays = tuple(u for u in partnership.members() if not partnership.includes(member, u))
        for partner in stays:
            _tell_left(uow, partnership, partner, company, now, program_gone=False)
        if stays:
            self._events.finish(uow, partnership, stays, now)  # the exit survey
        if partnership.mentee_id in stays and self._rematch is not None:
            self._rematch(uow, partnership, now)
        return len(stays)

    def _close(
        self, uow: LeavingWork, partnership: Partnership, reason: str, now: datetime
    ) -> None:
        """The pair ends now, and nothing planned for it is sent (in any of its workspaces)."""
        partnership.status = PartnershipStatus.ENDED
        partnership.ended_at = now
        partnership.end_reason = reason
        partnership.paused_until = None
        uow.partnerships.save(partnership)
        for team in {partnership.team_id, partnership.mentee_team_id, partnership.mentor_team_id}:
            uow.outbox.cancel(team, f"rhythm:{partnership.id}:")
            uow.outbox.cancel(team, f"session:{partnership.id}:")
        self._events.close(uow, partnership, now)

    def _joined(self, uow: LeavingWork, team_id: str, name: str) -> tuple[ProgramMembership, str]:
        wanted = name.strip().casefold()
        for membership in uow.sharing.joined(team_id):
            program = uow.programs.get(membership.host_team_id, membership.program_id)
            if program is not None and program.name.casefold() == wanted:
                return membership, program.name
        raise NotFound(
            f"Your workspace isn't in a program called {echo(name.strip())} run by another "
            "workspace. `/mentor program` lists the programs it takes part in."
        )

    def _require(self, user_id: str, team_id: str) -> None:
        if not self._roster.is_coordinator(team_id, user_id):
            raise NotAllowed(NOT_COORDINATOR)


def _tell_left(
    uow: LeavingWork,
    partnership: Partnership,
    person: str,
    company: str,
    now: datetime,
    *,
    program_gone: bool,
) -> None:
    """Tell one of the pair, in their own Slack, that the other side's company left (or the
    company running the program did: ``program_gone``); once per pair and person."""
    assert partnership.id is not None
    event = "host_left" if program_gone else "partner_left"
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_of(person),
            kind=Kind.PARTNER_LEFT,
            recipient=person,
            key=f"partnership:{partnership.id}:{event}:{person}",
            due_at=now,
            payload=PartnerLeft(
                partnership_id=partnership.id,
                to_mentee=person == partnership.mentee_id,
                company=company,
                program_gone=program_gone or None,  # stored as before: absent unless set
            ),
        )
    )


def _name(uow: LeavingWork, team_id: str) -> str:
    return uow.sharing.workspace_name(team_id) or f"workspace {team_id}"
