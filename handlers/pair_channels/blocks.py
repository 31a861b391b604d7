"""The pair channel's messages: the welcome in the channel, and, when there is none, each
person's note in their own DM saying why in plain words and how they will meet instead."""

from __future__ import annotations

from bot.model.messages.pair_channels import PairChannelFallback, PairChannelWelcome
from handlers.kit.blocks import Block, context, escape, section

PLAN = frozenset({"not_paid", "team_not_paid", "not_allowed_for_grid_workspace", "not_supported"})
PERMISSION = frozenset(
    {"missing_scope", "not_allowed_token_type", "not_installed", "no_permission", "unavailable"}
)
POLICY = frozenset(
    {"restricted_action", "access_denied", "team_access_not_granted", "user_is_restricted"}
)

INSTEAD = (
    "Nothing else changes: you'll meet through your DMs with me, as now, and the calendar "
    "invite for your sessions goes to both of your email addresses."
)


def welcome_message(payload: PairChannelWelcome) -> tuple[str, list[Block]]:
    text = (
        f"Welcome, <@{payload.mentee_id}> and <@{payload.mentor_id}>! This private channel "
        "is your pair's own space across your two companies: plan your sessions, share "
        "links and notes between them. Only the two of you (and me) are in it."
    )
    return text, [
        section(f":handshake: {text}"),
        context("Your reflections stay private to each of you, as always: `/mentor reflect`."),
    ]


def why(reason: str, *, in_host_workspace: bool) -> str:
    """Slack's refusal, said kindly and specifically: what was missing, and where."""
    where = "your workspace" if in_host_workspace else "your partner's workspace"
    if reason == "declined":
        return "The invitation to a shared Slack Connect channel was declined, which is fine."
    if reason in PLAN:
        return (
            "A shared channel between two companies needs Slack Connect, which is part of "
            f"Slack's paid plans, and {where} doesn't have it."
        )
    if reason in PERMISSION:
        return (
            f"I'm not allowed to create Slack Connect channels in {where} yet (a workspace "
            "admin can allow it by reinstalling Mentorbot)."
        )
    if reason in POLICY:
        return (
            f"The Slack settings of {where} don't let apps invite people from other "
            "companies into channels."
        )
    if reason.startswith(("http ", "connection", "ratelimited")):
        return "Slack was too busy to set up a shared channel for you, though I tried a few times."
    return f"Slack couldn't set up a shared channel for the two of you (it said `{reason}`)."


def fallback_message(payload: PairChannelFallback) -> tuple[str, list[Block]]:
    partner = escape(payload.partner_name) if payload.partner_name else "your partner"
    reason = why(payload.reason, in_host_workspace=payload.in_host_workspace)
    text = f"About meeting {partner} in Slack: {reason} {INSTEAD}"
    return text, [
        section(f":speech_balloon: *About meeting {partner} in Slack*\n{reason}"),
        section(INSTEAD),
    ]
