"""What people do, step by step, through the real HTTP edge: shared by the e2e tests."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningBot
from tests.support.signed import Reply


def buttons(message: dict[str, Any], action_id: str) -> list[str]:
    """Values of the buttons with ``action_id`` in a posted message, in order."""
    values = []
    for block in message.get("blocks") or []:
        elements = list(block.get("elements", []))
        if "accessory" in block:
            elements.append(block["accessory"])
        values += [
            e.get("value", "")
            for e in elements
            if e.get("type") == "button" and e.get("action_id") == action_id
        ]
    return values


def offer(
    bot: RunningBot,
    user: str,
    *,
    expertise: list[str],
    organization: str = "Acme",
    capacity: int = 2,
    accepting: bool = True,
    bio: str = "Twenty years of leading teams through change.",
) -> Reply:
    reply = bot.slack.command("offer", user=user)
    assert reply.status == 200, reply.text
    bot.settle()
    view = bot.view_opened("mentor_offer")
    reply = bot.slack.submit(
        view,
        user=user,
        values={
            "expertise": expertise,
            "bio": bio,
            "organization": organization,
            "capacity": str(capacity),
            "languages": "English, Spanish",
            "accepting": ["accepting"] if accepting else [],
        },
    )
    bot.settle()
    return reply


def ask(
    bot: RunningBot,
    user: str,
    *,
    focus: list[str],
    goals: str = "Lead my first team through a reorganization with confidence.",
    organization: str = "Globex",
    other_org: bool = False,
) -> Reply:
    reply = bot.slack.command("ask", user=user)
    assert reply.status == 200, reply.text
    bot.settle()
    view = bot.view_opened("mentor_ask")
    reply = bot.slack.submit(
        view,
        user=user,
        values={
            "goals": goals,
            "focus_areas": focus,
            "organization": organization,
            "other_org": ["other_org"] if other_org else [],
        },
    )
    bot.settle()
    return reply


def dms(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    """The bot's DM with a person as Slack holds it now (edits included), oldest first."""
    return bot.fake.messages(user)


def last_dm(bot: RunningBot, user: str) -> dict[str, Any]:
    messages = dms(bot, user)
    assert messages, f"{user} got no DM"
    return messages[-1]


def click(
    bot: RunningBot, user: str, message: dict[str, Any], action_id: str, *, value: str = ""
) -> Reply:
    """``user`` clicks a button of a message in their DM with the bot, as Slack reports it."""
    values = buttons(message, action_id)
    assert values, f"no {action_id} button in {message.get('text')!r}"
    reply = bot.slack.click(
        action_id,
        user=user,
        value=value or values[0],
        channel=bot.fake.dm_channel(user),
        message_ts=message["ts"],
    )
    bot.settle()
    return reply


def pick(bot: RunningBot, mentee: str, mentor: str) -> Reply:
    """The mentee clicks 'Ask to mentor me' next to ``mentor`` in their latest suggestions."""
    suggestions = last_dm(bot, mentee)
    values = [v for v in buttons(suggestions, "pick_mentor") if v.endswith(":" + mentor)]
    assert values, f"{mentor} is not among the suggestions: {buttons(suggestions, 'pick_mentor')}"
    return click(bot, mentee, suggestions, "pick_mentor", value=values[0])


def answer(bot: RunningBot, mentor: str, action_id: str) -> Reply:
    return click(bot, mentor, last_dm(bot, mentor), action_id)


def matched_pair(bot: RunningBot, mentor: str, mentee: str) -> dict[str, Any]:
    """Offer, ask, pick and accept: returns the introduction as posted in the group DM."""
    offer(bot, mentor, expertise=["leadership"])
    ask(bot, mentee, focus=["leadership"])
    pick(bot, mentee, mentor)
    answer(bot, mentor, "accept_request")
    intro = bot.fake.delivered("chat.postMessage")[-1].params
    assert intro["text"].startswith("Welcome to your mentoring partnership")
    return bot.fake.messages(intro["channel"])[-1] | {"channel": intro["channel"]}


def schedule(
    bot: RunningBot,
    user: str,
    intro: dict[str, Any],
    *,
    when: str = "",
    minutes: int = 60,
    day: str | None = None,
    at: str | None = None,
    repeat: str = "1",
) -> Reply:
    """``user`` clicks "Schedule our weekly session" in the introduction, fills it in and
    saves the rule the check reads back (the check's reply is returned if it refused)."""
    values = buttons(intro, "open_schedule")
    assert values, "the introduction has no schedule button"
    bot.slack.click(
        "open_schedule",
        user=user,
        value=values[0],
        channel=intro["channel"],
        message_ts=intro["ts"],
    )
    bot.settle()
    view = bot.view_opened("session_schedule")
    filled: dict[str, Any] = {"when": when, "length": str(minutes), "repeat": repeat}
    if day is not None:
        filled["day"] = day
    if at is not None:
        filled["time"] = at
    reply = bot.slack.submit(view, user=user, values=filled)
    if reply.status == 200 and reply.json().get("response_action") == "push":  # the check
        reply = bot.slack.submit(reply.json()["view"], user=user, values={})
    bot.settle()
    return reply
