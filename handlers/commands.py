"""`/mentor <subcommand>`: answered in the ack when it's instant, after it when Slack is needed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot.services import Services
from handlers import help
from handlers.announcements.listeners import AnnouncementHandlers
from handlers.coordination.listeners import COORDINATOR_SUBCOMMANDS, REFUSAL, CoordinatorHandlers
from handlers.journal.listeners import JOURNAL_SUBCOMMANDS, JournalHandlers
from handlers.kit.context import team_of, user_of
from handlers.kit.mentions import mentioned, without_mentions
from handlers.kit.refusals import ListenerArgs, refusing
from handlers.matching.openers import open_ask, open_offer
from handlers.privacy.listeners import COORDINATOR_ONLY, PRIVACY_SUBCOMMANDS, PrivacyHandlers
from handlers.programs.listeners import ProgramHandlers
from handlers.rhythm.listeners import RhythmHandlers
from handlers.runtime import TrackedExecutor, opened_in_request
from handlers.sessions.listeners import SessionHandlers

log = logging.getLogger(__name__)

MODAL_SUBCOMMANDS = frozenset({"ask", "offer"})
PROGRAM_SUBCOMMANDS = frozenset({"program", "programs"})  # coordinators only
SESSION_SUBCOMMANDS = frozenset({"schedule", "skip", "pause", "resume", "reminders"})
RHYTHM_SUBCOMMANDS = frozenset({"end", "away", "back", "midterm"})
LATER = (
    MODAL_SUBCOMMANDS
    | SESSION_SUBCOMMANDS
    | JOURNAL_SUBCOMMANDS
    | RHYTHM_SUBCOMMANDS
    | COORDINATOR_SUBCOMMANDS
    | PROGRAM_SUBCOMMANDS
    | PRIVACY_SUBCOMMANDS
)


class Subcommands(Protocol):
    """A listener group's answer to `/mentor <subcommand> <rest>`, after the ack."""

    def __call__(
        self,
        subcommand: str,
        rest: str,
        /,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
        trigger_id: str,
    ) -> None: ...


ANSWERED_LATER = LATER - MODAL_SUBCOMMANDS
COORDINATORS_ONLY = COORDINATOR_SUBCOMMANDS | PROGRAM_SUBCOMMANDS | COORDINATOR_ONLY


def split(text: str) -> tuple[str, str]:
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1] if len(parts) > 1 else ""


def answered_later(body: dict[str, Any]) -> bool:
    """Whether the subcommand needs work after the ack (a reply, a refusal's count)."""
    return split(str(body.get("text", "")))[0] in ANSWERED_LATER


def opens_modal(body: dict[str, Any]) -> bool:
    """`/mentor ask | offer`: a modal, opened on its own lane within the trigger's 3 s."""
    return split(str(body.get("text", "")))[0] in MODAL_SUBCOMMANDS


def answered_in_ack(body: dict[str, Any]) -> bool:
    return not answered_later(body) and not opens_modal(body)


