"""What a reply in the DM means, on small fakes of our own: nothing is stored or sent until the
author chooses, and then only to whom they chose; the team is audited without the words."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.conversation.service import (
    ConversationService,
    Draft,
    Intent,
    Prompt,
    read,
    recent_prompts,
)
from bot.errors import DomainError, NotAllowed
from bot.model.audit import AuditEvent
from bot.model.conversation import DmNote, NoteAudience
from bot.model.kinds import Kind
from bot.model.messages import Payload
from bot.model.messages.coordination import CheckIn
from bot.model.messages.people import SharedDmNote
from bot.model.messages.rhythm import Pulse, QuietNudge
from bot.model.messages.sessions import SessionCheck, SessionReminder
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus
from bot.model.rules import ProgramRules
from bot.model.sessions import SessionOutcome
from bot.roster import Roster

TEAM, MENTOR, MENTEE, COORDINATOR = "T0001", "UMENTOR1", "UMENTEE1", "UCOORD1"
NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)


@dataclass
class Store:
    partnerships: list[Partnership] = field(default_factory=list)
    messages: list[OutgoingMessage] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)
    notes: list[DmNote] = field(default_factory=list)
    commits: int = 0


class Partnerships:
    def __init__(self, store: Store) -> None:
        self._store = store

    def for_member(self, team_id: str, user_id: str) -> list[Partnership]:
        return [p for p in self._store.partnerships if user_id in p.members()]


class Outbox:
    def __init__(self, store: Store, pending: list[OutgoingMessage]) -> None:
        self._store, self._pending = store, pending

    def add(self, message: OutgoingMessage) -> bool:
        self._pending.append(message)
        return True

    def sent(self, team_id: str, key_prefix: str) -> list[OutgoingMessage]:
        return [
            m
            for m in self._store.messages
            if m.key.startswith(key_prefix) and m.status is MessageStatus.SENT
        ]

    def status_of(self, team_id: str, key: str) -> MessageStatus | None:
        return next((m.status for m in self._store.messages if m.key == key), None)


class Audit:
    def __init__(self, pending: list[AuditEvent]) -> None:
        self._pending = pending

    def add(self, event: AuditEvent) -> None:
        self._pending.append(event)


class Notes:
    def __init__(self, store: Store, pending: list[DmNote]) -> None:
        self._store, self._pending = store, pending

    def add(self, note: DmNote) -> DmNote:
        note.id = len(self._store.notes) + len(self._pending) + 1
        self._pending.append(note)
        return note

    def get(self, team_id: str, note_id: int) -> DmNote | None:
        return next((n for n in self._store.notes if n.id == note_id), None)

    def by_author(self, team_id: str, author_id: str) -> list[DmNote]:
        return [n for n in self._store.notes if n.author_id == author_id]


class UnitOfWork:
    """Rolls back unless committed, like the real one: what was added waits in lists."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._messages: list[OutgoingMessage] = []
        self._audit: list[AuditEvent] = []
        self._notes: list[DmNote] = []
        self.partnerships = Partnerships(store)
        self.outbox = Outbox(store, self._messages)
        self.audit = Audit(self._audit)
        self.dm_notes = Notes(store, self._notes)

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._messages.clear()
        self._audit.clear()
        self._notes.clear()

    def commit(self) -> None:
        self._store.messages += self._messages
        self._store.audit += self._audit
        self._store.notes += self._notes
        self._store.commits += 1
        self.__exit__()


@pytest.fixture
def store() -> Store:
    return Store(
        partnerships=[
            Partnership(
                team_id=TEAM,
                mentor_id=MENTOR,
                mentee_id=MENTEE,
                request_id=1,
                started_at=NOW - timedelta(days=14),
                ends_at=NOW + timedelta(days=351),
                id=1,
            )
        ]
    )


@pytest.fixture
def service(store: Store) -> ConversationService:
    rules = ProgramRules(coordinators=(COORDINATOR,))

    def uow() -> Any:
        return UnitOfWork(store)

    return ConversationService(uow=uow, clock=FixedClock(NOW), roster=Roster(uow=uow, rules=rules))


def sent(kind: str, *, to: str, ago: timedelta, key: str, round: int = 0) -> OutgoingMessage:
    payload: Payload
    if kind == Kind.PULSE:
        payload = Pulse(partnership_id=1, partner_id="U0", round=round)
    elif kind == Kind.QUIET_NUDGE:
        payload = QuietNudge(partnership_id=1, partner_id="U0", days=14, both=False, mentee=True)
    else:
        start = NOW - ago
        payload = SessionReminder(
            partnership_id=1, partner_id="U0", start=start, minutes=60, original_date=start.date()
        )
    return OutgoingMessage(
        team_id=TEAM,
        kind=kind,
        recipient=to,
        key=key,
        due_at=NOW - ago,
        payload=payload,
        status=MessageStatus.SENT,
        sent_at=NOW - ago,
    )


