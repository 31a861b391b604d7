"""App Home: published when someone opens it."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.services import Services
from handlers import blocks


class HomeHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: App) -> None:
        app.event("app_home_opened")(ack=self.ack_only, lazy=[self.publish])

    @staticmethod
    def ack_only(ack: Ack) -> None:
        ack()

    def publish(self, event: dict[str, str], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event.get("user") or context.user_id or ""
        overview = self._services.mentoring.overview(context.team_id or "", user_id)
        client.views_publish(
            user_id=user_id,
            view=blocks.home_view(
                user_id=user_id,
                partnerships=overview.partnerships,
                request=overview.request,
                profile=overview.profile,
            ),
        )
