"""Figures of a program shared across workspaces (``bot.programs.sharing``): each company's
share of the host's report, and a member workspace's own people in the host's program.

A group smaller than ``MIN_GROUP`` people is never described by a number: a row says "fewer
than 5" instead, since a handful of people from one company could be recognised. A member's
figures count its own people only and never name another company's (no list of pairs at
risk: acting on a pair is the host's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from bot.coordination.health import month_start, program_health
from bot.coordination.outcomes import outcome_rows
from bot.model.health import ProgramHealth
from bot.model.partnership import MentorRequest, PartnershipStatus, RequestStatus
from bot.model.programs import Program
from bot.model.progress import CheckKind, ProgressCheck
from bot.ports import CoordinationWork

MIN_GROUP = 5  # the smallest group of people a figure may describe
FEWER = f"fewer than {MIN_GROUP}"


def program_requests(
    uow: CoordinationWork, team_id: str, program_id: int, host: str | None = None
) -> list[MentorRequest]:
    """The requests ``team_id``'s people made in a program: their own workspace's
    (``host`` None) or the host's, shared with them."""
    return [
        r
        for r in uow.directory.requests(team_id)
        if r.program_id == program_id and r.host_team_id == host
    ]


def by_company(
    uow: CoordinationWork, host: str, program_id: int, companies: Mapping[str, str]
) -> dict[str, str]:
    """Each company's people in the program and its active pairs: a number for a group of
    ``MIN_GROUP`` or more, "fewer than 5" otherwise (a smaller group could be recognised)."""
    pairs = [p for p in uow.directory.partnerships(host) if p.program_id == program_id]
    rows: dict[str, str] = {}
    for team, name in companies.items():
        of_host = None if team == host else host
        people = set(uow.directory.mentor_ids_in(team, program_id))
        people |= {
            r.mentee_id
            for r in program_requests(uow, team, program_id, of_host)
            if r.status is not RequestStatus.CANCELLED
        }
        people |= {u for p in pairs for u in p.members() if p.includes(team, u)}
        theirs = [p for p in pairs if team in (p.mentee_team_id, p.mentor_team_id)]
        if len(people) >= MIN_GROUP:
            rows[f"People from {name}"] = str(len(people))
            rows[f"Active pairs with people from {name}"] = str(
                sum(1 for p in theirs if p.status is PartnershipStatus.ACTIVE)
            )
        else:
            rows[f"People from {name}"] = FEWER
    return rows


def their_people(
    uow: CoordinationWork, host: str, team_id: str, now: datetime, only: Program
) -> ProgramHealth:
    """A member workspace's own people in the host's program: their profiles and requests,
    the pairs they are in, and only what their own people answered; never a name of
    another company's people (no list of pairs at risk: those are the host's to act on)."""
    assert only.id is not None
    directory = uow.directory
    pairs = [
        p
        for p in directory.partnerships(host)
        if p.program_id == only.id and team_id in (p.mentee_team_id, p.mentor_team_id)
    ]
    ids = {p.id for p in pairs if p.id is not None}

    def own(checks: list[ProgressCheck]) -> list[ProgressCheck]:
        by_id = {p.id: p for p in pairs}
        return [
            c
            for c in checks
            if c.partnership_id in by_id and by_id[c.partnership_id].includes(team_id, c.user_id)
        ]

    requests = program_requests(uow, team_id, only.id, host)
    health = program_health(
        now=now,
        mentor_ids=directory.mentor_ids_in(team_id, only.id),
        requests=requests,
        partnerships=pairs,
        logs=[log for log in directory.session_logs(host) if log.partnership_id in ids],
        goals_done_this_month=directory.goals_done_since(host, month_start(now), ids),
        milestones_this_month=directory.milestones_since(host, month_start(now), ids),
        pulses=own(uow.progress.checks_of_kind(host, CheckKind.PULSE)),
        flags=[],
    )
    mentees = {r.mentee_id for r in requests} | {
        p.mentee_id for p in pairs if p.mentee_team_id == team_id
    }
    finals, exits = (
        own(uow.progress.checks_of_kind(host, kind)) for kind in (CheckKind.FINAL, CheckKind.EXIT)
    )
    return replace(
        health,
        mentees=len(mentees),
        program=f"{only.name}, your people",
        extra={**health.extra, **outcome_rows(finals, exits)},
    )
