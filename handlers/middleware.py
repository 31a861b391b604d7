"""Cross-cutting request handling: malformed payloads stop here; event retries act once.

Both are ``Middleware`` classes rather than functions: Bolt builds every keyword argument of a
function middleware up front, and that itself raises on some malformed payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.services import Services


def malformed(body: dict[str, Any]) -> str | None:
    """Why a payload can't be one Slack sends, or None. Bolt itself would raise on these."""
    kind = body.get("type")
    if kind is None:  # a slash command, say: nothing typed to check
        return None
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return f"{kind} without actions"
        if kind == "block_actions" and not all(
            isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
        ):
            return "an action without an action_id"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict):
            return f"{kind} without a view"
        if not isinstance(view.get("type"), str):
            return f"{kind} of a view without a type"
    steps = kind == "workflow_step_edit" or (
        kind == "view_submission" and body["view"]["type"] == "workflow_step"
    )
    if steps and not isinstance(body.get("workflow_step"), dict):
        return f"{kind} without a workflow_step"
    if kind == "event_callback" and not isinstance(body.get("event"), dict):
        return "event_callback without an event"
    return None


class RejectMalformed(Middleware):
    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        problem = malformed(req.body) if isinstance(req.body, dict) else "not a Slack payload"
        if problem is not None:
            return BoltResponse(status=400, body=problem)
        return next()


class DeduplicateEvents(Middleware):
    """Slack redelivers an event when our answer was slow (``X-Slack-Retry-Num``).

    Bolt does not deduplicate them, so the first delivery of each ``event_id`` wins, recorded
    in the database so it holds across replicas and restarts.
    """

    def __init__(self, services: Services) -> None:
        self._services = services

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        body = req.body
        if body.get("type") != "event_callback":
            return next()
        event_id = body.get("event_id")
        team_id = req.context.team_id or str(body.get("team_id", ""))
        if isinstance(event_id, str) and not self._services.mentoring.first_delivery(
            team_id, event_id
        ):
            return BoltResponse(status=200, body="")
        return next()
