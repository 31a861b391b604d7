"""What Slack knows of a person that the bot needs (their time zone)."""

from __future__ import annotations

import logging

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
