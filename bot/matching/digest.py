"""The program team's weekly look at mentor capacity, and the waitlist's kind notes.

Each Monday morning (the program's zone) one job goes round every workspace: coordinators get
the week's declines (counts, and the reasons once there are five or more), the requests that
expired and the mentees waiting two weeks or more, only in a week with something to say; and
a mentee on the waitlist for three, six, ... weeks hears that they are still on it. Worked out
as of the scheduled time and keyed by week and person, so a second run (a retry, another
replica) sends nothing twice. The coordinator's Home tab shows the same over four weeks.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import NotAllowed
from bot.matching.capacity import CHOICES, DeclineChoice
from bot.model.kinds import Kind
from bot.model.messages.capacity import CapacityDigest as DigestPayload
from bot.model.messages.capacity import CapacityWeek, StillWaitlisted, Waiting
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import MatchProposal, MentorRequest, ProposalStatus, RequestStatus
from bot.model.rules import ProgramRules
from bot.ports import CapacityWork, SuggestWork
from bot.roster import Roster

log = logging.getLogger(__name__)

EVERY_WORKSPACE = ""  # the team of jobs that go round all workspaces (as coordination's)
LONG_WAIT = timedelta(days=14)  # a wait coordinators hear about
STILL_WAITING_EVERY = 3  # weeks on the waitlist between two "you're still on it" notes
SMALL_GROUP = 5  # fewer declines than this: counted, never broken down by reason
DIGEST_LATE = timedelta(days=3)  # after downtime, a digest this late is skipped
HOME_SPAN = timedelta(days=28)  # what the coordinator's Home tab looks back over
WAITING_SHOWN = 10


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

    def payload(self, *, tz: str) -> DigestPayload:
        return DigestPayload(
            since=self.since,
            until=self.until,
            asked=self.asked,
            accepted=self.accepted,
            declines=self.declines,
            reasons=dict(self.reasons),
            expired=self.expired,
            waiting=tuple(Waiting(mentee_id=m, days=d) for m, d in self.waiting),
            tz=tz,
        )

    @classmethod
    def from_payload(cls, payload: DigestPayload) -> CapacityFigures:
        return cls(
            since=payload.since,
            until=payload.until,
            asked=payload.asked,
            accepted=payload.accepted,
            declines=payload.declines,
            reasons=dict(payload.reasons),
            expired=payload.expired,
            waiting=[(w.mentee_id, w.days) for w in payload.waiting],
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
        DeclineChoice(p.decline_choice).value if p.decline_choice in CHOICES else "not given"
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


class CapacityDigest:
    """The weekly job and the Home tab's figures."""

    def __init__(
        self,
        *,
        uow: Callable[[], SuggestWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules  # the workspace's: the digest's hour, the default zone
        self._roster = roster

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
                payload=CapacityWeek(week=week),
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
        week = message.payload_as(CapacityWeek).week
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
                        payload=figures.payload(tz=self._rules.default_tz),
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
                    payload=StillWaitlisted(request_id=request.id or 0, weeks=weeks, tz=request.tz),
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
