"""Block Kit for programs: the coordinators' form and list, the invitation, the choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.model.messages.people import ProgramInvite
from bot.model.programs import DEFAULT_VALUE, Program
from bot.programs.service import MAX_AREA, MAX_NAME
from handlers.kit.blocks import (
    Block,
    actions,
    button,
    context,
    escape,
    input_block,
    modal,
    option,
    section,
    text_input,
    truncate,
)

HOURS = tuple(range(25))
FLAGS = (
    ("weekends_off", "No prompts on Saturdays and Sundays"),
    ("cross_company", "Every mentor comes from another organization than the mentee"),
    ("weak_fit", "Also suggest mentors with no shared focus area or no working hours in common"),
    ("any_language", "Also suggest mentors who speak none of the mentee's languages"),
    ("archived", "Archived: nobody new joins (its pairs carry on)"),
)


def _number(value: int, low: int, high: int) -> dict[str, Any]:
    return {
        "type": "number_input",
        "is_decimal_allowed": False,
        "initial_value": str(value),
        "min_value": str(low),
        "max_value": str(high),
    }


def _hours(chosen: int, *, start: bool) -> dict[str, Any]:
    values = HOURS[:-1] if start else HOURS[1:]
    options = [option(f"{h:02d}:00", str(h)) for h in values]
    element: dict[str, Any] = {"type": "static_select", "options": options}
    picked = next((o for o in options if o["value"] == str(chosen)), None)
    if picked is not None:
        element["initial_option"] = picked
    return element


def program_modal(program: Program, *, creating: bool) -> dict[str, Any]:
    """Create or edit a program: every field prefilled, errors shown next to the field."""
    blocks: list[Block] = [
        section(
            "A program has its own pairs, rules and rhythm. Changes apply to what is planned "
            "next; dates already set for a pair stay as they are."
        ),
        *_name_inputs(program),
        *_rhythm_inputs(program),
        *_rule_inputs(program),
    ]
    return modal(
        callback_id="program_edit",
        title="New program" if creating else "Edit program",
        submit="Create" if creating else "Save",
        blocks=blocks,
        metadata={"program_id": program.id},
    )


def _name_inputs(program: Program) -> list[Block]:
    channel: dict[str, Any] = {"type": "channels_select"}
    if program.channel:
        channel["initial_channel"] = program.channel
    return [
        input_block(
            "name",
            "Name",
            text_input(initial=program.name, max_length=MAX_NAME, placeholder="Cross-company"),
        ),
        input_block(
            "channel",
            "Channel for announcements and shout-outs",
            channel,
            optional=True,
            hint="Empty: the workspace's program channel.",
        ),
    ]


def _rhythm_inputs(program: Program) -> list[Block]:
    """The term, the sessions, the check-ins, what people work on, and when prompts go out."""
    return [
        input_block("term_days", "Term (days)", _number(program.term_days, 7, 3650)),
        input_block(
            "session_minutes", "Session length (minutes)", _number(program.session_minutes, 15, 180)
        ),
        input_block(
            "pulse_every_days",
            "Check-in every (days)",
            _number(program.pulse_every_days, 1, 90),
            hint="How often both partners are asked how the partnership is going.",
        ),
        input_block(
            "focus_areas",
            "Focus areas, one a line",
            text_input(
                initial="\n".join(program.focus_areas),
                multiline=True,
                max_length=2000,
                placeholder="leadership\ncareer growth",
            ),
            hint=f"Up to 20, each under {MAX_AREA} characters.",
        ),
        input_block(
            "quiet_ladder",
            "Quiet pairs: nudge after (weeks)",
            text_input(
                initial=", ".join(str(days // 7) for days in program.quiet_ladder_days),
                max_length=40,
                placeholder="2, 3, 4, 8",
            ),
            optional=True,
            hint="Without a session met: the mentee, then both, then the program team, then "
            "both are asked to pause, continue or close. Four numbers, each later.",
        ),
        input_block(
            "workday_start", "Prompts from", _hours(program.workday_start_hour, start=True)
        ),
        input_block(
            "workday_end",
            "Prompts until",
            _hours(program.workday_end_hour, start=False),
            hint="In each person's own time zone.",
        ),
    ]


def _rule_inputs(program: Program) -> list[Block]:
    """The rules (flags), who never meets whom, and whom to invite now."""
    flags = [option(label, value) for value, label in FLAGS]
    on = {
        "weekends_off": program.weekends_off,
        "cross_company": program.cross_company_required,
        "weak_fit": program.weak_fit,
        "any_language": program.any_language,
        "archived": program.archived,
    }
    checks: dict[str, Any] = {"type": "checkboxes", "options": flags}
    if any(on.values()):
        checks["initial_options"] = [f for f in flags if on[f["value"]]]
    return [
        input_block("flags", "Rules", checks, optional=True),
        input_block(
            "competitors",
            "Organizations that never meet, one pair a line",
            text_input(
                initial="\n".join(program.competitors),
                multiline=True,
                max_length=2000,
                placeholder="Acme|Globex",
            ),
            optional=True,
        ),
        input_block(
            "invite",
            "Invite people",
            {"type": "multi_users_select", "placeholder": {"type": "plain_text", "text": "Pick"}},
            optional=True,
            hint="Each gets a DM with buttons to join as a mentee or a mentor.",
        ),
    ]


def _summary(program: Program) -> str:
    rules = [
        f"{program.term_days}-day term",
        f"{program.session_minutes}-minute sessions",
        f"check-ins every {program.pulse_every_days} days",
        f"prompts {program.workday_start_hour:02d}-{program.workday_end_hour:02d}"
        + (" on weekdays" if program.weekends_off else ""),
    ]
    if program.cross_company_required:
        rules.append("mentors from another organization")
    if program.weak_fit:
        rules.append("weaker fits allowed")
    if program.any_language:
        rules.append("any language")
    if program.competitors:
        rules.append(f"{len(program.competitors)} pairs of rivals kept apart")
    where = f" in <#{program.channel}>" if program.channel else ""
    return f"*{escape(program.name)}*{where}: {', '.join(rules)}.\n_Focus areas:_ " + escape(
        truncate(", ".join(program.focus_areas), 600)
    )


def programs_message(programs: Sequence[Program]) -> tuple[str, list[Block]]:
    """The workspace's programs for a coordinator, each with Edit and Invite."""
    blocks: list[Block] = [section(f"*Programs in this workspace* ({len(programs)})")]
    for program in programs[:20]:
        if program.id is None:
            blocks.append(section(_summary(program)))
            blocks.append(context("Its rules come from the bot's settings (MENTORBOT_...)."))
            continue
        blocks.append(
            section(
                _summary(program) + ("\n_Archived._" if program.archived else ""),
                accessory=button("Edit", "program_open_edit", str(program.id)),
            )
        )
    blocks.append(actions(button("New program", "program_open_new", "new", style="primary")))
    blocks.append(context("Invite people: `/mentor program invite <name> @ana @ben`."))
    return f"{len(programs)} programs", blocks


