"""Refusals the program makes on purpose, as opposed to bugs.

A ``DomainError`` carries a message written for the person who asked; handlers show it as is
(an ephemeral message or a modal field error). Anything else is a bug and goes to the global
error handler.

The message is Slack mrkdwn and may mention people on purpose (``<@U1>``), so the edge cannot
escape it whole: words a person typed are quoted with ``echo`` where the message is written.
"""

from __future__ import annotations


def echo(typed: str) -> str:
    """Someone's own words inside a message: Slack's three control characters escaped, so
    `<!channel>`, `<@U1>` or a `<url|label>` they typed reads as typed, never pings or links.
    The one copy of the rule: ``handlers.kit.blocks.escape`` calls it."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DomainError(Exception):
    """A request the program refuses; ``message`` is safe and kind enough to show the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Something the user referred to does not exist, or is not theirs to see.

    Both cases answer the same on purpose, so a crafted ID reveals nothing.
    """


class NotAllowed(DomainError):
    """The user may not do this (for example, answer a request addressed to someone else)."""


class Conflict(DomainError):
    """The request clashes with the current state (already answered, already matched)."""
