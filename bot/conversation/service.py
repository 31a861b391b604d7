"""What a reply in the bot's DM means, and what happens once its author chooses.

Reading changes nothing: a reply is an answer (a 1-5 after a pulse, "yes, we met" after a
"did you meet?"), a plain request ("skip this week"), a note (anything else written shortly
after a prompt) or unclear. Only the author's click on a note (``keep``) stores it, and only
then does it reach anyone else.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.conversation.ports import ConversationUnitOfWork, ConversationUnitOfWorkFactory
from bot.errors import DomainError, NotAllowed, NotFound
from bot.model.audit import AuditEvent
from bot.model.conversation import DmNote, NoteAudience
from bot.model.kinds import Kind
from bot.model.messages import NoPayload, PairPrompt, Payload
from bot.model.messages.coordination import CheckIn
from bot.model.messages.people import SharedDmNote
from bot.model.messages.rhythm import FitQuestion, Pulse
from bot.model.messages.sessions import SessionCheck
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus, partner_of, team_if_across
from bot.model.progress import FitAnswer
from bot.model.sessions import SessionOutcome
from bot.roster import Roster

PROMPT_WINDOW = timedelta(days=2)
"""How long after a prompt a reply is taken as the answer's note: past it, it's unclear."""

MAX_NOTE = 1500
"""What a note may hold: it waits in a button's value (2,000 characters) until chosen."""

MAX_REPLY = 3000

PROMPTS = frozenset(
    {
        Kind.PULSE,
        Kind.SESSION_CHECK,
        Kind.QUIET_NUDGE,
        Kind.QUIET_DECISION,
        Kind.FIT_CHECK,
        Kind.TERM_NOTICE,
        Kind.MIDTERM_REVIEW,
        Kind.GOAL_CHECK,
        Kind.COORDINATOR_CHECK_IN,
    }
)
"""Messages that invite a reply: what someone writes soon after one answers it."""


class Intent(StrEnum):
    PULSE = "pulse"  # a 1-5 after a pulse
    MET = "met"  # yes or no after "did you meet?"
    FIT = "fit"  # great / not sure yet / it isn't working, after the fit check
    NOTE = "note"  # anything else, shortly after a prompt
    HELP = "help"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    RESCHEDULE = "reschedule"
    END = "end"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Prompt:
    """The last prompt a person was sent, in the pair it was about."""

    kind: str
    partnership_id: int
    sent_at: datetime
    payload: Payload = field(default_factory=NoPayload)
    channel: str = ""  # where Slack has it, to show the answer in its place
    ts: str = ""


@dataclass(frozen=True)
class Reading:
    intent: Intent
    text: str  # what they wrote, as they wrote it (trimmed)
    prompt: Prompt | None = None
    score: int | None = None  # Intent.PULSE
    outcome: SessionOutcome | None = None  # Intent.MET
    when: str = ""  # Intent.PAUSE and RESCHEDULE: the date or time in their words
    fit: FitAnswer | None = None  # Intent.FIT

    @property
    def round_no(self) -> int | None:
        payload = self.prompt.payload if self.prompt else None
        return payload.round if isinstance(payload, Pulse | FitQuestion) else None

    @property
    def session_start(self) -> datetime | None:
        payload = self.prompt.payload if self.prompt else None
        return payload.start if isinstance(payload, SessionCheck) else None


@dataclass(frozen=True)
class Draft:
    """A note not yet kept: it lives in the "Got it." buttons until its author clicks one."""

    text: str
    prompt: str = ""
    partnership_id: int | None = None


@dataclass(frozen=True)
class Kept:
    note: DmNote
    recipients: tuple[str, ...] = ()  # who else it went to: the partner, or the coordinators
    keys: tuple[str, ...] = ()  # their messages in the outbox, to tell when they arrived
    # the workspace those messages went to (the partner's own, across workspaces)
    recipients_team: str = ""
    # each message's workspace, key by key (to the team of a shared program: the host's
    # coordinators with the host's token, and the author's own workspace's)
    teams: tuple[str, ...] = ()


def _plain(text: str) -> str:
    """Lower case, one space between words, no closing punctuation: what the patterns read."""
    return re.sub(r"\s+", " ", text.strip().lower()).rstrip(" .!")


