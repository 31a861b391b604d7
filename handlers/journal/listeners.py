"""Goals, reflections, milestones and the export in Slack: commands, buttons and modals.

Modal submissions save inside the ack (a refusal is a field error and nothing typed is
lost); the celebrations that follow go out through the dispatcher, and both partners' Home
tabs are republished after the ack.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError, NotFound
from bot.journal.export import export_markdown
from bot.journal.service import ReflectionDraft
from bot.model.erasure import is_erased
from bot.model.journal import MAX_GOALS, GoalStatus, Visibility
from bot.model.partnership import partner_of
from bot.services import Services
from bot.sessions.service import parse_stamp
from handlers.home import HomePublisher
from handlers.journal import blocks as journal_blocks
from handlers.kit.blocks import escape
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.mentions import mentioned, without_mentions
from handlers.kit.refusals import guarded
from handlers.kit.replies import confirmation, tell
from handlers.rhythm import blocks as rhythm_blocks

log = logging.getLogger(__name__)

JOURNAL_SUBCOMMANDS = frozenset({"goals", "reflect", "milestone", "shoutouts", "export"})
OUT_OF_DATE = "That button is out of date."


class JournalHandlers(Listeners):
    def __init__(self, services: Services, homes: HomePublisher) -> None:
        super().__init__(services)
        self._journal = services.journal
        self._homes = homes

    def register(self, app: App) -> None:
        app.view("journal_goals")(
            ack=guarded("goal_1", self.submit_goals), lazy=[self.after_submit]
        )
        app.view("journal_goal_note")(
            ack=guarded("note", self.submit_goal_note), lazy=[self.after_submit]
        )
        app.view("journal_reflect")(
            ack=guarded("topics", self.submit_reflection), lazy=[self.after_submit]
        )
        app.view("journal_milestone")(
            ack=guarded("text", self.submit_milestone), lazy=[self.after_submit]
        )
        app.action("open_goals")(ack=self.ack_only, lazy=[self.open_goals_button])
        for status in GoalStatus:
            app.action(f"goal_status_{status.value}")(ack=self.ack_only, lazy=[self.goal_status])
        app.action("goal_note")(ack=self.ack_only, lazy=[self.open_goal_note])
        app.action("open_reflect")(ack=self.ack_only, lazy=[self.open_reflect_button])
        app.action("reflection_open")(ack=self.ack_only, lazy=[self.open_reflection])
        app.action("reflection_edit")(ack=self.ack_only, lazy=[self.edit_reflection])
        app.action("open_milestone")(ack=self.ack_only, lazy=[self.open_milestone_button])
        for action_id in ("see_all_reflections", "see_all_milestones"):
            app.action(action_id)(ack=self.ack_only, lazy=[self.page])
        for action_id in ("journal_newer", "journal_older"):
            app.action(action_id)(ack=self.ack_only, lazy=[self.page])
        app.action("shout_outs")(ack=self.ack_only, lazy=[self.toggle_shout_outs])
        app.action("journal_export")(ack=self.ack_only, lazy=[self.export_button])

    # -- /mentor goals | reflect | milestone | shoutouts | export --------------------------

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
        try:
            if subcommand == "shoutouts":
                setting = without_mentions(rest).lower()
                if setting not in ("on", "off"):
                    raise DomainError("Say `/mentor shoutouts on` or `/mentor shoutouts off`.")
                respond(
                    text=self._set_shout_outs(client, team_id, user_id, setting == "on"),
                    response_type="ephemeral",
                )
                return
            if subcommand == "export":
                respond(text=self.export(client, team_id, user_id), response_type="ephemeral")
                return
            partnership = self._journal.partnership_for(team_id, user_id, mentioned(rest))
            assert partnership.id is not None
            if subcommand == "goals":
                refusal = self.open_goals(client, team_id, user_id, trigger_id, partnership.id)
                if refusal:
                    respond(text=refusal, response_type="ephemeral")
            elif subcommand == "reflect":
                client.views_open(
                    trigger_id=trigger_id,
                    view=journal_blocks.reflection_modal(
                        partnership_id=partnership.id,
                        partner_id=partner_of(partnership, user_id),
                    ),
                )
            elif subcommand == "milestone":
                text = without_mentions(rest)
                if not text:
                    client.views_open(
                        trigger_id=trigger_id,
                        view=journal_blocks.milestone_modal(
                            partnership_id=partnership.id,
                            partner_id=partner_of(partnership, user_id),
                        ),
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
        except DomainError as error:
            respond(text=error.message, response_type="ephemeral")

    # -- goals -----------------------------------------------------------------------------

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
            return (
                f"Goals are <@{partnership.mentee_id}>'s to set"
                + (f":\n{listed}\n" if listed else " (none yet). ")
                + "You can both mark progress and add notes from my App Home."
            )
        client.views_open(
            trigger_id=trigger_id,
            view=journal_blocks.goals_modal(
                partnership_id=partnership_id, goals=goals, mentor_id=partnership.mentor_id
            ),
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
        try:
            if partnership_id is None:
                raise DomainError(OUT_OF_DATE)
            refusal = self.open_goals(
                client,
                team_of(context),
                user_of(context),
                body["trigger_id"],
                partnership_id,
            )
        except DomainError as error:
            refusal = error.message
        if refusal:
            tell(body, respond, client, _user(body), refusal)

    def submit_goals(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        if partnership_id is None:
            raise DomainError("This form is out of date; please close it.", field="goal_1")
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
        respond: Respond,
        context: BoltContext,
    ) -> None:
        status = GoalStatus(str(action["action_id"]).removeprefix("goal_status_"))
        goal_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        try:
            if goal_id is None:
                raise DomainError(OUT_OF_DATE)
            goal = self._journal.update_goal(
                team_id=team_id, user_id=user_id, goal_id=goal_id, status=status
            )
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
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
            {
                "partnership_id": pid,
                "partner_id": partnership.mentor_id,
                "months": 0,
                "goals": [
                    {"id": g.id, "text": g.text, "status": g.status.value, "note": g.note}
                    for g in goals
                ],
            }
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
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        goal_id = int_or_none(action.get("value"))
        try:
            if goal_id is None:
                raise DomainError(OUT_OF_DATE)
            goal = self._journal.goal(team_of(context), user_of(context), goal_id)
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
        self._open(client, body, journal_blocks.goal_note_modal(goal))

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

    # -- reflections -----------------------------------------------------------------------

    def open_reflect_button(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        """From the Home tab (partnership ID) or a "we met" message (ID and session)."""
        partnership_part, _, stamp = str(action.get("value", "")).partition(":")
        partnership_id = int_or_none(partnership_part)
        team_id, user_id = team_of(context), user_of(context)
        try:
            if partnership_id is None:
                raise DomainError(OUT_OF_DATE)
            try:
                session_start = parse_stamp(stamp) if stamp else None
            except ValueError:
                raise DomainError(OUT_OF_DATE) from None
            partnership = self._journal.membership(team_id, user_id, partnership_id)
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
        self._open(
            client,
            body,
            journal_blocks.reflection_modal(
                partnership_id=partnership_id,
                partner_id=partner_of(partnership, user_id),
                session_start=session_start,
            ),
        )

    def submit_reflection(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        if partnership_id is None:
            raise DomainError("This form is out of date; please close it.", field="topics")
        chosen = form.selected("visibility")
        visibility = Visibility(chosen) if chosen in set(Visibility) else Visibility.PRIVATE
        draft = ReflectionDraft(
            topics=form.text("topics"),
            learned=form.text("learned"),
            next_steps=form.text("next_steps"),
            visibility=visibility,
        )
        errors = self._journal.check_reflection(draft)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        session = form.metadata.get("session")
        try:
            session_start = datetime.fromisoformat(session) if isinstance(session, str) else None
        except ValueError:
            session_start = None
        reflection = self._journal.reflect(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            draft=draft,
            session_start=session_start,
            reflection_id=int_or_none(form.metadata.get("reflection_id")),
        )
        where = (
            "Shared with your partner: they can read it from my App Home."
            if reflection.visibility is Visibility.SHARED
            else "Private: only you can read it."
        )
        ack(
            response_action="update",
            view=confirmation("Reflection", f":notebook: Saved. {where}"),
        )

    def open_reflection(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        """Show one reflection, if this person may read it; otherwise the same "not found"
        whether it exists or not."""
        reflection_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        try:
            if reflection_id is None:
                raise NotFound("I can't find that reflection.")
            reflection = self._journal.reflection(team_id, user_id, reflection_id)
            partnership = self._journal.membership(
                team_id, user_id, reflection.partnership_id, live=False
            )
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
        view = journal_blocks.reflection_view(
            reflection, viewer_id=user_id, partner_id=partner_of(partnership, user_id)
        )
        self._open(client, body, view)

    def edit_reflection(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        reflection_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        try:
            if reflection_id is None:
                raise NotFound("I can't find that reflection.")
            reflection = self._journal.reflection(team_id, user_id, reflection_id)
            if reflection.author_id != user_id:
                raise NotFound("I can't find that reflection.")
            partnership = self._journal.membership(
                team_id, user_id, reflection.partnership_id, live=False
            )
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
        assert partnership.id is not None
        self._open(
            client,
            body,
            journal_blocks.reflection_modal(
                partnership_id=partnership.id,
                partner_id=partner_of(partnership, user_id),
                reflection=reflection,
            ),
        )

    # -- milestones, lists, settings -------------------------------------------------------

    def open_milestone_button(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        partnership_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        try:
            if partnership_id is None:
                raise DomainError(OUT_OF_DATE)
            partnership = self._journal.membership(team_id, user_id, partnership_id)
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
        self._open(
            client,
            body,
            journal_blocks.milestone_modal(
                partnership_id=partnership_id, partner_id=partner_of(partnership, user_id)
            ),
        )

    def submit_milestone(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        if partnership_id is None:
            raise DomainError("This form is out of date; please close it.", field="text")
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
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        """ "See all" from the Home tab opens a list; Older and Newer page through it."""
        kind, _, rest = str(action.get("value", "")).partition(":")
        partnership_part, _, offset_part = rest.partition(":")
        partnership_id, offset = int_or_none(partnership_part), int_or_none(offset_part) or 0
        team_id, user_id = team_of(context), user_of(context)
        size = journal_blocks.PAGE_SIZE
        try:
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
        except DomainError as error:
            tell(body, respond, client, _user(body), error.message)
            return
        current = body.get("view") if isinstance(body.get("view"), dict) else None
        if current is not None and current.get("type") == "modal" and current.get("id"):
            client.views_update(view_id=current["id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    def toggle_shout_outs(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        self._set_shout_outs(
            client, team_of(context), user_of(context), action.get("value") == "on"
        )

    def _set_shout_outs(self, client: WebClient, team_id: str, user_id: str, on: bool) -> str:
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

    # -- export ----------------------------------------------------------------------------

    def export_button(
        self, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        text = self.export(client, team_of(context), user_of(context))
        tell(body, respond, client, _user(body), text)

    def export(self, client: WebClient, team_id: str, user_id: str) -> str:
        """Upload the person's journal to their DM with the bot; what to tell them."""
        journal = self._journal.export(team_id, user_id)
        people = {user_id}
        for part in journal.partnerships:
            people |= set(part.partnership.members())
        content = export_markdown(journal, names={u: self._name(client, u) for u in people})
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

    # -- after a modal is saved ------------------------------------------------------------

    def after_submit(
        self, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        self.deliver()
        form = ViewForm(view)
        team_id, user_id = team_of(context), user_of(context)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        goal_id = int_or_none(form.metadata.get("goal_id"))
        if partnership_id is None and goal_id is not None:
            try:
                partnership_id = self._journal.goal(team_id, user_id, goal_id).partnership_id
            except DomainError:
                partnership_id = None
        self._homes.publish_pair(client, team_id, user_id, partnership_id)

    # -- answering where the click came from -----------------------------------------------

    @staticmethod
    def _open(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Open a modal, or stack it on the one the click came from."""
        current = body.get("view") if isinstance(body.get("view"), dict) else None
        if current is not None and current.get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    return str(user.get("id") or "") if isinstance(user, dict) else ""
