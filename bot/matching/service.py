"""The request-and-match journey: offer, ask, pick, accept or decline, rematch, waitlist.

Each public method is one transaction: it changes state and queues the messages that follow
from it in the same commit, so a crash can never leave a partnership without its
introduction or a decline without the mentee hearing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotFound
from bot.matching.cohort import rank_for_request
from bot.matching.scores import Candidate
from bot.model.kinds import Kind, SuggestionContext
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.model.rules import OneProgram, ProgramRules
from bot.ports import MatchingWork, PartnershipEvents, ProgramRulesSource, SuggestWork
from bot.roster import Roster

MAX_BIO = 1500
MAX_GOALS = 2000
MAX_DECLINE_REASON = 1000
MAX_ORG = 120


@dataclass(frozen=True)
class MentorOffer:
    """What a volunteer fills in with `/mentor offer`."""

    expertise: list[str]
    bio: str
    organization: str
    capacity: int
    languages: list[str]
    accepting: bool = True
    program_id: int | None = None  # None: the workspace's default program


@dataclass(frozen=True)
class MenteeAsk:
    """What a mentee fills in with `/mentor ask`."""

    goals: str
    focus_areas: list[str]
    organization: str
    wants_other_org: bool
    program_id: int | None = None


@dataclass(frozen=True)
class AskResult:
    request: MentorRequest
    candidates: list[Candidate]

    @property
    def waitlisted(self) -> bool:
        return self.request.status is RequestStatus.WAITLISTED


@dataclass(frozen=True)
class Overview:
    """Everything about one person's part in the program, for their App Home."""

    profile: MentorProfile | None
    request: MentorRequest | None
    partnerships: list[Partnership]


