"""`/mentor export`: one person's journal as a Markdown file they can keep.

Built from a ``JournalExport``, which holds only what that person may take away: the pair's
goals and milestones, and the reflections they wrote themselves (never their partner's, even
shared ones: those belong to the partner).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.journal.views import JournalExport
from bot.model.journal import Visibility
from bot.model.partnership import partner_of


def _name(user_id: str, names: Mapping[str, str]) -> str:
    return names.get(user_id) or user_id


def _day(value: object) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else ""


def _block(text: str) -> str:
    """Keep what someone wrote as they wrote it, without it turning into Markdown headings."""
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def export_markdown(export: JournalExport, *, names: Mapping[str, str]) -> str:
    me = _name(export.user_id, names)
    lines = [
        f"# Mentoring journal of {me}",
        "",
        f"Exported {export.generated_at:%Y-%m-%d %H:%M} UTC. Your goals, milestones and your own "
        "reflections.",
    ]
    if export.empty:
        lines += ["", "Nothing here yet: no mentoring partnership so far."]
    for part in export.partnerships:
        p = part.partnership
        partner = _name(partner_of(p, export.user_id), names)
        role = "mentor" if p.mentor_id == export.user_id else "mentee"
        lines += [
            "",
            f"## With {partner} (you are the {role})",
            "",
            f"From {_day(p.started_at)} to {_day(p.ended_at or p.ends_at)} ({p.status.value}).",
            "",
            "### Goals",
            "",
        ]
        if not part.goals:
            lines.append("No goals set.")
        for n, goal in enumerate(part.goals, start=1):
            lines.append(f"{n}. {goal.text.strip()} ({goal.status.label.lower()})")
            if goal.note:
                lines.append(f"   Note: {' '.join(goal.note.split())}")
        lines += ["", "### Milestones", ""]
        if not part.milestones:
            lines.append("No milestones yet.")
        for milestone in sorted(part.milestones, key=lambda m: m.achieved_at):
            lines.append(f"- {_day(milestone.achieved_at)}: {milestone.title}")
        lines += ["", "### My reflections", ""]
        if not part.reflections:
            lines.append("No reflections written.")
        for reflection in sorted(
            part.reflections, key=lambda r: (r.created_at or export.generated_at, r.id or 0)
        ):
            shared = (
                "shared with my partner"
                if reflection.visibility is Visibility.SHARED
                else "private"
            )
            lines += [f"#### {_day(reflection.created_at)} ({shared})", ""]
            for label, value in (
                ("What we talked about", reflection.topics),
                ("What I learned or will try", reflection.learned),
                ("Next steps", reflection.next_steps),
            ):
                if value.strip():
                    lines += [f"**{label}**", "", _block(value), ""]
    return "\n".join(lines).rstrip() + "\n"
