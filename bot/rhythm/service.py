"""The program's rhythm: pulses, nudges for quiet pairs, at-risk flags, mid-term, term end.

Everything is planned in the outbox, never in memory. A partnership starts with a handful of
internal jobs (the first pulse round, the first quiet check, the mid-term review, the term
notice and the term end); each job plans its successor when it runs. Keys are unique per
partnership, round and person, so a job run twice (a crash after sending, a second replica)
plans and sends nothing twice. Prompts carry the recipient's time zone (``Zoned.tz``) so the
dispatcher holds them to working hours, and a ``coalesce_key`` per kind and person, so after
downtime only the newest prompt of a kind goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.clock import Clock
from bot.model.kinds import Kind
from bot.model.messages.rhythm import PlanMissing
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership
from bot.model.rules import OneProgram, ProgramRules
from bot.ports import PartnershipEvents, ProgramRulesSource, Rematch, RhythmWork
from bot.rhythm.fit_check import FitAnswered, FitCheck
from bot.rhythm.ladder import QuietLadder
from bot.rhythm.midterm import MIDTERM_RHYTHMS, Midterm, MidtermSummary
from bot.rhythm.numbers import longest_streak, year_in_numbers
from bot.rhythm.plan import plan_program
from bot.rhythm.pulses import PulseAnswer, Pulses, PulseView
from bot.rhythm.steps import LadderBoard, NextStep, Step, Steps
from bot.rhythm.term import Ended, EndReason, Term
from bot.roster import Roster

__all__ = [
    "MIDTERM_RHYTHMS",
    "PROMPT_KINDS",
    "EndReason",
    "Ended",
    "FitAnswered",
    "LadderBoard",
    "MidtermSummary",
    "NextStep",
    "PulseAnswer",
    "PulseView",
    "RhythmService",
    "Step",
    "longest_streak",
    "plan_program",
    "year_in_numbers",
]

PROMPT_KINDS: frozenset[str] = frozenset(
    {
        Kind.PULSE,
        Kind.QUIET_NUDGE,
        Kind.QUIET_DECISION,
        Kind.FIT_CHECK,
        Kind.MIDTERM_REVIEW,
        Kind.GOAL_CHECK,
        Kind.TERM_NOTICE,
        Kind.FINAL_EVALUATION,
        Kind.YEAR_IN_NUMBERS,
        Kind.COORDINATOR_AT_RISK,
        Kind.COORDINATOR_ENDED,
        Kind.COORDINATOR_QUIET_DECISION,
    }
)


class RhythmService:
    """The rhythm's parts (pulses, quiet-pair nudges, mid-term, term) behind the one name
    handlers and the dispatcher know: each method is the part's own, bound here."""

    def __init__(
        self,
        *,
        uow: Callable[[], RhythmWork],
        clock: Clock,
        rules: ProgramRules,
        rematch: Rematch | None = None,
        roster: Roster | None = None,
        programs: ProgramRulesSource | None = None,
        events: PartnershipEvents | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._roster = roster or Roster(uow=uow, rules=rules)
        self._programs = programs or OneProgram(rules)
        roster, programs = self._roster, self._programs
        self.pulses = pulses = Pulses(
            uow=uow, clock=clock, rules=rules, roster=roster, programs=programs
        )
        self.ladder = ladder = QuietLadder(
            uow=uow, clock=clock, rules=rules, roster=roster, programs=programs
        )
        self.fit = fit = FitCheck(
            uow=uow, clock=clock, rules=rules, roster=roster, programs=programs
        )
        steps = Steps(uow=uow, clock=clock, rules=rules, roster=roster, programs=programs)
        self.midterms = midterms = Midterm(
            uow=uow, clock=clock, rules=rules, roster=roster, programs=programs
        )
        self.term = term = Term(
            uow=uow,
            clock=clock,
            rules=rules,
            roster=roster,
            programs=programs,
            rematch=rematch,
            events=events or PartnershipEvents(),
        )
        # jobs (run by the dispatcher, inside its transaction)
        self.pulse_round = pulses.pulse_round
        self.goal_check = pulses.goal_check
        self.quiet_check = ladder.quiet_check
        self.quiet_decision_due = ladder.quiet_decision_due
        self.fit_check_due = fit.fit_check_due
        self.midterm = midterms.midterm
        self.term_notice = term.term_notice
        self.term_end = term.term_end
        # what people answer and do
        self.answer_pulse = pulses.answer_pulse
        self.pulse_check = pulses.pulse_check
        self.note_pulse = pulses.note_pulse
        self.answer_midterm = midterms.answer_midterm
        self.answer_final = term.answer_final
        self.year_in_numbers = term.year_in_numbers
        self.extend = term.extend
        self.close_now = term.close_now
        self.end = term.end
        self.close_for_program = term.close_for_program
        self.set_away = ladder.set_away
        self.go_on = ladder.go_on
        self.answer_fit = fit.answer_fit
        self.ask_again = fit.ask_again
        self.next_steps = steps.next_steps
        self.ladder_board = steps.ladder_board
        self.midterm_summary = midterms.midterm_summary

    def session_met(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """Job (beside the journal's): the quiet stretch ends, and a fit check may be due."""
        self.ladder.session_met(uow, message, now)
        self.fit.session_met(uow, message, now)

    def _rules_of(self, uow: RhythmWork, partnership: Partnership) -> ProgramRules:
        return self._programs.rules(uow, partnership.team_id, partnership.program_id)

    # -- planning: called when a partnership starts ----------------------------------------

    def begin(self, uow: RhythmWork, partnership: Partnership) -> None:
        """Plan a new partnership's rhythm in the transaction that creates it."""
        plan_program(uow, partnership, rules=self._rules_of(uow, partnership))

    def plan_missing(self) -> int:
        """Give every live partnership its rhythm if it has none (pairs matched before it
        existed). Safe at every start: planning is keyed, so planned pairs are left as they
        are. Returns how many pairs were looked at."""
        now = self._clock.now()
        with self._uow() as uow:
            live = uow.partnerships.live()
            for partnership in live:
                plan_program(uow, partnership, rules=self._rules_of(uow, partnership), now=now)
            uow.commit()
            return len(live)

    def plan_missing_later(self) -> None:
        """``plan_missing`` in the background: at start-up, one job that plans the first
        chunk of pairs and queues the next, so a start never waits on thousands of pairs
        (5,000 pairs are some 24,000 keyed rows) and the dispatcher's other work goes on
        between chunks. Planning is keyed, so a second start's chain plans nothing twice."""
        now = self._clock.now()
        with self._uow() as uow:
            uow.outbox.add(_planning_job(started=now, after_id=0))
            uow.commit()

    def plan_missing_step(self, uow: RhythmWork, message: OutgoingMessage, now: datetime) -> None:
        """The job: plan up to ``PLANNING_CHUNK`` pairs after the last one planned, and queue
        the next chunk if there may be more."""
        job = message.payload_as(PlanMissing)
        after_id = job.after_id
        live = uow.partnerships.live(after_id=after_id, limit=PLANNING_CHUNK)
        with uow.outbox.batched():  # ~1,000 keyed rows: one INSERT, not a savepoint each
            for partnership in live:
                plan_program(uow, partnership, rules=self._rules_of(uow, partnership), now=now)
        if len(live) == PLANNING_CHUNK and live[-1].id is not None:
            started = datetime.fromisoformat(job.started)
            uow.outbox.add(_planning_job(started=started, after_id=live[-1].id, due_at=now))

    def is_coordinator(self, user_id: str, *, team_id: str) -> bool:
        return self._roster.is_coordinator(team_id, user_id)


PLANNING_CHUNK = 200
"""Pairs planned by one start-up planning job: a transaction of a second or two."""


def _planning_job(
    *, started: datetime, after_id: int, due_at: datetime | None = None
) -> OutgoingMessage:
    return OutgoingMessage(
        team_id="",  # every workspace's pairs
        kind=Kind.PLAN_MISSING,
        recipient="",
        key=f"rhythm:plan-missing:{started.isoformat()}:{after_id}",
        due_at=due_at or started,
        payload=PlanMissing(started=started.isoformat(), after_id=after_id),
    )
