"""A mentee's goals for the year: the goals modal, progress buttons, notes on a goal.

The goals are the mentee's to set; both partners mark progress and add notes, from the
Home tab or the quarterly goal check in their DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.model.journal import MAX_GOALS, GoalStatus
from bot.model.messages.rhythm import GoalCheck, GoalLine
from handlers.journal import blocks as journal_blocks
from handlers.journal.base import OUT_OF_DATE, JournalListeners
from handlers.kit.blocks import escape
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation, open_modal, tell
from handlers.rhythm import blocks as rhythm_blocks

log = logging.getLogger(__name__)


class GoalHandlers(JournalListeners):
    def register(self, app: App) -> None:
        app.view("journal_goals")(
            ack=guarded("goal_1", self.submit_goals), lazy=[self.after_submit]
        )
        app.view("journal_goal_note")(
            ack=guarded("note", self.submit_goal_note), lazy=[self.after_submit]
        )
        app.action("open_goals")(ack=self.ack_only, lazy=[refusing(self.open_goals_button)])
        for status in GoalStatus:
            app.action(f"goal_status_{status.value}")(
                ack=self.ack_only, lazy=[refusing(self.goal_status)]
            )
        app.action("goal_note")(ack=self.ack_only, lazy=[refusing(self.open_goal_note)])

    def open_goals(
        self, client: WebClient, team_id: str, user_id: str, trigger_id: str, partnership_id: int
    ) -> str | None:
        """Open the goals modal for the mentee; for the mentor, the reason it won't open."""
        partnership = self._journal.membership(team_id, user_id, partnership_id)
        goals = self._journal.goals(team_id, user_id, partnership_id)
        if user_id != partnership.mentee_id:
            listed = "\n".join(
                f"{n}. {escape(g.text)} ({g.status.label.lower()})"
                for n, g in enumerate(goals, start=1)
            )
            return self.name_partner(
                f"Goals are <@{partnership.mentee_id}>'s to set"
                + (f":\n{listed}\n" if listed else " (none yet). ")
                + "You can both mark progress and add notes from my App Home.",
                partnership,
                user_id,
            )
        view = journal_blocks.goals_modal(
            partnership_id=partnership_id, goals=goals, mentor_id=partnership.mentor_id
        )
        client.views_open(
            trigger_id=trigger_id, view=self.name_partner(view, partnership, user_id, ask=False)
        )
        return None

    def open_goals_button(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        partnership_id = int_or_none(action.get("value"))
        if partnership_id is None:
            raise DomainError(OUT_OF_DATE)
        refusal = self.open_goals(
            client, team_of(context), user_of(context), body["trigger_id"], partnership_id
        )
        if refusal:
            tell(body, respond, client, user_of(context), refusal)

    def submit_goals(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="goal_1")
        raw_ids = form.metadata.get("goal_ids")
        ids = list(raw_ids) if isinstance(raw_ids, list) else []
        entries = [
            (int_or_none(ids[n - 1]) if n <= len(ids) else None, form.text(f"goal_{n}"))
            for n in range(1, MAX_GOALS + 1)
        ]
        errors = self._journal.check_goals(entries)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        goals = self._journal.set_goals(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            entries=entries,
        )
        count = f"{len(goals)} goal{'s' if len(goals) != 1 else ''}"
        ack(
            response_action="update",
            view=confirmation(
                "Goals for the year",
                f":dart: Saved your {count} for the year. Your mentor sees them, and you can "
                "both mark progress from my App Home.",
            ),
        )

    def goal_status(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        status = GoalStatus(str(action["action_id"]).removeprefix("goal_status_"))
        goal_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        if goal_id is None:
            raise DomainError(OUT_OF_DATE)
        goal = self._journal.update_goal(
            team_id=team_id, user_id=user_id, goal_id=goal_id, status=status
        )
        self.deliver()
        self._homes.publish_pair(client, team_id, user_id, goal.partnership_id)
        self._refresh_goal_check(body, client, team_id, user_id, goal.partnership_id)

    def _refresh_goal_check(
        self, body: dict[str, Any], client: WebClient, team_id: str, user_id: str, pid: int
    ) -> None:
        """A click in the quarterly goal check DM shows there, as on the Home tab."""
        container = body.get("container") or {}
        if container.get("type") != "message":
            return  # a click on the Home tab: the republished Home shows it
        goals = self._journal.goals(team_id, user_id, pid)
        partnership = self._journal.membership(team_id, user_id, pid, live=False)
        text, blocks = rhythm_blocks.goal_check_message(
            GoalCheck(
                partnership_id=pid,
                partner_id=partnership.mentor_id,
                months=0,
                goals=tuple(
                    GoalLine(id=g.id, text=g.text, status=g.status, note=g.note)
                    for g in goals
                    if g.id is not None
                ),
            )
        )
        try:
            client.chat_update(
                channel=str(container.get("channel_id", "")),
                ts=str(container.get("message_ts", "")),
                text=text,
                blocks=blocks,
            )
        except SlackApiError as error:
            log.warning("goal check not updated: %s", error.response.get("error"))

    def open_goal_note(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        goal_id = int_or_none(action.get("value"))
        if goal_id is None:
            raise DomainError(OUT_OF_DATE)
        goal = self._journal.goal(team_of(context), user_of(context), goal_id)
        open_modal(client, body, journal_blocks.goal_note_modal(goal))

    def submit_goal_note(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        goal_id = int_or_none(form.metadata.get("goal_id"))
        if goal_id is None:
            raise DomainError("This form is out of date; please close it.", field="note")
        self._journal.update_goal(
            team_id=team_of(context),
            user_id=user_of(context),
            goal_id=goal_id,
            note=form.text("note"),
        )
        ack(response_action="clear")
