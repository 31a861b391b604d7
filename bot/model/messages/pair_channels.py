"""Payloads of a pair's channel across workspaces (``bot.pair_channels``)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model.messages.base import PairPrompt, Payload


@dataclass(frozen=True, kw_only=True)
class PairChannelSetup(Payload):
    """Job: create the channel, add the host's person, invite the partner (one step at a
    time, each remembered: a run again picks up where the last one stopped)."""

    partnership_id: int
    attempt: int = 0  # runs Slack asked to wait for (429, 5xx): given up after a few
    # True: the partnership ended: a short kind word in the channel, then it is archived.
    # None (left out of the JSON): the set-up.
    closing: bool | None = None


@dataclass(frozen=True, kw_only=True)
class PairChannelWelcome(Payload):
    """The first message in the pair's channel, once both are in it."""

    partnership_id: int
    mentor_id: str
    mentee_id: str


@dataclass(frozen=True, kw_only=True)
class PairChannelFallback(PairPrompt):
    """To one person, in their own workspace: the shared channel won't happen, and why; they
    meet through their DMs with the bot and the calendar invite instead."""

    reason: str  # Slack's error code, or "declined"
    partner_name: str = ""
    in_host_workspace: bool = True  # the channel would have been in their own workspace
