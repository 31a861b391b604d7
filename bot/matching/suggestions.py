"""Suggesting mentors: the best few for a request, the waitlist when nobody fits, asking the
chosen mentor, and starting over after a decline, an expiry or an early end.

All of it runs inside the caller's transaction (a mentee's ask, a mentor's answer, a job, a
rhythm or privacy change that reopens a search), so its messages commit with the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.matching.companies import Companies
from bot.matching.index import MentorIndex, Reader
from bot.matching.scores import Candidate
from bot.model.kinds import Kind, SuggestionContext
from bot.model.languages import known_languages
from bot.model.messages import Payload
from bot.model.messages.matching import (
    CoordinatorWaitlist,
    ExpireProposal,
    MentorSuggestions,
    RequestToMentor,
    SuggestedMentor,
    Waitlisted,
)
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    ProposalStatus,
    RequestStatus,
)
from bot.model.rules import ProgramRules
from bot.ports import ProgramRulesSource, SuggestWork
from bot.roster import Roster


class Suggestions:
    def __init__(
        self,
        *,
        rules: ProgramRules,
        roster: Roster,
        programs: ProgramRulesSource,
        index: MentorIndex | None = None,
        reader: Reader | None = None,
    ) -> None:
        """``reader``: units of work for rebuilding a large pool off the request path."""
        self._rules = rules  # the workspace's: how many suggestions
        self._roster = roster
        self._programs = programs
        self._index = index or MentorIndex(reader)
        self.index = self._index

    def offer_new_match(self, uow: SuggestWork, partnership: Partnership, now: datetime) -> None:
        """After a partnership ends early, the mentee gets fresh suggestions right away.

        A new request carries over what they asked for; the mentors of every past
        partnership of theirs stay excluded (``_excluded``), so the ended one never returns.
        """
        mentee_team = partnership.mentee_team_id  # the request is the mentee's workspace's
        old = (
            uow.requests.get(mentee_team, partnership.request_id)
            if partnership.request_id is not None
            else None
        )
        if old is None or uow.requests.open_for(mentee_team, partnership.mentee_id):
            return
        request = uow.requests.save(
            MentorRequest(
                team_id=mentee_team,
                host_team_id=old.host_team_id,
                mentee_id=partnership.mentee_id,
                goals=old.goals,
                focus_areas=list(old.focus_areas),
                organization=old.organization,
                wants_other_org=old.wants_other_org,
                tz=old.tz,
                tz_offset=old.tz_offset,
                created_at=now,
                program_id=old.program_id,
                languages=list(old.languages),
            )
        )
        self.suggest(uow, request, now, SuggestionContext.AFTER_END)

    def reopen_request(
        self, uow: SuggestWork, team_id: str, request_id: int, now: datetime
    ) -> None:
        """The mentor a mentee was waiting on left the program: show them others at once."""
        request = uow.requests.get(team_id, request_id)
        if request is not None and request.status is RequestStatus.PENDING_MENTOR:
            self.suggest(uow, request, now, SuggestionContext.AFTER_NO_ANSWER)

    def rank(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        now: datetime,
        *,
        limit: int,
        excluded: frozenset[str] | None = None,
    ) -> list[Candidate]:
        """The best mentors for a request as the program stands in this transaction: mentors
        of the request's own program only, under that program's rules."""
        rules = self._programs.rules(uow, request.program_team_id, request.program_id)
        return self._index.rank(
            uow,
            request,
            rule=rules.cross_company,
            excluded=excluded_mentors(uow, request) if excluded is None else excluded,
            at=now,
            limit=limit,
            fit=rules.fit,
        )

    def candidacy(
        self, uow: SuggestWork, request: MentorRequest, mentor: MentorProfile, now: datetime
    ) -> Candidate | None:
        """The mentee's pick as ``rank`` would have scored it; None if it may not be asked."""
        rules = self._programs.rules(uow, request.program_team_id, request.program_id)
        return self._index.score(
            uow,
            request,
            mentor,
            rule=rules.cross_company,
            excluded=excluded_mentors(uow, request),
            at=now,
            fit=rules.fit,
        )

    def suggest(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        now: datetime,
        context: SuggestionContext,
        *,
        partnerships: Sequence[Partnership] | None = None,
    ) -> list[Candidate]:
        """Show the mentee their best mentors, or waitlist them when nobody fits.

        ``partnerships``: the mentee's, when the caller has just read them (an ask has).
        """
        assert request.id is not None
        proposals = uow.proposals.for_mentee(request.team_id, request.mentee_id)
        if partnerships is None:
            partnerships = uow.partnerships.for_member(request.team_id, request.mentee_id)
        excluded = _excluded(request, proposals, partnerships)
        candidates = self.rank(uow, request, now, limit=self._rules.suggestions, excluded=excluded)
        round_no = sum(1 for p in proposals if p.request_id == request.id)
        if candidates:
            request.status = RequestStatus.MATCHING
            uow.requests.save(request)
            elsewhere = {c.mentor.team_id for c in candidates} - {request.team_id}
            companies = company_names(uow, request.program_team_id) if elsewhere else None
            uow.outbox.add(
                OutgoingMessage(
                    team_id=request.team_id,
                    kind=Kind.SUGGESTIONS,
                    recipient=request.mentee_id,
                    key=f"request:{request.id}:suggestions:{round_no}:{now.isoformat()}",
                    due_at=now,
                    payload=MentorSuggestions(
                        request_id=request.id,
                        context=context,
                        candidates=tuple(
                            SuggestedMentor(
                                mentor_id=c.mentor.user_id,
                                mentor_team_id=c.mentor.team_id
                                if c.mentor.team_id != request.team_id
                                else "",
                                mentor_company=companies.name(c.mentor.team_id)
                                if companies is not None and c.mentor.team_id != request.team_id
                                else "",
                                score=c.score,
                                reason=c.reason,
                                bio=c.mentor.bio[:280],
                            )
                            for c in candidates
                        ),
                    ),
                )
            )
            return candidates
        self._waitlist(uow, request, now, context, round_no=round_no, excluded=excluded)
        return []

    def _waitlist(
        self,
        uow: SuggestWork,
        request: MentorRequest,
        now: datetime,
        context: SuggestionContext,
        *,
        round_no: int,
        excluded: frozenset[str],
    ) -> None:
        """Nobody fits yet: the mentee hears they wait, the coordinators who waits and why."""
        assert request.id is not None
        rules = self._programs.rules(uow, request.program_team_id, request.program_id)
        why = self._index.shortfall(
            uow, request, rule=rules.cross_company, excluded=excluded, at=now, fit=rules.fit
        ).explain(known_languages(request.languages or rules.fit.default_languages))
        request.status = RequestStatus.WAITLISTED
        uow.requests.save(request)
        uow.outbox.add(
            OutgoingMessage(
                team_id=request.team_id,
                kind=Kind.WAITLISTED,
                recipient=request.mentee_id,
                key=f"request:{request.id}:waitlisted:{round_no}:{now.isoformat()}",
                due_at=now,
                payload=Waitlisted(request_id=request.id, context=context),
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
                    payload=CoordinatorWaitlist(
                        request_id=request.id,
                        mentee_id=request.mentee_id,
                        focus_areas=tuple(request.focus_areas),
                        why=why or None,
                    ),
                )
            )

    def reopen(
        self, uow: SuggestWork, proposal: MatchProposal, now: datetime, context: SuggestionContext
    ) -> None:
        request = uow.requests.get(proposal.mentee_team_id, proposal.request_id)
        if request is None or request.status is not RequestStatus.PENDING_MENTOR:
            return
        self.suggest(uow, request, now, context)

    def rematch_waitlist(self, uow: SuggestWork, team_id: str, now: datetime) -> None:
        """A mentor of ``team_id``'s programs opened up: the waitlist of its programs, member
        workspaces' people in its shared programs too."""
        for request in uow.requests.waitlisted(team_id, shared=True):
            if self.rank(uow, request, now, limit=1):
                self.suggest(uow, request, now, SuggestionContext.FROM_WAITLIST)