SCORE = re.compile(r"^([1-5])(?: ?/ ?5| out of 5)?$")
MET = re.compile(r"^(?:(?:yes|yep|yeah|yup|y)(?:[, ]+(?:we )?(?:met|did))?|(?:we )?met|we did)$")
NOT_MET = re.compile(
    r"^(?:(?:no|nope|nah|n)(?:[, ]+(?:we )?(?:didn'?t|did not)(?: meet)?)?"
    r"|(?:we )?(?:didn'?t|did not) meet|not this week)$"
)
FIT_WORDS = (
    (
        FitAnswer.NOT_WORKING,
        re.compile(
            r"^(?:it |it's |its |it is )?(?:isn'?t|is not|not|doesn'?t seem to be) working"
            r"(?: out)?$|^(?:not (?:a )?good fit|bad fit|poor fit|no fit|not great)$"
        ),
    ),
    (
        FitAnswer.UNSURE,
        re.compile(
            r"^(?:i'?m )?(?:not sure(?: yet)?|unsure|don'?t know yet|too early(?: to tell)?)$"
        ),
    ),
    (
        FitAnswer.GREAT,
        re.compile(
            r"^(?:great|good|very good|going well|it'?s great|really good|excellent)"
            r"(?: fit| so far)?$"
        ),
    ),
)
HELP = re.compile(r"^(?:help(?: me)?|\?|what can you do|what can i do|commands)$")
END = re.compile(
    r"^(?:i want to |i'd like to |please )?end"
    r"(?: it| this| our partnership| the partnership| my partnership| mentoring)?$"
)
SKIP = re.compile(
    r"^(?:please )?skip(?: it| this week| next week| this week's session| the next session"
    r"| next session| our session| the session)?$"
)
RESUME = re.compile(r"^(?:please )?resume(?: sessions| our sessions| mentoring)?$")
_WHAT = r"(?: (?:it|us|sessions|our sessions|the partnership|our partnership|mentoring))?"
PAUSE = re.compile(rf"^(?:please )?pause{_WHAT}(?:(?: until| till| to)? (?P<when>.{{2,40}}))?$")
RESCHEDULE = re.compile(
    r"^(?:please )?(?:reschedule|move)(?: (?:it|this week|this week's session|the session"
    r"|our session|the next session|next session|our next session))?(?: to)? (?P<when>.{2,60})$"
)


def read(text: str, prompts: Sequence[Prompt] = ()) -> Reading:
    """What a reply means, given the recent prompts (newest first); never a guess that would
    change anything."""
    written = text.strip()
    plain = _plain(written)
    pulse = next((p for p in prompts if p.kind == Kind.PULSE), None)
    if pulse is not None and (score := SCORE.match(plain)):
        return Reading(Intent.PULSE, written, pulse, score=int(score.group(1)))
    check = next((p for p in prompts if p.kind == Kind.SESSION_CHECK), None)
    if check is not None and MET.match(plain):
        return Reading(Intent.MET, written, check, outcome=SessionOutcome.MET)
    if check is not None and NOT_MET.match(plain):
        return Reading(Intent.MET, written, check, outcome=SessionOutcome.SKIPPED)
    fit = next((p for p in prompts if p.kind == Kind.FIT_CHECK), None)
    if fit is not None:
        for answer, pattern in FIT_WORDS:
            if pattern.match(plain):
                return Reading(Intent.FIT, written, fit, fit=answer)
    latest = prompts[0] if prompts else None
    for pattern, intent in (
        (HELP, Intent.HELP),
        (END, Intent.END),
        (SKIP, Intent.SKIP),
        (RESUME, Intent.RESUME),
    ):
        if pattern.match(plain):
            return Reading(intent, written, latest)
    for pattern, intent in ((PAUSE, Intent.PAUSE), (RESCHEDULE, Intent.RESCHEDULE)):
        if found := pattern.match(plain):
            return Reading(intent, written, latest, when=found.group("when") or "")
    if latest is not None and written:
        return Reading(Intent.NOTE, written, latest)
    return Reading(Intent.UNCLEAR, written)


def recent_prompts(
    messages: Iterable[OutgoingMessage], *, user_id: str, since: datetime
) -> list[Prompt]:
    """The prompts sent to ``user_id`` since then, newest first, among messages sent."""
    found = [
        m
        for m in messages
        if m.recipient == user_id
        and m.kind in PROMPTS
        and m.sent_at is not None
        and m.sent_at >= since
        and _partnership_of(m.payload) is not None
    ]
    found.sort(key=lambda m: (m.sent_at or since, m.id or 0), reverse=True)
    return [
        Prompt(
            kind=m.kind,
            partnership_id=_partnership_of(m.payload) or 0,
            sent_at=m.sent_at or since,
            payload=m.payload,
            channel=m.sent_channel,
            ts=m.sent_ts,
        )
        for m in found
    ]


def _partnership_of(payload: Payload) -> int | None:
    """The pair a prompt was about (a check-in from the program team names none)."""
    if isinstance(payload, PairPrompt | SessionCheck):
        return payload.partnership_id
    return None


