"""What Slack knows of a person that the bot needs (their time zone)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outbox.zones import RecipientZones

log = logging.getLogger(__name__)


def time_zone(
    client: WebClient,
    user_id: str,
    *,
    team_id: str = "",
    zones: RecipientZones | None = None,
) -> tuple[str, int]:
    """The person's time zone from their Slack profile; never asked in a form.

    If Slack can't tell us, matching treats them as UTC rather than refusing to help. Given
    ``zones``, what Slack said is kept, so the dispatcher need not ask again for messages it
    holds to their working hours.
    """
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        return "", 0
    tz = str(user.get("tz") or "")
    if zones is not None and team_id:
        zones.seen(team_id, user_id, tz)
    return tz, int(user.get("tz_offset") or 0)


@dataclass(frozen=True)
class SlackPerson:
    """What one users.info call tells: the zone, and the language their Slack is in."""

    tz: str
    tz_offset: int
    locale: str  # "de-DE"; "" when Slack didn't say


def slack_person(
    client: WebClient,
    user_id: str,
    *,
    team_id: str = "",
    zones: RecipientZones | None = None,
) -> SlackPerson:
    """The person's zone and locale in one call (``include_locale``); the locale lets them
    write times in their own language. If Slack can't tell us: UTC and English. Given
    ``zones``, the zone is kept for the dispatcher, as ``time_zone`` does."""
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        return SlackPerson(tz="", tz_offset=0, locale="")
    if zones is not None and team_id:
        zones.seen(team_id, user_id, str(user.get("tz") or ""))
    return SlackPerson(
        tz=str(user.get("tz") or ""),
        tz_offset=int(user.get("tz_offset") or 0),
        locale=str(user.get("locale") or ""),
    )


def display_name(client: WebClient, user_id: str) -> str:
    """The person's name as their own workspace shows it ("" if Slack can't tell us), for
    someone of another workspace, where a mention of them would not resolve."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, error.response.get("error"))
        return ""
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name")
    return str(name or "")


def open_then_fill(
    client: WebClient,
    *,
    trigger_id: str,
    user_id: str,
    build: Callable[[SlackPerson | None], dict[str, Any]],
    team_id: str = "",
    zones: RecipientZones | None = None,
) -> None:
    """Open a form at once (its trigger lasts 3 s), then ask Slack who the person is and
    put their zone and language into it, so its submit (the ack) never waits on Slack.

    ``build(None)`` is the form as opened; ``build(person)`` the form filled in. The update
    carries the opened view's hash: if it changed meanwhile, the person's view wins."""
    opened = client.views_open(trigger_id=trigger_id, view=build(None))
    person = slack_person(client, user_id, team_id=team_id, zones=zones)
    view = opened.get("view") or {}
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=build(person))
    except (SlackApiError, KeyError) as error:
        log.info("the form of %s stays as opened: %s", user_id, error)
