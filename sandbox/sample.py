"""The sample program the sandbox opens on, made by the sample people acting on the real bot.

Nothing here writes a row: every step is a slash command, a modal submission or a button
click sent through ``Workspace`` (signed, to the bot's edge, exactly as the page sends them),
and time passes through the sandbox clock's ``run_until``, so what the screens then show is
what the bot itself did. A change in the bot's flows shows here as a failing step, not as
data that no longer means anything.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.state import Value
from sandbox.workspace import Workspace

__all__ = ["SEED_WEEKS", "SampleError", "next_working_morning", "seed_sample_program"]

log = logging.getLogger("mentorbot.sandbox")

SEED_WEEKS = 3  # how long the sample pair has been meeting when the page opens
MORNING = (9, 30)
WEEKEND = (5, 6)

COORDINATOR = "U0COORD"
JORDAN, SOFIA, KENJI, RAFAEL = "U0MENTOR1", "U0MENTOR2", "U0MENTOR3", "U0MENTOR4"
MAYA, TOMAS, AMARA, LENA = "U0MENTEE1", "U0MENTEE2", "U0MENTEE3", "U0MENTEE4"

# Four mentors over four zones and three organizations; Jordan and Sofia take one mentee
# each, so Lena (who wants a mentor outside Globex) waits while Kenji and Rafael (Globex)
# still have room for whoever asks next.
MENTORS: tuple[tuple[str, list[str], str, int, str], ...] = (
    (JORDAN, ["leadership", "career growth"], "Acme", 1, "Led three engineering reorgs."),
    (SOFIA, ["leadership", "communication"], "Initech", 1, "Product lead, ex-founder."),
    (KENJI, ["technical skills", "career growth"], "Globex", 2, "Staff engineer, 15 years."),
    (RAFAEL, ["communication", "leadership"], "Globex", 2, "Coaches new managers."),
)


class SampleError(RuntimeError):
    """A step of the sample program did not go as the bot's flows say it should."""


