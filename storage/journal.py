"""Goals, reflections, milestones and journal settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.model.journal import (
    Goal,
    JournalPreferences,
    Milestone,
    Reflection,
    Visibility,
)
from storage.models.journal import GoalRow, JournalPreferencesRow, MilestoneRow, ReflectionRow
from storage.rows import _GOAL_ENUMS, _REFLECTION_ENUMS, _copy_into, _save, _to_domain


class SqlJournalRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    # -- goals -----------------------------------------------------------------------------

    def goals(self, team_id: str, partnership_id: int) -> list[Goal]:
        rows = self._s.scalars(
            select(GoalRow)
            .where(GoalRow.team_id == team_id, GoalRow.partnership_id == partnership_id)
            .order_by(GoalRow.position, GoalRow.id)
        )
        return [_to_domain(Goal, row, _GOAL_ENUMS) for row in rows]

    def goal(self, team_id: str, goal_id: int) -> Goal | None:
        row = self._s.get(GoalRow, goal_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Goal, row, _GOAL_ENUMS)

    def save_goal(self, goal: Goal) -> Goal:
        _save(self._s, GoalRow, goal)
        return goal

    def delete_goal(self, team_id: str, goal_id: int) -> None:
        row = self._s.get(GoalRow, goal_id)
        if row is not None and row.team_id == team_id:
            self._s.delete(row)
            self._s.flush()

    # -- reflections -----------------------------------------------------------------------

    def reflection(self, team_id: str, reflection_id: int) -> Reflection | None:
        row = self._s.get(ReflectionRow, reflection_id)
        if row is None or row.team_id != team_id:
            return None
        return _to_domain(Reflection, row, _REFLECTION_ENUMS)

    def save_reflection(self, reflection: Reflection) -> Reflection:
        _save(self._s, ReflectionRow, reflection)
        return reflection

    def _reflection_filter(
        self,
        team_id: str,
        partnership_id: int | None,
        authors: tuple[str, ...],
        shared_by: str = "",
    ) -> list[Any]:
        where: list[Any] = [ReflectionRow.team_id == team_id]
        if partnership_id is not None:
            where.append(ReflectionRow.partnership_id == partnership_id)
        readable: list[Any] = []
        if authors:
            readable.append(ReflectionRow.author_id.in_(authors))
        if shared_by:
            readable.append(
                and_(
                    ReflectionRow.author_id == shared_by,
                    ReflectionRow.visibility == Visibility.SHARED.value,
                )
            )
        where.append(or_(*readable) if readable else ReflectionRow.id.is_(None))
        return where

    def reflections(
        self,
        team_id: str,
        *,
        partnership_id: int | None = None,
        authors: tuple[str, ...] = (),
        shared_by: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Reflection]:
        query = (
            select(ReflectionRow)
            .where(*self._reflection_filter(team_id, partnership_id, authors, shared_by))
            .order_by(ReflectionRow.created_at.desc(), ReflectionRow.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [_to_domain(Reflection, row, _REFLECTION_ENUMS) for row in self._s.scalars(query)]

    def count_reflections(
        self, team_id: str, *, partnership_id: int | None = None, authors: tuple[str, ...] = ()
    ) -> int:
        where: list[Any] = [ReflectionRow.team_id == team_id]
        if partnership_id is not None:
            where.append(ReflectionRow.partnership_id == partnership_id)
        if authors:
            where.append(ReflectionRow.author_id.in_(authors))
        return int(
            self._s.scalar(select(func.count()).select_from(ReflectionRow).where(*where)) or 0
        )

    # -- milestones ------------------------------------------------------------------------

    def add_milestone(self, milestone: Milestone) -> bool:
        exists = self._s.scalar(
            select(MilestoneRow.id).where(
                MilestoneRow.team_id == milestone.team_id,
                MilestoneRow.partnership_id == milestone.partnership_id,
                MilestoneRow.key == milestone.key,
            )
        )
        if exists is not None:
            return False
        try:
            with self._s.begin_nested():
                row = MilestoneRow()
                _copy_into(row, milestone)
                self._s.add(row)
        except IntegrityError:  # the same moment detected twice, at the same time
            return False
        milestone.id = row.id
        return True

    def milestones(
        self, team_id: str, partnership_id: int, *, limit: int | None = None, offset: int = 0
    ) -> list[Milestone]:
        query = (
            select(MilestoneRow)
            .where(MilestoneRow.team_id == team_id, MilestoneRow.partnership_id == partnership_id)
            .order_by(MilestoneRow.achieved_at.desc(), MilestoneRow.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [_to_domain(Milestone, row, {}) for row in self._s.scalars(query)]

    def count_milestones(self, team_id: str, partnership_id: int) -> int:
        return int(
            self._s.scalar(
                select(func.count())
                .select_from(MilestoneRow)
                .where(
                    MilestoneRow.team_id == team_id, MilestoneRow.partnership_id == partnership_id
                )
            )
            or 0
        )

    # -- settings --------------------------------------------------------------------------

    def preferences(self, team_id: str, user_id: str) -> JournalPreferences:
        row = self._s.scalar(
            select(JournalPreferencesRow).where(
                JournalPreferencesRow.team_id == team_id, JournalPreferencesRow.user_id == user_id
            )
        )
        if row is None:
            return JournalPreferences(team_id=team_id, user_id=user_id)
        return _to_domain(JournalPreferences, row, {})

    def save_preferences(self, preferences: JournalPreferences) -> JournalPreferences:
        if preferences.id is None:
            preferences.id = self.preferences(preferences.team_id, preferences.user_id).id
        if preferences.id is None:
            try:
                with self._s.begin_nested():
                    _save(self._s, JournalPreferencesRow, preferences)
                return preferences
            except IntegrityError:  # another transaction created this person's row first
                preferences.id = self.preferences(preferences.team_id, preferences.user_id).id
        _save(self._s, JournalPreferencesRow, preferences)
        return preferences