class MentoringService:
    def __init__(
        self,
        *,
        uow: Callable[[], MatchingWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster | None = None,
        programs: ProgramRulesSource | None = None,
        events: PartnershipEvents | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules  # the workspace's: suggestions, capacity
        self._roster = roster or Roster(uow=uow, rules=rules)
        self._programs = programs or OneProgram(rules)
        self._events = events or PartnershipEvents()

    # -- validation shared by the modals and the service --------------------------------

    def check_offer(self, offer: MentorOffer, *, team_id: str = "") -> dict[str, str]:
        """Field errors for a mentor profile, keyed by field name; empty when it is fine."""
        errors: dict[str, str] = {}
        if not self._programs.joinable(team_id, offer.program_id):
            errors["program"] = "That program is not taking people in; pick another."
        areas = self._programs.rules_for(team_id, offer.program_id).focus_areas
        if not offer.expertise:
            errors["expertise"] = "Pick at least one area you can help with."
        unknown = [a for a in offer.expertise if a not in areas]
        if unknown:
            errors["expertise"] = f"Not a focus area of this program: {', '.join(unknown)}."
        if not 1 <= offer.capacity <= self._rules.max_capacity:
            errors["capacity"] = (
                f"Choose between 1 and {self._rules.max_capacity} mentees at a time."
            )
        if len(offer.bio) > MAX_BIO:
            errors["bio"] = f"Keep the bio under {MAX_BIO} characters (it has {len(offer.bio)})."
        if len(offer.organization) > MAX_ORG:
            errors["organization"] = f"Keep the organization under {MAX_ORG} characters."
        return errors

    def check_ask(self, ask: MenteeAsk, *, team_id: str = "") -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self._programs.joinable(team_id, ask.program_id):
            errors["program"] = "That program is not taking people in; pick another."
        areas = self._programs.rules_for(team_id, ask.program_id).focus_areas
        if len(ask.goals.strip()) < 10:
            errors["goals"] = (
                "Tell your mentor a little more: what would you like to grow in this year?"
            )
        elif len(ask.goals) > MAX_GOALS:
            errors["goals"] = f"Keep it under {MAX_GOALS} characters (it has {len(ask.goals)})."
        if not ask.focus_areas:
            errors["focus_areas"] = "Pick at least one focus area."
        unknown = [a for a in ask.focus_areas if a not in areas]
        if unknown:
            errors["focus_areas"] = f"Not a focus area of this program: {', '.join(unknown)}."
        if len(ask.organization) > MAX_ORG:
            errors["organization"] = f"Keep the organization under {MAX_ORG} characters."
        return errors

    @staticmethod
    def _raise_first(errors: dict[str, str]) -> None:
        if errors:
            field, message = next(iter(errors.items()))
            raise DomainError(message, field=field)

    def overview(self, team_id: str, user_id: str) -> Overview:
        with self._uow() as uow:
            return Overview(
                profile=uow.mentors.get(team_id, user_id),
                request=uow.requests.open_for(team_id, user_id),
                partnerships=uow.partnerships.for_member(team_id, user_id),
            )

    def first_delivery(self, team_id: str, event_id: str) -> bool:
        """Slack delivers an event again when our answer was slow; act on the first only."""
        with self._uow() as uow:
            first = uow.events.first_delivery(team_id, event_id, self._clock.now())
            uow.commit()
            return first

    # -- mentors ---------------------------------------------------------------------------

    def mentor_profile(self, team_id: str, user_id: str) -> MentorProfile | None:
        with self._uow() as uow:
            return uow.mentors.get(team_id, user_id)

    def offer(
        self, *, team_id: str, user_id: str, offer: MentorOffer, tz: str, tz_offset: int
    ) -> MentorProfile:
        """Create or edit a mentor profile; a new or freed-up mentor may clear the waitlist."""
        self._raise_first(self.check_offer(offer, team_id=team_id))
        now = self._clock.now()
        with self._uow() as uow:
            profile = uow.mentors.get(team_id, user_id) or MentorProfile(
                team_id=team_id,
                user_id=user_id,
                expertise=[],
                bio="",
                organization="",
                capacity=1,
                languages=[],
                tz=tz,
                created_at=now,
            )
            profile.expertise = list(offer.expertise)
            profile.bio = offer.bio.strip()
            profile.organization = offer.organization.strip()
            profile.capacity = offer.capacity
            profile.languages = [lang.strip() for lang in offer.languages if lang.strip()]
            profile.accepting = offer.accepting
            profile.program_id = offer.program_id
            profile.tz, profile.tz_offset = tz, tz_offset
            profile.updated_at = now
            profile = uow.mentors.save(profile)
            if profile.accepting:
                self._rematch_waitlist(uow, team_id, now)
            uow.commit()
            return profile

    def set_accepting(self, *, team_id: str, user_id: str, accepting: bool) -> MentorProfile:
        now = self._clock.now()
        with self._uow() as uow:
            profile = uow.mentors.get(team_id, user_id)
            if profile is None:
                raise NotFound("You have no mentor profile yet. Run `/mentor offer` to create one.")
            profile.accepting = accepting
            profile.updated_at = now
            profile = uow.mentors.save(profile)
            if accepting:
                self._rematch_waitlist(uow, team_id, now)
            uow.commit()
            return profile

    # -- mentees ---------------------------------------------------------------------------

    def open_request(self, team_id: str, mentee_id: str) -> MentorRequest | None:
        with self._uow() as uow:
            return uow.requests.open_for(team_id, mentee_id)

    def ask(
        self, *, team_id: str, mentee_id: str, ask: MenteeAsk, tz: str, tz_offset: int
    ) -> AskResult:
        """Record what the mentee wants and suggest the best mentors, or waitlist them."""
        self._raise_first(self.check_ask(ask, team_id=team_id))
        now = self._clock.now()
        with self._uow() as uow:
            active = self._current_partnership(uow, team_id, mentee_id)
            if active is not None:
                raise Conflict(
                    f"You already have a mentor, <@{active.mentor_id}>. If the fit is not "
                    "there, `/mentor end` closes the partnership without blame, and you can ask "
                    "again."
                )
            request = uow.requests.open_for(team_id, mentee_id)
            if request is not None and request.status is RequestStatus.PENDING_MENTOR:
                pending = self._pending_proposal(uow, team_id, request)
                who = f"<@{pending.mentor_id}>" if pending else "a mentor"
                raise Conflict(
                    f"You have already asked {who}; we are waiting for their answer. "
                    "You will hear from me as soon as they reply."
                )
            if request is None:
                request = MentorRequest(
                    team_id=team_id,
                    mentee_id=mentee_id,
                    goals="",
                    focus_areas=[],
                    organization="",
                    wants_other_org=False,
                    tz=tz,
                    created_at=now,
                )
            request.goals = ask.goals.strip()
            request.focus_areas = list(ask.focus_areas)
            request.organization = ask.organization.strip()
            request.wants_other_org = ask.wants_other_org
            request.program_id = ask.program_id
            request.tz, request.tz_offset = tz, tz_offset
            request = uow.requests.save(request)
            candidates = self._suggest(uow, request, now, SuggestionContext.FIRST)
            uow.commit()
            return AskResult(request=request, candidates=candidates)

    def choose(
        self, *, team_id: str, mentee_id: str, request_id: int, mentor_id: str
    ) -> MatchProposal:
        """The mentee picks a suggested mentor: the mentor is asked, with a reminder queued."""
        now = self._clock.now()
        with self._uow() as uow:
            # Locked: a double click's second transaction waits here, then sees the first's
            # proposal (without the lock, PostgreSQL let both ask the mentor).
            request = uow.requests.get(team_id, request_id, for_update=True)
            if request is None or request.mentee_id != mentee_id:
                raise NotFound("That request is no longer open. Run `/mentor ask` to start again.")
            if request.status is RequestStatus.PENDING_MENTOR:
                pending = self._pending_proposal(uow, team_id, request)
                if pending is not None and pending.mentor_id == mentor_id:
                    return pending  # a double click: the first one already asked them
                raise Conflict("You have already asked a mentor; let's wait for their answer.")
            if request.status is not RequestStatus.MATCHING:
                raise Conflict("That request is no longer open. Run `/mentor ask` to start again.")
            mentor = uow.mentors.get(team_id, mentor_id)
            candidates = self._rank(uow, request, now, limit=10_000)
            chosen = next((c for c in candidates if c.mentor.user_id == mentor_id), None)
            if mentor is None or chosen is None:
                raise Conflict(
                    "That mentor can't take a new mentee right now. "
                    "Pick another suggestion, or run `/mentor ask` again for fresh ones."
                )
            rules = self._programs.rules(uow, team_id, request.program_id)
            proposal = ask_mentor(uow, rules=rules, request=request, chosen=chosen, now=now)
            uow.commit()
            return proposal

    # -- the mentor answers ----------------------------------------------------------------

    def proposal_for_mentor(
        self, *, team_id: str, mentor_id: str, proposal_id: int
    ) -> MatchProposal:
        with self._uow() as uow:
            return self._own_proposal(uow, team_id, mentor_id, proposal_id)

    def accept(self, *, team_id: str, mentor_id: str, proposal_id: int) -> Partnership:
        now = self._clock.now()
        with self._uow() as uow:
            proposal = self._lock_proposal(uow, team_id, mentor_id, proposal_id)
            if proposal.status is ProposalStatus.ACCEPTED:
                existing = self._partnership_of(uow, team_id, proposal)
                if existing is not None:
                    return existing  # answered twice: one partnership
            if proposal.status is not ProposalStatus.PENDING:
                raise Conflict(_answered(proposal))
            request = uow.requests.get(team_id, proposal.request_id)
            if request is None or request.status is not RequestStatus.PENDING_MENTOR:
                raise Conflict("This request is no longer open; nothing more to do.")
            proposal.status = ProposalStatus.ACCEPTED
            proposal.answered_at = now
            uow.proposals.save(proposal)
            request.status = RequestStatus.MATCHED
            request.matched_at = now
            uow.requests.save(request)
            rules = self._programs.rules(uow, team_id, request.program_id)
            partnership = uow.partnerships.save(
                Partnership(
                    team_id=team_id,
                    mentor_id=mentor_id,
                    mentee_id=proposal.mentee_id,
                    request_id=request.id,
                    started_at=now,
                    ends_at=now + rules.term,
                    program_id=request.program_id,
                )
            )
            uow.outbox.cancel(team_id, f"proposal:{proposal_id}:")
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team_id,
                    kind=Kind.INTRODUCTION,
                    recipient=f"{mentor_id},{proposal.mentee_id}",
                    key=f"partnership:{partnership.id}:introduction",
                    due_at=now,
                    payload={
                        "partnership_id": partnership.id,
                        "mentor_id": mentor_id,
                        "mentee_id": proposal.mentee_id,
                        "goals": request.goals,
                        "focus_areas": request.focus_areas,
                        "ends_at": partnership.ends_at.isoformat(),
                    },
                )
            )
            self._events.start(uow, partnership, rules)  # its rhythm, milestones, onboarding
            uow.commit()
            return partnership

    def decline(
        self, *, team_id: str, mentor_id: str, proposal_id: int, reason: str = ""
    ) -> MatchProposal:
        """The mentor says no; the mentee hears it kindly and sees who else could help."""
        if len(reason) > MAX_DECLINE_REASON:
            raise DomainError(
                f"Keep the reason under {MAX_DECLINE_REASON} characters.", field="reason"
            )
        now = self._clock.now()
        with self._uow() as uow:
            proposal = self._lock_proposal(uow, team_id, mentor_id, proposal_id)
            if proposal.status is ProposalStatus.DECLINED:
                return proposal
            if proposal.status is not ProposalStatus.PENDING:
                raise Conflict(_answered(proposal))
            proposal.status = ProposalStatus.DECLINED
            proposal.decline_reason = reason.strip()
            proposal.answered_at = now
            proposal = uow.proposals.save(proposal)
            uow.outbox.cancel(team_id, f"proposal:{proposal_id}:")
            self._reopen(uow, proposal, now, SuggestionContext.AFTER_DECLINE)
            uow.commit()
            return proposal

    def expire(self, uow: SuggestWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: a mentor never answered; move on to the next best mentors for the mentee."""
        proposal = uow.proposals.get(message.team_id, int(message.payload["proposal_id"]))
        if proposal is None or proposal.status is not ProposalStatus.PENDING:
            return
        proposal.status = ProposalStatus.EXPIRED
        proposal.answered_at = now
        uow.proposals.save(proposal)
        uow.outbox.add(
            OutgoingMessage(
                team_id=proposal.team_id,
                kind=Kind.MENTOR_REQUEST_EXPIRED,
                recipient=proposal.mentor_id,
                key=f"proposal:{proposal.id}:expired",
                due_at=now,
                payload={"mentee_id": proposal.mentee_id},
            )
        )
        self._reopen(uow, proposal, now, SuggestionContext.AFTER_NO_ANSWER)

    def offer_new_match(self, uow: SuggestWork, partnership: Partnership, now: datetime) -> None:
        """After a partnership ends early, the mentee gets fresh suggestions right away.

        A new request carries over what they asked for; the mentors of every past
        partnership of theirs stay excluded (``_excluded``), so the ended one never returns.
        """
        old = (
            uow.requests.get(partnership.team_id, partnership.request_id)
            if partnership.request_id is not None
            else None
        )
        if old is None or uow.requests.open_for(partnership.team_id, partnership.mentee_id):
            return
        request = uow.requests.save(
            MentorRequest(
                team_id=partnership.team_id,
                mentee_id=partnership.mentee_id,
                goals=old.goals,
                focus_areas=list(old.focus_areas),
                organization=old.organization,
                wants_other_org=old.wants_other_org,
                tz=old.tz,
                tz_offset=old.tz_offset,
                created_at=now,
                program_id=old.program_id,
            )
        )
        self._suggest(uow, request, now, SuggestionContext.AFTER_END)

    def reopen_request(
        self, uow: SuggestWork, team_id: str, request_id: int, now: datetime
    ) -> None:
        """The mentor a mentee was waiting on left the program: show them others at once."""
        request = uow.requests.get(team_id, request_id)
        if request is not None and request.status is RequestStatus.PENDING_MENTOR:
            self._suggest(uow, request, now, SuggestionContext.AFTER_NO_ANSWER)

    # -- internals -------------------------------------------------------------------------

    def _own_proposal(
        self,
        uow: SuggestWork,
        team_id: str,
        mentor_id: str,
        proposal_id: int,
        *,
        for_update: bool = False,
    ) -> MatchProposal:
        proposal = uow.proposals.get(team_id, proposal_id, for_update=for_update)
        if proposal is None or proposal.mentor_id != mentor_id:
            raise NotFound("I can't find that request. It may have been for someone else.")
        return proposal

    def _lock_proposal(
        self, uow: SuggestWork, team_id: str, mentor_id: str, proposal_id: int
    ) -> MatchProposal:
        """The proposal as it is once its request is locked (the order every answer and pick
        takes): of two answers at once, the second sees the first's."""
        proposal = self._own_proposal(uow, team_id, mentor_id, proposal_id)
        uow.requests.get(team_id, proposal.request_id, for_update=True)
        return self._own_proposal(uow, team_id, mentor_id, proposal_id, for_update=True)

    def _current_partnership(
        self, uow: SuggestWork, team_id: str, mentee_id: str
    ) -> Partnership | None:
        return next(
            (
                p
                for p in uow.partnerships.for_member(team_id, mentee_id)
                if p.mentee_id == mentee_id
                and p.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
            ),
            None,
        )

    def _pending_proposal(
        self, uow: SuggestWork, team_id: str, request: MentorRequest
    ) -> MatchProposal | None:
        return next(
            (
                p
                for p in uow.proposals.for_mentee(team_id, request.mentee_id)
                if p.request_id == request.id and p.status is ProposalStatus.PENDING
            ),
            None,
        )

    def _partnership_of(
        self, uow: SuggestWork, team_id: str, proposal: MatchProposal
    ) -> Partnership | None:
        return next(
            (
                p
                for p in uow.partnerships.for_member(team_id, proposal.mentee_id)
                if p.request_id == proposal.request_id and p.mentor_id == proposal.mentor_id
            ),
            None,
        )

    def _rank(
        self, uow: SuggestWork, request: MentorRequest, now: datetime, *, limit: int
    ) -> list[Candidate]:
        rules = self._programs.rules(uow, request.team_id, request.program_id)
        return rank_for(uow, rules=rules, request=request, now=now, limit=limit)

    def _suggest(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        now: datetime,
        context: SuggestionContext,
    ) -> list[Candidate]:
        """Show the mentee their best mentors, or waitlist them when nobody fits."""
        assert request.id is not None
        candidates = self._rank(uow, request, now, limit=self._rules.suggestions)
        round_no = sum(
            1
            for p in uow.proposals.for_mentee(request.team_id, request.mentee_id)
            if p.request_id == request.id
        )
        if candidates:
            request.status = RequestStatus.MATCHING
            uow.requests.save(request)
            uow.outbox.add(
                OutgoingMessage(
                    team_id=request.team_id,
                    kind=Kind.SUGGESTIONS,
                    recipient=request.mentee_id,
                    key=f"request:{request.id}:suggestions:{round_no}:{now.isoformat()}",
                    due_at=now,
                    payload={
                        "request_id": request.id,
                        "context": context.value,
                        "candidates": [
                            {
                                "mentor_id": c.mentor.user_id,
                                "score": c.score,
                                "reason": c.reason,
                                "bio": c.mentor.bio[:280],
                            }
                            for c in candidates
                        ],
                    },
                )
            )
            return candidates
        request.status = RequestStatus.WAITLISTED
        uow.requests.save(request)
        uow.outbox.add(
            OutgoingMessage(
                team_id=request.team_id,
                kind=Kind.WAITLISTED,
                recipient=request.mentee_id,
                key=f"request:{request.id}:waitlisted:{round_no}:{now.isoformat()}",
                due_at=now,
                payload={"request_id": request.id, "context": context.value},
            )
        )
        for coordinator in self._roster.of(uow, request.team_id):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=request.team_id,
                    kind=Kind.COORDINATOR_WAITLIST,
                    recipient=coordinator,
                    key=f"request:{request.id}:waitlisted:{round_no}:{coordinator}",
                    due_at=now,
                    payload={
                        "request_id": request.id,
                        "mentee_id": request.mentee_id,
                        "focus_areas": request.focus_areas,
                    },
                )
            )
        return []

    def _reopen(
        self, uow: SuggestWork, proposal: MatchProposal, now: datetime, context: SuggestionContext
    ) -> None:
        request = uow.requests.get(proposal.team_id, proposal.request_id)
        if request is None or request.status is not RequestStatus.PENDING_MENTOR:
            return
        self._suggest(uow, request, now, context)

    def _rematch_waitlist(self, uow: SuggestWork, team_id: str, now: datetime) -> None:
        for request in uow.requests.waitlisted(team_id):
            if self._rank(uow, request, now, limit=1):
                self._suggest(uow, request, now, SuggestionContext.FROM_WAITLIST)


