"""The outbox, seen for one pair: a pair across workspaces has its messages in each person's
own workspace (the recipient's ``team_id`` chooses the token they are sent with) and its jobs in
the program's, so what cancels or reads "the pair's messages" asks each of them."""

from __future__ import annotations

from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import Partnership
from bot.ports.repositories import Outbox


def cancel_for_pair(
    outbox: Outbox, partnership: Partnership, key_prefix: str, *, from_key: str = ""
) -> int:
    """``Outbox.cancel`` in every workspace of the pair; how many were cancelled."""
    return sum(
        outbox.cancel(team, key_prefix, from_key=from_key) for team in partnership.workspaces()
    )


def sent_for_pair(
    outbox: Outbox, partnership: Partnership, key_prefix: str
) -> list[OutgoingMessage]:
    """``Outbox.sent`` in every workspace of the pair."""
    return [m for team in partnership.workspaces() for m in outbox.sent(team, key_prefix)]


def status_for_member(
    outbox: Outbox, partnership: Partnership, user_id: str, key: str
) -> MessageStatus | None:
    """The status of a message queued for ``user_id``, one of the pair: in their workspace."""
    return outbox.status_of(partnership.team_of(user_id), key)
