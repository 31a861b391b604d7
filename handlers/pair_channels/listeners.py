"""Slack's events about a pair's Slack Connect channel: the partner's answer to the invite, an
admin's approval, and the channel's new ID once it is shared.

Each is acked at once; the change (a database write, and the welcome or the fallback notes
queued with it) follows in a lazy listener, and the dispatcher delivers what it queued. A
retried event is dropped by the edge's de-duplication, and one delivered to both workspaces
changes nothing the second time (a settled channel stays as it is).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from handlers.kit.context import team_of
from handlers.kit.listeners import Listeners


def _id(value: Any) -> str:
    return str(value.get("id") or "") if isinstance(value, dict) else ""


class PairChannelHandlers(Listeners):
    def register(self, app: App) -> None:
        app.event("shared_channel_invite_accepted")(ack=self.ack_only, lazy=[self.accepted])
        app.event("shared_channel_invite_approved")(ack=self.ack_only, lazy=[self.approved])
        app.event("shared_channel_invite_declined")(ack=self.ack_only, lazy=[self.declined])
        app.event("channel_id_changed")(ack=self.ack_only, lazy=[self.id_changed])

    def accepted(self, event: dict[str, Any], context: BoltContext) -> None:
        answered = self._services.pair_channels.invite_accepted(
            team_id=team_of(context),
            invite_id=_id(event.get("invite")),
            channel_id=_id(event.get("channel")),
            approval_required=bool(event.get("approval_required")),
        )
        if answered is not None:
            self.deliver()

    def approved(self, event: dict[str, Any], context: BoltContext) -> None:
        answered = self._services.pair_channels.invite_approved(
            team_id=team_of(context),
            invite_id=_id(event.get("invite")),
            channel_id=_id(event.get("channel")),
        )
        if answered is not None:
            self.deliver()

    def declined(self, event: dict[str, Any], context: BoltContext) -> None:
        answered = self._services.pair_channels.invite_declined(
            team_id=team_of(context),
            invite_id=_id(event.get("invite")),
            channel_id=_id(event.get("channel")),
        )
        if answered is not None:
            self.deliver()

    def id_changed(self, event: dict[str, Any], context: BoltContext) -> None:
        moved = self._services.pair_channels.channel_id_changed(
            team_id=team_of(context),
            old=str(event.get("old_channel_id") or ""),
            new=str(event.get("new_channel_id") or ""),
        )
        if moved:
            self.deliver()  # a welcome that was waiting now goes to the new ID
