"""The sample program the sandbox opens on, made by the sample people acting on the real bot.

Nothing here writes a row: every step is a slash command, a modal submission or a button
click sent through ``Workspace`` (signed, to the bot's edge, exactly as the page sends them),
and time passes through the sandbox clock's ``run_until``, so what the screens then show is
what the bot itself did. A change in the bot's flows shows here as a failing step, not as
data that no longer means anything.

Two companies take part, each in its own workspace: Acme runs the program above and shares
its Cross-company program; Globex's coordinator joins it (``seed_shared_program``), and a
Globex mentee is paired in it with an Acme mentor (``seed_ask_across_workspaces``).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.state import Value
from sandbox.workspace import Workspace

__all__ = [
    "SEED_WEEKS",
    "SHARED_PROGRAM",
    "SampleError",
    "next_working_morning",
    "seed_ask_across_workspaces",
    "seed_sample_program",
    "seed_shared_program",
]

log = logging.getLogger("mentorbot.sandbox")

SEED_WEEKS = 3  # how long the sample pair has been meeting when the page opens
MORNING = (9, 30)
WEEKEND = (5, 6)

COORDINATOR = "U0COORD"
JORDAN, SOFIA, KENJI, RAFAEL = "U0MENTOR1", "U0MENTOR2", "U0MENTOR3", "U0MENTOR4"
MAYA, TOMAS, AMARA, LENA = "U0MENTEE1", "U0MENTEE2", "U0MENTEE3", "U0MENTEE4"
GLOBEX_COORDINATOR = "U0GCOORD"
WEI_LING, MARCUS, AISHA, NOAH = "U0GMENTOR1", "U0GMENTOR2", "U0GMENTEE1", "U0GMENTEE2"

# Acme's program open to other companies, shared with Globex at start-up.
SHARED_PROGRAM: dict[str, Value] = {
    "name": "Cross-company",
    "term_days": "180",
    "session_minutes": "60",
    "pulse_every_days": "14",
    "focus_areas": "leadership\ncareer growth\ncommunication",
    "workday_start": "9",
    "workday_end": "18",
    "flags": ["weekends_off", "cross_company"],
    "competitors": "",
}
JOIN_CODE = re.compile(r"`([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})`")

# Four mentors over four zones and three of Acme's divisions; Jordan and Sofia take one
# mentee each, so Lena (who wants a mentor outside Acme Cloud) waits while Kenji and Rafael
# (Acme Cloud) still have room for whoever asks next.
MENTORS: tuple[tuple[str, list[str], str, int, str], ...] = (
    (JORDAN, ["leadership", "career growth"], "Acme Labs", 1, "Led three engineering reorgs."),
    (SOFIA, ["leadership", "communication"], "Acme Retail", 1, "Product lead, ex-founder."),
    (KENJI, ["technical skills", "career growth"], "Acme Cloud", 2, "Staff engineer, 15 years."),
    (RAFAEL, ["communication", "leadership"], "Acme Cloud", 2, "Coaches new managers."),
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
        self,
        user: str,
        action_id: str,
        *,
        channel: str | None = None,
        ending: str = "",
        naming: str = "",
    ) -> None:
        """The newest button ``action_id`` in a conversation, its value ending ``ending``
        and naming ``naming`` (one of its ``:``-separated parts)."""
        channel = channel or self.ws.slack.dm_channel(user)
        for message in reversed(self.ws.slack.messages(channel)):
            found = _button(message, action_id, ending, naming)
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

    def option(self, user: str, block_id: str, label: str) -> str:
        """The value of the option called ``label`` in the top modal's ``block_id`` select."""
        stack = self.ws.slack.modal_stack(user)
        if not stack:
            raise SampleError(f"no modal open for {user}")
        for i, block in enumerate(stack[-1].get("blocks") or []):
            if str(block.get("block_id") or f"b{i}") != block_id:
                continue
            for option in block.get("element", {}).get("options") or []:
                if label in str(option.get("text", {}).get("text", "")):
                    return str(option["value"])
        raise SampleError(f"no {label!r} to choose in {user}'s {block_id}")

    def told(self, user: str, pattern: re.Pattern[str]) -> str:
        """What the bot just told ``user`` privately in their DM, matched by ``pattern``."""
        for message in reversed(self.ws.slack.ephemerals(user, self.ws.slack.dm_channel(user))):
            found = pattern.search(json.dumps(message))
            if found:
                return found.group(1)
        raise SampleError(f"{user} was not told anything like {pattern.pattern}")

    def group_of(self, *members: str) -> str:
        for channel, people in self.ws.slack.group_conversations(members[0]).items():
            if set(members) <= set(people):
                return channel
        raise SampleError(f"no group DM for {members}")


