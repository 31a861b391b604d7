"""The exit survey in Slack: rate 1-5 and "again?" in one click each (the message answers
itself in place), and a note for the program team in a small modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.closing import blocks
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, button_id, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation
from handlers.kit.updates import update_container, update_message


def _partnership(action: dict[str, Any]) -> int:
    partnership_id = button_id(action)
    return partnership_id


class ClosingHandlers(Listeners):
    def register(self, app: App) -> None:
        for action_id in blocks.RATE_ACTIONS:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.rate)])
        for action_id in blocks.AGAIN_ACTIONS:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.again)])
        app.action(blocks.OPEN_NOTE)(ack=self.ack_only, lazy=[refusing(self.open_note)])
        app.view(blocks.NOTE_VIEW)(ack=guarded("note", self.submit_note), lazy=[self.after_note])

    def rate(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        answer = self._services.closing.rate(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=_partnership(action),
            score=int(str(action["action_id"]).removeprefix("exit_rate_")),
        )
        update_container(client, body, *blocks.exit_progress_message(answer))

    def again(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        answer = self._services.closing.again(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=_partnership(action),
            answer=blocks.AGAIN_ACTIONS[str(action["action_id"])].value,
        )
        update_container(client, body, *blocks.exit_progress_message(answer))

    def open_note(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        container = body.get("container") or {}
        client.views_open(
            trigger_id=body["trigger_id"],
            view=blocks.note_modal(
                metadata={
                    "partnership_id": _partnership(action),
                    "channel": container.get("channel_id", ""),
                    "ts": container.get("message_ts", ""),
                }
            ),
        )

    def submit_note(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="note")
        send = form.checked("send", blocks.SEND)
        self._services.closing.note(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            note=form.text("note"),
            send=send,
        )
        ack(
            response_action="update",
            view=confirmation(
                "Thank you",
                "Sent to the program team." if send else "Saved. It stays private to you.",
            ),
        )

    def after_note(self, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """The note reaches the team now, and the survey message shows it is in."""
        self.deliver()
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        channel, ts = str(form.metadata.get("channel", "")), str(form.metadata.get("ts", ""))
        if partnership_id is None or not channel or not ts:
            return
        answer = self._services.closing.answer_of(
            team_id=team_of(context), user_id=user_of(context), partnership_id=partnership_id
        )
        update_message(client, channel, ts, *blocks.exit_progress_message(answer))
