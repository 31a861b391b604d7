"""A pair across workspaces gets its own Slack Connect channel, or is told kindly why not.

When a partnership whose two people live in different workspaces starts, the start hook
(``plan_pair_channel``) queues one set-up message, keyed by the partnership, so a start handled
twice plans it once. The outbox delivers it after the ack like any message (the messenger hands
it to ``run_setup``, outside any transaction, so no database lock is held while Slack answers;
429 and 5xx are the dispatcher's retries, ``Retry-After`` honoured), and it takes Slack
Connect's steps in the workspace that hosts the channel: ``conversations.create`` (private),
``conversations.invite`` for the pair's person there, ``conversations.inviteShared`` for the
partner (by the email their own workspace gives, else by user ID). Each step's result is stored
in its own short transaction before the next is asked, and a step already done is never asked
again, so a run after a 429, a 5xx or a crash never makes a second channel for one pair.

Slack then tells the bot what the partner (and the admins) did, as events:
``shared_channel_invite_accepted`` (``approval_required`` says whether an admin must still
approve), ``shared_channel_invite_approved``, ``shared_channel_invite_declined``, and
``channel_id_changed`` when sharing gives the channel a new ID. When both are in, the bot
welcomes them in the channel. Whenever the channel cannot be (a free plan, a scope the install
lacks, a workspace policy, a decline), each person hears it in their own DM, with the reason in
plain words, and the pair goes on as every pair does: through their DMs with the bot and the
calendar invite, which names both people's email addresses. Nothing else waits on the channel.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

from bot.clock import Clock
from bot.model.kinds import Kind
from bot.model.messages.pair_channels import (
    PairChannelFallback,
    PairChannelSetup,
    PairChannelWelcome,
)
from bot.model.outbox import OutgoingMessage
from bot.model.pair_channels import PairChannel, PairChannelStatus
from bot.model.partnership import Partnership
from bot.model.rules import ProgramRules
from bot.ports import (
    ConnectAnswer,
    OutboxWork,
    PairChannelWork,
    SendOutcome,
    SendResult,
    SlackConnect,
)

log = logging.getLogger(__name__)

KEY_PREFIX = "pair-channel:"
MAX_ATTEMPTS = 5  # runs Slack asked to wait for; then the pair falls back like any failure
# (under the dispatcher's own limit, so the pair is always told)
UNAVAILABLE = "unavailable"  # this process has no way to reach Slack Connect (a bench, a CLI)
ALREADY_THERE = frozenset({"already_in_channel"})
"""Answers to ``conversations.invite`` that mean the step is done: it was, on an earlier run."""


def channel_host(partnership: Partnership) -> tuple[str, str, str, str]:
    """Where the channel lives and who is invited: (host team, host person, partner's team,
    partner). The program's workspace hosts it when one of the pair lives there (its rules,
    its admins); else the mentee's own."""
    if partnership.mentor_team_id == partnership.team_id:
        return (
            partnership.mentor_team_id,
            partnership.mentor_id,
            partnership.mentee_team_id,
            partnership.mentee_id,
        )
    return (
        partnership.mentee_team_id,
        partnership.mentee_id,
        partnership.mentor_team_id,
        partnership.mentor_id,
    )


def plan_pair_channel(uow: OutboxWork, partnership: Partnership, _rules: ProgramRules) -> None:
    """``PartnershipEvents.started``: a pair across workspaces gets the set-up job, once."""
    if not partnership.across_workspaces or partnership.id is None:
        return
    uow.outbox.add(
        OutgoingMessage(
            team_id=channel_host(partnership)[0],
            kind=Kind.PAIR_CHANNEL_SETUP,
            recipient="",
            key=f"{KEY_PREFIX}{partnership.team_id}:{partnership.id}:setup",
            due_at=partnership.started_at,
            payload=PairChannelSetup(partnership_id=partnership.id),
        )
    )


def channel_name(host_name: str, partner_name: str, partnership_id: int) -> str:
    """``mentoring-ada-grace-42``: Slack's rules (lowercase letters, digits, hyphens; at most
    80), the pair's first names without accents (a name in another script is left out), and
    the partnership's ID so two pairs never share a name."""

    def part(name: str) -> str:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        words = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
        return words.split("-")[0][:20] if words else ""

    names = [n for n in (part(host_name), part(partner_name)) if n]
    return "-".join(["mentoring", *names, str(partnership_id)])[:80]


