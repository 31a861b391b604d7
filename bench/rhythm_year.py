"""How heavy is a program year? Plans N pairs, steps a year from due moment to due moment
through the real dispatcher and SQL outbox (SQLite file, or ``DATABASE_URL``), and prints
figures: outbox rows per pair, dispatcher passes, time per pass and for the whole year.

    .venv/bin/python -m bench.rhythm_year [pairs]

Nothing is sent: a messenger that answers "sent" stands in for Slack. The pairs never log a
session, so every quiet-pair nudge and flag happens too (the heaviest realistic year).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.clock import FixedClock
from bot.model.kinds import Kind
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import MentorProfile, MentorRequest, Partnership, RequestStatus
from bot.model.rules import ProgramRules
from bot.outbox.dispatch import Dispatcher
from bot.outbox.quiet_hours import QuietHours
from bot.ports import SendOutcome, SendResult, UnitOfWork
from bot.rhythm.service import PROMPT_KINDS, RhythmService, plan_program
from storage import SqlUnitOfWork, connect
from storage.models.outbox import OutgoingMessageRow

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "Asia/Tokyo", "America/New_York", "Australia/Sydney")


class Sent:
    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult(SendOutcome.SENT, channel="D1", ts="1.1")

    def find_sent(self, message: OutgoingMessage) -> SendResult | None:
        return None  # nothing crashes in this simulation: nothing is ever in doubt


def main(pairs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = connect(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.migrate()
        rules = ProgramRules(coordinators=("UCOORD1",))
        clock = FixedClock(START)

        def uow() -> UnitOfWork:
            return SqlUnitOfWork(database.sessions)

        rhythm = RhythmService(uow=uow, clock=clock, rules=rules)
        dispatcher = Dispatcher(
            uow=uow,
            messenger=Sent(),
            clock=clock,
            jobs={
                Kind.PULSE_ROUND: rhythm.pulse_round,
                Kind.QUIET_CHECK: rhythm.quiet_check,
                Kind.MIDTERM: rhythm.midterm,
                Kind.TERM_NOTICE_DUE: rhythm.term_notice,
                Kind.TERM_END: rhythm.term_end,
            },
            worker="bench",
            quiet_hours=QuietHours.for_program(rules, PROMPT_KINDS),
        )
        with uow() as work:
            for n in range(pairs):
                mentor, mentee = f"UMENTOR{n}", f"UMENTEE{n}"
                work.mentors.save(
                    MentorProfile(
                        team_id="T1",
                        user_id=mentor,
                        expertise=[],
                        bio="",
                        organization="",
                        capacity=1,
                        languages=[],
                        tz=ZONES[n % len(ZONES)],
                    )
                )
                request = work.requests.save(
                    MentorRequest(
                        team_id="T1",
                        mentee_id=mentee,
                        goals="",
                        focus_areas=[],
                        organization="",
                        wants_other_org=False,
                        tz=ZONES[(n + 1) % len(ZONES)],
                        status=RequestStatus.MATCHED,
                    )
                )
                started = START + timedelta(hours=n % 48)
                partnership = work.partnerships.save(
                    Partnership(
                        team_id="T1",
                        mentor_id=mentor,
                        mentee_id=mentee,
                        request_id=request.id,
                        started_at=started,
                        ends_at=started + rules.term,
                    )
                )
                plan_program(work, partnership, rules=rules)
            work.commit()

        passes, busiest, began = 0, 0.0, time.perf_counter()
        until = START + timedelta(days=372)
        while True:
            with database.sessions() as session:
                due = session.scalar(
                    sa.select(sa.func.min(OutgoingMessageRow.due_at)).where(
                        OutgoingMessageRow.status == MessageStatus.PENDING.value
                    )
                )
            if due is None or due > until:
                break
            clock.set(max(due, clock.now()))
            one = time.perf_counter()
            dispatcher.run_once(clock.now())
            busiest = max(busiest, time.perf_counter() - one)
            passes += 1
        elapsed = time.perf_counter() - began
        with database.sessions() as session:
            rows = session.scalar(sa.select(sa.func.count()).select_from(OutgoingMessageRow))
            sent = session.scalar(
                sa.select(sa.func.count())
                .select_from(OutgoingMessageRow)
                .where(
                    OutgoingMessageRow.status == MessageStatus.SENT.value,
                    OutgoingMessageRow.kind.in_(sorted(PROMPT_KINDS)),
                )
            )
        database.dispose()
    rows = rows or 0
    print(f"pairs: {pairs}")
    print(f"outbox rows after a year: {rows} ({rows / pairs:.1f} per pair)")
    print(f"prompts delivered: {sent} ({(sent or 0) / pairs:.1f} per pair)")
    print(f"dispatcher passes: {passes}, slowest {busiest * 1000:.0f} ms")
    print(f"whole year: {elapsed:.1f} s ({elapsed / max(passes, 1) * 1000:.1f} ms per pass)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
