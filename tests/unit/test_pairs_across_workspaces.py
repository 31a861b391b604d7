"""A pair across workspaces on fakes: every prompt of the rhythm is queued in its recipient's
own workspace (whose token sends it) with the program's hours and the partner's workspace in
the payload, jobs stay the program's, ending cancels what waits in either workspace, and only
the two people themselves, each from their own workspace, act for the pair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.errors import NotFound
from bot.model.kinds import TIMING, Kind, Timing
from bot.model.messages import PairPrompt
from bot.model.onboarding import TextKey
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import (
    MentorProfile,
    MentorRequest,
    Partnership,
    RequestStatus,
    team_if_across,
)
from bot.model.rules import ProgramRules
from bot.onboarding.service import OnboardingService, plan_onboarding
from bot.outbox.dispatch import Dispatcher
from bot.ports import cancel_for_pair, sent_for_pair
from bot.rhythm.service import RhythmService, plan_program
from bot.services import partnership_events
from tests.unit.fakes import FakeMessenger, FakeStore, FakeUnitOfWork

HOST, MEMBER = "T1", "T2"
MENTOR, MENTEE = "UACME1", "UGLOBEX1"
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
RULES = ProgramRules(coordinators=("UCOORD1",))


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    with FakeUnitOfWork(store) as uow:
        partnership = uow.partnerships.save(
            Partnership(
                team_id=HOST,
                mentor_id=MENTOR,
                mentee_id=MENTEE,
                request_id=101,
                started_at=START,
                ends_at=START + RULES.term,
                program_id=7,
                mentor_team_id=HOST,
                mentee_team_id=MEMBER,
            )
        )
        uow.mentors.save(
            MentorProfile(
                team_id=HOST,
                user_id=MENTOR,
                expertise=["leadership"],
                bio="",
                organization="Acme",
                capacity=2,
                languages=["en"],
                tz="Europe/London",
                program_id=7,
            )
        )
        uow.requests.save(
            MentorRequest(
                team_id=MEMBER,
                mentee_id=MENTEE,
                goals="Lead a team",
                focus_areas=["leadership"],
                organization="Globex",
                wants_other_org=True,
                tz="America/New_York",
                status=RequestStatus.MATCHED,
                id=101,
                program_id=7,
                host_team_id=HOST,
            )
        )
        plan_program(uow, partnership, rules=RULES)
        uow.commit()
    return store


def rhythm(store: FakeStore, at: datetime) -> RhythmService:
    return RhythmService(
        uow=lambda: FakeUnitOfWork(store),
        clock=FixedClock(at),
        rules=RULES,
        events=partnership_events(RULES),
    )


def run(store: FakeStore, at: datetime) -> FakeMessenger:
    service = rhythm(store, at)
    messenger = FakeMessenger()
    Dispatcher(
        uow=lambda: FakeUnitOfWork(store),
        messenger=messenger,
        clock=FixedClock(at),
        jobs={
            Kind.PULSE_ROUND: service.pulse_round,
            Kind.QUIET_CHECK: service.quiet_check,
            Kind.MIDTERM: service.midterm,
            Kind.TERM_NOTICE_DUE: service.term_notice,
            Kind.TERM_END: service.term_end,
        },
        worker="w1",
    ).run_once(at)
    return messenger


def test_the_pair_knows_its_workspaces_and_whom_to_name_in_words() -> None:
    across = Partnership(
        team_id=HOST,
        mentor_id=MENTOR,
        mentee_id=MENTEE,
        request_id=None,
        started_at=START,
        ends_at=START,
        mentor_team_id=HOST,
        mentee_team_id=MEMBER,
    )
    assert across.workspaces() == (HOST, MEMBER)
    assert team_if_across(across, MENTEE) == MEMBER and team_if_across(across, MENTOR) == HOST
    both_members = Partnership(
        team_id=HOST,
        mentor_id=MENTOR,
        mentee_id=MENTEE,
        request_id=None,
        started_at=START,
        ends_at=START,
        mentor_team_id="T3",
        mentee_team_id=MEMBER,
    )
    assert both_members.workspaces() == (HOST, "T3", MEMBER)
    one = Partnership(
        team_id=HOST,
        mentor_id=MENTOR,
        mentee_id=MENTEE,
        request_id=None,
        started_at=START,
        ends_at=START,
    )
    assert one.workspaces() == (HOST,) and team_if_across(one, MENTEE) is None


def test_pulses_go_to_each_in_their_own_workspace_with_the_programs_hours(
    store: FakeStore,
) -> None:
    run(store, START + timedelta(days=14))
    pulses = {m.recipient: m for m in store.messages(kind=Kind.PULSE)}
    assert {p: m.team_id for p, m in pulses.items()} == {MENTOR: HOST, MENTEE: MEMBER}
    for person, message in pulses.items():
        payload = message.payload
        assert isinstance(payload, PairPrompt)
        assert payload.program_id == 7 and payload.program_team_id == HOST  # whose hours
        partner_team = MEMBER if person == MENTOR else HOST
        assert payload.partner_team_id == partner_team  # where the partner's name is asked
    assert [pulses[p].payload.tz for p in (MENTOR, MENTEE)] == [  # type: ignore[attr-defined]
        "Europe/London",
        "America/New_York",
    ]
    # jobs (nobody reads them) stay the program's
    jobs = [m for m in store.messages() if TIMING[m.kind] is Timing.JOB]
    assert jobs and {m.team_id for m in jobs} == {HOST}


def test_ending_cancels_what_waits_in_either_workspace(store: FakeStore) -> None:
    with FakeUnitOfWork(store) as uow:  # a prompt waiting in each person's workspace
        for team, person in ((HOST, MENTOR), (MEMBER, MENTEE)):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team,
                    kind=Kind.QUIET_NUDGE,
                    recipient=person,
                    key=f"rhythm:1:quiet:x:{person}",
                    due_at=START + timedelta(days=20),
                )
            )
        uow.commit()
    rhythm(store, START + timedelta(days=15)).end(
        team_id=MEMBER, user_id=MENTEE, partnership_id=1, reason="schedule"
    )
    assert not [
        m
        for m in store.messages()
        if m.status is MessageStatus.PENDING and m.key.startswith("rhythm:1:")
    ]
    told = store.messages(kind=Kind.PARTNERSHIP_ENDED)
    assert [(m.recipient, m.team_id) for m in told] == [(MENTOR, HOST)]
    coordinators = store.messages(kind=Kind.COORDINATOR_ENDED)
    assert coordinators and {m.team_id for m in coordinators} == {HOST}  # the program's team


def test_only_the_two_of_them_from_their_own_workspace_act_for_the_pair(
    store: FakeStore,
) -> None:
    service = rhythm(store, START + timedelta(days=15))
    for team, user in ((HOST, MENTEE), (MEMBER, MENTOR), (MEMBER, "UGLOBEX2"), ("T3", MENTEE)):
        with pytest.raises(NotFound):
            service.end(team_id=team, user_id=user, partnership_id=1, reason="schedule")
    assert store.partnerships()[0].live


def test_sent_for_a_pair_looks_in_each_of_its_workspaces(store: FakeStore) -> None:
    sent = run(store, START + timedelta(days=14))
    assert sorted((m.team_id, m.recipient) for m in sent.asked if m.kind == Kind.PULSE) == [
        (HOST, MENTOR),
        (MEMBER, MENTEE),
    ]
    with FakeUnitOfWork(store) as uow:
        partnership = uow.partnerships.get(MEMBER, 1)
        assert partnership is not None
        found = sent_for_pair(uow.outbox, partnership, "rhythm:1:pulse:1:")
        assert sorted(m.team_id for m in found) == [HOST, MEMBER]
        assert [m.team_id for m in uow.outbox.sent(HOST, "rhythm:1:pulse:1:")] == [HOST]
        assert cancel_for_pair(uow.outbox, partnership, "rhythm:1:pulse:1:") == 0  # sent


class DefaultTexts:
    """No program has changed its onboarding texts: the defaults go out."""

    def get(self, team_id: str, key: TextKey) -> None:
        return None


class WithDefaultTexts(FakeUnitOfWork):
    program_texts = DefaultTexts()


def test_the_onboarding_series_reaches_each_in_their_own_slack_never_a_group_dm(
    store: FakeStore,
) -> None:
    with FakeUnitOfWork(store) as uow:
        partnership = uow.partnerships.get(HOST, 1)
        assert partnership is not None
        plan_onboarding(uow, partnership)
        uow.commit()
    onboarding = OnboardingService(
        uow=lambda: WithDefaultTexts(store), clock=FixedClock(START), rules=RULES
    )
    at = START + timedelta(days=40)  # the welcome, the agenda and the first month's topic
    Dispatcher(
        uow=lambda: WithDefaultTexts(store),
        messenger=FakeMessenger(),
        clock=FixedClock(at),
        jobs={Kind.ONBOARDING_STEP: onboarding.step},
        worker="w1",
    ).run_once(at)
    sent = store.messages(kind=Kind.ONBOARDING)
    steps = sorted((m.payload.step, m.recipient, m.team_id) for m in sent)  # type: ignore[attr-defined]
    assert steps == [
        ("agenda", MENTOR, HOST),
        ("agenda", MENTEE, MEMBER),
        ("topic:1", MENTOR, HOST),
        ("topic:1", MENTEE, MEMBER),
        ("welcome", MENTOR, HOST),
        ("welcome", MENTEE, MEMBER),
    ]


def test_the_midterm_counts_as_asked_in_both_workspaces_for_the_programs_team(
    store: FakeStore,
) -> None:
    half = START + RULES.term / 2
    run(store, half)
    asked = store.messages(kind=Kind.MIDTERM_REVIEW)
    assert sorted((m.recipient, m.team_id) for m in asked) == [(MENTOR, HOST), (MENTEE, MEMBER)]
    service = rhythm(store, half)
    service.answer_midterm(
        team_id=MEMBER, user_id=MENTEE, partnership_id=1, progress=4, rhythm="as_planned", change=""
    )
    summary = service.midterm_summary(HOST)
    assert (summary.asked, summary.answered) == (2, 1)
    assert service.midterm_summary(MEMBER).answered == 0  # the answers are the program's


def test_quiet_nudges_the_term_notice_and_the_final_evaluation_each_in_their_own_slack(
    store: FakeStore,
) -> None:
    for days in RULES.quiet_ladder[:2]:
        run(store, START + timedelta(days=days, hours=1))
    nudges = {(m.recipient, m.team_id) for m in store.messages(kind=Kind.QUIET_NUDGE)}
    assert nudges == {(MENTEE, MEMBER), (MENTOR, HOST)}
    run(store, START + RULES.term - RULES.term_notice)
    notices = {(m.recipient, m.team_id) for m in store.messages(kind=Kind.TERM_NOTICE)}
    assert notices == {(MENTEE, MEMBER), (MENTOR, HOST)}
    run(store, START + RULES.term)
    for kind in (Kind.FINAL_EVALUATION, Kind.YEAR_IN_NUMBERS, Kind.EXIT_SURVEY):
        to = {(m.recipient, m.team_id) for m in store.messages(kind=kind)}
        assert to == {(MENTEE, MEMBER), (MENTOR, HOST)}, kind
