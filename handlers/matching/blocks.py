"""Block Kit for matching: the offer and ask modals, suggestions, requests, introductions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.model.kinds import SuggestionContext
from bot.model.messages.matching import (
    CoordinatorWaitlist,
    Introduction,
    MentorSuggestions,
    RequestExpired,
    RequestToMentor,
    Waitlisted,
)
from bot.model.partnership import MentorProfile, MentorRequest
from handlers.kit.blocks import (
    Block,
    _multi_select,
    actions,
    button,
    context,
    escape,
    header,
    input_block,
    listing,
    modal,
    option,
    quote,
    section,
    slack_date,
    text_input,
    truncate,
)
from handlers.matching.capacity_blocks import decline_buttons

OFFER_INTRO = (
    "Thank you for volunteering! Mentees pick from mentors whose experience fits what they "
    "want to grow in. You'll always be asked first, and can say no."
)


def offer_modal(
    *,
    areas: Sequence[str],
    profile: MentorProfile | None,
    max_capacity: int,
    metadata: dict[str, Any],
    program: Block | None = None,
) -> dict[str, Any]:
    intro = (
        OFFER_INTRO
        if profile is None
        else "Update your mentor profile. Untick the last box to pause new requests."
    )
    blocks = [
        section(intro),
        *([program] if program else []),
        input_block(
            "expertise",
            "Where can you help?",
            _multi_select(areas, profile.expertise if profile else [], "Choose areas"),
        ),
        input_block(
            "bio",
            "A few words about you",
            text_input(
                initial=profile.bio if profile else "",
                multiline=True,
                max_length=1500,
                placeholder="Your path, what you enjoy helping with, how you like to meet",
            ),
            optional=True,
        ),
        input_block(
            "organization",
            "Your organization",
            text_input(initial=profile.organization if profile else "", max_length=120),
            hint="Used for the program's cross-company rules.",
        ),
        input_block(
            "capacity", "How many mentees can you take?", _capacity_select(profile, max_capacity)
        ),
        input_block(
            "languages",
            "Languages you can mentor in",
            text_input(
                initial=", ".join(profile.languages) if profile else "",
                max_length=200,
                placeholder="English, Spanish",
            ),
            optional=True,
        ),
        input_block("accepting", "New requests", _accepting_box(profile), optional=True),
    ]
    return modal(
        callback_id="mentor_offer",
        title="Offer to mentor",
        submit="Save",
        blocks=blocks,
        metadata=metadata,
    )


def _capacity_select(profile: MentorProfile | None, max_capacity: int) -> dict[str, Any]:
    capacity_options = [
        option(f"{n} mentee{'s' if n > 1 else ''} at a time", str(n))
        for n in range(1, max_capacity + 1)
    ]
    current = profile.capacity if profile else 1
    return {
        "type": "static_select",
        "options": capacity_options,
        "initial_option": capacity_options[min(max(current, 1), max_capacity) - 1],
    }


def _accepting_box(profile: MentorProfile | None) -> dict[str, Any]:
    """Ticked for a new mentor, and for one who has not paused."""
    accepting_option = option("Yes, I'm taking new mentees", "accepting")
    accepting: dict[str, Any] = {"type": "checkboxes", "options": [accepting_option]}
    if profile is None or profile.accepting:
        accepting["initial_options"] = [accepting_option]
    return accepting


def ask_modal(
    *,
    areas: Sequence[str],
    request: MentorRequest | None,
    metadata: dict[str, Any],
    program: Block | None = None,
    languages: Sequence[str] = ("English",),
) -> dict[str, Any]:
    """``languages``: what the field starts with for someone who has not named theirs."""
    other: dict[str, Any] = {
        "type": "checkboxes",
        "options": [option("I'd like a mentor from another organization", "other_org")],
    }
    if request is not None and request.wants_other_org:
        other["initial_options"] = other["options"]
    blocks = [
        section(
            "You drive this partnership: tell a mentor what you want to grow in this year, "
            "and I'll suggest the three people who fit best."
        ),
        *([program] if program else []),
        input_block(
            "goals",
            "What do you want to grow in?",
            text_input(
                initial=request.goals if request else "",
                multiline=True,
                max_length=2000,
                placeholder="For example: lead my first team through a reorganization",
            ),
        ),
        input_block(
            "focus_areas",
            "Focus areas",
            _multi_select(areas, request.focus_areas if request else [], "Choose areas"),
        ),
        input_block(
            "organization",
            "Your organization",
            text_input(initial=request.organization if request else "", max_length=120),
        ),
        input_block("other_org", "Mentor's organization", other, optional=True),
        input_block(
            "languages",
            "Languages you can have sessions in",
            text_input(
                initial=", ".join(
                    request.languages if request and request.languages else languages
                ),
                max_length=200,
                placeholder="English, Spanish",
            ),
            optional=True,
            hint="Only mentors who speak one of them are suggested.",
        ),
    ]
    return modal(
        callback_id="mentor_ask",
        title="Ask for a mentor",
        submit="Find mentors",
        blocks=blocks,
        metadata=metadata,
    )


def decline_modal(*, mentee_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks = [
        section(
            f"No problem: <@{mentee_id}> will be offered other mentors, without blame. "
            "If you like, tell the program team why (only they will see it)."
        ),
        input_block(
            "reason",
            "Reason (private, optional)",
            text_input(multiline=True, max_length=1000),
            optional=True,
        ),
    ]
    return modal(
        callback_id="mentor_decline",
        title="Decline request",
        submit="Decline",
        blocks=blocks,
        metadata=metadata,
    )


_SUGGESTION_INTROS = {
    SuggestionContext.FIRST: (
        "Here are the mentors who fit you best. Pick the one you'd like to ask:"
    ),
    SuggestionContext.AFTER_DECLINE: (
        "Your mentor request wasn't a match this time: that's about their availability, not "
        "about you. Here are other mentors who fit you well:"
    ),
    SuggestionContext.AFTER_NO_ANSWER: (
        "Your mentor hasn't been able to answer, so let's not keep you waiting. "
        "Here are other mentors who fit you well:"
    ),
    SuggestionContext.FROM_WAITLIST: (
        "Good news: mentors who fit you are now available. Pick the one you'd like to ask:"
    ),
    SuggestionContext.AFTER_END: (
        "A new start: here are other mentors who fit what you want to grow in. "
        "Pick the one you'd like to ask:"
    ),
}


def suggestions_message(payload: MentorSuggestions) -> tuple[str, list[Block]]:
    intro = _SUGGESTION_INTROS[payload.context]
    request_id = payload.request_id
    blocks: list[Block] = [section(intro)]
    for candidate in payload.candidates[:10]:
        mentor_id = candidate.mentor_id
        reason = candidate.reason[:1].upper() + candidate.reason[1:]  # "both speak Spanish"
        # Of another workspace: the messenger names them in words; their company follows.
        company = f" ({escape(candidate.mentor_company)})" if candidate.mentor_company else ""
        lines = [f"*<@{mentor_id}>*{company}", escape(reason)]
        if candidate.bio:
            lines.append(quote(truncate(candidate.bio, 280)))
        blocks.append(
            section(
                "\n".join(lines),
                accessory=button(
                    "Ask to mentor me",
                    "pick_mentor",
                    ":".join(filter(None, (str(request_id), mentor_id, candidate.mentor_team_id))),
                    style="primary",
                ),
            )
        )
    blocks.append(
        context("They'll get your goals and can accept or decline. No pressure either way.")
    )
    return intro, blocks


def picked_message(mentor_id: str) -> tuple[str, list[Block]]:
    text = f"You asked <@{mentor_id}> to be your mentor. I'll let you know as soon as they answer."
    return text, [section(f":hourglass_flowing_sand: {text}")]


def mentor_request_message(
    payload: RequestToMentor, *, reminder: bool = False
) -> tuple[str, list[Block]]:
    mentee = f"<@{payload.mentee_id}>"
    if payload.mentee_company:  # of another workspace: a mention would not resolve here
        company = escape(payload.mentee_company)
        mentee = (
            f"*{escape(payload.mentee_name)}* of {company}"
            if payload.mentee_name
            else f"A mentee of {company}"
        )
    proposal_id = str(payload.proposal_id)
    lead = (
        f"A gentle reminder: {mentee} is still hoping you'll mentor them."
        if reminder
        else f"{mentee} would like you to be their mentor."
    )
    blocks = [
        section(f":wave: {lead}"),
        section(f"*What they want to grow in*\n{quote(payload.goals)}"),
        section(f"*Focus areas:* {escape(listing(payload.focus_areas))}"),
        context(f"Why you: {escape(payload.reason)}"),
        actions(
            button("Accept", "accept_request", proposal_id, style="primary"),
            *decline_buttons(proposal_id),
            block_id="answer",
        ),
    ]
    return lead, blocks


def mentor_answered_message(mentee_id: str, *, accepted: bool) -> tuple[str, list[Block]]:
    text = (
        f":white_check_mark: You accepted <@{mentee_id}>'s request. "
        "Your introduction is on its way."
        if accepted
        else f"You declined <@{mentee_id}>'s request. Thank you for letting them know quickly."
    )
    return text, [section(text)]


def request_expired_message(payload: RequestExpired) -> tuple[str, list[Block]]:
    text = (
        f"No need to answer <@{payload.mentee_id}>'s request any more: it expired and they "
        "have been offered other mentors. If you're short on time, `/mentor offer` lets you "
        "pause new requests."
    )
    return text, [section(text)]


def _with_company(user_id: str, company: str) -> str:
    return f"<@{user_id}> ({escape(company)})" if company else f"<@{user_id}>"


def introduction_message(payload: Introduction) -> tuple[str, list[Block]]:
    mentor, mentee = payload.mentor_id, payload.mentee_id
    ends_at = payload.ends_at
    # A pair across workspaces: each with their company (the messenger names the one of
    # another workspace in words, in each person's own copy).
    mentor_of = _with_company(mentor, payload.mentor_company)
    mentee_of = _with_company(mentee, payload.mentee_company)
    text = f"Welcome to your mentoring partnership, {mentee_of} and {mentor_of}!"
    checklist = "\n".join(
        [
            f"1. <@{mentee}>, you drive: share what you want from this year and bring questions.",
            "2. Agree on a weekly 45-60 minute session and put it in your calendars.",
            "3. Agree what stays between you two: trust is the whole point.",
            "4. Set 1-5 specific goals for the year together.",
            "5. At your first session, talk about your paths so far and how you like to work.",
        ]
    )
    blocks = [
        header("Welcome to your mentoring partnership"),
        section(
            f":tada: {mentor_of} is <@{mentee}>'s mentor from today until "
            f"{slack_date(ends_at, '{date_long}')}."
        ),
        section(f"*What <@{mentee}> wants to grow in*\n{quote(payload.goals)}"),
        section(f"*Kickoff checklist*\n{checklist}"),
        context(
            "I'm here all year to help you keep your rhythm. `/mentor help` lists what I can do."
        ),
        actions(
            button(
                "Schedule our weekly session",
                "open_schedule",
                str(payload.partnership_id),
                style="primary",
            ),
            button("Set our goals", "open_goals", str(payload.partnership_id)),
            block_id="kickoff",
        ),
    ]
    return text, blocks


def waitlisted_message(payload: Waitlisted) -> tuple[str, list[Block]]:
    text = (
        "Every mentor who fits you is busy right now, so you're on the waitlist. I'll message "
        "you as soon as someone is free, and the program team knows you're waiting."
    )
    return text, [section(f":seedling: {text}")]


def coordinator_waitlist_message(payload: CoordinatorWaitlist) -> tuple[str, list[Block]]:
    text = (
        f"<@{payload.mentee_id}> is waiting for a mentor: nobody who fits has room. "
        f"Focus areas: {escape(listing(payload.focus_areas))}."
    )
    blocks = [section(f":hourglass: {text}")]
    if why := payload.why or "":
        blocks.append(section(f"*Why:* {escape(truncate(why, 1000))}"))
        blocks.append(
            context(
                "A program can allow weaker fits or any language (`/mentor program`), or "
                "`/mentor match` pairs everyone waiting at once."
            )
        )
    return text, blocks
