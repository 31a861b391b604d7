"""Block Kit for sharing a program: the host's code and member list, the joiner's terms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.model.messages.people import ProgramMembersChanged
from bot.model.programs import Program
from bot.model.sharing import JoinCode, JoinedProgram, JoinOffer
from bot.programs.leaving import Departed, Leaving
from bot.programs.sharing import HostView, SharedCode
from handlers.kit.blocks import (
    Block,
    button,
    context,
    count,
    escape,
    input_block,
    listing,
    modal,
    option,
    section,
    slack_date,
    truncate,
)

JOIN_CALLBACK = "program_join_accept"
REVOKE_ACTION = "program_code_revoke"
REMOVE_ACTION = "program_member_remove"
LEAVE_ACTION = "program_leave"
MAX_LISTED = 20  # member workspaces and codes each, to stay far under a message's 50 blocks

SHARED_DATA = (
    "The *names*, *time zones*, *focus areas* and *profile text* (what mentors write about "
    "themselves, what mentees ask for) of your people who take part in the program."
)
NEVER_SHARED = (
    "Reflections, notes, goals and anything people write for themselves or their partner: "
    "those stay with their author."
)


def _confirm(title: str, text: str, yes: str) -> dict[str, Any]:
    return {
        "title": {"type": "plain_text", "text": title},
        "text": {"type": "mrkdwn", "text": text},
        "confirm": {"type": "plain_text", "text": yes},
        "deny": {"type": "plain_text", "text": "Cancel"},
        "style": "danger",
    }


def _revoke_button(code: JoinCode) -> dict[str, Any]:
    element = button("Revoke", REVOKE_ACTION, str(code.id))
    element["confirm"] = _confirm(
        "Revoke this code?", "Nobody will be able to join with it.", "Revoke"
    )
    return element


def share_message(shared: SharedCode) -> tuple[str, list[Block]]:
    """Shown to the coordinator who asked, once: the code is not stored, only its hash."""
    name = escape(shared.program.name)
    text = f"A join code for {name}: {shared.code}"
    return text, [
        section(
            f"A code for another workspace to join *{name}*:\n\n`{shared.code}`\n\n"
            "Give it to *their* coordinator (they must have Mentorbot installed); they run "
            f"`/mentor program join {shared.code}` and accept the terms.",
            accessory=_revoke_button(shared.join_code),
        ),
        context(
            f"One workspace can join with it, until {slack_date(shared.join_code.expires_at)}. "
            "Only you see this message, and this is the only time the code is shown: "
            "Mentorbot keeps a fingerprint of it, not the code."
        ),
    ]


def host_message(view: HostView) -> tuple[str, list[Block]]:
    """The program's member workspaces and unused codes, for the host's coordinators."""
    name = escape(view.program.name)
    active = [m for m in view.members if m.membership.active]
    blocks: list[Block] = [
        section(f"*{name}*: {count(len(active), 'member workspace')} besides this one.")
    ]
    for member in view.members[:MAX_LISTED]:
        membership = member.membership
        if membership.active:
            remove = button("Remove", REMOVE_ACTION, str(membership.id), style="danger")
            remove["confirm"] = _confirm(
                "Remove this workspace?",
                f"*{escape(member.name)}* leaves {name}: its coordinators can join again "
                "only with a new code.",
                "Remove",
            )
            blocks.append(
                section(
                    f"*{escape(member.name)}*, joined {slack_date(membership.accepted_at)}",
                    accessory=remove,
                )
            )
        elif membership.removed_at is not None:
            blocks.append(
                context(f"{escape(member.name)}: removed {slack_date(membership.removed_at)}")
            )
    for code in view.open_codes[:MAX_LISTED]:
        blocks.append(
            section(
                f"An unused code, made {slack_date(code.created_at)}, valid until "
                f"{slack_date(code.expires_at)}",
                accessory=_revoke_button(code),
            )
        )
    blocks.append(context(f"Another code: `/mentor program share {name}`."))
    return f"{view.program.name}: {len(active)} member workspaces", blocks


def join_modal(offer: JoinOffer, *, code: str) -> dict[str, Any]:
    """The terms the joining coordinator accepts for their workspace."""
    program, host = offer.program, escape(offer.host_name)
    agree = option("I accept these terms for this workspace", "accept")
    blocks: list[Block] = [
        section(
            f"*{escape(program.name)}* is a mentoring program run by *{host}*. Accepting makes "
            "your workspace a member: your people take part from your own Slack, and your "
            "workspace keeps its own audit log."
        ),
        section("*The program's rules*\n" + rules_text(program)),
        section(f"*What is shared with {host} and the program's other workspaces*\n{SHARED_DATA}"),
        section(f"*Never shared*\n{NEVER_SHARED}"),
        context(
            f"{host}'s coordinators can remove your workspace from the program. "
            f"This code works until {slack_date(offer.expires_at)}."
        ),
        input_block(
            "agree",
            "Your agreement",
            {"type": "checkboxes", "options": [agree]},
        ),
    ]
    return modal(
        callback_id=JOIN_CALLBACK,
        title="Join a program",
        submit="Accept and join",
        blocks=blocks,
        metadata={"code": code},
    )


def rules_text(program: Program) -> str:
    rules = [
        f"{program.term_days}-day term",
        f"{program.session_minutes}-minute sessions",
        f"check-ins every {program.pulse_every_days} days",
        f"prompts {program.workday_start_hour:02d}:00-{program.workday_end_hour:02d}:00 in "
        "each person's own time zone" + (", weekdays only" if program.weekends_off else ""),
    ]
    if program.cross_company_required:
        rules.append("every mentor comes from another organization than the mentee")
    areas = escape(truncate(", ".join(program.focus_areas), 600))
    return "• " + "\n• ".join(rules) + f"\n_Focus areas:_ {areas}"


def joined_text(joined: JoinedProgram) -> str:
    return (
        f"Your workspace joined *{escape(joined.program_name)}*, run by "
        f"*{escape(joined.host_name)}*. Its coordinators see your workspace among the members."
    )


def sharing_summary(
    programs: Sequence[Program], hosted: Mapping[int, list[str]], joined: Sequence[JoinedProgram]
) -> list[Block]:
    """One line each for `/mentor program`: which programs are shared, which were joined."""
    lines = [
        f"*{escape(p.name)}* is shared with {escape(listing(hosted[p.id]))}"
        for p in programs
        if p.id is not None and hosted.get(p.id)
    ]
    lines += [
        f"This workspace takes part in *{escape(j.program_name)}*, run by {escape(j.host_name)}"
        for j in joined
    ]
    if not lines:
        return [context("Share a program with another workspace: `/mentor program share <name>`.")]
    return [context(truncate("\n".join(lines), 1900))]


def leave_message(leaving: Leaving) -> tuple[str, list[Block]]:
    """Asked before it happens: what leaving does to the workspace's people."""
    program, host = escape(leaving.program), escape(leaving.host)
    pairs = (
        f"{count(leaving.live_pairs, 'partnership')} with your people will end kindly; "
        "their partners are told and offered new mentors."
        if leaving.live_pairs
        else "None of your people is in a partnership in it."
    )
    text = f"Leave *{program}*, run by {host}?"
    element = button("Leave the program", LEAVE_ACTION, str(leaving.membership_id))
    element["confirm"] = _confirm(
        f"Leave {truncate(leaving.program, 40)}?",
        "Your people leave the program now. Their data in it is deleted after the "
        "retention period.",
        "Leave",
    )
    return text, [
        section(f"{text} {pairs} Your people's profiles and open requests in it go now."),
        {"type": "actions", "elements": [element]},
    ]


