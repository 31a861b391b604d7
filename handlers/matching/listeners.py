"""The request-and-match journey in Slack: the ask and offer modals, pick, accept, decline.

Modal submissions run their (database-only) service call inside the ack, so a refusal comes
back as a field error and nothing typed is lost; the Slack messages that follow go out after
the ack, through the dispatcher."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.matching.service import MenteeAsk, MentorOffer
from bot.model.languages import parse_languages
from bot.model.programs import program_id_of
from handlers.kit.blocks import count
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, button_id, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.people import display_name
from handlers.kit.refusals import field_errors, guarded, refusing
from handlers.kit.replies import confirmation
from handlers.kit.updates import update_container, update_message
from handlers.matching import blocks as matching_blocks
from handlers.matching.openers import open_ask, open_offer
from handlers.runtime import TrackedExecutor, opened_in_request

log = logging.getLogger(__name__)


class MatchingHandlers(Listeners):
    executor: TrackedExecutor | None = None  # set at start-up: where a zone is looked up

    def register(self, app: App) -> None:
        app.view("mentor_offer")(ack=guarded("expertise", self.submit_offer), lazy=[self.deliver])
        app.view("mentor_ask")(ack=guarded("goals", self.submit_ask), lazy=[self.deliver])
        app.view("mentor_decline")(
            ack=guarded("reason", self.submit_decline), lazy=[self.after_decline]
        )
        app.action("pick_mentor")(ack=self.ack_only, lazy=[refusing(self.pick)])
        app.action("accept_request")(ack=self.ack_only, lazy=[refusing(self.accept)])
        app.action("decline_request")(ack=self.ack_only, lazy=[refusing(self.open_decline)])
        app.action("open_ask")(opened_in_request(refusing(self.home_ask)))
        app.action("open_offer")(opened_in_request(refusing(self.home_offer)))

    # -- modals ----------------------------------------------------------------------------

    def submit_offer(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        offer = MentorOffer(
            expertise=form.multi("expertise"),
            bio=form.text("bio"),
            organization=form.text("organization"),
            capacity=int_or_none(form.selected("capacity")) or 0,
            languages=parse_languages(form.text("languages")),
            accepting=form.checked("accepting", "accepting"),
            program_id=program_id_of(form.selected("program")),
        )
        errors = self._services.mentoring.check_offer(offer, team_id=team_of(context))
        if errors:
            field_errors(ack, errors)
            return
        profile = self._services.mentoring.offer(
            team_id=team_of(context),
            user_id=user_of(context),
            offer=offer,
            tz=str(form.metadata.get("tz", "")),
            tz_offset=int_or_none(form.metadata.get("tz_offset")) or 0,
        )
        text = (
            "Thank you! Your mentor profile is saved. Mentees who fit will be able to ask you, "
            "and you'll always be asked first."
            if profile.accepting
            else "Saved. You're paused: nobody new will be suggested your name until you "
            "tick 'taking new mentees' again."
        )
        ack(response_action="update", view=confirmation("Offer to mentor", text))

    def submit_ask(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        ask = MenteeAsk(
            goals=form.text("goals"),
            focus_areas=form.multi("focus_areas"),
            organization=form.text("organization"),
            wants_other_org=form.checked("other_org", "other_org"),
            program_id=program_id_of(form.selected("program")),
            languages=parse_languages(form.text("languages")),
        )
        errors = self._services.mentoring.check_ask(ask, team_id=team_of(context))
        if errors:
            field_errors(ack, errors)
            return
        result = self._services.mentoring.ask(
            team_id=team_of(context),
            mentee_id=user_of(context),
            ask=ask,
            tz=str(form.metadata.get("tz", "")),
            tz_offset=int_or_none(form.metadata.get("tz_offset")) or 0,
        )
        text = (
            "Every mentor who fits you is busy right now, so you're on the waitlist. "
            "I'll message you as soon as someone is free."
            if result.waitlisted
            else f"I found {count(len(result.candidates), 'mentor')} who "
            f"{'fits' if len(result.candidates) == 1 else 'fit'} you well: "
            "they're in our DM. Pick the one you'd like to ask."
        )
        ack(response_action="update", view=confirmation("Ask for a mentor", text))

    def submit_decline(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        proposal_id = int_or_none(form.metadata.get("proposal_id"))
        if proposal_id is None:
            field_errors(ack, {"reason": "This form is out of date; please close it."})
            return
        self._services.mentoring.decline(
            team_id=team_of(context),
            mentor_id=user_of(context),
            proposal_id=proposal_id,
            reason=form.text("reason"),
        )
        ack()

    def after_decline(self, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        metadata = ViewForm(view).metadata
        channel, ts, mentee = metadata.get("channel"), metadata.get("ts"), metadata.get("mentee")
        if channel and ts and mentee:
            text, message = self.name_elsewhere(
                matching_blocks.mentor_answered_message(str(mentee), accepted=False),
                team_of(context),
                str(metadata.get("mentee_team") or ""),
                str(mentee),
            )
            update_message(client, str(channel), str(ts), text, message)
        self._services.dispatcher.deliver_now()

    # -- buttons ---------------------------------------------------------------------------

    def pick(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: BoltContext,
    ) -> None:
        request_part, _, mentor = str(action.get("value", "")).partition(":")
        mentor_id, _, mentor_team_id = mentor.partition(":")  # their workspace, if not ours
        request_id = int_or_none(request_part)
        if request_id is None or not mentor_id:
            respond(
                text="That button is out of date. Run `/mentor ask` again.", replace_original=False
            )
            return
        proposal = self._services.mentoring.choose(
            team_id=team_of(context),
            mentee_id=user_of(context),
            request_id=request_id,
            mentor_id=mentor_id,
            mentor_team_id=mentor_team_id,
            # a mentor of another workspace can't resolve a mention of the mentee: their name
            mentee_name=display_name(client, user_of(context)) if mentor_team_id else "",
        )
        text, message = self.name_elsewhere(
            matching_blocks.picked_message(mentor_id),
            team_of(context),
            proposal.mentor_team_id,
            mentor_id,
        )
        update_container(client, body, text, message)
        self._services.dispatcher.deliver_now()

    def accept(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        proposal_id = button_id(action)
        partnership = self._services.mentoring.accept(
            team_id=team_of(context),
            mentor_id=user_of(context),
            proposal_id=proposal_id,
        )
        text, message = self.name_partner(
            matching_blocks.mentor_answered_message(partnership.mentee_id, accepted=True),
            partnership,
            user_of(context),
        )
        update_container(client, body, text, message)
        self._services.dispatcher.deliver_now()

    def open_decline(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        proposal_id = button_id(action)
        proposal = self._services.mentoring.proposal_for_mentor(
            team_id=team_of(context),
            mentor_id=user_of(context),
            proposal_id=proposal_id,
        )
        container = body.get("container") or {}
        view = self.name_elsewhere(
            matching_blocks.decline_modal(
                mentee_id=proposal.mentee_id,
                metadata={
                    "proposal_id": proposal_id,
                    "mentee": proposal.mentee_id,
                    "mentee_team": proposal.mentee_team_id,
                    "channel": container.get("channel_id"),
                    "ts": container.get("message_ts"),
                },
            ),
            team_of(context),
            proposal.mentee_team_id,
            proposal.mentee_id,
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def home_ask(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        refusal = open_ask(
            self._services,
            client,
            team_id=team_of(context),
            user_id=user_of(context),
            trigger_id=body["trigger_id"],
            later=self._later,
        )
        if refusal:  # a mentor of another workspace named in words
            named = self.name_partners_of(refusal, team_of(context), user_of(context))
            client.chat_postMessage(channel=user_of(context), text=named)

    def home_offer(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        open_offer(
            self._services,
            client,
            team_id=team_of(context),
            user_id=user_of(context),
            trigger_id=body["trigger_id"],
            later=self._later,
        )

    def _later(self, work: Callable[[], None]) -> None:
        if self.executor is None:
            work()
        else:
            self.executor.submit(work)
