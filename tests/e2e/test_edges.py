"""The HTTP edge refuses what isn't Slack, and bad or crafted input gets a clear answer."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from tests.conftest import RunningBot
from tests.e2e.journeys import answer, ask, buttons, click, last_dm, offer, pick


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    for user, tz in [
        ("UMENTOR1", "Europe/Berlin"),
        ("UMENTOR2", "America/Chicago"),
        ("UMENTEE1", "Europe/London"),
        ("UMENTEE2", "Europe/Paris"),
        ("UCOORD1", "Europe/London"),
    ]:
        bot.fake.add_user(user, tz=tz)
    return bot


@pytest.mark.parametrize(
    "tamper",
    ["no signature", "wrong secret", "stale timestamp", "future timestamp", "body changed"],
)
def test_requests_not_signed_by_slack_are_refused(people: RunningBot, tamper: str) -> None:
    bot = people
    body = "command=%2Fmentor&text=ask&team_id=T0001&user_id=UMENTEE1&trigger_id=1.1.x"
    now = int(time.time())
    kwargs: dict[str, object] = {}
    if tamper == "no signature":
        kwargs["signature"] = ""
    elif tamper == "wrong secret":
        kwargs["signature"] = "v0=" + "0" * 64
    elif tamper == "stale timestamp":
        kwargs["timestamp"] = now - 6 * 60  # outside Slack's 5-minute window
    elif tamper == "future timestamp":
        kwargs["timestamp"] = now + 6 * 60
    if tamper == "body changed":  # signed for one body, sent with another
        kwargs["signature"] = bot.slack._verifier.generate_signature(timestamp=str(now), body=body)
        kwargs["timestamp"] = now
        body = body.replace("ask", "offer")
    reply = bot.slack.post(
        body,
        content_type="application/x-www-form-urlencoded",
        **kwargs,  # type: ignore[arg-type]
    )
    bot.settle()
    assert reply.status == 401
    assert [c.method for c in bot.fake.calls if c.method != "auth.test"] == []


def test_odd_requests_get_a_4xx_never_a_500(people: RunningBot) -> None:
    bot = people
    cases = [
        ("payload=%7Bnot json", "application/x-www-form-urlencoded"),
        ('{"type": "something_new"}', "application/json"),
        (
            "payload=" + json.dumps({"type": "block_actions", "actions": []}),
            "application/x-www-form-urlencoded",
        ),
        ("", "application/x-www-form-urlencoded"),
    ]
    for body, content_type in cases:
        reply = bot.slack.post(body, content_type=content_type)
        assert 400 <= reply.status < 500 or reply.status == 200, (body, reply.status)
        assert reply.status != 500
    assert bot.slack.post("x", content_type="text/plain", path="/nowhere").status == 404


def test_an_ask_with_missing_answers_gets_field_errors_and_keeps_the_modal(
    people: RunningBot,
) -> None:
    bot = people
    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    reply = bot.slack.submit(
        view,
        user="UMENTEE1",
        values={"goals": "grow", "focus_areas": [], "organization": "Globex", "other_org": []},
    )
    assert reply.status == 200
    errors = reply.json()
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {"goals", "focus_areas"}
    assert "what would you like to grow in" in errors["errors"]["goals"]
    bot.settle()
    assert not bot.fake.calls_to("chat.postMessage")  # nothing was asked of anyone


def test_an_offer_without_expertise_gets_a_field_error(people: RunningBot) -> None:
    bot = people
    reply = offer(bot, "UMENTOR1", expertise=[])
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"expertise": "Pick at least one area you can help with."},
    }


def test_a_crafted_submission_with_no_state_is_answered_with_errors(people: RunningBot) -> None:
    bot = people
    for callback_id, field in [("mentor_ask", "goals"), ("mentor_offer", "expertise")]:
        view = {"id": "V1", "type": "modal", "callback_id": callback_id, "blocks": []}
        reply = bot.slack.submit(view, user="UMENTEE1", values={})
        assert reply.status == 200
        assert reply.json()["response_action"] == "errors"
        assert field in reply.json()["errors"]


def test_a_crafted_decline_modal_with_a_foreign_proposal_reveals_nothing(
    people: RunningBot,
) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    pick(bot, "UMENTEE1", "UMENTOR1")
    proposal_id = buttons(last_dm(bot, "UMENTOR1"), "decline_request")[0]
    view = {
        "id": "V2",
        "type": "modal",
        "callback_id": "mentor_decline",
        "private_metadata": json.dumps({"proposal_id": int(proposal_id)}),
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    reply = bot.slack.submit(view, user="UMENTEE2", values={"reason": "not mine"})
    assert reply.json()["response_action"] == "errors"
    assert "can't find that request" in reply.json()["errors"]["reason"]
    bot.settle()
    assert "would like you to be their mentor" in last_dm(bot, "UMENTOR1")["text"]  # unchanged


def test_buttons_with_someone_elses_ids_change_nothing(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    offer(bot, "UMENTOR2", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    suggestion = last_dm(bot, "UMENTEE1")
    # Another mentee replays UMENTEE1's button: their request is not theirs to use.
    reply = bot.slack.click(
        "pick_mentor", user="UMENTEE2", value=buttons(suggestion, "pick_mentor")[0]
    )
    bot.settle()
    assert reply.status == 200
    assert "no longer open" in bot.fake.last("response_url").params["text"]
    assert not any("would like you" in m["text"] for m in bot.fake.messages("UMENTOR1"))

    pick(bot, "UMENTEE1", "UMENTOR1")
    request = last_dm(bot, "UMENTOR1")
    # The other mentor tries to accept a request addressed to UMENTOR1.
    bot.slack.click("accept_request", user="UMENTOR2", value=buttons(request, "accept_request")[0])
    bot.settle()
    assert "can't find that request" in bot.fake.last("response_url").params["text"]
    assert not bot.fake.calls_to("conversations.open")
    # Nonsense values are refused just as kindly.
    for value in ["", "abc", "99999", "-1"]:
        bot.slack.click("accept_request", user="UMENTOR1", value=value)
        bot.settle()
        assert bot.fake.last("response_url").params["response_type"] == "ephemeral"
    assert not bot.fake.calls_to("conversations.open")


def test_a_mentee_with_a_mentor_is_told_instead_of_getting_the_form(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    pick(bot, "UMENTEE1", "UMENTOR1")
    opened = len(bot.fake.calls_to("views.open"))
    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    assert "already asked a mentor" in bot.fake.last("response_url").params["text"]
    answer(bot, "UMENTOR1", "accept_request")
    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    assert "You already have a mentor, <@UMENTOR1>" in bot.fake.last("response_url").params["text"]
    assert len(bot.fake.calls_to("views.open")) == opened


def test_when_slack_cannot_tell_the_time_zone_the_form_still_opens(people: RunningBot) -> None:
    bot = people
    bot.fake.fail_next("users.info", "user_not_found")
    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    assert json.loads(view["private_metadata"]) == {"tz": "", "tz_offset": 0}


def test_a_message_to_someone_who_left_fails_once_and_is_not_retried(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    bot.fake.add_user("UMENTOR1", tz="Europe/Berlin", deleted=True)  # deactivated meanwhile
    pick(bot, "UMENTEE1", "UMENTOR1")
    attempts = [
        c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "UMENTOR1"
    ]
    assert [c.outcome for c in attempts] == ["error:account_inactive"]

    bot.tick(timedelta(hours=1))
    attempts = [
        c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "UMENTOR1"
    ]
    assert len(attempts) == 1


def test_slack_retrying_an_event_does_not_repeat_its_effect(people: RunningBot) -> None:
    bot = people
    event = {"type": "app_home_opened", "user": "UMENTEE1", "channel": "DHOME", "tab": "home"}
    first = bot.slack.event(event, event_id="Ev0HOME1")
    again = bot.slack.event(event, event_id="Ev0HOME1", retry_num=1)
    bot.settle()
    assert first.status == 200
    assert again.status == 200
    assert len(bot.fake.calls_to("views.publish")) == 1
    bot.slack.event(event, event_id="Ev0HOME2")
    bot.settle()
    assert len(bot.fake.calls_to("views.publish")) == 2


def test_the_home_tab_offers_the_next_step_and_its_buttons_work(people: RunningBot) -> None:
    bot = people
    bot.slack.event({"type": "app_home_opened", "user": "UMENTEE1", "tab": "home"})
    bot.settle()
    home = bot.fake.home_view("UMENTEE1")
    assert home is not None
    assert "You drive" in str(home["blocks"])
    assert {"open_ask", "open_offer"} <= {
        e["action_id"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    bot.slack.click("open_ask", user="UMENTEE1", view={"id": "VHOME", "type": "home"})
    bot.settle()
    assert bot.view_opened("mentor_ask")["title"]["text"] == "Ask for a mentor"

    offer(bot, "UMENTOR1", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    pick(bot, "UMENTEE1", "UMENTOR1")
    answer(bot, "UMENTOR1", "accept_request")
    bot.slack.event({"type": "app_home_opened", "user": "UMENTOR1", "tab": "home"})
    bot.settle()
    mentor_home = str(bot.fake.home_view("UMENTOR1"))
    assert "You are <@UMENTEE1>'s mentor since" in mentor_home
    assert "taking new mentees, up to 2 at a time" in mentor_home


def test_a_click_on_an_old_suggestion_after_a_match_is_answered_kindly(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    offer(bot, "UMENTOR2", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    suggestions = last_dm(bot, "UMENTEE1")
    pick(bot, "UMENTEE1", "UMENTOR1")
    other = next(v for v in buttons(suggestions, "pick_mentor") if v.endswith("UMENTOR2"))
    click(bot, "UMENTEE1", suggestions, "pick_mentor", value=other)
    assert "already asked a mentor" in bot.fake.last("response_url").params["text"]
    assert not any("would like you" in m["text"] for m in bot.fake.messages("UMENTOR2"))
