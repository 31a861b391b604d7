"""The journal's repository on SQLite and PostgreSQL: goals, reflections, milestones, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.model.journal import (
    Goal,
    GoalStatus,
    JournalPreferences,
    Milestone,
    Reflection,
    Visibility,
)
from bot.model.partnership import Partnership
from storage import Database, SqlUnitOfWork

T = "T0001"
AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def uow(database: Database) -> SqlUnitOfWork:
    return SqlUnitOfWork(database.sessions)


@pytest.fixture
def partnership_id(database: Database) -> int:
    with uow(database) as u:
        p = u.partnerships.save(
            Partnership(
                team_id=T,
                mentor_id="UMENTOR",
                mentee_id="UMENTEE",
                request_id=None,
                started_at=AT,
                ends_at=AT + timedelta(days=365),
            )
        )
        u.commit()
    assert p.id is not None
    return p.id


def test_goals_are_saved_listed_in_order_updated_and_deleted(
    database: Database, partnership_id: int
) -> None:
    with uow(database) as u:
        second = u.journal.save_goal(
            Goal(team_id=T, partnership_id=partnership_id, text="Speak up", position=2)
        )
        first = u.journal.save_goal(
            Goal(team_id=T, partnership_id=partnership_id, text="Plan the year", position=1)
        )
        u.commit()
    assert first.id is not None and second.id is not None
    with uow(database) as u:
        assert [g.text for g in u.journal.goals(T, partnership_id)] == ["Plan the year", "Speak up"]
        goal = u.journal.goal(T, first.id)
        assert goal is not None and goal.status is GoalStatus.NOT_STARTED
        goal.status, goal.note, goal.done_at = GoalStatus.DONE, "did it", AT
        u.journal.save_goal(goal)
        u.journal.delete_goal(T, second.id)
        u.commit()
    with uow(database) as u:
        goals = u.journal.goals(T, partnership_id)
        assert [(g.text, g.status, g.note, g.done_at) for g in goals] == [
            ("Plan the year", GoalStatus.DONE, "did it", AT)
        ]
        assert u.journal.goal("T_OTHER", first.id) is None  # another workspace sees nothing


def test_reflections_are_filtered_by_author_and_sharing_newest_first_and_paged(
    database: Database, partnership_id: int
) -> None:
    with uow(database) as u:
        for n in range(6):
            u.journal.save_reflection(
                Reflection(
                    team_id=T,
                    partnership_id=partnership_id,
                    author_id="UMENTEE" if n % 2 else "UMENTOR",
                    topics=f"r{n}",
                    learned="",
                    next_steps="",
                    visibility=Visibility.SHARED if n in (2, 3) else Visibility.PRIVATE,
                    created_at=AT + timedelta(days=n),
                )
            )
        u.commit()
    with uow(database) as u:
        mine = u.journal.reflections(T, partnership_id=partnership_id, authors=("UMENTEE",))
        assert [r.topics for r in mine] == ["r5", "r3", "r1"]
        readable = u.journal.reflections(
            T, partnership_id=partnership_id, authors=("UMENTEE",), shared_by="UMENTOR"
        )
        assert [r.topics for r in readable] == ["r5", "r3", "r2", "r1"]  # never r0 or r4
        page = u.journal.reflections(
            T, partnership_id=partnership_id, authors=("UMENTEE",), limit=2, offset=1
        )
        assert [r.topics for r in page] == ["r3", "r1"]
        assert u.journal.reflections(T, partnership_id=partnership_id) == []  # nobody asked
        assert u.journal.count_reflections(T, partnership_id=partnership_id) == 6
        assert u.journal.count_reflections(T, authors=("UMENTOR",)) == 3
        one = u.journal.reflection(T, mine[0].id or 0)
        assert one is not None and one.visibility is Visibility.PRIVATE
        assert u.journal.reflection("T_OTHER", mine[0].id or 0) is None


def test_a_milestone_key_is_recorded_once_per_partnership(
    database: Database, partnership_id: int
) -> None:
    def milestone(key: str, days: int = 0) -> Milestone:
        return Milestone(
            team_id=T,
            partnership_id=partnership_id,
            key=key,
            title=key,
            achieved_at=AT + timedelta(days=days),
        )

    with uow(database) as u:
        assert u.journal.add_milestone(milestone("sessions:1"))
        assert not u.journal.add_milestone(milestone("sessions:1", 3))
        assert u.journal.add_milestone(milestone("sessions:5", 30))
        u.commit()
    with uow(database) as u:
        assert not u.journal.add_milestone(milestone("sessions:5"))  # a later transaction too
        assert [m.key for m in u.journal.milestones(T, partnership_id)] == [
            "sessions:5",
            "sessions:1",
        ]
        assert [m.key for m in u.journal.milestones(T, partnership_id, limit=1, offset=1)] == [
            "sessions:1"
        ]
        assert u.journal.count_milestones(T, partnership_id) == 2


def test_journal_settings_default_to_no_shout_outs_and_are_kept(database: Database) -> None:
    with uow(database) as u:
        preferences = u.journal.preferences(T, "UMENTEE")
        assert preferences == JournalPreferences(team_id=T, user_id="UMENTEE")
        preferences.shout_outs, preferences.last_wording = True, 3
        u.journal.save_preferences(preferences)
        # a second "first" save of the same person updates the same row
        u.journal.save_preferences(
            JournalPreferences(team_id=T, user_id="UMENTEE", shout_outs=True)
        )
        u.commit()
    with uow(database) as u:
        kept = u.journal.preferences(T, "UMENTEE")
        assert kept.shout_outs is True and kept.last_wording == -1
        assert u.journal.preferences(T, "USOMEONE").shout_outs is False
