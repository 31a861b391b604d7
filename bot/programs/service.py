"""Programs: several can run in one workspace, each with its own rules.

A cross-company cohort and an internal one, say: each has its name, channel, term, session
length, pulse cadence, focus areas, working hours and cross-company rule. The rules built from
settings are the workspace's *default program*, which has no row (``program_id`` None), so an
install that never creates a program behaves as before and needs no setup.

Mentor profiles, requests and partnerships carry their ``program_id``. Services ask
``ProgramService.rules`` for the rules of the request or partnership at hand, inside their own
transaction; rows are cached for a few seconds, since the dispatcher asks for every prompt."""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bot.clock import Clock
from bot.errors import DomainError, NotAllowed, NotFound, echo
from bot.model.kinds import Kind
from bot.model.messages import PairPrompt
from bot.model.messages.people import ProgramInvite
from bot.model.outbox import OutgoingMessage
from bot.model.rules import ProgramRules
from bot.outbox.quiet_hours import QuietHours
from bot.outbox.zones import RecipientZones
from bot.ports.repositories import record_audit
from bot.roster import Roster

if TYPE_CHECKING:  # the ports speak of programs, so import them only for typing
    from bot.ports import ProgramsRead, ProgramsWork
from bot.model.programs import DEFAULT_NAME, Program, default_program, ladder_of

MAX_NAME = 24  # it titles the program's modal, and Slack titles stop at 24 characters


MAX_AREAS = 20


MAX_AREA = 75


MAX_COMPETITORS = 50


MAX_INVITES = 50


CACHE_SECONDS = 30.0

Joined = TypeVar("Joined")


CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


TERM_DAYS = (7, 3650)


SESSION_MINUTES = (15, 180)


PULSE_DAYS = (1, 90)


def check_program(program: Program, taken: set[str]) -> dict[str, str]:
    """Field errors for a program, keyed by the modal's block IDs; empty when it is fine.

    ``taken``: the workspace's other program names, casefolded.
    """
    errors: dict[str, str] = {}
    name = program.name.strip()
    if not name:
        errors["name"] = "Give the program a name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name to {MAX_NAME} characters (it has {len(name)})."
    elif name.casefold() in taken or name.casefold() == DEFAULT_NAME.casefold():
        errors["name"] = f"There is already a program called {echo(name)}."
    if program.channel and not CHANNEL_ID.match(program.channel):
        errors["channel"] = "Pick a channel."
    for block, value, (low, high), what in (
        ("term_days", program.term_days, TERM_DAYS, "days"),
        ("session_minutes", program.session_minutes, SESSION_MINUTES, "minutes"),
        ("pulse_every_days", program.pulse_every_days, PULSE_DAYS, "days"),
    ):
        if not low <= value <= high:
            errors[block] = f"Choose between {low} and {high} {what}."
    areas = program.focus_areas
    if not areas:
        errors["focus_areas"] = "Name at least one focus area, one a line."
    elif len(areas) > MAX_AREAS:
        errors["focus_areas"] = f"Keep it to {MAX_AREAS} focus areas (it has {len(areas)})."
    elif any(len(area) > MAX_AREA for area in areas):
        errors["focus_areas"] = f"Keep each focus area under {MAX_AREA} characters."
    elif len({a.casefold() for a in areas}) != len(areas):
        errors["focus_areas"] = "Each focus area once, please."
    if not (
        0 <= program.workday_start_hour < program.workday_end_hour <= 24
    ):  # the form offers whole hours, so only the order can be wrong
        errors["workday_end"] = "The working day must start before it ends, like 9-18."
    if program.quiet_ladder_days and ladder_of(program.quiet_ladder_days) is None:
        errors["quiet_ladder"] = "Four numbers of weeks, each later than the last: 2, 3, 4, 8."
    if len(program.competitors) > MAX_COMPETITORS:
        errors["competitors"] = f"Keep it to {MAX_COMPETITORS} pairs."
    bad = [pair for pair in program.competitors if len(_sides(pair)) != 2]
    if bad:
        errors["competitors"] = (
            f"'{echo(bad[0])}' is not a pair: write one a line, like Acme|Globex."
        )
    return errors