def mentor_loads(uow: SuggestWork, team_id: str) -> dict[str, int]:
    """Mentees each mentor has, counting those they have been asked about and not answered."""
    loads = uow.partnerships.active_by_mentor(team_id)
    for mentor_id, pending in uow.proposals.pending_by_mentor(team_id).items():
        loads[mentor_id] = loads.get(mentor_id, 0) + pending
    return loads


def rank_for(
    uow: SuggestWork, *, rules: ProgramRules, request: MentorRequest, now: datetime, limit: int
) -> list[Candidate]:
    """The best mentors for a request as the program stands in this transaction: mentors of
    the request's own program only, under that program's ``rules``."""
    return rank_for_request(
        request,
        [m for m in uow.mentors.accepting(request.team_id) if m.program_id == request.program_id],
        loads=mentor_loads(uow, request.team_id),
        rule=rules.cross_company,
        excluded=excluded_mentors(uow, request),
        at=now,
        limit=limit,
    )


def excluded_mentors(uow: SuggestWork, request: MentorRequest) -> frozenset[str]:
    """Mentors never to suggest again to this mentee, and those already asked this time."""
    excluded = {
        p.mentor_id
        for p in uow.proposals.for_mentee(request.team_id, request.mentee_id)
        if p.status is ProposalStatus.DECLINED
        or (p.request_id == request.id and p.status is not ProposalStatus.WITHDRAWN)
    }
    excluded |= {
        p.mentor_id
        for p in uow.partnerships.for_member(request.team_id, request.mentee_id)
        if p.mentee_id == request.mentee_id
    }
    return frozenset(excluded)