PULSE = Prompt(
    kind=Kind.PULSE,
    partnership_id=1,
    sent_at=NOW,
    payload=Pulse(partnership_id=1, partner_id=MENTEE, round=1),
)
CHECK = Prompt(
    kind=Kind.SESSION_CHECK,
    partnership_id=1,
    sent_at=NOW,
    payload=SessionCheck(
        partnership_id=1,
        partner_id=MENTEE,
        start=datetime(2026, 3, 16, 14, 0, tzinfo=UTC),
        minutes=60,
        original_date=date(2026, 3, 16),
    ),
)


# -- reading -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["4", "4/5", " 4 out of 5! "])
def test_a_number_after_a_pulse_answers_it(text: str) -> None:
    reading = read(text, [PULSE])
    assert (reading.intent, reading.score, reading.round_no) == (Intent.PULSE, 4, 1)


def test_a_number_without_a_pulse_is_no_guess() -> None:
    assert read("4").intent is Intent.UNCLEAR
    assert read("4", [CHECK]).intent is Intent.NOTE  # a note on the check, never a score
    assert read("6", [PULSE]).intent is Intent.NOTE


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("yes", SessionOutcome.MET),
        ("Yes, we met!", SessionOutcome.MET),
        ("we met", SessionOutcome.MET),
        ("no", SessionOutcome.SKIPPED),
        ("No, we didn't", SessionOutcome.SKIPPED),
        ("we didn't meet", SessionOutcome.SKIPPED),
    ],
)
def test_yes_or_no_after_did_you_meet(text: str, outcome: SessionOutcome) -> None:
    reading = read(text, [CHECK])
    assert (reading.intent, reading.outcome) == (Intent.MET, outcome)
    assert reading.session_start == datetime(2026, 3, 16, 14, 0, tzinfo=UTC)


def test_the_pulse_is_found_behind_a_newer_prompt() -> None:
    nudge = replace(
        PULSE,
        kind=Kind.QUIET_NUDGE,
        payload=QuietNudge(partnership_id=1, partner_id=MENTEE, days=14, both=False, mentee=True),
    )
    assert read("3", [nudge, PULSE]).intent is Intent.PULSE
    assert read("we are fine", [nudge, PULSE]).prompt == nudge  # a note is on the latest


@pytest.mark.parametrize(
    ("text", "intent", "when"),
    [
        ("help", Intent.HELP, ""),
        ("end", Intent.END, ""),
        ("I want to end our partnership", Intent.END, ""),
        ("skip this week", Intent.SKIP, ""),
        ("Skip.", Intent.SKIP, ""),
        ("resume", Intent.RESUME, ""),
        ("pause until 10 January", Intent.PAUSE, "10 january"),
        ("pause", Intent.PAUSE, ""),  # asked until when, as `/mentor pause` asks
        ("Pause sessions till next Monday", Intent.PAUSE, "next monday"),
        ("reschedule to Friday 3pm", Intent.RESCHEDULE, "friday 3pm"),
        ("move this week's session to thursday at 5pm", Intent.RESCHEDULE, "thursday at 5pm"),
    ],
)
def test_plain_requests(text: str, intent: Intent, when: str) -> None:
    for prompts in ([], [PULSE]):
        reading = read(text, prompts)
        assert (reading.intent, reading.when) == (intent, when), prompts


def test_a_sentence_that_merely_starts_like_a_request_is_a_note() -> None:
    text = "help, my mentor never shows up and I don't know what to do about it any more"
    assert read(text, [PULSE]).intent is Intent.NOTE
    assert read(text).intent is Intent.UNCLEAR


def test_recent_prompts_are_the_persons_own_newest_first_within_the_window() -> None:
    messages = [
        sent(Kind.PULSE, to=MENTOR, ago=timedelta(hours=5), key="rhythm:1:pulse:1:UMENTOR1"),
        sent(Kind.QUIET_NUDGE, to=MENTOR, ago=timedelta(hours=1), key="rhythm:1:quiet:a"),
        sent(Kind.PULSE, to=MENTEE, ago=timedelta(minutes=5), key="rhythm:1:pulse:1:UMENTEE1"),
        sent(Kind.PULSE, to=MENTOR, ago=timedelta(days=3), key="rhythm:1:pulse:0:UMENTOR1"),
        sent(Kind.SESSION_REMINDER, to=MENTOR, ago=timedelta(minutes=1), key="session:1:r"),
    ]
    found = recent_prompts(messages, user_id=MENTOR, since=NOW - timedelta(days=2))
    assert [p.kind for p in found] == [Kind.QUIET_NUDGE, Kind.PULSE]