def mentor_loads(uow: SuggestWork, team_id: str) -> dict[str, int]:
    """Mentees each mentor of ``team_id`` (their own workspace) has, counting those they
    have been asked about and not answered."""
    loads = uow.partnerships.active_by_mentor(team_id)
    for mentor_id, pending in uow.proposals.pending_by_mentor(team_id).items():
        loads[mentor_id] = loads.get(mentor_id, 0) + pending
    return loads


@dataclass(frozen=True)
class ProgramPeople:
    """The mentors of an owner's programs as cohort matching reads them: its own, and its
    active member workspaces' in its shared programs, with their loads (by user ID) and
    who is of which company (``Companies``)."""

    mentors: list[MentorProfile]
    loads: dict[str, int]
    companies: Companies


def program_people(uow: SuggestWork, owner: str) -> ProgramPeople:
    pool = uow.mentors.shared(owner)
    companies = Companies(owner=owner, members=pool.members, names=pool.names)
    mentors = [m for m in uow.mentors.accepting(owner) if m.host_team_id is None]
    loads = mentor_loads(uow, owner)
    for team in sorted({t for teams in pool.members.values() for t in teams}):
        mentors += [
            m
            for m in uow.mentors.accepting(team)
            if m.host_team_id == owner and companies.takes_part(team, m.program_id)
        ]
        for mentor_id, count in mentor_loads(uow, team).items():
            loads[mentor_id] = loads.get(mentor_id, 0) + count
    return ProgramPeople(mentors=mentors, loads=loads, companies=companies)


