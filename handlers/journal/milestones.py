"""Milestones and the lists of a partnership's journal: log one, page through them, and
the shout-outs in the program channel that both partners must turn on."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.partnership import partner_of
from handlers.journal import blocks as journal_blocks
from handlers.journal.base import OUT_OF_DATE, JournalListeners
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation, open_modal


class MilestoneHandlers(JournalListeners):
    def register(self, app: App) -> None:
        app.view("journal_milestone")(
            ack=guarded("text", self.submit_milestone), lazy=[self.after_submit]
        )
        app.action("open_milestone")(ack=self.ack_only, lazy=[refusing(self.open_milestone_button)])
        for action_id in (
            "see_all_reflections",
            "see_all_milestones",
            "journal_newer",
            "journal_older",
        ):
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.page)])
        app.action("shout_outs")(ack=self.ack_only, lazy=[refusing(self.toggle_shout_outs)])

    def open_milestone_button(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        partnership_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        if partnership_id is None:
            raise DomainError(OUT_OF_DATE)
        partnership = self._journal.membership(team_id, user_id, partnership_id)
        open_modal(
            client,
            body,
            self.name_partner(
                journal_blocks.milestone_modal(
                    partnership_id=partnership_id, partner_id=partner_of(partnership, user_id)
                ),
                partnership,
                user_id,
                ask=False,
            ),
        )

    def submit_milestone(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="text")
        self._journal.add_milestone(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            text=form.text("text"),
        )
        ack(
            response_action="update",
            view=confirmation("Milestone", ":tada: Logged! I've let you both know."),
        )

    def page(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """ "See all" from the Home tab opens a list; Older and Newer page through it."""
        kind, _, rest = str(action.get("value", "")).partition(":")
        partnership_part, _, offset_part = rest.partition(":")
        partnership_id, offset = int_or_none(partnership_part), int_or_none(offset_part) or 0
        team_id, user_id = team_of(context), user_of(context)
        size = journal_blocks.PAGE_SIZE
        if partnership_id is None or kind not in ("reflections", "milestones"):
            raise DomainError(OUT_OF_DATE)
        if kind == "reflections":
            view = journal_blocks.reflections_page(
                self._journal.reflections(
                    team_id, user_id, partnership_id, offset=offset, limit=size
                ),
                partnership_id=partnership_id,
                viewer_id=user_id,
            )
        else:
            view = journal_blocks.milestones_page(
                self._journal.milestones(
                    team_id, user_id, partnership_id, offset=offset, limit=size
                ),
                partnership_id=partnership_id,
            )
        current = body.get("view") if isinstance(body.get("view"), dict) else None
        if current is not None and current.get("type") == "modal" and current.get("id"):
            client.views_update(view_id=current["id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    def toggle_shout_outs(
        self, action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        self.set_shout_outs(
            client, team_of(context), user_of(context), on=action.get("value") == "on"
        )

    def set_shout_outs(self, client: WebClient, team_id: str, user_id: str, *, on: bool) -> str:
        """Turn this person's shout-outs on or off; what to tell them."""
        self._journal.set_shout_outs(team_id=team_id, user_id=user_id, enabled=on)
        self._homes.publish(client, team_id, user_id)
        channel = self._journal.program_channel
        where = f"<#{channel}>" if channel else "the program channel"
        if on:
            return (
                f"Milestones will be announced in {where} once your partner turns this on too "
                "(never anything you wrote). `/mentor shoutouts off` stops it."
            )
        return f"Your milestones stay between you and your partner: no shout-outs in {where}."
