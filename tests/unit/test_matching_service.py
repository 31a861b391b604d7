"""The request-and-match journey, on fakes: a mentee asks, picks, the mentor answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.clock import FixedClock
from bot.errors import Conflict, DomainError, NotFound
from bot.matching.forms import MAX_BIO, MAX_GOALS, MAX_ORG
from bot.matching.service import MenteeAsk, MentoringService, MentorOffer
from bot.model.kinds import Kind
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import (
    MatchProposal,
    MentorRequest,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.model.rules import ProgramRules
from bot.outbox.dispatch import Dispatcher
from bot.services import partnership_events
from tests.unit.fakes import FakeMessenger, FakeStore, FakeUnitOfWork, stored_payload

TEAM = "T0001"
OTHER_TEAM = "T0002"
MENTEE = "UMENTEE1"
COORDINATORS = ("UCOORD1", "UCOORD2")
RULES = ProgramRules(coordinators=COORDINATORS)
GOALS = "Lead my team through a reorganization without losing people"


class Program:
    """The service on a fake store, and the units of work it opened, newest last."""

    def __init__(self, clock: FixedClock, rules: ProgramRules = RULES) -> None:
        self.store = FakeStore()
        self.clock = clock
        self.rules = rules
        self.uows: list[FakeUnitOfWork] = []
        self.service = MentoringService(
            uow=self._uow, clock=clock, rules=rules, events=partnership_events(rules)
        )

    def _uow(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.store)
        self.uows.append(uow)
        return uow

    def offer(
        self,
        user_id: str,
        *,
        expertise: tuple[str, ...] = ("leadership", "change management"),
        organization: str = "Globex",
        capacity: int = 2,
        tz: str = "Europe/Berlin",
        accepting: bool = True,
        team_id: str = TEAM,
    ) -> None:
        self.service.offer(
            team_id=team_id,
            user_id=user_id,
            offer=MentorOffer(
                expertise=list(expertise),
                bio=f"Hi, I am {user_id}.",
                organization=organization,
                capacity=capacity,
                languages=["en"],
                accepting=accepting,
            ),
            tz=tz,
            tz_offset=0,
        )

    def ask(
        self,
        mentee_id: str = MENTEE,
        *,
        focus: tuple[str, ...] = ("leadership", "change management"),
        organization: str = "Acme",
        team_id: str = TEAM,
    ) -> MentorRequest:
        result = self.service.ask(
            team_id=team_id,
            mentee_id=mentee_id,
            ask=MenteeAsk(
                goals=GOALS,
                focus_areas=list(focus),
                organization=organization,
                wants_other_org=False,
            ),
            tz="Europe/London",
            tz_offset=0,
        )
        return result.request

    def choose(self, request: MentorRequest, mentor_id: str) -> MatchProposal:
        assert request.id is not None
        return self.service.choose(
            team_id=request.team_id,
            mentee_id=request.mentee_id,
            request_id=request.id,
            mentor_id=mentor_id,
        )

    def accept(self, proposal: MatchProposal, mentor_id: str | None = None) -> Partnership:
        assert proposal.id is not None
        return self.service.accept(
            team_id=proposal.team_id,
            mentor_id=mentor_id or proposal.mentor_id,
            proposal_id=proposal.id,
        )

    def decline(self, proposal: MatchProposal, reason: str = "") -> MatchProposal:
        assert proposal.id is not None
        return self.service.decline(
            team_id=proposal.team_id,
            mentor_id=proposal.mentor_id,
            proposal_id=proposal.id,
            reason=reason,
        )

    def dispatcher(self, messenger: FakeMessenger) -> Dispatcher:
        return Dispatcher(
            uow=self._uow,
            messenger=messenger,
            clock=self.clock,
            jobs={Kind.EXPIRE_PROPOSAL: self.service.expire},
            worker="test",
        )

    # -- reading the outcome -----------------------------------------------------------------

    def to(self, recipient: str, kind: str) -> list[OutgoingMessage]:
        return [m for m in self.store.messages(kind=kind) if m.recipient == recipient]

    def last_suggestions(self, mentee_id: str = MENTEE) -> OutgoingMessage:
        return self.to(mentee_id, Kind.SUGGESTIONS)[-1]

    def request(self, request_id: int | None) -> MentorRequest:
        [found] = [r for r in self.store.requests() if r.id == request_id]
        return found

    def proposal(self, proposal_id: int | None) -> MatchProposal:
        [found] = [p for p in self.store.proposals() if p.id == proposal_id]
        return found


def suggested(message: OutgoingMessage) -> list[str]:
    return [c["mentor_id"] for c in stored_payload(message)["candidates"]]


@pytest.fixture
def program(clock: FixedClock) -> Program:
    return Program(clock)


@pytest.fixture
def asked(program: Program) -> tuple[Program, MentorRequest]:
    """Two mentors offer; the mentee asks and sees them both."""
    program.offer("UMENTOR1")
    program.offer("UMENTOR2", expertise=("leadership",))
    return program, program.ask()


@pytest.fixture
def proposed(asked: tuple[Program, MentorRequest]) -> tuple[Program, MatchProposal]:
    program, request = asked
    return program, program.choose(request, "UMENTOR1")


# -- asking ------------------------------------------------------------------------------------


def test_asking_with_no_mentors_waitlists_and_tells_the_mentee_and_each_coordinator(
    program: Program,
) -> None:
    result = program.service.ask(
        team_id=TEAM,
        mentee_id=MENTEE,
        ask=MenteeAsk(
            goals=GOALS, focus_areas=["leadership"], organization="Acme", wants_other_org=False
        ),
        tz="Europe/London",
        tz_offset=0,
    )

    assert result.waitlisted
    assert result.candidates == []
    assert program.uows[-1].committed
    saved = program.request(result.request.id)
    assert saved.status is RequestStatus.WAITLISTED
    assert saved.goals == GOALS
    [waitlisted] = program.to(MENTEE, Kind.WAITLISTED)
    assert stored_payload(waitlisted) == {"request_id": saved.id, "context": "first"}
    assert waitlisted.due_at == program.clock.now()
    coordinators = program.store.messages(kind=Kind.COORDINATOR_WAITLIST)
    assert sorted(m.recipient for m in coordinators) == list(COORDINATORS)
    assert all(stored_payload(m)["mentee_id"] == MENTEE for m in coordinators)
    assert all(stored_payload(m)["focus_areas"] == ["leadership"] for m in coordinators)
    assert program.store.messages(kind=Kind.SUGGESTIONS) == []


def test_asking_suggests_the_best_mentors_up_to_the_programs_number(clock: FixedClock) -> None:
    program = Program(clock, replace(RULES, suggestions=2))
    program.offer("UMENTOR1", expertise=("leadership",))
    program.offer("UMENTOR2", expertise=("leadership", "change management"))
    program.offer("UMENTOR3", expertise=("technical skills",))
    program.offer("UMENTOR4", expertise=("change management",))

    request = program.ask()

    message = program.last_suggestions()
    assert suggested(message) == ["UMENTOR2", "UMENTOR1"]  # 1 and 4 tie: the lower ID wins
    assert stored_payload(message)["request_id"] == request.id
    assert stored_payload(message)["context"] == "first"
    assert stored_payload(message)["candidates"][0]["reason"].startswith(
        "shares leadership and change management; "
    )
    assert stored_payload(message)["candidates"][0]["bio"] == "Hi, I am UMENTOR2."
    assert program.request(request.id).status is RequestStatus.MATCHING
    assert program.store.messages(kind=Kind.WAITLISTED) == []


def test_asking_shows_at_most_three_by_default(program: Program) -> None:
    for n in range(1, 6):
        program.offer(f"UMENTOR{n}")

    program.ask()

    assert suggested(program.last_suggestions()) == ["UMENTOR1", "UMENTOR2", "UMENTOR3"]


def test_a_double_submitted_ask_suggests_once(program: Program) -> None:
    program.offer("UMENTOR1")

    program.ask()
    program.ask()

    assert len(program.store.messages(kind=Kind.SUGGESTIONS)) == 1
    assert len(program.store.requests()) == 1


def test_asking_again_updates_the_same_open_request(program: Program) -> None:
    first = program.ask()
    program.clock.advance(timedelta(minutes=5))
    program.offer("UMENTOR1", expertise=("communication",))

    again = program.ask(focus=("communication",))

    assert again.id == first.id
    assert len(program.store.requests()) == 1
    assert program.request(first.id).focus_areas == ["communication"]


def test_asking_while_in_an_active_partnership_is_a_conflict(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    program.accept(proposal)
    before = program.store.messages()

    with pytest.raises(Conflict, match=r"You already have a mentor, <@UMENTOR1>"):
        program.ask()

    assert not program.uows[-1].committed
    assert program.store.messages() == before


def test_asking_while_a_mentor_is_being_asked_is_a_conflict(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, _ = proposed

    with pytest.raises(Conflict, match=r"already asked <@UMENTOR1>"):
        program.ask()


def test_asking_with_an_invalid_form_raises_the_first_field_error(program: Program) -> None:
    with pytest.raises(DomainError) as raised:
        program.service.ask(
            team_id=TEAM,
            mentee_id=MENTEE,
            ask=MenteeAsk(
                goals="help", focus_areas=["leadership"], organization="", wants_other_org=False
            ),
            tz="Europe/London",
            tz_offset=0,
        )

    assert raised.value.field == "goals"
    assert program.store.requests() == []


# -- the form checks ---------------------------------------------------------------------------


AN_ASK = MenteeAsk(
    goals=GOALS, focus_areas=["leadership"], organization="Acme", wants_other_org=False
)
AN_OFFER = MentorOffer(
    expertise=["leadership"],
    bio="Twenty years of teams.",
    organization="Globex",
    capacity=2,
    languages=["en"],
)


def test_a_good_ask_and_offer_have_no_errors(program: Program) -> None:
    assert program.service.check_ask(AN_ASK) == {}
    assert program.service.check_offer(AN_OFFER) == {}


@pytest.mark.parametrize(
    ("ask", "errors"),
    [
        (
            replace(AN_ASK, goals="   grow    "),
            {"goals": "Tell your mentor a little more: what would you like to grow in this year?"},
        ),
        (
            replace(AN_ASK, goals="x" * (MAX_GOALS + 1)),
            {"goals": "Keep it under 2000 characters (it has 2001)."},
        ),
        (replace(AN_ASK, focus_areas=[]), {"focus_areas": "Pick at least one focus area."}),
        (
            replace(AN_ASK, focus_areas=["leadership", "astrology", "Leadership"]),
            {"focus_areas": "Not a focus area of this program: astrology, Leadership."},
        ),
        (
            replace(AN_ASK, organization="x" * (MAX_ORG + 1)),
            {"organization": "Keep the organization under 120 characters."},
        ),
    ],
)
def test_check_ask_field_errors(program: Program, ask: MenteeAsk, errors: dict[str, str]) -> None:
    assert program.service.check_ask(ask) == errors


def test_check_ask_wants_at_least_ten_characters_of_goals(program: Program) -> None:
    assert program.service.check_ask(replace(AN_ASK, goals="  0123456789  ")) == {}
    assert "goals" in program.service.check_ask(replace(AN_ASK, goals="  012345678  "))


CAPACITY_ERROR = "Choose between 1 and 5 mentees at a time."


@pytest.mark.parametrize(
    ("offer", "errors"),
    [
        (
            replace(AN_OFFER, expertise=[]),
            {"expertise": "Pick at least one area you can help with."},
        ),
        (
            replace(AN_OFFER, expertise=["cooking"]),
            {"expertise": "Not a focus area of this program: cooking."},
        ),
        (replace(AN_OFFER, capacity=0), {"capacity": CAPACITY_ERROR}),
        (replace(AN_OFFER, capacity=6), {"capacity": CAPACITY_ERROR}),
        (replace(AN_OFFER, capacity=-1), {"capacity": CAPACITY_ERROR}),
        (
            replace(AN_OFFER, bio="x" * (MAX_BIO + 1)),
            {"bio": "Keep the bio under 1500 characters (it has 1501)."},
        ),
        (
            replace(AN_OFFER, organization="x" * (MAX_ORG + 1)),
            {"organization": "Keep the organization under 120 characters."},
        ),
        (
            replace(AN_OFFER, capacity=9, bio="x" * 2000),
            {
                "capacity": CAPACITY_ERROR,
                "bio": "Keep the bio under 1500 characters (it has 2000).",
            },
        ),
    ],
)
def test_check_offer_field_errors(
    program: Program, offer: MentorOffer, errors: dict[str, str]
) -> None:
    assert program.service.check_offer(offer) == errors


def test_check_offer_limits_are_inclusive(program: Program) -> None:
    assert program.service.check_offer(replace(AN_OFFER, capacity=1, bio="x" * MAX_BIO)) == {}
    assert program.service.check_offer(replace(AN_OFFER, capacity=RULES.max_capacity)) == {}


def test_an_invalid_offer_saves_nothing(program: Program) -> None:
    with pytest.raises(DomainError) as raised:
        program.offer("UMENTOR1", capacity=0)

    assert raised.value.field == "capacity"
    assert program.store.mentors() == []


# -- choosing a mentor -------------------------------------------------------------------------


def test_choosing_asks_the_mentor_now_and_queues_a_reminder_and_an_expiry(
    asked: tuple[Program, MentorRequest],
) -> None:
    program, request = asked
    now = program.clock.now()

    proposal = program.choose(request, "UMENTOR1")

    assert program.uows[-1].committed
    stored = program.proposal(proposal.id)
    assert (stored.status, stored.mentor_id, stored.mentee_id) == (
        ProposalStatus.PENDING,
        "UMENTOR1",
        MENTEE,
    )
    assert stored.score == 82  # London and Berlin share 7 of 8 hours: 50 + 21.875 + 10
    assert stored.reason == (
        "shares leadership and change management; 7 working hours overlap; "
        "from another organization"
    )
    assert program.request(request.id).status is RequestStatus.PENDING_MENTOR
    prefix = f"proposal:{proposal.id}:"
    ask_ = program.store.message(prefix + "request")
    assert (ask_.kind, ask_.recipient, ask_.due_at) == (Kind.MENTOR_REQUEST, "UMENTOR1", now)
    assert stored_payload(ask_)["proposal_id"] == proposal.id
    assert stored_payload(ask_)["mentee_id"] == MENTEE
    assert stored_payload(ask_)["goals"] == GOALS
    reminder = program.store.message(prefix + "reminder")
    assert (reminder.kind, reminder.recipient) == (Kind.MENTOR_REQUEST_REMINDER, "UMENTOR1")
    assert reminder.due_at == now + RULES.request_reminder_after
    expiry = program.store.message(prefix + "expire")
    assert expiry.kind == Kind.EXPIRE_PROPOSAL
    assert stored_payload(expiry) == {"proposal_id": proposal.id}
    assert (
        expiry.due_at == now + RULES.request_reminder_after + RULES.request_expires_after_reminder
    )
    assert expiry.due_at == now + timedelta(days=5)


def test_choosing_with_another_mentees_request_is_not_found(
    asked: tuple[Program, MentorRequest],
) -> None:
    program, request = asked
    assert request.id is not None

    with pytest.raises(NotFound):
        program.service.choose(
            team_id=TEAM, mentee_id="UINTRUDER", request_id=request.id, mentor_id="UMENTOR1"
        )
    with pytest.raises(NotFound):
        program.service.choose(
            team_id=OTHER_TEAM, mentee_id=MENTEE, request_id=request.id, mentor_id="UMENTOR1"
        )
    with pytest.raises(NotFound):
        program.service.choose(
            team_id=TEAM, mentee_id=MENTEE, request_id=9999, mentor_id="UMENTOR1"
        )

    assert program.store.proposals() == []
    assert program.request(request.id).status is RequestStatus.MATCHING


def test_choosing_the_same_mentor_twice_asks_them_once(
    asked: tuple[Program, MentorRequest],
) -> None:
    program, request = asked
    first = program.choose(request, "UMENTOR1")

    second = program.choose(request, "UMENTOR1")

    assert second.id == first.id
    assert len(program.store.proposals()) == 1
    assert len(program.store.messages(kind=Kind.MENTOR_REQUEST)) == 1
    assert len(program.store.messages(kind=Kind.EXPIRE_PROPOSAL)) == 1


def test_choosing_another_mentor_while_one_is_asked_is_a_conflict(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, _ = proposed
    [request] = program.store.requests()

    with pytest.raises(Conflict):
        program.choose(request, "UMENTOR2")

    assert len(program.store.proposals()) == 1


def test_choosing_a_mentor_who_cannot_take_anyone_is_a_conflict(
    asked: tuple[Program, MentorRequest],
) -> None:
    program, request = asked
    program.offer("UMENTOR1", accepting=False)

    with pytest.raises(Conflict, match="can't take a new mentee"):
        program.choose(request, "UMENTOR1")
    with pytest.raises(Conflict):
        program.choose(request, "UNOBODY")

    assert program.store.proposals() == []


def test_a_pending_request_takes_one_of_the_mentors_slots(program: Program) -> None:
    program.offer("UMENTOR1", capacity=1)
    first = program.ask("UMENTEE1")
    program.choose(first, "UMENTOR1")

    second = program.ask("UMENTEE2")

    assert program.request(second.id).status is RequestStatus.WAITLISTED
    assert program.to("UMENTEE2", Kind.SUGGESTIONS) == []


# -- the mentor accepts ------------------------------------------------------------------------


def test_accepting_creates_the_partnership_introduces_both_and_cancels_the_follow_ups(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    program.dispatcher(FakeMessenger()).run_once()  # the mentor got the request
    program.clock.advance(timedelta(hours=2))
    now = program.clock.now()

    partnership = program.accept(proposal)

    assert program.uows[-1].committed
    [stored] = program.store.partnerships()
    assert stored.id == partnership.id
    assert (stored.mentor_id, stored.mentee_id, stored.status) == (
        "UMENTOR1",
        MENTEE,
        PartnershipStatus.ACTIVE,
    )
    assert stored.started_at == now
    assert stored.ends_at == now + RULES.term
    assert program.proposal(proposal.id).status is ProposalStatus.ACCEPTED
    request = program.request(proposal.request_id)
    assert (request.status, request.matched_at) == (RequestStatus.MATCHED, now)
    [intro] = program.store.messages(kind=Kind.INTRODUCTION)
    assert intro.recipient == f"UMENTOR1,{MENTEE}"
    assert intro.key == f"partnership:{partnership.id}:introduction"
    assert intro.due_at == now
    assert stored_payload(intro)["ends_at"] == (now + RULES.term).isoformat()
    prefix = f"proposal:{proposal.id}:"
    assert program.store.message(prefix + "reminder").status is MessageStatus.CANCELLED
    assert program.store.message(prefix + "expire").status is MessageStatus.CANCELLED
    assert program.store.message(prefix + "request").status is MessageStatus.SENT  # untouched


def test_accepting_twice_makes_one_partnership(proposed: tuple[Program, MatchProposal]) -> None:
    program, proposal = proposed
    first = program.accept(proposal)

    again = program.accept(proposal)

    assert again.id == first.id
    assert len(program.store.partnerships()) == 1
    assert len(program.store.messages(kind=Kind.INTRODUCTION)) == 1


def test_someone_else_accepting_is_not_found(proposed: tuple[Program, MatchProposal]) -> None:
    program, proposal = proposed

    with pytest.raises(NotFound):
        program.accept(proposal, mentor_id="UMENTOR2")
    with pytest.raises(NotFound):
        program.accept(replace(proposal, team_id=OTHER_TEAM))

    assert program.store.partnerships() == []
    assert program.proposal(proposal.id).status is ProposalStatus.PENDING
    assert program.store.message(f"proposal:{proposal.id}:expire").status is MessageStatus.PENDING


def test_accepting_after_declining_is_a_conflict(proposed: tuple[Program, MatchProposal]) -> None:
    program, proposal = proposed
    program.decline(proposal)

    with pytest.raises(Conflict, match="You already declined this request"):
        program.accept(proposal)

    assert program.store.partnerships() == []


# -- the mentor declines -----------------------------------------------------------------------


def test_declining_suggests_the_others_to_the_mentee(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    program.clock.advance(timedelta(hours=1))

    declined = program.decline(proposal, reason="  Too busy this quarter.  ")

    assert program.uows[-1].committed
    stored = program.proposal(declined.id)
    assert stored.status is ProposalStatus.DECLINED
    assert stored.decline_reason == "Too busy this quarter."
    assert stored.answered_at == program.clock.now()
    message = program.last_suggestions()
    assert stored_payload(message)["context"] == "after_decline"
    assert suggested(message) == ["UMENTOR2"]
    assert program.request(proposal.request_id).status is RequestStatus.MATCHING
    prefix = f"proposal:{proposal.id}:"
    assert program.store.message(prefix + "reminder").status is MessageStatus.CANCELLED
    assert program.store.message(prefix + "expire").status is MessageStatus.CANCELLED


def test_declining_twice_is_harmless(proposed: tuple[Program, MatchProposal]) -> None:
    program, proposal = proposed
    program.decline(proposal)
    messages = program.store.messages()

    again = program.decline(proposal)

    assert again.status is ProposalStatus.DECLINED
    assert program.store.messages() == messages


def test_a_decliner_is_not_suggested_to_that_mentee_again(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    program.decline(proposal)
    program.clock.advance(timedelta(days=1))

    program.ask()

    assert suggested(program.last_suggestions()) == ["UMENTOR2"]


def test_when_the_only_mentor_declines_the_mentee_is_waitlisted(program: Program) -> None:
    program.offer("UMENTOR1")
    proposal = program.choose(program.ask(), "UMENTOR1")

    program.decline(proposal)

    assert program.request(proposal.request_id).status is RequestStatus.WAITLISTED
    [waitlisted] = program.to(MENTEE, Kind.WAITLISTED)
    assert stored_payload(waitlisted)["context"] == "after_decline"
    assert len(program.store.messages(kind=Kind.COORDINATOR_WAITLIST)) == len(COORDINATORS)


def test_a_decline_reason_that_is_too_long_is_refused(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed

    with pytest.raises(DomainError) as raised:
        program.decline(proposal, reason="x" * 1001)

    assert raised.value.field == "reason"
    assert program.proposal(proposal.id).status is ProposalStatus.PENDING


# -- the mentor never answers ------------------------------------------------------------------


def test_an_unanswered_request_is_reminded_then_expires_and_the_mentee_sees_others(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    messenger = FakeMessenger()
    dispatcher = program.dispatcher(messenger)
    prefix = f"proposal:{proposal.id}:"

    dispatcher.run_once()
    assert messenger.keys[-1] == prefix + "request"
    program.clock.advance(RULES.request_reminder_after)
    dispatcher.run_once()
    assert messenger.keys[-1] == prefix + "reminder"
    program.clock.advance(RULES.request_expires_after_reminder)
    report = dispatcher.run_once()

    assert report.jobs == 1
    expired = program.proposal(proposal.id)
    assert (expired.status, expired.answered_at) == (ProposalStatus.EXPIRED, program.clock.now())
    assert program.store.message(prefix + "expire").status is MessageStatus.SENT
    told = program.store.message(prefix + "expired")
    assert (told.kind, told.recipient) == (Kind.MENTOR_REQUEST_EXPIRED, "UMENTOR1")
    assert told.status is MessageStatus.SENT  # delivered in the same pass as the job
    message = program.last_suggestions()
    assert stored_payload(message)["context"] == "after_no_answer"
    assert suggested(message) == ["UMENTOR2"]
    assert message.status is MessageStatus.SENT
    assert program.request(proposal.request_id).status is RequestStatus.MATCHING


def test_the_expiry_job_leaves_an_answered_proposal_alone(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    program.accept(proposal)
    expiry = program.store.message(f"proposal:{proposal.id}:expire")
    before = program.store.messages()

    with FakeUnitOfWork(program.store) as uow:
        program.service.expire(uow, expiry, program.clock.now() + timedelta(days=5))
        uow.commit()

    assert program.proposal(proposal.id).status is ProposalStatus.ACCEPTED
    assert program.store.messages() == before


def test_a_mentor_cannot_accept_after_the_request_expired(
    proposed: tuple[Program, MatchProposal],
) -> None:
    program, proposal = proposed
    program.clock.advance(timedelta(days=5))
    program.dispatcher(FakeMessenger()).run_once()

    with pytest.raises(Conflict, match="expired"):
        program.accept(proposal)


# -- new mentors clear the waitlist --------------------------------------------------------------


def test_a_new_mentor_rematches_waitlisted_requests(program: Program) -> None:
    waiting = program.ask("UMENTEE1", focus=("leadership",))
    other = program.ask("UMENTEE2", focus=("leadership", "communication"), organization="Globex")
    apart = program.ask("UMENTEE3", focus=("technical skills",), organization="Globex")
    program.clock.advance(timedelta(days=2))

    program.offer("UMENTOR1", expertise=("leadership",), organization="Globex")

    assert program.request(waiting.id).status is RequestStatus.MATCHING
    message = program.last_suggestions("UMENTEE1")
    assert stored_payload(message)["context"] == "from_waitlist"
    assert suggested(message) == ["UMENTOR1"]
    # Nothing stops the other one from seeing them too: suggestions reserve no slot.
    assert program.request(other.id).status is RequestStatus.MATCHING
    assert suggested(program.last_suggestions("UMENTEE2")) == ["UMENTOR1"]
    # A mentor who shares no focus area is not worth the third one's time: they wait on.
    assert program.request(apart.id).status is RequestStatus.WAITLISTED


def test_a_paused_mentor_rematches_nobody(program: Program) -> None:
    waiting = program.ask()

    program.offer("UMENTOR1", accepting=False)

    assert program.request(waiting.id).status is RequestStatus.WAITLISTED
    assert program.store.messages(kind=Kind.SUGGESTIONS) == []


def test_a_mentor_who_resumes_rematches_the_waitlist(program: Program) -> None:
    program.offer("UMENTOR1", accepting=False)
    waiting = program.ask()

    program.service.set_accepting(team_id=TEAM, user_id="UMENTOR1", accepting=True)

    assert program.request(waiting.id).status is RequestStatus.MATCHING
    assert suggested(program.last_suggestions()) == ["UMENTOR1"]


def test_workspaces_do_not_see_each_others_mentors(program: Program) -> None:
    program.offer("UMENTOR1", team_id=OTHER_TEAM)

    request = program.ask()

    assert program.request(request.id).status is RequestStatus.WAITLISTED


# -- Slack retries ------------------------------------------------------------------------------


def test_an_event_is_acted_on_once(program: Program) -> None:
    assert program.service.first_delivery(TEAM, "Ev1")
    assert not program.service.first_delivery(TEAM, "Ev1")
    assert program.service.first_delivery(TEAM, "Ev2")
