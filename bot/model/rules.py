"""A program's rules: who may be paired with whom, term and session lengths, cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.model.partnership import DEFAULT_FOCUS_AREAS


@dataclass(frozen=True)
class CrossCompanyRule:
    """How organizations may meet.

    ``required``: every mentor comes from another organization than the mentee.
    ``competitors``: pairs of organizations that never meet, whatever else is allowed.
    Organizations compare case-insensitively, ignoring surrounding blanks.
    """

    required: bool = False
    competitors: frozenset[frozenset[str]] = frozenset()

    def allows(self, mentee_org: str, mentor_org: str, *, mentee_wants_other: bool) -> bool:
        a, b = normalize_org(mentee_org), normalize_org(mentor_org)
        same = bool(a) and a == b
        if (self.required or mentee_wants_other) and same:
            return False
        return frozenset((a, b)) not in self.competitors


def normalize_org(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class FitRule:
    """When a mentor is worth a mentee's time, beyond the hard rules of who may meet.

    By default a suggestion (and a cohort pair) shares at least one of the focus areas the
    mentee asked for, has at least one working hour in common, and both speak a language the
    mentee can have sessions in. Coordinators may allow weaker fits (``weak_fit``: no shared
    focus area or no working hours in common) or any language (``any_language``), for a
    program with few mentors. Someone who named no language speaks ``default_languages``.
    """

    weak_fit: bool = False
    any_language: bool = False
    default_languages: tuple[str, ...] = ("English",)


DEFAULT_FIT = FitRule()


@dataclass(frozen=True)
class ProgramRules:
    """The program settings the domain needs; built once from settings at start-up."""

    focus_areas: tuple[str, ...] = DEFAULT_FOCUS_AREAS
    term: timedelta = timedelta(days=365)
    cross_company: CrossCompanyRule = CrossCompanyRule()
    fit: FitRule = FitRule()
    suggestions: int = 3
    request_reminder_after: timedelta = timedelta(days=3)
    request_expires_after_reminder: timedelta = timedelta(days=2)
    coordinators: tuple[str, ...] = ()
    max_capacity: int = 5
    session_lengths: tuple[int, ...] = (45, 60)
    default_session_minutes: int = 60
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(minutes=15))
    onboarding: bool = True  # the welcome, first-session agenda and monthly topics
    # the program's rhythm (bot/rhythm.py)
    pulse_every: timedelta = timedelta(days=14)
    quiet_nudge_days: tuple[int, int, int] = (14, 21, 28)  # mentee, both, coordinators
    term_notice: timedelta = timedelta(days=14)
    term_extension: timedelta = timedelta(days=90)  # zero: coordinators don't allow extending
    workday_start_hour: int = 9
    workday_end_hour: int = 18
    weekends_off: bool = True
    default_tz: str = "UTC"  # for people whose time zone we don't know (coordinators)
    channel: str = ""  # announcements and shout-outs; empty: none


class OneProgram:
    """The rules source of a bot with only the workspace's default program: every request
    and partnership follows ``rules`` (services built without a ``ProgramService``)."""

    def __init__(self, rules: ProgramRules) -> None:
        self._rules = rules

    def rules(self, uow: object, team_id: str, program_id: int | None) -> ProgramRules:
        return self._rules

    def rules_for(self, team_id: str, program_id: int | None) -> ProgramRules:
        return self._rules

    def joinable(self, team_id: str, program_id: int | None) -> bool:
        return True
