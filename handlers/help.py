"""`/mentor help`: what a mentee, a mentor and a coordinator can do, each list complete.

``COMMANDS`` is the one list of subcommands: the help answer is built from it and a test
holds README's command tables to it, so the two cannot drift apart. Coordinators' commands
are shown only to coordinators: to anyone else they would only be refused.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import StrEnum

from handlers.kit.blocks import Block, context, escape, section, truncate


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"


MENTEE, MENTOR, COORDINATOR = Role.MENTEE, Role.MENTOR, Role.COORDINATOR
PARTNERS = (MENTEE, MENTOR)


@dataclass(frozen=True)
class Command:
    usage: str  # as people type it, e.g. "/mentor pause <date>"
    what: str  # one line, in the help
    roles: tuple[Role, ...]


COMMANDS: tuple[Command, ...] = (
    Command(
        "/mentor ask",
        "Ask for a mentor: say what you want to grow in, and pick from the best fits.",
        (MENTEE,),
    ),
    Command(
        "/mentor offer",
        "Volunteer as a mentor, or edit your mentor profile (and pause new requests).",
        (MENTOR,),
    ),
    Command(
        "/mentor goals [@partner]",
        "Set your 1-5 goals for the year (mentees); see them and mark progress (both).",
        PARTNERS,
    ),
    Command(
        "/mentor schedule [@partner]",
        'Set your session in plain words ("Tuesdays at 3pm"); a calendar invite follows.',
        PARTNERS,
    ),
    Command("/mentor skip", "Skip the next session.", PARTNERS),
    Command("/mentor reminders on|off", "Turn your session reminders on or off.", PARTNERS),
    Command(
        "/mentor reflect [@partner]",
        "Log a reflection: private unless you share it with your partner.",
        PARTNERS,
    ),
    Command(
        "/mentor milestone [@partner] <what>", "Celebrate a moment with your partner.", PARTNERS
    ),
    Command(
        "/mentor shoutouts on|off",
        "Share your milestones in the program channel (only if both agree).",
        PARTNERS,
    ),
    Command(
        "/mentor pause <date>",
        "Pause your partnership (sessions and check-ins) until a date.",
        PARTNERS,
    ),
    Command("/mentor resume", "Pick up again after a pause.", PARTNERS),
    Command(
        "/mentor away <date>",
        "Going on holiday: no reminders, check-ins or nudges for you until then.",
        PARTNERS,
    ),
    Command("/mentor back", "Back early from being away.", PARTNERS),
    Command(
        "/mentor end",
        "Close your partnership without blame; mentees get new suggestions.",
        PARTNERS,
    ),
    Command("/mentor export", "Your goals, milestones and reflections as a file.", PARTNERS),
    Command(
        "/mentor forget-me",
        "Delete everything Mentorbot keeps about you (you confirm first).",
        PARTNERS,
    ),
    Command(
        "/mentor announce",
        "Post to the program channel or DM participants, now or later.",
        (COORDINATOR,),
    ),
    Command("/mentor announce list", "Scheduled announcements: edit or cancel.", (COORDINATOR,)),
    Command(
        "/mentor report [program]",
        "Program health, with a trend chart and a CSV (counts only).",
        (COORDINATOR,),
    ),
    Command("/mentor midterm", "The mid-term review in totals.", (COORDINATOR,)),
    Command(
        "/mentor audit",
        "This workspace's audit log: who shared, joined, erased or reported, and when.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor texts",
        "Edit the welcome, the first-session agenda and the monthly topics.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor match [everyone]",
        "Propose the best mentor for everyone waiting, at once.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor program",
        "Create and edit programs, invite people to one.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor program share <name>",
        "A one-time code for another workspace to join a program.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor program join <code>",
        "Join another workspace's program: read its terms, then accept.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor program workspaces <name>",
        "The workspaces in a shared program; remove one, revoke a code.",
        (COORDINATOR,),
    ),
    Command(
        "/mentor program leave <name>",
        "Take this workspace out of another workspace's program (you confirm first).",
        (COORDINATOR,),
    ),
    Command(
        "/mentor erase @person",
        "Erase someone who left the organisation (you confirm first).",
        (COORDINATOR,),
    ),
)

TITLES = {
    MENTEE: "*As a mentee*",
    MENTOR: "*As a mentor*",
    COORDINATOR: "*As a coordinator*",
}


def commands_for(role: Role) -> list[Command]:
    return [c for c in COMMANDS if role in c.roles]


def help_blocks(
    *, unknown: str | None = None, coordinator: bool = False
) -> tuple[str, list[Block]]:
    """The help, by role; ``coordinator`` adds what only coordinators may do.

    The plain help is built once per role (it is what every `/mentor` and `/mentor help`
    answers in its ack); its blocks are shared, to be sent, never changed."""
    if not unknown:
        text, blocks = _plain_help(coordinator)
        return text, list(blocks)
    return _help(unknown, coordinator)


@functools.cache
def plain_help_answer(coordinator: bool) -> str:
    """The plain help as an ephemeral ack's JSON body, as Bolt's ``ack`` would encode it,
    encoded once per role: encoding it anew cost each `/mentor help` more than the rest of
    its ack."""
    text, blocks = _plain_help(coordinator)
    return json.dumps({"text": text, "response_type": "ephemeral", "blocks": blocks})


@functools.cache
def _plain_help(coordinator: bool) -> tuple[str, list[Block]]:
    return _help(None, coordinator)


def _help(unknown: str | None, coordinator: bool) -> tuple[str, list[Block]]:
    intro = (
        f"I don't know `{escape(truncate(unknown, 40))}`. Here is what I can do:"
        if unknown
        else "Mentorbot pairs mentees with volunteer mentors and keeps the year on track."
    )
    roles = [MENTEE, MENTOR, COORDINATOR] if coordinator else [MENTEE, MENTOR]
    parts = [
        TITLES[role] + "\n" + "\n".join(f"• `{c.usage}`: {c.what}" for c in commands_for(role))
        for role in roles
    ]
    text = "\n".join([intro, *parts])
    footer = "`/mentor help` shows this list again."
    return text, [section(intro), *(section(part) for part in parts), context(footer)]
