"""Who a request is from, read the same way everywhere.

Bolt leaves ``context.team_id`` and ``context.user_id`` as None on the few payloads that
carry no team or user (some events, a crafted request); the services take strings, and an
empty one finds nothing, so that is what they get.
"""

from __future__ import annotations

from slack_bolt import BoltContext


def team_of(context: BoltContext) -> str:
    """The workspace the request came from, or "" when Slack sent none."""
    return context.team_id or ""


def user_of(context: BoltContext) -> str:
    """The person who sent the request, or "" when Slack sent none."""
    return context.user_id or ""
