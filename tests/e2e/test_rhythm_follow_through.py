"""Follow-through, stepped through the weeks: the early fit check (by button and in the DM's
own words, a no-blame close in one click, "ask me again"), and the ladder for quiet pairs
from the mentee's nudge to the coordinators' decision; the Home tab shows where each stands."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.model.messages.rhythm import PartnershipJob
from bot.model.messages.sessions import SessionMet
from bot.model.outbox import OutgoingMessage
from storage import SqlUnitOfWork
from storage.models.coordination import AuditEventRow
from storage.models.matching import PartnershipRow
from storage.models.outbox import OutgoingMessageRow
from tests.conftest import START, RunningBot
from tests.e2e.journeys import buttons, click, dms, matched_pair, offer, pick, schedule
from tests.e2e.test_rhythm import (
    COORDINATOR,
    MENTEE,
    MENTOR,
    QUIET,
    ZONES,
    coordinator_dms,
    flags,
    in_working_hours,
    prompts,
    run_until,
    step_to,
)
from tests.support.signed import Reply

_ts = itertools.count()


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return dict(QUIET)  # no onboarding series; Berlin and Tokyo may be paired


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    for user, tz in ZONES.items():
        bot.fake.add_user(user, tz=tz)
    intro = matched_pair(bot, MENTOR, MENTEE)
    return bot, intro


def write(bot: RunningBot, user: str, text: str) -> Reply:
    """``user`` writes in their DM with the bot, as Slack's Events API sends it."""
    ts = f"{1772463600 + next(_ts)}.000200"
    reply = bot.slack.event(
        {
            "type": "message",
            "channel": bot.fake.dm_channel(user),
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
        }
    )
    bot.settle()
    return reply


