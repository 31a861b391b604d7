"""Sessions' listeners for what happens to a plan once it is set: a pause and its end, and
the answer to "did you meet?" (redrawn in place in every copy of the question)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.services import Services
from bot.sessions.service import parse_stamp
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.replies import confirmation
from handlers.sessions import blocks as session_blocks
from handlers.sessions.checks import redraw_checks

log = logging.getLogger(__name__)


class PlanListeners(Listeners):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.refresh_homes: Callable[[WebClient, str, str, int | None], None] | None = None
        """Set by the app: republishes both partners' Home tabs after a change of plan."""

    def deliver_after_submit(
        self, view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        self.deliver()
        partnership_id = int_or_none(ViewForm(view).metadata.get("partnership_id"))
        self._refresh(client, context, partnership_id)

    def _refresh(self, client: WebClient, context: BoltContext, partnership_id: int | None) -> None:
        if self.refresh_homes is not None:
            self.refresh_homes(client, team_of(context), user_of(context), partnership_id)

    # -- commands (called from /mentor) ----------------------------------------------------

    def open_pause(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        partnership_id = int_or_none(action.get("value"))
        if partnership_id is None:
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=session_blocks.pause_modal(metadata={"partnership_id": partnership_id}),
        )

    def submit_pause(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        until = form.picked_date("until")
        if partnership_id is None:
            raise DomainError("This form is out of date; please close it.", field="until")
        if until is None:
            raise DomainError("Pick the date your sessions start again.", field="until")
        self._services.sessions.pause(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            until=until,
        )
        ack(
            response_action="update",
            view=confirmation(
                "Sessions paused",
                f"Paused until {until.strftime('%A %d %B')}. I've told your partner; "
                "*Resume sessions* on the Home tab brings them back sooner.",
            ),
        )

    def home_resume(self, action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        partnership_id = int_or_none(action.get("value"))
        user_id = user_of(context)
        if partnership_id is None:
            raise DomainError("That button is out of date: open the Home tab again.")
        self._services.sessions.resume(
            team_id=team_of(context), user_id=user_id, partnership_id=partnership_id
        )
        self.deliver()
        self._refresh(client, context, partnership_id)

    def answer_check(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        outcome = {a: o for _, a, o, _ in session_blocks.CHECK_BUTTONS}[action["action_id"]]
        partnership_part, _, stamp = str(action.get("value", "")).partition(":")
        partnership_id = int_or_none(partnership_part)
        if partnership_id is None:
            raise DomainError("That button is out of date.")
        try:
            start = parse_stamp(stamp)
        except ValueError:
            raise DomainError("That button is out of date.") from None
        team_id = team_of(context)
        recorded = self._services.sessions.record(
            team_id=team_id,
            user_id=user_of(context),
            partnership_id=partnership_id,
            start=start,
            outcome=outcome,
        )
        container = body.get("container") or {}
        clicked = (str(container.get("channel_id") or ""), str(container.get("message_ts") or ""))
        redraw_checks(
            self._services,
            self.clients,
            client,
            recorded,
            team_id=team_id,
            partnership_id=partnership_id,
            also=[clicked] if all(clicked) else [],
        )
        self.deliver()
        self._refresh(client, context, partnership_id)
