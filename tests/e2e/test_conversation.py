"""People reply to the bot in its DM, through signed message.im events: a number answers a
pulse, "yes, we met" the check, a note waits for its author's choice, plain words skip, pause,
reschedule and end; edits, threads, bots and retries are ignored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa

from bot.model.kinds import Kind
from storage import SqlUnitOfWork
from storage.crypto import Cipher
from storage.models.conversation import DmNoteRow
from storage.models.coordination import AuditEventRow
from storage.models.matching import PartnershipRow
from storage.models.rhythm import ProgressCheckRow
from tests.conftest import START, TEAM, RunningBot
from tests.e2e.journeys import buttons, click, dms, last_dm, matched_pair, schedule
from tests.support.signed import Reply

MENTOR, MENTEE, COORDINATOR = "UMENTOR1", "UMENTEE1", "UCOORD1"
_ts = count(1)


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """These tests read each person's DMs in order: leave out the onboarding series."""
    return {"mentorbot_onboarding": False}


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    bot.fake.add_user(MENTOR, real_name="Maria Mentor", tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, real_name="Ada Mentee", tz="Europe/London")
    bot.fake.add_user(COORDINATOR, tz="Europe/London")
    intro = matched_pair(bot, MENTOR, MENTEE)
    return bot, intro


def write(
    bot: RunningBot,
    user: str,
    text: str,
    *,
    event_id: str | None = None,
    retry_num: int | None = None,
    **fields: Any,
) -> Reply:
    """``user`` writes ``text`` in their DM with the bot, as Slack's Events API sends it."""
    ts = f"{1772463600 + next(_ts)}.000100"
    event = {
        "type": "message",
        "channel": bot.fake.dm_channel(user),
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        **fields,
    }
    reply = bot.slack.event(
        {k: v for k, v in event.items() if v is not None}, event_id=event_id, retry_num=retry_num
    )
    bot.settle()
    return reply


def step_to_pulse(bot: RunningBot) -> dict[str, Any]:
    """Two weeks in: the mentor (Berlin) gets their first pulse at 15:00 UTC."""
    bot.tick(START + timedelta(days=14) - bot.clock.now())
    bot.settle()
    pulse = next(m for m in reversed(dms(bot, MENTOR)) if buttons(m, "pulse_4"))
    return pulse


def notes(bot: RunningBot) -> list[DmNoteRow]:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        rows = list(uow.session.scalars(sa.select(DmNoteRow).order_by(DmNoteRow.id)))
        uow.session.expunge_all()
        return rows