def _button(
    message: dict[str, Any], action_id: str, ending: str, naming: str
) -> tuple[str, str] | None:
    for i, block in enumerate(message.get("blocks") or []):
        elements = list(block.get("elements", []))
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            value = str(element.get("value", ""))
            if element.get("action_id") != action_id or not value.endswith(ending):
                continue
            if not naming or naming in value.split(":"):
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
            "organization": "Acme Cloud",
            "other_org": ["other_org"],
        },
    )
    seed_shared_program(me)

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
    seed_ask_across_workspaces(me)  # last: should it stop half-way, the rest is all there
    log.info("sandbox: sample program ready at %s", until.isoformat(timespec="minutes"))


def seed_shared_program(me: _Actor) -> None:
    """Acme opens a program to other companies and Globex joins it, each coordinator in their
    own workspace: Priya creates it and runs `/mentor program share`, Ingrid runs
    `/mentor program join <code>` with the code Priya was shown, reads the terms and accepts."""
    me.command(COORDINATOR, "/mentor program new")
    me.submit(COORDINATOR, SHARED_PROGRAM)
    me.command(COORDINATOR, f"/mentor program share {SHARED_PROGRAM['name']}")
    code = me.told(COORDINATOR, JOIN_CODE)  # shown to Priya alone, passed on as people do
    me.command(GLOBEX_COORDINATOR, f"/mentor program join {code}")
    me.submit(GLOBEX_COORDINATOR, {"agree": ["accept"]})


def seed_ask_across_workspaces(me: _Actor) -> None:
    """A Globex mentee asks in Acme's shared program and an Acme mentor accepts.

    Rafael (Acme) moves his profile to the shared program; Globex's two mentors offer in it
    too; Aisha (Globex, Nairobi) asks in it, is shown mentors of both companies, picks Rafael,
    and he accepts in his own Slack. Played on the opening morning: the pair is new when the
    page opens. The sandbox's workspaces have no Slack Connect (a free plan), so each of them
    is told so and that they meet through their DMs and the calendar invite.
    """
    program = str(SHARED_PROGRAM["name"])
    me.command(RAFAEL, "/mentor offer")
    me.submit(
        RAFAEL,
        {
            "program": me.option(RAFAEL, "program", program),
            "expertise": ["leadership", "communication"],
            "bio": "Coaches new managers, across companies too.",
            "organization": "Acme Cloud",
            "capacity": "2",
            "languages": "English, Portuguese",
            "accepting": ["accepting"],
        },
    )
    for mentor, expertise, bio in (
        (WEI_LING, ["leadership", "career growth"], "Grew a team from 4 to 60."),
        (MARCUS, ["communication"], "Design reviews that people enjoy."),
    ):
        me.command(mentor, "/mentor offer")
        me.submit(
            mentor,
            {
                "program": me.option(mentor, "program", program),
                "expertise": expertise,
                "bio": bio,
                "organization": "Globex",
                "capacity": "1",
                "languages": "English",
                "accepting": ["accepting"],
            },
        )
    me.command(AISHA, "/mentor ask")
    me.submit(
        AISHA,
        {
            "program": me.option(AISHA, "program", program),
            "goals": "Lead product for a second market without losing the first.",
            "focus_areas": ["leadership"],
            "organization": "Globex",
            "other_org": ["other_org"],
        },
    )
    me.click(AISHA, "pick_mentor", naming=RAFAEL)  # "4:U0MENTOR4:T0ACME": of Acme
    me.click(RAFAEL, "accept_request")


def _pair(me: _Actor, mentee: str, mentor: str, *, focus: list[str], goals: str) -> None:
    me.command(mentee, "/mentor ask")
    me.submit(
        mentee,
        {"goals": goals, "focus_areas": focus, "organization": "Acme Cloud", "other_org": []},
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
