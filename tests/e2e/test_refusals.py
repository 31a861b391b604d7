"""One path for every refusal: whatever a person did, a ``DomainError`` from the service is
answered by ``handlers.kit.refusals``, where they are looking.

A slash command and a button under a message get an ephemeral reply, a button on the Home
tab a notice modal (or, for the Home tab's session buttons, a DM), and a modal a field error
that keeps what they typed. Each goes through the signed HTTP edge, as Slack sends it.
"""

from __future__ import annotations

import json

from tests.conftest import RunningBot

MENTEE = "UMENTEE1"
NO_PARTNERSHIP = "You don't have a mentoring partnership yet: `/mentor ask` finds you a mentor."
OUT_OF_DATE = "That button is out of date."


def test_a_refused_slash_command_is_answered_privately_by_the_command(bot: RunningBot) -> None:
    reply = bot.slack.command("skip", user=MENTEE)
    bot.settle()

    assert reply.status == 200
    answer = bot.fake.last("response_url").params
    assert answer["text"] == NO_PARTNERSHIP
    assert answer["response_type"] == "ephemeral"


def test_every_group_of_subcommands_is_refused_the_same_way(bot: RunningBot) -> None:
    """Sessions, journal and rhythm subcommands: the same answer from the same place."""
    for text in ("skip", "reflect", "end"):
        bot.slack.command(text, user=MENTEE)
        bot.settle()
        answer = bot.fake.last("response_url").params
        assert (answer["text"], answer["response_type"]) == (NO_PARTNERSHIP, "ephemeral"), text


def test_a_refused_button_under_a_message_gets_an_ephemeral_reply_beside_it(
    bot: RunningBot,
) -> None:
    reply = bot.slack.click("accept_request", user="UMENTOR1", value="")
    bot.settle()

    assert reply.status == 200
    answer = bot.fake.last("response_url").params
    assert answer["text"] == OUT_OF_DATE
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False  # the message and its buttons stay


def test_a_refused_button_on_the_home_tab_opens_a_notice_over_it(bot: RunningBot) -> None:
    """A click in a view comes with no response_url: the answer is a small modal."""
    before = len(bot.fake.calls_to("response_url"))
    bot.slack.click("open_goals", user=MENTEE, value="", view={"id": "VHOME", "type": "home"})
    bot.settle()

    notice = bot.fake.last("views.open").params["view"]
    assert OUT_OF_DATE in json.dumps(notice)
    assert len(bot.fake.calls_to("response_url")) == before


def test_a_refused_home_session_button_is_answered_in_their_dm(bot: RunningBot) -> None:
    bot.fake.add_user(MENTEE, tz="Europe/London")
    bot.slack.click(
        "home_session_skip", user=MENTEE, value="", view={"id": "VHOME", "type": "home"}
    )
    bot.settle()

    assert bot.dms(MENTEE)[-1]["text"] == "That button is out of date: open the Home tab again."


def test_a_refused_modal_keeps_the_modal_open_with_the_refusal_on_its_field(
    bot: RunningBot,
) -> None:
    form = {"type": "modal", "callback_id": "session_pause", "private_metadata": "{}", "blocks": []}

    reply = bot.slack.submit(form, user=MENTEE, values={})

    assert reply.status == 200
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"until": "This form is out of date; please close it."},
    }
