"""Slack out: turns an outgoing message into Block Kit and posts it, reading Slack's answer.

Slack's answer decides the message's fate: 429 -> try again after ``Retry-After``; 5xx and
connection trouble -> back off and retry; errors that will never change (the person left, the
channel is gone) -> failed with the reason, never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from bot.model.kinds import Kind
from bot.model.messages import InPlace, Unreadable
from bot.model.messages.closing import ExitNote
from bot.model.messages.coordination import (
    ProgramReport,
)
from bot.model.messages.rhythm import (
    PairForTeam,
)
from bot.model.messages.sessions import (
    SessionInvite,
)
from bot.model.outbox import OutgoingMessage
from bot.ports import SendOutcome, SendResult
from bot.sessions.calendar import Attendee, session_invite
from handlers.coordination import report_blocks
from handlers.coordination.progress import SlackPlanningBoard
from handlers.kit import blocks
from handlers.kit.names import PeopleNames
from handlers.posting import SlackPosting
from handlers.rendering import (
    HOME_CHANGES,
    RENDERERS,
    STEPS,
    UPLOADS,
    Rendered,
    people_across,
    post_args,
)
from handlers.sessions import blocks as session_blocks

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "cannot_dm_bot",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "not_allowed_token_type",
        "invalid_auth",
        "token_revoked",
        "team_access_not_granted",
        "missing_scope",
        "no_permission",
    }
)

# An edit in place (``InPlace``) that finds its message gone, or no longer the bot's to edit,
# is posted as a new message instead: the news matters more than where it appears.
EDIT_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})

# A message in doubt (its dispatcher stopped mid-send) is looked for among the conversation's
# latest messages: leases are minutes long, so it is recent if Slack has it at all.
LOOKBACK = 100


def classify(error: SlackApiError) -> SendResult:
    status = error.response.status_code
    code = str(error.response.get("error", "")) if isinstance(error.response.data, dict) else ""
    if status == 429:
        retry_after = float(error.response.headers.get("Retry-After", "") or 1)
        return SendResult(SendOutcome.RETRY, error="ratelimited", retry_after=retry_after)
    if status >= 500:
        return SendResult(SendOutcome.RETRY, error=f"http {status}")
    if code in PERMANENT_ERRORS:
        return SendResult(SendOutcome.FAILED, error=code)
    return SendResult(SendOutcome.RETRY, error=code or f"http {status}")


STALE_TOKEN_ERRORS = frozenset({"token_revoked", "invalid_auth"})
"""With per-workspace tokens these may mean a newer token exists: retried after a lookup. A
workspace really removed has its pending messages cancelled, and a retry ends at
``not_installed`` once its installation is gone."""

NOT_INSTALLED = "not_installed"
"""A message for a workspace with no installation (removed, or never installed): failed."""


class SlackMessenger:
    def __init__(
        self,
        client_for: Callable[[str], WebClient | None],
        *,
        token_changed: Callable[[str], None] | None = None,
    ) -> None:
        self._client_for = client_for
        self._token_changed = token_changed
        """Set with per-workspace tokens: a refused token may just be stale (the workspace
        was installed again on another replica), so the client is dropped and the message
        retried, rather than failed for good."""
        self.names = PeopleNames(client_for)
        """Names of people of other workspaces, for a pair across workspaces."""
        self.planning = SlackPlanningBoard(client_for)
        """A cohort's progress, drawn on its "working it out" message while its job runs."""
        self.refresh_home: Callable[[WebClient, str, str], None] | None = None
        """Set at start-up: republishes a person's Home tab after a celebration reaches them."""
        self.pair_channel_setup: Callable[[OutgoingMessage], SendResult] | None = None
        """Set at start-up: a pair channel's Slack Connect steps (``bot.pair_channels``), sent
        from the outbox like a message so no transaction is open while Slack answers."""

    def client_for(self, team_id: str) -> WebClient | None:
        return self._client_for(team_id)

    def send(self, message: OutgoingMessage) -> SendResult:
        if message.kind in STEPS:
            if self.pair_channel_setup is None:
                return SendResult(SendOutcome.FAILED, error="no pair channel service")
            return self.pair_channel_setup(message)
        client = self._client_for(message.team_id)
        if client is None:
            log.warning(
                "no installation for workspace %s: %s not sent", message.team_id, message.key
            )
            return SendResult(SendOutcome.FAILED, error=NOT_INSTALLED)
        try:
            if message.kind == Kind.SESSION_INVITE:
                return self._upload_invite(client, message)
            if message.kind == Kind.PROGRAM_REPORT_FILES:
                return self._upload_report_files(client, message)
            if isinstance(message.payload, Unreadable):
                return SendResult(SendOutcome.FAILED, error="unreadable payload")
            renderer = RENDERERS.get(message.kind)
            if renderer is None:
                return SendResult(SendOutcome.FAILED, error=f"no renderer for {message.kind}")
            text, message_blocks = self._names_across(message, *renderer(message.payload))
            posted = self._edited(client, message, text, message_blocks)
            if posted is None:  # a group DM's conversation is opened only to post in it
                channel = self._channel(client, message.recipient)
                arguments = post_args(message, channel, text, message_blocks)
                posted = client.chat_postMessage(**arguments)
        except Exception as error:
            return self.refused(message, error)
        return self.posted(client, message, posted)

    def refused(self, message: OutgoingMessage, error: Exception) -> SendResult:
        """What a call that raised means for the message (re-raised if it is no Slack or
        connection error: a bug, for the dispatcher to report)."""
        if isinstance(error, SlackApiError):
            result = classify(error)
            if self._token_changed is not None and result.error in STALE_TOKEN_ERRORS:
                self._token_changed(message.team_id)
                return SendResult(SendOutcome.RETRY, error=result.error)
            return result
        if isinstance(error, SlackClientError | OSError):  # refused, reset, timed out
            return SendResult(
                SendOutcome.RETRY, error=f"connection: {type(error).__name__}", uncertain=True
            )
        raise error

    def posted(self, client: WebClient, message: OutgoingMessage, posted: Any) -> SendResult:
        if message.kind in HOME_CHANGES and self.refresh_home is not None:
            try:  # the Home tab shows it too; a failure here is not the message's
                self.refresh_home(client, message.team_id, message.recipient)
            except Exception:
                log.exception("refreshing the Home tab of %s failed", message.recipient)
        return SendResult(
            SendOutcome.SENT, channel=str(posted.get("channel", "")), ts=str(posted.get("ts", ""))
        )

    def posting(self) -> SlackPosting:
        """Posts in flight from the dispatching thread (``handlers.posting``)."""
        return SlackPosting(self)

    @staticmethod
    def _edited(
        client: WebClient, message: OutgoingMessage, text: str, drawn: list[blocks.Block]
    ) -> SlackResponse | None:
        """An ``InPlace`` message drawn over the one it replaces (``chat.update`` carries
        the key too, so ``find_sent`` finds either); None where there is none to draw over,
        or it is gone: then it is posted."""
        payload = message.payload
        if not (isinstance(payload, InPlace) and payload.channel and payload.ts):
            return None
        try:
            return client.chat_update(
                channel=payload.channel,
                ts=payload.ts,
                text=blocks.truncate(text, 3000),
                blocks=drawn[: blocks.MESSAGE_BLOCKS_MAX],
                metadata={"event_type": "mentorbot_message", "event_payload": {"key": message.key}},
            )
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else ""
            if code in EDIT_GONE:
                log.info(
                    "%s/%s can't be edited (%s): posted anew", payload.channel, payload.ts, code
                )
                return None
            raise

    def _names_across(
        self, message: OutgoingMessage, text: str, rendered: list[blocks.Block]
    ) -> Rendered:
        """A message about someone of another workspace (a partner across workspaces; either
        of a pair, to the program team) names them in plain words (``handlers.kit.names``):
        their mention would not resolve here."""
        people = people_across(message, text, rendered)
        if not people:
            return text, rendered
        payload = message.payload
        # the program team reads who is who, each with their company's name
        team_reads = isinstance(payload, PairForTeam | ProgramReport | ExitNote) or (
            message.kind is Kind.DM_NOTE_TO_TEAM
        )
        return self.names.named((text, rendered), people, companies=team_reads)

    def find_sent(self, message: OutgoingMessage) -> SendResult | None:
        """Look for the message's key in its conversation (each post carries it as metadata).

        Slack's chat.postMessage has no idempotency key, so after a crash between Slack's
        answer and the outbox update this is the only way to know. Needs the history scopes
        of the conversation (``im:``, ``mpim:``, ``channels:``, ``groups:history``); without
        them, or for an invite (a file carries no key), the answer is "don't know" and the
        message is sent again.

        Channels (announcements, shout-outs) are looked in too, with ``channels:history`` and
        ``groups:history``: an announcement posted twice to a whole program is worse than
        the bot reading the channels it was invited to. A test holds these to the manifest.
        """
        if message.kind in UPLOADS or message.kind in STEPS:
            return None  # the set-up keeps its own steps: run again, it skips what was done
        client = self._client_for(message.team_id)
        if client is None:
            return None
        try:
            channel = self._conversation(client, message.recipient)
            history = client.conversations_history(
                channel=channel, limit=LOOKBACK, include_all_metadata=True
            )
        except (SlackClientError, OSError) as error:
            log.warning(
                "can't tell whether %s reached Slack (%s): sending it again", message.key, error
            )
            return None
        for posted in history.get("messages") or []:
            metadata = posted.get("metadata") if isinstance(posted, dict) else None
            payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
            if isinstance(payload, dict) and payload.get("key") == message.key:
                return SendResult(SendOutcome.SENT, channel=channel, ts=str(posted.get("ts", "")))
        return None

    @staticmethod
    def _conversation(client: WebClient, recipient: str) -> str:
        """The conversation a post to ``recipient`` lands in: a user's DM with the bot, a
        group DM, or the channel itself."""
        if "," in recipient or recipient[:1] in ("U", "W"):
            return str(client.conversations_open(users=recipient)["channel"]["id"])
        return recipient

    def _upload_invite(self, client: WebClient, message: OutgoingMessage) -> SendResult:
        payload = message.payload_as(SessionInvite)
        people = [
            self._attendee(self._client_for(team or message.team_id) or client, person)
            for person, team in (
                (payload.mentee_id, payload.mentee_team_id),
                (payload.mentor_id, payload.mentor_team_id),
            )
        ]
        content = session_invite(
            payload.slot,
            attendees=people,
            title=f"Mentoring: {people[0].name} & {people[1].name}",
            description=session_blocks.invite_description(payload.slot, until=payload.until),
            stamp=payload.set_at,
            until=payload.until,
        )
        channel = self._conversation(client, message.recipient)  # files need the DM's ID
        client.files_upload_v2(
            channel=channel,
            content=content,
            filename="mentoring-session.ics",
            title="Mentoring session (calendar invite)",
            initial_comment=session_blocks.invite_comment(
                payload, reader="" if "," in message.recipient else message.recipient
            ),
        )
        return SendResult(SendOutcome.SENT, channel=channel)

    @staticmethod
    def _upload_report_files(client: WebClient, message: OutgoingMessage) -> SendResult:
        """A report's chart and CSV: files need the DM's ID, not the person's."""
        channel = SlackMessenger._conversation(client, message.recipient)
        report = message.payload_as(ProgramReport)
        client.files_upload_v2(channel=channel, file_uploads=report_blocks.report_files(report))
        return SendResult(SendOutcome.SENT, channel=channel)

    def time_zone(self, team_id: str, user_id: str) -> str | None:
        """Their zone from their Slack profile (``bot.ports.TimeZones``), asked by the
        dispatcher for a message it may hold; None if Slack can't say."""
        client = self._client_for(team_id)
        if client is None:
            return None
        try:
            user = client.users_info(user=user_id)["user"]
        except (SlackClientError, OSError) as error:
            log.warning("users.info for %s failed: %s", user_id, error)
            return None
        return str(user.get("tz") or "") or None

    @staticmethod
    def _attendee(client: WebClient, user_id: str) -> Attendee:
        """Their name and email as their own workspace says (``client`` is its token's: in a
        pair across workspaces, the partner's workspace is the only one that knows them)."""
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError:
            return Attendee(name=user_id, address=f"urn:x-slack:user:{user_id}")
        profile = user.get("profile") or {}
        name = str(profile.get("real_name") or user.get("real_name") or user.get("name") or user_id)
        email = profile.get("email")
        address = f"mailto:{email}" if email else f"urn:x-slack:user:{user_id}"
        return Attendee(name=name, address=address)

    @staticmethod
    def _channel(client: WebClient, recipient: str) -> str:
        """A user ID posts to the bot's DM with them; several users share a group DM."""
        if "," not in recipient:
            return recipient
        opened = client.conversations_open(users=recipient)
        return str(opened["channel"]["id"])
