"""Goals, reflections and milestones on fakes: privacy, celebrations once, the right moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from bot.clock import FixedClock
from bot.errors import DomainError, NotAllowed, NotFound
from bot.journal.milestones import plan_milestones, wording_for
from bot.journal.service import JournalService, ReflectionDraft
from bot.model.dates import add_months
from bot.model.journal import CELEBRATION_WORDINGS, GoalStatus, Visibility
from bot.model.kinds import Kind
from bot.model.messages.sessions import SessionMet
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionLog, SessionOutcome
from bot.outbox.dispatch import Dispatcher
from tests.unit.fakes import FakeMessenger, FakeStore, FakeUnitOfWork, stored_payload

TEAM = "T0001"
MENTOR, MENTEE, STRANGER = "UMENTOR", "UMENTEE", "USTRANGER"
START = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


class Journal:
    """The journal service on a fake store, with one partnership and a dispatcher for jobs."""

    def __init__(self, *, channel: str | None = "C0PROGRAM") -> None:
        self.store = FakeStore()
        self.clock = FixedClock(START)
        self.service = JournalService(
            uow=lambda: FakeUnitOfWork(self.store),
            clock=self.clock,
            rules=ProgramRules(),
            program_channel=channel,
        )
        self.messenger = FakeMessenger()
        self.dispatcher = Dispatcher(
            uow=lambda: FakeUnitOfWork(self.store),
            messenger=self.messenger,
            clock=self.clock,
            jobs={
                Kind.SESSION_MET: self.service.session_met,
                Kind.MILESTONE_DUE: self.service.milestone_due,
            },
            worker="test",
        )
        with FakeUnitOfWork(self.store) as uow:
            partnership = uow.partnerships.save(
                Partnership(
                    team_id=TEAM,
                    mentor_id=MENTOR,
                    mentee_id=MENTEE,
                    request_id=None,
                    started_at=START,
                    ends_at=START + timedelta(days=365),
                )
            )
            plan_milestones(uow, partnership)
            uow.commit()
        assert partnership.id is not None
        self.pid = partnership.id

    def met(self, start: datetime) -> None:
        """A session logged as held, as SessionService.record queues it."""
        with FakeUnitOfWork(self.store) as uow:
            uow.sessions.add_log(
                SessionLog(
                    team_id=TEAM,
                    partnership_id=self.pid,
                    occurrence_start=start,
                    outcome=SessionOutcome.MET,
                    answered_by=MENTEE,
                    answered_at=start,
                )
            )
            uow.outbox.add(
                OutgoingMessage(
                    team_id=TEAM,
                    kind=Kind.SESSION_MET,
                    recipient=MENTEE,
                    key=f"met:{self.pid}:{start.isoformat()}",
                    due_at=self.clock.now(),
                    payload=SessionMet(partnership_id=self.pid, start=start),
                )
            )
            uow.commit()

    def celebrated(self, person: str = MENTEE) -> list[str]:
        return [
            str(stored_payload(m)["title"])
            for m in self.messenger.asked
            if m.kind == Kind.CELEBRATION and m.recipient == person
        ]

    def shout_outs(self) -> list[OutgoingMessage]:
        return self.store.messages(kind=Kind.SHOUT_OUT)


def draft(text: str, visibility: Visibility = Visibility.PRIVATE) -> ReflectionDraft:
    return ReflectionDraft(topics=text, learned="", next_steps="", visibility=visibility)


def test_the_mentee_sets_goals_and_a_rewrite_keeps_status_and_note() -> None:
    j = Journal()
    goals = j.service.set_goals(
        team_id=TEAM,
        user_id=MENTEE,
        partnership_id=j.pid,
        entries=[(None, "Plan the year"), (None, ""), (None, "Speak up")],
    )
    assert [(g.position, g.text) for g in goals] == [(1, "Plan the year"), (2, "Speak up")]
    first = goals[0].id
    assert first is not None
    j.service.update_goal(
        team_id=TEAM, user_id=MENTOR, goal_id=first, status=GoalStatus.IN_PROGRESS, note="Begun"
    )
    rewritten = j.service.set_goals(
        team_id=TEAM,
        user_id=MENTEE,
        partnership_id=j.pid,
        entries=[(first, "Plan the year well"), (goals[1].id, "")],
    )
    assert [(g.id, g.text, g.status, g.note) for g in rewritten] == [
        (first, "Plan the year well", GoalStatus.IN_PROGRESS, "Begun")
    ]
    with pytest.raises(NotAllowed):
        j.service.set_goals(
            team_id=TEAM, user_id=MENTOR, partnership_id=j.pid, entries=[(None, "Mine")]
        )
    with pytest.raises(DomainError) as too_many:
        j.service.set_goals(
            team_id=TEAM,
            user_id=MENTEE,
            partnership_id=j.pid,
            entries=[(None, f"goal {n}") for n in range(6)],
        )
    assert too_many.value.field == "goal_1"
    with pytest.raises(NotFound):
        j.service.update_goal(team_id=TEAM, user_id=STRANGER, goal_id=first, status=GoalStatus.DONE)


def test_privacy_is_enforced_by_the_service_whatever_id_is_asked_for() -> None:
    j = Journal()
    private = j.service.reflect(
        team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, draft=draft("just mine")
    )
    shared = j.service.reflect(
        team_id=TEAM,
        user_id=MENTEE,
        partnership_id=j.pid,
        draft=draft("for us", Visibility.SHARED),
    )
    assert private.id is not None and shared.id is not None
    assert j.service.reflection(TEAM, MENTEE, private.id).topics == "just mine"
    assert j.service.reflection(TEAM, MENTOR, shared.id).topics == "for us"
    for who, reflection_id in [
        (MENTOR, private.id),
        (STRANGER, shared.id),
        (STRANGER, private.id),
        (MENTOR, 10_000),
    ]:
        with pytest.raises(NotFound) as refused:
            j.service.reflection(TEAM, who, reflection_id)
        assert refused.value.message == "I can't find that reflection."
    with pytest.raises(NotFound):  # only its author edits it
        j.service.reflect(
            team_id=TEAM,
            user_id=MENTOR,
            partnership_id=j.pid,
            draft=draft("overwritten"),
            reflection_id=private.id,
        )
    assert [r.topics for r in j.service.reflections(TEAM, MENTOR, j.pid).items] == ["for us"]
    assert j.service.reflection_counts(TEAM, j.pid) == 2  # what a coordinator may know
    with pytest.raises(NotFound):
        j.service.reflections(TEAM, STRANGER, j.pid)


def test_session_milestones_fire_at_the_1st_5th_10th_and_25th_session_and_the_streak() -> None:
    j = Journal()
    reached: dict[int, list[str]] = {}
    for n in range(1, 26):
        before = len(j.celebrated())
        j.met(START + timedelta(weeks=n))
        j.dispatcher.run_once(j.clock.now())
        j.dispatcher.run_once(j.clock.now())  # running again changes nothing
        if len(j.celebrated()) > before:
            reached[n] = j.celebrated()[before:]
    assert reached == {
        1: ["your first session together"],
        4: ["4 weekly sessions in a row"],
        5: ["5 sessions together"],
        10: ["10 sessions together"],
        25: ["25 sessions together"],
    }
    assert j.celebrated(MENTOR) == j.celebrated(MENTEE)


def test_a_second_detection_of_the_same_session_celebrates_nothing_more() -> None:
    j = Journal()
    j.met(START + timedelta(days=2))
    with FakeUnitOfWork(j.store) as uow:  # the same job, queued again under another key
        uow.outbox.add(
            OutgoingMessage(
                team_id=TEAM,
                kind=Kind.SESSION_MET,
                recipient=MENTOR,
                key="met:again",
                due_at=j.clock.now(),
                payload=SessionMet(partnership_id=j.pid, start=START + timedelta(days=2)),
            )
        )
        uow.commit()
    j.dispatcher.run_once(j.clock.now())
    assert j.celebrated() == ["your first session together"]


def test_months_together_and_the_term_come_due_on_their_dates_once() -> None:
    j = Journal()
    seen: list[tuple[datetime, str]] = []
    for day in range(0, 370):
        j.clock.set(START + timedelta(days=day))
        before = len(j.celebrated())
        j.dispatcher.run_once(j.clock.now())
        seen += [(j.clock.now(), t) for t in j.celebrated()[before:]]
    assert [t for _, t in seen] == [
        "one month together",
        "3 months together",
        "6 months together",
        "9 months together",
        "your mentoring year, completed",
    ]
    # Jan 31 + 1 month is Feb 28 (clamped), + 3 is Apr 30: each on the first tick at or after.
    assert seen[0][0].date() == add_months(START, 1).date() == datetime(2026, 2, 28).date()
    assert seen[1][0].date() == datetime(2026, 4, 30).date()
    assert seen[-1][0].date() == (START + timedelta(days=365)).date()


def test_an_ended_partnership_gets_no_months_and_no_term_completed() -> None:
    j = Journal()
    with FakeUnitOfWork(j.store) as uow:
        p = uow.partnerships.get(TEAM, j.pid)
        assert p is not None
        p.status = PartnershipStatus.ENDED
        uow.partnerships.save(p)
        uow.commit()
    j.clock.set(START + timedelta(days=400))
    j.dispatcher.run_once(j.clock.now())
    assert j.celebrated() == []


def test_the_channel_shout_out_needs_both_partners_and_never_carries_their_words() -> None:
    j = Journal()
    j.service.set_shout_outs(team_id=TEAM, user_id=MENTEE, enabled=True)
    j.service.add_milestone(team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, text="Promoted!")
    assert j.shout_outs() == []
    j.service.set_shout_outs(team_id=TEAM, user_id=MENTOR, enabled=True)
    j.service.add_milestone(
        team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, text="Presented to the board"
    )
    [shout] = j.shout_outs()
    assert shout.recipient == "C0PROGRAM"
    assert stored_payload(shout)["headline"] == "a personal milestone"
    assert "board" not in str(stored_payload(shout))
    # with no program channel configured, nothing is announced anywhere
    quiet = Journal(channel=None)
    for person in (MENTOR, MENTEE):
        quiet.service.set_shout_outs(team_id=TEAM, user_id=person, enabled=True)
    quiet.service.add_milestone(team_id=TEAM, user_id=MENTOR, partnership_id=quiet.pid, text="x")
    assert quiet.shout_outs() == []


def test_celebration_wording_is_never_the_same_twice_in_a_row_for_a_person() -> None:
    j = Journal()
    for n in range(30):
        j.service.add_milestone(
            team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, text=f"moment {n}"
        )
    for person in (MENTOR, MENTEE):
        wordings = [
            int(stored_payload(m)["wording"])
            for m in j.store.messages(kind=Kind.CELEBRATION)
            if m.recipient == person
        ]
        assert len(wordings) == 30
        assert all(a != b for a, b in pairwise(wordings))
        assert len(set(wordings)) > 2  # varied, not just alternating
    assert all(
        wording_for(key, last) != last
        for key in ("sessions:1", "months:3", "goal:7:done")
        for last in range(CELEBRATION_WORDINGS)
    )


def test_a_personal_milestone_typed_twice_the_same_day_is_celebrated_once() -> None:
    j = Journal()
    j.service.add_milestone(team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, text="Promoted")
    with pytest.raises(DomainError):
        j.service.add_milestone(team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, text="promoted")
    assert len(j.store.messages(kind=Kind.CELEBRATION)) == 2  # one for each partner
    with pytest.raises(DomainError) as empty:
        j.service.add_milestone(team_id=TEAM, user_id=MENTEE, partnership_id=j.pid, text="  ")
    assert empty.value.field == "text"


def test_a_dispatcher_that_ran_late_dates_milestones_on_their_anniversary() -> None:
    j = Journal()
    j.clock.set(START + timedelta(days=100))  # down for weeks: both months come due at once
    j.dispatcher.run_once(j.clock.now())
    page = j.service.milestones(TEAM, MENTEE, j.pid)
    assert [(m.title, m.achieved_at) for m in page.items] == [
        ("3 months together", add_months(START, 3)),
        ("one month together", add_months(START, 1)),
    ]