def next_working_morning(now: datetime, tz: str) -> datetime:
    """The next Monday-to-Friday 09:30 in ``tz`` after ``now`` (today's, if still to come)."""
    local = now.astimezone(ZoneInfo(tz))
    candidate = local.replace(hour=MORNING[0], minute=MORNING[1], second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    while candidate.weekday() in WEEKEND:
        candidate += timedelta(days=1)
    return candidate


class _Actor:
    """The few gestures the sample needs, each one a ``Workspace`` act, then a settle."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self._clicked: set[tuple[str, str, str]] = set()  # a pulse is answered once

    def settle(self) -> None:
        self.ws.settle()

    def command(self, user: str, text: str, *, channel: str | None = None) -> None:
        problem = self.ws.command(user, channel or self.ws.slack.dm_channel(user), text)
        if problem:
            raise SampleError(f"{user} {text}: {problem}")
        self.settle()

    def submit(self, user: str, values: dict[str, Value], *, close: bool = True) -> None:
        stack = self.ws.slack.modal_stack(user)
        if not stack:
            raise SampleError(f"no modal open for {user}")
        answer = self.ws.submit(user, stack[-1]["id"], values)
        if answer:
            raise SampleError(f"{user}'s {stack[-1].get('callback_id')}: {answer}")
        self.settle()
        if close:  # a "Saved" modal left on top; else the next step is on top
            self.ws.slack.close_modal(user, everything=True)

    def click(
        self, user: str, action_id: str, *, channel: str | None = None, ending: str = ""
    ) -> None:
        """The newest button ``action_id`` (value ending ``ending``) in a conversation."""
        channel = channel or self.ws.slack.dm_channel(user)
        for message in reversed(self.ws.slack.messages(channel)):
            found = _button(message, action_id, ending)
            if found is not None and (channel, message["ts"], action_id) not in self._clicked:
                self._clicked.add((channel, message["ts"], action_id))
                block_id, value = found
                problem = self.ws.act(
                    user,
                    block_id=block_id,
                    action_id=action_id,
                    value=value,
                    channel=channel,
                    ts=message["ts"],
                )
                if problem:
                    raise SampleError(f"{user} {action_id}: {problem}")
                self.settle()
                return
        raise SampleError(f"no {action_id} button for {user} in {channel}")

    def group_of(self, *members: str) -> str:
        for channel, people in self.ws.slack.group_conversations(members[0]).items():
            if set(members) <= set(people):
                return channel
        raise SampleError(f"no group DM for {members}")


def _button(message: dict[str, Any], action_id: str, ending: str) -> tuple[str, str] | None:
    for i, block in enumerate(message.get("blocks") or []):
        elements = list(block.get("elements", []))
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            value = str(element.get("value", ""))
            if element.get("action_id") == action_id and value.endswith(ending):
                return str(block.get("block_id") or f"b{i}"), value
    return None


def seed_sample_program(workspace: Workspace, *, until: datetime) -> None:
    """Walk the sample program from ``SEED_WEEKS`` before ``until`` up to ``until``.

    The clock must stand at ``until - SEED_WEEKS`` weeks: the pair's sessions, the pulse
    and the at-risk flag then fall due on the way, as they would in a real program.
    """
    me = _Actor(workspace)
    start = workspace.clock.now()
    for mentor, expertise, organization, capacity, bio in MENTORS:
        me.command(mentor, "/mentor offer")
        me.submit(
            mentor,
            {
                "expertise": expertise,
                "bio": bio,
                "organization": organization,
                "capacity": str(capacity),
                "languages": "English",
                "accepting": ["accepting"],
            },
        )
    _pair(me, MAYA, SOFIA, focus=["leadership"], goals="Lead my team through a reorg.")
    _pair(me, AMARA, JORDAN, focus=["career growth"], goals="Grow into a staff role.")
    me.command(LENA, "/mentor ask")
    me.submit(
        LENA,
        {
            "goals": "Find my footing as a first-time manager.",
            "focus_areas": ["leadership"],
            "organization": "Globex",
            "other_org": ["other_org"],
        },
    )

    group = me.group_of(SOFIA, MAYA)
    me.command(SOFIA, "/mentor schedule", channel=group)
    me.submit(SOFIA, {"when": "Tuesdays at 5pm", "length": "45", "repeat": "1"}, close=False)
    me.submit(SOFIA, {})  # the rule read back in words: Save
    me.command(MAYA, "/mentor goals", channel=group)
    me.submit(MAYA, {"goal_1": "Run the team's planning for next quarter"})

    for week in range(1, SEED_WEEKS + 1):
        workspace.run_until(start + timedelta(weeks=week) - timedelta(hours=2))
        _answer_checks(me, week=week)
        if week == 1:
            me.command(MAYA, "/mentor milestone", channel=group)
            me.submit(MAYA, {"text": "Presented the reorg plan to my team"})
    workspace.run_until(until)
    log.info("sandbox: sample program ready at %s", until.isoformat(timespec="minutes"))


def _pair(me: _Actor, mentee: str, mentor: str, *, focus: list[str], goals: str) -> None:
    me.command(mentee, "/mentor ask")
    me.submit(
        mentee,
        {"goals": goals, "focus_areas": focus, "organization": "Globex", "other_org": []},
    )
    me.click(mentee, "pick_mentor", ending=":" + mentor)
    me.click(mentor, "accept_request")


def _answer_checks(me: _Actor, *, week: int) -> None:
    """Sofia says they met; the pulses that arrived are answered, Amara's low."""
    try:
        me.click(SOFIA, "session_met")
    except SampleError:
        log.debug("sandbox: no session check for week %s yet", week)
    for person, score in ((MAYA, 4), (SOFIA, 5), (AMARA, 2), (JORDAN, 3)):
        try:
            me.click(person, f"pulse_{score}")
        except SampleError:
            continue
