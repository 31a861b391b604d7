"""The HTTP edge refuses what isn't Slack, and bad or crafted input gets a clear answer."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import RunningBot
from tests.e2e.journeys import answer, ask, buttons, click, last_dm, offer, pick
from tests.support.fake_slack import validate_blocks
from tests.support.signed import Reply


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


def at_once(*requests: Callable[[], Reply]) -> list[Reply]:
    """Send requests at the same moment from separate threads, as a double click does."""
    start = threading.Barrier(len(requests))
    replies: list[Reply | None] = [None] * len(requests)

    def send(n: int) -> None:
        start.wait(timeout=10)
        replies[n] = requests[n]()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(r is not None for r in replies)
    return [r for r in replies if r is not None]


def test_a_double_click_on_pick_and_on_accept_has_one_effect(people: RunningBot) -> None:
    bot = people
    offer(bot, "UMENTOR1", expertise=["leadership"])
    ask(bot, "UMENTEE1", focus=["leadership"])
    suggestions = last_dm(bot, "UMENTEE1")
    value = next(v for v in buttons(suggestions, "pick_mentor") if v.endswith(":UMENTOR1"))

    def pick_it() -> Reply:
        return bot.slack.click(
            "pick_mentor",
            user="UMENTEE1",
            value=value,
            channel=bot.fake.dm_channel("UMENTEE1"),
            message_ts=suggestions["ts"],
        )

    assert [r.status for r in at_once(pick_it, pick_it)] == [200, 200]
    bot.settle()
    asked = [m for m in bot.fake.messages("UMENTOR1") if "would like you" in m["text"]]
    assert len(asked) == 1

    request = last_dm(bot, "UMENTOR1")
    accept = buttons(request, "accept_request")[0]

    def accept_it() -> Reply:
        return bot.slack.click(
            "accept_request",
            user="UMENTOR1",
            value=accept,
            channel=bot.fake.dm_channel("UMENTOR1"),
            message_ts=request["ts"],
        )

    assert [r.status for r in at_once(accept_it, accept_it)] == [200, 200]
    bot.settle()
    bot.tick(timedelta(minutes=1))
    intros = [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.params["text"].startswith("Welcome to your mentoring partnership")
    ]
    assert len(intros) == 1
    assert max(bot.fake.delivered_keys().values()) == 1


def test_an_event_and_its_retry_arriving_together_act_once(people: RunningBot) -> None:
    bot = people
    event = {"type": "app_home_opened", "user": "UMENTEE1", "channel": "DHOME", "tab": "home"}
    replies = at_once(
        lambda: bot.slack.event(event, event_id="Ev0TWICE"),
        lambda: bot.slack.event(event, event_id="Ev0TWICE", retry_num=1),
        lambda: bot.slack.event(event, event_id="Ev0TWICE", retry_num=2),
    )
    bot.settle()
    assert [r.status for r in replies] == [200, 200, 200]
    assert len(bot.fake.calls_to("views.publish")) == 1


ODD_PAYLOADS: list[dict[str, Any]] = [
    {"type": "shortcut", "callback_id": "mentorbot_unknown", "trigger_id": "1.1.x"},
    {"type": "message_action", "callback_id": "mentorbot_unknown", "trigger_id": "1.1.x"},
    {"type": "block_suggestion", "action_id": "unknown", "value": "x"},
    {"type": "view_closed", "view": {"id": "V1", "callback_id": "mentor_ask"}},
    {"type": "view_submission", "view": {"id": "V1", "callback_id": "not_ours"}},
    {"type": "block_actions", "actions": [{"action_id": "not_ours", "value": "x"}]},
    {"type": "interactive_message", "callback_id": "legacy"},
    {"type": "interactive_message", "callback_id": "legacy", "actions": "x"},
    {"type": "workflow_step_edit", "callback_id": "legacy_step"},
    {"type": "view_submission", "view": {"type": "workflow_step", "callback_id": "s"}},
    {"type": "view_closed", "view": {"id": "V1", "callback_id": "x", "type": 3}},
    {"type": None},
    {},
]


def test_payload_types_we_do_not_handle_get_no_500(
    people: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt itself raised on several of these (a view without a type, interactive_message
    without actions, a workflow step without its step): they were 500s until RejectMalformed
    refused them."""
    bot = people
    caplog.set_level(logging.WARNING)
    for payload in ODD_PAYLOADS:
        body = {
            "team": {"id": "T0001", "domain": "test"},
            "user": {"id": "UMENTEE1", "team_id": "T0001"},
            "api_app_id": "A0MENTOR",
            **payload,
        }
        reply = bot.slack._payload(body)
        bot.settle()
        assert reply.status < 500, (payload, reply.text)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_unknown_events_and_commands_get_no_500(
    people: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = people
    caplog.set_level(logging.WARNING)
    replies = [
        bot.slack.event({"type": "reaction_added", "user": "UMENTEE1", "reaction": "tada"}),
        bot.slack.event(
            {"type": "message", "channel_type": "im", "user": "UMENTEE1", "text": "hi"}
        ),
        bot.slack.command("ask", user="UMENTEE1", command="/not-ours"),
        bot.slack.post(
            json.dumps({"type": "url_verification", "challenge": "c"}),
            content_type="application/json",
        ),
    ]
    bot.settle()
    assert all(r.status < 500 for r in replies), [(r.status, r.text) for r in replies]
    assert replies[3].json() == {"challenge": "c"}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


HUGE = "Lead with care. " * 6_400  # 102,400 characters


def test_100_kb_inputs_get_a_clear_answer_never_a_500(
    people: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = people
    caplog.set_level(logging.WARNING)
    reply = bot.slack.command(HUGE, user="UMENTEE1")  # an unknown subcommand, 100 kB long
    assert reply.status == 200
    assert validate_blocks(reply.json()["blocks"], surface="message") == []
    assert len(reply.json()["text"]) < 3000

    reply = bot.slack.command("schedule " + HUGE, user="UMENTEE1")
    assert reply.status == 200
    bot.settle()

    bot.slack.command("ask", user="UMENTEE1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    reply = bot.slack.submit(
        view,
        user="UMENTEE1",
        values={
            "goals": HUGE,
            "focus_areas": ["leadership"],
            "organization": HUGE,
            "other_org": [],
        },
    )
    assert reply.status == 200
    errors = reply.json()["errors"]
    assert set(errors) == {"goals", "organization"}
    assert all(len(text) < 300 for text in errors.values()), errors

    bot.slack.command("offer", user="UMENTOR1")
    bot.settle()
    view = bot.view_opened("mentor_offer")
    reply = bot.slack.submit(
        view,
        user="UMENTOR1",
        values={
            "expertise": ["leadership"],
            "bio": HUGE,
            "organization": "Acme",
            "capacity": "2",
            "languages": HUGE,
            "accepting": ["accepting"],
        },
    )
    assert reply.status == 200
    assert reply.json()["response_action"] == "errors"
    assert "bio" in reply.json()["errors"]
    bot.settle()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not bot.fake.calls_to("chat.postMessage")  # nothing went out on a refused form
