"""Which partnership a session command is about, and whether the person is in it."""

from __future__ import annotations

from bot.errors import Conflict, DomainError, NotFound
from bot.model.partnership import Partnership, PartnershipStatus, partner_of
from bot.model.sessions import (
    SessionSlot,
)
from bot.ports import SessionsWork


def live_partnerships(uow: SessionsWork, team_id: str, user_id: str) -> list[Partnership]:
    return [
        p
        for p in uow.partnerships.for_member(team_id, user_id)
        if p.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
    ]


def partnership_for(
    uow: SessionsWork, team_id: str, user_id: str, partner_id: str | None
) -> Partnership:
    active = live_partnerships(uow, team_id, user_id)
    if partner_id:
        active = [p for p in active if partner_id in p.members()]
    if not active:
        if partner_id:
            raise NotFound(f"You don't have a partnership with <@{partner_id}>.")
        raise NotFound(
            "You don't have a mentoring partnership yet: `/mentor ask` finds you a mentor."
        )
    if len(active) > 1:
        names = ", ".join(f"<@{partner_of(p, user_id)}>" for p in active)
        raise DomainError(
            f"You have several partnerships ({names}): add who it's about, like "
            "`/mentor skip @name`."
        )
    return active[0]


def member_of(
    uow: SessionsWork,
    team_id: str,
    user_id: str,
    partnership_id: int,
    *,
    ended_ok: bool = False,
) -> Partnership:
    partnership = uow.partnerships.get(team_id, partnership_id)
    if partnership is None or not partnership.includes(team_id, user_id):
        raise NotFound("I can't find that partnership.")
    live = partnership.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
    if not live and not ended_ok:
        raise Conflict("This partnership has ended.")
    return partnership


def program_team(uow: SessionsWork, team_id: str, partnership_id: int) -> str:
    """The workspace whose program the pair is in, seen from ``team_id`` (the program's or
    either person's): the pair's slot and logs are kept there."""
    partnership = uow.partnerships.get(team_id, partnership_id)
    return partnership.team_id if partnership is not None else team_id


def slot_of(
    uow: SessionsWork, team_id: str, user_id: str, partnership_id: int
) -> tuple[Partnership, SessionSlot]:
    partnership = member_of(uow, team_id, user_id, partnership_id)
    slot = uow.sessions.slot(partnership.team_id, partnership_id, for_update=True)
    if slot is None:
        raise NotFound("You haven't set a session time yet: `/mentor schedule` sets one.")
    return partnership, slot


def member_zones(uow: SessionsWork, partnership: Partnership) -> dict[str, str]:
    """Each partner's time zone as Slack reported it when they offered or asked ("" if not
    known): a rule is restated in the reader's own zone."""
    mentor = uow.mentors.get(partnership.mentor_team_id, partnership.mentor_id)
    request = (
        uow.requests.get(partnership.mentee_team_id, partnership.request_id)
        if partnership.request_id is not None
        else None
    )
    return {
        partnership.mentor_id: mentor.tz if mentor else "",
        partnership.mentee_id: request.tz if request else "",
    }
