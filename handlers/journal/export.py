"""A person's whole journal as a Markdown file in their DM, to keep."""

from __future__ import annotations

import html
import logging
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.conversation.export import notes_markdown
from bot.journal.export import export_markdown
from bot.model.erasure import is_erased
from handlers.journal.base import JournalListeners
from handlers.kit.context import team_of, user_of
from handlers.kit.refusals import refusing
from handlers.kit.replies import tell

log = logging.getLogger(__name__)


class ExportHandlers(JournalListeners):
    def register(self, app: App) -> None:
        app.action("journal_export")(ack=self.ack_only, lazy=[refusing(self.export_button)])

    def export_button(
        self, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        text = self.export(client, team_of(context), user_of(context))
        tell(body, respond, client, user_of(context), text)

    def export(self, client: WebClient, team_id: str, user_id: str) -> str:
        """Upload the person's journal to their DM with the bot; what to tell them."""
        journal = self._journal.export(team_id, user_id)
        people: dict[str, str] = {user_id: team_id}  # each person, by their own workspace
        for part in journal.partnerships:
            people |= {m: part.partnership.team_of(m) for m in part.partnership.members()}
        content = export_markdown(
            journal,
            names={u: self._name_in(client, team_id, u, team) for u, team in people.items()},
        )
        content += notes_markdown(self._services.conversation.notes(team_id, user_id))
        try:
            channel = str(client.conversations_open(users=user_id)["channel"]["id"])
            client.files_upload_v2(
                channel=channel,
                content=content,
                filename="mentoring-journal.md",
                title="My mentoring journal",
                initial_comment=(
                    "Here's your mentoring journal: your goals, milestones and your own "
                    "reflections, as a Markdown file to keep."
                ),
            )
        except SlackApiError as error:
            log.warning("export upload for %s failed: %s", user_id, error.response.get("error"))
            return "I couldn't send the file just now: please try again in a minute."
        return ":page_facing_up: I've sent your journal to our DM."

    def _name_in(self, client: WebClient, team_id: str, user_id: str, their_team: str) -> str:
        """A partner of another workspace is named as their own workspace knows them."""
        if their_team != team_id and not is_erased(user_id):
            known = self.clients.names.name_in(their_team, user_id)  # escaped for mrkdwn
            return html.unescape(known) if known else user_id
        return self._name(client, user_id)

    @staticmethod
    def _name(client: WebClient, user_id: str) -> str:
        if is_erased(user_id):
            return "someone who has left the program"
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError:
            return user_id
        profile = user.get("profile") or {}
        return str(profile.get("real_name") or user.get("real_name") or user.get("name") or user_id)