def test_a_message_event_is_acked_at_once_and_nothing_is_stored(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reply = write(bot, MENTOR, "hello there")
    assert reply.status == 200
    answer = last_dm(bot, MENTOR)
    assert "I haven't done anything with it" in answer["text"]
    assert buttons(answer, "conversation_help")
    assert not notes(bot)


def test_a_number_after_a_pulse_answers_it(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "4")
    assert "you rated your partnership 4/5" in last_dm(bot, MENTOR)["text"]
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        check = uow.session.scalars(
            sa.select(ProgressCheckRow).where(ProgressCheckRow.user_id == MENTOR)
        ).one()
        assert check.score == 4
    assert not notes(bot)


def test_a_reply_after_a_pulse_is_a_note_kept_only_on_the_authors_click(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "We keep missing each other, our calendars clash.")
    got_it = last_dm(bot, MENTOR)
    assert got_it["text"].startswith("Got it.")
    for action in ("conversation_keep", "conversation_share", "conversation_team"):
        assert buttons(got_it, action), action
    assert not notes(bot)  # nothing stored before the click

    click(bot, MENTOR, got_it, "conversation_keep")
    kept = next(m for m in dms(bot, MENTOR) if m["ts"] == got_it["ts"])
    assert "Kept as a private note" in kept["text"]
    assert not buttons(kept, "conversation_keep")  # the draft went with the buttons
    rows = notes(bot)
    assert [(r.author_id, r.audience, r.prompt) for r in rows] == [
        (MENTOR, "private", Kind.PULSE.value)
    ]
    assert rows[0].text == "We keep missing each other, our calendars clash."
    assert not [m for m in dms(bot, MENTEE) if "calendars" in m["text"]]


def test_shared_with_the_partner(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "Loved our last chat about feedback.")
    click(bot, MENTOR, last_dm(bot, MENTOR), "conversation_share")
    shared = last_dm(bot, MENTEE)
    assert shared["text"].startswith(f"<@{MENTOR}> shared this with you")
    assert "Loved our last chat" in str(shared["blocks"])
    assert "Shared with your partner: it reached them" in dms(bot, MENTOR)[-1]["text"]


def test_sent_to_the_program_team_who_answer_in_its_thread(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "My mentee seems overwhelmed, could someone help?")
    click(bot, MENTOR, last_dm(bot, MENTOR), "conversation_team")

    to_team = last_dm(bot, COORDINATOR)
    assert to_team["text"].startswith(f"<@{MENTOR}> wrote to the program team")
    assert "overwhelmed" in str(to_team["blocks"])
    told = next(m for m in dms(bot, MENTOR) if "Sent to the program team" in m["text"])
    assert "it reached 1 of 1 coordinator" in told["text"]
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        audit = uow.session.scalars(
            sa.select(AuditEventRow).where(AuditEventRow.action == "dm.to_team")
        ).one()
        assert audit.actor_id == MENTOR
        assert "overwhelmed" not in f"{audit.subject} {audit.detail}"  # who, never what

    # The coordinator writes back; it reaches the mentor, and stays in the note's thread.
    click(bot, COORDINATOR, to_team, "conversation_write")
    view = bot.view_opened("conversation_write")
    reply = bot.slack.submit(view, user=COORDINATOR, values={"text": "Let's talk tomorrow."})
    assert reply.json()["response_action"] == "update"
    bot.settle()
    answer = last_dm(bot, MENTOR)
    assert "Let's talk tomorrow." in answer["text"]
    threaded = [m for m in dms(bot, COORDINATOR) if m.get("thread_ts") == to_team["ts"]]
    assert len(threaded) == 1 and "Let's talk tomorrow." in threaded[0]["text"]
    assert not buttons(last_dm(bot, MENTOR), "conversation_keep")  # an answer, not a prompt


def test_someone_else_cannot_open_the_team_answer(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "A word for the team.")
    click(bot, MENTOR, last_dm(bot, MENTOR), "conversation_team")
    to_team = last_dm(bot, COORDINATOR)
    note_id = buttons(to_team, "conversation_write")[0]
    bot.slack.click(
        "conversation_write",
        user=MENTEE,
        value=note_id,
        channel=bot.fake.dm_channel(MENTEE),
        message_ts=to_team["ts"],
    )
    bot.settle()
    assert "no longer there" in last_dm(bot, MENTEE)["text"]
    assert not bot.fake.calls_to("views.open") or all(
        c.params["view"].get("callback_id") != "conversation_write"
        for c in bot.fake.calls_to("views.open")
    )


def test_yes_we_met_after_did_you_meet_answers_it(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")
    bot.tick(START.replace(day=3, hour=16) - bot.clock.now())
    bot.settle()
    check = last_dm(bot, MENTEE)
    assert check["text"].startswith("Did you meet")
    write(bot, MENTEE, "Yes, we met!")
    assert "Noted: you met" in last_dm(bot, MENTEE)["text"]
    assert bot.runtime.services.sessions.held(TEAM, 1) == 1
    redrawn = next(m for m in dms(bot, MENTOR) if m["ts"] == last_check(bot, MENTOR)["ts"])
    assert "Met: recorded by <@UMENTEE1>" in redrawn["text"]
    # and "no" from the partner afterwards changes nothing: the first answer stands
    write(bot, MENTOR, "no")
    assert "already answered" in last_dm(bot, MENTOR)["text"]
    assert bot.runtime.services.sessions.held(TEAM, 1) == 1


def last_check(bot: RunningBot, user: str) -> dict[str, Any]:
    return [m for m in dms(bot, user) if "recorded by" in m["text"] or "Did you meet" in m["text"]][
        -1
    ]


def test_skip_pause_reschedule_and_help_in_plain_words(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    schedule(bot, MENTEE, intro, when="Tuesdays at 3pm")

    write(bot, MENTEE, "reschedule to Mondays and Thursdays at 3pm")  # a new rule, not a move
    refused = last_dm(bot, MENTEE)["text"]
    assert "moves one session" in refused and "/mentor schedule" in refused
    assert bot.runtime.services.sessions.slot("T0001", 1).moved == {}  # type: ignore[union-attr]

    write(bot, MENTEE, "reschedule to Friday 3pm")
    assert last_dm(bot, MENTEE)["text"].startswith("Moved to ")
    assert "I've told your partner" in last_dm(bot, MENTEE)["text"]

    write(bot, MENTEE, "skip this week")
    assert "Skipped the next session; I've told your partner" in last_dm(bot, MENTEE)["text"]

    write(bot, MENTEE, "pause")
    assert last_dm(bot, MENTEE)["text"].startswith("Say until when")
    write(bot, MENTEE, "Pause until 10 January")  # it's March: ten months is too long
    assert last_dm(bot, MENTEE)["text"] == "Pauses last at most six months."
    write(bot, MENTEE, "Pause until 10 April")
    assert "Sessions paused until Friday 10 April" in last_dm(bot, MENTEE)["text"]
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.session.get(PartnershipRow, 1)
        assert partnership is not None and partnership.status == "paused"

    write(bot, MENTEE, "help")
    assert "/mentor ask" in last_dm(bot, MENTEE)["text"]


def test_end_asks_to_confirm_with_a_button_and_changes_nothing(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    write(bot, MENTEE, "end")
    confirm = last_dm(bot, MENTEE)
    assert "Nothing changes until you confirm" in confirm["text"]
    click(bot, MENTEE, confirm, "open_end")
    assert bot.view_opened("partnership_end")
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.session.get(PartnershipRow, 1)
        assert partnership is not None and partnership.status == "active"


def test_a_number_without_a_pulse_is_no_guess(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    write(bot, MENTOR, "3")
    assert "I haven't done anything with it" in last_dm(bot, MENTOR)["text"]
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        assert not list(uow.session.scalars(sa.select(ProgressCheckRow)))


def test_edits_threads_bots_and_retries_are_ignored(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    before = len(dms(bot, MENTOR))
    assert write(bot, MENTOR, "an edit", subtype="message_changed").status == 200
    assert write(bot, MENTOR, "in a thread", thread_ts="1772463600.000100").status == 200
    assert write(bot, MENTOR, "from a bot", bot_id="B0OTHER").status == 200
    assert write(bot, MENTOR, "a bot message", subtype="bot_message").status == 200
    assert write(bot, MENTOR, "in a channel", channel_type="channel").status == 200
    assert len(dms(bot, MENTOR)) == before

    # Slack retries a slow delivery with the same event_id: answered once.
    write(bot, MENTOR, "hello", event_id="EvSAME0001")
    write(bot, MENTOR, "hello", event_id="EvSAME0001", retry_num=1)
    assert len(dms(bot, MENTOR)) == before + 1


def test_a_note_too_long_for_its_buttons_is_refused_kindly(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "word " * 400)
    answer = last_dm(bot, MENTOR)
    assert "longer than I can hold on to" in answer["text"]
    assert not buttons(answer, "conversation_keep")


def test_kept_notes_are_in_the_export_and_gone_after_erasure(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "Remember to ask about the offsite.")
    click(bot, MENTOR, last_dm(bot, MENTOR), "conversation_keep")

    bot.slack.command("export", user=MENTOR)
    bot.settle()
    exported = bot.fake.uploads[-1].content.decode()
    assert "## My notes from our DM" in exported
    assert "> Remember to ask about the offsite." in exported
    assert "kept private, after a check-in" in exported

    bot.runtime.services.privacy.forget_me(team_id=TEAM, user_id=MENTOR)
    bot.settle()
    assert not [r for r in notes(bot) if MENTOR in r.author_id or "offsite" in r.text]


KEY = Cipher.generate_key()


@pytest.fixture
def keyed(bot: RunningBot) -> Iterator[RunningBot]:
    yield bot
    bot.runtime.database.use_cipher(Cipher(None))  # the PostgreSQL database is shared


@pytest.mark.parametrize("settings_overrides", [{"mentorbot_encryption_key": KEY}])
def test_a_note_is_ciphertext_at_rest_like_reflections(keyed, pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    step_to_pulse(bot)
    write(bot, MENTOR, "My salary worries keep me up.")
    click(bot, MENTOR, last_dm(bot, MENTOR), "conversation_team")
    with bot.runtime.database.engine.connect() as connection:
        raw = connection.scalar(sa.text("SELECT text FROM dm_notes"))
        payloads = list(
            connection.scalars(sa.text("SELECT CAST(payload AS TEXT) FROM outgoing_messages"))
        )
    assert raw.startswith("gAAAAA") and "salary" not in raw
    assert Cipher(KEY).decrypt(raw) == "My salary worries keep me up."
    assert not [p for p in payloads if "salary" in p]
    assert "salary" in str(last_dm(bot, COORDINATOR)["blocks"])