def ladder_days(text: str) -> list[int]:
    """The form's ladder in weeks ("2, 3, 4, 8") as days; empty: the workspace's ladder.
    Anything unreadable comes back as it is unusable (``check_program`` names it)."""
    parts = [part for part in re.split(r"[\s,;]+", text) if part]
    if not parts:
        return []
    if not all(part.isdigit() and len(part) < 4 for part in parts):
        return [0]
    return [int(part) * 7 for part in parts]


def _sides(pair: str) -> list[str]:
    return [side.strip() for side in pair.split("|") if side.strip()]


def competitor_pairs(text: str) -> list[str]:
    """One pair a line (or comma-separated), tidied: "Acme | Globex" -> "Acme|Globex"."""
    pairs = []
    for part in re.split(r"[\n,]", text):
        if part.strip():
            sides = _sides(part)
            pairs.append("|".join(sides) if len(sides) == 2 else part.strip())
    return pairs


@dataclass(frozen=True)
class Invited:
    program: Program
    invited: list[str]


class ProgramService:
    """The programs of each workspace: their rules for the services, and their upkeep for
    coordinators (create, edit, invite), every change audited."""

    def __init__(
        self,
        *,
        uow: Callable[[], ProgramsWork],
        clock: Clock,
        rules: ProgramRules,
        is_coordinator: Callable[[str, str], bool] | None = None,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._defaults = rules
        self._is_coordinator = is_coordinator or (
            lambda user, team: Roster(uow=uow, rules=rules).is_coordinator(team, user)
        )
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[str, int], tuple[float, Program | None]] = {}
        self._lists: dict[str, tuple[float, list[Program]]] = {}  # team -> its programs
        self._joined: dict[str, tuple[float, list[Any]]] = {}  # team -> programs it joined
        self._lock = threading.Lock()

    @property
    def defaults(self) -> ProgramRules:
        return self._defaults

    # -- the rules, for the services -------------------------------------------------------

    def rules(self, uow: ProgramsRead, team_id: str, program_id: int | None) -> ProgramRules:
        """The rules of a program, read in the caller's transaction (or from the cache)."""
        if program_id is None:
            return self._defaults
        found, program = self._cached(team_id, program_id)
        if not found:
            program = _own_or_joined(uow, team_id, program_id)
            self._remember(team_id, program_id, program)
        return self._rules_of(program)

    def rules_for(self, team_id: str, program_id: int | None) -> ProgramRules:
        """The same, outside any transaction (handlers building a form, the dispatcher)."""
        if program_id is None:
            return self._defaults
        return self._rules_of(self._read(team_id, program_id))

    def joinable(self, team_id: str, program_id: int | None) -> bool:
        """Whether people may offer or ask in this program (it exists, not archived): one of
        the workspace's own, or another's it is an active member of."""
        if program_id is None:
            return True
        program = self._read(team_id, program_id)
        return program is not None and not program.archived

    def _read(self, team_id: str, program_id: int) -> Program | None:
        found, program = self._cached(team_id, program_id)
        if not found:
            with self._uow() as uow:
                program = _own_or_joined(uow, team_id, program_id)
            self._remember(team_id, program_id, program)
        return program

    def forget(self, team_id: str) -> None:
        """A workspace joined or left a shared program: read its programs afresh."""
        with self._lock:
            for key in [key for key in self._cache if key[0] == team_id]:
                del self._cache[key]
            self._lists.pop(team_id, None)
            self._joined.pop(team_id, None)

    def joined_list(self, team_id: str, read: Callable[[], list[Joined]]) -> list[Joined]:
        """``read()`` (the other workspaces' programs this one joined, ``SharingService``),
        kept as briefly as the program list is and forgotten with it: every ask and offer
        modal offers them (a query ahead of ``views.open`` each time before)."""
        with self._lock:
            hit = self._joined.get(team_id)
        if hit is not None and hit[0] >= time.monotonic():
            return copy.deepcopy(hit[1])
        found = read()
        with self._lock:
            self._joined[team_id] = (time.monotonic() + self._cache_seconds, copy.deepcopy(found))
        return found

    def quiet_hours(
        self, kinds: frozenset[str] | None = None, *, zones: RecipientZones | None = None
    ) -> ProgramQuietHours:
        return ProgramQuietHours(self, kinds, zones=zones)

    def _rules_of(self, program: Program | None) -> ProgramRules:
        # A program that is gone (never, today: programs are archived, not deleted) falls
        # back to the workspace's rules rather than stopping its pairs' prompts.
        return program.rules(self._defaults) if program is not None else self._defaults

    def _cached(self, team_id: str, program_id: int) -> tuple[bool, Program | None]:
        with self._lock:
            hit = self._cache.get((team_id, program_id))
        if hit is None or hit[0] < time.monotonic():
            return False, None
        return True, hit[1]

    def _remember(self, team_id: str, program_id: int, program: Program | None) -> None:
        with self._lock:
            self._cache[(team_id, program_id)] = (time.monotonic() + self._cache_seconds, program)
            self._lists.pop(team_id, None)  # a change here: the list is read afresh

    # -- for everyone: which programs there are --------------------------------------------

    def programs(self, team_id: str, *, archived: bool = False) -> list[Program]:
        """The default program first, then the workspace's own by name.

        Read on every modal that opens, so kept as briefly as the rules are: another
        replica's new program shows within ``cache_seconds``, one made here at once."""
        with self._lock:
            hit = self._lists.get(team_id)
        if hit is not None and hit[0] >= time.monotonic():
            rows = copy.deepcopy(hit[1])
        else:
            with self._uow() as uow:
                rows = uow.programs.all(team_id)
            with self._lock:
                expires = time.monotonic() + self._cache_seconds
                self._lists[team_id] = (expires, copy.deepcopy(rows))
        own = sorted((p for p in rows if archived or not p.archived), key=lambda p: p.name)
        return [default_program(team_id, self._defaults), *own]

    def program(self, team_id: str, program_id: int | None) -> Program:
        if program_id is None:
            return default_program(team_id, self._defaults)
        with self._uow() as uow:
            program = uow.programs.get(team_id, program_id)
        if program is None:
            raise NotFound("I can't find that program. `/mentor program` lists them.")
        return program

    def find(self, team_id: str, name: str, *, archived: bool = False) -> Program:
        """A program by name (case-insensitive), for `/mentor program edit|invite <name>`."""
        wanted = " ".join(name.split()).casefold()
        for program in self.programs(team_id, archived=archived):
            if program.name.casefold() == wanted or program.value == wanted:
                return program
        raise NotFound(
            f"There is no program called {echo(name.strip())}. `/mentor program` lists them."
        )

    # -- for coordinators ------------------------------------------------------------------

    def is_coordinator(self, user_id: str, *, team_id: str) -> bool:
        return self._is_coordinator(user_id, team_id)

    def check(self, program: Program) -> dict[str, str]:
        with self._uow() as uow:
            taken = {
                p.name.casefold() for p in uow.programs.all(program.team_id) if p.id != program.id
            }
        return check_program(program, taken)

    def save(self, *, coordinator_id: str, program: Program) -> Program:
        """Create a program, or change one (its pairs keep their dates; new rules apply from
        the next thing planned)."""
        self._require(coordinator_id, program.team_id)
        program.name = " ".join(program.name.split())
        errors = self.check(program)
        if errors:
            block, message = next(iter(errors.items()))
            raise DomainError(message, field=block)
        now = self._clock.now()
        with self._uow() as uow:
            if program.id is not None:
                stored = uow.programs.get(program.team_id, program.id)
                if stored is None:
                    raise NotFound("I can't find that program. `/mentor program` lists them.")
                program.created_at, program.created_by = stored.created_at, stored.created_by
            else:
                program.created_at, program.created_by = now, coordinator_id
            program.updated_at = now
            created = program.id is None
            program = uow.programs.save(program)
            record_audit(
                uow.audit,
                team_id=program.team_id,
                subject=f"program:{program.value}",
                actor=coordinator_id,
                action="program.create" if created else "program.edit",
                at=now,
                detail={"focus_areas": len(program.focus_areas), "archived": program.archived},
            )
            uow.commit()
        assert program.id is not None
        self._remember(program.team_id, program.id, program)
        return program

    def invite(
        self, *, team_id: str, coordinator_id: str, program_id: int | None, user_ids: list[str]
    ) -> Invited:
        """A DM to each person with a button to join the program as a mentee or a mentor."""
        self._require(coordinator_id, team_id)
        people = list(dict.fromkeys(u for u in user_ids if u))
        if not people:
            raise DomainError("Mention the people to invite, like `@ana @ben`.", field="people")
        if len(people) > MAX_INVITES:
            raise DomainError(f"Invite at most {MAX_INVITES} people at a time.", field="people")
        program = self.program(team_id, program_id)
        if program.archived:
            raise DomainError(
                f"{echo(program.name)} is archived: nobody can join it.", field="people"
            )
        now = self._clock.now()
        with self._uow() as uow:
            for user_id in people:
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=team_id,
                        kind=Kind.PROGRAM_INVITE,
                        recipient=user_id,
                        key=f"program:{program.value}:invite:{user_id}:{now.isoformat()}",
                        due_at=now,
                        payload=ProgramInvite(
                            program_id=program.id, program=program.name, invited_by=coordinator_id
                        ),
                    )
                )
            record_audit(
                uow.audit,
                team_id=program.team_id,
                subject=f"program:{program.value}",
                actor=coordinator_id,
                action="program.invite",
                at=now,
                detail={"people": len(people)},
            )
            uow.commit()
        return Invited(program=program, invited=people)

    def _require(self, user_id: str, team_id: str) -> None:
        if not self.is_coordinator(user_id, team_id=team_id):
            raise NotAllowed(
                "Programs are for the program's coordinators to set up. If you should be one, "
                "ask your program team to add you."
            )


