"""Block Kit for people's data: the confirmations that say plainly what goes, and the kind
word a partner gets when the other person left the program."""

from __future__ import annotations

from typing import Any

from bot.model.messages.people import PartnerLeft
from bot.privacy.service import Footprint
from handlers.kit.blocks import Block, context, escape, listing, modal, section

FORGET_ME = "forget_me"
ERASE_PERSON = "erase_person"

WHAT_GOES = (
    "your mentor profile and your settings",
    "your mentor requests and the proposals made for them",
    "every reflection you wrote",
    "the goals, milestones and check-ins of your partnerships",
    "any message I still had to send you or about you",
)


def _footprint_lines(footprint: Footprint) -> list[str]:
    lines = []
    if footprint.mentor_profile:
        lines.append("a mentor profile")
    if footprint.open_request:
        lines.append("an open request for a mentor")
    if footprint.live_partnerships:
        lines.append(f"{footprint.live_partnerships} running partnership(s), which will end")
    if footprint.past_partnerships:
        lines.append(f"{footprint.past_partnerships} past partnership(s)")
    if footprint.reflections:
        lines.append(f"{footprint.reflections} reflection(s)")
    return lines


def forget_me_modal(footprint: Footprint) -> dict[str, Any]:
    found = _footprint_lines(footprint)
    blocks: list[Block] = [
        section(
            "*This deletes everything Mentorbot keeps about you, for good.* "
            "It can't be undone, and nobody can restore it."
        ),
        section("What goes:\n" + listing(WHAT_GOES)),
    ]
    if found:
        blocks.append(section("Right now that includes:\n" + listing(found)))
    blocks += [
        section(
            "If you have a partner, your partnership ends and they get a kind note that it has "
            "ended: no reason, nothing you wrote. Their own reflections stay theirs. The "
            "program team keeps only anonymous counts (for example, that a partnership ended)."
        ),
        context("Changed your mind? Press Cancel and nothing is deleted."),
    ]
    return {
        **modal(
            callback_id=FORGET_ME,
            title="Forget me",
            submit="Delete my data",
            blocks=blocks,
            metadata={},
        ),
        "notify_on_close": True,
    }


def erase_modal(user_id: str, footprint: Footprint) -> dict[str, Any]:
    found = _footprint_lines(footprint) or ["nothing yet: only their ID in messages and logs"]
    blocks: list[Block] = [
        section(
            f"*Erase <@{user_id}> from the program, for good?* Use this when someone has "
            "left the organisation. It can't be undone."
        ),
        section(
            "Deleted: their profile, settings, requests, reflections, the goals, milestones "
            "and check-ins of their partnerships, and every message to or about them. "
            "Their partners are told kindly that the partnership has ended; a mentee is "
            "offered new mentors."
        ),
        section("Mentorbot has for them:\n" + listing(found)),
        context("The audit log records that you erased someone, and when; not whom."),
    ]
    return {
        **modal(
            callback_id=ERASE_PERSON,
            title="Erase a person",
            submit="Erase",
            blocks=blocks,
            metadata={"user_id": user_id},
        ),
        "notify_on_close": True,
    }


def partner_left_message(payload: PartnerLeft) -> tuple[str, list[Block]]:
    if payload.company and payload.program_gone:
        return _host_left(payload)
    if payload.company:
        return _company_left(payload)
    if payload.to_mentee:
        text = (
            "Your mentoring partnership has ended: your mentor is no longer part of the "
            "program. That says nothing about you. Your reflections are still yours, and "
            "I'm suggesting other mentors for you right away."
        )
    else:
        text = (
            "Your mentoring partnership has ended: your mentee is no longer part of the "
            "program. Thank you for the time and care you gave: it counts. Your reflections "
            "are still yours, and your door stays open for new mentees."
        )
    return text, [section(f":leaves: {text}")]


def _host_left(payload: PartnerLeft) -> tuple[str, list[Block]]:
    """The company that ran a program shared across companies left (removed Mentorbot): the
    program is gone, so nobody can be rematched in it; nobody's doing either."""
    company = escape(payload.company or "")
    text = (
        f"Your mentoring partnership has ended: {company}, the company that ran the program, "
        "has left it, so the program has closed. That says nothing about either of you. "
        "Your reflections are still yours."
    )
    if payload.to_mentee:
        text += " Your own company's programs are still open to you: `/mentor ask` finds one."
    else:
        text += " Thank you for the time and care you gave: it counts."
    return text, [section(f":leaves: {text}")]


def _company_left(payload: PartnerLeft) -> tuple[str, list[Block]]:
    """Their partner's company left a program shared across companies: nobody's doing."""
    company = escape(payload.company or "")
    if payload.to_mentee:
        text = (
            f"Your mentoring partnership has ended: your mentor's company, {company}, has "
            "left the program. That says nothing about either of you. Your reflections are "
            "still yours, and I'm suggesting other mentors for you right away."
        )
    else:
        text = (
            f"Your mentoring partnership has ended: your mentee's company, {company}, has "
            "left the program. Thank you for the time and care you gave: it counts. Your "
            "reflections are still yours, and your door stays open for new mentees."
        )
    return text, [section(f":leaves: {text}")]
