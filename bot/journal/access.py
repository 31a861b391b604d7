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
    """The author, or their partner when shared; both must belong to the partnership, and
    the reflection is kept in its author's own workspace."""
    members = partnership.members()
    return (
        reflection.partnership_id == partnership.id
        and user_id in members
        and reflection.author_id in members
        and reflection.team_id == partnership.team_of(reflection.author_id)
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
    if partnership is None or not partnership.includes(team_id, user_id):
        raise NotFound("I can't find that partnership.")
    if live and partnership.status not in LIVE:
        raise Conflict("This partnership has ended.")
    return partnership


def workspaces_of(uow: JournalWork, team_id: str, user_id: str) -> list[str]:
    """Where this person's pairs keep rows: their own workspace first, then each pair's
    program's and partner's (a pair across workspaces keeps its goals in the program's and
    the partner's reflections in the partner's)."""
    teams = {team_id: None}
    for partnership in uow.partnerships.for_member(team_id, user_id):
        teams.update(dict.fromkeys(partnership.workspaces()))
    return list(teams)


def goal_of(uow: JournalWork, team_id: str, user_id: str, goal_id: int) -> tuple[Partnership, Goal]:
    for team in workspaces_of(uow, team_id, user_id):
        goal = uow.journal.goal(team, goal_id)
        partnership = uow.partnerships.get(team_id, goal.partnership_id) if goal else None
        if (
            goal is not None
            and partnership is not None
            and partnership.includes(team_id, user_id)
            and goal.team_id == partnership.team_id
        ):
            return partnership, goal
    raise NotFound("I can't find that goal.")


def readable(uow: JournalWork, team_id: str, user_id: str, reflection_id: int) -> Reflection:
    for team in workspaces_of(uow, team_id, user_id):
        reflection = uow.journal.reflection(team, reflection_id)
        partnership = (
            uow.partnerships.get(team_id, reflection.partnership_id) if reflection else None
        )
        if (
            reflection is not None
            and partnership is not None
            and partnership.includes(team_id, user_id)
            and may_read(reflection, user_id, partnership)
        ):
            return reflection
    raise NotFound("I can't find that reflection.")
