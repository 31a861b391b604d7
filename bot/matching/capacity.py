"""Capacity that learns: why mentors say no, pausing new requests, a new mentor on request.

A mentor declines in one click with the reason closest to theirs. "No time right now" offers
to pause new requests until a day they pick (``accepting`` is off until then, so neither the
index nor cohort matching suggests them; a job turns it back on). Two declines in a row ask
whether to stay open at all. After "we reached our goals" the mentee is asked whether they
want a new mentor instead of being sent suggestions. What coordinators see of all this is
``bot.matching.digest``. Everything is an outbox row keyed by what it is about, so a job run
twice sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotFound
from bot.matching.suggestions import Suggestions
from bot.model.kinds import Kind
from bot.model.messages.capacity import (
    NewMentorQuestion,
    RequestsResumed,
    ResumeRequests,
    StayOpen,
)
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    GOALS_REACHED,
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    ProposalStatus,
)
from bot.model.rules import ProgramRules
from bot.ports import SuggestWork
from bot.when import local_to_utc, zone

STAY_OPEN_AFTER = 2  # declines in a row before a mentor is asked whether to stay open
MAX_PAUSE = timedelta(days=366)


class DeclineChoice(StrEnum):
    """A decline's one-click category: what coordinators count (the text stays private)."""

    NO_TIME = "no_time"
    NOT_FIT = "not_fit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return DECLINE_LABELS[self]


DECLINE_LABELS = {
    DeclineChoice.NO_TIME: "No time right now",
    DeclineChoice.NOT_FIT: "Not the right fit",
    DeclineChoice.OTHER: "Other",
}


CHOICES = frozenset(choice.value for choice in DeclineChoice)


def decline_choice(value: str) -> DeclineChoice:
    try:
        return DeclineChoice(value or DeclineChoice.OTHER)
    except ValueError:
        raise DomainError("Pick the reason closest to yours.", field="reason") from None


def declines_in_a_row(proposals: Sequence[MatchProposal]) -> int:
    """How many of the mentor's latest answers were declines (requests left to expire are
    not answers: they neither count nor break a run)."""
    answered = sorted(
        (
            p
            for p in proposals
            if p.answered_at is not None
            and p.status in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)
        ),
        key=lambda p: (p.answered_at, p.id or 0),
    )
    run = 0
    for proposal in reversed(answered):
        if proposal.status is not ProposalStatus.DECLINED:
            break
        run += 1
    return run


def after_decline(uow: SuggestWork, proposal: MatchProposal, now: datetime) -> bool:
    """In the decline's transaction: a second decline in a row asks the mentor whether to
    stay open for requests (once per decline: keyed). "No time right now" asks already, on
    the request message itself."""
    if proposal.decline_choice == DeclineChoice.NO_TIME:
        return False
    mentor = uow.mentors.get(proposal.mentor_team_id, proposal.mentor_id)
    if mentor is None or not mentor.accepting:
        return False
    answers = uow.proposals.for_mentor(proposal.mentor_team_id, proposal.mentor_id)
    if declines_in_a_row(answers) < STAY_OPEN_AFTER:
        return False
    return uow.outbox.add(
        OutgoingMessage(
            team_id=proposal.mentor_team_id,
            kind=Kind.MENTOR_STAY_OPEN,
            recipient=proposal.mentor_id,
            key=f"mentor:{proposal.mentor_id}:stay-open:{proposal.id}",
            due_at=now,
            payload=StayOpen(declines=STAY_OPEN_AFTER, tz=mentor.tz),
        )
    )


