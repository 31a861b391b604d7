"""`/mentor program share | join | revoke | workspaces`: a program shared across workspaces.

Only coordinators get here (the command's ack refuses anyone else); the service checks again,
for the buttons and the modal too. The join code is shown once, ephemerally, to the
coordinator who asked, and is never written to a log: the lines here name the program and
the workspaces, not the code.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.programs.sharing import normalize_code
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation
from handlers.programs import sharing_blocks as blocks

log = logging.getLogger(__name__)

VERBS = frozenset({"share", "join", "revoke", "workspaces", "leave"})
USAGE = (
    "`/mentor program share <name>` gives you a code for another workspace to join; "
    "`/mentor program join <code>` joins another workspace's program; "
    "`/mentor program workspaces <name>` lists the workspaces in one; "
    "`/mentor program revoke <code>` makes a code useless; "
    "`/mentor program leave <name>` takes your workspace out of another's program."
)


class SharingHandlers(Listeners):
    def register(self, app: App) -> None:
        app.view(blocks.JOIN_CALLBACK)(guarded("agree", self.accept))
        app.action(blocks.REVOKE_ACTION)(ack=self.ack_only, lazy=[refusing(self.revoke_button)])
        app.action(blocks.REMOVE_ACTION)(ack=self.ack_only, lazy=[refusing(self.remove_button)])
        app.action(blocks.LEAVE_ACTION)(ack=self.ack_only, lazy=[refusing(self.leave_button)])

    def command(
        self,
        verb: str,
        argument: str,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
        trigger_id: str,
    ) -> None:
        """After the ack; a refusal (wrong code, not a coordinator...) is answered ephemerally
        by the caller's ``refusing``."""
        sharing = self._services.sharing
        argument = argument.strip()
        if not argument:
            respond(text=USAGE, response_type="ephemeral")
        elif verb == "share":
            shared = sharing.share(team_id=team_id, coordinator_id=user_id, name=argument)
            log.info("program %s of %s shared: a code made", shared.program.id, team_id)
            text, message = blocks.share_message(shared)
            respond(text=text, blocks=message, response_type="ephemeral")
        elif verb == "join":
            offer = sharing.offer(team_id=team_id, user_id=user_id, code=argument)
            code = normalize_code(argument) or ""  # the offer refused anything else
            client.views_open(trigger_id=trigger_id, view=blocks.join_modal(offer, code=code))
        elif verb == "leave":
            leaving = self._services.departures.leaving(
                team_id=team_id, coordinator_id=user_id, name=argument
            )
            text, message = blocks.leave_message(leaving)
            respond(text=text, blocks=message, response_type="ephemeral")
        elif verb == "revoke":
            sharing.revoke(team_id=team_id, coordinator_id=user_id, code=argument)
            respond(text="Revoked: nobody can join with that code now.", response_type="ephemeral")
        else:
            view = sharing.view(team_id=team_id, coordinator_id=user_id, name=argument)
            text, message = blocks.host_message(view)
            respond(text=text, blocks=message, response_type="ephemeral")

    def accept(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        team_id, user_id = team_of(context), user_of(context)
        if not form.checked("agree", "accept"):
            ack(response_action="errors", errors={"agree": "Tick the box to accept the terms."})
            return
        joined = self._services.sharing.accept(
            team_id=team_id, user_id=user_id, code=str(form.metadata.get("code") or "")
        )
        membership = joined.membership
        log.info(
            "workspace %s joined program %s of %s",
            team_id,
            membership.program_id,
            membership.host_team_id,
        )
        ack(response_action="update", view=confirmation("Programs", blocks.joined_text(joined)))

    def revoke_button(self, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        team_id, user_id = team_of(context), user_of(context)
        sharing = self._services.sharing
        code = sharing.revoke(
            team_id=team_id, coordinator_id=user_id, code_id=int_or_none(action.get("value"))
        )
        program = self._services.programs.program(team_id, code.program_id)
        view = sharing.view(team_id=team_id, coordinator_id=user_id, name=program.name)
        text, message = blocks.host_message(view)
        respond(text=text, blocks=message, replace_original=True)

    def remove_button(self, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        team_id, user_id = team_of(context), user_of(context)
        membership_id = int_or_none(action.get("value"))
        view = self._services.sharing.remove(
            team_id=team_id, coordinator_id=user_id, membership_id=membership_id or 0
        )
        text, message = blocks.host_message(view)
        respond(text=text, blocks=message, replace_original=True)

    def leave_button(self, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Confirmed in Slack's dialog; a second click finds the workspace gone already."""
        team_id, user_id = team_of(context), user_of(context)
        departed = self._services.departures.leave(
            team_id=team_id,
            coordinator_id=user_id,
            membership_id=int_or_none(action.get("value")) or 0,
        )
        if departed is not None:
            log.info("workspace %s left a program: %d pairs ended", team_id, departed.pairs_ended)
        respond(text=blocks.departed_text(departed), replace_original=True)
