"""Slack's signature is checked once, at the edge: the Bolt app behind it has no check of its
own (``mentorbot.http.signed_at_the_edge``). So every kind of request Slack sends, to a bot of
one workspace and to one installed by OAuth, is refused over HTTP when it is unsigned, signed
wrongly, more than five minutes old or ahead, or changed after signing; and the same request
signed is answered by the app, so each refusal is the edge's doing, not a listener's."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import TEAM, RunningBot
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, install, oauth_settings
from tests.support.signed import Reply

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

USER = "UMENTEE1"
FORM, JSON = "application/x-www-form-urlencoded", "application/json"


def form(**fields: str) -> str:
    return urlencode(fields)


def payload(body: dict[str, Any]) -> str:
    return form(payload=json.dumps(body))


# Each kind of request that reaches Bolt: what Slack posts for it.
KINDS: dict[str, tuple[str, str]] = {
    "help": (
        form(command="/mentor", text="help", team_id=TEAM, user_id=USER, trigger_id="1.1.t"),
        FORM,
    ),
    "ask": (
        form(command="/mentor", text="ask", team_id=TEAM, user_id=USER, trigger_id="2.2.t"),
        FORM,
    ),
    "click": (
        payload(
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": USER, "team_id": TEAM},
                "api_app_id": "A0MENTOR",
                "trigger_id": "3.3.t",
                "container": {"type": "message", "message_ts": "1.0", "channel_id": "D0BOT"},
                "actions": [{"action_id": "conversation_help", "block_id": "b", "type": "button"}],
            }
        ),
        FORM,
    ),
    "submit": (
        payload(
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": {"id": USER, "team_id": TEAM},
                "api_app_id": "A0MENTOR",
                "trigger_id": "4.4.t",
                "view": {
                    "id": "V1",
                    "type": "modal",
                    "callback_id": "conversation_write",
                    "state": {"values": {}},
                },
            }
        ),
        FORM,
    ),
    "event": (
        json.dumps(
            {
                "type": "event_callback",
                "team_id": TEAM,
                "api_app_id": "A0MENTOR",
                "event_id": "Ev0SIGNED",
                "event_time": 1,
                "event": {"type": "app_home_opened", "user": USER, "tab": "home"},
                "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
            }
        ),
        JSON,
    ),
    "url_verification": (json.dumps({"type": "url_verification", "challenge": "c"}), JSON),
    "ssl_check": (form(ssl_check="1", token="legacy-verification-token"), FORM),
}
TAMPERS = ["no signature", "wrong secret", "stale", "ahead", "body changed", "no timestamp"]
TAMPERS += ["not ascii"]  # a signature of other characters: slack_sdk's check raised on it


@pytest.fixture(params=["one workspace", "oauth"])
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {} if request.param == "one workspace" else oauth_settings()


@pytest.fixture
def slack(bot: RunningBot, settings_overrides: dict[str, Any]) -> RunningBot:
    bot.fake.add_user(USER, team_id=TEAM, tz="Europe/London")
    if settings_overrides:
        bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
        install(bot, TEAM)
    return bot


def send(bot: RunningBot, kind: str, tamper: str | None = None) -> Reply:
    body, content_type = KINDS[kind]
    now = int(time.time())
    kwargs: dict[str, Any] = {}
    if tamper == "no signature":
        kwargs["signature"] = ""
    elif tamper == "wrong secret":
        kwargs["signature"] = "v0=" + "0" * 64
    elif tamper == "not ascii":
        kwargs["signature"] = "v0=" + "\u00e9" * 64
    elif tamper == "stale":
        kwargs["timestamp"] = now - 5 * 60 - 10
    elif tamper == "ahead":
        kwargs["timestamp"] = now + 5 * 60 + 10
    elif tamper == "no timestamp":
        kwargs["extra_headers"] = {"X-Slack-Request-Timestamp": ""}
    elif tamper == "body changed":  # signed for this body, sent with one more field
        kwargs["timestamp"] = now
        kwargs["signature"] = bot.slack._verifier.generate_signature(timestamp=str(now), body=body)
        body = body + "&extra=1" if content_type == FORM else body[:-1] + ', "extra": 1}'
    return bot.slack.post(body, content_type=content_type, **kwargs)


def slack_calls(bot: RunningBot) -> list[str]:
    return [c.method for c in bot.fake.calls]


def test_each_kind_of_request_signed_is_answered_by_the_app(slack: RunningBot) -> None:
    answered = {kind: send(slack, kind) for kind in KINDS}
    slack.settle()
    assert {kind: reply.status for kind, reply in answered.items()} == dict.fromkeys(KINDS, 200)
    assert answered["url_verification"].json() == {"challenge": "c"}
    assert "Mentorbot pairs mentees" in answered["help"].text
    assert {"views.open", "views.publish"} <= set(slack_calls(slack))  # the ask, the Home tab


def test_each_kind_of_request_unsigned_or_stale_is_refused_at_the_edge(slack: RunningBot) -> None:
    before = slack_calls(slack)
    refused = {(kind, tamper): send(slack, kind, tamper) for kind in KINDS for tamper in TAMPERS}
    slack.settle()
    let_in = {key: (r.status, r.text) for key, r in refused.items() if r.status != 401}
    assert let_in == {}
    reasons = {r.text.strip() for r in refused.values()}
    assert reasons == {
        "no X-Slack-Signature",
        "bad or stale signature",
        "no usable X-Slack-Request-Timestamp",
    }  # the edge's words: Bolt's own refusal would be JSON
    assert slack_calls(slack) == before  # no listener ran: nothing was asked of Slack
