"""Suggestions worth the mentee's time, through the signed edge: the languages they can meet
in, their goals against the mentors' profiles, no mentor without a working hour or a focus
area in common unless the coordinators allow it, and the same scores in cohort matching."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from bot.model.kinds import Kind
from storage import SqlUnitOfWork
from storage.models.outbox import OutgoingMessageRow
from tests.conftest import RunningBot
from tests.e2e.journeys import buttons, click, last_dm, offer
from tests.e2e.test_programs import create, join_as_mentee, join_as_mentor

GOALS = "Lead my first team through a reorganization without losing anyone."
REORG_BIO = "Twenty years of leading teams through reorganizations, in Madrid and Boston."


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    bot.fake.add_user("UMENTOR1", real_name="Lucia Mentor", tz="Europe/Madrid")
    bot.fake.add_user("UMENTOR2", real_name="Omar Mentor", tz="America/New_York")
    bot.fake.add_user("UMENTOR3", real_name="Lee Mentor", tz="Asia/Tokyo")
    bot.fake.add_user("UMENTEE1", real_name="Ada Mentee", tz="Europe/London")
    bot.fake.add_user("UCOORD1", real_name="Cora Coordinator", tz="Europe/London")
    return bot


def offer_in(bot: RunningBot, user: str, *, languages: str, bio: str = "Glad to help.") -> None:
    reply = bot.slack.command("offer", user=user)
    assert reply.status == 200
    bot.settle()
    reply = bot.slack.submit(
        bot.view_opened("mentor_offer"),
        user=user,
        values={
            "expertise": ["leadership"],
            "bio": bio,
            "organization": "Acme",
            "capacity": "2",
            "languages": languages,
            "accepting": ["accepting"],
        },
    )
    assert reply.json()["response_action"] == "update"
    bot.settle()


def ask_in(bot: RunningBot, user: str, *, languages: str | None) -> tuple[Any, dict[str, Any]]:
    """The ask modal as the mentee sees it, then submitted; ``None`` keeps what it offers."""
    bot.slack.command("ask", user=user)
    bot.settle()
    view = bot.view_opened("mentor_ask")
    values: dict[str, Any] = {
        "goals": GOALS,
        "focus_areas": ["leadership"],
        "organization": "Globex",
        "other_org": [],
    }
    if languages is not None:
        values["languages"] = languages
    reply = bot.slack.submit(view, user=user, values=values)
    bot.settle()
    return reply, view


def suggested(bot: RunningBot, mentee: str) -> list[str]:
    return [v.split(":")[1] for v in buttons(last_dm(bot, mentee), "pick_mentor")]


def reasons(message: dict[str, Any]) -> dict[str, str]:
    """Each suggested mentor's reason as the mentee reads it (the line under their name)."""
    found = {}
    for block in message["blocks"]:
        accessory = block.get("accessory", {})
        if accessory.get("action_id") == "pick_mentor":
            mentor = accessory["value"].split(":")[1]
            found[mentor] = block["text"]["text"].split("\n")[1]
    return found


def test_the_mentee_names_their_languages_and_goals_and_hears_why_each_mentor_fits(
    people: RunningBot,
) -> None:
    bot = people
    offer_in(bot, "UMENTOR1", languages="Español, English", bio=REORG_BIO)
    offer_in(bot, "UMENTOR2", languages="English")  # speaks none of the mentee's languages

    reply, view = ask_in(bot, "UMENTEE1", languages="Spanish")
    field = next(b for b in view["blocks"] if b.get("block_id") == "languages")
    assert field["element"]["initial_value"] == "English"  # the program's language to start
    assert "1 mentor who fits you well" in str(reply.json()["view"])

    message = last_dm(bot, "UMENTEE1")
    assert suggested(bot, "UMENTEE1") == ["UMENTOR1"]
    assert reasons(message)["UMENTOR1"] == (
        "Shares leadership; 7 working hours overlap; both speak Spanish; the goals' "
        '"lead", "reorganization" and "team" meet the profile; from another organization'
    )
    # The bio is shown as the mentor wrote it, never logged or quoted into the reason.
    assert "Madrid and Boston" not in reasons(message)["UMENTOR1"]
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if "text" in b)

    # Asking again, the form remembers the languages they named.
    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    field = next(b for b in view["blocks"] if b.get("block_id") == "languages")
    assert field["element"]["initial_value"] == "Spanish"


def test_a_mentor_with_no_working_hour_in_common_is_never_suggested(people: RunningBot) -> None:
    bot = people
    offer_in(bot, "UMENTOR3", languages="English", bio=REORG_BIO)  # Tokyo: nothing with London

    reply, _ = ask_in(bot, "UMENTEE1", languages=None)

    assert "waitlist" in str(reply.json()["view"])
    assert "on the waitlist" in last_dm(bot, "UMENTEE1")["text"]
    notice = last_dm(bot, "UCOORD1")
    assert "<@UMENTEE1> is waiting for a mentor" in notice["text"]
    assert "1 mentor has room, but 1 shares no working hours with them." in str(notice["blocks"])
    assert "/mentor program" in str(notice["blocks"])

    # A mentor who shares the mentee's hours comes along: they hear at once, Lee still not.
    offer_in(bot, "UMENTOR2", languages="English")
    assert "Good news" in last_dm(bot, "UMENTEE1")["text"]
    assert suggested(bot, "UMENTEE1") == ["UMENTOR2"]


