"""A program: its own rules, texts and channel inside a workspace."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.model.rules import CrossCompanyRule, ProgramRules, normalize_org

if TYPE_CHECKING:  # the ports speak of programs, so import them only for typing
    pass


DEFAULT_NAME = "Main program"


DEFAULT_VALUE = "default"  # how the default program is named in selects and buttons


@dataclass
class Program:
    """One program of a workspace, as a coordinator set it up."""

    team_id: str
    name: str
    channel: str = ""
    term_days: int = 365
    session_minutes: int = 60
    pulse_every_days: int = 14
    focus_areas: list[str] = field(default_factory=list)
    workday_start_hour: int = 9
    workday_end_hour: int = 18
    weekends_off: bool = True
    cross_company_required: bool = False
    competitors: list[str] = field(default_factory=list)  # "Acme|Globex", one pair each
    weak_fit: bool = False  # suggest mentors with no shared focus area or working hour
    any_language: bool = False  # suggest mentors who speak none of the mentee's languages
    archived: bool = False
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def value(self) -> str:
        """How selects and buttons name it."""
        return str(self.id) if self.id is not None else DEFAULT_VALUE

    def rules(self, defaults: ProgramRules) -> ProgramRules:
        """This program's rules; what a program does not set comes from the workspace."""
        lengths = tuple(sorted({*defaults.session_lengths, self.session_minutes}))
        return replace(
            defaults,
            focus_areas=tuple(self.focus_areas) or defaults.focus_areas,
            term=timedelta(days=self.term_days),
            cross_company=CrossCompanyRule(
                required=self.cross_company_required,
                competitors=frozenset(
                    frozenset(normalize_org(side) for side in pair.split("|"))
                    for pair in self.competitors
                ),
            ),
            fit=replace(defaults.fit, weak_fit=self.weak_fit, any_language=self.any_language),
            session_lengths=lengths,
            default_session_minutes=self.session_minutes,
            pulse_every=timedelta(days=self.pulse_every_days),
            workday_start_hour=self.workday_start_hour,
            workday_end_hour=self.workday_end_hour,
            weekends_off=self.weekends_off,
            channel=self.channel or defaults.channel,
        )


def default_program(team_id: str, rules: ProgramRules) -> Program:
    """The settings' program, shaped like the others (for lists and forms)."""
    return Program(
        team_id=team_id,
        name=DEFAULT_NAME,
        channel=rules.channel,
        term_days=rules.term.days,
        session_minutes=rules.default_session_minutes,
        pulse_every_days=rules.pulse_every.days,
        focus_areas=list(rules.focus_areas),
        workday_start_hour=rules.workday_start_hour,
        workday_end_hour=rules.workday_end_hour,
        weekends_off=rules.weekends_off,
        cross_company_required=rules.cross_company.required,
        competitors=sorted("|".join(sorted(pair)) for pair in rules.cross_company.competitors),
        weak_fit=rules.fit.weak_fit,
        any_language=rules.fit.any_language,
    )


def program_id_of(value: str) -> int | None:
    """A select's or button's value back to a program ID (None: the default program)."""
    if value.isdigit():
        return int(value)
    return None
