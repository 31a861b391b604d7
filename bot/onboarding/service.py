"""Training and onboarding: what each role is for, a first-session agenda, a topic a month.

The texts are the program's: coordinators can rewrite them, and the words that go out are read
when each message is due, so an edit reaches every partnership's next step, not only new ones.
The series is planned as outbox jobs when a partnership begins (keyed, so planning twice plans
once), and a step for a partnership that has ended is skipped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.errors import DomainError, NotAllowed
from bot.model.audit import AuditEvent
from bot.model.dates import add_months
from bot.model.kinds import Kind
from bot.model.messages.people import OnboardingMessage, OnboardingStep
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus
from bot.model.rules import ProgramRules
from bot.roster import Roster

if TYPE_CHECKING:  # the ports speak of program texts, so import them only for typing
    from bot.ports import OnboardingWork, OutboxWork
from bot.model.onboarding import ProgramText, TextKey

WELCOME_AFTER = timedelta(hours=1)  # after the introduction, not on top of it


AGENDA_AFTER = timedelta(days=1)


MAX_TEXT = 2500


MAX_TOPICS = 12


MAX_TOPIC = 300


DEFAULT_TEXTS: dict[TextKey, str] = {
    TextKey.WELCOME_MENTEE: (
        "*You drive this partnership.* Your mentor is a volunteer who wants to help you grow: "
        "you set the goals, bring the questions and suggest the topics. Come to each session "
        "with one thing you'd like to think through, take notes, and try what you learn. "
        "If the fit is not there, say so: ending without blame is part of the program."
    ),
    TextKey.WELCOME_MENTOR: (
        "*You guide; your mentee drives.* Listen more than you talk, ask questions that open "
        "things up, share what you've seen work (and fail), and connect your mentee with "
        "people who can help. Keep what you hear in confidence. Your own view of the world "
        "will grow too."
    ),
    TextKey.FIRST_SESSION_AGENDA: (
        "*An agenda for your first session* (45-60 minutes):\n"
        "1. Your stories: how you each got where you are (15 min)\n"
        "2. What the mentee wants from this year, in their words (15 min)\n"
        "3. How you'll work: when you meet, how to reach each other, what stays between you "
        "(10 min)\n"
        "4. One or two specific goals to write down with `/mentor goals` (10 min)"
    ),
    TextKey.MONTHLY_TOPICS: "\n".join(
        (
            "The unwritten rules where you work: who decides, and how?",
            "A decision you're facing: talk it through together.",
            "Feedback: the best you ever got, and how you ask for it.",
            "Your network: who should you meet this quarter?",
            "Half-way: what has changed since your first session?",
            "Leading without the title: influence across teams.",
            "A setback, and what it taught you.",
            "Visibility: how your work gets seen.",
            "Balance: energy, boundaries and saying no.",
            "The next role: what would it take?",
            "Passing it forward: who could you mentor?",
            "Looking back on the year, and what comes next.",
        )
    ),
}


def plan_onboarding(uow: OutboxWork, partnership: Partnership) -> None:
    """Queue the series for a new partnership: welcome, agenda, then a topic each month."""
    assert partnership.id is not None
    start = partnership.started_at
    steps: list[tuple[str, datetime]] = [
        ("welcome", start + WELCOME_AFTER),
        ("agenda", start + AGENDA_AFTER),
    ]
    for month in range(1, MAX_TOPICS + 1):
        due = datetime.combine(add_months(start.date(), month), start.timetz())
        if due >= partnership.ends_at:
            break
        steps.append((f"topic:{month}", due))
    for step, due in steps:
        uow.outbox.add(
            OutgoingMessage(
                team_id=partnership.team_id,
                kind=Kind.ONBOARDING_STEP,
                recipient=f"{partnership.mentor_id},{partnership.mentee_id}",
                key=f"onboarding:{partnership.id}:{step}",
                due_at=due,
                payload=OnboardingStep(partnership_id=partnership.id, step=step),
            )
        )


def _each_in_own_slack(
    partnership: Partnership, sends: list[tuple[str, str, OnboardingMessage]]
) -> list[tuple[str, str, OnboardingMessage]]:
    """A step for the pair's group DM goes to each of them instead when the pair is across
    workspaces: no group DM spans two workspaces."""
    if not partnership.across_workspaces:
        return sends
    return [
        (person, f"{suffix}:{person}" if "," in recipient else suffix, payload)
        for recipient, suffix, payload in sends
        for person in recipient.split(",")
    ]


def topics(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class OnboardingService:
    def __init__(
        self,
        *,
        uow: Callable[[], OnboardingWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._roster = roster or Roster(uow=uow, rules=rules)

    def texts(self, *, team_id: str, coordinator_id: str) -> dict[TextKey, str]:
        self._require(coordinator_id, team_id)
        with self._uow() as uow:
            return {key: self._text(uow, team_id, key) for key in TextKey}

    def check_texts(self, values: dict[TextKey, str]) -> dict[str, str]:
        """Field errors for a coordinator's edit; empty when it can be saved."""
        errors: dict[str, str] = {}
        for key in TextKey:
            text = values.get(key, "").strip()
            if not text:
                errors[key.value] = "Write something here, or keep the text that was there."
            elif len(text) > MAX_TEXT:
                errors[key.value] = f"Keep it under {MAX_TEXT:,} characters."
        lines = topics(values.get(TextKey.MONTHLY_TOPICS, ""))
        if len(lines) > MAX_TOPICS:
            errors[TextKey.MONTHLY_TOPICS.value] = (
                f"At most {MAX_TOPICS} topics, one a line: this has {len(lines)}."
            )
        elif any(len(line) > MAX_TOPIC for line in lines):
            errors[TextKey.MONTHLY_TOPICS.value] = (
                f"Keep each topic under {MAX_TOPIC} characters: it's one line in a message."
            )
        return errors

    def save_texts(self, *, team_id: str, coordinator_id: str, values: dict[TextKey, str]) -> None:
        self._require(coordinator_id, team_id)
        errors = self.check_texts(values)
        if errors:
            field, message = next(iter(errors.items()))
            raise DomainError(message, field=field)
        now = self._clock.now()
        with self._uow() as uow:
            changed = []
            for key in TextKey:
                text = values[key].strip()
                if text != self._text(uow, team_id, key):
                    uow.program_texts.save(
                        ProgramText(
                            team_id=team_id,
                            key=key,
                            text=text,
                            updated_by=coordinator_id,
                            updated_at=now,
                        )
                    )
                    changed.append(key.value)
            uow.audit.add(
                AuditEvent(
                    team_id=team_id,
                    actor_id=coordinator_id,
                    action="program.texts",
                    subject="onboarding",
                    at=now,
                    detail={"changed": changed},
                )
            )
            uow.commit()

    def step(self, uow: OnboardingWork, message: OutgoingMessage, now: datetime) -> None:
        """Job: send one step of the series in the words the program has now."""
        job = message.payload_as(OnboardingStep)
        partnership = uow.partnerships.get(message.team_id, job.partnership_id)
        if partnership is None or partnership.status is not PartnershipStatus.ACTIVE:
            return  # ended, completed or paused: the series waits for nobody
        step, pid = job.step, job.partnership_id
        team = partnership.team_id
        sends: list[tuple[str, str, OnboardingMessage]] = []
        if step == "welcome":
            for role, person, key in (
                ("mentee", partnership.mentee_id, TextKey.WELCOME_MENTEE),
                ("mentor", partnership.mentor_id, TextKey.WELCOME_MENTOR),
            ):
                sends.append(
                    (
                        person,
                        f"{step}:{role}",
                        OnboardingMessage(
                            step=step,
                            role=role,
                            text=self._text(uow, team, key),
                            partnership_id=pid,
                        ),
                    )
                )
        elif step == "agenda":
            sends.append(
                (
                    message.recipient,
                    step,
                    OnboardingMessage(
                        step=step,
                        text=self._text(uow, team, TextKey.FIRST_SESSION_AGENDA),
                        partnership_id=pid,
                    ),
                )
            )
        elif step.startswith("topic:"):
            month = int(step.partition(":")[2])
            lines = topics(self._text(uow, team, TextKey.MONTHLY_TOPICS))
            if month > len(lines):
                return  # the program has fewer topics than months: nothing this month
            sends.append(
                (
                    message.recipient,
                    step,
                    OnboardingMessage(
                        step=step, month=month, text=lines[month - 1], partnership_id=pid
                    ),
                )
            )
        for recipient, suffix, payload in _each_in_own_slack(partnership, sends):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team if "," in recipient else partnership.team_of(recipient),
                    kind=Kind.ONBOARDING,
                    recipient=recipient,
                    key=f"onboarding:{partnership.id}:{suffix}:sent",
                    due_at=now,
                    payload=payload,
                )
            )

    # -- internals -------------------------------------------------------------------------

    def _require(self, user_id: str, team_id: str) -> None:
        if not self._roster.is_coordinator(team_id, user_id):
            raise NotAllowed("The program's texts are for its coordinators to edit.")

    @staticmethod
    def _text(uow: OnboardingWork, team_id: str, key: TextKey) -> str:
        stored = uow.program_texts.get(team_id, key)
        return stored.text if stored is not None else DEFAULT_TEXTS[key]