def fit_messages(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    """The fit checks in a person's DM as Slack shows them now (answered ones edited)."""
    return [
        m
        for m in dms(bot, user)
        if "fit with" in m["text"]
        or "Great to hear" in m["text"]
        or "honest" in m["text"]
        or "a good fit often takes" in m["text"]
        or "ask you again" in m["text"]
    ]


def keys_sent(bot: RunningBot, prefix: str) -> list[str]:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        return list(
            uow.session.scalars(
                sa.select(OutgoingMessageRow.key)
                .where(
                    OutgoingMessageRow.key.like(f"{prefix}%"),
                    OutgoingMessageRow.status == "sent",
                )
                .order_by(OutgoingMessageRow.id)
            )
        )


def quiet_flags(bot: RunningBot) -> list[tuple[str, str]]:
    """(nobody answers pulses in these walks: those flags are not the subject)"""
    return [f for f in flags(bot) if f[0].startswith("quiet")]


def home_text(bot: RunningBot, user: str) -> str:
    bot.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    bot.settle()
    home = bot.fake.home_view(user)
    assert home is not None
    return str(home["blocks"])


def test_the_fit_check_after_the_first_and_third_session_by_button_and_in_words(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")  # 06:00 UTC, Tokyo time
    for person in (MENTOR, MENTEE):
        bot.slack.command("reminders off", user=person)
        bot.settle()
    answered_by_mentee: list[str] = []

    def answer_fit(person: str, message: dict[str, Any]) -> None:
        if person == MENTOR:
            write(bot, MENTOR, "Not sure yet.")  # in the DM, in their own words
        elif not answered_by_mentee:  # the mentee, first: it isn't working, ask me again
            click(bot, MENTEE, message, "fit_not_working")
            shown = next(m for m in dms(bot, MENTEE) if m["ts"] == message["ts"])
            assert buttons(shown, "fit_close") and buttons(shown, "fit_again")
            click(bot, MENTEE, shown, "fit_again")
        else:
            write(bot, MENTEE, "great")
        if person == MENTEE:
            answered_by_mentee.append(message["ts"])

    def open_fits(person: str) -> list[dict[str, Any]]:
        return [m for m in dms(bot, person) if buttons(m, "fit_great")]

    def answer(person: str, message: dict[str, Any]) -> None:
        if person == MENTEE and buttons(message, "session_met"):
            click(bot, person, message, "session_met")
        for someone in (MENTOR, MENTEE):  # as soon as it arrives (a session's end, or 09:00)
            for fit in open_fits(someone):
                answer_fit(someone, fit)

    run_until(bot, datetime(2026, 3, 19, tzinfo=UTC), on_message=answer)

    # Asked after sessions 1 and 3 (3 and 17 March); the mentee also after session 2, as
    # they asked. Each in working hours (the mentor's first waited for 09:00 in Berlin).
    assert sorted(keys_sent(bot, "rhythm:1:fit:")) == [
        f"rhythm:1:fit:1:{MENTEE}",
        f"rhythm:1:fit:1:{MENTOR}",
        f"rhythm:1:fit:2:{MENTEE}",
        f"rhythm:1:fit:3:{MENTEE}",
        f"rhythm:1:fit:3:{MENTOR}",
    ]
    fits = [p for p in prompts(bot) if p.kind == "rhythm.fit_check"]
    assert all(in_working_hours(p.sent_at, p.recipient) for p in fits)
    assert fits[1].sent_at == datetime(2026, 3, 3, 8, tzinfo=UTC)

    # Answered in words: each question shows the answer in its place, buttons gone.
    mentor_fits = fit_messages(bot, MENTOR)
    assert len(mentor_fits) == 2
    assert all(m["text"].startswith("Thanks for saying so") for m in mentor_fits)
    assert not any(buttons(m, "fit_unsure") for m in mentor_fits)
    assert any(
        m["text"] == "Noted: not sure yet. Thank you for telling me." for m in dms(bot, MENTOR)
    )
    mentee_fits = fit_messages(bot, MENTEE)
    assert [m["text"][:24] for m in mentee_fits] == [
        "I'll ask you again after",
        "Great to hear that it fi",
        "Great to hear that it fi",
    ]

    # Two "not sure" in a row: the coordinators hear the signal, never the words.
    assert flags(bot) == [("fit_unsure", f"fit3:{MENTOR}")]
    step_to(bot, datetime(2026, 3, 19, 10, tzinfo=UTC))
    alert = coordinator_dms(bot)[-1]
    assert "not sure about the fit, twice" in alert["text"]
    assert "Not sure yet." not in str(alert)
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        pair_row = uow.session.get(PartnershipRow, 1)
        assert pair_row is not None and pair_row.status == "active"


def test_it_isnt_working_closes_without_blame_in_one_click(bot: RunningBot) -> None:
    for user, tz in {**ZONES, "UMENTOR2": "Europe/London"}.items():
        bot.fake.add_user(user, tz=tz)
    offer(bot, "UMENTOR2", expertise=["leadership"], organization="Initech")
    matched_pair(bot, MENTOR, MENTEE)
    # Three weeks and no session met: the fit check comes anyway (Monday 23 March, 15:00
    # UTC: the mentor at once, the mentee the next morning in Tokyo).
    run_until(bot, START + timedelta(days=22), people=(MENTOR, MENTEE, "UMENTOR2"))
    assert keys_sent(bot, "rhythm:1:fit:") == [
        f"rhythm:1:fit:0:{MENTOR}",
        f"rhythm:1:fit:0:{MENTEE}",
    ]
    question = fit_messages(bot, MENTEE)[-1]
    assert question["text"] == f"How is the fit with <@{MENTOR}> so far?"
    click(bot, MENTEE, question, "fit_not_working")
    offered = next(m for m in dms(bot, MENTEE) if m["ts"] == question["ts"])
    click(bot, MENTEE, offered, "fit_close")

    closed = next(m for m in dms(bot, MENTEE) if m["ts"] == question["ts"])
    assert closed["text"].startswith(f"Closed, without blame: I've let <@{MENTOR}> know kindly.")
    assert not buttons(closed, "fit_close")
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        row = uow.session.get(PartnershipRow, 1)
        assert row is not None and (row.status, row.end_reason) == ("ended", "fit")
    told = next(m for m in dms(bot, MENTOR) if "has closed your mentoring partnership" in m["text"])
    assert "fit" not in told["text"]
    suggestions = next(m for m in reversed(dms(bot, MENTEE)) if buttons(m, "pick_mentor"))
    assert [v.split(":")[1] for v in buttons(suggestions, "pick_mentor")] == ["UMENTOR2"]
    pick(bot, MENTEE, "UMENTOR2")  # and the search goes on, with someone else


def test_a_quiet_pair_climbs_the_ladder_and_the_program_decides_never_silently(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    run_until(bot, START + timedelta(days=22))
    nudges = [p for p in prompts(bot) if p.kind == "rhythm.quiet_nudge"]
    assert [(p.recipient, p.sent_at) for p in nudges] == [
        (MENTEE, START + timedelta(days=14, hours=9)),  # the mentee drives; Tokyo morning
        (MENTOR, START + timedelta(days=21)),
        (MENTEE, START + timedelta(days=21, hours=9)),
    ]
    two_weeks = next(m for m in dms(bot, MENTEE) if m["text"].startswith("It's been 2 weeks"))
    for action in ("open_schedule", "quiet_met", "home_session_pause"):
        assert buttons(two_weeks, action) == ["1"], action
    # Three weeks: both, with a time inside both working days: 08:00-09:00 UTC is 09:00 in
    # Berlin and 17:00 in Tokyo, on Wednesday 25 March.
    three_weeks = next(m for m in dms(bot, MENTOR) if m["text"].startswith("It's been 3 weeks"))
    proposed = int(datetime(2026, 3, 25, 8, tzinfo=UTC).timestamp())
    assert f"<!date^{proposed}^" in str(three_weeks["blocks"])

    # Four weeks: the coordinators, as before; eight: both are asked what they want.
    run_until(bot, START + timedelta(days=57))
    assert quiet_flags(bot) == [("quiet", "20260302T1500Z")]
    asked = [p for p in prompts(bot) if p.kind == "rhythm.quiet_decision"]
    assert sorted(p.recipient for p in asked) == [MENTEE, MENTOR]
    assert all(in_working_hours(p.sent_at, p.recipient) for p in asked)
    question = next(m for m in dms(bot, MENTOR) if buttons(m, "quiet_continue"))
    assert buttons(question, "open_end") == ["1"] and buttons(question, "home_session_pause")
    assert "Decide: pause, continue or close" in home_text(bot, MENTOR)
    board = home_text(bot, COORDINATOR)
    assert "*Quiet pairs*" in board and "asked to pause, continue or close: *1*" in board

    # Nobody answers within a week: the coordinators are asked to decide, never a silent close.
    run_until(bot, START + timedelta(days=64, hours=12))
    decide = next(m for m in coordinator_dms(bot) if buttons(m, "quiet_continue"))
    assert "Please decide with them" in decide["text"]
    assert buttons(decide, "coordinator_check_in") == ["1"]
    assert buttons(decide, "coordinator_close") == ["1"]
    assert quiet_flags(bot) == [
        ("quiet", "20260302T1500Z"),
        ("quiet_undecided", "20260302T1500Z"),
    ]
    board = home_text(bot, COORDINATOR)
    assert f"<@{MENTEE}> and <@{MENTOR}>: waiting for the program team to decide" in board
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        row = uow.session.get(PartnershipRow, 1)
        assert row is not None and (row.status, row.quiet_rung) == ("active", "program_decides")

    # The coordinator lets them continue: the ladder starts again from its first rung.
    click(bot, COORDINATOR, decide, "quiet_continue")
    continued_at = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        row = uow.session.get(PartnershipRow, 1)
        assert row is not None and row.quiet_rung == ""
        audit = uow.session.scalars(sa.select(AuditEventRow.action)).all()
        assert "pair.continue" in audit
    run_until(bot, continued_at + timedelta(days=15))
    later = [p for p in prompts(bot) if p.kind == "rhythm.quiet_nudge" and p.sent_at > continued_at]
    assert [p.recipient for p in later] == [MENTEE]
    assert later[0].sent_at >= continued_at + timedelta(days=14)


def test_a_session_met_cancels_the_ladder_at_once_and_reruns_send_nothing_twice(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    # Three weeks quiet: the mentor's nudge goes at 16:00 in Berlin, the mentee's waits for
    # the morning in Tokyo. The mentor says they met (they did, without a plan).
    step_to(bot, START + timedelta(days=14, hours=9))
    step_to(bot, START + timedelta(days=21))
    nudge = next(m for m in dms(bot, MENTOR) if buttons(m, "quiet_met"))
    before = len(dms(bot, MENTEE))
    click(bot, MENTOR, nudge, "quiet_met")
    shown = next(m for m in dms(bot, MENTOR) if m["ts"] == nudge["ts"])
    assert shown["text"] == f"Noted: you met <@{MENTEE}>. Keep it up!"
    assert bot.runtime.services.sessions.held("T0001", 1) == 1
    run_until(bot, START + timedelta(days=22))
    # The mentee's three-week nudge, still waiting for Tokyo's morning, never goes: cancelled.
    assert not [m for m in dms(bot, MENTEE)[before:] if m["text"].startswith("It's been")]
    # (the three-week fit check still asks, once: the first session met asks no more)
    texts = [m["text"] for m in dms(bot, MENTEE)[before:]]
    assert texts.count(f"How is the fit with <@{MENTOR}> so far?") == 1
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        statuses = dict(
            uow.session.execute(
                sa.select(OutgoingMessageRow.key, OutgoingMessageRow.status).where(
                    OutgoingMessageRow.key.like("rhythm:1:quiet:%")
                )
            ).all()
        )
    assert statuses[f"rhythm:1:quiet:20260302T1500Z:d21:{MENTEE}"] == "cancelled"

    # A crashed or second replica running the same jobs again plans and sends nothing twice.
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        count_before = uow.session.scalar(sa.select(sa.func.count(OutgoingMessageRow.id)))
    rhythm = bot.runtime.services.rhythm
    now = bot.clock.now()
    for job, payload in (
        (rhythm.quiet_check, PartnershipJob(partnership_id=1)),
        (rhythm.fit_check_due, PartnershipJob(partnership_id=1)),
        (rhythm.session_met, SessionMet(partnership_id=1, start=now)),
    ):
        for _ in range(2):
            with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
                job(uow, OutgoingMessage("T0001", "job", MENTEE, "k", now, payload), now)
                uow.commit()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        count_after = uow.session.scalar(sa.select(sa.func.count(OutgoingMessageRow.id)))
    assert count_after == count_before  # every row they would plan is there already, keyed
    sent = len(bot.fake.delivered("chat.postMessage"))
    bot.runtime.services.dispatcher.run_once(now)
    bot.runtime.services.dispatcher.run_once(now)
    assert len(bot.fake.delivered("chat.postMessage")) == sent
    assert "Answer: how is the fit so far?" in home_text(bot, MENTEE)


def test_the_proposed_time_is_booked_in_one_click_and_meeting_then_ends_the_ladder(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    run_until(bot, START + timedelta(days=21, hours=1))
    nudge = next(m for m in dms(bot, MENTOR) if m["text"].startswith("It's been 3 weeks"))
    assert buttons(nudge, "quiet_book") == ["1:20260325T0800Z:60"]
    click(bot, MENTOR, nudge, "quiet_book")
    booked = next(m for m in dms(bot, MENTOR) if m["ts"] == nudge["ts"])
    assert booked["text"].startswith("Booked:") and not buttons(booked, "quiet_book")
    slot = bot.runtime.services.sessions.slot("T0001", 1)
    assert slot is not None and slot.every_weeks == 0
    assert slot.next_occurrence(bot.clock.now()).start == datetime(2026, 3, 25, 8, tzinfo=UTC)  # type: ignore[union-attr]

    def meet(person: str, message: dict[str, Any]) -> None:
        if person == MENTEE and buttons(message, "session_met"):
            click(bot, person, message, "session_met")

    run_until(bot, START + timedelta(days=30), on_message=meet)
    assert bot.runtime.services.sessions.held("T0001", 1) == 1
    # Met on 25 March: the quiet clock restarted then; no flag at four weeks.
    assert quiet_flags(bot) == []
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        row = uow.session.get(PartnershipRow, 1)
        assert row is not None and row.quiet_rung == ""