def departed_text(departed: Departed | None) -> str:
    if departed is None:
        return "Your workspace is no longer in that program: nothing more to do."
    ended = (
        f" {count(departed.pairs_ended, 'partnership')} ended; their partners have been told."
        if departed.pairs_ended
        else ""
    )
    return (
        f"Your workspace has left *{escape(departed.program)}*, run by "
        f"{escape(departed.host)}.{ended}"
    )


CHANGES = {
    "joined": "joined",
    "left": "left",
    "removed": "was removed from",
    "uninstalled": "removed Mentorbot and left",
}


def members_changed_message(payload: ProgramMembersChanged) -> tuple[str, list[Block]]:
    """To a coordinator on either side: which workspace, which program, what it meant."""
    program, host, member = (escape(x) for x in (payload.program, payload.host, payload.member))
    verb = CHANGES.get(payload.change, payload.change)
    if payload.to_host:
        text = f"{member} {verb} *{program}*."
    elif payload.change == "joined":
        text = f"Your workspace joined *{program}*, run by {host}."
    elif payload.change == "host_left":
        text = (
            f"{host} removed Mentorbot, so *{program}*, which it ran, has closed for your "
            "workspace."
        )
        if payload.pairs_ended:
            text += (
                f" {count(payload.pairs_ended, 'partnership')} in it ended; your people in "
                "them were told kindly, in your Slack."
            )
        return text, [section(text)]
    elif payload.change == "removed":
        text = f"{host} removed your workspace from *{program}*."
    else:
        text = f"Your workspace left *{program}*, run by {host}."
    if payload.pairs_ended:
        text += (
            f" {count(payload.pairs_ended, 'partnership')} across the two companies ended "
            "kindly; the partners who stay were told and offered new mentors."
        )
    return text, [section(text)]
