"""What the journal's listener groups share: the service, the Home tabs to refresh."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.services import Services
from handlers.home import HomePublisher
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners

OUT_OF_DATE = "That button is out of date."


class JournalListeners(Listeners):
    """A group of journal listeners. Each modal's save is followed (after the ack) by the
    celebrations it queued and both partners' Home tabs, so the two never drift apart."""

    def __init__(self, services: Services, homes: HomePublisher) -> None:
        super().__init__(services)
        self._journal = services.journal
        self._homes = homes
        self.clients = homes.clients  # the app's, shared with the Home tab

    def after_submit(
        self, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        self.deliver()
        form = ViewForm(view)
        team_id, user_id = team_of(context), user_of(context)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        goal_id = int_or_none(form.metadata.get("goal_id"))
        if partnership_id is None and goal_id is not None:
            try:
                partnership_id = self._journal.goal(team_id, user_id, goal_id).partnership_id
            except DomainError:
                partnership_id = None  # gone meanwhile: only their own tab
        self._homes.publish_pair(client, team_id, user_id, partnership_id)
