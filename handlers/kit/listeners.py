"""What every group of listeners shares."""

from __future__ import annotations

from typing import Protocol

from slack_bolt import Ack, App

from bot.services import Services


class Listeners:
    """The services, an ack that only acks (the work follows in a lazy listener), and a way
    to have the dispatcher deliver at once what a change just queued."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @staticmethod
    def ack_only(ack: Ack) -> None:
        ack()

    def deliver(self) -> None:
        self._services.dispatcher.deliver_now()


class ListenerGroup(Protocol):
    """A feature's listeners, registered on the app in one call (nothing at import time)."""

    def register(self, app: App) -> None: ...
