"""Goals, reflections, milestones and the export in Slack: `/mentor goals | reflect |
milestone | shoutouts | export`, and the groups of buttons and modals behind them.

Modal submissions save inside the ack (a refusal is a field error and nothing typed is
lost); the celebrations that follow go out through the dispatcher, and both partners' Home
tabs are republished after the ack. A refusal from the command reaches the one answer in
``handlers.kit.refusals`` through ``/mentor``'s listener.
"""

from __future__ import annotations

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.partnership import partner_of
from bot.services import Services
from handlers.home import HomePublisher
from handlers.journal import blocks as journal_blocks
from handlers.journal.base import JournalListeners
from handlers.journal.export import ExportHandlers
from handlers.journal.goals import GoalHandlers
from handlers.journal.milestones import MilestoneHandlers
from handlers.journal.reflections import ReflectionHandlers
from handlers.kit.blocks import escape
from handlers.kit.mentions import mentioned, without_mentions

JOURNAL_SUBCOMMANDS = frozenset({"goals", "reflect", "milestone", "shoutouts", "export"})


class JournalHandlers(JournalListeners):
    def __init__(self, services: Services, homes: HomePublisher) -> None:
        super().__init__(services, homes)
        self.goals = GoalHandlers(services, homes)
        self.reflections = ReflectionHandlers(services, homes)
        self.milestones = MilestoneHandlers(services, homes)
        self.exports = ExportHandlers(services, homes)

    def register(self, app: App) -> None:
        for group in (self.goals, self.reflections, self.milestones, self.exports):
            group.register(app)

    def command(
        self,
        subcommand: str,
        rest: str,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
        trigger_id: str,
    ) -> None:
        if subcommand == "shoutouts":
            setting = without_mentions(rest).lower()
            if setting not in ("on", "off"):
                raise DomainError("Say `/mentor shoutouts on` or `/mentor shoutouts off`.")
            text = self.milestones.set_shout_outs(client, team_id, user_id, on=setting == "on")
            respond(text=text, response_type="ephemeral")
            return
        if subcommand == "export":
            respond(text=self.exports.export(client, team_id, user_id), response_type="ephemeral")
            return
        partnership = self._journal.partnership_for(team_id, user_id, mentioned(rest))
        assert partnership.id is not None
        if subcommand == "goals":
            refusal = self.goals.open_goals(client, team_id, user_id, trigger_id, partnership.id)
            if refusal:
                respond(text=refusal, response_type="ephemeral")
            return
        partner_id = partner_of(partnership, user_id)
        if subcommand == "reflect":
            view = journal_blocks.reflection_modal(
                partnership_id=partnership.id, partner_id=partner_id
            )
            client.views_open(
                trigger_id=trigger_id,
                view=self.name_partner(view, partnership, user_id, ask=False),
            )
            return
        text = without_mentions(rest)  # milestone
        if not text:
            view = journal_blocks.milestone_modal(
                partnership_id=partnership.id, partner_id=partner_id
            )
            client.views_open(
                trigger_id=trigger_id,
                view=self.name_partner(view, partnership, user_id, ask=False),
            )
            return
        milestone = self._journal.add_milestone(
            team_id=team_id, user_id=user_id, partnership_id=partnership.id, text=text
        )
        self.deliver()
        self._homes.publish_pair(client, team_id, user_id, partnership.id)
        respond(
            text=f":tada: Logged “{escape(milestone.title)}”: I've told you both.",
            response_type="ephemeral",
        )
