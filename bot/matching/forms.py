"""What a mentor offers and a mentee asks, and the checks both the modals and the service
run on it (field errors keyed by the modal's field names)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.errors import DomainError
from bot.model.languages import MAX_LANGUAGE, MAX_LANGUAGES
from bot.model.rules import ProgramRules
from bot.ports import ProgramRulesSource

MAX_BIO = 1500
MAX_GOALS = 2000
MAX_DECLINE_REASON = 1000
MAX_ORG = 120
NOT_TAKING = (
    "That program is not taking people in: it was archived, or your workspace is no longer "
    "part of it. Pick another."
)


@dataclass(frozen=True)
class MentorOffer:
    """What a volunteer fills in with `/mentor offer`."""

    expertise: list[str]
    bio: str
    organization: str
    capacity: int
    languages: list[str]
    accepting: bool = True
    program_id: int | None = None  # None: the workspace's default program


@dataclass(frozen=True)
class MenteeAsk:
    """What a mentee fills in with `/mentor ask`."""

    goals: str
    focus_areas: list[str]
    organization: str
    wants_other_org: bool
    program_id: int | None = None
    languages: list[str] = field(default_factory=list)  # what they can have sessions in


class FormChecks:
    """The checks, under the rules of the program each form is for."""

    def __init__(self, *, rules: ProgramRules, programs: ProgramRulesSource) -> None:
        self._rules = rules  # the workspace's: capacity
        self._programs = programs

    def check_offer(self, offer: MentorOffer, *, team_id: str = "") -> dict[str, str]:
        """Field errors for a mentor profile, keyed by field name; empty when it is fine."""
        errors: dict[str, str] = {}
        if not self._programs.joinable(team_id, offer.program_id):
            errors["program"] = NOT_TAKING
        areas = self._programs.rules_for(team_id, offer.program_id).focus_areas
        if not offer.expertise:
            errors["expertise"] = "Pick at least one area you can help with."
        unknown = [a for a in offer.expertise if a not in areas]
        if unknown:
            errors["expertise"] = f"Not a focus area of this program: {', '.join(unknown)}."
        if not 1 <= offer.capacity <= self._rules.max_capacity:
            errors["capacity"] = (
                f"Choose between 1 and {self._rules.max_capacity} mentees at a time."
            )
        if len(offer.bio) > MAX_BIO:
            errors["bio"] = f"Keep the bio under {MAX_BIO} characters (it has {len(offer.bio)})."
        if len(offer.organization) > MAX_ORG:
            errors["organization"] = f"Keep the organization under {MAX_ORG} characters."
        if problem := _languages_problem([n for n in offer.languages if n.strip()]):
            errors["languages"] = problem
        return errors

    def check_ask(self, ask: MenteeAsk, *, team_id: str = "") -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self._programs.joinable(team_id, ask.program_id):
            errors["program"] = NOT_TAKING
        areas = self._programs.rules_for(team_id, ask.program_id).focus_areas
        if len(ask.goals.strip()) < 10:
            errors["goals"] = (
                "Tell your mentor a little more: what would you like to grow in this year?"
            )
        elif len(ask.goals) > MAX_GOALS:
            errors["goals"] = f"Keep it under {MAX_GOALS} characters (it has {len(ask.goals)})."
        if not ask.focus_areas:
            errors["focus_areas"] = "Pick at least one focus area."
        unknown = [a for a in ask.focus_areas if a not in areas]
        if unknown:
            errors["focus_areas"] = f"Not a focus area of this program: {', '.join(unknown)}."
        if len(ask.organization) > MAX_ORG:
            errors["organization"] = f"Keep the organization under {MAX_ORG} characters."
        if problem := _languages_problem(ask.languages):
            errors["languages"] = problem
        return errors


def _languages_problem(languages: list[str]) -> str:
    if len(languages) > MAX_LANGUAGES:
        return f"Name up to {MAX_LANGUAGES} languages."
    long = next((name for name in languages if len(name) > MAX_LANGUAGE), None)
    if long is not None:
        return (
            f"Keep each language under {MAX_LANGUAGE} characters, separated by commas "
            '("English, Spanish").'
        )
    return ""


def raise_first(errors: dict[str, str]) -> None:
    """The first field error as a refusal, for callers that did not check the form first."""
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