def test_the_coordinators_say_why_a_spanish_speaker_waits(people: RunningBot) -> None:
    bot = people
    offer_in(bot, "UMENTOR1", languages="English")
    offer_in(bot, "UMENTOR2", languages="")  # named none: the program's English

    ask_in(bot, "UMENTEE1", languages="Spanish, Portuguese")

    notice = last_dm(bot, "UCOORD1")
    assert (
        "2 mentors have room, but 2 speak none of their languages (Spanish and Portuguese)."
        in str(notice["blocks"])
    )


@pytest.mark.parametrize(
    "settings_overrides",
    [{"mentorbot_allow_weak_fit": True, "mentorbot_allow_any_language": True}],
)
def test_the_coordinators_may_allow_weaker_fits_and_any_language(people: RunningBot) -> None:
    bot = people
    offer_in(bot, "UMENTOR3", languages="Japanese")

    ask_in(bot, "UMENTEE1", languages="Spanish")

    assert suggested(bot, "UMENTEE1") == ["UMENTOR3"]
    reason = reasons(last_dm(bot, "UMENTEE1"))["UMENTOR3"]
    assert reason == "Shares leadership; no working hours overlap; from another organization"


def test_a_program_allows_weaker_fits_from_its_own_form(bot: RunningBot) -> None:
    for user, tz in (("UM1", "Asia/Tokyo"), ("UE1", "Europe/London"), ("UE2", "Europe/London")):
        bot.fake.add_user(user, tz=tz)
    bot.fake.add_user("UCOORD1", tz="Europe/London")
    base = {
        "term_days": "180",
        "session_minutes": "60",
        "pulse_every_days": "14",
        "focus_areas": "leadership",
        "workday_start": "9",
        "workday_end": "18",
        "competitors": "",
    }
    assert create(bot, base | {"name": "Far", "flags": ["weak_fit"]})["response_action"] == (
        "update"
    )
    assert create(bot, base | {"name": "Near", "flags": []})["response_action"] == "update"
    bot.slack.command("program", user="UCOORD1")
    bot.settle()
    listing = str(bot.fake.last("response_url").params)
    assert "weaker fits allowed" in listing

    join_as_mentor(bot, "UM1", "Far", expertise=["leadership"], organization="Acme")
    join_as_mentee(bot, "UE1", "Far", focus=["leadership"], organization="Globex")
    assert [v.split(":")[1] for v in buttons(last_dm(bot, "UE1"), "pick_mentor")] == ["UM1"]

    bot.fake.add_user("UM2", tz="Asia/Tokyo")
    join_as_mentor(bot, "UM2", "Near", expertise=["leadership"], organization="Acme")
    join_as_mentee(bot, "UE2", "Near", focus=["leadership"], organization="Globex")
    assert "on the waitlist" in last_dm(bot, "UE2")["text"]


def suggestion_scores(bot: RunningBot, mentee: str) -> dict[str, tuple[int, str]]:
    """What the mentee's latest suggestions carried: each mentor's score and reason."""
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        row = uow.session.scalars(
            sa.select(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.kind == Kind.SUGGESTIONS.value,
                OutgoingMessageRow.recipient == mentee,
            )
            .order_by(OutgoingMessageRow.id.desc())
        ).first()
        assert row is not None
        return {c["mentor_id"]: (c["score"], c["reason"]) for c in row.payload["candidates"]}


def test_cohort_pairs_have_the_scores_and_reasons_of_the_suggestions(people: RunningBot) -> None:
    bot = people
    offer_in(bot, "UMENTOR1", languages="Spanish, English", bio=REORG_BIO)
    offer_in(bot, "UMENTOR2", languages="English")
    offer_in(bot, "UMENTOR3", languages="English")  # Tokyo: never proposed to a Londoner
    bot.fake.add_user("UMENTEE2", tz="America/Chicago")
    bot.fake.add_user("UMENTOR4", tz="Europe/London")
    offer(bot, "UMENTOR4", expertise=["technical skills"])  # shares nothing with them
    ask_in(bot, "UMENTEE1", languages="Spanish, English")
    ask_in(bot, "UMENTEE2", languages=None)
    shown = {m: suggestion_scores(bot, m) for m in ("UMENTEE1", "UMENTEE2")}

    bot.slack.command("match everyone", user="UCOORD1")
    bot.settle()  # planned as a job by the dispatcher: "ready", and a button to show it
    click(bot, "UCOORD1", last_dm(bot, "UCOORD1"), "cohort_page_show")
    proposal = last_dm(bot, "UCOORD1")
    lines = [
        b["text"]["text"] for b in proposal["blocks"] if b.get("block_id", "").startswith("pair_")
    ]
    assert len(lines) == 2
    quoted = 0
    for line in lines:
        mentee, mentor = (part.split(">")[0] for part in line.split("<@")[1:3])
        score, reason = shown[mentee][mentor]
        # The same fit and reason, but for the words of the mentee's goals, which the mentee
        # is shown and the coordinator is not (they still count in the fit).
        without_words = re.sub(r"; the goals' .*? meets? the profile", "", reason)
        quoted += without_words != reason
        assert f"fit *{score}*" in line
        assert without_words in line.replace("&quot;", '"')
        assert "the goals'" not in line
        assert mentor not in ("UMENTOR3", "UMENTOR4")
    assert quoted  # UMENTOR1's bio meets a mentee's goals: there were words to leave out
