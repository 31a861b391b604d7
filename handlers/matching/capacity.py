"""A mentor's time in Slack: one-click declines, pausing new requests until a day, staying
open; and the mentee's answer to "would you like a new mentor?". Each click acks at once,
calls one service after, and redraws the message it came from."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.partnership import RequestStatus
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import button_id
from handlers.kit.listeners import Listeners
from handlers.kit.refusals import refusing
from handlers.kit.updates import update_container
from handlers.matching import capacity_blocks as blocks


class CapacityHandlers(Listeners):
    def register(self, app: App) -> None:
        for action_id in blocks.DECLINE_ACTIONS:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.decline)])
        app.action(blocks.PAUSE_UNTIL)(ack=self.ack_only, lazy=[refusing(self.pause)])
        app.action(blocks.STAY_OPEN)(ack=self.ack_only, lazy=[refusing(self.stay_open)])
        app.action(blocks.STOP_REQUESTS)(ack=self.ack_only, lazy=[refusing(self.stop)])
        app.action(blocks.NEW_MENTOR_YES)(ack=self.ack_only, lazy=[refusing(self.new_mentor)])
        app.action(blocks.NEW_MENTOR_NO)(ack=self.ack_only, lazy=[self.no_new_mentor])

    def decline(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        proposal_id = button_id(action)
        choice = blocks.DECLINE_ACTIONS[str(action["action_id"])]
        proposal = self._services.mentoring.decline(
            team_id=team_of(context),
            mentor_id=user_of(context),
            proposal_id=proposal_id,
            choice=choice.value,
        )
        text, message = self.name_elsewhere(
            blocks.declined_message(proposal.mentee_id, choice),
            team_of(context),
            proposal.mentee_team_id,
            proposal.mentee_id,
        )
        update_container(client, body, text, message)
        self.deliver()

    def pause(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        try:
            until = date.fromisoformat(str(action.get("selected_date") or ""))
        except ValueError:
            raise DomainError("Pick a day in the calendar.") from None
        self._services.mentoring.capacity.pause_requests(
            team_id=team_of(context), mentor_id=user_of(context), until=until
        )
        text, message = blocks.paused_message(until)
        update_container(client, body, text, message)

    def stay_open(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        self._services.mentoring.capacity.stay_open(
            team_id=team_of(context), mentor_id=user_of(context)
        )
        text, message = blocks.open_message()
        update_container(client, body, text, message)
        self.deliver()  # a waitlisted mentee may have suggestions now

    def stop(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        self._services.mentoring.set_accepting(
            team_id=team_of(context), user_id=user_of(context), accepting=False
        )
        text, message = blocks.stopped_message()
        update_container(client, body, text, message)

    def new_mentor(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        partnership_id = button_id(action)
        request = self._services.mentoring.capacity.new_mentor_wanted(
            team_id=team_of(context), mentee_id=user_of(context), partnership_id=partnership_id
        )
        text, message = blocks.new_mentor_answered_message(
            wanted=True, waitlisted=request.status is RequestStatus.WAITLISTED
        )
        update_container(client, body, text, message)
        self.deliver()

    @staticmethod
    def no_new_mentor(body: dict[str, Any], client: WebClient) -> None:
        text, message = blocks.new_mentor_answered_message(wanted=False)
        update_container(client, body, text, message)