def test_the_service_reads_in_the_light_of_what_was_sent(
    service: ConversationService, store: Store
) -> None:
    store.messages.append(
        sent(Kind.PULSE, to=MENTOR, ago=timedelta(hours=2), key="rhythm:1:pulse:1:U", round=1)
    )
    assert service.read(team_id=TEAM, user_id=MENTOR, text="5").intent is Intent.PULSE
    assert service.read(team_id=TEAM, user_id=MENTEE, text="5").intent is Intent.UNCLEAR
    store.partnerships[0].status = PartnershipStatus.ENDED
    assert service.read(team_id=TEAM, user_id=MENTOR, text="5").intent is Intent.UNCLEAR
    assert store.commits == 0  # reading changes nothing


# -- the author's choice -------------------------------------------------------------------


DRAFT = Draft(text="Our calendars clash.", prompt=Kind.PULSE, partnership_id=1)


def test_kept_private_goes_nowhere(service: ConversationService, store: Store) -> None:
    kept = service.keep(team_id=TEAM, user_id=MENTOR, draft=DRAFT, audience=NoteAudience.PRIVATE)
    assert (kept.recipients, kept.keys) == ((), ())
    assert [(n.author_id, n.audience, n.text) for n in store.notes] == [
        (MENTOR, NoteAudience.PRIVATE, "Our calendars clash.")
    ]
    assert not store.messages and not store.audit
    assert service.notes(TEAM, MENTOR) == store.notes and not service.notes(TEAM, MENTEE)


def test_shared_with_the_partner_reaches_only_them(
    service: ConversationService, store: Store
) -> None:
    kept = service.keep(team_id=TEAM, user_id=MENTOR, draft=DRAFT, audience=NoteAudience.PARTNER)
    assert kept.recipients == (MENTEE,)
    [message] = store.messages
    assert (message.kind, message.recipient) == (Kind.DM_NOTE_TO_PARTNER, MENTEE)
    assert (
        message.payload_as(SharedDmNote).note == "Our calendars clash."
    )  # "note": encrypted in the outbox
    assert not store.audit


def test_sent_to_the_team_is_audited_without_its_words(
    service: ConversationService, store: Store
) -> None:
    kept = service.keep(team_id=TEAM, user_id=MENTOR, draft=DRAFT, audience=NoteAudience.TEAM)
    assert kept.recipients == (COORDINATOR,)
    [message] = store.messages
    assert (message.kind, message.payload_as(SharedDmNote).author_id) == (
        Kind.DM_NOTE_TO_TEAM,
        MENTOR,
    )
    [event] = store.audit
    assert (event.actor_id, event.action) == (MENTOR, "dm.to_team")
    assert "calendars" not in repr(event)
    assert service.arrived(TEAM, kept.keys) == 0
    message.status = MessageStatus.SENT
    assert service.arrived(TEAM, kept.keys) == 1


def test_no_partner_no_share_and_nothing_stored(service: ConversationService, store: Store) -> None:
    store.partnerships.clear()
    with pytest.raises(DomainError, match="no partner"):
        service.keep(team_id=TEAM, user_id=MENTOR, draft=DRAFT, audience=NoteAudience.PARTNER)
    assert not store.notes and not store.messages


def test_too_long_or_empty_is_refused(service: ConversationService, store: Store) -> None:
    for text in ("   ", "x" * 1501):
        with pytest.raises(DomainError):
            service.keep(
                team_id=TEAM,
                user_id=MENTOR,
                draft=Draft(text=text),
                audience=NoteAudience.PRIVATE,
            )
    assert not store.notes


def test_only_a_coordinator_answers_a_note_sent_to_the_team(
    service: ConversationService, store: Store
) -> None:
    kept = service.keep(team_id=TEAM, user_id=MENTOR, draft=DRAFT, audience=NoteAudience.TEAM)
    assert kept.note.id is not None
    assert service.author_for_team(TEAM, kept.note.id, reader=MENTEE) is None
    assert service.author_for_team(TEAM, kept.note.id, reader=COORDINATOR) == MENTOR
    with pytest.raises(NotAllowed):
        service.answer_from_team(
            team_id=TEAM, coordinator_id=MENTEE, note_id=kept.note.id, text="Hi"
        )
    service.answer_from_team(
        team_id=TEAM, coordinator_id=COORDINATOR, note_id=kept.note.id, text="Let's talk."
    )
    answer = store.messages[-1]
    assert (answer.kind, answer.recipient) == (Kind.COORDINATOR_CHECK_IN, MENTOR)
    assert answer.payload_as(CheckIn).text == "Let's talk."
    assert [e.action for e in store.audit] == ["dm.to_team", "dm.team_answer"]
    assert all("talk" not in repr(e) for e in store.audit)
