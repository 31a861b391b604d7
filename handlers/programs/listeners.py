"""`/mentor program`: coordinators create, edit and list programs, and invite people to one.

Who may is decided in the command's ack (see handlers/commands.py); the buttons and the modal
check again in the service, so a forwarded message or a crafted payload changes nothing.
Invited people get a DM whose buttons open the ask or offer modal with the program chosen.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.programs import Program, program_id_of
from bot.programs.service import competitor_pairs, ladder_days
from bot.services import Services
from handlers.kit.blocks import escape
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation, tell
from handlers.matching.openers import open_ask, open_offer
from handlers.programs import blocks as program_blocks
from handlers.programs import sharing_blocks
from handlers.programs.sharing import VERBS as SHARING_VERBS
from handlers.programs.sharing import SharingHandlers

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
USAGE = (
    "`/mentor program` lists the programs; `/mentor program new` creates one; "
    "`/mentor program edit <name>` changes one; "
    "`/mentor program invite <name> @ana @ben` invites people; "
    "`/mentor program share <name>` lets another workspace join one."
)


class ProgramHandlers(Listeners):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._sharing = SharingHandlers(services)

    def register(self, app: App) -> None:
        self._sharing.register(app)
        app.view("program_edit")(ack=guarded("name", self.submit), lazy=[self.deliver])
        app.action("program_open_new")(ack=self.ack_only, lazy=[refusing(self.open_new)])
        app.action("program_open_edit")(ack=self.ack_only, lazy=[refusing(self.open_edit)])
        app.action("program_join_ask")(ack=self.ack_only, lazy=[refusing(self.join_ask)])
        app.action("program_join_offer")(ack=self.ack_only, lazy=[refusing(self.join_offer)])

    def command(
        self,
        _subcommand: str,
        rest: str,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
        trigger_id: str,
    ) -> None:
        """After the ack (coordinators only): list, open the form, or invite."""
        verb, _, argument = rest.strip().partition(" ")
        verb = verb.lower()
        programs = self._services.programs
        if verb in ("", "list"):
            listed = programs.programs(team_id, archived=True)
            text, message = program_blocks.programs_message(listed)
            sharing = self._services.sharing
            message += sharing_blocks.sharing_summary(
                listed, sharing.hosted(team_id), sharing.joined(team_id)
            )
            respond(text=text, blocks=message, response_type="ephemeral")
        elif verb in ("new", "create"):
            self._open(client, trigger_id, team_id, None)
        elif verb == "edit":
            program = programs.find(team_id, argument, archived=True)
            self._open(client, trigger_id, team_id, program)
        elif verb == "invite":
            name = MENTION.split(argument, maxsplit=1)[0].strip()
            invited = programs.invite(
                team_id=team_id,
                coordinator_id=user_id,
                program_id=programs.find(team_id, name).id if name else None,
                user_ids=MENTION.findall(argument),
            )
            self.deliver()
            count = len(invited.invited)
            respond(
                text=f"Invited {count} {'person' if count == 1 else 'people'} to "
                f"{invited.program.name}: each has a DM to join as a mentee or a mentor.",
                response_type="ephemeral",
            )
        elif verb in SHARING_VERBS:
            self._sharing.command(
                verb,
                argument,
                client=client,
                respond=respond,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
            )
        else:
            respond(text=USAGE, response_type="ephemeral")

    def _open(
        self, client: WebClient, trigger_id: str, team_id: str, program: Program | None
    ) -> None:
        if program is not None and program.id is None:
            raise DomainError(
                "The main program's rules come from the bot's settings (MENTORBOT_...); "
                "`/mentor program new` creates another one."
            )
        if program is None:
            base = self._services.programs.program(team_id, None)  # start from the defaults
            base.name, base.channel = "", ""
            view = program_blocks.program_modal(base, creating=True)
        else:
            view = program_blocks.program_modal(program, creating=False)
        client.views_open(trigger_id=trigger_id, view=view)

    def submit(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        team_id, user_id = team_of(context), user_of(context)
        numbers = {
            key: int_or_none(form.text(key))
            for key in ("term_days", "session_minutes", "pulse_every_days")
        }
        program = Program(
            team_id=team_id,
            id=int_or_none(form.metadata.get("program_id")),
            name=form.text("name"),
            channel=form.channel("channel"),
            term_days=numbers["term_days"] or 0,
            session_minutes=numbers["session_minutes"] or 0,
            pulse_every_days=numbers["pulse_every_days"] or 0,
            focus_areas=[a.strip() for a in form.text("focus_areas").splitlines() if a.strip()],
            workday_start_hour=int_or_none(form.selected("workday_start")) or 0,
            workday_end_hour=int_or_none(form.selected("workday_end")) or 24,
            weekends_off=form.checked("flags", "weekends_off"),
            cross_company_required=form.checked("flags", "cross_company"),
            weak_fit=form.checked("flags", "weak_fit"),
            any_language=form.checked("flags", "any_language"),
            competitors=competitor_pairs(form.text("competitors")),
            archived=form.checked("flags", "archived"),
            quiet_ladder_days=ladder_days(form.text("quiet_ladder")),
        )
        programs = self._services.programs
        errors = programs.check(program)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        creating = program.id is None
        program = programs.save(coordinator_id=user_id, program=program)
        invited = form.users("invite")
        note = ""
        if invited:
            programs.invite(
                team_id=team_id, coordinator_id=user_id, program_id=program.id, user_ids=invited
            )
            note = f" {len(invited)} invited: each has a DM to join."
        done = "created" if creating else "saved"
        ack(
            response_action="update",
            view=confirmation("Programs", f"*{escape(program.name)}* is {done}.{note}"),
        )

    # -- buttons ---------------------------------------------------------------------------

    def open_new(
        self,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        self._button(body, client, respond, context, None)

    def open_edit(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        self._button(body, client, respond, context, int_or_none(action.get("value")))

    def _button(
        self,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
        program_id: int | None,
    ) -> None:
        team_id, user_id = team_of(context), user_of(context)
        programs = self._services.programs
        if not programs.is_coordinator(user_id, team_id=team_id):
            raise DomainError(
                "Programs are for the program's coordinators to set up. If you should be "
                "one, ask your program team to add you."
            )
        program = programs.program(team_id, program_id) if program_id is not None else None
        self._open(client, body["trigger_id"], team_id, program)

    def join_ask(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        self._join(body, action, client, respond, context, ask=True)

    def join_offer(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        self._join(body, action, client, respond, context, ask=False)

    def _join(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
        *,
        ask: bool,
    ) -> None:
        """An invitation's button: the ask or offer modal, with the program chosen."""
        team_id, user_id = team_of(context), user_of(context)
        value = str(action.get("value") or "")
        if not self._services.programs.joinable(team_id, program_id_of(value)):
            tell(body, respond, client, user_id, "That program is not taking people in now.")
            return
        trigger_id = body["trigger_id"]
        if ask:
            refusal = open_ask(
                self._services,
                client,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                program=value,
            )
            if refusal:  # a mentor of another workspace named in words
                tell(
                    body, respond, client, user_id, self.name_partners_of(refusal, team_id, user_id)
                )
        else:
            open_offer(
                self._services,
                client,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                program=value,
            )
