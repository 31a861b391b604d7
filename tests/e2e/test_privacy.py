"""People's data, through signed requests and the fake Slack: forget me, a coordinator's
erasure, erasure after leaving Slack, and private text encrypted at rest.

"Nothing of the person remains" is checked the blunt way: every column of every table in the
models, read as text straight from the database, searched for the person's Slack ID.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from bot.model.partnership import PartnershipStatus
from handlers.coordination.listeners import REFUSAL
from storage import Database, SqlUnitOfWork
from storage.crypto import Cipher
from storage.models.base import Base
from storage.models.journal import ReflectionRow
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import answer, ask, buttons, click, last_dm, matched_pair, offer, pick

MENTOR, MENTEE, OTHER_MENTOR, COORDINATOR = "UMENTOR7", "UMENTEE7", "UMENTOR8", "UCOORD1"
NEW_MENTEE = "UMENTEE9"


@pytest.fixture
def pair(bot: RunningBot) -> tuple[RunningBot, dict[str, Any]]:
    for user, tz in {
        MENTOR: "Europe/Berlin",
        MENTEE: "Europe/London",
        OTHER_MENTOR: "Europe/London",
        NEW_MENTEE: "Europe/Paris",
        COORDINATOR: "Europe/London",
    }.items():
        bot.fake.add_user(user, tz=tz)
    return bot, matched_pair(bot, MENTOR, MENTEE)


# -- helpers ---------------------------------------------------------------------------------


def command(bot: RunningBot, user: str, text: str) -> dict[str, Any]:
    reply = bot.slack.command(text, user=user)
    assert reply.status == 200, reply.text
    bot.settle()
    return reply.json() if reply.text else {}


def submit(bot: RunningBot, user: str, callback_id: str, values: dict[str, Any]) -> dict[str, Any]:
    reply = bot.slack.submit(bot.view_opened(callback_id), user=user, values=values)
    assert reply.status == 200, reply.text
    bot.settle()
    return dict(reply.json())


def close(bot: RunningBot, user: str, callback_id: str) -> None:
    """The person presses Cancel on a modal opened with ``notify_on_close``."""
    payload = {
        "type": "view_closed",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0MENTOR",
        "token": "legacy-verification-token",
        "view": {**bot.view_opened(callback_id), "id": "V0MODAL", "team_id": TEAM},
        "is_cleared": False,
        "is_enterprise_install": False,
    }
    reply = bot.slack.post(
        urlencode({"payload": json.dumps(payload)}),
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status == 200, reply.text
    bot.settle()


def traces(database: Database, user_id: str) -> list[str]:
    """Every table.column whose stored text contains ``user_id``, read raw (no decryption)."""
    found = []
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                hits = connection.scalar(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(sa.cast(column, sa.Text).like(f"%{user_id}%"))
                )
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def row_counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            table.name: int(connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def reflect(bot: RunningBot, user: str, topics: str) -> None:
    command(bot, user, "reflect")
    submit(
        bot,
        user,
        "journal_reflect",
        {"topics": topics, "learned": "", "next_steps": "", "visibility": "private"},
    )


def set_goals(bot: RunningBot, intro: dict[str, Any]) -> None:
    bot.slack.click(
        "open_goals",
        user=MENTEE,
        value=buttons(intro, "open_goals")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    submit(bot, MENTEE, "journal_goals", {"goal_1": "Run a calm reorganization"})


def a_year_underway(bot: RunningBot, intro: dict[str, Any]) -> None:
    """Goals, reflections from both, a milestone, a weekly session, pulses answered low with a
    note (a risk flag for the coordinators), a coordinator's report: traces everywhere."""
    set_goals(bot, intro)
    reflect(bot, MENTEE, "My salary worries")
    reflect(bot, MENTOR, "Listen more than I talk")
    command(bot, MENTEE, "milestone Got the promotion")
    bot.slack.click(
        "open_schedule",
        user=MENTEE,
        value=buttons(intro, "open_schedule")[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    submit(bot, MENTEE, "session_schedule", {"when": "Tuesdays at 3pm", "length": "60"})
    for _ in range(16):
        bot.tick(timedelta(days=1))
    for person in (MENTOR, MENTEE):
        pulses = [m for m in bot.fake.messages(person) if buttons(m, "pulse_1")]
        assert pulses, f"{person} got no pulse"
        click(bot, person, pulses[-1], "pulse_1")
        [answered] = [m for m in bot.fake.messages(person) if m["ts"] == pulses[-1]["ts"]]
        click(bot, person, answered, "pulse_note")
        submit(bot, person, "pulse_note", {"note": f"A note by {person}"})
    met = [m for m in bot.fake.messages(MENTEE) if buttons(m, "session_met")]
    assert met, "no 'did you meet?' for the mentee"
    click(bot, MENTEE, met[-1], "session_met")
    bot.runtime.services.coordination.health(team_id=TEAM, coordinator_id=COORDINATOR)
    bot.tick(timedelta(hours=1))


def partner_left(bot: RunningBot, user: str) -> list[str]:
    return [
        m["text"]
        for m in bot.fake.messages(user)
        if m["text"].startswith("Your mentoring partnership has ended")
    ]


def forget_me(bot: RunningBot, user: str) -> dict[str, Any]:
    assert command(bot, user, "forget-me") == {}
    modal = bot.view_opened("forget_me")
    assert modal["notify_on_close"] is True
    shown = json.dumps(modal["blocks"])
    assert "every reflection you wrote" in shown and "1 running partnership" in shown
    return submit(bot, user, "forget_me", {})


# -- forget me -------------------------------------------------------------------------------


def test_a_mentee_forgets_me_and_nothing_of_them_remains(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    a_year_underway(bot, intro)
    database = bot.runtime.database
    assert {"reflections.author_id", "progress_checks.user_id", "goals.partnership_id"} & set(
        traces(database, MENTEE)
    )

    reply = forget_me(bot, MENTEE)
    assert reply["response_action"] == "update"
    assert "Deleting everything now" in json.dumps(reply["view"])
    bot.tick()
    assert last_dm(bot, MENTEE)["text"].startswith("Done: Mentorbot no longer keeps anything")

    assert traces(database, MENTEE) == []
    for words in ("calm reorganization", "Got the promotion", "salary", "A note by"):
        # (the mentor's answers to check-ins about the pair went too: they are about the mentee)
        assert traces(database, words) == [], words  # no copy in any message either
    # The mentor is told kindly, without a name, a reason or anything the mentee wrote.
    [told] = partner_left(bot, MENTOR)
    assert "your mentee is no longer part of the program" in told
    assert MENTEE not in told and "salary" not in told
    with SqlUnitOfWork(database.sessions) as uow:
        mine = uow.journal.reflections(TEAM, authors=(MENTOR,))
        assert [r.topics for r in mine] == ["Listen more than I talk"]  # theirs stays theirs
        assert uow.journal.reflections(TEAM, authors=(MENTEE,)) == []
        [partnership] = uow.partnerships.for_member(TEAM, MENTOR)
        assert partnership.status is PartnershipStatus.ENDED
        assert partnership.mentee_id.startswith("erased-")
        [audit] = [e for e in uow.audit.recent(TEAM, limit=10) if e.action.startswith("person")]
        assert (audit.actor_id, audit.action) == ("self", "person.forget_me")
    command(bot, MENTOR, "export")  # the past partnership, without a name
    assert "## With someone who has left the program" in bot.fake.uploads[-1].content.decode()
    # The coordinators' numbers stay sensible: the pair counted once, now ended.
    health = bot.runtime.services.coordination.health(team_id=TEAM, coordinator_id=COORDINATOR)
    assert (health.mentees, health.active_pairs, health.ended_early) == (1, 0, 1)
    assert health.end_reasons == {"left the program": 1}
    assert health.at_risk == []

    # The mentor's place is free again: a new mentee can ask for them and be matched.
    ask(bot, NEW_MENTEE, focus=["leadership"])
    pick(bot, NEW_MENTEE, MENTOR)
    answer(bot, MENTOR, "accept_request")
    with SqlUnitOfWork(database.sessions) as uow:
        live = [p for p in uow.partnerships.for_member(TEAM, MENTOR) if p.live]
        assert [p.mentee_id for p in live] == [NEW_MENTEE]


def test_a_mentor_forgets_me_and_their_mentee_is_told_and_rematched(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    offer(bot, OTHER_MENTOR, expertise=["leadership"], organization="Initech")
    a_year_underway(bot, intro)

    forget_me(bot, MENTOR)
    bot.tick()

    assert traces(bot.runtime.database, MENTOR) == []
    [told] = partner_left(bot, MENTEE)
    assert "your mentor is no longer part of the program" in told
    assert "says nothing about you" in told
    suggestions = last_dm(bot, MENTEE)
    assert suggestions["text"].startswith("A new start")
    assert [v.split(":")[1] for v in buttons(suggestions, "pick_mentor")] == [OTHER_MENTOR]
    pick(bot, MENTEE, OTHER_MENTOR)
    answer(bot, OTHER_MENTOR, "accept_request")
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        live = [p for p in uow.partnerships.for_member(TEAM, MENTEE) if p.live]
        assert [p.mentor_id for p in live] == [OTHER_MENTOR]
        assert [r.topics for r in uow.journal.reflections(TEAM, authors=(MENTEE,))] == [
            "My salary worries"
        ]
    assert traces(bot.runtime.database, MENTOR) == []


def test_a_mentee_waiting_on_a_mentor_who_leaves_gets_other_suggestions(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    offer(bot, OTHER_MENTOR, expertise=["leadership"], organization="Initech")
    ask(bot, NEW_MENTEE, focus=["leadership"])
    pick(bot, NEW_MENTEE, OTHER_MENTOR)  # asked, not answered yet

    assert command(bot, OTHER_MENTOR, "forget-me") == {}
    submit(bot, OTHER_MENTOR, "forget_me", {})
    bot.tick()

    assert traces(bot.runtime.database, OTHER_MENTOR) == []
    suggestions = last_dm(bot, NEW_MENTEE)
    assert suggestions["text"].startswith("Your mentor hasn't been able to answer")
    assert [v.split(":")[1] for v in buttons(suggestions, "pick_mentor")] == [MENTOR]


def test_cancelling_the_confirmation_deletes_nothing(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reflect(bot, MENTEE, "My salary worries")
    database = bot.runtime.database
    before, traced = row_counts(database), traces(database, MENTEE)

    assert command(bot, MENTEE, "forget-me") == {}
    close(bot, MENTEE, "forget_me")
    bot.tick()

    assert last_dm(bot, MENTEE)["text"].startswith("Nothing was deleted")
    assert row_counts(database) == before and traces(database, MENTEE) == traced
    assert partner_left(bot, MENTOR) == []


# -- a coordinator erases ---------------------------------------------------------------------


def test_erase_is_refused_politely_for_anyone_but_a_coordinator(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    database = bot.runtime.database
    before = row_counts(database)

    reply = command(bot, MENTOR, f"erase <@{MENTEE}|ada>")
    assert reply["text"] == REFUSAL and reply["response_type"] == "ephemeral"
    assert not [c for c in bot.fake.calls_to("views.open") if "erase" in json.dumps(c.params)]
    # A crafted submission of the coordinators' modal changes nothing either.
    crafted = {
        "type": "modal",
        "callback_id": "erase_person",
        "private_metadata": json.dumps({"user_id": MENTEE}),
        "blocks": [],
    }
    reply_ = bot.slack.submit(crafted, user=MENTOR, values={})
    assert "for the program's coordinators" in json.dumps(reply_.json())
    bot.tick()
    assert row_counts(database) == before


def test_a_coordinator_erases_someone_who_left_audited_without_their_id(pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    a_year_underway(bot, intro)

    assert command(bot, COORDINATOR, f"erase <@{MENTEE}|ada>") == {}
    modal = bot.view_opened("erase_person")
    assert f"<@{MENTEE}>" in json.dumps(modal["blocks"])
    reply = submit(bot, COORDINATOR, "erase_person", {})
    assert f"Erasing <@{MENTEE}>" in json.dumps(reply["view"])
    bot.tick()
    assert last_dm(bot, COORDINATOR)["text"].startswith("Erased. 1 running partnership(s) ended")

    assert traces(bot.runtime.database, MENTEE) == []
    assert partner_left(bot, MENTOR)
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        [audit] = [e for e in uow.audit.recent(TEAM, limit=10) if e.action == "person.erase"]
        assert audit.actor_id == COORDINATOR and audit.subject == "person:erased"
        assert audit.detail["partnerships_ended"] == 1


# -- Slack says the person was deleted ---------------------------------------------------------


def user_change(bot: RunningBot, user: str, *, deleted: bool) -> None:
    event = {"type": "user_change", "user": {"id": user, "team_id": TEAM, "deleted": deleted}}
    assert bot.slack.event(event).status == 200
    bot.settle()


def test_a_person_deleted_in_slack_is_erased_after_the_retention_period(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reflect(bot, MENTEE, "My salary worries")
    user_change(bot, MENTEE, deleted=True)
    user_change(bot, MENTEE, deleted=True)  # Slack repeats itself: still one erasure

    bot.tick(timedelta(days=29))
    assert traces(bot.runtime.database, MENTEE)  # within the retention period: kept
    assert partner_left(bot, MENTOR) == []
    bot.tick(timedelta(days=2))
    bot.tick()
    assert traces(bot.runtime.database, MENTEE) == []
    assert len(partner_left(bot, MENTOR)) == 1
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        [audit] = [e for e in uow.audit.recent(TEAM, limit=10) if e.action.startswith("person")]
        assert audit.actor_id == "slack:user_deleted"


def test_a_person_reactivated_before_the_retention_period_is_not_erased(pair) -> None:  # type: ignore[no-untyped-def]
    bot, _ = pair
    reflect(bot, MENTEE, "My salary worries")
    user_change(bot, MENTEE, deleted=True)
    bot.tick(timedelta(days=10))
    user_change(bot, MENTEE, deleted=False)

    bot.tick(timedelta(days=31))
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        assert [r.topics for r in uow.journal.reflections(TEAM, authors=(MENTEE,))] == [
            "My salary worries"
        ]
        assert any(p.live for p in uow.partnerships.for_member(TEAM, MENTEE))
    assert partner_left(bot, MENTOR) == []


# -- encryption at rest ------------------------------------------------------------------------

KEY = Cipher.generate_key()


@pytest.fixture
def keyed(bot: RunningBot) -> Iterator[RunningBot]:
    yield bot
    bot.runtime.database.use_cipher(Cipher(None))  # the PostgreSQL database is shared


@pytest.mark.parametrize("settings_overrides", [{"mentorbot_encryption_key": KEY}])
def test_copies_of_bios_and_titles_in_queued_messages_are_ciphertext(keyed, pair) -> None:  # type: ignore[no-untyped-def]
    """A suggestion carries each mentor's bio and a celebration its milestone's title: in
    the outbox row they are sealed like the columns they were copied from (the payload type
    marks them ``PrivateText``), while Slack gets the words."""
    bot, _intro = pair
    command(bot, MENTEE, "milestone Got the promotion")
    bot.tick(timedelta(minutes=1))
    with bot.runtime.database.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT kind, CAST(payload AS TEXT) FROM outgoing_messages")
        ).all()
    raw = {kind: json.loads(payload) for kind, payload in rows}
    [candidate] = raw["mentee.suggestions"]["candidates"]
    assert candidate["mentor_id"] == MENTOR  # who is suggested stays readable for the erasure
    assert candidate["bio"].startswith("gAAAAA")
    assert Cipher(KEY).decrypt(candidate["bio"]).startswith("Twenty years of leading teams")
    title = raw["journal.celebration"]["title"]
    assert title.startswith("gAAAAA") and Cipher(KEY).decrypt(title) == "Got the promotion"
    assert not [p for _, p in rows if "leading teams" in p or "promotion" in p]

    posted = " ".join(
        call.params.get("text", "") for call in bot.fake.delivered("chat.postMessage")
    )
    assert "Got the promotion" in posted  # the celebration, read back open
    suggestions = [
        m for m in bot.fake.delivered("chat.postMessage") if "leading teams" in json.dumps(m.params)
    ]
    assert suggestions, "the suggestion reached the mentee with the bio"


@pytest.mark.parametrize("settings_overrides", [{"mentorbot_encryption_key": KEY}])
def test_private_text_is_ciphertext_at_rest_and_still_reads_for_its_author(keyed, pair) -> None:  # type: ignore[no-untyped-def]
    bot, intro = pair
    set_goals(bot, intro)
    reflect(bot, MENTEE, "My salary worries")
    command(bot, MENTEE, "milestone Got the promotion")
    database = bot.runtime.database
    with database.engine.connect() as connection:
        raw_topics = connection.scalar(sa.text("SELECT topics FROM reflections"))
        raw_goal = connection.scalar(sa.text("SELECT text FROM goals"))
        raw_request = connection.scalar(sa.text("SELECT goals FROM mentor_requests"))
        raw_title = connection.scalar(sa.text("SELECT title FROM milestones"))
        raw_bio = connection.scalar(sa.text("SELECT bio FROM mentor_profiles"))
    for raw, plain in (
        (raw_topics, "My salary worries"),
        (raw_goal, "Run a calm reorganization"),
        (raw_request, "Lead my first team"),
        (raw_title, "Got the promotion"),
        (raw_bio, "Twenty years of leading teams"),
    ):
        assert raw.startswith("gAAAAA") and plain not in raw
        assert Cipher(KEY).decrypt(raw).startswith(plain)

    # The author still reads it: the Markdown export in their DM.
    command(bot, MENTEE, "export")
    exported = bot.fake.uploads[-1].content.decode()
    assert "> My salary worries" in exported and "Run a calm reorganization" in exported

    # The private note for the program team when a partnership ends: ciphertext in the
    # outbox, plain words in the coordinator's DM.
    command(bot, MENTEE, "end")
    submit(bot, MENTEE, "partnership_end", {"reason": "fit", "note": "We never clicked."})
    bot.tick(timedelta(days=1))
    with database.engine.connect() as connection:
        payloads = connection.scalars(
            sa.text("SELECT CAST(payload AS TEXT) FROM outgoing_messages")
        )
        assert not [p for p in payloads if "clicked" in p]
    assert any("We never clicked." in json.dumps(m) for m in bot.fake.messages(COORDINATOR))

    # A row written before the key was set still reads.
    with database.engine.begin() as connection:
        connection.execute(
            sa.update(ReflectionRow.__table__).values(topics=sa.literal("Written before the key"))
        )
    with SqlUnitOfWork(database.sessions) as uow:
        [old] = uow.journal.reflections(TEAM, authors=(MENTEE,))
        assert old.topics == "Written before the key"
