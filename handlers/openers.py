"""Opening the ask and offer modals, from `/mentor` and from App Home buttons alike."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.programs import DEFAULT_VALUE
from bot.services import Services
from handlers import blocks, program_blocks

log = logging.getLogger(__name__)


def time_zone(client: WebClient, user_id: str) -> tuple[str, int]:
    """The person's time zone from their Slack profile; never asked in a form.

    If Slack can't tell us, matching treats them as UTC rather than refusing to help.
    """
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        return "", 0
    return str(user.get("tz") or ""), int(user.get("tz_offset") or 0)


def program_choice(
    services: Services, team_id: str, chosen: str | None
) -> tuple[Sequence[str], blocks.Block | None]:
    """The focus areas to offer, and the program select when there is more than one.

    With a program already known (their request or profile, or the invitation they clicked)
    its own areas; otherwise every program's, and the service says if one is not in theirs.
    """
    programs = services.programs.programs(team_id)
    if len(programs) < 2:
        return services.rules.focus_areas, None
    known = next((p for p in programs if p.value == chosen), None)
    areas = (
        known.focus_areas
        if known is not None
        else list(dict.fromkeys(a for p in programs for a in p.focus_areas))
    )
    return areas, program_blocks.program_select(programs, chosen)


def open_ask(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    program: str | None = None,
) -> str | None:
    """Open the ask modal; or the reason it can't open, for an ephemeral reply."""
    overview = services.mentoring.overview(team_id, user_id)
    for partnership in overview.partnerships:
        if partnership.mentee_id == user_id and partnership.status.value in ("active", "paused"):
            return (
                f"You already have a mentor, <@{partnership.mentor_id}>. "
                "If the fit is not there, `/mentor end` closes it without blame."
            )
    if overview.request is not None and overview.request.status.value == "pending_mentor":
        return "You've already asked a mentor; I'll tell you as soon as they answer."
    tz, tz_offset = time_zone(client, user_id)
    if program is None and overview.request is not None:
        program = _value(overview.request.program_id)
    areas, select = program_choice(services, team_id, program)
    view = blocks.ask_modal(
        areas=areas,
        request=overview.request,
        metadata={"tz": tz, "tz_offset": tz_offset},
        program=select,
    )
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def open_offer(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    program: str | None = None,
) -> None:
    tz, tz_offset = time_zone(client, user_id)
    profile = services.mentoring.mentor_profile(team_id, user_id)
    if program is None and profile is not None:
        program = _value(profile.program_id)
    areas, select = program_choice(services, team_id, program)
    view = blocks.offer_modal(
        areas=areas,
        profile=profile,
        max_capacity=services.rules.max_capacity,
        metadata={"tz": tz, "tz_offset": tz_offset},
        program=select,
    )
    client.views_open(trigger_id=trigger_id, view=view)


def _value(program_id: int | None) -> str:
    return str(program_id) if program_id is not None else DEFAULT_VALUE


def confirmation(title: str, text: str) -> dict[str, Any]:
    """What a modal turns into after a successful submit, so people know what happens next."""
    return {
        "type": "modal",
        "title": blocks.plain(title, blocks.MODAL_TITLE_MAX),
        "close": blocks.plain("Done", blocks.MODAL_TITLE_MAX),
        "blocks": [blocks.section(text)],
    }


def tell(
    body: dict[str, Any], respond: Respond, client: WebClient, user_id: str, text: str
) -> None:
    """Answer a click privately, where the person is looking.

    Under a message: an ephemeral reply in place. In a view (the Home tab, a modal) Slack gives
    no response_url, so a small notice modal opens over it (stacked on a modal); if the
    trigger has expired, or there is none, the answer goes to their DM instead.
    """
    container = body.get("container")
    in_a_view = "view" in body or (isinstance(container, dict) and container.get("type") == "view")
    if body.get("response_url") and not in_a_view:
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    if body.get("trigger_id"):
        notice = blocks.notice_modal("Mentorbot", text)
        current = body.get("view") if isinstance(body.get("view"), dict) else None
        try:
            if current is not None and current.get("type") == "modal":
                client.views_push(trigger_id=body["trigger_id"], view=notice)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=notice)
            return
        except SlackApiError as error:
            log.info("notice modal for %s failed (%s): DM", user_id, error.response.get("error"))
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as error:
        log.warning("could not tell %s: %s", user_id, error.response.get("error"))