def ask_mentor(
    uow: SuggestWork,
    *,
    rules: ProgramRules,
    request: MentorRequest,
    chosen: Candidate,
    now: datetime,
) -> MatchProposal:
    """Ask one mentor to take a request: the DM now, one reminder, then the expiry job.

    Shared by the mentee's own pick and a coordinator's cohort approval, so a mentor hears
    about a cohort match exactly the way they hear about any other request.
    """
    assert request.id is not None
    proposal = uow.proposals.save(
        MatchProposal(
            team_id=request.team_id,
            request_id=request.id,
            mentee_id=request.mentee_id,
            mentor_id=chosen.mentor.user_id,
            score=chosen.score,
            reason=chosen.reason,
            created_at=now,
        )
    )
    request.status = RequestStatus.PENDING_MENTOR
    uow.requests.save(request)
    assert proposal.id is not None
    payload = {
        "proposal_id": proposal.id,
        "mentee_id": request.mentee_id,
        "goals": request.goals,
        "focus_areas": request.focus_areas,
        "reason": chosen.reason,
    }
    prefix = f"proposal:{proposal.id}:"
    remind_at = now + rules.request_reminder_after
    for kind, suffix, due_at, body in (
        (Kind.MENTOR_REQUEST, "request", now, payload),
        (Kind.MENTOR_REQUEST_REMINDER, "reminder", remind_at, payload),
        (
            Kind.EXPIRE_PROPOSAL,
            "expire",
            remind_at + rules.request_expires_after_reminder,
            {"proposal_id": proposal.id},
        ),
    ):
        uow.outbox.add(
            OutgoingMessage(
                team_id=request.team_id,
                kind=kind,
                recipient=chosen.mentor.user_id,
                key=prefix + suffix,
                due_at=due_at,
                payload=body,
            )
        )
    return proposal


def _answered(proposal: MatchProposal) -> str:
    return {
        ProposalStatus.ACCEPTED: "You already accepted this request.",
        ProposalStatus.DECLINED: "You already declined this request; no need to do anything.",
        ProposalStatus.EXPIRED: (
            "This request expired after a few days without an answer, and the mentee has been "
            "offered other mentors. Thank you for looking!"
        ),
        ProposalStatus.WITHDRAWN: "The mentee withdrew this request.",
    }.get(proposal.status, "This request has already been answered.")
