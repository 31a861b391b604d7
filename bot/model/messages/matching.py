"""Payloads of matching: suggestions to the mentee, the request to a mentor, the introduction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.model.kinds import SuggestionContext
from bot.model.messages.base import Payload, PrivateText


@dataclass(frozen=True, kw_only=True)
class SuggestedMentor:
    """One suggested mentor: the bio is theirs, copied as it was when suggested."""

    mentor_id: str
    score: float
    reason: PrivateText  # may quote the mentee's goals
    bio: PrivateText
    mentor_team_id: str = ""  # their own workspace, in a shared program; "": the mentee's
    mentor_company: str = ""  # that workspace's name, shown with theirs (set with the above)


@dataclass(frozen=True, kw_only=True)
class MentorSuggestions(Payload):
    request_id: int
    context: SuggestionContext = SuggestionContext.FIRST
    candidates: tuple[SuggestedMentor, ...]


@dataclass(frozen=True, kw_only=True)
class Waitlisted(Payload):
    request_id: int
    context: SuggestionContext = SuggestionContext.FIRST


@dataclass(frozen=True, kw_only=True)
class RequestToMentor(Payload):
    """A mentee asks this mentor (and, later, the reminder of it)."""

    proposal_id: int
    mentee_id: str
    goals: PrivateText
    focus_areas: tuple[str, ...]
    reason: PrivateText  # may quote the mentee's goals
    # A mentee of another workspace (a shared program): their company, and their name as
    # their own Slack gave it when they picked (a mention of them would not resolve here).
    mentee_company: str = ""
    mentee_name: PrivateText = ""


@dataclass(frozen=True, kw_only=True)
class RequestExpired(Payload):
    mentee_id: str
    mentee_team_id: str = ""  # their own workspace when it isn't the mentor's (named in words)


@dataclass(frozen=True, kw_only=True)
class Introduction(Payload):
    partnership_id: int
    mentor_id: str
    mentee_id: str
    goals: PrivateText
    focus_areas: tuple[str, ...]
    ends_at: datetime
    # A pair across workspaces: each person's own workspace and its name. Each gets their own
    # copy, where the other is named in words with their company (a mention can't resolve).
    mentor_team_id: str = ""
    mentee_team_id: str = ""
    mentor_company: str = ""
    mentee_company: str = ""


@dataclass(frozen=True, kw_only=True)
class CoordinatorWaitlist(Payload):
    request_id: int
    mentee_id: str
    focus_areas: tuple[str, ...]
    why: str | None = None  # what kept the mentors who have room from fitting (counts only)


@dataclass(frozen=True, kw_only=True)
class ExpireProposal(Payload):
    """Job: the mentor never answered."""

    proposal_id: int
