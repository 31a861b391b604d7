"""Goals, reflections and milestones as a service, and what the App Home and export show.

Privacy lives here, not in the handlers: every reflection read goes through
``Reflection.readable_by``, and anything a person may not read answers exactly like
something that does not exist (``NotFound``), so a crafted ID reveals nothing.

Milestones are recorded with a key unique per partnership, and their celebrations are queued
in the same transaction: whatever detects a milestone twice, it is celebrated once. Dates
(months together, the term completed) are jobs in the outbox, planned when the partnership
starts, so a restart or a second replica neither loses nor repeats them.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.model.dates import add_months
from bot.model.journal import (
    CELEBRATION_WORDINGS,
    MAX_GOAL_TEXT,
    MAX_GOALS,
    MAX_MILESTONE_TEXT,
    MAX_NOTE,
    MAX_REFLECTION_FIELD,
    MONTHS_TOGETHER,
    STREAK_KEY,
    STREAK_TITLE,
    STREAK_WEEKS,
    TERM_KEY,
    TERM_TITLE,
    Goal,
    GoalStatus,
    JournalPreferences,
    Milestone,
    Reflection,
    Visibility,
    goal_done_key,
    months_title,
    public_title,
    session_milestone,
)
from bot.model.kinds import Kind
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import (
    MentorProfile,
    MentorRequest,
    Partnership,
    PartnershipStatus,
    partner_of,
)
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionOutcome, weekly_streak
from bot.ports import JournalWork, OutboxWork, ProgramRulesSource

T = TypeVar("T")

LIVE = (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
RECENT = 3
"""Entries of each kind the App Home shows per partnership; the rest are a "see all" away."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    offset: int
    total: int

    @property
    def has_older(self) -> bool:
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class PartnershipSummary:
    """One partnership as one of its members sees it on their App Home."""

    partnership: Partnership
    viewer_id: str
    next_session: datetime | None
    held: int
    streak: int
    goals: list[Goal]
    milestones: list[Milestone]
    milestone_count: int
    reflections: list[Reflection]  # the viewer's own, newest first
    reflection_count: int
    next_original_date: date | None = None  # identifies the next occurrence, even if moved
    paused_until: date | None = None  # the weekly sessions, when paused

    @property
    def partner_id(self) -> str:
        return partner_of(self.partnership, self.viewer_id)

    @property
    def viewer_is_mentor(self) -> bool:
        return self.partnership.mentor_id == self.viewer_id


@dataclass(frozen=True)
class HomeData:
    user_id: str
    summaries: list[PartnershipSummary]
    profile: MentorProfile | None
    request: MentorRequest | None
    preferences: JournalPreferences
    program_channel: str | None


@dataclass(frozen=True)
class ExportedPartnership:
    partnership: Partnership
    goals: list[Goal]
    milestones: list[Milestone]
    reflections: list[Reflection]  # written by the person exporting, and only those


@dataclass(frozen=True)
class JournalExport:
    user_id: str
    generated_at: datetime
    partnerships: list[ExportedPartnership] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.partnerships


@dataclass(frozen=True)
class ReflectionDraft:
    """What a partner writes after a session."""

    topics: str
    learned: str
    next_steps: str
    visibility: Visibility = Visibility.PRIVATE


def _may_read(reflection: Reflection, user_id: str, partnership: Partnership) -> bool:
    """The author, or their partner when shared; both must belong to the partnership."""
    members = partnership.members()
    return (
        reflection.partnership_id == partnership.id
        and user_id in members
        and reflection.author_id in members
        and reflection.readable_by(
            user_id, partner_id=partner_of(partnership, reflection.author_id)
        )
    )


def wording_for(key: str, last: int) -> int:
    """A celebration wording picked by the milestone, never the one this person got last."""
    choice = zlib.crc32(key.encode()) % CELEBRATION_WORDINGS
    return (choice + 1) % CELEBRATION_WORDINGS if choice == last else choice


def plan_milestones(uow: OutboxWork, partnership: Partnership) -> None:
    """Queue the dated milestones of a partnership: months together and the term's end.

    Safe to call again: the keys are fixed, so nothing is planned twice.
    """
    assert partnership.id is not None
    base = {"partnership_id": partnership.id}
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
                payload={**base, "key": f"months:{months}", "title": months_title(months)},
            )
        )
    uow.outbox.add(
        OutgoingMessage(
            team_id=partnership.team_id,
            kind=Kind.MILESTONE_DUE,
            recipient=partnership.mentee_id,
            key=f"partnership:{partnership.id}:milestone:term:{partnership.ends_at:%Y%m%d}",
            due_at=partnership.ends_at,
            payload={**base, "key": TERM_KEY, "title": TERM_TITLE},
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
            payload={"partnership_id": partnership.id, "key": TERM_KEY, "title": TERM_TITLE},
        )
    )


