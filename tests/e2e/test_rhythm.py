"""A pair's whole program year, stepped through time: pulses answered in the DM, held to each
person's working hours; the mid-term review; the term notice; the final evaluation and the
year in numbers. Then what goes wrong: low pulses, silence, quiet pairs, downtime, ending."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.model.outbox import MessageStatus
from bot.rhythm.service import PROMPT_KINDS
from storage import SqlUnitOfWork
from storage.models.matching import PartnershipRow
from storage.models.outbox import OutgoingMessageRow
from storage.models.rhythm import ProgressCheckRow, RiskFlagRow
from tests.conftest import START, TEAM, RunningBot
from tests.e2e.journeys import (
    answer,
    buttons,
    click,
    dms,
    last_dm,
    matched_pair,
    offer,
    pick,
    schedule,
)

MENTOR, MENTEE, COORDINATOR = "UMENTOR1", "UMENTEE1", "UCOORD1"
ZONES = {MENTOR: "Europe/Berlin", MENTEE: "Asia/Tokyo", COORDINATOR: "Europe/London"}


@dataclass(frozen=True)
class Prompt:
    kind: str
    recipient: str
    sent_at: datetime
    key: str


QUIET = {
    "mentorbot_onboarding": False,  # these tests count every message: no onboarding series
    # The pair lives in Berlin and Tokyo, eight hours apart in winter, to test zones: the
    # program allows a fit with no shared working hour.
    "mentorbot_allow_weak_fit": True,
}


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(QUIET)


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    for user, tz in ZONES.items():
        bot.fake.add_user(user, tz=tz)
    intro = matched_pair(bot, MENTOR, MENTEE)
    return bot, intro


def prompts(bot: RunningBot, person: str | None = None) -> list[Prompt]:
    """Every prompt delivered, in order: kind, to whom and when (the dispatcher's clock)."""
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        found = uow.session.scalars(
            sa.select(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.status == MessageStatus.SENT.value,
                OutgoingMessageRow.kind.in_(sorted(PROMPT_KINDS)),
            )
            .order_by(OutgoingMessageRow.sent_at, OutgoingMessageRow.id)
        )
        return [
            Prompt(kind=r.kind, recipient=r.recipient, sent_at=r.sent_at, key=r.key)  # type: ignore[arg-type]
            for r in found
            if person is None or r.recipient == person
        ]


def next_due(bot: RunningBot) -> datetime | None:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        return uow.session.scalar(
            sa.select(sa.func.min(OutgoingMessageRow.due_at)).where(
                OutgoingMessageRow.status == MessageStatus.PENDING.value
            )
        )


def step_to(bot: RunningBot, when: datetime) -> None:
    bot.clock.set(when)
    bot.settle()
    bot.runtime.services.dispatcher.run_once(when)
    bot.settle()


def run_until(
    bot: RunningBot,
    until: datetime,
    *,
    on_message: Callable[[str, dict[str, Any]], None] | None = None,
    people: tuple[str, ...] = (MENTOR, MENTEE),
) -> None:
    """Step from one due moment to the next (as a 30-second scheduler would see them)."""
    seen = {p: len(dms(bot, p)) for p in people}
    while True:
        due = next_due(bot)
        if due is None or due > until:
            break
        step_to(bot, max(due, bot.clock.now()))
        for person in people:
            fresh = bot.fake.messages_after(person, seen[person])
            seen[person] += len(fresh)
            for message in fresh:
                if on_message is not None:
                    on_message(person, message)
    step_to(bot, until)


def local(at: datetime, person: str) -> datetime:
    return at.astimezone(ZoneInfo(ZONES[person]))


def in_working_hours(at: datetime, person: str) -> bool:
    t = local(at, person)
    return t.weekday() < 5 and 9 <= t.hour < 18


def test_a_full_program_year_for_a_pair_that_keeps_its_rhythm(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    # Matched on Monday 2 March 2026 at 15:00 UTC; the mentee in Tokyo sets Tuesdays at 3pm.
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    for person in (MENTOR, MENTEE):  # fewer steps to simulate; reminders aren't the subject
        bot.slack.command("reminders off", user=person)
        bot.settle()  # one at a time: two concurrent replans of one slot race (see report)
    end = START + timedelta(days=365)

    def answer(person: str, message: dict[str, Any]) -> None:
        if person == MENTEE and buttons(message, "session_met"):
            click(bot, person, message, "session_met")
        elif buttons(message, "pulse_4"):
            click(bot, person, message, "pulse_4")

    run_until(bot, end + timedelta(days=5), on_message=answer)

    # The mentee answers the final evaluation; the mentor never does.
    evaluation = next(m for m in dms(bot, MENTEE) if buttons(m, "open_final"))
    click(bot, MENTEE, evaluation, "open_final")
    reply = bot.slack.submit(
        bot.view_opened("final_evaluation"),
        user=MENTEE,
        values={"rating": "5", "recommend": "9", "changed": "I lead my team with confidence."},
    )
    assert reply.json()["response_action"] == "update"
    bot.settle()
    run_until(bot, end + timedelta(days=10))

    pulses = 25  # every 14 days until the term notice (day 351) takes over
    expected = (
        ["rhythm.pulse"] * 13 + ["rhythm.midterm_review"] + ["rhythm.pulse"] * (pulses - 13)
    ) + ["rhythm.term_notice", "rhythm.final_evaluation", "rhythm.year_in_numbers"]
    for person in (MENTOR, MENTEE):
        got = prompts(bot, person)
        assert [p.kind for p in got] == expected, "\n".join(f"{p.key} {p.sent_at}" for p in got)
        outside = [p for p in got if not in_working_hours(p.sent_at, person)]
        assert not outside, f"{person} got prompts outside working hours: {outside}"

    # Each in their own time zone: the Monday 15:00 UTC pulse is 16:00 or 17:00 in Berlin, but
    # midnight in Tokyo, so the mentee's waits for Tuesday 09:00 Tokyo time.
    mentor_pulses = [p.sent_at for p in prompts(bot, MENTOR) if p.kind == "rhythm.pulse"]
    mentee_pulses = [p.sent_at for p in prompts(bot, MENTEE) if p.kind == "rhythm.pulse"]
    assert mentor_pulses == [START + timedelta(days=14 * n) for n in range(1, pulses + 1)]
    assert mentee_pulses == [START + timedelta(days=14 * n, hours=9) for n in range(1, pulses + 1)]
    assert all(local(at, MENTEE).hour == 9 for at in mentee_pulses)

    # Answered in the DM: the message now thanks them and shows the answer, buttons gone.
    answered = [m for m in dms(bot, MENTOR) if "You rated your partnership" in m["text"]]
    assert len(answered) == pulses
    assert "rated your partnership with <@UMENTEE1> 4/5" in answered[0]["text"]
    assert not buttons(answered[0], "pulse_4")

    # Nobody was nudged or flagged: the pair met every week and answered every pulse.
    assert not prompts(bot, COORDINATOR)
    assert not [p for p in prompts(bot) if p.kind == "rhythm.quiet_nudge"]

    # Closed as completed; the celebration counts what they did.
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.session.get(PartnershipRow, 1)
        assert partnership is not None and partnership.status == "completed"
    held = bot.runtime.services.sessions.held(TEAM, 1)
    assert held >= 50
    numbers = [m for m in dms(bot, MENTEE) if m["text"].startswith("Your year with")]
    assert len(numbers) == 1
    assert f"*{held}* sessions together" in str(numbers[0]["blocks"])
    assert f"*{held}* sessions in a row" in str(numbers[0]["blocks"])
    # The mentee's came right after their evaluation; the mentor's three days after the end.
    numbers_at = {p.recipient: p.sent_at for p in prompts(bot) if p.kind.endswith("numbers")}
    finals = {p.recipient: p.sent_at for p in prompts(bot) if p.kind.endswith("evaluation")}
    assert numbers_at[MENTOR] - finals[MENTOR] == timedelta(days=3)
    assert numbers_at[MENTEE] > end + timedelta(days=5)


@pytest.mark.parametrize("settings_overrides", [{"mentorbot_pulse_every_days": 1, **QUIET}])
def test_three_days_of_downtime_send_at_most_one_pulse_per_person(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    # Daily pulses (a program setting); the bot is down from Monday 15:00 to Thursday 15:00.
    step_to(bot, START + timedelta(days=3))
    assert [p.kind for p in prompts(bot, MENTOR)] == ["rhythm.pulse"]  # 16:00 in Berlin
    assert prompts(bot, MENTEE) == []  # midnight in Tokyo: waits for the morning
    step_to(bot, START + timedelta(days=3, hours=9))  # Friday 09:00 in Tokyo
    for person in (MENTOR, MENTEE):
        got = prompts(bot, person)
        assert [p.key for p in got] == [f"rhythm:1:pulse:3:{person}"], person
    # The rounds missed while down were never asked: no stale prompts, nothing to flag.
    assert not [p for p in rows_with_status(bot, MessageStatus.DROPPED) if "pulse:" in p.key]
    assert not [p for p in prompts(bot) if ":pulse:1:" in p.key or ":pulse:2:" in p.key]
    # Back to normal: Friday's pulse comes on its own day, one each.
    run_until(bot, START + timedelta(days=4, hours=10))
    assert [p.key for p in prompts(bot, MENTOR)][-1] == f"rhythm:1:pulse:4:{MENTOR}"
    assert len(prompts(bot, MENTOR)) == 2


def rows_with_status(bot: RunningBot, status: MessageStatus) -> list[Prompt]:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        found = uow.session.scalars(
            sa.select(OutgoingMessageRow).where(OutgoingMessageRow.status == status.value)
        )
        return [
            Prompt(kind=r.kind, recipient=r.recipient, sent_at=r.due_at, key=r.key) for r in found
        ]


def last_pulse(bot: RunningBot, person: str) -> dict[str, Any]:
    return [m for m in dms(bot, person) if m["text"].startswith("How is your")][-1]


def coordinator_dms(bot: RunningBot) -> list[dict[str, Any]]:
    return dms(bot, COORDINATOR)


def flags(bot: RunningBot) -> list[tuple[str, str]]:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        return [
            (r.signal, r.occasion)
            for r in uow.session.scalars(sa.select(RiskFlagRow).order_by(RiskFlagRow.id))
        ]


def test_a_low_pulse_flags_the_pair_but_the_note_stays_private_unless_shared(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to(bot, START + timedelta(days=14))  # Monday 16:00 in Berlin: the mentor's pulse
    pulse = last_dm(bot, MENTOR)
    assert pulse["text"] == "How is your mentoring partnership with <@UMENTEE1> going?"
    assert [len(buttons(pulse, f"pulse_{n}")) for n in range(1, 6)] == [1] * 5
    click(bot, MENTOR, pulse, "pulse_2")
    shown = last_dm(bot, MENTOR)
    assert shown["text"] == "Thanks! You rated your partnership with <@UMENTEE1> 2/5."
    assert not buttons(shown, "pulse_2") and buttons(shown, "pulse_note")
    alert = coordinator_dms(bot)[-1]["text"]
    assert "<@UMENTEE1> (mentee) and <@UMENTOR1> (mentor)" in alert
    assert "the mentor rated the partnership 2/5" in alert

    # "Anything in the way?" without ticking share: saved, private, the message says so.
    click(bot, MENTOR, shown, "pulse_note")
    modal = bot.view_opened("pulse_note")
    reply = bot.slack.submit(modal, user=MENTOR, values={"note": "We keep cancelling."})
    assert "It stays private to you." in str(reply.json()["view"])
    bot.settle()
    assert "Your note is saved" in str(last_dm(bot, MENTOR)["blocks"])
    assert not buttons(last_dm(bot, MENTOR), "pulse_note")
    seen = [m["text"] for m in coordinator_dms(bot)]
    assert len(seen) == 1 and not any("cancelling" in str(m) for m in coordinator_dms(bot))
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        note = uow.session.scalar(sa.select(ProgressCheckRow.note))
        assert note == "We keep cancelling."

    # Clicking another score changes the answer but does not flag twice.
    click(bot, MENTOR, pulse, "pulse_1")
    assert len(coordinator_dms(bot)) == 1

    # The mentee's pulse waits for Tokyo's morning; they share their note.
    step_to(bot, START + timedelta(days=14, hours=9))
    mentee_pulse = last_pulse(bot, MENTEE)
    click(bot, MENTEE, mentee_pulse, "pulse_note")  # a note before a score is fine too
    reply = bot.slack.submit(
        bot.view_opened("pulse_note"),
        user=MENTEE,
        values={"note": "My mentor seems too busy.", "share": ["share"]},
    )
    assert "The program team will see it" in str(reply.json()["view"])
    bot.settle()
    assert len(coordinator_dms(bot)) == 1  # 00:00 UTC, the coordinators' default zone: later
    step_to(bot, START + timedelta(days=14, hours=18))  # Tuesday 09:00 UTC
    shared = coordinator_dms(bot)[-1]
    assert "<@UMENTEE1> shared a note with the program team" in shared["text"]
    assert "My mentor seems too busy." in str(shared["blocks"])
    assert flags(bot) == [("low_pulse", "pulse1:UMENTOR1")]
    assert buttons(last_pulse(bot, MENTEE), "pulse_3")  # not rated yet: the buttons stay


def test_an_empty_note_is_a_field_error_and_nothing_is_lost(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to(bot, START + timedelta(days=14))
    click(bot, MENTOR, last_dm(bot, MENTOR), "pulse_note")
    reply = bot.slack.submit(bot.view_opened("pulse_note"), user=MENTOR, values={"note": "  "})
    assert reply.json()["response_action"] == "errors"
    assert "note" in reply.json()["errors"]


def test_two_unanswered_pulses_in_a_row_flag_the_pair_once(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")

    def meet_and_answer_only_the_mentee(person: str, message: dict[str, Any]) -> None:
        if person == MENTEE and buttons(message, "session_met"):
            click(bot, person, message, "session_met")
        elif person == MENTEE and buttons(message, "pulse_5"):
            click(bot, person, message, "pulse_5")

    run_until(bot, START + timedelta(days=14 * 5 + 1), on_message=meet_and_answer_only_the_mentee)
    assert flags(bot) == [("unanswered_pulses", "pulse2:UMENTOR1")]  # at round 3, once
    alerts = [m["text"] for m in coordinator_dms(bot)]
    assert len(alerts) == 1
    assert "pulses left unanswered (the mentor left two pulses in a row unanswered)" in alerts[0]
    # No quiet-pair nudges: they met every week.
    assert not [p for p in prompts(bot) if p.kind == "rhythm.quiet_nudge"]


def test_a_quiet_pair_is_nudged_at_two_and_three_weeks_then_flagged_at_four(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    run_until(bot, START + timedelta(days=29))
    nudges = [p for p in prompts(bot) if p.kind == "rhythm.quiet_nudge"]
    assert [(p.recipient, p.sent_at) for p in nudges] == [
        (MENTEE, START + timedelta(days=14, hours=9)),  # the mentee drives; Tokyo morning
        (MENTOR, START + timedelta(days=21)),
        (MENTEE, START + timedelta(days=21, hours=9)),
    ]
    two_weeks = next(m for m in dms(bot, MENTEE) if m["text"].startswith("It's been 2 weeks"))
    assert "You drive the partnership" in two_weeks["text"]
    three_weeks = next(m for m in dms(bot, MENTOR) if m["text"].startswith("It's been 3 weeks"))
    assert buttons(three_weeks, "open_schedule") == ["1"]  # one click: the schedule modal
    click(bot, MENTOR, three_weeks, "open_schedule")
    assert bot.view_opened("session_schedule")["callback_id"] == "session_schedule"
    assert flags(bot) == [("quiet", "20260302T1500Z")]
    assert (
        "no sessions lately (no session logged as met for 28 days)"
        in (coordinator_dms(bot)[-1]["text"])
    )
    for p in nudges:
        assert in_working_hours(p.sent_at, p.recipient)
    # Another week of silence: no repeats.
    run_until(bot, START + timedelta(days=40))
    assert len([p for p in prompts(bot) if p.kind == "rhythm.quiet_nudge"]) == 3
    assert len(flags(bot)) == 1


def test_a_paused_pair_gets_no_prompts_until_it_resumes(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to(bot, START + timedelta(days=1))
    reply = bot.slack.command("pause until 2026-04-20", user=MENTEE)
    assert reply.status == 200
    bot.settle()
    assert (
        "Your partnership is paused until Monday 20 April"
        in (bot.fake.last("response_url").params["text"])
    )
    assert "paused your mentoring partnership until" in last_dm(bot, MENTOR)["text"]
    run_until(bot, datetime(2026, 4, 19, 12, tzinfo=UTC))
    assert prompts(bot) == []  # no pulses, no nudges, nothing flagged
    bot.slack.command("resume", user=MENTOR)
    bot.settle()
    assert "Partnership resumed" in bot.fake.last("response_url").params["text"]
    run_until(bot, datetime(2026, 5, 8, tzinfo=UTC))
    kinds = [(p.kind, p.recipient) for p in prompts(bot)]
    # Pulses come back on their fortnightly rhythm; the quiet clock restarted at the resume
    # (two weeks later is Sunday 3 May: the mentee hears on Monday morning, Tokyo time).
    assert ("rhythm.pulse", MENTOR) in kinds
    assert [k for k in kinds if k[0] == "rhythm.quiet_nudge"] == [("rhythm.quiet_nudge", MENTEE)]


def end_by_command(bot: RunningBot, user: str, **values: Any) -> Any:
    reply = bot.slack.command("end", user=user)
    assert reply.status == 200
    bot.settle()
    reply = bot.slack.submit(bot.view_opened("partnership_end"), user=user, values=values)
    bot.settle()
    return reply


def test_the_mentee_ends_without_blame_and_is_rematched_at_once(bot: RunningBot) -> None:
    for user, tz in {**ZONES, "UMENTOR2": "Europe/London"}.items():
        bot.fake.add_user(user, tz=tz)
    offer(bot, "UMENTOR2", expertise=["leadership"], organization="Initech")
    matched_pair(bot, MENTOR, MENTEE)
    step_to(bot, START + timedelta(days=14))  # the first pulses are out
    assert prompts(bot, MENTOR)

    reply = end_by_command(bot, MENTEE, reason="fit", note="We never really clicked.")
    assert reply.json()["response_action"] == "update"
    assert "New mentor suggestions are on their way" in str(reply.json()["view"])
    step_to(bot, bot.clock.now())

    told = last_dm(bot, MENTOR)
    assert told["text"].startswith("<@UMENTEE1> has closed your mentoring partnership.")
    assert "clicked" not in str(told) and "fit" not in told["text"]
    coordinator = last_dm(bot, COORDINATOR)
    assert "Reason: the fit isn't there." in coordinator["text"]
    assert "We never really clicked." in str(coordinator["blocks"])

    # New suggestions right away: the ended mentor is never suggested again.
    suggestions = last_dm(bot, MENTEE)
    assert suggestions["text"].startswith("A new start")
    picks = buttons(suggestions, "pick_mentor")
    assert [v.split(":")[1] for v in picks] == ["UMENTOR2"]

    # Nothing more for the ended partnership: every pending prompt was cancelled.
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        pending = uow.session.scalars(
            sa.select(OutgoingMessageRow.key).where(
                OutgoingMessageRow.key.like("rhythm:1:%"),
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
            )
        ).all()
        assert pending == []
        status = uow.session.get(PartnershipRow, 1)
        assert status is not None and (status.status, status.end_reason) == ("ended", "fit")

    pick(bot, MENTEE, "UMENTOR2")
    answer(bot, "UMENTOR2", "accept_request")
    run_until(bot, START + timedelta(days=29, hours=12), people=(MENTOR, MENTEE, "UMENTOR2"))
    asked = {(p.recipient, p.key.split(":")[1]) for p in prompts(bot) if p.kind == "rhythm.pulse"}
    assert (MENTOR, "1") in asked  # the first round, before the end
    assert not [p for p in prompts(bot, MENTOR) if p.sent_at > START + timedelta(days=14)]
    assert {("UMENTOR2", "2"), (MENTEE, "2")} <= asked  # the new pair's own rhythm

    # Ending again: nothing to end for the old pair, and `/mentor end` asks which partner.
    reply = bot.slack.command("end <@UMENTOR1>", user=MENTEE)
    bot.settle()
    assert (
        "You don't have a partnership with <@UMENTOR1>"
        in (bot.fake.last("response_url").params["text"])
    )


def test_the_mentor_ends_and_the_mentee_hears_kindly_and_gets_suggestions(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reply = end_by_command(bot, MENTOR, reason="")  # no reason picked: a field error
    assert reply.json()["response_action"] == "errors" and "reason" in reply.json()["errors"]
    reply = bot.slack.submit(
        bot.view_opened("partnership_end"), user=MENTOR, values={"reason": "role_change"}
    )
    assert reply.json()["response_action"] == "update"
    bot.settle()
    texts = [m["text"] for m in dms(bot, MENTEE)]
    ended = next(t for t in texts if "has closed your mentoring partnership" in t)
    assert "says nothing about you" in ended
    # Her Home tab no longer shows the partnership as running.
    homes = [c for c in bot.fake.calls_to("views.publish") if c.params["user_id"] == MENTEE]
    assert homes and homes[-1].outcome == "ok"
    # Nobody else fits: the mentee is waitlisted, and coordinators know.
    assert texts[-1].startswith("Every mentor who fits you is busy")


@pytest.mark.parametrize("settings_overrides", [{"mentorbot_term_days": 60, **QUIET}])
def test_the_term_notice_offers_to_extend_or_close_and_the_midterm_is_answered(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    run_until(bot, START + timedelta(days=31))  # half-way: day 30
    review = next(m for m in dms(bot, MENTOR) if buttons(m, "open_midterm"))
    assert "half-way through your mentoring year" in review["text"]
    click(bot, MENTOR, review, "open_midterm")
    modal = bot.view_opened("midterm_review")
    reply = bot.slack.submit(
        modal, user=MENTOR, values={"progress": "4", "rhythm": "as_planned", "change": "More"}
    )
    assert reply.json()["response_action"] == "update"
    summary = bot.runtime.services.rhythm.midterm_summary(TEAM)
    assert (summary.asked, summary.answered, summary.average_progress) == (2, 1, 4.0)

    # Two weeks before the end (day 46) is a Friday, midnight in Tokyo: Monday morning then.
    run_until(bot, START + timedelta(days=49))
    notice = next(m for m in dms(bot, MENTEE) if buttons(m, "term_extend"))
    assert "Two weeks to go" in notice["text"]
    assert [b for b in buttons(notice, "term_extend")] == ["1"]
    click(bot, MENTEE, notice, "term_extend")
    shown = last_dm(bot, MENTEE)
    assert shown["text"].startswith(":calendar: Extended: your partnership now runs until")
    assert not buttons(shown, "term_extend")
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.session.get(PartnershipRow, 1)
        assert partnership is not None
        assert partnership.ends_at == START + timedelta(days=150)
    # The old end passes quietly; pulses keep coming; a new notice at day 136.
    run_until(bot, START + timedelta(days=137))
    assert not [p for p in prompts(bot) if p.kind == "rhythm.final_evaluation"]
    notices = [p for p in prompts(bot, MENTOR) if p.kind == "rhythm.term_notice"]
    assert len(notices) == 2
    pulses_after = [
        p
        for p in prompts(bot, MENTOR)
        if p.kind == "rhythm.pulse" and p.sent_at > START + timedelta(days=60)
    ]
    assert pulses_after

    second = [m for m in dms(bot, MENTOR) if buttons(m, "term_close")][-1]
    click(bot, MENTOR, second, "term_close")
    closed_at = bot.clock.now()
    updated = next(m for m in dms(bot, MENTOR) if m["ts"] == second["ts"])
    assert "Closed as completed" in updated["text"] and not buttons(updated, "term_close")
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.session.get(PartnershipRow, 1)
        assert partnership is not None and partnership.status == "completed"
    run_until(bot, START + timedelta(days=145))
    finals = [p for p in prompts(bot) if p.kind == "rhythm.final_evaluation"]
    assert sorted(p.recipient for p in finals) == [MENTEE, MENTOR]
    assert all(in_working_hours(p.sent_at, p.recipient) for p in finals)
    later = [p for p in prompts(bot) if p.kind == "rhythm.pulse" and p.sent_at > closed_at]
    assert later == []  # the rest of the rhythm was cancelled with the close


@pytest.mark.parametrize("settings_overrides", [{"mentorbot_term_extension_days": 0, **QUIET}])
def test_when_coordinators_allow_no_extension_the_notice_only_offers_to_close(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        due = uow.session.scalar(
            sa.select(OutgoingMessageRow.due_at).where(OutgoingMessageRow.kind == "job.term_notice")
        )
    assert due == START + timedelta(days=351)
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:  # skip the year: only the notice
        uow.session.execute(
            sa.update(OutgoingMessageRow)
            .where(OutgoingMessageRow.kind.in_(["job.pulse_round", "job.quiet_check"]))
            .values(status="cancelled")
        )
        uow.commit()
    step_to(bot, START + timedelta(days=351))
    notice = last_dm(bot, MENTOR)
    assert buttons(notice, "term_close") and not buttons(notice, "term_extend")


def test_a_declared_holiday_means_no_nudges_for_that_person(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    bot.slack.command("away until 2026-03-28", user=MENTEE)
    bot.settle()
    assert "no nudges until Saturday 28 March" in bot.fake.last("response_url").params["text"]
    bot.slack.command("away yesterday", user=MENTOR)
    bot.settle()
    assert "Pick a date in the future" in bot.fake.last("response_url").params["text"]
    run_until(bot, START + timedelta(days=22))
    nudged = [p.recipient for p in prompts(bot) if p.kind == "rhythm.quiet_nudge"]
    assert nudged == [MENTOR]  # day 21 for both, but the mentee is away
    bot.slack.command("back", user=MENTEE)
    bot.settle()
    assert "Welcome back" in bot.fake.last("response_url").params["text"]


def test_only_coordinators_see_the_midterm_totals(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    bot.slack.command("midterm", user=MENTOR)
    bot.settle()
    assert "Only the program team" in bot.fake.last("response_url").params["text"]
    bot.slack.command("midterm", user=COORDINATOR)
    bot.settle()
    assert "Mid-term review: asked 0 people" in bot.fake.last("response_url").params["text"]


def test_mentorbot_tick_now_delivers_pulses_and_holds_the_rest(  # type: ignore[no-untyped-def]
    pair, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from mentorbot.cli import main

    bot, _ = pair
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.runtime.settings.database_url)
    monkeypatch.setenv("SLACK_API_URL", bot.fake.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monday = (START + timedelta(days=14)).isoformat()
    assert main(["tick", "--now", monday]) == 0
    out = capsys.readouterr().out
    # The mentor's pulse goes (16:00 in Berlin); the mentee's, and their two-week nudge (this
    # pair never logged a session), wait for the morning in Tokyo.
    assert "sent 1, jobs 2," in out and "held for working hours 2" in out
    assert last_dm(bot, MENTOR)["text"].startswith("How is your mentoring partnership")
    assert main(["tick", "--now", monday]) == 0  # again: nothing twice
    assert "sent 0," in capsys.readouterr().out
    assert main(["tick", "--now", (START + timedelta(days=14, hours=9)).isoformat()]) == 0
    assert "sent 2," in capsys.readouterr().out
    assert [m["text"][:24] for m in dms(bot, MENTEE)[-2:]] == [
        "How is your mentoring pa",
        "It's been 2 weeks since ",
    ]


def test_the_coordinators_home_lists_the_pair_at_risk_and_checks_in_with_one_click(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to(bot, START + timedelta(days=14))
    click(bot, MENTOR, last_dm(bot, MENTOR), "pulse_1")
    bot.slack.event({"type": "app_home_opened", "user": COORDINATOR, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(COORDINATOR)
    assert home is not None
    assert "<@UMENTEE1> and <@UMENTOR1>: a low pulse" in str(home["blocks"])
    values = buttons(home, "coordinator_check_in")
    assert values == ["1"]

    for _ in range(2):  # a double click checks in once
        bot.slack.click("coordinator_check_in", user=COORDINATOR, value=values[0], view=home)
        bot.settle()
    for person in (MENTOR, MENTEE):
        check_ins = [m for m in dms(bot, person) if m["text"].startswith("The program team is")]
        assert len(check_ins) == 1
    assert "I've checked in with" in last_dm(bot, COORDINATOR)["text"]

    # The report names the pair and the signal, and shows the average pulse.
    bot.slack.command("report", user=COORDINATOR)
    bot.settle()
    report = next(m for m in dms(bot, COORDINATOR) if m["text"].startswith("Program health"))
    assert "Pairs that may need support" in str(report["blocks"])
    assert "Average pulse (1-5), last 30 days: *1.0*" in str(report["blocks"])

    # Or the coordinator writes to them: an empty message is a field error, nothing is lost.
    bot.slack.click("coordinator_write", user=COORDINATOR, value=values[0], view=home)
    bot.settle()
    modal = bot.view_opened("coordinator_write")
    reply = bot.slack.submit(modal, user=COORDINATOR, values={"text": "  "})
    assert reply.json()["response_action"] == "errors"
    reply = bot.slack.submit(
        modal, user=COORDINATOR, values={"text": "Shall we find a time to talk, all three?"}
    )
    assert reply.json()["response_action"] == "update"
    bot.settle()
    for person in (MENTOR, MENTEE):
        assert "Shall we find a time" in last_dm(bot, person)["text"]
    trail = bot.runtime.services.coordination.audit_trail(
        team_id="T0001", coordinator_id=COORDINATOR
    )
    assert trail[0].action == "pair.message" and "Shall we" not in str(trail[0].detail)

    # Someone else's crafted click does nothing but say so.
    bot.slack.click("coordinator_check_in", user=MENTEE, value=values[0], view=home)
    bot.settle()
    assert "coordinators" in last_dm(bot, MENTEE)["text"]


def test_each_quarter_the_mentee_checks_their_goals_in_a_dm(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    bot.slack.click(
        "open_goals",
        user=MENTEE,
        value=buttons(intro, "open_goals")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    bot.slack.submit(
        bot.view_opened("journal_goals"),
        user=MENTEE,
        values={"goal_1": "Lead the spring planning", "goal_2": "Speak at the all-hands"},
    )
    bot.settle()
    run_until(bot, START + timedelta(days=93))  # three months, then Tokyo's next working morning
    checks = [m for m in dms(bot, MENTEE) if m["text"].startswith("3 months into")]
    assert len(checks) == 1
    check = checks[0]
    assert "Lead the spring planning" in str(check["blocks"])
    assert [p.kind for p in prompts(bot, MENTOR)].count("rhythm.goal_check") == 0  # mentee's
    sent = next(p for p in prompts(bot, MENTEE) if p.kind == "rhythm.goal_check")
    assert 9 <= sent.sent_at.astimezone(ZoneInfo("Asia/Tokyo")).hour < 18  # working hours

    done = buttons(check, "goal_status_done")[0]
    click(bot, MENTEE, check, "goal_status_done", value=done)
    updated = next(m for m in dms(bot, MENTEE) if m["ts"] == check["ts"])
    assert "✓ Done" in str(updated["blocks"])  # the message shows the new status
    home = bot.fake.home_view(MENTOR)
    assert home is not None and "Lead the spring planning" in str(home["blocks"])


def test_the_partnership_can_be_ended_from_the_home_tab(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    bot.slack.event({"type": "app_home_opened", "user": MENTEE, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(MENTEE)
    assert home is not None
    value = buttons(home, "open_end")[0]
    bot.slack.click("open_end", user=MENTEE, value=value, view=home)
    bot.settle()
    assert "<@UMENTOR1>" in str(bot.view_opened("partnership_end")["blocks"])
    bot.slack.click("open_end", user=COORDINATOR, value=value, view=home)  # not theirs
    bot.settle()
    assert last_dm(bot, COORDINATOR)["text"]  # told kindly, by DM; no modal for them
