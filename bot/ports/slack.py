"""What the core needs from Slack itself: delivering a message, reading a user group, a zone.

``handlers`` implements them on the Web API, unit tests with scripts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.model.cohort import PlanProgress
from bot.model.messages.coordination import CohortPlanning
from bot.model.outbox import OutgoingMessage


class SendOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # transient: try again after ``retry_after``
    FAILED = "failed"  # permanent: Slack will never accept it (user gone, channel gone)


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    error: str = ""
    retry_after: float | None = None
    channel: str = ""
    ts: str = ""
    # The answer was lost (timeout, reset): Slack may have acted. Look before trying again.
    uncertain: bool = False


class Messenger(Protocol):
    """Delivers one outgoing message to people; implemented on Slack's Web API."""

    def send(self, message: OutgoingMessage) -> SendResult: ...

    def find_sent(self, message: OutgoingMessage) -> SendResult | None:
        """Where the message already is, if an earlier attempt got it delivered; else None
        (also when that can't be told: then sending again is the lesser harm)."""
        ...


class PlanningBoard(Protocol):
    """The coordinator's "working it out" message, edited as a cohort's job goes through its
    steps (``bot.matching.cohorts``).

    Not through the outbox: the job holds its dispatcher for the seconds it plans, so an
    edit queued there would go out after the plan it describes. An edit only redraws a
    message already sent, and is harmless to repeat (a job run again after a crash edits the
    same message again), so it is best-effort and off the planner's thread: ``show`` returns
    at once, and of several snapshots waiting for one message only the latest is sent.
    ``done`` drops what is not sent yet and waits (briefly) for an edit in flight, so none
    lands after the outcome the outbox puts in the message's place."""

    def show(
        self,
        team_id: str,
        channel: str,
        ts: str,
        planning: CohortPlanning,
        progress: PlanProgress,
    ) -> None: ...

    def done(self, channel: str, ts: str) -> None: ...


class Pending(Protocol):
    """A message on its way: its post written, Slack's answer not read yet."""

    @property
    def done(self) -> bool:
        """True once the answer is in (``result`` won't wait)."""
        ...

    def result(self) -> SendResult:
        """Slack's answer, as ``Messenger.send`` would have returned it; waits for it, moving
        every other post in flight along meanwhile."""
        ...


class Posting(Protocol):
    """Posts in flight from one thread, none waiting for another's answer; used by one
    thread at a time, closed at the end of a dispatch pass."""

    def start(self, message: OutgoingMessage) -> Pending | None:
        """Post ``message`` without waiting for Slack's answer; None if it is not one post
        that can go this way (a file, a group DM to open first, names to look up, a step):
        then it goes by ``Messenger.send``."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class PostsInFlight(Protocol):
    """A messenger that can have several posts in flight from one thread."""

    def posting(self) -> Posting: ...


@dataclass(frozen=True)
class GroupMembers:
    """Slack's answer about a user group: its members, or why they could not be read."""

    users: tuple[str, ...] = ()
    error: str = ""
    retry_after: float | None = None  # rate limited: when to ask again

    @property
    def ok(self) -> bool:
        return not self.error


class UserGroups(Protocol):
    """Reads a Slack user group's members (``usergroups.users.list``); never raises."""

    def members(self, team_id: str, group_id: str) -> GroupMembers: ...


class TimeZones(Protocol):
    """A person's time zone as their Slack profile says (users.info), asked when the cache
    has none: None when Slack can't tell (the call failed, the profile has no zone)."""

    def time_zone(self, team_id: str, user_id: str) -> str | None: ...


class PersonZones(Protocol):
    """The zones read from Slack, kept in the database: each its own short transaction, since
    no business change depends on one (a lost write is read again from Slack)."""

    def get(self, team_id: str, user_id: str) -> str | None: ...

    def put(self, *, team_id: str, user_id: str, tz: str, at: datetime) -> bool:
        """Store it; True if it differs from what was stored (a new zone)."""
        ...


@dataclass(frozen=True)
class ConnectAnswer:
    """Slack's answer to one Slack Connect step: ``value`` (a channel or invite ID) or why not.

    ``retry_after`` is set when waiting may help (429, a 5xx, the connection): the step is
    tried again later; any other ``error`` is Slack's code, final for this pair."""

    value: str = ""
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class SlackPerson:
    """What a person's own workspace says of them (``users.info`` with its own token)."""

    name: str = ""
    email: str = ""  # empty unless the app holds ``users:read.email`` there and Slack has one


class SlackConnect(Protocol):
    """The Web API calls a pair channel across workspaces takes; each answers, never raises."""

    def create_private_channel(self, team_id: str, name: str) -> ConnectAnswer:
        """``conversations.create`` with ``is_private``: the new channel's ID."""
        ...

    def find_channel(self, team_id: str, name: str) -> ConnectAnswer:
        """The ID of the private channel called ``name`` that the bot is in (its own, made on
        a run whose answer was lost); ``channel_not_found`` when there is none."""
        ...

    def add_member(self, team_id: str, channel_id: str, user_id: str) -> ConnectAnswer:
        """``conversations.invite``: someone of the channel's own workspace joins it."""
        ...

    def invite_shared(
        self, team_id: str, channel_id: str, *, email: str = "", user_id: str = ""
    ) -> ConnectAnswer:
        """``conversations.inviteShared`` to one person of another workspace (by email when
        known, else by user ID): the invitation's ID."""
        ...

    def person(self, team_id: str, user_id: str) -> SlackPerson:
        """Their name and email, asked of their own workspace (empty when Slack can't say)."""
        ...

    def say_goodbye(self, team_id: str, channel_id: str) -> ConnectAnswer:
        """``chat.postMessage``: the short kind word that the partnership has ended."""
        ...

    def archive(self, team_id: str, channel_id: str) -> ConnectAnswer:
        """``conversations.archive`` (``groups:write``): nobody writes there after the end."""
        ...
