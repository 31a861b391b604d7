"""What every group of listeners shares."""

from __future__ import annotations

from typing import Protocol, TypeVar

from slack_bolt import Ack, App

from bot.model.health import AtRiskPair
from bot.model.partnership import Partnership, partner_of
from bot.services import Services
from handlers.kit.clients import WorkspaceClients

T = TypeVar("T")


class Listeners:
    """The services, an ack that only acks (the work follows in a lazy listener), and a way
    to have the dispatcher deliver at once what a change just queued."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self.clients = WorkspaceClients()
        """Set by the app: other workspaces' clients and people's names, for pairs across
        workspaces."""

    def name_partner(
        self, value: T, partnership: Partnership, user_id: str, *, ask: bool = True
    ) -> T:
        """``value`` (text, blocks, a view) as ``user_id`` reads it: their partner named in
        words when the partner is of another workspace, where a mention can't resolve
        (``ask=False``: only a name already known, for what must not wait on Slack)."""
        if not partnership.across_workspaces:
            return value
        partner = partner_of(partnership, user_id)
        return self.clients.names.named(value, {partner: partnership.team_of(partner)}, ask=ask)

    def name_partners_of(self, value: T, team_id: str, user_id: str) -> T:
        """``name_partner`` where the pair isn't at hand: every partner of this person who is
        of another workspace (one lookup of their partnerships)."""
        elsewhere = self._services.journal.partners_elsewhere(team_id, user_id)
        return self.clients.names.named(value, elsewhere) if elsewhere else value

    def name_elsewhere(self, value: T, here: str, team_id: str, user_id: str) -> T:
        """``value`` as someone of workspace ``here`` reads it: ``user_id`` (of ``team_id``)
        named in words when that is another workspace (a proposal's other person)."""
        if team_id in ("", here):
            return value
        return self.clients.names.named(value, {user_id: team_id})

    def name_pair_for_team(
        self, value: T, pair: Partnership | AtRiskPair, team_id: str, *, ask: bool = True
    ) -> T:
        """``value`` as the program team of ``team_id`` reads it: each of the pair who is of
        another workspace named in words, with their company's name."""
        people = {
            user: team
            for user, team in (
                (pair.mentor_id, pair.mentor_team_id),
                (pair.mentee_id, pair.mentee_team_id),
            )
            if team and team != team_id
        }
        return self.clients.names.named(value, people, ask=ask, companies=True) if people else value

    @staticmethod
    def ack_only(ack: Ack) -> None:
        ack()

    def deliver(self) -> None:
        self._services.dispatcher.deliver_now()


class ListenerGroup(Protocol):
    """A feature's listeners, registered on the app in one call (nothing at import time)."""

    def register(self, app: App) -> None: ...
