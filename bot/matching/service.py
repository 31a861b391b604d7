"""The request-and-match journey: offer, ask, pick, accept or decline, rematch, waitlist.

Each public method is one transaction: it changes state and queues the messages that follow
from it in the same commit, so a crash can never leave a partnership without its
introduction or a decline without the mentee hearing about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotFound
from bot.matching.capacity import Capacity, after_decline, decline_choice, resume_prefix
from bot.matching.companies import LEFT_PROGRAM, program_owner
from bot.matching.digest import CapacityDigest
from bot.matching.forms import MAX_DECLINE_REASON, FormChecks, MenteeAsk, MentorOffer, raise_first
from bot.matching.scores import Candidate
from bot.matching.suggestions import Suggestions, ask_mentor, company_names
from bot.model.kinds import Kind, SuggestionContext
from bot.model.languages import known_languages
from bot.model.messages.matching import ExpireProposal, Introduction, RequestExpired
from bot.model.outbox import OutgoingMessage
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
from bot.model.rules import OneProgram, ProgramRules
from bot.ports import MatchingWork, PartnershipEvents, ProgramRulesSource, SuggestWork
from bot.roster import Roster

__all__ = ["AskResult", "MenteeAsk", "MentorOffer", "MentoringService", "Overview"]


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
        self._forms = FormChecks(rules=rules, programs=self._programs)
        self._suggestions = Suggestions(
            rules=rules, roster=self._roster, programs=self._programs, reader=uow
        )
        self.index = self._suggestions.index  # ``warm`` at start-up, ``wait_idle`` in tests
        self.capacity = Capacity(uow=uow, clock=clock, rules=rules, suggestions=self._suggestions)
        self.digest = CapacityDigest(uow=uow, clock=clock, rules=rules, roster=self._roster)
        # run in another feature's transaction (wired as its ``Rematch`` / ``Reopen``)
        self.offer_new_match = self.capacity.offer_new_match
        self.reopen_request = self._suggestions.reopen_request

    def check_offer(self, offer: MentorOffer, *, team_id: str = "") -> dict[str, str]:
        """Field errors for a mentor profile, keyed by field name; empty when it is fine."""
        return self._forms.check_offer(offer, team_id=team_id)

    def check_ask(self, ask: MenteeAsk, *, team_id: str = "") -> dict[str, str]:
        return self._forms.check_ask(ask, team_id=team_id)

    def overview(self, team_id: str, user_id: str) -> Overview:
        with self._uow() as uow:
            return Overview(
                profile=uow.mentors.get(team_id, user_id),
                request=uow.requests.open_for(team_id, user_id),
                partnerships=uow.partnerships.for_member(team_id, user_id),
            )

    def ask_opening(self, team_id: str, user_id: str) -> AskOpening:
        """What the ask modal needs before ``views.open``, in one statement."""
        with self._uow() as uow:
            return uow.requests.opening(team_id, user_id)

    def warm_index(self) -> None:
        """Build every workspace's mentor pool on a background thread, at start-up: the
        first ask then finds it built (or waits for that build, not a second one)."""
        with self._uow() as uow:
            teams = uow.mentors.pool_teams()
        self.index.warm(teams)

    def first_delivery(self, team_id: str, event_id: str) -> bool:
        """Slack delivers an event again when our answer was slow; act on the first only."""
        with self._uow() as uow:
            first = uow.events.first_delivery(team_id, event_id, self._clock.now())
            uow.commit()
            return first

    def mentor_profile(self, team_id: str, user_id: str) -> MentorProfile | None:
        with self._uow() as uow:
            return uow.mentors.get(team_id, user_id)

    def offer(
        self, *, team_id: str, user_id: str, offer: MentorOffer, tz: str, tz_offset: int
    ) -> MentorProfile:
        """Create or edit a mentor profile; a new or freed-up mentor may clear the waitlist."""
        raise_first(self.check_offer(offer, team_id=team_id))
        now = self._clock.now()
        with self._uow() as uow:
            owner = program_owner(uow, team_id, offer.program_id)
            if owner is None:
                raise DomainError(LEFT_PROGRAM, field="program")
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
            profile.languages = known_languages(offer.languages)
            profile.accepting = offer.accepting
            profile.program_id = offer.program_id
            profile.host_team_id = owner if owner != team_id else None
            profile.tz, profile.tz_offset = tz, tz_offset
            profile.updated_at = now
            if profile.accepting:  # open again: a pause until a day is over
                profile.requests_paused_until = None
                uow.outbox.cancel(team_id, resume_prefix(user_id))
            profile = uow.mentors.save(profile)
            if profile.accepting:
                self._suggestions.rematch_waitlist(uow, profile.program_team_id, now)
            uow.commit()
            return profile

    def set_accepting(self, *, team_id: str, user_id: str, accepting: bool) -> MentorProfile:
        now = self._clock.now()
        with self._uow() as uow:
            profile = uow.mentors.get(team_id, user_id)
            if profile is None:
                raise NotFound("You have no mentor profile yet. Run `/mentor offer` to create one.")
            profile.accepting = accepting
            profile.requests_paused_until = None  # open, or paused with no day to come back
            profile.updated_at = now
            uow.outbox.cancel(team_id, resume_prefix(user_id))
            profile = uow.mentors.save(profile)
            if accepting:
                self._suggestions.rematch_waitlist(uow, profile.program_team_id, now)
            uow.commit()
            return profile

    def open_request(self, team_id: str, mentee_id: str) -> MentorRequest | None:
        with self._uow() as uow:
            return uow.requests.open_for(team_id, mentee_id)

    def ask(
        self, *, team_id: str, mentee_id: str, ask: MenteeAsk, tz: str, tz_offset: int
    ) -> AskResult:
        """Record what the mentee wants and suggest the best mentors, or waitlist them."""
        raise_first(self.check_ask(ask, team_id=team_id))
        now = self._clock.now()
        with self._uow() as uow:
            owner = program_owner(uow, team_id, ask.program_id)
            if owner is None:
                raise DomainError(LEFT_PROGRAM, field="program")
            partnerships = uow.partnerships.for_member(team_id, mentee_id)
            active = _current(partnerships, mentee_id)
            if active is not None:
                company = _company_elsewhere(uow, active, team_id)
                who = f"from {company}" if company else f"<@{active.mentor_id}>"
                raise Conflict(
                    f"You already have a mentor, {who}. If the fit is not "
                    "there, `/mentor end` closes the partnership without blame, and you can ask "
                    "again."
                )
            request = uow.requests.open_for(team_id, mentee_id)
            if request is not None and request.status is RequestStatus.PENDING_MENTOR:
                pending = self._pending_proposal(uow, team_id, request)
                company = _company_elsewhere(uow, pending, team_id) if pending else None
                who = (
                    "a mentor"
                    if pending is None
                    else f"a mentor from {company}"
                    if company
                    else f"<@{pending.mentor_id}>"
                )
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
            request.host_team_id = owner if owner != team_id else None
            request.languages = known_languages(ask.languages)
            request.tz, request.tz_offset = tz, tz_offset
            request = uow.requests.save(request)
            candidates = self._suggestions.suggest(
                uow, request, now, SuggestionContext.FIRST, partnerships=partnerships
            )
            uow.commit()
            return AskResult(request=request, candidates=candidates)

    def choose(
        self,
        *,
        team_id: str,
        mentee_id: str,
        request_id: int,
        mentor_id: str,
        mentor_team_id: str = "",
        mentee_name: str = "",
    ) -> MatchProposal:
        """The mentee picks a suggested mentor (``mentor_team_id``: their own workspace, when
        a shared program suggested someone of another; "" = the mentee's): the mentor is
        asked, in their own Slack, with a reminder queued (``mentee_name``: as the mentee's
        Slack gives it, for a mentor of another workspace)."""
        mentor_team_id = mentor_team_id or team_id
        now = self._clock.now()
        with self._uow() as uow:
            # Locked: a double click's second transaction waits here, then sees the first's
            # proposal (without the lock, PostgreSQL let both ask the mentor).
            request = uow.requests.get(team_id, request_id, for_update=True)
            if request is None or (request.team_id, request.mentee_id) != (team_id, mentee_id):
                raise NotFound("That request is no longer open. Run `/mentor ask` to start again.")
            if request.status is RequestStatus.PENDING_MENTOR:
                pending = self._pending_proposal(uow, team_id, request)
                if pending is not None and (pending.mentor_team_id, pending.mentor_id) == (
                    mentor_team_id,
                    mentor_id,
                ):
                    return pending  # a double click: the first one already asked them
                raise Conflict("You have already asked a mentor; let's wait for their answer.")
            if request.status is not RequestStatus.MATCHING:
                raise Conflict("That request is no longer open. Run `/mentor ask` to start again.")
            mentor = uow.mentors.get(mentor_team_id, mentor_id)
            chosen = self._suggestions.candidacy(uow, request, mentor, now) if mentor else None
            if mentor is None or chosen is None:
                raise Conflict(
                    "That mentor can't take a new mentee right now. "
                    "Pick another suggestion, or run `/mentor ask` again for fresh ones."
                )
            rules = self._programs.rules(uow, request.program_team_id, request.program_id)
            proposal = ask_mentor(
                uow, rules=rules, request=request, chosen=chosen, now=now, mentee_name=mentee_name
            )
            uow.commit()
            return proposal

    def proposal_for_mentor(
        self, *, team_id: str, mentor_id: str, proposal_id: int
    ) -> MatchProposal:
        with self._uow() as uow:
            return self._own_proposal(uow, team_id, mentor_id, proposal_id)

    def accept(self, *, team_id: str, mentor_id: str, proposal_id: int) -> Partnership:
        """The mentor (``team_id``: their own workspace) says yes: the partnership is the
        program's (its host's ``team_id``), each person keeps their own workspace, and the
        introduction reaches each of them in their own Slack."""
        now = self._clock.now()
        with self._uow() as uow:
            proposal = self._lock_proposal(uow, team_id, mentor_id, proposal_id)
            if proposal.status is ProposalStatus.ACCEPTED:
                existing = self._partnership_of(uow, proposal)
                if existing is not None:
                    return existing  # answered twice: one partnership
            if proposal.status is not ProposalStatus.PENDING:
                raise Conflict(_answered(proposal))
            request = uow.requests.get(proposal.mentee_team_id, proposal.request_id)
            if request is None or request.status is not RequestStatus.PENDING_MENTOR:
                raise Conflict("This request is no longer open; nothing more to do.")
            proposal.status = ProposalStatus.ACCEPTED
            proposal.answered_at = now
            uow.proposals.save(proposal)
            request.status = RequestStatus.MATCHED
            request.matched_at = now
            uow.requests.save(request)
            rules = self._programs.rules(uow, proposal.team_id, request.program_id)
            partnership = uow.partnerships.save(
                Partnership(
                    team_id=proposal.team_id,
                    mentor_id=mentor_id,
                    mentee_id=proposal.mentee_id,
                    request_id=request.id,
                    started_at=now,
                    ends_at=now + rules.term,
                    program_id=request.program_id,
                    mentee_team_id=proposal.mentee_team_id,
                    mentor_team_id=proposal.mentor_team_id,
                )
            )
            uow.outbox.cancel(proposal.mentor_team_id, f"proposal:{proposal_id}:")
            assert partnership.id is not None
            introduction = Introduction(
                partnership_id=partnership.id,
                mentor_id=mentor_id,
                mentee_id=proposal.mentee_id,
                goals=request.goals,
                focus_areas=tuple(request.focus_areas),
                ends_at=partnership.ends_at,
            )
            if partnership.across_workspaces:  # each named in words, with their company
                companies = company_names(uow, partnership.team_id)
                introduction = replace(
                    introduction,
                    mentor_team_id=partnership.mentor_team_id,
                    mentee_team_id=partnership.mentee_team_id,
                    mentor_company=companies.name(partnership.mentor_team_id),
                    mentee_company=companies.name(partnership.mentee_team_id),
                )
            key = f"partnership:{partnership.id}:introduction"
            if not partnership.across_workspaces:  # one group DM, as always
                addressed = [(partnership.team_id, f"{mentor_id},{proposal.mentee_id}", key)]
            else:  # no DM spans two workspaces: each in their own, with their own token
                addressed = [
                    (partnership.mentor_team_id, mentor_id, f"{key}:mentor"),
                    (partnership.mentee_team_id, proposal.mentee_id, f"{key}:mentee"),
                ]
            for team, recipient, message_key in addressed:
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=team,
                        kind=Kind.INTRODUCTION,
                        recipient=recipient,
                        key=message_key,
                        due_at=now,
                        payload=introduction,
                    )
                )
            self._events.start(uow, partnership, rules)  # its rhythm, milestones, onboarding
            uow.commit()
            return partnership

    def decline(
        self,
        *,
        team_id: str,
        mentor_id: str,
        proposal_id: int,
        reason: str = "",
        choice: str = "",
    ) -> MatchProposal:
        """The mentor says no (``choice``: the one-click category, ``reason``: what they
        wrote for the program team); the mentee hears it kindly and sees who else could help,
        and a second decline in a row asks the mentor whether to stay open."""
        category = decline_choice(choice)
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
            proposal.decline_choice = category.value
            proposal.answered_at = now
            proposal = uow.proposals.save(proposal)
            uow.outbox.cancel(proposal.mentor_team_id, f"proposal:{proposal_id}:")
            self._suggestions.reopen(uow, proposal, now, SuggestionContext.AFTER_DECLINE)
            after_decline(uow, proposal, now)
            uow.commit()
            return proposal

    def expire(self, uow: SuggestWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: a mentor never answered; move on to the next best mentors for the mentee."""
        proposal = uow.proposals.get(
            message.team_id, message.payload_as(ExpireProposal).proposal_id
        )
        if proposal is None or proposal.status is not ProposalStatus.PENDING:
            return
        proposal.status = ProposalStatus.EXPIRED
        proposal.answered_at = now
        uow.proposals.save(proposal)
        uow.outbox.add(
            OutgoingMessage(
                team_id=proposal.mentor_team_id,
                kind=Kind.MENTOR_REQUEST_EXPIRED,
                recipient=proposal.mentor_id,
                key=f"proposal:{proposal.id}:expired",
                due_at=now,
                payload=RequestExpired(
                    mentee_id=proposal.mentee_id,
                    mentee_team_id=proposal.mentee_team_id
                    if proposal.mentee_team_id != proposal.mentor_team_id
                    else "",
                ),
            )
        )
        self._suggestions.reopen(uow, proposal, now, SuggestionContext.AFTER_NO_ANSWER)

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
        if proposal is None or (proposal.mentor_team_id, proposal.mentor_id) != (
            team_id,
            mentor_id,
        ):
            raise NotFound("I can't find that request. It may have been for someone else.")
        return proposal

    def _lock_proposal(
        self, uow: SuggestWork, team_id: str, mentor_id: str, proposal_id: int
    ) -> MatchProposal:
        """The proposal as it is once its request is locked (the order every answer and pick
        takes): of two answers at once, the second sees the first's."""
        proposal = self._own_proposal(uow, team_id, mentor_id, proposal_id)
        uow.requests.get(proposal.mentee_team_id, proposal.request_id, for_update=True)
        return self._own_proposal(uow, team_id, mentor_id, proposal_id, for_update=True)

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

    def _partnership_of(self, uow: SuggestWork, proposal: MatchProposal) -> Partnership | None:
        return next(
            (
                p
                for p in uow.partnerships.for_member(proposal.mentee_team_id, proposal.mentee_id)
                if p.request_id == proposal.request_id
                and p.includes(proposal.mentor_team_id, proposal.mentor_id)
            ),
            None,
        )


def _current(partnerships: list[Partnership], mentee_id: str) -> Partnership | None:
    return next(
        (
            p
            for p in partnerships
            if p.mentee_id == mentee_id
            and p.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
        ),
        None,
    )


def _company_elsewhere(
    uow: SuggestWork, pair: Partnership | MatchProposal, team_id: str
) -> str | None:
    """The mentor's company when they are of another workspace than ``team_id``, where a
    refusal can't mention them (it wouldn't resolve); None in one workspace."""
    if pair.mentor_team_id in ("", team_id):
        return None
    return company_names(uow, pair.team_id).name(pair.mentor_team_id)


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
