"""Payloads of closing well: the exit survey, and the note its author sends the team."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model.messages.base import PairPrompt, Payload, PrivateText


@dataclass(frozen=True, kw_only=True)
class ExitSurvey(PairPrompt):
    """To each partner still in the program (``partner_id`` "" when the partner was erased)."""

    completed: bool = False  # the term's end, not an early one


@dataclass(frozen=True, kw_only=True)
class ExitNote(Payload):
    partnership_id: int
    author_id: str
    note: PrivateText
    # A person of another workspace than the program's (None, left out of the JSON: the
    # same): their own workspace, where their name is asked (a mention can't resolve).
    author_team_id: str | None = None
