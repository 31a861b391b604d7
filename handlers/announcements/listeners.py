"""`/mentor announce`: compose, preview, send or schedule; list, edit and cancel.

The compose modal's submit is checked inside the ack (a field error keeps everything typed),
then a preview is pushed on top of it: Slack's "Back" returns to the compose modal as it was.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.announcements import Announcement
from bot.when import local_to_utc, zone
from handlers.announcements import blocks as announcement_blocks
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.people import time_zone
from handlers.kit.refusals import guarded, refusing
from handlers.programs import blocks as program_blocks


def read_send_at(form: ViewForm, *, tz: str) -> datetime | None:
    """None for "now"; else the picked date and time in the coordinator's own time zone."""
    if form.selected("when") != "later":
        return None
    picked_date, picked_time = form.picked_date("date"), form.picked_time("time")
    if picked_date is None:
        raise DomainError("Pick the date it should go out.", field="date")
    if picked_time is None:
        raise DomainError("Pick the time it should go out.", field="time")
    return local_to_utc(picked_date, time(*picked_time), tz)


class AnnouncementHandlers(Listeners):
    def register(self, app: App) -> None:
        app.view("announce_compose")(ack=guarded("text", self.submit_compose), lazy=[])
        app.view("announce_preview")(ack=guarded("text", self.submit_preview), lazy=[self.deliver])
        app.action("announce_cancel")(ack=self.ack_only, lazy=[refusing(self.cancel)])
        app.action("announce_edit")(ack=self.ack_only, lazy=[refusing(self.edit)])
        app.action("coordinator_announce")(ack=self.ack_only, lazy=[self.from_home])

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
        """After the ack: open the compose modal, or list what is scheduled."""
        if rest.strip().lower() == "list":
            announcements = self._services.announcements.scheduled(
                team_id=team_id, author_id=user_id
            )
            message = announcement_blocks.scheduled_list(announcements)
            respond(text="Scheduled announcements", blocks=message, response_type="ephemeral")
            return
        self._open(client, user_id=user_id, trigger_id=trigger_id, team_id=team_id)

    def _open(
        self,
        client: WebClient,
        *,
        team_id: str,
        user_id: str,
        trigger_id: str,
        draft: Announcement | None = None,
    ) -> None:
        tz, _ = time_zone(client, user_id, team_id=team_id, zones=self._services.zones)
        local_date = local_time = ""
        if draft is not None and draft.send_at is not None:
            local = draft.send_at.astimezone(zone(tz))
            local_date, local_time = local.date().isoformat(), local.strftime("%H:%M")
        metadata: dict[str, Any] = {"tz": tz}
        if draft is not None:
            metadata["replaces"] = draft.id
        programs = self._services.programs.programs(team_id)
        view = announcement_blocks.compose_modal(
            program=program_blocks.audience_program_select(programs, draft.program if draft else "")
            if len(programs) > 1
            else None,
            metadata=metadata,
            has_channel=bool(self._services.announcements.program_channel),
            draft=draft,
            local_date=local_date,
            local_time=local_time,
        )
        client.views_open(trigger_id=trigger_id, view=view)

    def from_home(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        coordination = self._services.coordination
        if coordination.is_coordinator(user_of(context), team_id=team_of(context)):
            self._open(
                client,
                user_id=user_of(context),
                trigger_id=body["trigger_id"],
                team_id=team_of(context),
            )

    # -- the modals ------------------------------------------------------------------------

    def submit_compose(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        send_at = read_send_at(form, tz=str(form.metadata.get("tz", "")))
        announcement = self._services.announcements.draft(
            team_id=team_of(context),
            author_id=user_of(context),
            text=form.text("text"),
            audience=form.selected("audience"),
            send_at=send_at,
            replaces=int_or_none(form.metadata.get("replaces")),
            program=program_blocks.chosen_program(form.selected("program")),
        )
        ack(response_action="push", view=announcement_blocks.preview_modal(announcement))

    def submit_preview(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        announcement_id = int_or_none(ViewForm(view).metadata.get("id"))
        if announcement_id is None:
            raise DomainError("This preview is out of date; close it and start again.")
        announcement = self._services.announcements.confirm(
            team_id=team_of(context),
            author_id=user_of(context),
            announcement_id=announcement_id,
        )
        ack(response_action="update", view=announcement_blocks.confirmed_modal(announcement))

    # -- the scheduled list's buttons ------------------------------------------------------

    def cancel(self, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        team_id, user_id = team_of(context), user_of(context)
        announcements = self._services.announcements
        announcements.cancel(
            team_id=team_id,
            author_id=user_id,
            announcement_id=int_or_none(action.get("value")) or 0,
        )
        remaining = announcements.scheduled(team_id=team_id, author_id=user_id)
        respond(
            text="Cancelled: nobody will get it.",
            blocks=announcement_blocks.scheduled_list(remaining),
            response_type="ephemeral",
            replace_original=True,
        )

    def edit(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        draft = self._services.announcements.get(
            team_id=team_of(context),
            author_id=user_of(context),
            announcement_id=int_or_none(action.get("value")) or 0,
        )
        self._open(
            client,
            user_id=user_of(context),
            trigger_id=body["trigger_id"],
            draft=draft,
            team_id=team_of(context),
        )