def plan_pair_channel_closing(
    uow: OutboxWork, partnership: Partnership, _members: tuple[str, ...], now: datetime
) -> None:
    """``PartnershipEvents.finished``: a pair across workspaces' channel gets its closing
    job, once (keyed by the partnership); the job finds whether there is a channel at all."""
    if not partnership.across_workspaces or partnership.id is None:
        return
    uow.outbox.add(
        OutgoingMessage(
            team_id=channel_host(partnership)[0],
            kind=Kind.PAIR_CHANNEL_SETUP,
            recipient="",
            key=f"{KEY_PREFIX}{partnership.team_id}:{partnership.id}:closing",
            due_at=now,
            payload=PairChannelSetup(partnership_id=partnership.id, closing=True),
        )
    )


GOODBYE_POSTED = "goodbye_posted"  # the closing job's first step, kept in ``reason``


class PairChannels:
    """The channel's set-up (sent from the outbox) and Slack's events about its invitation."""

    def __init__(
        self,
        *,
        uow: Callable[[], PairChannelWork],
        clock: Clock,
        slack: SlackConnect | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._slack = slack

    # -- the set-up, sent from the outbox ----------------------------------------------------

    def run_setup(self, message: OutgoingMessage) -> SendResult:
        """The set-up message's delivery (the messenger hands it here, after the ack, outside
        any transaction): the next steps, each stored in its own short transaction as soon as
        Slack answers it. Slack busy (429, 5xx) is a retry for the dispatcher, which waits for
        ``Retry-After``; anything else Slack refuses ends in the fallback, told to both."""
        job = message.payload_as(PairChannelSetup)
        if job.closing:
            return self._run_closing(message, job)
        now = self._clock.now()
        with self._uow() as uow:
            found = uow.partnerships.get(message.team_id, job.partnership_id)
            if found is None or not found.live or not found.across_workspaces:
                return SendResult(SendOutcome.SENT)  # ended (or erased) first: nothing to do
            channel = uow.pair_channels.for_partnership(found.team_id, job.partnership_id)
        if channel is None:
            channel = self._new_channel(found, now)  # names asked of Slack, out of any lock
            with self._uow() as uow:
                uow.pair_channels.save(channel)
                uow.commit()
        if channel.status is not PairChannelStatus.SETTING_UP:
            return SendResult(SendOutcome.SENT)  # done on an earlier run: nothing twice
        answer = self._next_steps(channel) if self._slack is not None else None
        with self._uow() as uow:
            if answer is None or not (answer.ok or answer.retry_after is not None):
                self._fall_back(uow, found, channel, answer.error if answer else UNAVAILABLE, now)
                uow.commit()
                return SendResult(SendOutcome.SENT)  # the set-up is over: they were told
            channel.updated_at = now
            if answer.ok:
                channel.status = PairChannelStatus.INVITED
                uow.pair_channels.save(channel)
                uow.commit()
                log.info("pair channel %s: invitation sent", channel.channel_id)
                return SendResult(SendOutcome.SENT, channel=channel.channel_id)
            channel.attempts += 1
            if channel.attempts >= MAX_ATTEMPTS:
                self._fall_back(uow, found, channel, answer.error, now)
                uow.commit()
                return SendResult(SendOutcome.SENT)
            uow.pair_channels.save(channel)
            uow.commit()
        # a 429's Retry-After pauses the workspace's sends; a 5xx or a dropped line backs off
        wait = answer.retry_after or None
        return SendResult(SendOutcome.RETRY, error=answer.error, retry_after=wait)

    def _run_closing(self, message: OutgoingMessage, job: PairChannelSetup) -> SendResult:
        """The partnership ended: a short kind word in its channel, then the channel archived
        (``groups:write``). Each step is stored once done, so a retry (429, 5xx) never posts
        twice; a refusal (no scope, the bot removed) leaves the channel as it is."""
        now = self._clock.now()
        with self._uow() as uow:
            found = uow.partnerships.get(message.team_id, job.partnership_id)
            if found is None or found.live:
                return SendResult(SendOutcome.SENT)  # gone, or running again: nothing to close
            channel = uow.pair_channels.for_partnership(found.team_id, job.partnership_id)
        if (
            channel is None
            or not channel.channel_id
            or channel.status.fell_back
            or channel.status is PairChannelStatus.CLOSED
            or self._slack is None
        ):
            return SendResult(SendOutcome.SENT)  # no channel to close, or closed already
        if channel.reason != GOODBYE_POSTED:
            said = self._slack.say_goodbye(channel.team_id, channel.channel_id)
            if said.retry_after is not None:
                return SendResult(
                    SendOutcome.RETRY, error=said.error, retry_after=said.retry_after or None
                )
            if said.ok:
                channel.reason = GOODBYE_POSTED
                channel.updated_at = now
                self._keep(channel)
            else:
                log.warning("pair channel %s: no closing word (%s)", channel.channel_id, said.error)
        archived = self._slack.archive(channel.team_id, channel.channel_id)
        if archived.retry_after is not None:
            return SendResult(
                SendOutcome.RETRY, error=archived.error, retry_after=archived.retry_after or None
            )
        if not archived.ok and archived.error != "already_archived":
            log.warning("pair channel %s: not archived (%s)", channel.channel_id, archived.error)
        channel.status = PairChannelStatus.CLOSED
        channel.updated_at = now
        self._keep(channel)
        return SendResult(SendOutcome.SENT, channel=channel.channel_id)

    def _new_channel(self, partnership: Partnership, now: datetime) -> PairChannel:
        assert partnership.id is not None
        host_team, host_user, partner_team, partner_user = channel_host(partnership)
        host = self._slack.person(host_team, host_user) if self._slack else None
        partner = self._slack.person(partner_team, partner_user) if self._slack else None
        host_name = host.name if host else ""
        partner_name = partner.name if partner else ""
        return PairChannel(
            team_id=host_team,
            partnership_id=partnership.id,
            program_team_id=partnership.team_id,
            host_user_id=host_user,
            partner_team_id=partner_team,
            partner_user_id=partner_user,
            name=channel_name(host_name, partner_name, partnership.id),
            host_name=host_name,
            partner_name=partner_name,
            created_at=now,
            updated_at=now,
        )

    def _next_steps(self, channel: PairChannel) -> ConnectAnswer:
        """Create, add, invite: each step skipped when an earlier run stored its result, and
        each result stored the moment Slack gives it (a crash after it loses nothing)."""
        assert self._slack is not None
        slack = self._slack
        if not channel.channel_id:
            created = slack.create_private_channel(channel.team_id, channel.name)
            if created.error == "name_taken":  # made on a run whose answer was lost: ours
                created = slack.find_channel(channel.team_id, channel.name)
            if not created.ok:
                return created
            channel.channel_id = created.value
            self._keep(channel)
        if not channel.host_added:
            added = slack.add_member(channel.team_id, channel.channel_id, channel.host_user_id)
            if not added.ok and added.error not in ALREADY_THERE:
                return added
            channel.host_added = True
            self._keep(channel)
        if not channel.invite_id:
            email = slack.person(channel.partner_team_id, channel.partner_user_id).email
            invited = slack.invite_shared(
                channel.team_id,
                channel.channel_id,
                email=email,
                user_id="" if email else channel.partner_user_id,
            )
            if not invited.ok:
                return invited
            channel.invite_id = invited.value
            self._keep(channel)
        return ConnectAnswer(value=channel.invite_id)

    def _keep(self, channel: PairChannel) -> None:
        with self._uow() as uow:
            uow.pair_channels.save(channel)
            uow.commit()

    # -- Slack's events ------------------------------------------------------------------------

    def invite_accepted(
        self, *, team_id: str, invite_id: str, channel_id: str, approval_required: bool
    ) -> PairChannelStatus | None:
        """``shared_channel_invite_accepted``: ready now, or once an admin approves. None when
        the invitation is none of the bot's pairs' (people share other channels too)."""
        status = PairChannelStatus.ACCEPTED if approval_required else PairChannelStatus.READY
        return self._answered(team_id, invite_id, channel_id, status)

    def invite_approved(
        self, *, team_id: str, invite_id: str, channel_id: str
    ) -> PairChannelStatus | None:
        """``shared_channel_invite_approved``: an admin let the connection through."""
        return self._answered(team_id, invite_id, channel_id, PairChannelStatus.READY)

    def invite_declined(
        self, *, team_id: str, invite_id: str, channel_id: str
    ) -> PairChannelStatus | None:
        """``shared_channel_invite_declined``: the partner or an admin said no."""
        return self._answered(team_id, invite_id, channel_id, PairChannelStatus.DECLINED)

    def channel_id_changed(self, *, team_id: str, old: str, new: str) -> bool:
        """``channel_id_changed``: sharing gave the channel a new ID; everything after goes
        there, the welcome too if it is still waiting (a 429) to go out. False when the
        channel is not a pair's (the bot is in other private channels too)."""
        if not old or not new:
            return False
        now = self._clock.now()
        with self._uow() as uow:
            channel = uow.pair_channels.find(team_id, channel_id=old)
            if channel is None:
                return False
            channel.channel_id = new
            channel.updated_at = now
            uow.pair_channels.save(channel)
            welcome = f"{KEY_PREFIX}{channel.program_team_id}:{channel.partnership_id}:welcome"
            waiting = uow.outbox.cancel(channel.team_id, welcome)
            partnership = uow.partnerships.get(channel.program_team_id, channel.partnership_id)
            if waiting and partnership is not None:
                self._welcome(uow, partnership, channel, now)
            uow.commit()
        log.info("pair channel %s is now %s", old, new)
        return True

    def channel_of(self, uow: PairChannelWork, partnership: Partnership) -> str | None:
        """Where the pair meets in Slack, if they have a channel both are in."""
        if partnership.id is None:
            return None
        channel = uow.pair_channels.for_partnership(partnership.team_id, partnership.id)
        if channel is None or channel.status is not PairChannelStatus.READY:
            return None
        return channel.channel_id or None

    def _answered(
        self, team_id: str, invite_id: str, channel_id: str, status: PairChannelStatus
    ) -> PairChannelStatus | None:
        now = self._clock.now()
        with self._uow() as uow:
            channel = uow.pair_channels.find(team_id, invite_id=invite_id, channel_id=channel_id)
            if channel is None:
                return None
            if channel.status.settled:
                return channel.status  # said before (an event sent again): nothing twice
            partnership = uow.partnerships.get(channel.program_team_id, channel.partnership_id)
            if partnership is None:
                return None
            if channel_id and not channel.channel_id:
                channel.channel_id = channel_id
            channel.updated_at = now
            if status is PairChannelStatus.DECLINED:
                self._fall_back(uow, partnership, channel, "declined", now)
            else:
                channel.status = status
                uow.pair_channels.save(channel)
                if status is PairChannelStatus.READY:
                    self._welcome(uow, partnership, channel, now)
            uow.commit()
            return channel.status

    # -- what people hear ----------------------------------------------------------------------

    def _welcome(
        self, uow: PairChannelWork, partnership: Partnership, channel: PairChannel, now: datetime
    ) -> None:
        assert partnership.id is not None
        uow.outbox.add(
            OutgoingMessage(
                team_id=channel.team_id,
                kind=Kind.PAIR_CHANNEL_WELCOME,
                recipient=channel.channel_id,
                key=f"{KEY_PREFIX}{partnership.team_id}:{partnership.id}:welcome:{channel.channel_id}",
                due_at=now,
                payload=PairChannelWelcome(
                    partnership_id=partnership.id,
                    mentor_id=partnership.mentor_id,
                    mentee_id=partnership.mentee_id,
                ),
            )
        )

    def _fall_back(
        self,
        uow: PairChannelWork,
        partnership: Partnership,
        channel: PairChannel,
        reason: str,
        now: datetime,
    ) -> None:
        """Stored with its reason, and each person told in their own DM, once."""
        assert partnership.id is not None
        channel.status = (
            PairChannelStatus.DECLINED if reason == "declined" else PairChannelStatus.FAILED
        )
        channel.reason = reason[:64]
        channel.updated_at = now
        uow.pair_channels.save(channel)
        log.warning(
            "pair channel of partnership %s not possible (%s): DMs and the calendar instead",
            partnership.id,
            reason,
        )
        people = (
            (channel.team_id, channel.host_user_id, channel.partner_user_id, channel.partner_name),
            (
                channel.partner_team_id,
                channel.partner_user_id,
                channel.host_user_id,
                channel.host_name,
            ),
        )
        for team_id, user_id, partner_id, partner_name in people:
            uow.outbox.add(
                OutgoingMessage(
                    team_id=team_id,  # each in their own workspace, with its token
                    kind=Kind.PAIR_CHANNEL_FALLBACK,
                    recipient=user_id,
                    key=f"{KEY_PREFIX}{partnership.team_id}:{partnership.id}:fallback:{user_id}",
                    due_at=now,
                    payload=PairChannelFallback(
                        partnership_id=partnership.id,
                        partner_id=partner_id,
                        program_id=partnership.program_id,
                        reason=channel.reason,
                        partner_name=partner_name,
                        in_host_workspace=team_id == channel.team_id,
                    ),
                )
            )
