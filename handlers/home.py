"""App Home: published when someone opens it, and again after every change that affects it.

The tab is composed from the features' builders it is given (see ``handlers.app``), so the
Home knows no feature: the first builder lays the tab out, each next one adds its section.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.services import Services
from handlers.kit.clients import WorkspaceClients
from handlers.kit.context import team_of, user_of
from handlers.kit.listeners import Listeners

log = logging.getLogger(__name__)

_SEND_LOCKS = 64  # people's sends serialized by stripe: one person's always on one lock


class HomeBuilder(Protocol):
    """One feature's part of a person's Home tab: the view so far, with its part in."""

    def __call__(
        self, view: dict[str, Any], /, *, team_id: str, user_id: str
    ) -> dict[str, Any]: ...


def empty_home() -> dict[str, Any]:
    return {"type": "home", "blocks": []}


class HomePublisher:
    """Builds and publishes one person's Home tab; a failure is logged, never raised.

    A stale Home tab is a small harm and it heals on the next open, so a Slack error here
    must not turn a saved goal or reflection into an error message.

    Two follow-ups may publish the same person's tab at once (a refused submission's and the
    accepted one's right after it): the tab built last must be the one Slack keeps. Each
    build is numbered as it starts; a build that a later one has overtaken is not sent, and
    the check and the send go together under a lock per person, so an older tab never lands
    after a newer one (within this process).
    """

    def __init__(
        self,
        services: Services,
        *,
        builders: Sequence[HomeBuilder],
        clients: WorkspaceClients | None = None,
    ) -> None:
        self._services = services
        self._builders = tuple(builders)
        self._numbers = itertools.count(1)
        self._latest: dict[tuple[str, str], int] = {}  # (team, user) -> the newest build
        self._guard = threading.Lock()
        self._sending = [threading.Lock() for _ in range(_SEND_LOCKS)]
        self.clients = clients or WorkspaceClients()
        """A partner's Home in another workspace is published with that workspace's token."""

    def view(self, team_id: str, user_id: str) -> dict[str, Any]:
        view = empty_home()
        for build in self._builders:
            view = build(view, team_id=team_id, user_id=user_id)
        return view

    def publish(self, client: WebClient, team_id: str, user_id: str) -> None:
        person = (team_id, user_id)
        with self._guard:
            number = next(self._numbers)
            self._latest[person] = number
        view = self.clients.names.named(
            self.view(team_id, user_id), self._services.journal.partners_elsewhere(team_id, user_id)
        )
        # a host's coordinator: member companies' people in the program's pairs, with company
        coordinated = self._services.coordination.people_elsewhere(team_id, user_id)
        if coordinated:
            view = self.clients.names.named(view, coordinated, companies=True)
        with self._sending[hash(person) % _SEND_LOCKS]:
            with self._guard:
                if self._latest[person] != number:
                    return  # a build that started later sends its (newer) tab
            try:
                client.views_publish(user_id=user_id, view=view)
            except SlackApiError as error:
                log.warning("views.publish for %s failed: %s", user_id, error.response.get("error"))

    def publish_pair(
        self, client: WebClient, team_id: str, user_id: str, partnership_id: int | None
    ) -> None:
        """Both partners' Home tabs (a change one makes shows on the other's too), each in
        their own workspace."""
        members: list[tuple[str, str]] = [(team_id, user_id)]
        if partnership_id is not None:
            with contextlib.suppress(DomainError):
                journal = self._services.journal
                pair = journal.membership(team_id, user_id, partnership_id, live=False)
                members = [(pair.team_of(m), m) for m in pair.members()]
        for team, member in members:
            reach = self.clients.of(team, current_team=team_id, current=client)
            if reach is not None:
                self.publish(reach, team, member)


class HomeHandlers(Listeners):
    def __init__(self, services: Services, homes: HomePublisher) -> None:
        super().__init__(services)
        self._homes = homes

    def register(self, app: App) -> None:
        app.event("app_home_opened")(ack=self.ack_only, lazy=[self.publish])

    def publish(self, event: dict[str, str], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event.get("user") or user_of(context)
        self._homes.publish(client, team_of(context), user_id)
