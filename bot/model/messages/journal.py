"""Payloads of goals, reflections and milestones: a celebration, a shout-out, their jobs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model.messages.base import Payload, PrivateText


@dataclass(frozen=True, kw_only=True)
class Celebration(Payload):
    """A milestone, to each partner. A personal milestone's title is its author's words."""

    partnership_id: int
    partner_id: str
    title: PrivateText
    personal: bool
    created_by: str
    wording: int
    # A pair across workspaces (None, left out of the JSON: one workspace): the workspace of
    # the person this message names, whose name is asked there (a mention can't resolve).
    partner_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShoutOut(Payload):
    """A milestone, to the program channel, both partners having opted in."""

    mentor_id: str
    mentee_id: str
    headline: PrivateText  # the program's words for it, never a personal title: sealed alike
    # A pair across workspaces (None, left out of the JSON: one workspace): each person's own
    # workspace, where their name is asked (their mention can't resolve in another).
    mentor_team_id: str | None = None
    mentee_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class MilestoneDue(Payload):
    """Job: a dated milestone (months together, the term completed) is reached."""

    partnership_id: int
    key: str
    title: PrivateText