def invite_message(payload: ProgramInvite) -> tuple[str, list[Block]]:
    name = payload.program or "our mentoring program"
    value = str(payload.program_id or DEFAULT_VALUE)
    text = f"<@{payload.invited_by}> invites you to *{escape(name)}*, a mentoring program."
    return text, [
        section(
            text + " Would you like a mentor, or to be one? Either way takes a minute: "
            "say what you'd like to grow in, or where you can help."
        ),
        actions(
            button("Find a mentor", "program_join_ask", value, style="primary"),
            button("Offer to mentor", "program_join_offer", value),
        ),
    ]


def program_select(
    programs: Sequence[Program],
    chosen: str | None,
    *,
    joined: Sequence[tuple[Program, str]] = (),
) -> Block:
    """The participant's choice of program, in the ask and offer modals (more than one):
    the workspace's own, then those of other companies it joined, with the host's name."""
    options = [option(truncate(p.name, 75), p.value) for p in programs]
    options += [option(truncate(f"{p.name} ({host})", 75), p.value) for p, host in joined]
    options = options[:100]
    element: dict[str, Any] = {"type": "static_select", "options": options}
    picked = next((o for o in options if o["value"] == chosen), None)
    if picked is not None:
        element["initial_option"] = picked
    return input_block(
        "program",
        "Program",
        element,
        hint="Each program has its own focus areas and rhythm; you'll be matched within it.",
    )


EVERY_PROGRAM = "all"


def audience_program_select(programs: Sequence[Program], chosen: str) -> Block:
    """Which program's people an announcement reaches (more than one program)."""
    options = [option("Every program", EVERY_PROGRAM)]
    options += [option(truncate(p.name, 75), p.value) for p in programs[:99]]
    picked = next((o for o in options if o["value"] == (chosen or EVERY_PROGRAM)), options[0])
    return input_block(
        "program",
        "In which program",
        {"type": "static_select", "options": options, "initial_option": picked},
        hint="One program: its channel, or its participants by DM.",
    )


def chosen_program(value: str) -> str:
    """The select's value as an announcement keeps it ("" for every program)."""
    return "" if value in ("", EVERY_PROGRAM) else value
