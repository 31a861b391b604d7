"""Who may see what of a partnership's journal: every read goes through here, so no
handler or view can forget the rule (reflections are their author's; the partner reads
one only when shared; coordinators get counts only)."""

from __future__ import annotations

from bot.errors import Conflict, NotFound
from bot.model.journal import (
    Goal,
    Reflection,
)
from bot.model.partnership import (
    Partnership,
    PartnershipStatus,
    partner_of,
)
from bot.ports import JournalWork

LIVE = (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)


def may_read(reflection: Reflection, user_id: str, partnership: Partnership) -> bool:
    """The author, or their partner when shared; both must belong to the partnership."""
    members = partnership.members()
    return (
        reflection.partnership_id == partnership.id
        and user_id in members
        and reflection.author_id in members
        and reflection.readable_by(
            user_id, partner_id=partner_of(partnership, reflection.author_id)
        )
    )


def member_of(
    uow: JournalWork,
    team_id: str,
    user_id: str,
    partnership_id: int,
    *,
    live: bool = True,
) -> Partnership:
    partnership = uow.partnerships.get(team_id, partnership_id)
    if partnership is None or user_id not in partnership.members():
        raise NotFound("I can't find that partnership.")
    if live and partnership.status not in LIVE:
        raise Conflict("This partnership has ended.")
    return partnership


def goal_of(uow: JournalWork, team_id: str, user_id: str, goal_id: int) -> tuple[Partnership, Goal]:
    goal = uow.journal.goal(team_id, goal_id)
    partnership = uow.partnerships.get(team_id, goal.partnership_id) if goal else None
    if goal is None or partnership is None or user_id not in partnership.members():
        raise NotFound("I can't find that goal.")
    return partnership, goal


def readable(uow: JournalWork, team_id: str, user_id: str, reflection_id: int) -> Reflection:
    reflection = uow.journal.reflection(team_id, reflection_id)
    partnership = uow.partnerships.get(team_id, reflection.partnership_id) if reflection else None
    if reflection is None or partnership is None or not may_read(reflection, user_id, partnership):
        raise NotFound("I can't find that reflection.")
    return reflection