class Capacity:
    """Matching's side of a mentor's time: pauses, staying open, a new mentor on request.

    Shares matching's ``Suggestions``, so a mentor who opens up again clears the waitlist
    and a mentee who wants a new mentor gets suggestions exactly as on `/mentor ask`.
    """

    def __init__(
        self,
        *,
        uow: Callable[[], SuggestWork],
        clock: Clock,
        rules: ProgramRules,
        suggestions: Suggestions,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules  # the workspace's: the hour a pause ends
        self._suggestions = suggestions

    # -- a mentor's time -------------------------------------------------------------------

    def pause_requests(self, *, team_id: str, mentor_id: str, until: date) -> MentorProfile:
        """Nobody new is suggested this mentor before ``until`` (their own day); that morning
        they are open again and hear so."""
        now = self._clock.now()
        with self._uow() as uow:
            profile = self._profile(uow, team_id, mentor_id)
            today = now.astimezone(zone(profile.tz)).date()
            if until <= today:
                raise DomainError("Pick a day after today.", field="until")
            if until > today + MAX_PAUSE:
                raise DomainError("Pick a day within the next year.", field="until")
            profile.accepting = False
            profile.requests_paused_until = until
            profile.updated_at = now
            uow.mentors.save(profile)
            uow.outbox.cancel(team_id, resume_prefix(mentor_id))
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team_id,
                    kind=Kind.RESUME_REQUESTS,
                    recipient=mentor_id,
                    key=f"{resume_prefix(mentor_id)}{until.isoformat()}:{now.isoformat()}",
                    due_at=local_to_utc(until, time(self._rules.workday_start_hour), profile.tz),
                    payload=ResumeRequests(until=until),
                )
            )
            uow.commit()
            return profile

    def stay_open(self, *, team_id: str, mentor_id: str) -> MentorProfile:
        """Open for requests (again): a pause ends now, and the waitlist is looked at."""
        now = self._clock.now()
        with self._uow() as uow:
            profile = self._profile(uow, team_id, mentor_id)
            was_open = profile.accepting
            profile.accepting = True
            profile.requests_paused_until = None
            profile.updated_at = now
            uow.mentors.save(profile)
            uow.outbox.cancel(team_id, resume_prefix(mentor_id))
            if not was_open:
                self._suggestions.rematch_waitlist(uow, profile.program_team_id, now)
            uow.commit()
            return profile

    def resume_job(self, uow: SuggestWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: the day a mentor's pause ends (unless they changed it since)."""
        profile = uow.mentors.get(message.team_id, message.recipient)
        until = message.payload_as(ResumeRequests).until
        if profile is None or profile.accepting or profile.requests_paused_until is None:
            return
        if profile.requests_paused_until != until:
            return  # a newer pause has its own job
        profile.accepting = True
        profile.requests_paused_until = None
        profile.updated_at = now
        uow.mentors.save(profile)
        uow.outbox.add(
            OutgoingMessage(
                team_id=message.team_id,
                kind=Kind.MENTOR_REQUESTS_RESUMED,
                recipient=message.recipient,
                key=f"{message.key}:resumed",
                due_at=now,
                payload=RequestsResumed(until=until, tz=profile.tz),
            )
        )
        self._suggestions.rematch_waitlist(uow, profile.program_team_id, now)

    @staticmethod
    def _profile(uow: SuggestWork, team_id: str, mentor_id: str) -> MentorProfile:
        profile = uow.mentors.get(team_id, mentor_id)
        if profile is None:
            raise NotFound("You have no mentor profile yet. Run `/mentor offer` to create one.")
        return profile

    # -- after an ending: a new mentor only if the mentee wants one ----------------------------

    def offer_new_match(self, uow: SuggestWork, partnership: Partnership, now: datetime) -> None:
        """``Rematch``: fresh suggestions at once, except after "we reached our goals", when
        the mentee is asked first."""
        if partnership.end_reason != GOALS_REACHED:
            self._suggestions.offer_new_match(uow, partnership, now)
            return
        assert partnership.id is not None
        request = (  # the mentee's own, kept in their workspace
            uow.requests.get(partnership.mentee_team_id, partnership.request_id)
            if partnership.request_id is not None
            else None
        )
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.mentee_team_id,  # asked in their own Slack
                kind=Kind.NEW_MENTOR_QUESTION,
                recipient=partnership.mentee_id,
                key=f"partnership:{partnership.id}:new-mentor-question",
                due_at=now,
                payload=NewMentorQuestion(
                    partnership_id=partnership.id,
                    partner_id=partnership.mentor_id,
                    tz=request.tz if request else "",
                ),
            )
        )

    def new_mentor_wanted(
        self, *, team_id: str, mentee_id: str, partnership_id: int
    ) -> MentorRequest:
        """The mentee said yes to a new mentor: suggestions now (or the waitlist)."""
        now = self._clock.now()
        with self._uow() as uow:
            partnership = uow.partnerships.get(team_id, partnership_id)
            if partnership is None or partnership.mentee_id != mentee_id:
                raise NotFound("I can't find that partnership.")
            if partnership.live:
                raise Conflict("This partnership is still running.")
            if any(p.live for p in uow.partnerships.for_member(team_id, mentee_id)):
                raise Conflict("You already have a mentor again.")
            request = uow.requests.open_for(team_id, mentee_id)
            if request is None:
                self._suggestions.offer_new_match(uow, partnership, now)
                request = uow.requests.open_for(team_id, mentee_id)
            if request is None:
                raise Conflict("Run `/mentor ask` to tell me what you'd like to grow in next.")
            uow.commit()
            return request


def resume_prefix(mentor_id: str) -> str:
    return f"mentor:{mentor_id}:resume:"
