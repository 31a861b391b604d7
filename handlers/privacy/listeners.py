"""People's data in Slack: `/mentor forget-me`, `/mentor erase @person`, and `user_change`.

Both erasures open a confirmation that says plainly what will go; nothing is deleted until it
is submitted, and closing it says so. The erasure runs after the ack (it reads every table of
the workspace); the partners' kind notes follow through the dispatcher, and the outcome is a
direct DM, so no row is left naming the person.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm
from handlers.kit.listeners import Listeners
from handlers.kit.mentions import mentioned
from handlers.kit.replies import confirmation
from handlers.privacy.blocks import ERASE_PERSON, FORGET_ME, erase_modal, forget_me_modal

log = logging.getLogger(__name__)

PRIVACY_SUBCOMMANDS = frozenset({"forget-me", "erase"})
COORDINATOR_ONLY = frozenset({"erase"})
KEPT = "Nothing was deleted: everything Mentorbot keeps for you is still there."
FAILED = "Something went wrong, so nothing was deleted. Please try again in a minute."
REFUSAL = (
    "Erasing someone is for the program's coordinators. If they want to leave, they can use "
    "`/mentor forget-me` themselves."
)


class PrivacyHandlers(Listeners):
    def register(self, app: App) -> None:
        app.view(FORGET_ME)(ack=self.submit_forget_me, lazy=[self.forget_me_now])
        app.view_closed(FORGET_ME)(ack=self.ack_only, lazy=[self.kept])
        app.view(ERASE_PERSON)(ack=self.submit_erase, lazy=[self.erase_now])
        app.view_closed(ERASE_PERSON)(ack=self.ack_only, lazy=[])
        app.event("user_change")(ack=self.ack_only, lazy=[self.user_changed])

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
        privacy = self._services.privacy
        if subcommand == "forget-me":
            footprint = privacy.footprint(team_id=team_id, user_id=user_id)
            client.views_open(trigger_id=trigger_id, view=forget_me_modal(footprint))
            return
        if not privacy.is_coordinator(user_id, team_id=team_id):
            return  # refused in the ack already
        target = mentioned(rest)
        if target is None:
            respond(
                text="Say whom to erase, like `/mentor erase @name`.", response_type="ephemeral"
            )
            return
        footprint = privacy.footprint(team_id=team_id, user_id=target)
        client.views_open(trigger_id=trigger_id, view=erase_modal(target, footprint))

    def submit_forget_me(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        ack(
            response_action="update",
            view=confirmation("Forget me", "Deleting everything now; I'll confirm in our DM."),
        )

    def forget_me_now(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """After the ack: an erasure reads every table of the workspace, which can take longer
        than Slack waits for an answer."""
        user_id = user_of(context)
        try:
            erased = self._services.privacy.forget_me(team_id=team_of(context), user_id=user_id)
        except DomainError as error:  # its own answer: before the catch-all "nothing deleted"
            _dm(client, user_id, error.message)
            return
        except Exception:
            log.exception("forget-me failed (team=%s)", context.team_id)
            _dm(client, user_id, FAILED)
            return
        self.deliver()
        ended = (
            " Your partnership has ended and your partner has been told kindly."
            if erased.partnerships_ended
            else ""
        )
        _dm(
            client,
            user_id,
            "Done: Mentorbot no longer keeps anything about you." + ended + " If you ever want "
            "to take part again, `/mentor ask` or `/mentor offer` starts afresh.",
        )

    def submit_erase(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        if not self._services.privacy.is_coordinator(user_of(context), team_id=team_of(context)):
            ack(response_action="update", view=confirmation("Erase a person", REFUSAL))
            return
        target = str(ViewForm(view).metadata.get("user_id") or "")
        ack(
            response_action="update",
            view=confirmation("Erase a person", f"Erasing <@{target}>; I'll confirm in our DM."),
        )

    def erase_now(
        self, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        coordinator_id = user_of(context)
        try:
            erased = self._services.privacy.erase(
                team_id=team_of(context),
                coordinator_id=coordinator_id,
                user_id=str(ViewForm(view).metadata.get("user_id") or ""),
            )
        except DomainError as error:
            _dm(client, coordinator_id, error.message)
            return
        except Exception:
            log.exception("erase failed (team=%s)", context.team_id)
            _dm(client, coordinator_id, FAILED)
            return
        self.deliver()
        _dm(
            client,
            coordinator_id,
            f"Erased. {erased.partnerships_ended} running partnership(s) ended; their partners "
            "have been told kindly. The audit log records it without their ID.",
        )

    def kept(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        _dm(client, user_of(context), KEPT)

    def user_changed(self, event: dict[str, Any], context: BoltContext) -> None:
        """A person deactivated in Slack is erased after the retention period; reactivated
        before then, they are not. A new time zone is kept, for the working hours."""
        user = event.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return
        team_id = context.team_id or str(user.get("team_id") or "")
        if isinstance(user.get("tz"), str) and user.get("deleted") is not True:
            self._services.zones.seen(team_id, user["id"], user["tz"])  # what waits moves too
        privacy = self._services.privacy
        if user.get("deleted") is True:
            privacy.user_deleted(team_id=team_id, user_id=user["id"])
        else:
            privacy.user_reactivated(team_id=team_id, user_id=user["id"])


def _dm(client: WebClient, user_id: str, text: str) -> None:
    """Straight to Slack, not through the outbox: after an erasure no row may name them."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as error:
        log.warning("could not tell %s: %s", user_id, error.response.get("error"))
