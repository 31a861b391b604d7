"""Milestones: planned when a partnership starts (months together, the term completed),
reached by sessions held and streaks, or added by a partner; each celebrated once with
both partners, and in the program channel when both agreed to shout-outs."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from datetime import datetime

from bot.clock import Clock
from bot.errors import Conflict, DomainError
from bot.journal.access import LIVE, member_of
from bot.model.dates import add_months
from bot.model.journal import (
    CELEBRATION_WORDINGS,
    MAX_MILESTONE_TEXT,
    MONTHS_TOGETHER,
    STREAK_KEY,
    STREAK_TITLE,
    STREAK_WEEKS,
    TERM_KEY,
    TERM_TITLE,
    Milestone,
    months_title,
    public_title,
    session_milestone,
)
from bot.model.kinds import Kind
from bot.model.messages.journal import Celebration, MilestoneDue, ShoutOut
from bot.model.messages.sessions import SessionMet
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    Partnership,
    PartnershipStatus,
    partner_of,
    team_if_across,
    teams_if_across,
)
from bot.model.sessions import SessionOutcome, weekly_streak
from bot.ports import JournalWork, OutboxWork, ProgramRulesSource


def wording_for(key: str, last: int) -> int:
    """A celebration wording picked by the milestone, never the one this person got last."""
    choice = zlib.crc32(key.encode()) % CELEBRATION_WORDINGS
    return (choice + 1) % CELEBRATION_WORDINGS if choice == last else choice


def plan_milestones(uow: OutboxWork, partnership: Partnership) -> None:
    """Queue the dated milestones of a partnership: months together and the term's end.

    Safe to call again: the keys are fixed, so nothing is planned twice.
    """
    assert partnership.id is not None
    for months in MONTHS_TOGETHER:
        at = add_months(partnership.started_at, months)
        if at >= partnership.ends_at:
            break
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.MILESTONE_DUE,
                recipient=partnership.mentee_id,
                key=f"partnership:{partnership.id}:milestone:months:{months}",
                due_at=at,
                payload=MilestoneDue(
                    partnership_id=partnership.id,
                    key=f"months:{months}",
                    title=months_title(months),
                ),
            )
        )
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.MILESTONE_DUE,
            recipient=partnership.mentee_id,
            key=f"partnership:{partnership.id}:milestone:term:{partnership.ends_at:%Y%m%d}",
            due_at=partnership.ends_at,
            payload=MilestoneDue(partnership_id=partnership.id, key=TERM_KEY, title=TERM_TITLE),
        )
    )


def milestones_after_closing(uow: OutboxWork, partnership: Partnership, now: datetime) -> None:
    """A partnership closed before its term's end: no dated milestone waits for a date that
    no longer comes, and one closed as completed celebrates that now, not at the old end."""
    assert partnership.id is not None
    uow.outbox.cancel(partnership.team_id, f"partnership:{partnership.id}:milestone:")
    if partnership.status is not PartnershipStatus.COMPLETED:
        return
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.MILESTONE_DUE,
            recipient=partnership.mentee_id,
            key=f"partnership:{partnership.id}:milestone:term:closed",
            due_at=now,
            payload=MilestoneDue(partnership_id=partnership.id, key=TERM_KEY, title=TERM_TITLE),
        )
    )


class Celebrations:
    def __init__(
        self,
        *,
        uow: Callable[[], JournalWork],
        clock: Clock,
        program_channel: str | None,
        programs: ProgramRulesSource | None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._program_channel = program_channel
        self._programs = programs

    def add_milestone(
        self, *, team_id: str, user_id: str, partnership_id: int, text: str
    ) -> Milestone:
        """A personal milestone ("got the promotion"): celebrated with both partners."""
        text = " ".join(text.split())
        if not text:
            raise DomainError("Say what you'd like to celebrate.", field="text")
        if len(text) > MAX_MILESTONE_TEXT:
            raise DomainError(
                f"Keep it under {MAX_MILESTONE_TEXT} characters: a headline.", field="text"
            )
        now = self._clock.now()
        digest = hashlib.sha1(text.casefold().encode(), usedforsecurity=False).hexdigest()[:12]
        key = f"personal:{user_id}:{now:%Y%m%d}:{digest}"  # the same words twice a day: once
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id)
            milestone = self.celebrate(
                uow,
                partnership,
                key=key,
                title=text,
                public="a personal milestone",
                now=now,
                personal=True,
                created_by=user_id,
            )
            uow.commit()
        if milestone is None:
            raise Conflict("You've already celebrated that today. :tada:")
        return milestone

    def session_met(self, uow: JournalWork, message: OutgoingMessage, now: datetime) -> None:
        """A session was logged as held: the session-count and streak milestones it reached.

        Counted up to that session, not up to now, so two answers processed late in one run
        still reach "first" and "fifth" at the right ones.
        """
        team_id = message.team_id
        met_at = message.payload_as(SessionMet)
        partnership = uow.partnerships.get(team_id, met_at.partnership_id)
        if partnership is None:
            return
        assert partnership.id is not None
        start = met_at.start
        met = [
            log.occurrence_start
            for log in uow.sessions.logs(team_id, partnership.id)
            if log.outcome is SessionOutcome.MET and log.occurrence_start <= start
        ]
        reached = session_milestone(len(met))
        if reached is not None:
            key, title = reached
            self.celebrate(
                uow, partnership, key=key, title=title, public=public_title(title), now=now
            )
        slot = uow.sessions.slot(team_id, partnership.id)
        weekly = slot is None or (slot.every_weeks == 1 and slot.monthly_ordinal is None)
        gap = slot.longest_gap() if slot is not None else None  # 4 days for Mon and Thu
        if weekly and weekly_streak(met, gap=gap) >= STREAK_WEEKS:
            self.celebrate(
                uow, partnership, key=STREAK_KEY, title=STREAK_TITLE, public=STREAK_TITLE, now=now
            )
        plan_milestones(uow, partnership)  # partnerships from before milestones existed

    def milestone_due(self, uow: JournalWork, message: OutgoingMessage, now: datetime) -> None:
        """A dated milestone came due: celebrated if the partnership is still going."""
        team_id = message.team_id
        due = message.payload_as(MilestoneDue)
        partnership = uow.partnerships.get(team_id, due.partnership_id)
        if partnership is None:
            return
        key, title = due.key, due.title
        if key == TERM_KEY:
            if partnership.status is PartnershipStatus.ENDED:
                return  # ended early: nothing to celebrate as "completed"
            if partnership.status in LIVE and now < partnership.ends_at:  # extended since:
                plan_milestones(uow, partnership)  # wait for its new end
                return
        elif partnership.status not in LIVE:
            return
        self.celebrate(
            uow,
            partnership,
            key=key,
            title=title,
            public=public_title(title),
            now=now,
            achieved_at=min(message.due_at, now),  # the anniversary, even if we ran late
        )

    def celebrate(
        self,
        uow: JournalWork,
        partnership: Partnership,
        *,
        key: str,
        title: str,
        public: str,
        now: datetime,
        personal: bool = False,
        created_by: str = "",
        achieved_at: datetime | None = None,
    ) -> Milestone | None:
        """Record the milestone and queue its celebration, unless it was already recorded."""
        assert partnership.id is not None
        milestone = Milestone(
            team_id=partnership.team_id,
            partnership_id=partnership.id,
            key=key,
            title=title,
            achieved_at=achieved_at or now,
            personal=personal,
            created_by=created_by,
        )
        if not uow.journal.add_milestone(milestone):
            return None
        consents = self._tell_partners(
            uow,
            partnership,
            key=key,
            title=title,
            personal=personal,
            created_by=created_by,
            now=now,
        )
        channel = self.channel_of(uow, partnership)
        if channel and all(consents):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.SHOUT_OUT,
                    recipient=channel,
                    key=f"milestone:{partnership.id}:{key}:shout-out",
                    due_at=now,
                    payload=ShoutOut(
                        mentor_id=partnership.mentor_id,
                        mentee_id=partnership.mentee_id,
                        **teams_if_across(partnership),
                        headline=public,  # never the private words of a goal or milestone
                    ),
                )
            )
        return milestone

    @staticmethod
    def _tell_partners(
        uow: JournalWork,
        partnership: Partnership,
        *,
        key: str,
        title: str,
        personal: bool,
        created_by: str,
        now: datetime,
    ) -> list[bool]:
        """Each partner's celebration, worded unlike their last one; whether each agreed to
        shout-outs."""
        assert partnership.id is not None
        consents = []
        for member in partnership.members():
            preferences = uow.journal.preferences(partnership.team_of(member), member)
            consents.append(preferences.shout_outs)
            wording = wording_for(key, preferences.last_wording)
            preferences.last_wording = wording
            uow.journal.save_preferences(preferences)
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_of(member),
                    kind=Kind.CELEBRATION,
                    recipient=member,
                    key=f"milestone:{partnership.id}:{key}:{member}",
                    due_at=now,
                    payload=Celebration(
                        partnership_id=partnership.id,
                        partner_id=partner_of(partnership, member),
                        title=title,
                        personal=personal,
                        created_by=created_by,
                        wording=wording,
                        partner_team_id=team_if_across(
                            partnership, partner_of(partnership, member)
                        ),
                    ),
                )
            )
        return consents

    def channel_of(self, uow: JournalWork, partnership: Partnership) -> str | None:
        """Where the pair's shout-outs go: their program's channel, else the workspace's."""
        if self._programs is None or partnership.program_id is None:
            return self._program_channel
        rules = self._programs.rules(uow, partnership.team_id, partnership.program_id)
        return rules.channel or self._program_channel
