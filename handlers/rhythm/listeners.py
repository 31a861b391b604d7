"""The program's rhythm in Slack: pulse buttons, the small modals, the term end, `/mentor end`.

Buttons ack at once and do their work after; modal submissions run their database-only
service call inside the ack, so a refusal is a field error and nothing typed is lost.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.partnership import GOALS_REACHED, Partnership, partner_of
from handlers.kit.blocks import section, slack_date
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, button_id, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation
from handlers.kit.updates import update_container, update_message
from handlers.rhythm import blocks as rhythm_blocks

log = logging.getLogger(__name__)


def _pair_round(value: Any) -> tuple[int | None, int | None]:
    first, _, second = str(value or "").partition(":")
    return int_or_none(first), int_or_none(second)


class RhythmHandlers(Listeners):
    def register(self, app: App) -> None:
        for action_id in rhythm_blocks.PULSE_ACTIONS:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.answer_pulse)])
        app.action("pulse_note")(ack=self.ack_only, lazy=[refusing(self.open_note)])
        app.view("pulse_note")(ack=guarded("note", self.submit_note), lazy=[self.after_note])
        app.action("open_midterm")(ack=self.ack_only, lazy=[refusing(self.open_midterm)])
        app.view("midterm_review")(
            ack=guarded("progress", self.submit_midterm), lazy=[self.deliver]
        )
        app.action("open_final")(ack=self.ack_only, lazy=[refusing(self.open_final)])
        app.view("final_evaluation")(ack=guarded("rating", self.submit_final), lazy=[self.deliver])
        app.action("term_extend")(ack=self.ack_only, lazy=[refusing(self.extend)])
        app.action("term_close")(ack=self.ack_only, lazy=[refusing(self.close)])
        app.action("open_end")(ack=self.ack_only, lazy=[refusing(self.open_end_button, by_dm=True)])
        app.view("partnership_end")(ack=guarded("reason", self.submit_end), lazy=[self.deliver])

    # -- pulses ----------------------------------------------------------------------------

    def answer_pulse(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        score = int(str(action["action_id"]).removeprefix("pulse_"))
        partnership_id, round_no = _pair_round(action.get("value"))
        if partnership_id is None or round_no is None:
            raise DomainError("That button is out of date.")
        answer = self._services.rhythm.answer_pulse(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            round_no=round_no,
            score=score,
        )
        partnership = self._services.sessions.membership(
            team_of(context), user_of(context), partnership_id
        )
        user = user_of(context)
        partner = partner_of(partnership, user)
        text, blocks = self.name_partner(
            rhythm_blocks.pulse_answered_message(
                partner_id=partner,
                score=score,
                value=str(action.get("value")),
                noted=bool(answer.check.note),
            ),
            partnership,
            user,
        )
        update_container(client, body, text, blocks)
        if answer.flagged:
            self.deliver()

    def open_note(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        partnership_id, round_no = _pair_round(action.get("value"))
        if partnership_id is None or round_no is None:
            raise DomainError("That button is out of date.")
        container = body.get("container") or {}
        client.views_open(
            trigger_id=body["trigger_id"],
            view=rhythm_blocks.pulse_note_modal(
                metadata={
                    "partnership_id": partnership_id,
                    "round": round_no,
                    "channel": container.get("channel_id", ""),
                    "ts": container.get("message_ts", ""),
                }
            ),
        )

    def submit_note(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        round_no = int_or_none(form.metadata.get("round"))
        if partnership_id is None or round_no is None:
            raise DomainError("This form is out of date; please close it.", field="note")
        share = form.checked("share", rhythm_blocks.SHARE)
        self._services.rhythm.note_pulse(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            round_no=round_no,
            note=form.text("note"),
            share=share,
        )
        ack(
            response_action="update",
            view=confirmation(
                "Thank you",
                "Saved. "
                + (
                    "The program team will see it and may reach out."
                    if share
                    else "It stays private to you."
                ),
            ),
        )

    def after_note(self, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Show on the pulse message itself that the note is in."""
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        round_no = int_or_none(form.metadata.get("round"))
        channel, ts = str(form.metadata.get("channel", "")), str(form.metadata.get("ts", ""))
        self.deliver()
        if partnership_id is None or round_no is None or not channel or not ts:
            return
        check = self._services.rhythm.pulse_check(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            round_no=round_no,
        )
        if check is None or check.score is None:
            return  # not rated yet: the buttons stay so they still can
        text, blocks = self.name_partners_of(
            rhythm_blocks.pulse_answered_message(
                partner_id=check.partner_id,
                score=check.score,
                value=f"{partnership_id}:{round_no}",
                noted=True,
            ),
            team_of(context),
            user_of(context),
        )
        update_message(client, channel, ts, text, blocks)

    # -- mid-term and final evaluation -----------------------------------------------------

    def open_midterm(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        partnership_id = button_id(action)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=rhythm_blocks.midterm_modal(metadata={"partnership_id": partnership_id}),
        )

    def submit_midterm(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="progress")
        self._services.rhythm.answer_midterm(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            progress=int_or_none(form.selected("progress")) or 0,
            rhythm=form.selected("rhythm"),
            change=form.text("change"),
        )
        ack(
            response_action="update",
            view=confirmation("Mid-term review", "Thank you! Here's to a strong second half."),
        )

    def open_final(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        partnership_id = button_id(action)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=rhythm_blocks.final_modal(metadata={"partnership_id": partnership_id}),
        )

    def submit_final(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="rating")
        recommend = int_or_none(form.selected("recommend"))
        if recommend is None:
            raise DomainError("Pick a number from 0 to 10.", field="recommend")
        self._services.rhythm.answer_final(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            rating=int_or_none(form.selected("rating")) or 0,
            recommend=recommend,
            changed=form.text("changed"),
        )
        ack(
            response_action="update",
            view=confirmation("Final evaluation", "Thank you, and congratulations on your year!"),
        )

    # -- the term end ----------------------------------------------------------------------

    def extend(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        partnership_id = button_id(action)
        partnership = self._services.rhythm.extend(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
        )
        text = (
            f":calendar: Extended: your partnership now runs until "
            f"{slack_date(partnership.ends_at, '{date_long}')}."
        )
        update_container(client, body, text, [section(text)])
        self.deliver()

    def close(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        partnership_id = button_id(action)
        self._services.rhythm.close_now(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
        )
        text = ":checkered_flag: Closed as completed. Your final evaluation is on its way."
        update_container(client, body, text, [section(text)])
        self.deliver()

    # -- /mentor end -----------------------------------------------------------------------

    def open_end(
        self, client: WebClient, *, team_id: str, user_id: str, trigger_id: str, partner: str | None
    ) -> None:
        partnership = self._services.sessions.partnership_for(team_id, user_id, partner)
        self._show_end(client, trigger_id=trigger_id, user_id=user_id, partnership=partnership)

    def _show_end(
        self, client: WebClient, *, trigger_id: str, user_id: str, partnership: Partnership
    ) -> None:
        view = rhythm_blocks.end_modal(
            partner_id=partner_of(partnership, user_id),
            metadata={"partnership_id": partnership.id},
        )
        client.views_open(
            trigger_id=trigger_id, view=self.name_partner(view, partnership, user_id, ask=False)
        )

    def open_end_button(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """ "End the partnership" on the Home tab: the same modal as `/mentor end`."""
        user_id = user_of(context)
        partnership_id = int_or_none(action.get("value"))
        if partnership_id is None:
            raise DomainError("That button is out of date: open the Home tab again.")
        partnership = self._services.sessions.membership(team_of(context), user_id, partnership_id)
        self._show_end(
            client, trigger_id=body["trigger_id"], user_id=user_id, partnership=partnership
        )

    def submit_end(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="reason")
        ended = self._services.rhythm.end(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            reason=form.selected("reason"),
            note=form.text("note"),
        )
        mentee = ended.partnership.mentee_id == (user_of(context))
        next_step = (
            " Would you like a new mentor? I've asked you in our DM."
            if ended.partnership.end_reason == GOALS_REACHED
            else " New mentor suggestions are on their way to you."
        )
        ack(  # in the ack: a name already known, no call to Slack
            response_action="update",
            view=self.name_partner(
                confirmation(
                    "Partnership ended",
                    f"Done: I've let <@{ended.partner_id}> know, kindly and without your reason."
                    + (next_step if mentee else ""),
                ),
                ended.partnership,
                user_of(context),
                ask=False,
            ),
        )

    # -- holidays and the coordinators' mid-term view ---------------------------------------

    def away(self, *, team_id: str, user_id: str, until: date | None) -> str:
        self._services.rhythm.set_away(team_id=team_id, user_id=user_id, until=until)
        if until is None:
            return "Welcome back! Reminders, check-ins and nudges are on again."
        return (
            "Enjoy your time off: no reminders, check-ins or nudges until "
            f"{until.strftime('%A %d %B')}."
        )

    def midterm_text(self, *, team_id: str, user_id: str) -> str:
        if not self._services.rhythm.is_coordinator(user_id, team_id=team_id):
            raise DomainError("Only the program team sees the mid-term totals.")
        summary = self._services.rhythm.midterm_summary(team_id)
        return rhythm_blocks.midterm_summary_text(summary)
