"""Capacity that learns: why mentors say no, pausing new requests, and what coordinators see.

A mentor declines in one click with the reason closest to theirs. "No time right now" offers
to pause new requests until a day they pick (``accepting`` is off until then, so neither the
index nor cohort matching suggests them; a job turns it back on). Two declines in a row ask
whether to stay open at all. Each week coordinators get the declines (counts, and the reasons
once there are five or more), the requests that expired and the mentees waiting longest, and
a mentee on the waitlist for weeks hears that they are still on it. Everything is an outbox
row keyed by what it is about, so a job run twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.matching.suggestions import Suggestions
from bot.model.kinds import Kind
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    GOALS_REACHED,
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    ProposalStatus,
    RequestStatus,
)
from bot.model.rules import ProgramRules
from bot.outbox.quiet_hours import TZ_KEY
from bot.ports import CapacityWork, SuggestWork
from bot.roster import Roster
from bot.when import local_to_utc, zone

log = logging.getLogger(__name__)

EVERY_WORKSPACE = ""  # the team of jobs that go round all workspaces (as coordination's)
STAY_OPEN_AFTER = 2  # declines in a row before a mentor is asked whether to stay open
LONG_WAIT = timedelta(days=14)  # a wait coordinators hear about
STILL_WAITING_EVERY = 3  # weeks on the waitlist between two "you're still on it" notes
SMALL_GROUP = 5  # fewer declines than this: counted, never broken down by reason
DIGEST_LATE = timedelta(days=3)  # after downtime, a digest this late is skipped
MAX_PAUSE = timedelta(days=366)
HOME_SPAN = timedelta(days=28)  # what the coordinator's Home tab looks back over
WAITING_SHOWN = 10

# What the bot starts on its own here: held to the recipient's working hours.
CAPACITY_PROMPT_KINDS: frozenset[str] = frozenset(
    {Kind.STILL_WAITLISTED, Kind.CAPACITY_DIGEST, Kind.MENTOR_REQUESTS_RESUMED}
)


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


_CHOICES = frozenset(choice.value for choice in DeclineChoice)


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
    mentor = uow.mentors.get(proposal.team_id, proposal.mentor_id)
    if mentor is None or not mentor.accepting:
        return False
    if declines_in_a_row(uow.proposals.for_mentor(proposal.team_id, proposal.mentor_id)) < (
        STAY_OPEN_AFTER
    ):
        return False
    return uow.outbox.add(
        OutgoingMessage(
            team_id=proposal.team_id,
            kind=Kind.MENTOR_STAY_OPEN,
            recipient=proposal.mentor_id,
            key=f"mentor:{proposal.mentor_id}:stay-open:{proposal.id}",
            due_at=now,
            payload={"declines": STAY_OPEN_AFTER, TZ_KEY: mentor.tz},
        )
    )


@dataclass(frozen=True)
class CapacityFigures:
    """Declines, expiries and long waits over a span: counts, and reasons only for five or
    more declines (``reasons`` is empty below that)."""

    since: datetime
    until: datetime
    asked: int  # mentors asked in the span who answered or let it expire
    accepted: int
    declines: int
    reasons: dict[str, int]
    expired: int
    waiting: list[tuple[str, int]]  # (mentee, days) waiting LONG_WAIT or more, longest first

    @property
    def quiet(self) -> bool:
        return not (self.declines or self.expired or self.waiting)

    def payload(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "asked": self.asked,
            "accepted": self.accepted,
            "declines": self.declines,
            "reasons": dict(self.reasons),
            "expired": self.expired,
            "waiting": [[mentee, days] for mentee, days in self.waiting],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CapacityFigures:
        return cls(
            since=datetime.fromisoformat(str(payload["since"])),
            until=datetime.fromisoformat(str(payload["until"])),
            asked=int(payload.get("asked", 0)),
            accepted=int(payload.get("accepted", 0)),
            declines=int(payload.get("declines", 0)),
            reasons={str(k): int(v) for k, v in dict(payload.get("reasons") or {}).items()},
            expired=int(payload.get("expired", 0)),
            waiting=[(str(m), int(d)) for m, d in payload.get("waiting") or []],
        )


def capacity_figures(
    *,
    proposals: Sequence[MatchProposal],
    waitlisted: Sequence[MentorRequest],
    since: datetime,
    now: datetime,
) -> CapacityFigures:
    answered = [p for p in proposals if p.answered_at is not None and since <= p.answered_at]
    declined = [p for p in answered if p.status is ProposalStatus.DECLINED]
    reasons = Counter(
        DeclineChoice(p.decline_choice).value if p.decline_choice in _CHOICES else "not given"
        for p in declined
    )
    waiting = sorted(
        (
            (r.mentee_id, (now - r.created_at).days)
            for r in waitlisted
            if r.created_at is not None and now - r.created_at >= LONG_WAIT
        ),
        key=lambda item: (-item[1], item[0]),
    )
    return CapacityFigures(
        since=since,
        until=now,
        asked=len(answered),
        accepted=sum(1 for p in answered if p.status is ProposalStatus.ACCEPTED),
        declines=len(declined),
        reasons=dict(reasons) if len(declined) >= SMALL_GROUP else {},
        expired=sum(1 for p in answered if p.status is ProposalStatus.EXPIRED),
        waiting=waiting,
    )


def next_digest(after: datetime, *, zone_name: str, hour: int) -> tuple[str, datetime]:
    """The first Monday at ``hour`` in the program's zone strictly after ``after``, with its
    ISO week's name (the key: each week's digest is planned and sent once)."""
    tz = ZoneInfo(zone_name)
    local = after.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    for week in range(2):
        day = monday + timedelta(weeks=week)
        at = datetime.combine(day, time(hour), tzinfo=tz)
        if at > after:
            year, number, _ = day.isocalendar()
            return f"{year}-W{number:02d}", at.astimezone(UTC)
    raise AssertionError("a Monday comes within two weeks")


class Capacity:
    """Matching's side of a mentor's time: pauses, the stay-open question, the weekly look.

    Shares matching's ``Suggestions``, so a mentor who opens up again clears the waitlist
    and a mentee who wants a new mentor gets suggestions exactly as on `/mentor ask`.
    """

    def __init__(
        self,
        *,
        uow: Callable[[], SuggestWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster,
        suggestions: Suggestions,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules  # the workspace's: the digest's day and hour, the default zone
        self._roster = roster
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
                    payload={"until": until.isoformat()},
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
                self._suggestions.rematch_waitlist(uow, team_id, now)
            uow.commit()
            return profile

    def resume_job(self, uow: SuggestWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: the day a mentor's pause ends (unless they changed it since)."""
        profile = uow.mentors.get(message.team_id, message.recipient)
        until = str(message.payload.get("until", ""))
        if profile is None or profile.accepting or profile.requests_paused_until is None:
            return
        if profile.requests_paused_until.isoformat() != until:
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
                payload={"until": until, TZ_KEY: profile.tz},
            )
        )
        self._suggestions.rematch_waitlist(uow, message.team_id, now)

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
        request = (
            uow.requests.get(partnership.team_id, partnership.request_id)
            if partnership.request_id is not None
            else None
        )
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.NEW_MENTOR_QUESTION,
                recipient=partnership.mentee_id,
                key=f"partnership:{partnership.id}:new-mentor-question",
                due_at=now,
                payload={
                    "partnership_id": partnership.id,
                    "partner_id": partnership.mentor_id,
                    TZ_KEY: request.tz if request else "",
                },
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

    # -- the weekly look ---------------------------------------------------------------------

    def plan_week(self) -> datetime:
        """At start-up: the next weekly digest (keyed by its week: planned once)."""
        with self._uow() as uow:
            at = self._plan_week(uow, after=self._clock.now())
            uow.commit()
            return at

    def _plan_week(self, uow: SuggestWork, *, after: datetime) -> datetime:
        week, at = next_digest(
            after, zone_name=self._rules.default_tz, hour=self._rules.workday_start_hour
        )
        uow.outbox.add(
            OutgoingMessage(
                team_id=EVERY_WORKSPACE,
                kind=Kind.CAPACITY_WEEK,
                recipient="",
                key=f"capacity:due:{week}",
                due_at=at,
                payload={"week": week},
            )
        )
        return at

    def week_job(self, uow: CapacityWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: each workspace's digest to its coordinators, and the waitlist's notes.

        Worked out as of the scheduled time and keyed by week and person, so a second run (a
        retry, a second replica) adds nothing new."""
        self._plan_week(uow, after=max(message.due_at, now))
        if now - message.due_at > DIGEST_LATE:
            log.info("the %s capacity digest was due %s: too late", message.key, message.due_at)
            return
        week = str(message.payload["week"])
        at = message.due_at
        for team_id in uow.directory.teams():
            waitlisted = uow.requests.waitlisted(team_id)
            self._still_waiting(uow, waitlisted, at)
            figures = capacity_figures(
                proposals=uow.proposals.answered_since(team_id, at - timedelta(days=7)),
                waitlisted=waitlisted,
                since=at - timedelta(days=7),
                now=at,
            )
            if figures.quiet:
                continue
            for coordinator in self._roster.of(uow, team_id):
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=team_id,
                        kind=Kind.CAPACITY_DIGEST,
                        recipient=coordinator,
                        key=f"capacity:{week}:{coordinator}",
                        due_at=now,
                        payload={**figures.payload(), TZ_KEY: self._rules.default_tz},
                    )
                )

    @staticmethod
    def _still_waiting(uow: SuggestWork, waitlisted: Sequence[MentorRequest], at: datetime) -> None:
        """Every few weeks on the waitlist, a kind word that they are still on it."""
        for request in waitlisted:
            if request.created_at is None or request.status is not RequestStatus.WAITLISTED:
                continue
            weeks = (at - request.created_at).days // 7
            if weeks < STILL_WAITING_EVERY or weeks % STILL_WAITING_EVERY:
                continue
            uow.outbox.add(
                OutgoingMessage(
                    team_id=request.team_id,
                    kind=Kind.STILL_WAITLISTED,
                    recipient=request.mentee_id,
                    key=f"request:{request.id}:still-waiting:{weeks}",
                    due_at=at,
                    coalesce_key=f"still-waiting:{request.mentee_id}",
                    payload={"request_id": request.id, "weeks": weeks, TZ_KEY: request.tz},
                )
            )

    def figures(self, *, team_id: str, coordinator_id: str) -> CapacityFigures:
        """The last four weeks, for a coordinator's Home tab."""
        if not self._roster.is_coordinator(team_id, coordinator_id):
            raise NotAllowed("That is for the program's coordinators.")
        now = self._clock.now()
        with self._uow() as uow:
            return capacity_figures(
                proposals=uow.proposals.answered_since(team_id, now - HOME_SPAN),
                waitlisted=uow.requests.waitlisted(team_id),
                since=now - HOME_SPAN,
                now=now,
            )

    def is_coordinator(self, user_id: str, *, team_id: str) -> bool:
        return self._roster.is_coordinator(team_id, user_id)


def resume_prefix(mentor_id: str) -> str:
    return f"mentor:{mentor_id}:resume:"