class ConversationService:
    def __init__(
        self,
        *,
        uow: ConversationUnitOfWorkFactory,
        clock: Clock,
        roster: Roster,
        window: timedelta = PROMPT_WINDOW,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roster = roster
        self._window = window

    def read(self, *, team_id: str, user_id: str, text: str) -> Reading:
        """What they meant, in the light of the last prompt they were sent (if recent)."""
        with self._uow() as uow:
            prompts = self._recent_prompts(uow, team_id, user_id)
        return read(text, prompts)

    def keep(self, *, team_id: str, user_id: str, draft: Draft, audience: NoteAudience) -> Kept:
        """The author chose: store the note and, if they said so, pass it on."""
        text = draft.text.strip()
        if not text:
            raise DomainError("There's nothing to keep in that message.")
        if len(text) > MAX_NOTE:
            raise DomainError(f"Keep it under {MAX_NOTE:,} characters.")
        now = self._clock.now()
        with self._uow() as uow:
            partnership = self._partnership(uow, team_id, user_id, draft.partnership_id)
            if audience is NoteAudience.PARTNER and partnership is None:
                raise DomainError(
                    "You have no partner in the program right now: keep it private, or send "
                    "it to the program team."
                )
            coordinators: tuple[tuple[str, str], ...] = ()  # (their workspace, coordinator)
            if audience is NoteAudience.TEAM:
                coordinators = self._program_team(uow, team_id, partnership)
            if audience is NoteAudience.TEAM and not coordinators:
                raise DomainError("The program has no coordinators yet: nobody could read it.")
            note = uow.dm_notes.add(
                DmNote(
                    team_id=team_id,
                    author_id=user_id,
                    text=text,
                    audience=audience,
                    created_at=now,
                    partnership_id=partnership.id if partnership is not None else None,
                    prompt=draft.prompt,
                )
            )
            assert note.id is not None
            base = SharedDmNote(
                author_id=user_id,
                note=text,
                note_id=note.id,
                partnership_id=partnership.id if partnership is not None else None,
            )
            reached: tuple[tuple[str, str], ...] = ()  # (their workspace, recipient)
            keys: list[str] = []
            kind = Kind.DM_NOTE_TO_TEAM
            to_team = team_id
            if audience is NoteAudience.PARTNER:
                assert partnership is not None
                partner = partner_of(partnership, user_id)
                kind = Kind.DM_NOTE_TO_PARTNER
                to_team = partnership.team_of(partner)  # in the partner's own Slack
                reached = ((to_team, partner),)
            elif audience is NoteAudience.TEAM:
                reached = tuple(c for c in coordinators if c != (team_id, user_id)) or coordinators
                to_team = reached[0][0]
            if audience is NoteAudience.PARTNER and partnership is not None:
                base = replace(base, partner_team_id=team_if_across(partnership, user_id))
            for their_team, recipient in reached:
                key = f"dm-note:{note.id}:{audience.value}:{recipient}"
                payload = base
                if their_team != team_id:  # a host's coordinator: the author named in words
                    payload = replace(base, partner_team_id=team_id)
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=their_team,
                        kind=kind,
                        recipient=recipient,
                        key=key,
                        due_at=now,
                        payload=payload,
                    )
                )
                keys.append(key)
            recipients = tuple(r for _, r in reached)
            if audience is NoteAudience.TEAM:  # who wrote to the team, never what
                uow.audit.add(
                    AuditEvent(
                        team_id=team_id,
                        actor_id=user_id,
                        action="dm.to_team",
                        subject=f"dm_note:{note.id}",
                        at=now,
                        detail={"coordinators": len(recipients)},
                    )
                )
            uow.commit()
            return Kept(
                note=note,
                recipients=recipients,
                keys=tuple(keys),
                recipients_team=to_team,
                teams=tuple(t for t, _ in reached),
            )

    def arrived(self, team_id: str, keys: Collection[str]) -> int:
        """How many of these messages Slack has accepted so far."""
        with self._uow() as uow:
            return sum(uow.outbox.status_of(team_id, k) is MessageStatus.SENT for k in keys)

    def arrived_in(self, sent: Collection[tuple[str, str]]) -> int:
        """How many of these messages (their workspace, key) Slack has accepted so far."""
        with self._uow() as uow:
            return sum(uow.outbox.status_of(t, k) is MessageStatus.SENT for t, k in sent)

    def _program_team(
        self, uow: ConversationUnitOfWork, team_id: str, partnership: Partnership | None
    ) -> tuple[tuple[str, str], ...]:
        """Who reads a note to the program team: the coordinators of the program's workspace
        (the host, for a pair in a shared program) and of the author's own workspace."""
        teams = [team_id]
        if partnership is not None and partnership.team_id != team_id:
            teams.insert(0, partnership.team_id)
        return tuple((t, c) for t in teams for c in self._roster.of(uow, t))

    def author_for_team(
        self, team_id: str, note_id: int, *, reader: str, author_team: str = ""
    ) -> str | None:
        """Who wrote a note sent to the team, told to a coordinator only (``author_team``: the
        author's workspace, when a host's coordinator reads a note of a member's person)."""
        if not self._roster.is_coordinator(team_id, reader):
            return None
        with self._uow() as uow:
            note = self._team_note(uow, team_id, note_id, author_team or team_id)
            return note.author_id if note is not None else None

    @staticmethod
    def _team_note(
        uow: ConversationUnitOfWork, team_id: str, note_id: int, author_team: str
    ) -> DmNote | None:
        """A note to the team that the coordinators of ``team_id`` may read: one of their own
        workspace, or one about a pair of a program their workspace hosts."""
        note = uow.dm_notes.get(author_team, note_id)
        if note is None or note.audience is not NoteAudience.TEAM:
            return None
        if author_team == team_id:
            return note
        if note.partnership_id is None:
            return None
        pair = uow.partnerships.get(team_id, note.partnership_id)
        hosted = pair is not None and pair.team_id == team_id
        return (
            note
            if hosted and pair is not None and pair.includes(author_team, note.author_id)
            else None
        )

    def may_answer(self, team_id: str, coordinator_id: str, text: str) -> bool:
        """Whether ``answer_from_team`` takes this answer (after its modal closed)."""
        return (
            self._roster.is_coordinator(team_id, coordinator_id)
            and bool(text.strip())
            and len(text.strip()) <= MAX_REPLY
        )

    def answer_from_team(
        self, *, team_id: str, coordinator_id: str, note_id: int, text: str, author_team: str = ""
    ) -> DmNote:
        """A coordinator writes back to the author of a note sent to the team."""
        if not self._roster.is_coordinator(team_id, coordinator_id):
            raise NotAllowed("Only the program team can answer that.")
        text = text.strip()
        if not text:
            raise DomainError("Write the message they'll get.", field="text")
        if len(text) > MAX_REPLY:
            raise DomainError(f"Keep it under {MAX_REPLY:,} characters.", field="text")
        now = self._clock.now()
        with self._uow() as uow:
            author_team = author_team or team_id
            note = self._team_note(uow, team_id, note_id, author_team)
            if note is None:
                raise NotFound("That message is no longer there (its author may have left).")
            uow.outbox.add(
                OutgoingMessage(
                    team_id=author_team,  # in the author's own Slack
                    kind=Kind.COORDINATOR_CHECK_IN,
                    recipient=note.author_id,
                    key=f"dm-note:{author_team}:{note_id}:answer:{now.isoformat()}"
                    if author_team != team_id
                    else f"dm-note:{note_id}:answer:{now.isoformat()}",
                    due_at=now,
                    payload=CheckIn(
                        coordinator_id=coordinator_id,
                        partner_id="",
                        text=text,
                        partner_team_id=team_id if author_team != team_id else None,
                    ),
                )
            )
            uow.audit.add(
                AuditEvent(
                    team_id=team_id,
                    actor_id=coordinator_id,
                    action="dm.team_answer",
                    subject=f"dm_note:{note_id}",
                    at=now,
                )
            )
            uow.commit()
            return note

    def notes(self, team_id: str, user_id: str) -> list[DmNote]:
        """What they kept, oldest first: theirs to export."""
        with self._uow() as uow:
            return uow.dm_notes.by_author(team_id, user_id)

    def _recent_prompts(
        self, uow: ConversationUnitOfWork, team_id: str, user_id: str
    ) -> list[Prompt]:
        since = self._clock.now() - self._window
        sent: list[OutgoingMessage] = []
        for partnership in self._live(uow, team_id, user_id):
            for prefix in ("rhythm", "session", "check_in"):
                sent += uow.outbox.sent(team_id, f"{prefix}:{partnership.id}:")
        return recent_prompts(sent, user_id=user_id, since=since)

    @staticmethod
    def _live(uow: ConversationUnitOfWork, team_id: str, user_id: str) -> list[Partnership]:
        return [
            p
            for p in uow.partnerships.for_member(team_id, user_id)
            if p.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
        ]

    def _partnership(
        self, uow: ConversationUnitOfWork, team_id: str, user_id: str, partnership_id: int | None
    ) -> Partnership | None:
        """The pair the note is about: the prompt's, or else their one running partnership."""
        live = self._live(uow, team_id, user_id)
        if partnership_id is not None:
            return next((p for p in live if p.id == partnership_id), None)
        return live[0] if len(live) == 1 else None
