"""Coordinator commands in Slack: `/mentor match` and the cohort proposal's buttons.

Who may use them is decided in the ack from settings and the database's copy of the
coordinators' user group (never a Slack call), so anyone else gets a polite refusal at once and
nothing happens. The buttons check again in the service: a forwarded message or a crafted
payload from someone else changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.model.cohort import CohortPlan
from bot.model.health import AtRiskPair
from bot.model.onboarding import TextKey
from bot.services import Services
from handlers.coordination import report_blocks
from handlers.coordination.blocks import PAIRS_PER_PAGE, cohort_plan_message, cohort_under_way
from handlers.home import HomePublisher
from handlers.kit.blocks import section
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation
from handlers.kit.updates import update_container
from handlers.onboarding import blocks as onboarding_blocks
from handlers.rhythm import blocks as rhythm_blocks

log = logging.getLogger(__name__)

COORDINATOR_SUBCOMMANDS = frozenset({"match", "announce", "report", "texts", "audit"})
REFUSAL = (
    "That command is for the program's coordinators. If you should be one, ask your program "
    "team to add you."
)


class CoordinatorHandlers(Listeners):
    def __init__(self, services: Services, homes: HomePublisher) -> None:
        super().__init__(services)
        self._homes = homes

    def register(self, app: App) -> None:
        app.view("program_texts")(ack=guarded("welcome_mentee", self.submit_texts), lazy=[])
        app.event("subteam_members_changed")(ack=self.ack_only, lazy=[self.group_changed])
        app.action("cohort_pair")(ack=self.ack_only, lazy=[refusing(self.pair)])
        app.action("coordinator_report")(
            ack=self.ack_only, lazy=[refusing(self.from_home, by_dm=True)]
        )
        app.action("coordinator_match")(
            ack=self.ack_only, lazy=[refusing(self.from_home, by_dm=True)]
        )
        app.action("coordinator_check_in")(
            ack=self.ack_only, lazy=[refusing(self.check_in, by_dm=True)]
        )
        app.action("coordinator_write")(ack=self.ack_only, lazy=[self.open_write])
        app.view("coordinator_write")(ack=guarded("text", self.submit_write), lazy=[self.deliver])
        app.action("coordinator_close")(ack=self.ack_only, lazy=[self.open_close])
        app.view("coordinator_close")(
            ack=guarded("reason", self.submit_close), lazy=[self.after_close]
        )
        app.action("cohort_approve_all")(ack=self.ack_only, lazy=[refusing(self.approve_all)])
        app.action("cohort_match_again")(ack=self.ack_only, lazy=[refusing(self.match_again)])
        app.action(re.compile(r"^cohort_page_(previous|next|show)$"))(
            ack=self.ack_only, lazy=[refusing(self.page)]
        )

    def may_run(self, user_id: str, *, team_id: str) -> bool:
        return self._services.coordination.is_coordinator(user_id, team_id=team_id)

    def refused(self, team_id: str) -> None:
        """After refusing someone: if they joined the coordinators' group and we missed it,
        the group is read again (never in the ack), so their next try works."""
        self._services.coordinator_group.look_again(team_id)
        self.deliver()

    def group_changed(self, event: dict[str, Any], context: BoltContext) -> None:
        """``subteam_members_changed``: the coordinators' group, if it is that one, as it is now."""
        self._services.coordinator_group.members_changed(
            team_id=str(event.get("team_id") or team_of(context)),
            group_id=str(event.get("subteam_id") or ""),
            added=[str(u) for u in event.get("added_users") or []],
            removed=[str(u) for u in event.get("removed_users") or []],
        )

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
        """After the ack: work out the proposal (or the report) and post it to their DM."""

        def tell(text: str) -> None:
            respond(text=text, response_type="ephemeral")

        if subcommand == "report":
            self.report(client=client, tell=tell, team_id=team_id, user_id=user_id, program=rest)
        elif subcommand == "audit":
            events = self._services.coordination.audit_trail(
                team_id=team_id, coordinator_id=user_id, limit=report_blocks.AUDIT_SHOWN
            )
            text, message = report_blocks.audit_message(events)
            respond(text=text, blocks=message, response_type="ephemeral")
        elif subcommand == "texts":
            texts = self._services.onboarding.texts(team_id=team_id, coordinator_id=user_id)
            client.views_open(trigger_id=trigger_id, view=onboarding_blocks.texts_modal(texts))
        elif subcommand == "match":
            include_choosing = rest.strip().lower() in ("everyone", "all")
            self.match(
                client=client,
                tell=tell,
                team_id=team_id,
                user_id=user_id,
                include_choosing=include_choosing,
            )

    def submit_texts(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        values = {key: form.text(key.value) for key in TextKey}
        onboarding = self._services.onboarding
        errors = onboarding.check_texts(values)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        onboarding.save_texts(
            team_id=team_of(context), coordinator_id=user_of(context), values=values
        )
        ack(
            response_action="update",
            view=confirmation(
                "Program texts",
                "Saved. Every pair's next welcome, agenda and monthly topic uses the new words.",
            ),
        )

    def from_home(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """The Home tab's coordinator buttons: there is no message to answer in, so a DM."""
        team_id, user_id = team_of(context), user_of(context)

        def tell(text: str) -> None:
            try:
                client.chat_postMessage(channel=user_id, text=text)
            except SlackApiError as error:
                log.warning("could not tell %s: %s", user_id, error.response.get("error"))

        if action.get("action_id") == "coordinator_report":
            self.report(client=client, tell=tell, team_id=team_id, user_id=user_id)
        else:  # the "working it out" message in the DM is the answer: no word before it
            self.match(client=client, tell=tell, team_id=team_id, user_id=user_id, quietly=True)

    def match_again(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """ "Try again" under a plan that could not be finished: the same `/mentor match`; the
        failed message says so, and a new "working it out" message follows it."""
        team_id, user_id = team_of(context), user_of(context)

        def tell(text: str) -> None:
            client.chat_postMessage(channel=user_id, text=text)

        if self.match(
            client=client,
            tell=tell,
            team_id=team_id,
            user_id=user_id,
            include_choosing=action.get("value") == "everyone",
            quietly=True,
        ):
            said = ":repeat: Trying again: the new proposal is being worked out just below."
            update_container(client, body, said, [section(said)])

    def check_in(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """One click on the Home tab's at-risk list: a friendly word to both partners."""
        user_id = user_of(context)
        partnership = self._services.coordination.check_in(
            team_id=team_of(context),
            coordinator_id=user_id,
            partnership_id=int_or_none(action.get("value")) or 0,
        )
        self._services.dispatcher.deliver_now()
        client.chat_postMessage(
            channel=user_id,
            text=self.name_pair_for_team(
                f"I've checked in with <@{partnership.mentee_id}> and "
                f"<@{partnership.mentor_id}> for the program team.",
                partnership,
                team_of(context),
            ),
        )

    def _at_risk_pair(
        self, action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> AtRiskPair | None:
        """The at-risk pair a Home button names, for a coordinator; anyone else, or a pair no
        longer at risk, gets a word by DM and None."""
        user_id, team_id = user_of(context), team_of(context)
        partnership_id = int_or_none(action.get("value")) or 0
        health_pair = (
            next(
                (
                    p
                    for p in self._services.coordination.health(
                        team_id=team_id, coordinator_id=user_id, audit=False
                    ).at_risk
                    if p.partnership_id == partnership_id
                ),
                None,
            )
            if self.may_run(user_id, team_id=team_id)
            else None
        )
        if health_pair is None:
            client.chat_postMessage(
                channel=user_id, text="That pair is no longer on the at-risk list."
            )
        return health_pair

    def open_close(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        pair = self._at_risk_pair(action, client, context)
        if pair is not None:
            client.views_open(
                trigger_id=body["trigger_id"],
                view=self.name_pair_for_team(
                    rhythm_blocks.close_modal(
                        mentee_id=pair.mentee_id,
                        mentor_id=pair.mentor_id,
                        partnership_id=pair.partnership_id,
                    ),
                    pair,
                    team_of(context),
                ),
            )

    def submit_close(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership = self._services.rhythm.close_for_program(
            team_id=team_of(context),
            coordinator_id=user_of(context),
            partnership_id=int_or_none(form.metadata.get("partnership_id")) or 0,
            reason=form.selected("reason"),
        )
        ack(
            response_action="update",
            view=self.name_pair_for_team(
                confirmation(
                    "Partnership closed",
                    f"Done: <@{partnership.mentee_id}> and <@{partnership.mentor_id}> have a "
                    f"kind note from the program team, and <@{partnership.mentee_id}> new "
                    "mentor suggestions.",
                ),
                partnership,
                team_of(context),
                ask=False,  # the ack can't wait on Slack: a name already known, or the mention
            ),
        )

    def after_close(self, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """The notes go out now, and the pair leaves the coordinator's at-risk list."""
        self.deliver()
        team_id, user_id = team_of(context), user_of(context)
        if self.may_run(user_id, team_id=team_id):
            self._homes.publish(client, team_id, user_id)

    def open_write(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        health_pair = self._at_risk_pair(action, client, context)
        if health_pair is None:
            return
        partnership_id = health_pair.partnership_id
        client.views_open(
            trigger_id=body["trigger_id"],
            view=self.name_pair_for_team(
                report_blocks.write_modal(
                    partnership_id,
                    mentee_id=health_pair.mentee_id,
                    mentor_id=health_pair.mentor_id,
                ),
                health_pair,
                team_of(context),
            ),
        )

    def submit_write(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        text = form.text("text")
        if not text.strip():
            raise DomainError("Write the message they'll get.", field="text")
        self._services.coordination.check_in(
            team_id=team_of(context),
            coordinator_id=user_of(context),
            partnership_id=int_or_none(form.metadata.get("partnership_id")) or 0,
            text=text,
        )
        ack(
            response_action="update",
            view=confirmation("Write to the pair", "Sent to both of them, from the program team."),
        )

    def match(
        self,
        *,
        client: WebClient,
        tell: Callable[[str], None],
        team_id: str,
        user_id: str,
        include_choosing: bool = False,
        quietly: bool = False,
    ) -> bool:
        """Queued, not worked out here: a cohort of thousands takes seconds. The dispatcher
        posts "working it out" to our DM at once, plans it as a job that redraws that message
        step by step, and turns it into the proposal. While one is being worked out in the
        workspace, the coordinator is told so instead (``quietly``: only then); whether a
        plan started."""
        planning = self._services.cohorts.plan_later(
            team_id=team_id, coordinator_id=user_id, include_choosing=include_choosing
        )
        if not planning.started:
            tell(cohort_under_way(planning.plan, asker=user_id))
            return False
        if not quietly:
            tell("Matching everyone waiting: follow along in our DM, where the proposal lands.")
        self.deliver()
        return True

    def report(
        self,
        *,
        client: WebClient,
        tell: Callable[[str], None],
        team_id: str,
        user_id: str,
        program: str = "",
    ) -> None:
        """Program health in a DM, with the monthly trend as a chart and the figures as CSV:
        the whole workspace, or one program (`/mentor report <program>`)."""
        health = self._services.coordination.health(
            team_id=team_id, coordinator_id=user_id, program=program
        )
        text, message = report_blocks.report_message(health)
        try:
            channel = str(client.conversations_open(users=user_id)["channel"]["id"])
            client.chat_postMessage(channel=channel, text=text, blocks=message)
            client.files_upload_v2(channel=channel, file_uploads=report_blocks.report_files(health))
        except SlackApiError as error:
            log.warning("program report not delivered: %s", error.response.get("error"))
            tell("Slack would not let me send the report just now; please try again.")
            return
        tell("I've sent you the program report in our DM.")

    # -- the proposal's buttons ------------------------------------------------------------

    def pair(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        chosen = (action.get("selected_option") or {}).get("value", "")
        verb, _, rest = str(chosen).partition(":")
        plan_part, _, index_part = rest.partition(":")
        plan_id, index = int_or_none(plan_part), int_or_none(index_part)
        if verb not in ("approve", "leave_out") or plan_id is None or index is None:
            _out_of_date(respond)
            return
        cohorts = self._services.cohorts
        call = cohorts.approve if verb == "approve" else cohorts.leave_out
        self._apply(
            body,
            client,
            respond,
            page=index // PAIRS_PER_PAGE,
            change=lambda: call(
                team_id=team_of(context),
                coordinator_id=user_of(context),
                plan_id=plan_id,
                index=index,
            ),
        )

    def approve_all(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        plan_id = int_or_none(action.get("value"))
        if plan_id is None:
            _out_of_date(respond)
            return
        self._apply(
            body,
            client,
            respond,
            page=0,
            change=lambda: self._services.cohorts.approve(
                team_id=team_of(context),
                coordinator_id=user_of(context),
                plan_id=plan_id,
            ),
        )

    def page(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        plan_part, _, page_part = str(action.get("value", "")).partition(":")
        plan_id, page = int_or_none(plan_part), int_or_none(page_part)
        if plan_id is None or page is None:
            _out_of_date(respond)
            return
        self._apply(
            body,
            client,
            respond,
            page=page,
            change=lambda: self._services.cohorts.plan(
                team_id=team_of(context),
                coordinator_id=user_of(context),
                plan_id=plan_id,
            ),
        )

    def _apply(
        self,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        *,
        page: int,
        change: Callable[[], CohortPlan],
    ) -> None:
        plan = change()
        text, message = cohort_plan_message(plan, page=page)
        update_container(client, body, text, message)
        self._services.dispatcher.deliver_now()


def _out_of_date(respond: Respond) -> None:
    respond(
        text="That button is out of date. Run `/mentor match` for a fresh proposal.",
        response_type="ephemeral",
        replace_original=False,
    )
