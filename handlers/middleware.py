"""Cross-cutting request handling: Slack's event retries are acted on once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.services import Services


def deduplicate_events(services: Services) -> Callable[..., BoltResponse | None]:
    """Slack redelivers an event when our answer was slow (``X-Slack-Retry-Num``).

    Bolt does not deduplicate them, so the first delivery of each ``event_id`` wins, recorded
    in the database so it holds across replicas and restarts.
    """

    def middleware(
        body: dict[str, Any],
        context: BoltContext,
        next: Callable[[], None],
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not services.mentoring.first_delivery(
            context.team_id or str(body.get("team_id", "")), event_id
        ):
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware
