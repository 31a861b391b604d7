"""Sharing a program with other workspaces: the first slice of cross-company programs.

A coordinator of the *host* workspace runs `/mentor program share <name>` and gets a join
code: one-time (the first workspace to accept spends it), expiring after ``CODE_DAYS``,
revocable, shown only to them and stored only as a hash. A coordinator of another workspace
where the app is installed runs `/mentor program join <code>`, reads the program's rules and
what is shared, and accepts: their workspace becomes a *member*. The host's coordinators see
the member workspaces and may remove one. Every step is audited in each workspace involved.

Storage, and what comes next
----------------------------
Every row keeps its owner's ``team_id``: ``program_join_codes`` rows are the host's,
``program_memberships`` rows are the member's (with ``host_team_id`` and ``program_id``
naming the host's program), so uninstalling and purging either workspace removes what it
owns, and a membership goes with its host's program (``ON DELETE CASCADE``).

Joining changes nobody's matching yet. The next slices, in the order they depend:

- *People of a member workspace in the program.* ``mentor_profiles`` and ``mentor_requests``
  keep the person's own ``team_id`` and gain ``host_team_id`` beside ``program_id`` (NULL for
  a program of their own workspace), so `/mentor ask|offer` in a member workspace offers the
  joined programs (``SharingRepository.joined``) and the rules come from the host's row
  (``ProgramService.rules(uow, host_team_id, program_id)``).
- *A partnership across workspaces.* ``partnerships`` gains ``mentee_team_id`` and
  ``mentor_team_id`` (migration: both = ``team_id`` for existing rows, NOT NULL after);
  ``team_id`` stays the owner, i.e. the host of the program (the pair's schedule, check-ins
  and reports are the program's). Every read that today filters ``team_id == X AND
  mentee_id == U`` for a person becomes ``mentee_team_id == X``; for the program it stays
  ``team_id``. Sessions, goals and progress rows hang off the partnership and keep the
  host's ``team_id``; reflections and notes keep their *author's* workspace as ``team_id``
  (they are theirs, and an erasure or uninstall there must find them).
- *Matching* (landed: ``bot.matching.companies``). The pool of a shared program is the union
  of the host's and every active member's mentors in it; the cross-company rule compares
  workspaces, not the typed organization, and the program's rival list may name member
  workspaces. People of a member workspace ask and offer in it from their own Slack (the
  modals list ``SharingService.joined``); proposals and partnerships are the host's, with
  each person's own workspace.
- *Delivery.* Every outbox row is addressed to a person *in a workspace*: the row's
  ``team_id`` is the recipient's workspace (it already chooses the token), the payload
  carries the partnership's host, and buttons resolve the partnership through the host.
- *Leaving* (``bot.programs.leaving``): a member that leaves (`/mentor program leave`), is
  removed or uninstalls has its pairs across the boundary end kindly, their partners told
  and rematched, and its people's rows in the host's program erased after the retention
  window (at once on uninstall).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.errors import Conflict, DomainError, NotAllowed, NotFound, echo
from bot.model.programs import Program
from bot.model.sharing import (
    JoinCode,
    JoinedProgram,
    JoinOffer,
    MembershipStatus,
    MemberWorkspace,
    ProgramMembership,
)
from bot.ports.repositories import record_audit
from bot.programs.leaving import Departure, Departures, erase_key
from bot.programs.service import ProgramService

if TYPE_CHECKING:  # the ports name this feature's nouns: imported for annotations only
    from bot.programs.ports import LeavingWork, SharingWork

CODE_DAYS = 7
MAX_OPEN_CODES = 20  # per program: plenty for a cohort, and a bound on what is lying about
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's: no I, L, O, U to misread
CODE_LENGTH = 16  # 80 random bits: guessing one is hopeless, so a plain hash is enough
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

NOT_A_CODE = (
    "That is not a join code I know. Check it was copied whole (like `ABCD-EFGH-JKMN-PQRS`), "
    "or ask the program's coordinator for a new one."
)
NOT_COORDINATOR = (
    "Joining or sharing a program is for the program's coordinators. If you should be one, "
    "ask your program team to add you."
)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """The code as issued, from what a person pasted (case, dashes, spaces, O for 0 forgiven);
    None when it cannot be one."""
    code = "".join(typed.split()).replace("-", "").upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def shown(code: str) -> str:
    """How the code is shown: four groups of four, easy to read out or paste."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclass(frozen=True)
