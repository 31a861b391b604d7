"""What people write to the bot in its DM: acked at once, read and answered after the ack.

Requests go to the same listeners and services as their slash commands (``/mentor skip``,
``pause``, ``resume``); answers to prompts to the same services as their buttons.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookResponse

from bot.conversation.service import Draft, Intent, Reading
from bot.errors import DomainError
from bot.model.partnership import partner_of
from bot.services import Services
from bot.sessions.service import Recorded
from bot.when import UnreadableTime, parse_when
from handlers import help
from handlers.conversation import blocks as conversation_blocks
from handlers.kit.blocks import Block, slack_date
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.listeners import Listeners
from handlers.kit.people import slack_person
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation
from handlers.kit.updates import update_message
from handlers.rhythm.follow_through import fit_answered
from handlers.sessions import blocks as session_blocks
from handlers.sessions.checks import redraw_checks
from handlers.sessions.listeners import SessionHandlers

T = TypeVar("T")
log = logging.getLogger(__name__)


def from_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's new message in the bot's DM: not a bot's, not an edit, not in a thread."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and not event.get("thread_ts")
        and isinstance(event.get("user"), str)
        and event.get("user") != bot_user_id
        and isinstance(event.get("text"), str)
    )


class PostInDm(Respond):
    """``respond`` for a slash command's listener, answering in the DM instead: a message
    event has no response URL."""

    def __init__(self, client: WebClient, channel: str) -> None:
        super().__init__(response_url=None)
        self._client = client
        self._channel = channel

    def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", blocks: Any = None, **_: Any
    ) -> WebhookResponse:
        self._client.chat_postMessage(channel=self._channel, text=str(text), blocks=blocks)
        return WebhookResponse(url="", status_code=200, body="", headers={})


class ConversationHandlers(Listeners):
    def __init__(
        self,
        services: Services,
        *,
        sessions: SessionHandlers,
    ) -> None:
        super().__init__(services)
        self._sessions = sessions

    def register(self, app: App) -> None:
        # a refusal is answered in the DM: that is where the person is talking to the bot
        app.event("message")(ack=self.ack_only, lazy=[refusing(self.heard, by_dm=True)])
        for _, action_id, _ in conversation_blocks.CHOICES:
            app.action(action_id)(ack=self.ack_only, lazy=[refusing(self.choose, by_dm=True)])
        app.action("conversation_help")(ack=self.ack_only, lazy=[self.help_button])
        app.action("conversation_write")(ack=self.ack_only, lazy=[self.open_write])
        app.view("conversation_write")(
            ack=guarded("text", self.submit_write), lazy=[self.after_write]
        )

    # -- a message in the DM ---------------------------------------------------------------

    def heard(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if not from_a_person(event, context.bot_user_id):
            return
        team_id, user_id = team_of(context), str(event["user"])
        channel = str(event.get("channel") or user_id)
        respond = PostInDm(client, channel)
        reading = self._services.conversation.read(
            team_id=team_id, user_id=user_id, text=str(event["text"])
        )
        self._answer(reading, client=client, respond=respond, team_id=team_id, user_id=user_id)

    def _answer(
        self, reading: Reading, *, client: WebClient, respond: Respond, team_id: str, user_id: str
    ) -> None:
        intent = reading.intent
        if intent in (Intent.SKIP, Intent.PAUSE, Intent.RESUME):
            self._sessions.command(
                intent.value,
                reading.when,
                client=client,
                respond=respond,
                team_id=team_id,
                user_id=user_id,
                trigger_id="",
            )
        elif intent is Intent.PULSE:
            self._pulse(reading, respond=respond, team_id=team_id, user_id=user_id)
        elif intent is Intent.FIT:
            self._fit(reading, client=client, respond=respond, team_id=team_id, user_id=user_id)
        elif intent is Intent.MET:
            self._met(reading, client=client, respond=respond, team_id=team_id, user_id=user_id)
        elif intent is Intent.RESCHEDULE:
            self._reschedule(
                reading, client=client, respond=respond, team_id=team_id, user_id=user_id
            )
        elif intent is Intent.END:
            partnership = self._services.sessions.partnership_for(team_id, user_id)
            assert partnership.id is not None
            text, blocks = conversation_blocks.end_confirm(
                partnership.id, partner_of(partnership, user_id)
            )
            respond(text=text, blocks=blocks)
        elif intent is Intent.HELP:
            text, blocks = self._help(team_id, user_id)
            respond(text=text, blocks=blocks)
        elif intent is Intent.NOTE:
            assert reading.prompt is not None
            draft = Draft(
                text=reading.text,
                prompt=reading.prompt.kind,
                partnership_id=reading.prompt.partnership_id,
            )
            value = conversation_blocks.encode_draft(draft)
            if value is None:
                respond(text=conversation_blocks.too_long(len(reading.text)))
                return
            text, blocks = conversation_blocks.got_it(value)
            respond(text=text, blocks=blocks)
        else:
            value = conversation_blocks.encode_draft(Draft(text=reading.text))
            text, blocks = conversation_blocks.unclear(value if reading.text else None)
            respond(text=text, blocks=blocks)

    def _pulse(self, reading: Reading, *, respond: Respond, team_id: str, user_id: str) -> None:
        assert reading.prompt is not None and reading.score is not None
        if reading.round_no is None:
            raise DomainError("That check-in is out of date: its buttons still work.")
        answer = self._services.rhythm.answer_pulse(
            team_id=team_id,
            user_id=user_id,
            partnership_id=reading.prompt.partnership_id,
            round_no=reading.round_no,
            score=reading.score,
        )
        self.deliver()
        extra = " The program team will reach out kindly." if answer.flagged else ""
        respond(text=f"Thanks: you rated your partnership {reading.score}/5.{extra}")

    def _fit(
        self,
        reading: Reading,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
    ) -> None:
        """The fit check answered in words: the question shows the answer in its place, as
        after a click, and the reply says so."""
        assert reading.prompt is not None and reading.fit is not None
        if reading.round_no is None:
            raise DomainError("That question is out of date: its buttons still work.")
        answered = self._services.rhythm.answer_fit(
            team_id=team_id,
            user_id=user_id,
            partnership_id=reading.prompt.partnership_id,
            round_no=reading.round_no,
            answer=reading.fit.value,
        )
        if answered.flagged:
            self.deliver()
        text, blocks = fit_answered(answered, f"{reading.prompt.partnership_id}:{reading.round_no}")
        if reading.prompt.channel and reading.prompt.ts:
            update_message(client, reading.prompt.channel, reading.prompt.ts, text, blocks)
        respond(text=f"Noted: {reading.fit.label.lower()}. Thank you for telling me.")

    def _met(
        self,
        reading: Reading,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
    ) -> None:
        assert reading.prompt is not None and reading.outcome is not None
        partnership_id = reading.prompt.partnership_id
        start = reading.session_start
        if start is None:
            raise DomainError("That check-in is out of date: its buttons still work.")
        recorded = self._services.sessions.record(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership_id,
            start=start,
            outcome=reading.outcome,
        )
        self.deliver()
        self._redraw_checks(client, recorded, team_id=team_id, partnership_id=partnership_id)
        when = slack_date(recorded.log.occurrence_start, session_blocks.WHEN)
        if not recorded.first:
            respond(text=f"Your partner already answered for {when}; their answer stands.")
        elif recorded.log.outcome.value == "met":
            respond(text=f":white_check_mark: Noted: you met {when}.")
        else:
            respond(text=f"Noted: you didn't meet {when}. The next one is still planned.")

    def _redraw_checks(
        self, client: WebClient, recorded: Recorded, *, team_id: str, partnership_id: int
    ) -> None:
        """Both "did you meet?" messages show the answer, as after a click on them."""
        redraw_checks(
            self._services,
            self.clients,
            client,
            recorded,
            team_id=team_id,
            partnership_id=partnership_id,
        )

    def _reschedule(
        self,
        reading: Reading,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
    ) -> None:
        partnership = self._services.sessions.partnership_for(team_id, user_id)
        assert partnership.id is not None
        person = slack_person(client, user_id, team_id=team_id, zones=self._services.zones)
        try:
            when = parse_when(
                reading.when,
                tz=person.tz,
                now=self._services.clock.now(),
                languages=[person.locale] if person.locale else (),
            )
        except UnreadableTime as error:
            raise DomainError(str(error)) from None
        self._services.sessions.move_once(
            team_id=team_id,
            user_id=user_id,
            partnership_id=partnership.id,
            original_date=None,
            when=when,
        )
        self.deliver()
        respond(
            text=f"Moved to {slack_date(when.first_start(), session_blocks.WHEN)}; I've told "
            "your partner. Your usual rhythm stays as it was."
        )

    def _help(self, team_id: str, user_id: str) -> tuple[str, list[Block]]:
        """`/mentor help`, for their role."""
        coordinator = self._services.coordination.is_coordinator(user_id, team_id=team_id)
        return help.help_blocks(coordinator=coordinator)

    # -- the author's choice ---------------------------------------------------------------

    def choose(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id, user_id = team_of(context), user_of(context)
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or user_id)
        ts = str(container.get("message_ts") or "")
        audience = conversation_blocks.AUDIENCE_OF[action["action_id"]]
        draft = conversation_blocks.decode_draft(str(action.get("value", "")))
        if draft is None:
            raise DomainError("That button is out of date.")
        kept = self._services.conversation.keep(
            team_id=team_id, user_id=user_id, draft=draft, audience=audience
        )
        self.deliver()
        text = conversation_blocks.kept(
            audience,
            arrived=self._services.conversation.arrived_in(
                list(zip(kept.teams, kept.keys, strict=True))
            ),
            recipients=len(kept.recipients),
        )
        if ts:
            try:  # the buttons go, and with them the draft they held
                client.chat_update(channel=channel, ts=ts, text=text, blocks=[])
                return
            except SlackApiError as error:
                log.warning(
                    "chat.update %s/%s failed: %s", channel, ts, error.response.get("error")
                )
        client.chat_postMessage(channel=channel, text=text)

    def help_button(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        container = body.get("container") or {}
        text, blocks = self._help(team_of(context), user_of(context))
        client.chat_postMessage(
            channel=str(container.get("channel_id") or context.user_id), text=text, blocks=blocks
        )

    # -- the program team answers ----------------------------------------------------------

    def open_write(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        team_id, user_id = team_of(context), user_of(context)
        author_team, note_id = conversation_blocks.read_reference(str(action.get("value", "")))
        container = body.get("container") or {}
        author = (
            self._services.conversation.author_for_team(
                team_id, note_id, reader=user_id, author_team=author_team
            )
            if note_id is not None
            else None
        )
        if author is None or note_id is None:
            client.chat_postMessage(channel=user_id, text="That message is no longer there.")
            return
        elsewhere = {author: author_team} if author_team and author_team != team_id else {}
        client.views_open(
            trigger_id=body["trigger_id"],
            view=self.clients.names.named(
                conversation_blocks.write_modal(
                    note_id,
                    author_id=author,
                    author_team=author_team,
                    channel=str(container.get("channel_id") or ""),
                    ts=str(container.get("message_ts") or ""),
                ),
                elsewhere,
            ),
        )

    def submit_write(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        note = self._services.conversation.answer_from_team(
            team_id=team_of(context),
            coordinator_id=user_of(context),
            note_id=int_or_none(form.metadata.get("note_id")) or 0,
            text=form.text("text"),
            author_team=str(form.metadata.get("author_team") or ""),
        )
        ack(
            response_action="update",
            view=self._author_named(
                form,
                team_of(context),
                confirmation(
                    "Write to them", f"Sent to <@{note.author_id}>, from the program team."
                ),
                ask=False,
            ),
        )

    def _author_named(self, form: ViewForm, team_id: str, value: T, *, ask: bool = True) -> T:
        """``value`` with the note's author named in words when they are of another
        workspace (a member's person, read by the host's coordinator)."""
        author, team = (
            str(form.metadata.get("author_id", "")),
            str(form.metadata.get("author_team") or ""),
        )
        if not author or not team or team == team_id:
            return value
        return self.clients.names.named(value, {author: team}, ask=ask)

    def after_write(self, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Delivered now, and kept in the thread of the note it answers, for the team to see."""
        self.deliver()
        form = ViewForm(view)
        channel, ts = str(form.metadata.get("channel", "")), str(form.metadata.get("ts", ""))
        if (
            not channel
            or not ts
            or not self._services.conversation.may_answer(
                team_of(context), user_of(context), form.text("text")
            )
        ):
            return  # refused in the submit: the modal showed why
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=ts,
                text=self._author_named(
                    form,
                    team_of(context),
                    conversation_blocks.answered_in_thread(
                        str(form.metadata.get("author_id", "")), form.text("text")
                    ),
                ),
            )
        except SlackApiError as error:
            log.warning("thread answer %s/%s failed: %s", channel, ts, error.response.get("error"))