def company_names(uow: SuggestWork, owner: str) -> Companies:
    """The names of the workspaces of ``owner``'s shared programs, for what names a person
    of another workspace with their company ("Rafael Costa (Acme)")."""
    return Companies(names=uow.mentors.shared(owner).names)


def with_company(reason: str, company: str) -> str:
    """A reason worked out on workspace keys, as ``describe`` says it with the company."""
    if not company:
        return reason
    reason = reason.removesuffix("; from another organization")
    return f"from {company}, {reason}"


def excluded_mentors(uow: SuggestWork, request: MentorRequest) -> frozenset[str]:
    """Mentors never to suggest again to this mentee, and those already asked this time."""
    return _excluded(
        request,
        uow.proposals.for_mentee(request.team_id, request.mentee_id),
        uow.partnerships.for_member(request.team_id, request.mentee_id),
    )


def excluded_for_cohort(
    uow: SuggestWork, team_id: str, requests: Sequence[MentorRequest]
) -> dict[int, frozenset[str]]:
    """``excluded_mentors`` of every request at once: two reads per workspace for the whole
    cohort, not two per mentee (``team_id``: unused, each request names its own). Most of a
    cohort's mentees were never proposed to nor paired: nobody is worked out for them."""
    found: dict[int, frozenset[str]] = {}
    for team in sorted({r.team_id for r in requests}):
        ours = [r for r in requests if r.team_id == team]
        mentees = {r.mentee_id for r in ours}
        proposals: dict[str, list[MatchProposal]] = {}
        for proposal in uow.proposals.for_mentees(team, mentees):
            proposals.setdefault(proposal.mentee_id, []).append(proposal)
        partnerships: dict[str, list[Partnership]] = {}
        for partnership in uow.partnerships.of_mentees(team, mentees):
            partnerships.setdefault(partnership.mentee_id, []).append(partnership)
        for r in ours:
            asked, paired = proposals.get(r.mentee_id), partnerships.get(r.mentee_id)
            found[r.id or 0] = (
                _excluded(r, asked or [], paired or []) if asked or paired else _NOBODY
            )
    return found


_NOBODY: frozenset[str] = frozenset()


def _excluded(
    request: MentorRequest,
    proposals: Sequence[MatchProposal],
    partnerships: Sequence[Partnership],
) -> frozenset[str]:
    excluded = {
        p.mentor_id
        for p in proposals
        if p.status is ProposalStatus.DECLINED
        or (p.request_id == request.id and p.status is not ProposalStatus.WITHDRAWN)
    }
    excluded |= {p.mentor_id for p in partnerships if p.mentee_id == request.mentee_id}
    return frozenset(excluded)


def ask_mentor(
    uow: SuggestWork,
    *,
    rules: ProgramRules,
    request: MentorRequest,
    chosen: Candidate,
    now: datetime,
    mentee_name: str = "",
) -> MatchProposal:
    """Ask one mentor to take a request: the DM now, one reminder, then the expiry job.

    Shared by the mentee's own pick and a coordinator's cohort approval, so a mentor hears
    about a cohort match exactly the way they hear about any other request. The proposal is
    the program's (``team_id``: the host of a shared program); each person keeps their own
    workspace, and the mentor is asked in theirs, told the mentee's company (and name, when
    the mentee's own Slack gave it: ``mentee_name``).
    """
    assert request.id is not None
    mentor = chosen.mentor
    proposal = uow.proposals.save(
        MatchProposal(
            team_id=request.program_team_id,  # the program's: its host's in a shared one
            mentee_team_id=request.team_id,
            mentor_team_id=mentor.team_id,
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
    company = ""
    if mentor.team_id != request.team_id:
        company = company_names(uow, request.program_team_id).name(request.team_id)
    payload = RequestToMentor(
        proposal_id=proposal.id,
        mentee_id=request.mentee_id,
        goals=request.goals,
        focus_areas=tuple(request.focus_areas),
        reason=chosen.reason,
        mentee_company=company,
        mentee_name=mentee_name if company else "",
    )
    prefix = f"proposal:{proposal.id}:"
    remind_at = now + rules.request_reminder_after
    body: Payload
    for kind, suffix, due_at, body in (
        (Kind.MENTOR_REQUEST, "request", now, payload),
        (Kind.MENTOR_REQUEST_REMINDER, "reminder", remind_at, payload),
        (
            Kind.EXPIRE_PROPOSAL,
            "expire",
            remind_at + rules.request_expires_after_reminder,
            ExpireProposal(proposal_id=proposal.id),
        ),
    ):
        uow.outbox.add(
            OutgoingMessage(
                team_id=mentor.team_id,  # asked in their own Slack, with its token
                kind=kind,
                recipient=mentor.user_id,
                key=prefix + suffix,
                due_at=due_at,
                payload=body,
            )
        )
    return proposal
