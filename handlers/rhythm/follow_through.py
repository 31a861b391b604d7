"""The fit check's and the quiet-pair ladder's buttons: each answer replaces the buttons it
came from (``chat.update``), and the person's Home tab shows their next step afterwards."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.sessions import SessionOutcome
from bot.rhythm.service import FitAnswered
from bot.services import Services
from bot.sessions.service import parse_stamp
from bot.when import SessionTime, zone
from handlers.home import HomePublisher
from handlers.kit.blocks import section
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import button_id, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.people import time_zone
from handlers.kit.refusals import refusing
from handlers.kit.updates import update_container
from handlers.rhythm import fit_blocks, ladder_blocks


def pair_round(value: Any) -> tuple[int, int]:
    first, _, second = str(value or "").partition(":")
    partnership_id, round_no = int_or_none(first), int_or_none(second)
    if partnership_id is None or round_no is None:
        raise DomainError("That button is out of date.")
    return partnership_id, round_no


def fit_answered(answered: FitAnswered, value: str) -> tuple[str, list[Any]]:
    return fit_blocks.fit_answered_message(
        partner_id=answered.partner_id,
        answer=answered.answer,
        value=value,
        flagged=answered.flagged,
    )


class FollowThroughHandlers(Listeners):
    def __init__(self, services: Services, homes: HomePublisher) -> None:
        super().__init__(services)
        self._homes = homes

    def register(self, app: App) -> None:
        for action_id in fit_blocks.FIT_ACTIONS:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.answer_fit)])
        app.action("fit_close")(ack=self.ack_only, lazy=[refusing(self.close_for_fit)])
        app.action("fit_again")(ack=self.ack_only, lazy=[refusing(self.ask_again)])
        app.action("quiet_met")(ack=self.ack_only, lazy=[refusing(self.we_met)])
        app.action("quiet_book")(ack=self.ack_only, lazy=[refusing(self.book)])
        app.action("quiet_continue")(ack=self.ack_only, lazy=[refusing(self.go_on)])

    # -- the fit check ----------------------------------------------------------------------

    def answer_fit(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        value = str(action.get("value") or "")
        partnership_id, round_no = pair_round(value)
        team_id, user_id = team_of(context), user_of(context)
        answered = self._services.rhythm.answer_fit(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            round_no=round_no,
            answer=fit_blocks.FIT_ACTIONS[str(action["action_id"])].value,
        )
        text, blocks = self.name_partners_of(fit_answered(answered, value), team_id, user_id)
        update_container(client, body, text, blocks)
        if answered.flagged:
            self.deliver()
        self._homes.publish(client, team_id, user_id)

    def close_for_fit(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """One click: ended as `/mentor end` ends it ("the fit isn't there"), no note."""
        partnership_id, _ = pair_round(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        ended = self._services.rhythm.end(
            team_id=team_id, user_id=user_id, partnership_id=partnership_id, reason="fit"
        )
        self.deliver()
        text, blocks = self.name_partner(
            fit_blocks.fit_closed_message(
                partner_id=ended.partner_id, mentee=ended.partnership.mentee_id == user_id
            ),
            ended.partnership,
            user_id,
        )
        update_container(client, body, text, blocks)
        self._homes.publish_pair(client, team_id, user_id, partnership_id)

    def ask_again(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        partnership_id, round_no = pair_round(action.get("value"))
        self._services.rhythm.ask_again(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            round_no=round_no,
        )
        text, blocks = fit_blocks.fit_again_message()
        update_container(client, body, text, blocks)

    # -- the ladder -------------------------------------------------------------------------

    def we_met(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """ "We met" on a nudge: a session met now (they met without a plan)."""
        partnership_id = button_id(action)
        team_id, user_id = team_of(context), user_of(context)
        now = self._services.clock.now().replace(second=0, microsecond=0)
        recorded = self._services.sessions.record(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            start=now,
            outcome=SessionOutcome.MET,
        )
        self.deliver()
        partnership = self._services.sessions.membership(team_id, user_id, partnership_id)
        partner = (
            partnership.mentee_id if user_id == partnership.mentor_id else partnership.mentor_id
        )
        text, blocks = self.name_partner(
            ladder_blocks.quiet_met_message(partner), partnership, user_id
        )
        update_container(client, body, text, blocks)
        if recorded.first:
            self._homes.publish_pair(client, team_id, user_id, partnership_id)

    def book(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """ "Meet then": the proposed time, once, in the clicker's zone (their weekly rule,
        if they have one, stays: only its next session moves)."""
        first, _, rest = str(action.get("value") or "").partition(":")
        at, _, length = rest.partition(":")
        partnership_id, minutes = int_or_none(first), int_or_none(length)
        try:
            start = parse_stamp(at)
        except ValueError:
            start = None
        if partnership_id is None or minutes is None or start is None:
            raise DomainError("That button is out of date.")
        team_id, user_id = team_of(context), user_of(context)
        tz, _ = time_zone(client, user_id)
        local = start.astimezone(zone(tz))
        when = SessionTime(
            tz=tz or "UTC",
            local_time=local.time().replace(tzinfo=None),
            first_date=local.date(),
            every_weeks=0,
            weekday=local.weekday(),
        )
        sessions = self._services.sessions
        if sessions.slot(team_id, partnership_id) is None:
            sessions.set_time(
                team_id=team_id,
                user_id=user_id,
                partnership_id=partnership_id,
                when=when,
                minutes=minutes,
            )
        else:
            sessions.move_once(
                team_id=team_id,
                user_id=user_id,
                partnership_id=partnership_id,
                original_date=None,
                when=when,
            )
        self.deliver()
        text, blocks = ladder_blocks.quiet_booked_message(start)
        update_container(client, body, text, blocks)
        self._homes.publish_pair(client, team_id, user_id, partnership_id)

    def go_on(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """ "We'll continue" (a partner) or "Let them continue" (a coordinator)."""
        partnership_id = button_id(action)
        team_id, user_id = team_of(context), user_of(context)
        partnership = self._services.rhythm.go_on(
            team_id=team_id, user_id=user_id, partnership_id=partnership_id
        )
        if partnership.includes(team_id, user_id):
            text, blocks = ladder_blocks.quiet_continued_message()
        else:
            text = (
                f"Noted: <@{partnership.mentee_id}> and <@{partnership.mentor_id}> continue; "
                "the quiet-pair ladder starts again."
            )
            blocks = [section(text)]
        update_container(client, body, text, blocks)
        self._homes.publish(client, team_id, user_id)
