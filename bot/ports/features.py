"""What one feature offers the others without their importing it: the rules of each program,
the hooks of a partnership's life, and matching's rematch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.model.partnership import Partnership
from bot.model.programs import Program
from bot.model.rules import ProgramRules
from bot.ports.work import OutboxWork, ProgramsRead, SuggestWork


class ProgramRulesSource(Protocol):
    """The rules of the program a request or partnership belongs to (``ProgramService``
    answers it; a bot with only the workspace's default program can answer it alone)."""

    def rules(self, uow: ProgramsRead, team_id: str, program_id: int | None) -> ProgramRules:
        """Read in the caller's transaction (or from a short cache)."""
        ...

    def rules_for(self, team_id: str, program_id: int | None) -> ProgramRules: ...
    def joinable(self, team_id: str, program_id: int | None) -> bool: ...


class ProgramCatalog(ProgramRulesSource, Protocol):
    """The programs themselves, for features that name or list them to people."""

    def program(self, team_id: str, program_id: int | None) -> Program: ...
    def find(self, team_id: str, name: str, *, archived: bool = False) -> Program: ...


class SharedPrograms(Protocol):
    """Programs shared across workspaces, as the program team's reports see them
    (``bot.programs.sharing`` answers it)."""

    def member_names(self, host_team_id: str, program_id: int) -> dict[str, str]:
        """The program's active member workspaces: team ID to name."""
        ...

    def joined_program(
        self, team_id: str, name: str, *, host: str = ""
    ) -> tuple[str, Program] | None:
        """Another workspace's program this one takes part in, by name: (host, program);
        ``host``: only one run by the workspace of that name (any case)."""
        ...

    def workspace_name(self, team_id: str) -> str: ...


Started = Callable[[OutboxWork, Partnership, ProgramRules], None]
Resumed = Callable[[OutboxWork, Partnership, datetime], None]
Closed = Callable[[OutboxWork, Partnership, datetime], None]
Finished = Callable[[SuggestWork, Partnership, tuple[str, ...], datetime], None]
"""A partnership ended, whichever way (a partner, the program, its term, an erasure): what
follows for ``members``, the partners still in the program (an erased one is left out)."""


@dataclass(frozen=True)
class PartnershipEvents:
    """What other features plan when a partnership starts, resumes after a pause, closes
    before its term's end (``closed``) or ends in any way at all (``finished``): matching,
    sessions, the rhythm and privacy raise these without knowing who listens (start-up
    wiring hands every service the same set), so no feature calls another's service. Each
    hook runs inside the caller's transaction."""

    started: tuple[Started, ...] = ()
    resumed: tuple[Resumed, ...] = ()
    closed: tuple[Closed, ...] = ()
    finished: tuple[Finished, ...] = ()

    def start(self, uow: OutboxWork, partnership: Partnership, rules: ProgramRules) -> None:
        for hook in self.started:
            hook(uow, partnership, rules)

    def resume(self, uow: OutboxWork, partnership: Partnership, now: datetime) -> None:
        for hook in self.resumed:
            hook(uow, partnership, now)

    def close(self, uow: OutboxWork, partnership: Partnership, now: datetime) -> None:
        for hook in self.closed:
            hook(uow, partnership, now)

    def finish(
        self,
        uow: SuggestWork,
        partnership: Partnership,
        members: tuple[str, ...],
        now: datetime,
    ) -> None:
        for hook in self.finished:
            hook(uow, partnership, members, now)


Rematch = Callable[[SuggestWork, Partnership, datetime], None]
"""A partnership ended early: offer its mentee new mentors, in the caller's transaction."""

Reopen = Callable[[SuggestWork, str, int, datetime], None]
"""The mentor a request waits on left: show the mentee others (team, request id, now)."""
