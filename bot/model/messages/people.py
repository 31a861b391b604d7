"""Payloads of onboarding, program invitations, DM notes and people's data."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model.messages.base import Payload, PrivateText


@dataclass(frozen=True, kw_only=True)
class OnboardingStep(Payload):
    """Job: one step of the series (welcome, agenda, topic:N), in the program's words then."""

    partnership_id: int
    step: str


@dataclass(frozen=True, kw_only=True)
class OnboardingMessage(OnboardingStep):
    text: str  # the program's text, not a person's
    role: str | None = None  # the welcome: "mentee" or "mentor"
    month: int | None = None  # a monthly topic


@dataclass(frozen=True, kw_only=True)
class ProgramInvite(Payload):
    """A coordinator invites someone to a program."""

    program_id: int | None
    program: str
    invited_by: str


@dataclass(frozen=True, kw_only=True)
class SharedDmNote(Payload):
    """A reply in the bot's DM its author shared with their partner or the program team."""

    author_id: str
    note: PrivateText
    note_id: int
    partnership_id: int | None = None
    # A pair across workspaces (None, left out of the JSON: one workspace): the workspace of
    # the person this message names, whose name is asked there (a mention can't resolve).
    partner_team_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class PartnerLeft(Payload):
    """To the partner of someone erased, or whose company left a shared program
    (``company``: its name; the only detail said, and no blame)."""

    partnership_id: int
    to_mentee: bool
    company: str | None = None
    # True: ``company`` is the one that ran the program, and it left (removed Mentorbot): the
    # program itself is gone, nobody is rematched in it. None (left out of the JSON): not so.
    program_gone: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ProgramMembersChanged(Payload):
    """To a coordinator of the host or of the member: a workspace joined or left a shared
    program (``change``: joined, left, removed, uninstalled), and how many pairs ended."""

    program: str
    host: str
    member: str
    change: str
    to_host: bool
    pairs_ended: int = 0


@dataclass(frozen=True, kw_only=True)
class EraseDeparted(Payload):
    """Job: a workspace left a host's program; its people's data there goes (after the
    retention period, or at once when it uninstalled the app)."""

    host_team_id: str
    program_id: int
    member_team_id: str


@dataclass(frozen=True, kw_only=True)
class ErasePerson(Payload):
    """Job: a person deleted from Slack, after the retention period."""

    user_id: str