class SharedCode:
    """A code just made: the only moment its text exists outside the coordinator's hands."""

    code: str
    join_code: JoinCode
    program: Program


@dataclass(frozen=True)
class HostView:
    """What the host's coordinator sees of a shared program."""

    program: Program
    members: list[MemberWorkspace]
    open_codes: list[JoinCode]


class SharingService:
    def __init__(
        self,
        *,
        uow: Callable[[], LeavingWork],
        clock: Clock,
        programs: ProgramService,
        departures: Departures | None = None,
        make_code: Callable[[], str] = new_code,
        code_days: int = CODE_DAYS,
    ) -> None:
        self._uow = uow
        self._departures = departures
        self._clock = clock
        self._programs = programs
        self._make_code = make_code
        self._lifetime = timedelta(days=code_days)

    # -- the host --------------------------------------------------------------------------

    def share(self, *, team_id: str, coordinator_id: str, name: str) -> SharedCode:
        self._require(coordinator_id, team_id)
        program = self._shareable(team_id, name)
        assert program.id is not None
        now = self._clock.now()
        code = self._make_code()
        with self._uow() as uow:
            if len(uow.sharing.open_codes(team_id, program.id, now=now)) >= MAX_OPEN_CODES:
                raise Conflict(
                    f"{echo(program.name)} has {MAX_OPEN_CODES} unused codes already: revoke "
                    f"some (`/mentor program workspaces {echo(program.name)}`) first."
                )
            join_code = uow.sharing.add_code(
                JoinCode(
                    team_id=team_id,
                    program_id=program.id,
                    code_hash=code_hash(code),
                    created_by=coordinator_id,
                    created_at=now,
                    expires_at=now + self._lifetime,
                )
            )
            self._audit(
                uow,
                team_id,
                actor=coordinator_id,
                action="program.share",
                program_id=program.id,
                at=now,
            )
            uow.commit()
        return SharedCode(code=shown(code), join_code=join_code, program=program)

    def revoke(
        self,
        *,
        team_id: str,
        coordinator_id: str,
        code: str | None = None,
        code_id: int | None = None,
    ) -> JoinCode:
        """By its text (`/mentor program revoke <code>`) or its ID (a button)."""
        self._require(coordinator_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            found = self._own_code(uow, team_id, code=code, code_id=code_id)
            if found.used_at is not None:
                raise Conflict("That code was already used: remove the workspace instead.")
            if found.revoked_at is None:
                assert found.id is not None
                if not uow.sharing.revoke_code(team_id, found.id, by=coordinator_id, at=now):
                    raise Conflict("That code was used a moment ago: remove the workspace instead.")
                found.revoked_by, found.revoked_at = coordinator_id, now
                self._audit(
                    uow,
                    team_id,
                    actor=coordinator_id,
                    action="program.revoke",
                    program_id=found.program_id,
                    at=now,
                )
                uow.commit()
        return found

    def _own_code(
        self, uow: SharingWork, team_id: str, *, code: str | None, code_id: int | None
    ) -> JoinCode:
        found: JoinCode | None = None
        if code_id is not None:
            found = uow.sharing.code(team_id, code_id)
        elif code is not None:
            normalized = normalize_code(code)
            found = uow.sharing.code_by_hash(code_hash(normalized)) if normalized else None
        if found is None or found.team_id != team_id:
            raise NotFound("There is no such code of this workspace's programs.")
        return found

    def view(self, *, team_id: str, coordinator_id: str, name: str) -> HostView:
        """The program's member workspaces (removed ones too) and its unused codes."""
        self._require(coordinator_id, team_id)
        program = self._shareable(team_id, name, archived=True)
        assert program.id is not None
        with self._uow() as uow:
            members = [
                MemberWorkspace(membership=m, name=self._name(uow, m.team_id))
                for m in uow.sharing.members(team_id, program.id)
            ]
            codes = uow.sharing.open_codes(team_id, program.id, now=self._clock.now())
        return HostView(program=program, members=members, open_codes=codes)

    def remove(self, *, team_id: str, coordinator_id: str, membership_id: int) -> HostView:
        """Take a member workspace out of the host's program; the view after it."""
        self._require(coordinator_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            membership = uow.sharing.hosted_membership(team_id, membership_id)
            if membership is None:
                raise NotFound("That workspace is not in any of this workspace's programs.")
            program = uow.programs.get(team_id, membership.program_id)
            if program is None:
                raise NotFound("I can't find that program. `/mentor program` lists them.")
            if membership.active:
                membership.status = MembershipStatus.REMOVED
                membership.removed_by, membership.removed_at = coordinator_id, now
                uow.sharing.save_membership(membership)
                self._audit(
                    uow,
                    team_id,
                    actor=coordinator_id,
                    action="program.member_remove",
                    program_id=program.id,
                    at=now,
                    member=membership.team_id,
                )
                self._audit(
                    uow,
                    membership.team_id,
                    actor=coordinator_id,
                    action="program.removed_by_host",
                    program_id=program.id,
                    at=now,
                    host=team_id,
                )
                if self._departures is not None:
                    self._departures.depart(
                        uow, membership, how=Departure.REMOVED, actor=coordinator_id, now=now
                    )
                uow.commit()
                self._programs.forget(membership.team_id)
        return self.view(team_id=team_id, coordinator_id=coordinator_id, name=program.name)

    def hosted(self, team_id: str) -> dict[int, list[str]]:
        """The names of each shared program's active member workspaces, by program ID."""
        with self._uow() as uow:
            found: dict[int, list[str]] = {}
            for membership in uow.sharing.hosted(team_id):
                name = self._name(uow, membership.team_id)
                found.setdefault(membership.program_id, []).append(name)
        return found

    def member_names(self, host_team_id: str, program_id: int) -> dict[str, str]:
        """``SharedPrograms``: the program's active member workspaces, by team ID."""
        with self._uow() as uow:
            return {
                m.team_id: self._name(uow, m.team_id)
                for m in uow.sharing.members(host_team_id, program_id)
                if m.active
            }

    def workspace_name(self, team_id: str) -> str:
        with self._uow() as uow:
            return self._name(uow, team_id)

    # -- a member --------------------------------------------------------------------------

    def joined_program(
        self, team_id: str, name: str, *, host: str = ""
    ) -> tuple[str, Program] | None:
        """``SharedPrograms``: a program this workspace takes part in, by its name (and, with
        ``host``, by the name of the workspace that runs it)."""
        wanted = " ".join(name.split()).casefold()
        run_by = " ".join(host.split()).casefold()
        with self._uow() as uow:
            for membership in uow.sharing.joined(team_id):
                program = uow.programs.get(membership.host_team_id, membership.program_id)
                if program is None or program.name.casefold() != wanted:
                    continue
                if run_by and self._name(uow, membership.host_team_id).casefold() != run_by:
                    continue
                return membership.host_team_id, program
        return None

    def offer(self, *, team_id: str, user_id: str, code: str) -> JoinOffer:
        """What the joining coordinator reads before accepting; refused as accept would be."""
        self._require(user_id, team_id)
        with self._uow() as uow:
            join_code, program = self._joinable(uow, team_id, code)
            return JoinOffer(
                program=program,
                host_name=self._name(uow, join_code.team_id),
                expires_at=join_code.expires_at,
            )

    def accept(self, *, team_id: str, user_id: str, code: str) -> JoinedProgram:
        self._require(user_id, team_id)
        now = self._clock.now()
        with self._uow() as uow:
            join_code, program = self._joinable(uow, team_id, code)
            assert join_code.id is not None and program.id is not None
            if not uow.sharing.use_code(join_code.id, team_id=team_id, user_id=user_id, at=now):
                raise Conflict(self._spent(uow.sharing.code(join_code.team_id, join_code.id)))
            host = join_code.team_id
            membership = uow.sharing.membership(team_id, host_team_id=host, program_id=program.id)
            if membership is None:
                membership = ProgramMembership(
                    team_id=team_id,
                    host_team_id=host,
                    program_id=program.id,
                    accepted_by=user_id,
                    accepted_at=now,
                )
            else:  # removed before, invited again with a new code
                membership.status = MembershipStatus.ACTIVE
                membership.accepted_by, membership.accepted_at = user_id, now
                membership.removed_by = membership.removed_at = None
            membership.join_code_id = join_code.id
            membership = uow.sharing.save_membership(membership)
            self._audit(
                uow,
                team_id,
                actor=user_id,
                action="program.join",
                program_id=program.id,
                at=now,
                host=host,
            )
            self._audit(
                uow,
                host,
                actor=user_id,
                action="program.member_join",
                program_id=program.id,
                at=now,
                member=team_id,
            )
            joined = JoinedProgram(
                membership=membership, program_name=program.name, host_name=self._name(uow, host)
            )
            # back within the retention period: what its people had in the program stays
            uow.outbox.cancel(host, erase_key(membership))
            if self._departures is not None:
                self._departures.tell_coordinators(
                    uow, membership, how=Departure.JOINED, program=program.name, now=now
                )
            uow.commit()
        self._programs.forget(team_id)
        return joined

    def joined(self, team_id: str) -> list[JoinedProgram]:
        """The other workspaces' programs this one takes part in: kept briefly with the
        program lists (``ProgramService.joined_list``); a join or a removal through this
        process is seen at once, another replica's within the cache's seconds."""
        return self._programs.joined_list(team_id, lambda: self._read_joined(team_id))

    def _read_joined(self, team_id: str) -> list[JoinedProgram]:
        with self._uow() as uow:
            found = []
            for membership in uow.sharing.joined(team_id):
                program = uow.programs.get(membership.host_team_id, membership.program_id)
                if program is not None:
                    found.append(
                        JoinedProgram(
                            membership=membership,
                            program_name=program.name,
                            host_name=self._name(uow, membership.host_team_id),
                            program=program,
                        )
                    )
        return found

    def _joinable(self, uow: SharingWork, team_id: str, typed: str) -> tuple[JoinCode, Program]:
        """The code and its program, or the one refusal that says why not."""
        normalized = normalize_code(typed)
        join_code = uow.sharing.code_by_hash(code_hash(normalized)) if normalized else None
        if join_code is None:
            raise NotFound(NOT_A_CODE)
        if join_code.team_id == team_id:
            raise DomainError(
                "That code is for *other* workspaces to join your program: give it to their "
                "coordinator. Your own workspace is already the program's host."
            )
        if not join_code.open_at(self._clock.now()):
            raise Conflict(self._spent(join_code, team_id=team_id))
        program = uow.programs.get(join_code.team_id, join_code.program_id)
        if program is None or program.archived:
            raise Conflict("That program is archived: it takes no new workspaces.")
        if uow.workspaces.removal(join_code.team_id) is not None:
            raise Conflict("The workspace that runs that program has removed Mentorbot.")
        membership = uow.sharing.membership(
            team_id, host_team_id=join_code.team_id, program_id=join_code.program_id
        )
        if membership is not None and membership.active:
            raise Conflict(f"Your workspace is already in {echo(program.name)}.")
        return join_code, program

    def _spent(self, join_code: JoinCode | None, *, team_id: str = "") -> str:
        ask = "Ask the program's coordinator for a new one."
        if join_code is None or join_code.revoked_at is not None:
            return f"That code was revoked by the program's coordinator. {ask}"
        if join_code.used_at is not None:
            if team_id and join_code.used_by_team_id == team_id:
                return "Your workspace already used that code to join."
            return f"That code was already used: each code lets one workspace join. {ask}"
        return f"That code has expired (codes last {self._lifetime.days} days). {ask}"

    # -- shared ----------------------------------------------------------------------------

    def _shareable(self, team_id: str, name: str, *, archived: bool = False) -> Program:
        if not name.strip():
            raise DomainError("Name the program, like `/mentor program share Cross-company`.")
        program = self._programs.find(team_id, name, archived=archived)
        if program.id is None:
            raise DomainError(
                "The main program's rules come from the bot's settings, so it stays in this "
                "workspace. `/mentor program new` creates a program you can share."
            )
        if program.archived and not archived:
            raise DomainError(f"{echo(program.name)} is archived: it takes no new workspaces.")
        return program

    def _require(self, user_id: str, team_id: str) -> None:
        if not self._programs.is_coordinator(user_id, team_id=team_id):
            raise NotAllowed(NOT_COORDINATOR)

    @staticmethod
    def _name(uow: SharingWork, team_id: str) -> str:
        return uow.sharing.workspace_name(team_id) or f"workspace {team_id}"

    @staticmethod
    def _audit(
        uow: SharingWork,
        team_id: str,
        *,
        actor: str,
        action: str,
        program_id: int | None,
        at: datetime,
        **detail: str,
    ) -> None:
        """Never the code: the audit says who shared, joined or removed, and when."""
        record_audit(
            uow.audit,
            team_id=team_id,
            actor=actor,
            action=action,
            subject=f"program:{program_id}",
            at=at,
            detail=dict(detail),
        )
