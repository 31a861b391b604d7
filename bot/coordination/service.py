"""What coordinators do: watch the program's health, check in on pairs, get reports; every
action in an audit log (cohort matching is matching's own: ``bot.matching.cohorts``).

Coordinators steer the program, they never read a partnership's private contents: nothing
here returns what a mentee or mentor wrote beyond what a mentor request already shows a mentor
(the mentee's focus areas), and the audit log keeps identifiers and counts only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.coordination.group import ROUNDS
from bot.coordination.health import month_start, program_health
from bot.coordination.outcomes import outcome_rows
from bot.coordination.shared import by_company, program_requests, their_people
from bot.errors import DomainError, NotAllowed, NotFound, echo
from bot.model.audit import AuditEvent
from bot.model.health import ProgramHealth
from bot.model.kinds import Kind
from bot.model.messages.coordination import CheckIn, ProgramReport, ProgramReportDue
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership, PartnershipStatus, partner_of, team_if_across
from bot.model.programs import Program
from bot.model.progress import CheckKind
from bot.model.rules import ProgramRules
from bot.ports import CoordinationWork, ProgramCatalog, SharedPrograms, record_audit
from bot.roster import Roster

log = logging.getLogger(__name__)

MAX_PAIR_MESSAGE = 2000
REPORT_LATE = timedelta(days=3)  # after downtime, a report this late is skipped, not sent


OWN = "own"
_QUALIFIED = re.compile(r"^(?P<name>.*\S)\s*\((?P<which>[^()]+)\)\s*$")
_OWN_WORDS = frozenset({"own", "our own", "ours", "your own", "yours", "mine"})


def qualified(typed: str) -> tuple[str, str]:
    """A program's name and which one it means, from ``Cross-company (Acme's)`` (run by
    Acme) or ``Cross-company (own)`` (the workspace's own): ``OWN``, a workspace's name, or
    "" when nothing is said."""
    found = _QUALIFIED.match(typed.strip())
    if found is None:
        return typed.strip(), ""
    which = " ".join(found["which"].split()).casefold()
    for ending in ("'s", "\u2019s"):
        which = which.removesuffix(ending)
    return found["name"], OWN if which in _OWN_WORDS else which


class ReportSchedule(StrEnum):
    OFF = "off"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class CoordinatorService:
    def __init__(
        self,
        *,
        uow: Callable[[], CoordinationWork],
        clock: Clock,
        rules: ProgramRules,
        roster: Roster | None = None,
        report_schedule: ReportSchedule = ReportSchedule.OFF,
        programs: ProgramCatalog,
        shared: SharedPrograms | None = None,
    ) -> None:
        """``shared``: programs shared across workspaces, so a host's report covers every
        member workspace and a member's covers its own people in the host's program."""
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._roster = roster or Roster(uow=uow, rules=rules)
        self._report_schedule = report_schedule
        self._programs = programs
        self._shared = shared

    def is_coordinator(self, user_id: str, *, team_id: str) -> bool:
        return self._roster.is_coordinator(team_id, user_id)

    def _require(self, user_id: str, team_id: str) -> None:
        if not self.is_coordinator(user_id, team_id=team_id):
            raise NotAllowed(
                "That is for the program's coordinators. If you think you should be one, "
                "ask your program team to add you."
            )

    def health(
        self, *, team_id: str, coordinator_id: str, audit: bool = True, program: str = ""
    ) -> ProgramHealth:
        """The program's health in numbers: the whole workspace, or one program by name.
        Asking for the report is recorded (``audit``), the coordinator's own Home tab showing
        the summary is not."""
        self._require(coordinator_id, team_id)
        only, host = self._scope(team_id, program)
        companies: dict[str, str] = {}
        if only is not None and only.id is not None and host is None and self._shared:
            members = self._shared.member_names(team_id, only.id)
            if members:
                companies = {team_id: self._shared.workspace_name(team_id), **members}
        now = self._clock.now()
        with self._uow() as uow:
            if only is not None and host is not None:
                health = their_people(uow, host, team_id, now, only)
            else:
                health = _health(uow, team_id, now, only, companies)
            if audit:
                record_audit(
                    uow.audit,
                    team_id=team_id,
                    actor=coordinator_id,
                    action="report.view",
                    subject="program" if only is None else f"program:{only.id or 'main'}",
                    at=now,
                )
                uow.commit()
            return health

    def people_elsewhere(self, team_id: str, user_id: str) -> dict[str, str]:
        """For a coordinator: the people of other workspaces in the live pairs of programs
        this workspace hosts (user -> their workspace), whom what the coordinator reads names
        in words (a mention can't resolve here); for anyone else, nobody."""
        if not self.is_coordinator(user_id, team_id=team_id):
            return {}
        live = (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
        with self._uow() as uow:
            return {
                member: pair.team_of(member)
                for pair in uow.directory.partnerships(team_id)
                if pair.status in live and pair.across_workspaces
                for member in pair.members()
                if pair.team_of(member) != team_id
            }

    def _scope(self, team_id: str, program: str) -> tuple[Program | None, str | None]:
        """The program asked about, and its host when it is another workspace's program
        this one takes part in (None: the workspace's own).

        A workspace's own program and one it joined may share a name: then the name alone is
        refused, naming both ways to say which ("Cross-company (own)", "Cross-company
        (Acme's)"), rather than silently taking one."""
        if not program.strip():
            return None, None
        name, which = qualified(program)
        if which == OWN:
            own = self._own(team_id, name)
            if own is not None:
                return own, None
        elif which and self._shared is not None:
            chosen = self._shared.joined_program(team_id, name, host=which)
            if chosen is not None:
                return chosen[1], chosen[0]
        own = self._own(team_id, program)
        joined = self._shared.joined_program(team_id, program) if self._shared else None
        if own is not None and joined is not None:
            assert self._shared is not None
            host = self._shared.workspace_name(joined[0])
            shown = echo(" ".join(program.split()))
            raise DomainError(
                f"Two programs are called {shown}: your workspace's own, and {echo(host)}'s, "
                f"which your workspace joined. Say which one: `/mentor report {shown} (own)` "
                f"or `/mentor report {shown} ({echo(host)}'s)`."
            )
        if own is not None:
            return own, None
        if joined is not None:
            return joined[1], joined[0]
        return self._programs.find(team_id, program, archived=True), None  # its NotFound

    def _own(self, team_id: str, name: str) -> Program | None:
        try:
            return self._programs.find(team_id, name, archived=True)
        except NotFound:
            return None

    def check_in(
        self, *, team_id: str, coordinator_id: str, partnership_id: int, text: str = ""
    ) -> Partnership:
        """A word from the program team to both partners of a pair: a friendly check-in (once a
        day), or what the coordinator wrote (``text``)."""
        self._require(coordinator_id, team_id)
        text = text.strip()
        if len(text) > MAX_PAIR_MESSAGE:
            raise DomainError(f"Keep it under {MAX_PAIR_MESSAGE:,} characters.", field="text")
        now = self._clock.now()
        occasion = now.isoformat() if text else now.date().isoformat()
        with self._uow() as uow:
            partnership = uow.partnerships.get(team_id, partnership_id)
            if (
                partnership is None
                or partnership.team_id != team_id  # the program's coordinators, not a member's
                or partnership.status not in (PartnershipStatus.ACTIVE, PartnershipStatus.PAUSED)
            ):
                raise NotFound("That partnership isn't running any more.")
            for member in partnership.members():
                uow.outbox.add(
                    OutgoingMessage(
                        team_id=partnership.team_of(member),  # in their own Slack
                        kind=Kind.COORDINATOR_CHECK_IN,
                        recipient=member,
                        key=f"check_in:{partnership_id}:{occasion}:{member}",
                        due_at=now,
                        payload=CheckIn(
                            coordinator_id=coordinator_id,
                            partner_id=partner_of(partnership, member),
                            text=text,
                            partner_team_id=team_if_across(
                                partnership, partner_of(partnership, member)
                            ),
                        ),
                    )
                )
            record_audit(
                uow.audit,
                team_id=team_id,
                actor=coordinator_id,
                action="pair.message" if text else "pair.check_in",
                subject=f"partnership:{partnership_id}",
                at=now,
            )
            uow.commit()
            return partnership

    # -- the report on a schedule ----------------------------------------------------------

    def plan_reports(self) -> datetime | None:
        """At start-up: the next scheduled report, if the program wants one. Keyed by its
        period, so restarts and replicas plan it once; when it has run it plans the next."""
        if self._report_schedule is ReportSchedule.OFF:
            return None
        now = self._clock.now()
        with self._uow() as uow:
            at = self._plan_report(uow, after=now)
            uow.commit()
            return at

    def report_due(self, uow: CoordinationWork, message: OutgoingMessage, now: datetime) -> None:
        """A job: this period's report to every coordinator of every workspace, each once.

        The figures are worked out here, as of the scheduled time, and travel with the
        messages, so a retry after a 429 sends the same report, never a newer one.
        """
        due = message.payload_as(ProgramReportDue)
        schedule = ReportSchedule(due.schedule)
        if schedule is not self._report_schedule:
            return  # the setting changed since: the new schedule has its own chain
        self._plan_report(uow, after=max(message.due_at, now))
        if now - message.due_at > REPORT_LATE:
            log.info("the %s report was due %s: too late to send", message.key, message.due_at)
            return
        period = due.period
        teams = uow.directory.teams()
        joined: dict[str, list[tuple[str, int]]] = {}  # member -> (host, program) it joined
        for host in teams:
            for program_id, member in uow.directory.hosted_members(host):
                joined.setdefault(member, []).append((host, program_id))
        for team_id in teams:
            coordinators = self._roster.of(uow, team_id)
            if not coordinators:
                continue
            reports = [("", ProgramReport.of(_health(uow, team_id, now), schedule=schedule.value))]
            # a member workspace: its own people's figures in each program it joined, as the
            # on-demand `/mentor report <program>` gives them (``their_people``)
            for host, program_id in joined.get(team_id, []):
                program = uow.programs.get(host, program_id)
                if program is None:
                    continue
                theirs = their_people(uow, host, team_id, now, program)
                if theirs.mentors or theirs.mentees or theirs.active_pairs or theirs.completed:
                    reports.append(
                        (
                            f":joined:{host}:{program_id}",
                            ProgramReport.of(theirs, schedule=schedule.value),
                        )
                    )
            for coordinator in coordinators:
                for which, report in reports:
                    for kind, suffix in (
                        (Kind.PROGRAM_REPORT, ""),
                        (Kind.PROGRAM_REPORT_FILES, ":files"),
                    ):
                        uow.outbox.add(
                            OutgoingMessage(
                                team_id=team_id,
                                kind=kind,
                                recipient=coordinator,
                                key=f"report:{period}:{coordinator}{which}{suffix}",
                                due_at=now,
                                payload=report,
                            )
                        )

    def _plan_report(self, uow: CoordinationWork, *, after: datetime) -> datetime | None:
        due = next_report(
            after,
            schedule=self._report_schedule,
            zone=self._rules.default_tz,
            hour=self._rules.workday_start_hour,
        )
        if due is None:
            return None
        period, at = due
        uow.outbox.add(
            OutgoingMessage(
                team_id=ROUNDS,
                kind=Kind.PROGRAM_REPORT_DUE,
                recipient="",
                key=f"report:due:{period}",
                due_at=at,
                payload=ProgramReportDue(period=period, schedule=self._report_schedule.value),
            )
        )
        return at

    def audit_trail(
        self, *, team_id: str, coordinator_id: str, limit: int = 50
    ) -> list[AuditEvent]:
        self._require(coordinator_id, team_id)
        with self._uow() as uow:
            return uow.audit.recent(team_id, limit=limit)

    # -- internals -------------------------------------------------------------------------


def _health(
    uow: CoordinationWork,
    team_id: str,
    now: datetime,
    only: Program | None = None,
    companies: Mapping[str, str] | None = None,
) -> ProgramHealth:
    """The workspace's figures, or (``only``) those of one program's people and pairs; with
    what people said at the end (``outcome_rows``). ``companies``: the workspaces of a
    program shared across them (the host's first), whose people count too, with a row per
    company (``bot.coordination.shared.by_company``)."""
    health = _counts(uow, team_id, now, only, companies or {})
    ids = {
        p.id for p in uow.directory.partnerships(team_id) if only is None or p.program_id == only.id
    }
    finals, exits = (
        [c for c in uow.progress.checks_of_kind(team_id, kind) if c.partnership_id in ids]
        for kind in (CheckKind.FINAL, CheckKind.EXIT)
    )
    extra = {**health.extra, **outcome_rows(finals, exits)}
    if only is not None and only.id is not None and companies:
        extra |= by_company(uow, team_id, only.id, companies)
    return replace(health, extra=extra)


def _counts(
    uow: CoordinationWork,
    team_id: str,
    now: datetime,
    only: Program | None = None,
    companies: Mapping[str, str] | None = None,
) -> ProgramHealth:
    directory = uow.directory
    if only is None:
        # the workspace's own programs: its people in other workspaces' programs are in
        # those programs' reports; the people of workspaces in its shared programs are here
        guests = directory.guest_mentor_ids(team_id)
        mentor_ids = [m for m in directory.mentor_ids(team_id) if m not in guests]
        requests = [r for r in directory.requests(team_id) if r.host_team_id is None]
        for program_id, member in directory.hosted_members(team_id):
            mentor_ids += [f"{member}:{m}" for m in directory.mentor_ids_in(member, program_id)]
            requests += program_requests(uow, member, program_id, team_id)
        return program_health(
            now=now,
            mentor_ids=mentor_ids,
            requests=requests,
            partnerships=directory.partnerships(team_id),
            logs=directory.session_logs(team_id),
            goals_done_this_month=directory.goals_done_since(team_id, month_start(now)),
            milestones_this_month=directory.milestones_since(team_id, month_start(now)),
            pulses=uow.progress.checks_of_kind(team_id, CheckKind.PULSE),
            flags=uow.progress.flags(team_id),
        )
    pairs = [p for p in directory.partnerships(team_id) if p.program_id == only.id]
    ids = {p.id for p in pairs if p.id is not None}
    mentor_ids = list(directory.mentor_ids_in(team_id, only.id))
    requests = [r for r in directory.requests(team_id) if r.program_id == only.id]
    assert only.id is not None or not companies
    for member in companies or {}:
        if member != team_id and only.id is not None:  # a shared program: theirs count too
            mentor_ids += [f"{member}:{m}" for m in directory.mentor_ids_in(member, only.id)]
            requests += program_requests(uow, member, only.id, team_id)
    return replace(
        program_health(
            now=now,
            mentor_ids=mentor_ids,
            requests=requests,
            partnerships=pairs,
            logs=[log for log in directory.session_logs(team_id) if log.partnership_id in ids],
            goals_done_this_month=directory.goals_done_since(team_id, month_start(now), ids),
            milestones_this_month=directory.milestones_since(team_id, month_start(now), ids),
            pulses=[
                c
                for c in uow.progress.checks_of_kind(team_id, CheckKind.PULSE)
                if c.partnership_id in ids
            ],
            flags=[f for f in uow.progress.flags(team_id) if f.partnership_id in ids],
        ),
        program=only.name,
    )


def next_report(
    after: datetime, *, schedule: ReportSchedule, zone: str, hour: int
) -> tuple[str, datetime] | None:
    """The first scheduled report strictly after ``after``, with its period's name.

    Monthly: the first working day (Monday to Friday) of a month; weekly: each Monday; both at
    ``hour`` in the program's zone. The period names the key, so each is sent once.
    """
    if schedule is ReportSchedule.OFF:
        return None
    tz = ZoneInfo(zone)
    local = after.astimezone(tz)
    if schedule is ReportSchedule.WEEKLY:
        monday = local.date() - timedelta(days=local.weekday())
        for week in range(2):
            day = monday + timedelta(weeks=week)
            at = datetime.combine(day, time(hour), tzinfo=tz)
            if at > after:
                year, number, _ = day.isocalendar()
                return f"{year}-W{number:02d}", at.astimezone(UTC)
        raise AssertionError("a Monday comes within two weeks")
    year, month = local.year, local.month
    for _ in range(2):
        day = date(year, month, 1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        at = datetime.combine(day, time(hour), tzinfo=tz)
        if at > after:
            return f"{year}-{month:02d}", at.astimezone(UTC)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("a first working day comes within two months")