def _own_or_joined(uow: ProgramsRead, team_id: str, program_id: int) -> Program | None:
    """The workspace's own program, or another's shared with it (an active membership)."""
    program = uow.programs.get(team_id, program_id)
    if program is None:
        program = next((p for p in uow.programs.joined(team_id) if p.id == program_id), None)
    return program


class ProgramQuietHours:
    """Working hours read from the program a message belongs to (``PairPrompt.program_id``);
    messages of the default program, and older ones, keep the workspace's hours. The
    recipient's zone is Slack's (``zones``), asked only for a message that is held."""

    def __init__(
        self,
        programs: ProgramService,
        kinds: frozenset[str] | None = None,
        *,
        zones: RecipientZones | None = None,
    ) -> None:
        self._programs = programs
        self._kinds = kinds
        self._zone_of = zones.of if zones is not None else None
        self._default = QuietHours.for_program(programs.defaults, kinds)

    def hold_until(self, message: OutgoingMessage, now: datetime) -> datetime | None:
        if not self._default.holds(message):
            return None
        payload = message.payload
        program_id = payload.program_id if isinstance(payload, PairPrompt) else None
        host = (payload.program_team_id if isinstance(payload, PairPrompt) else None) or None
        hours = (
            QuietHours.for_program(
                self._programs.rules_for(host or message.team_id, program_id), self._kinds
            )
            if program_id is not None
            else self._default
        )
        return hours.hold_until(message, now, zone_of=self._zone_of)