class JournalService:
    def __init__(
        self,
        *,
        uow: Callable[[], JournalWork],
        clock: Clock,
        rules: ProgramRules,
        program_channel: str | None = None,
        programs: ProgramRulesSource | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._program_channel = program_channel or None
        self._programs = programs

    @property
    def program_channel(self) -> str | None:
        return self._program_channel

    # -- reading ---------------------------------------------------------------------------

    def home(self, team_id: str, user_id: str) -> HomeData:
        now = self._clock.now()
        with self._uow() as uow:
            summaries = [
                self._summary(uow, p, user_id, now)
                for p in uow.partnerships.for_member(team_id, user_id)
                if p.status in LIVE
            ]
            summaries.sort(key=lambda s: s.partnership.started_at, reverse=True)
            channel = (
                self._channel_of(uow, summaries[0].partnership)
                if summaries
                else self._program_channel
            )
            return HomeData(
                user_id=user_id,
                summaries=summaries,
                profile=uow.mentors.get(team_id, user_id),
                request=uow.requests.open_for(team_id, user_id),
                preferences=uow.journal.preferences(team_id, user_id),
                program_channel=channel,  # where their newest pair's shout-outs would go
            )

    def goals(self, team_id: str, user_id: str, partnership_id: int) -> list[Goal]:
        with self._uow() as uow:
            self._member_of(uow, team_id, user_id, partnership_id, live=False)
            return uow.journal.goals(team_id, partnership_id)

    def goal(self, team_id: str, user_id: str, goal_id: int) -> Goal:
        with self._uow() as uow:
            return self._goal_of(uow, team_id, user_id, goal_id)[1]

    def reflection(self, team_id: str, user_id: str, reflection_id: int) -> Reflection:
        """A reflection this person may read; anything else is NotFound, whoever asks."""
        with self._uow() as uow:
            return self._readable(uow, team_id, user_id, reflection_id)

    def reflections(
        self, team_id: str, user_id: str, partnership_id: int, *, offset: int = 0, limit: int = 20
    ) -> Page[Reflection]:
        """The reflections of one partnership this person may read, newest first."""
        offset = max(0, offset)
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id, live=False)
            partner = partner_of(partnership, user_id)
            every = uow.journal.reflections(
                team_id, partnership_id=partnership_id, authors=(user_id,), shared_by=partner
            )
            readable = [r for r in every if _may_read(r, user_id, partnership)]
            return Page(readable[offset : offset + limit], offset, len(readable))

    def milestones(
        self, team_id: str, user_id: str, partnership_id: int, *, offset: int = 0, limit: int = 20
    ) -> Page[Milestone]:
        offset = max(0, offset)
        with self._uow() as uow:
            self._member_of(uow, team_id, user_id, partnership_id, live=False)
            return Page(
                uow.journal.milestones(team_id, partnership_id, limit=limit, offset=offset),
                offset,
                uow.journal.count_milestones(team_id, partnership_id),
            )

    def reflection_counts(self, team_id: str, partnership_id: int) -> int:
        """How many reflections a partnership has: all a coordinator may ever learn of them."""
        with self._uow() as uow:
            return uow.journal.count_reflections(team_id, partnership_id=partnership_id)

    def export(self, team_id: str, user_id: str) -> JournalExport:
        """Everything this person may take away: the pair's goals and milestones, and only the
        reflections they wrote themselves."""
        now = self._clock.now()
        with self._uow() as uow:
            parts = []
            for partnership in uow.partnerships.for_member(team_id, user_id):
                assert partnership.id is not None
                own = [
                    r
                    for r in uow.journal.reflections(
                        team_id, partnership_id=partnership.id, authors=(user_id,)
                    )
                    if r.author_id == user_id
                ]
                parts.append(
                    ExportedPartnership(
                        partnership=partnership,
                        goals=uow.journal.goals(team_id, partnership.id),
                        milestones=uow.journal.milestones(team_id, partnership.id),
                        reflections=own,
                    )
                )
            return JournalExport(user_id=user_id, generated_at=now, partnerships=parts)

    def partnership_for(
        self, team_id: str, user_id: str, partner_id: str | None = None
    ) -> Partnership:
        """The one live partnership a command is about (or the one with ``partner_id``)."""
        with self._uow() as uow:
            live = [p for p in uow.partnerships.for_member(team_id, user_id) if p.status in LIVE]
        if partner_id:
            live = [p for p in live if partner_id in p.members()]
        if not live:
            if partner_id:
                raise NotFound(f"You don't have a partnership with <@{partner_id}>.")
            raise NotFound(
                "You don't have a mentoring partnership yet: `/mentor ask` finds you a mentor."
            )
        if len(live) > 1:
            names = ", ".join(f"<@{partner_of(p, user_id)}>" for p in live)
            raise DomainError(
                f"You have several partnerships ({names}): add who it's about, like "
                "`/mentor reflect @name`."
            )
        return live[0]

    def membership(
        self, team_id: str, user_id: str, partnership_id: int, *, live: bool = True
    ) -> Partnership:
        """The partnership if ``user_id`` is in it (and, with ``live``, it's going); or else
        NotFound, the same whether it exists or not."""
        with self._uow() as uow:
            return self._member_of(uow, team_id, user_id, partnership_id, live=live)

    # -- goals -----------------------------------------------------------------------------

    @staticmethod
    def check_goals(entries: Sequence[tuple[int | None, str]]) -> dict[str, str]:
        """Field errors for the goals modal, keyed ``goal_<n>`` (1-based)."""
        errors: dict[str, str] = {}
        for n, (_, text) in enumerate(entries, start=1):
            if len(text.strip()) > MAX_GOAL_TEXT:
                errors[f"goal_{n}"] = f"Keep each goal under {MAX_GOAL_TEXT} characters."
        if not any(text.strip() for _, text in entries):
            errors["goal_1"] = "Write at least one goal for the year."
        if sum(1 for _, text in entries if text.strip()) > MAX_GOALS:
            errors["goal_1"] = f"Pick at most {MAX_GOALS} goals: the ones that matter most."
        return errors

    def set_goals(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        entries: Sequence[tuple[int | None, str]],
    ) -> list[Goal]:
        """The mentee writes, rewrites or removes goals; each keeps its status and note."""
        errors = self.check_goals(entries)
        if errors:
            name, message = next(iter(errors.items()))
            raise DomainError(message, field=name)
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            if user_id != partnership.mentee_id:
                raise NotAllowed(
                    f"Goals are <@{partnership.mentee_id}>'s to set: you can update their "
                    "status and notes from your App Home."
                )
            existing = {g.id: g for g in uow.journal.goals(team_id, partnership_id)}
            kept: list[Goal] = []
            for goal_id, raw in entries:
                text = raw.strip()
                goal = existing.pop(goal_id, None) if goal_id is not None else None
                if not text:
                    if goal is not None:
                        existing[goal.id] = goal  # removed below
                    continue
                if goal is None:
                    goal = Goal(
                        team_id=team_id,
                        partnership_id=partnership_id,
                        text=text,
                        position=0,
                        created_at=now,
                    )
                elif goal.text != text:
                    goal.text = text
                    goal.updated_at = now
                kept.append(goal)
            for gone in existing.values():
                assert gone.id is not None
                uow.journal.delete_goal(team_id, gone.id)
            for position, goal in enumerate(kept, start=1):
                goal.position = position
                uow.journal.save_goal(goal)
            uow.commit()
            return kept

    def update_goal(
        self,
        *,
        team_id: str,
        user_id: str,
        goal_id: int,
        status: GoalStatus | None = None,
        note: str | None = None,
    ) -> Goal:
        """Either partner moves a goal along or notes where it stands; done is celebrated."""
        if note is not None and len(note) > MAX_NOTE:
            raise DomainError(f"Keep the note under {MAX_NOTE} characters.", field="note")
        now = self._clock.now()
        with self._uow() as uow:
            partnership, goal = self._goal_of(uow, team_id, user_id, goal_id)
            if partnership.status not in LIVE:
                raise Conflict("This partnership has ended.")
            if note is not None:
                goal.note = note.strip()
            if status is not None and status is not goal.status:
                goal.status = status
                goal.done_at = now if status is GoalStatus.DONE else None
                if status is GoalStatus.DONE:
                    self._celebrate(
                        uow,
                        partnership,
                        key=goal_done_key(goal_id),
                        title=f"a goal reached: {goal.text}",
                        public="a goal reached",
                        now=now,
                    )
            goal.updated_at = now
            uow.journal.save_goal(goal)
            uow.commit()
            return goal

    # -- reflections -----------------------------------------------------------------------

    @staticmethod
    def check_reflection(draft: ReflectionDraft) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in ("topics", "learned", "next_steps"):
            if len(getattr(draft, name)) > MAX_REFLECTION_FIELD:
                errors[name] = f"Keep it under {MAX_REFLECTION_FIELD} characters."
        if not (draft.topics.strip() or draft.learned.strip() or draft.next_steps.strip()):
            errors["topics"] = "Write a few words in at least one of these."
        return errors

    def reflect(
        self,
        *,
        team_id: str,
        user_id: str,
        partnership_id: int,
        draft: ReflectionDraft,
        session_start: datetime | None = None,
        reflection_id: int | None = None,
    ) -> Reflection:
        """Write a reflection, or edit one's own (it keeps its place and its date)."""
        errors = self.check_reflection(draft)
        if errors:
            name, message = next(iter(errors.items()))
            raise DomainError(message, field=name)
        now = self._clock.now()
        with self._uow() as uow:
            if reflection_id is not None:
                reflection = uow.journal.reflection(team_id, reflection_id)
                if reflection is None or reflection.author_id != user_id:
                    raise NotFound("I can't find that reflection.")
                self._member_of(uow, team_id, user_id, reflection.partnership_id, live=False)
                reflection.updated_at = now
            else:
                self._member_of(uow, team_id, user_id, partnership_id)
                reflection = Reflection(
                    team_id=team_id,
                    partnership_id=partnership_id,
                    author_id=user_id,
                    topics="",
                    learned="",
                    next_steps="",
                    session_start=session_start,
                    created_at=now,
                    updated_at=now,
                )
            reflection.topics = draft.topics.strip()
            reflection.learned = draft.learned.strip()
            reflection.next_steps = draft.next_steps.strip()
            reflection.visibility = draft.visibility
            uow.journal.save_reflection(reflection)
            uow.commit()
            return reflection

    # -- milestones and settings -----------------------------------------------------------

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
            partnership = self._member_of(uow, team_id, user_id, partnership_id)
            milestone = self._celebrate(
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

    def set_shout_outs(self, *, team_id: str, user_id: str, enabled: bool) -> JournalPreferences:
        with self._uow() as uow:
            preferences = uow.journal.preferences(team_id, user_id)
            preferences.shout_outs = enabled
            uow.journal.save_preferences(preferences)
            uow.commit()
            return preferences

    # -- jobs run by the dispatcher --------------------------------------------------------

    def session_met(self, uow: JournalWork, message: OutgoingMessage, now: datetime) -> None:
        """A session was logged as held: the session-count and streak milestones it reached.

        Counted up to that session, not up to now, so two answers processed late in one run
        still reach "first" and "fifth" at the right ones.
        """
        team_id = message.team_id
        partnership = uow.partnerships.get(team_id, int(message.payload["partnership_id"]))
        if partnership is None:
            return
        assert partnership.id is not None
        start = datetime.fromisoformat(str(message.payload["start"]))
        met = [
            log.occurrence_start
            for log in uow.sessions.logs(team_id, partnership.id)
            if log.outcome is SessionOutcome.MET and log.occurrence_start <= start
        ]
        reached = session_milestone(len(met))
        if reached is not None:
            key, title = reached
            self._celebrate(
                uow, partnership, key=key, title=title, public=public_title(title), now=now
            )
        slot = uow.sessions.slot(team_id, partnership.id)
        every = slot.every_weeks if slot is not None and slot.every_weeks else 1
        if every == 1 and weekly_streak(met) >= STREAK_WEEKS:
            self._celebrate(
                uow, partnership, key=STREAK_KEY, title=STREAK_TITLE, public=STREAK_TITLE, now=now
            )
        plan_milestones(uow, partnership)  # partnerships from before milestones existed

    def milestone_due(self, uow: JournalWork, message: OutgoingMessage, now: datetime) -> None:
        """A dated milestone came due: celebrated if the partnership is still going."""
        team_id = message.team_id
        partnership = uow.partnerships.get(team_id, int(message.payload["partnership_id"]))
        if partnership is None:
            return
        key, title = str(message.payload["key"]), str(message.payload["title"])
        if key == TERM_KEY:
            if partnership.status is PartnershipStatus.ENDED:
                return  # ended early: nothing to celebrate as "completed"
            if partnership.status in LIVE and now < partnership.ends_at:  # extended since:
                plan_milestones(uow, partnership)  # wait for its new end
                return
        elif partnership.status not in LIVE:
            return
        self._celebrate(
            uow,
            partnership,
            key=key,
            title=title,
            public=public_title(title),
            now=now,
            achieved_at=min(message.due_at, now),  # the anniversary, even if we ran late
        )

    # -- internals -------------------------------------------------------------------------

    def _celebrate(
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
        consents = []
        for member in partnership.members():
            preferences = uow.journal.preferences(partnership.team_id, member)
            consents.append(preferences.shout_outs)
            wording = wording_for(key, preferences.last_wording)
            preferences.last_wording = wording
            uow.journal.save_preferences(preferences)
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.CELEBRATION,
                    recipient=member,
                    key=f"milestone:{partnership.id}:{key}:{member}",
                    due_at=now,
                    payload={
                        "partnership_id": partnership.id,
                        "partner_id": partner_of(partnership, member),
                        "title": title,
                        "personal": personal,
                        "created_by": created_by,
                        "wording": wording,
                    },
                )
            )
        channel = self._channel_of(uow, partnership)
        if channel and all(consents):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=partnership.team_id,
                    kind=Kind.SHOUT_OUT,
                    recipient=channel,
                    key=f"milestone:{partnership.id}:{key}:shout-out",
                    due_at=now,
                    payload={
                        "mentor_id": partnership.mentor_id,
                        "mentee_id": partnership.mentee_id,
                        "headline": public,  # never the private words of a goal or milestone
                    },
                )
            )
        return milestone

    def _channel_of(self, uow: JournalWork, partnership: Partnership) -> str | None:
        """Where the pair's shout-outs go: their program's channel, else the workspace's."""
        if self._programs is None or partnership.program_id is None:
            return self._program_channel
        rules = self._programs.rules(uow, partnership.team_id, partnership.program_id)
        return rules.channel or self._program_channel

    def _summary(
        self, uow: JournalWork, partnership: Partnership, user_id: str, now: datetime
    ) -> PartnershipSummary:
        team_id = partnership.team_id
        assert partnership.id is not None
        slot = uow.sessions.slot(team_id, partnership.id)
        upcoming = slot.next_occurrence(now) if slot is not None else None
        if upcoming is not None and upcoming.start > partnership.ends_at:
            upcoming = None
        met = [
            log.occurrence_start
            for log in uow.sessions.logs(team_id, partnership.id)
            if log.outcome is SessionOutcome.MET
        ]
        every = slot.every_weeks if slot is not None and slot.every_weeks else 1
        streak = weekly_streak(met, every_weeks=every)
        if met and now - max(met) > timedelta(weeks=every + 1, days=2):
            streak = 0  # the rhythm broke since the last session: no current streak
        return PartnershipSummary(
            partnership=partnership,
            viewer_id=user_id,
            next_session=upcoming.start if upcoming else None,
            next_original_date=upcoming.original_date if upcoming else None,
            paused_until=slot.paused_until if slot is not None else None,
            held=len(met),
            streak=streak,
            goals=uow.journal.goals(team_id, partnership.id),
            milestones=uow.journal.milestones(team_id, partnership.id, limit=RECENT),
            milestone_count=uow.journal.count_milestones(team_id, partnership.id),
            reflections=uow.journal.reflections(
                team_id, partnership_id=partnership.id, authors=(user_id,), limit=RECENT
            ),
            reflection_count=uow.journal.count_reflections(
                team_id, partnership_id=partnership.id, authors=(user_id,)
            ),
        )

    def _member_of(
        self,
        uow: JournalWork,
        team_id: str,
        user_id: str,
        partnership_id: int,
        *,
        live: bool = True,
    ) -> Partnership:
        partnership = uow.partnerships.get(team_id, partnership_id)
        if partnership is None or user_id not in partnership.members():
            raise NotFound("I can't find that partnership.")
        if live and partnership.status not in LIVE:
            raise Conflict("This partnership has ended.")
        return partnership

    def _goal_of(
        self, uow: JournalWork, team_id: str, user_id: str, goal_id: int
    ) -> tuple[Partnership, Goal]:
        goal = uow.journal.goal(team_id, goal_id)
        partnership = uow.partnerships.get(team_id, goal.partnership_id) if goal else None
        if goal is None or partnership is None or user_id not in partnership.members():
            raise NotFound("I can't find that goal.")
        return partnership, goal

    def _readable(
        self, uow: JournalWork, team_id: str, user_id: str, reflection_id: int
    ) -> Reflection:
        reflection = uow.journal.reflection(team_id, reflection_id)
        partnership = (
            uow.partnerships.get(team_id, reflection.partnership_id) if reflection else None
        )
        if (
            reflection is None
            or partnership is None
            or not _may_read(reflection, user_id, partnership)
        ):
            raise NotFound("I can't find that reflection.")
        return reflection
