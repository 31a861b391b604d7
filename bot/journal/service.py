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

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.journal.access import LIVE, goal_of, may_read, member_of, readable
from bot.journal.milestones import Celebrations
from bot.journal.views import (
    ExportedPartnership,
    HomeData,
    JournalExport,
    Page,
    PartnershipSummary,
    ReflectionDraft,
    summary,
)
from bot.model.journal import (
    MAX_GOAL_TEXT,
    MAX_GOALS,
    MAX_NOTE,
    MAX_REFLECTION_FIELD,
    Goal,
    GoalStatus,
    JournalPreferences,
    Milestone,
    Reflection,
    goal_done_key,
)
from bot.model.partnership import (
    Partnership,
    partner_of,
)
from bot.model.rules import ProgramRules
from bot.ports import JournalWork, ProgramRulesSource

__all__ = [
    "HomeData",
    "JournalExport",
    "JournalService",
    "Page",
    "PartnershipSummary",
    "ReflectionDraft",
]


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
        self._celebrations = celebrations = Celebrations(
            uow=uow, clock=clock, program_channel=self._program_channel, programs=programs
        )
        self.add_milestone = celebrations.add_milestone
        # jobs run by the dispatcher
        self.session_met = celebrations.session_met
        self.milestone_due = celebrations.milestone_due

    @property
    def program_channel(self) -> str | None:
        return self._program_channel

    def home(self, team_id: str, user_id: str) -> HomeData:
        now = self._clock.now()
        with self._uow() as uow:
            summaries = [
                summary(uow, p, user_id, now)
                for p in uow.partnerships.for_member(team_id, user_id)
                if p.status in LIVE
            ]
            summaries.sort(key=lambda s: s.partnership.started_at, reverse=True)
            channel = (
                self._celebrations.channel_of(uow, summaries[0].partnership)
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
            partnership = member_of(uow, team_id, user_id, partnership_id, live=False)
            return uow.journal.goals(partnership.team_id, partnership_id)

    def goal(self, team_id: str, user_id: str, goal_id: int) -> Goal:
        with self._uow() as uow:
            return goal_of(uow, team_id, user_id, goal_id)[1]

    def reflection(self, team_id: str, user_id: str, reflection_id: int) -> Reflection:
        """A reflection this person may read; anything else is NotFound, whoever asks."""
        with self._uow() as uow:
            return readable(uow, team_id, user_id, reflection_id)

    def reflections(
        self, team_id: str, user_id: str, partnership_id: int, *, offset: int = 0, limit: int = 20
    ) -> Page[Reflection]:
        """The reflections of one partnership this person may read, newest first."""
        offset = max(0, offset)
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id, live=False)
            partner = partner_of(partnership, user_id)
            if partnership.across_workspaces:  # each keeps theirs in their own workspace
                every = uow.journal.reflections(
                    team_id, partnership_id=partnership_id, authors=(user_id,)
                ) + uow.journal.reflections(
                    partnership.team_of(partner), partnership_id=partnership_id, shared_by=partner
                )
                every.sort(key=_newest_first)
            else:
                every = uow.journal.reflections(
                    team_id, partnership_id=partnership_id, authors=(user_id,), shared_by=partner
                )
            readable = [r for r in every if may_read(r, user_id, partnership)]
            return Page(readable[offset : offset + limit], offset, len(readable))

    def milestones(
        self, team_id: str, user_id: str, partnership_id: int, *, offset: int = 0, limit: int = 20
    ) -> Page[Milestone]:
        offset = max(0, offset)
        with self._uow() as uow:
            partnership = member_of(uow, team_id, user_id, partnership_id, live=False)
            team_id = partnership.team_id  # milestones are the pair's, kept by its program
            return Page(
                uow.journal.milestones(team_id, partnership_id, limit=limit, offset=offset),
                offset,
                uow.journal.count_milestones(team_id, partnership_id),
            )

    def reflection_counts(self, team_id: str, partnership_id: int) -> int:
        """How many reflections a partnership has: all a coordinator may ever learn of them.

        A reflection is kept by its author's own workspace: for a pair across workspaces the
        count is each person's, from their workspace (counted, never read). ``team_id`` is the
        program's workspace or one of the pair's; any other learns nothing (0)."""
        with self._uow() as uow:
            partnership = uow.partnerships.get(team_id, partnership_id)
            if partnership is None:
                return 0
            return sum(
                uow.journal.count_reflections(
                    partnership.team_of(member), partnership_id=partnership_id, authors=(member,)
                )
                for member in partnership.members()
            )

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
                        # the pair's, kept by its program's workspace (another's, when shared)
                        goals=uow.journal.goals(partnership.team_id, partnership.id),
                        milestones=uow.journal.milestones(partnership.team_id, partnership.id),
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

    def partners_elsewhere(self, team_id: str, user_id: str) -> dict[str, str]:
        """This person's partners who are of another workspace (user -> their workspace):
        what the bot shows them names these in words, since a mention can't resolve."""
        with self._uow() as uow:
            found = {}
            for partnership in uow.partnerships.for_member(team_id, user_id):
                partner = partner_of(partnership, user_id)
                if partnership.team_of(partner) != team_id:
                    found[partner] = partnership.team_of(partner)
            return found

    def membership(
        self, team_id: str, user_id: str, partnership_id: int, *, live: bool = True
    ) -> Partnership:
        """The partnership if ``user_id`` is in it (and, with ``live``, it's going); or else
        NotFound, the same whether it exists or not."""
        with self._uow() as uow:
            return member_of(uow, team_id, user_id, partnership_id, live=live)

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
            partnership = member_of(uow, team_id, user_id, partnership_id)
            if user_id != partnership.mentee_id:
                raise NotAllowed(
                    f"Goals are <@{partnership.mentee_id}>'s to set: you can update their "
                    "status and notes from your App Home."
                )
            team_id = partnership.team_id  # goals are the pair's, kept by its program
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
            partnership, goal = goal_of(uow, team_id, user_id, goal_id)
            if partnership.status not in LIVE:
                raise Conflict("This partnership has ended.")
            if note is not None:
                goal.note = note.strip()
            if status is not None and status is not goal.status:
                goal.status = status
                goal.done_at = now if status is GoalStatus.DONE else None
                if status is GoalStatus.DONE:
                    self._celebrations.celebrate(
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
                member_of(uow, team_id, user_id, reflection.partnership_id, live=False)
                reflection.updated_at = now
            else:
                member_of(uow, team_id, user_id, partnership_id)
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

    def set_shout_outs(self, *, team_id: str, user_id: str, enabled: bool) -> JournalPreferences:
        with self._uow() as uow:
            preferences = uow.journal.preferences(team_id, user_id)
            preferences.shout_outs = enabled
            uow.journal.save_preferences(preferences)
            uow.commit()
            return preferences


def _newest_first(reflection: Reflection) -> tuple[float, int]:
    """Reflections from two workspaces in one list, newest first as each list is."""
    at = reflection.created_at
    return (-(at.timestamp() if at is not None else 0.0), -(reflection.id or 0))
