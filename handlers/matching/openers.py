"""Opening the ask and offer modals, from `/mentor` and from App Home buttons alike."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.model.programs import DEFAULT_VALUE
from bot.outbox.zones import RecipientZones
from bot.services import Services
from handlers.kit import blocks
from handlers.kit.people import time_zone
from handlers.matching import blocks as matching_blocks
from handlers.programs import blocks as program_blocks

log = logging.getLogger(__name__)

Later = Callable[[Callable[[], None]], None]
"""Runs work that may wait until after the modal is open (the follow-up pool)."""


def program_choice(
    services: Services, team_id: str, chosen: str | None
) -> tuple[Sequence[str], blocks.Block | None]:
    """The focus areas to offer, and the program select when there is more than one.

    With a program already known (their request or profile, or the invitation they clicked)
    its own areas; otherwise every program's, and the service says if one is not in theirs.
    Programs of other workspaces this one has joined are offered beside its own, labelled
    with the host company's name.
    """
    programs = services.programs.programs(team_id)
    joined = [
        (j.program, j.host_name)
        for j in services.sharing.joined(team_id)
        if j.program is not None and not j.program.archived
    ]
    every = [*programs, *(program for program, _ in joined)]
    if len(every) < 2:
        return services.rules.focus_areas, None
    known = next((p for p in every if p.value == chosen), None)
    areas = (
        known.focus_areas
        if known is not None
        else list(dict.fromkeys(a for p in every for a in p.focus_areas))
    )
    return areas, program_blocks.program_select(programs, chosen, joined=joined)


def open_ask(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    program: str | None = None,
    later: Later | None = None,
) -> str | None:
    """Open the ask modal; or the reason it can't open, for an ephemeral reply.

    One read before ``views.open`` (``ask_opening``): the zone comes from what we stored and
    Slack's ``users.info`` follows on the pool, never ahead of the modal."""
    opening = services.mentoring.ask_opening(team_id, user_id)
    if opening.current_mentor is not None:
        return (
            f"You already have a mentor, <@{opening.current_mentor}>. "
            "If the fit is not there, `/mentor end` closes it without blame."
        )
    request = opening.request
    if request is not None and request.status.value == "pending_mentor":
        return "You've already asked a mentor; I'll tell you as soon as they answer."
    if program is None and request is not None:
        program = _value(request.program_id)
    areas, select = program_choice(services, team_id, program)
    open_then_zone(
        client,
        user_id=user_id,
        trigger_id=trigger_id,
        known=opening.zone(services.clock.now()),
        later=later,
        team_id=team_id,
        zones=services.zones,
        view=lambda metadata: matching_blocks.ask_modal(
            areas=areas,
            request=request,
            metadata=metadata,
            program=select,
            languages=services.rules.fit.default_languages,
        ),
    )
    return None


def open_then_zone(
    client: WebClient,
    *,
    user_id: str,
    trigger_id: str,
    known: tuple[str, int] | None,
    view: Callable[[dict[str, Any]], dict[str, Any]],
    later: Later | None = None,
    team_id: str = "",
    zones: RecipientZones | None = None,
) -> None:
    """Open the modal first, then ask Slack for the person's zone.

    The trigger dies 3 s after the click, so nothing that can wait goes before ``views.open``:
    the zone comes from what we stored (their request or profile) and Slack's ``users.info``
    follows; only a zone that differs (a first-timer, or someone who moved) updates the open
    modal's metadata, which the submission reads.
    """
    assumed = known or ("", 0)
    opened = client.views_open(
        trigger_id=trigger_id, view=view({"tz": assumed[0], "tz_offset": assumed[1]})
    )
    current = opened.get("view") or {}

    def zone() -> None:
        tz, tz_offset = time_zone(client, user_id, team_id=team_id, zones=zones)
        if (tz, tz_offset) == assumed or not tz:
            return
        try:
            client.views_update(
                view_id=str(current.get("id", "")),
                hash=str(current.get("hash", "")),
                view=view({"tz": tz, "tz_offset": tz_offset}),
            )
        except SlackApiError as error:  # typed into meanwhile (hash_conflict), or closed
            log.info("zone of %s not added to their modal: %s", user_id, error.response["error"])

    if later is None:
        zone()
    else:
        later(zone)


def open_offer(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    program: str | None = None,
    later: Later | None = None,
) -> None:
    profile = services.mentoring.mentor_profile(team_id, user_id)
    if program is None and profile is not None:
        program = _value(profile.program_id)
    areas, select = program_choice(services, team_id, program)
    open_then_zone(
        client,
        user_id=user_id,
        trigger_id=trigger_id,
        known=(profile.tz, profile.tz_offset) if profile is not None else None,
        later=later,
        team_id=team_id,
        zones=services.zones,
        view=lambda metadata: matching_blocks.offer_modal(
            areas=areas,
            profile=profile,
            max_capacity=services.rules.max_capacity,
            metadata=metadata,
            program=select,
        ),
    )


def _value(program_id: int | None) -> str:
    return str(program_id) if program_id is not None else DEFAULT_VALUE
