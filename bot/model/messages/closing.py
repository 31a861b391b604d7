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
