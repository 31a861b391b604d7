"""Who is from which company in a program shared across workspaces.

In a program of one workspace the company is what people typed (``organization``). Once the
program is shared (``bot.programs.sharing``), each workspace *is* a company: Slack says who
belongs where, and nobody can type their way past the rule. So in a shared program everyone's
company is their own workspace, two people of one workspace are of the same company whatever
they typed, and the program's rival list ("Acme|Globex") may name a member workspace by its
team ID or by the name it was installed under.

The rules themselves stay ``CrossCompanyRule``'s: a shared program's people and rival pairs are
translated into workspace keys, so the index, cohort matching and ``is_eligible`` apply one
rule the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from bot.model.partnership import MentorProfile, MentorRequest
from bot.model.rules import CrossCompanyRule, normalize_org
from bot.ports import ProgramsRead

LEFT_PROGRAM = (
    "Your workspace is no longer part of that program, so you can't join it from here. "
    "Pick another program, or ask your program team."
)


def company_key(team_id: str) -> str:
    """A workspace as the rule's 'organization' (normalized: what ``normalize_org`` keeps)."""
    return normalize_org(f"slack workspace {team_id}")


@dataclass(frozen=True)
class Companies:
    """The owner's shared programs (program ID -> active member workspaces) and the
    workspaces' installed names."""

    owner: str = ""
    members: Mapping[int, frozenset[str]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def shared(self, program_id: int | None) -> bool:
        return program_id is not None and bool(self.members.get(program_id))

    def takes_part(self, team_id: str, program_id: int | None) -> bool:
        """Whether people of ``team_id`` are in the program: the owner's, or an active member's."""
        return team_id == self.owner or (
            program_id is not None and team_id in self.members.get(program_id, frozenset())
        )

    def name(self, team_id: str) -> str:
        return self.names.get(team_id) or f"workspace {team_id}"

    def request(self, request: MentorRequest) -> MentorRequest:
        """The request as the rule sees it: in a shared program, from its workspace."""
        if not self.shared(request.program_id):
            return request
        return replace(request, organization=company_key(request.team_id))

    def mentor(self, mentor: MentorProfile) -> MentorProfile:
        if not self.shared(mentor.program_id):
            return mentor
        return replace(mentor, organization=company_key(mentor.team_id))

    def rule(self, rule: CrossCompanyRule, program_id: int | None) -> CrossCompanyRule:
        """The program's rule with its rival pairs also naming workspaces (by team ID or
        installed name) as workspace keys."""
        if not self.shared(program_id) or not rule.competitors:
            return rule
        assert program_id is not None
        teams = {self.owner, *self.members.get(program_id, frozenset())}
        return workspace_rule(rule, teams, self.names)

    def company_of(self, request: MentorRequest, mentor: MentorProfile) -> str:
        """The mentor's company for the reason ("from Acme, shares ..."): named when the
        mentor is of another workspace than the mentee."""
        if mentor.team_id == request.team_id:
            return ""
        return self.name(mentor.team_id)


def workspace_rule(
    rule: CrossCompanyRule, teams: Iterable[str], names: Mapping[str, str]
) -> CrossCompanyRule:
    aliases = {
        team: {normalize_org(team), normalize_org(names.get(team, ""))} - {""} for team in teams
    }
    pairs = set(rule.competitors)
    for pair in rule.competitors:
        sides = sorted(pair)
        a, b = sides[0], sides[-1]
        for x in (t for t, known in aliases.items() if a in known):
            for y in (t for t, known in aliases.items() if b in known):
                if x != y:
                    pairs.add(frozenset((company_key(x), company_key(y))))
    return replace(rule, competitors=frozenset(pairs))


def program_owner(uow: ProgramsRead, team_id: str, program_id: int | None) -> str | None:
    """The workspace whose program people of ``team_id`` offer or ask in: their own (its
    default program, or one of its rows), or the host of a program shared with it while the
    membership is active; None when it is neither (never existed, or the membership ended)."""
    if program_id is None or uow.programs.get(team_id, program_id) is not None:
        return team_id
    return next((p.team_id for p in uow.programs.joined(team_id) if p.id == program_id), None)
