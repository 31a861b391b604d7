"""Fuzzed modal submissions: whatever arrives in a view's state, the answer is a 200 with field
errors (or the modal's next step) or a 4xx; never a 500, never an unhandled error in the log."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.kit.refusals import SORRY
from tests.conftest import RunningBot
from tests.e2e.journeys import matched_pair

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no example database in the repository
    derandomize=True,  # the same examples every run: CI is never flaky because of a seed
)

# Text as people type it and as attackers craft it: any Unicode, control characters, long.
texts = st.one_of(
    st.text(max_size=40),
    st.text(min_size=2_900, max_size=3_100, alphabet=st.characters(codec="utf-8")),
    st.sampled_from(
        ["", " ", "\x00", "<!channel>", "*bold* `code`", "Tuesdays at 3pm", "🙂" * 500]
    ),
)
junk = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    texts,
    st.lists(texts, max_size=3),
    st.dictionaries(st.text(max_size=10), texts, max_size=3),
)


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value[:75] or "x"}, "value": value}


# What people plausibly type: enough of it gets past validation to reach the services.
plausible_texts = st.one_of(
    st.sampled_from(
        [
            "Tuesdays at 3pm",
            "every other Thursday 10:30",
            "next Friday at 2:30pm",
            "tomorrow 10am",
            "Globex",
            "Lead my first team through a reorganization.",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=10, max_size=300
    ),
)


@st.composite
def element_state(draw: st.DrawFn, element: dict[str, Any], *, plausible: bool) -> Any:
    """A value for one input, shaped as Slack shapes it; unless plausible, sometimes anything."""
    if not plausible and draw(st.integers(0, 9)) == 0:
        return draw(junk)
    kind = element["type"]
    offered = [o["value"] for o in element.get("options", [])]
    some_text = plausible_texts if plausible else texts
    if offered:
        values = (
            st.sampled_from(offered) if plausible else st.one_of(st.sampled_from(offered), texts)
        )
    else:
        values = some_text
    if kind == "plain_text_input":
        return {
            "type": kind,
            "value": draw(some_text if plausible else st.one_of(st.none(), texts)),
        }
    if kind in ("static_select", "radio_buttons"):
        picked = draw(values if plausible else st.one_of(st.none(), values))
        return {"type": kind, "selected_option": None if picked is None else option(picked)}
    if kind in ("multi_static_select", "checkboxes"):
        picked_many = draw(st.lists(values, min_size=int(plausible), max_size=4, unique=True))
        return {"type": kind, "selected_options": [option(v) for v in picked_many]}
    if kind == "datepicker":
        return {
            "type": kind,
            "selected_date": draw(st.one_of(st.none(), st.dates().map(str), texts)),
        }
    if kind == "timepicker":
        times = st.times().map(lambda t: t.strftime("%H:%M"))
        return {"type": kind, "selected_time": draw(st.one_of(st.none(), times, texts))}
    return {"type": kind, "value": draw(texts)}


@st.composite
def fuzzed_state(draw: st.DrawFn, view: dict[str, Any]) -> dict[str, Any]:
    """Half the time what a person could send, half the time what a crafted request could."""
    plausible = draw(st.booleans())
    state: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        if not plausible and draw(st.integers(0, 9)) == 0:
            continue  # now and then an input is missing altogether
        element = block["element"]
        value = draw(element_state(element, plausible=plausible))
        state[block["block_id"]] = {element["action_id"]: value}
    return state


def submit(bot: RunningBot, view: dict[str, Any], *, user: str, state: Any, metadata: Any) -> Any:
    payload = {
        "type": "view_submission",
        "team": {"id": bot.slack.team_id, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": bot.slack.team_id},
        "api_app_id": "A0MENTOR",
        "token": "legacy-verification-token",
        "trigger_id": "1.1.fuzz",
        "view": {**view, "id": "VFUZZ", "state": {"values": state}, "private_metadata": metadata},
        "is_enterprise_install": False,
    }
    return bot.slack.post(
        "payload="
        + json.dumps(payload).replace("%", "%25").replace("&", "%26").replace("+", "%2B"),
        content_type="application/x-www-form-urlencoded",
    )


def check(bot: RunningBot, reply: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert reply.status != 500 and reply.status < 500, reply.text
    if reply.status == 200 and reply.body:
        answer = reply.json()
        if answer.get("response_action") == "errors":
            assert answer["errors"], answer
            assert SORRY not in json.dumps(answer), answer  # a bug caught by the guard
    OUTCOMES.append(
        str(reply.status) + ":" + (str(reply.json().get("response_action")) if reply.body else "")
    )
    bot.settle()
    unhandled = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert unhandled == []


OUTCOMES: list[str] = []
metadata = st.one_of(
    st.just(""),
    st.just('{"tz": "Europe/Berlin", "tz_offset": 3600}'),
    texts,
    junk.map(json.dumps),
)


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    for user in ("UMENTOR1", "UMENTEE1", "UFUZZ1"):
        bot.fake.add_user(user, tz="Europe/Berlin")
    return bot


@pytest.mark.parametrize("callback_id", ["mentor_ask", "mentor_offer"])
def test_fuzzed_ask_and_offer_forms_get_field_errors_never_a_500(
    people: RunningBot, caplog: pytest.LogCaptureFixture, callback_id: str
) -> None:
    bot = people
    caplog.set_level(logging.WARNING)
    bot.slack.command(callback_id.removeprefix("mentor_"), user="UFUZZ1")
    bot.settle()
    view = bot.view_opened(callback_id)

    @FUZZ
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        state = data.draw(fuzzed_state(view))
        reply = submit(bot, view, user="UFUZZ1", state=state, metadata=data.draw(metadata))
        check(bot, reply, caplog)

    one()


def test_fuzzed_schedule_forms_get_field_errors_never_a_500(
    people: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = people
    intro = matched_pair(bot, "UMENTOR1", "UMENTEE1")
    bot.slack.click(
        "open_schedule",
        user="UMENTEE1",
        value=next(
            e["value"]
            for b in intro["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e.get("action_id") == "open_schedule"
        ),
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    view = bot.view_opened("session_schedule")
    caplog.set_level(logging.WARNING)
    metadatas = st.one_of(st.just(view.get("private_metadata", "")), metadata)

    @FUZZ
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        state = data.draw(fuzzed_state(view))
        user = data.draw(st.sampled_from(["UMENTEE1", "UMENTOR1", "UFUZZ1"]))
        reply = submit(bot, view, user=user, state=state, metadata=data.draw(metadatas))
        check(bot, reply, caplog)

    one()


def test_a_nul_character_in_a_form_is_dropped_not_a_database_error(
    people: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the fuzzing above on PostgreSQL, which can't store NUL: the ask failed with
    "something went wrong" and an error in the log."""
    bot = people
    caplog.set_level(logging.WARNING)
    bot.slack.command("ask", user="UFUZZ1")
    bot.settle()
    view = bot.view_opened("mentor_ask")
    reply = bot.slack.submit(
        view,
        user="UFUZZ1",
        values={
            "goals": "Lead my\x00 first team",
            "focus_areas": ["leadership"],
            "organization": "Glo\x00bex",
            "other_org": [],
        },
    )
    assert reply.json()["response_action"] == "update", reply.json()
    check(bot, reply, caplog)
    request = bot.runtime.services.mentoring.open_request("T0001", "UFUZZ1")
    assert request is not None
    assert (request.goals, request.organization) == ("Lead my first team", "Globex")
