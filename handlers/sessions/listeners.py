"""Weekly sessions in Slack: the schedule modal, skip/move/pause/resume, "did you meet?"."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import dateparser
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.model.partnership import partner_of
from bot.when import LANGUAGES, UnreadableTime, parse_when, zone
from handlers.kit.blocks import escape, slack_date
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, button_id, int_or_none
from handlers.kit.mentions import mentioned, without_mentions
from handlers.kit.people import SlackPerson, open_then_fill, time_zone
from handlers.kit.refusals import SORRY, guarded, refusing
from handlers.kit.replies import confirmation
from handlers.sessions import blocks as session_blocks
from handlers.sessions.forms import read_session_time, rule_from_metadata, rule_metadata
from handlers.sessions.plans import PlanListeners

log = logging.getLogger(__name__)


class SessionHandlers(PlanListeners):
    """The schedule modal and its check, skip and move; pauses and "did you meet?" come
    from ``PlanListeners``."""

    def register(self, app: App) -> None:
        app.view("session_schedule")(ack=guarded("when", self.submit_schedule), lazy=[])
        app.view("session_confirm")(ack=self.submit_confirm, lazy=[self.deliver_after_submit])
        app.view("session_move")(
            ack=guarded("when", self.submit_move), lazy=[self.deliver_after_submit]
        )
        app.action("open_schedule")(ack=self.ack_only, lazy=[refusing(self.open_schedule_button)])
        app.action("session_skip")(ack=self.ack_only, lazy=[refusing(self.skip_button)])
        app.action("session_reschedule")(ack=self.ack_only, lazy=[refusing(self.reschedule_button)])
        app.action("home_session_skip")(
            ack=self.ack_only, lazy=[refusing(self.home_skip, by_dm=True)]
        )
        app.action("home_session_pause")(ack=self.ack_only, lazy=[self.open_pause])
        app.action("home_session_resume")(
            ack=self.ack_only, lazy=[refusing(self.home_resume, by_dm=True)]
        )
        app.view("session_pause")(
            ack=guarded("until", self.submit_pause), lazy=[self.deliver_after_submit]
        )
        for _, action_id, _, _ in session_blocks.CHECK_BUTTONS:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.answer_check)])

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
        sessions = self._services.sessions
        if subcommand == "reminders":
            setting = without_mentions(rest).lower()
            if setting not in ("on", "off"):
                raise DomainError("Say `/mentor reminders on` or `/mentor reminders off`.")
            sessions.set_reminders(team_id=team_id, user_id=user_id, enabled=setting == "on")
            self.deliver()
            respond(
                text="Session reminders are on."
                if setting == "on"
                else "Session reminders are off. `/mentor reminders on` brings them back.",
                response_type="ephemeral",
            )
            return
        partnership = sessions.partnership_for(team_id, user_id, mentioned(rest))
        assert partnership.id is not None
        if subcommand == "schedule":
            self.open_schedule(
                client,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                partnership_id=partnership.id,
            )
            return
        if subcommand == "skip":
            change = sessions.skip(team_id=team_id, user_id=user_id, partnership_id=partnership.id)
            done = "Skipped the next session"
        elif subcommand == "pause":
            until = self._read_date(without_mentions(rest), user_id=user_id, client=client)
            change = sessions.pause(
                team_id=team_id, user_id=user_id, partnership_id=partnership.id, until=until
            )
            done = (
                f"Sessions paused until {until.strftime('%A %d %B')}"
                if change.slot is not None
                else f"Your partnership is paused until {until.strftime('%A %d %B')}"
            )
        else:  # resume
            change = sessions.resume(
                team_id=team_id, user_id=user_id, partnership_id=partnership.id
            )
            done = "Sessions resumed" if change.slot is not None else "Partnership resumed"
        self.deliver()
        upcoming = (
            f" Next: {slack_date(change.next.start, session_blocks.WHEN)}." if change.next else ""
        )
        respond(text=f"{done}; I've told your partner.{upcoming}", response_type="ephemeral")

    def read_date(self, text: str, *, user_id: str, client: WebClient) -> date:
        """A date in the person's own words and time zone (pause, holidays)."""
        return self._read_date(text, user_id=user_id, client=client)

    def _read_date(self, text: str, *, user_id: str, client: WebClient) -> date:
        if not text:
            raise DomainError("Say until when, like `/mentor pause 2026-08-31` or `until Monday`.")
        tz, _ = time_zone(client, user_id)
        cleaned = re.sub(r"^\s*until\s+", "", text, flags=re.IGNORECASE)
        local_now = self._services.clock.now().astimezone(zone(tz)).replace(tzinfo=None)
        parsed = dateparser.parse(
            cleaned,
            languages=LANGUAGES,
            settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": local_now},
        )
        if parsed is None:
            raise DomainError(
                f"I couldn't read '{escape(cleaned)}' as a date: try `/mentor pause 2026-08-31`."
            )
        return parsed.date()

    # -- the schedule modal ----------------------------------------------------------------

    def open_schedule(
        self,
        client: WebClient,
        *,
        team_id: str,
        user_id: str,
        trigger_id: str,
        partnership_id: int,
    ) -> None:
        """Open at once (the trigger lasts 3 s), then ask Slack for the person's zone and
        language and put them in the form, so its submit never waits on Slack."""
        partnership = self._services.sessions.membership(team_id, user_id, partnership_id)
        slot = self._services.sessions.slot(team_id, partnership_id)
        partner = partner_of(partnership, user_id)
        rules = self._services.sessions.rules_of(team_id, partnership)

        def build(person: SlackPerson | None) -> dict[str, Any]:
            tz = person.tz if person else ""
            current = ""
            if slot is not None:
                current = slot.describe(tz, label="your time") if tz else slot.describe()
            view = session_blocks.schedule_modal(
                lengths=rules.session_lengths,
                default_length=slot.duration_minutes if slot else rules.default_session_minutes,
                metadata={"partnership_id": partnership_id}
                | ({"tz": tz, "locale": person.locale} if person else {}),
                partner_id=partner,
                current=current,
                tz=tz,
                every_weeks=rules.session_every_weeks,
            )
            # the partner of another workspace in words: asked of Slack only once it's open
            return self.name_partner(view, partnership, user_id, ask=person is not None)

        open_then_fill(
            client,
            trigger_id=trigger_id,
            user_id=user_id,
            build=build,
            team_id=team_id,
            zones=self._services.zones,
        )

    def open_schedule_button(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        partnership_id = button_id(action)
        self.open_schedule(
            client,
            team_id=team_of(context),
            user_id=user_of(context),
            trigger_id=body["trigger_id"],
            partnership_id=partnership_id,
        )

    def submit_schedule(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Read the rule and show it back in words before anything is saved."""
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="when")
        team_id, user_id = team_of(context), user_of(context)
        sessions = self._services.sessions
        partnership = sessions.membership(team_id, user_id, partnership_id)
        tz = str(form.metadata.get("tz") or sessions.zone_of(team_id, user_id, partnership_id))
        rules = sessions.rules_of(team_id, partnership)
        minutes = int_or_none(form.selected("length")) or rules.default_session_minutes
        when = read_session_time(
            form,
            tz=tz,
            now=self._services.clock.now(),
            locale=str(form.metadata.get("locale") or ""),
            rules=rules,
        )
        preview = sessions.preview(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            when=when,
            minutes=minutes,
        )
        ack(
            response_action="push",
            view=self.name_partner(
                session_blocks.check_modal(
                    preview.slot,
                    first=preview.next.start if preview.next else None,
                    ends_at=preview.ends_at,
                    ignored=when.ignored,
                    partner_id=partner_of(partnership, user_id),
                    metadata={
                        "partnership_id": partnership_id,
                        "rule": rule_metadata(when),
                        "minutes": preview.slot.duration_minutes,
                    },
                ),
                partnership,
                user_id,
                ask=False,  # in the ack: only a name already known
            ),
        )

    def submit_confirm(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Save what the check showed. A refusal now (the pair ended meanwhile, the program
        changed) is said on the check itself: Back returns to the words as typed."""
        form = ViewForm(view)
        try:
            partnership_id = form.partnership_id()
            when = rule_from_metadata(form.metadata.get("rule"))
            change = self._services.sessions.set_time(
                team_id=team_of(context),
                user_id=user_of(context),
                partnership_id=partnership_id,
                when=when,
                minutes=int_or_none(form.metadata.get("minutes")) or 0,
            )
        except DomainError as error:
            ack(response_action="update", view=session_blocks.check_refused(error.message))
            return
        except Exception:  # a bug: said kindly, the words typed are still under Back
            log.exception("saving a session rule failed")
            ack(response_action="update", view=session_blocks.check_refused(SORRY))
            return
        assert change.slot is not None  # setting a time always has one
        first = (
            f"\nFirst one: {slack_date(change.next.start, session_blocks.WHEN)}."
            if change.next
            else ""
        )
        saved = confirmation(
            "Your sessions",
            f":calendar: Saved: {change.slot.describe(when.tz, label='your time')}.{first}\n"
            "I've told your partner and sent you both a calendar invite.",
        )
        ack(response_action="update", view=saved | {"clear_on_close": True})

    def submit_move(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = int_or_none(form.metadata.get("partnership_id"))
        original = form.metadata.get("original_date")
        if partnership_id is None or not isinstance(original, str):
            raise DomainError("This form is out of date; please close it.", field="when")
        sessions = self._services.sessions
        tz = str(
            form.metadata.get("tz")
            or sessions.zone_of(team_of(context), user_of(context), partnership_id)
        )
        locale = str(form.metadata.get("locale") or "")
        try:
            when = parse_when(
                form.text("when"),
                tz=tz,
                now=self._services.clock.now(),
                languages=[locale] if locale else (),
            )
        except UnreadableTime as error:
            raise DomainError(str(error), field="when") from None
        sessions.move_once(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            original_date=date.fromisoformat(original),
            when=when,
        )
        ack(
            response_action="update",
            view=confirmation(
                "Reschedule",
                f"Moved to {slack_date(when.first_start(), session_blocks.WHEN)}. "
                "Your usual rhythm stays as it was.",
            ),
        )

    # -- buttons on reminders and "did you meet?" ------------------------------------------

    def skip_button(self, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        partnership_id, original = _occurrence_value(action)
        if partnership_id is None or original is None:
            raise DomainError("That button is out of date.")
        change = self._services.sessions.skip(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            original_date=original,
        )
        self.deliver()
        upcoming = (
            f" Next: {slack_date(change.next.start, session_blocks.WHEN)}." if change.next else ""
        )
        respond(
            text=f"Skipped this week's session; I've told your partner.{upcoming}",
            replace_original=True,
        )

    def reschedule_button(
        self,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
    ) -> None:
        partnership_id, original = _occurrence_value(action)
        if partnership_id is None or original is None:
            raise DomainError("That button is out of date.")
        partnership = self._services.sessions.membership(
            team_of(context), user_of(context), partnership_id
        )
        user_id = user_of(context)
        partner = partner_of(partnership, user_id)
        rules = self._services.sessions.rules_of(team_of(context), partnership)

        def build(person: SlackPerson | None) -> dict[str, Any]:
            return session_blocks.schedule_modal(
                lengths=rules.session_lengths,
                default_length=rules.default_session_minutes,
                metadata={"partnership_id": partnership_id, "original_date": original.isoformat()}
                | ({"tz": person.tz, "locale": person.locale} if person else {}),
                partner_id=partner,
                title="Reschedule",
                one_off=True,
                tz=person.tz if person else "",
            )

        open_then_fill(
            client,
            trigger_id=body["trigger_id"],
            user_id=user_id,
            build=build,
            team_id=team_of(context),
            zones=self._services.zones,
        )

    # -- from the App Home -----------------------------------------------------------------

    def home_skip(self, action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        partnership_id, original = _occurrence_value(action)
        user_id = user_of(context)
        if partnership_id is None or original is None:
            raise DomainError("That button is out of date: open the Home tab again.")
        self._services.sessions.skip(
            team_id=team_of(context),
            user_id=user_id,
            partnership_id=partnership_id,
            original_date=original,
        )
        self.deliver()
        self._refresh(client, context, partnership_id)


def _occurrence_value(action: dict[str, Any]) -> tuple[int | None, date | None]:
    partnership_part, _, day = str(action.get("value", "")).partition(":")
    try:
        return int_or_none(partnership_part), date.fromisoformat(day)
    except ValueError:
        return None, None
