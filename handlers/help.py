"""`/mentor help`: what people can do, one line a command."""

from __future__ import annotations

from handlers.kit.blocks import Block, escape, section, truncate

COMMANDS: tuple[tuple[str, str], ...] = (
    ("/mentor ask", "Ask for a mentor: say what you want to grow in, and pick from the best fits."),
    (
        "/mentor offer",
        "Volunteer as a mentor, or edit your mentor profile (and pause new requests).",
    ),
    ("/mentor schedule", 'Set your weekly session in plain words ("Tuesdays at 3pm").'),
    ("/mentor skip", "Skip the next session."),
    ("/mentor reminders on|off", "Turn your session reminders on or off."),
    ("/mentor announce", "Coordinators: post to the program channel or DM participants."),
    ("/mentor report", "Coordinators: program health, with a trend chart and a CSV."),
    ("/mentor texts", "Coordinators: edit the welcome, first-session agenda and monthly topics."),
    ("/mentor match", "Coordinators: propose the best mentor for everyone waiting, at once."),
    ("/mentor program", "Coordinators: create and edit programs, invite people to one."),
    ("/mentor goals", "Set your 1-5 goals for the year (mentees); see them (mentors)."),
    ("/mentor reflect", "Log a reflection: private unless you share it with your partner."),
    ("/mentor milestone <what>", "Celebrate a moment with your partner."),
    ("/mentor shoutouts on|off", "Share your milestones in the program channel (both agree)."),
    ("/mentor export", "Your goals, milestones and reflections as a file, in our DM."),
    ("/mentor pause <date>", "Pause your partnership (sessions and check-ins) until a date."),
    ("/mentor resume", "Pick up again after a pause."),
    ("/mentor end", "Close your partnership without blame; mentees get new suggestions."),
    ("/mentor forget-me", "Delete everything Mentorbot keeps about you (you confirm first)."),
    ("/mentor erase @person", "Coordinators: erase someone who left the organisation."),
    ("/mentor help", "This list."),
)


def help_blocks(*, unknown: str | None = None) -> tuple[str, list[Block]]:
    lines = "\n".join(f"• `{command}`: {what}" for command, what in COMMANDS)
    intro = (
        f"I don't know `{escape(truncate(unknown, 40))}`. Here is what I can do:"
        if unknown
        else "Mentorbot pairs mentees with volunteer mentors and keeps the year on track."
    )
    text = f"{intro}\n{lines}"
    return text, [section(intro), section(lines)]