class MentorCommand:
    def __init__(
        self,
        services: Services,
        sessions: SessionHandlers,
        *,
        journal: JournalHandlers,
        coordinators: CoordinatorHandlers,
        announcements: AnnouncementHandlers,
        rhythm: RhythmHandlers,
        programs: ProgramHandlers | None = None,
        privacy: PrivacyHandlers | None = None,
        executor: TrackedExecutor | None = None,
    ) -> None:
        self._services = services
        self._executor = executor
        self._sessions = sessions
        self._journal = journal
        self._coordinators = coordinators
        self._announcements = announcements
        self._rhythm = rhythm
        self._programs = programs or ProgramHandlers(services)
        self._privacy = privacy or PrivacyHandlers(services)
        # Each group answers its own subcommands; the first that names one gets it.
        self._groups: list[tuple[frozenset[str], bool, Subcommands]] = [
            (SESSION_SUBCOMMANDS, False, sessions.command),
            (RHYTHM_SUBCOMMANDS, False, self._rhythm_command),
            (JOURNAL_SUBCOMMANDS, False, journal.command),
            (PRIVACY_SUBCOMMANDS, False, self._privacy.command),  # erase checks its own rights
            (PROGRAM_SUBCOMMANDS, True, self._programs.command),
            (frozenset({"announce"}), True, announcements.command),
            (COORDINATOR_SUBCOMMANDS, True, coordinators.command),
        ]

    def register(self, app: App) -> None:
        """One listener that routes by subcommand: modals opened in the request; `help` (and
        anything unknown) in the ack alone; the rest after the ack, on the pool.

        One listener and no matchers: Bolt builds every keyword argument of a listener
        matcher on each request, and a lazy listener copies the whole request before it runs.
        Three listeners with a matcher each cost `/mentor help` more than the help itself."""
        app.command("/mentor")(self.route)

    def route(self, ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        """Bolt hands it these three by name: asking for all of them (``args``) had Bolt build
        an ``Args`` of forty-odd fields on each ack, a sixth of the CPU of a help's."""
        subcommand = split(str(command.get("text", "")))[0]  # read once: this runs on every ack
        if subcommand in MODAL_SUBCOMMANDS:
            opened_in_request(refusing(self.follow_up))(CommandArgs.of(ack, command, context))
            return
        self.acknowledge(ack, command, subcommand)
        if subcommand in ANSWERED_LATER:
            args = CommandArgs.of(ack, command, context)  # the request's client, metered
            self._later(lambda: _logged(refusing(self.follow_up), args))

    def acknowledge(self, ack: Ack, command: dict[str, str], subcommand: str) -> None:
        user_id, team_id = command.get("user_id", ""), command.get("team_id", "")
        if subcommand in ("", "help"):  # the answer ack() would build, encoded once
            coordinator = self._coordinators.may_run(user_id, team_id=team_id)
            ack.response = BoltResponse(status=200, body=help.plain_help_answer(coordinator))
            return
        if subcommand in COORDINATORS_ONLY and not self._coordinators.may_run(
            user_id, team_id=team_id
        ):
            ack(text=REFUSAL, response_type="ephemeral")
            return
        if subcommand in LATER:
            ack()
            return
        coordinator = self._coordinators.may_run(user_id, team_id=team_id)
        text, help_blocks = help.help_blocks(unknown=subcommand, coordinator=coordinator)
        ack(text=text, blocks=help_blocks, response_type="ephemeral")

    def follow_up(
        self, command: dict[str, str], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        """After the ack; a refusal from any group is answered by ``refusing`` (ephemeral)."""
        subcommand, rest = split(command.get("text", ""))
        team_id, user_id = team_of(context), user_of(context)
        trigger_id = command.get("trigger_id", "")
        if subcommand == "ask":
            refusal = open_ask(
                self._services,
                client,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                later=self._later,
            )
            if refusal:  # a mentor of another workspace named in words
                respond(
                    text=self._journal.name_partners_of(refusal, team_id, user_id),
                    response_type="ephemeral",
                )
        elif subcommand == "offer":
            open_offer(
                self._services,
                client,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                later=self._later,
            )
        else:
            group = self._group(subcommand)
            if group is None:
                return  # answered with the help in the ack
            coordinators_only, handle = group
            if coordinators_only and not self._coordinators.may_run(user_id, team_id=team_id):
                self._coordinators.refused(team_id)  # refused in the ack; a group may have changed
                return
            handle(
                subcommand,
                rest,
                client=client,
                respond=respond,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
            )

    def _later(self, work: Callable[[], None]) -> None:
        """What waits until after the ack (a subcommand's answer, the modal's zone): the pool,
        or at once (no pool: tests that call the listener directly)."""
        if self._executor is None:
            work()
        else:
            self._executor.submit(work)

    def _rhythm_command(
        self,
        subcommand: str,
        rest: str,
        *,
        client: WebClient,
        respond: Respond,
        team_id: str,
        user_id: str,
        trigger_id: str,
    ) -> None:
        """`/mentor end | away | back | midterm`: the rhythm's, with a date read as sessions do."""
        if subcommand == "end":
            self._rhythm.open_end(
                client,
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                partner=mentioned(rest),
            )
            return
        if subcommand == "away":
            until = self._sessions.read_date(without_mentions(rest), user_id=user_id, client=client)
            text = self._rhythm.away(team_id=team_id, user_id=user_id, until=until)
        elif subcommand == "back":
            text = self._rhythm.away(team_id=team_id, user_id=user_id, until=None)
        else:
            text = self._rhythm.midterm_text(user_id=user_id, team_id=team_id)
        respond(text=text, response_type="ephemeral")

    def _group(self, subcommand: str) -> tuple[bool, Subcommands] | None:
        """Who answers the subcommand after the ack, and whether only coordinators may ask."""
        for names, coordinators_only, handle in self._groups:
            if subcommand in names:
                return coordinators_only, handle
        return None


@dataclass(frozen=True)
class CommandArgs:
    """What the follow-ups of a `/mentor` read of a request's arguments (``ListenerArgs``,
    and ``follow_up``'s own), taken from the three Bolt hands ``route``."""

    ack: Ack
    command: dict[str, Any]
    context: BoltContext
    client: WebClient
    respond: Respond

    @property
    def body(self) -> dict[str, Any]:
        return self.command  # a slash command's payload is its body

    @classmethod
    def of(cls, ack: Ack, command: dict[str, Any], context: BoltContext) -> CommandArgs:
        return cls(ack, command, context, context.client, context.respond)  # type: ignore[arg-type]


def _logged(listener: Callable[[ListenerArgs], None], args: ListenerArgs) -> None:
    """A follow-up on the pool: an unexpected error is logged as Bolt logs a lazy listener's."""
    try:
        listener(args)
    except Exception:
        log.exception("/mentor %s failed after the ack", split(str(args.body.get("text", "")))[0])
