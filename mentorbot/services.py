"""Builds the services from settings: one unit of work, the shared program rules and roster,
each feature's service, and the dispatcher with every feature's scheduled jobs."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

from bot.announcements.service import AnnouncementService
from bot.clock import Clock
from bot.closing.survey import ExitSurveys
from bot.conversation.service import ConversationService
from bot.coordination.group import CoordinatorGroupSync
from bot.coordination.service import CoordinatorService, ReportSchedule
from bot.journal.service import JournalService
from bot.matching.cohorts import CohortService
from bot.matching.service import MentoringService
from bot.model.kinds import Kind
from bot.model.outbox import OutgoingMessage
from bot.model.rules import ProgramRules
from bot.onboarding.service import OnboardingService
from bot.outbox.dispatch import Dispatcher, Job, both
from bot.outbox.report import DispatchReport
from bot.outbox.zones import RecipientZones
from bot.pair_channels import PairChannels
from bot.ports import (
    PartnershipEvents,
    SharedPrograms,
    SlackConnect,
    UnitOfWork,
    UnitOfWorkFactory,
    UserGroups,
    WorkspacesWork,
)
from bot.privacy.service import PrivacyService
from bot.programs.leaving import Departures
from bot.programs.service import ProgramService
from bot.programs.sharing import SharingService
from bot.rhythm.away import Absences
from bot.rhythm.service import RhythmService
from bot.roster import Roster
from bot.services import Services, partnership_events
from bot.sessions.service import SessionService
from bot.workspaces.service import WorkspaceService
from handlers import SlackMessenger
from mentorbot.settings import Settings
from storage import Database, SqlUnitOfWork
from storage.crypto import Cipher
from storage.zones import SqlPersonZones


def sql_unit_of_work(database: Database) -> UnitOfWorkFactory:
    def uow() -> UnitOfWork:
        return SqlUnitOfWork(database.sessions)

    return uow


def build_services(
    database: Database,
    settings: Settings,
    *,
    clock: Clock,
    messenger: SlackMessenger,
    user_groups: UserGroups | None = None,
    slack_connect: SlackConnect | None = None,
    observe: Callable[[DispatchReport], None] | None = None,
    home_team: Callable[[], str | None] = lambda: None,
) -> Services:
    """``home_team`` is the one workspace a coordinator ID without a ``T:`` prefix belongs to
    (``home_team``, below); by default none, so such an ID is nobody's coordinator.
    ``slack_connect`` makes the Slack Connect channels of pairs across workspaces (None: such
    pairs are told, and meet through their DMs and the calendar invite)."""
    database.use_cipher(Cipher(settings.mentorbot_encryption_key))
    uow = sql_unit_of_work(database)

    rules = replace(settings.program_rules(), channel=settings.mentorbot_program_channel or "")
    group_id = settings.mentorbot_coordinator_group or ""
    roster = Roster(uow=uow, rules=rules, group_id=group_id, home_team=home_team)
    coordinator_group = CoordinatorGroupSync(
        uow=uow, clock=clock, group_id=group_id, groups=user_groups
    )

    def is_coordinator(user_id: str, team_id: str) -> bool:
        return roster.is_coordinator(team_id, user_id)

    # One for all services: the rules of each program, and its short cache, are shared.
    programs = ProgramService(uow=uow, clock=clock, rules=rules, is_coordinator=is_coordinator)
    zones = RecipientZones(store=SqlPersonZones(database.sessions), slack=messenger, clock=clock)
    pairs = _PartnershipServices.build(
        uow, settings, clock=clock, rules=rules, roster=roster, programs=programs
    )
    cohorts = CohortService(
        uow=uow, clock=clock, roster=roster, programs=programs, board=messenger.planning
    )
    pair_channels = PairChannels(uow=uow, clock=clock, slack=slack_connect)
    messenger.pair_channel_setup = pair_channels.run_setup  # its Slack calls, from the outbox
    retention = timedelta(days=settings.mentorbot_retention_days)
    departures = Departures(
        uow=lambda: SqlUnitOfWork(database.sessions),
        clock=clock,
        roster=roster,
        retention=retention,
        rematch=pairs.mentoring.offer_new_match,
        reopen=pairs.mentoring.reopen_request,
        events=pairs.events,
        forget=programs.forget,
    )

    sharing = SharingService(
        uow=lambda: SqlUnitOfWork(database.sessions),
        clock=clock,
        programs=programs,
        departures=departures,
    )
    team = _ProgramTeamServices.build(
        uow,
        settings,
        clock=clock,
        rules=rules,
        roster=roster,
        programs=programs,
        shared=sharing,
    )

    def leave_programs(work: WorkspacesWork, team_id: str, now: datetime) -> int:
        assert isinstance(work, SqlUnitOfWork)  # the one unit of work holds every repository
        return departures.workspace_removed(work, team_id, now)

    def erase_departed(work: UnitOfWork, message: OutgoingMessage, now: datetime) -> None:
        assert isinstance(work, SqlUnitOfWork)
        departures.erase_job(work, message, now)

    return Services(
        workspaces=WorkspaceService(
            uow=uow, clock=clock, retention=retention, leave_programs=leave_programs
        ),
        mentoring=pairs.mentoring,
        sessions=pairs.sessions,
        dispatcher=Dispatcher(
            uow=uow,
            messenger=messenger,
            clock=clock,
            jobs={
                **pairs.jobs(),
                **team.jobs(),
                **_coordinator_group_jobs(coordinator_group),
                Kind.PLAN_COHORT: cohorts.plan_job,
                Kind.ERASE_DEPARTED: erase_departed,
            },
            worker=f"{socket.gethostname()}:{os.getpid()}",
            job_failures={Kind.PLAN_COHORT: cohorts.job_failed},
            lease=timedelta(seconds=settings.mentorbot_outbox_lease_seconds),
            sends_in_flight=settings.mentorbot_outbox_sends_in_flight,
            batch_size=settings.mentorbot_outbox_batch_size,
            quiet_hours=programs.quiet_hours(zones=zones),
            absences=Absences(uow),
            observe=observe,
        ),
        rules=rules,
        clock=clock,
        coordination=team.coordination,
        cohorts=cohorts,
        coordinator_group=coordinator_group,
        announcements=team.announcements,
        onboarding=team.onboarding,
        journal=pairs.journal,
        rhythm=pairs.rhythm,
        programs=programs,
        privacy=pairs.privacy,
        conversation=ConversationService(
            uow=lambda: SqlUnitOfWork(database.sessions), clock=clock, roster=roster
        ),
        zones=zones,
        sharing=sharing,
        departures=departures,
        closing=ExitSurveys(uow=uow, clock=clock, roster=roster),
        pair_channels=pair_channels,
    )


class _PartnershipServices(NamedTuple):
    """The services a partnership's life runs through, sharing one set of its events."""

    mentoring: MentoringService
    sessions: SessionService
    journal: JournalService
    rhythm: RhythmService
    privacy: PrivacyService
    events: PartnershipEvents

    @classmethod
    def build(
        cls,
        uow: UnitOfWorkFactory,
        settings: Settings,
        *,
        clock: Clock,
        rules: ProgramRules,
        roster: Roster,
        programs: ProgramService,
    ) -> _PartnershipServices:
        events = partnership_events(rules)
        mentoring = MentoringService(
            uow=uow, clock=clock, rules=rules, roster=roster, programs=programs, events=events
        )
        return cls(
            mentoring=mentoring,
            sessions=SessionService(
                uow=uow, clock=clock, rules=rules, programs=programs, events=events
            ),
            journal=JournalService(
                uow=uow,
                clock=clock,
                rules=rules,
                program_channel=settings.mentorbot_program_channel,
                programs=programs,
            ),
            rhythm=RhythmService(
                uow=uow,
                clock=clock,
                rules=rules,
                rematch=mentoring.offer_new_match,
                roster=roster,
                programs=programs,
                events=events,
            ),
            privacy=PrivacyService(
                uow=uow,
                clock=clock,
                roster=roster,
                retention=timedelta(days=settings.mentorbot_retention_days),
                rematch=mentoring.offer_new_match,
                reopen=mentoring.reopen_request,
                events=events,
            ),
            events=events,
        )

    def jobs(self) -> dict[str, Job]:
        rhythm = self.rhythm
        return {
            Kind.EXPIRE_PROPOSAL: self.mentoring.expire,
            Kind.RESUME_REQUESTS: self.mentoring.capacity.resume_job,
            Kind.CAPACITY_WEEK: self.mentoring.digest.week_job,
            Kind.PLAN_NEXT_SESSION: self.sessions.plan_next,
            Kind.SESSION_MET: both(self.journal.session_met, rhythm.session_met),
            Kind.MILESTONE_DUE: self.journal.milestone_due,
            Kind.PULSE_ROUND: rhythm.pulse_round,
            Kind.QUIET_CHECK: rhythm.quiet_check,
            Kind.QUIET_DECISION_DUE: rhythm.quiet_decision_due,
            Kind.FIT_CHECK_DUE: rhythm.fit_check_due,
            Kind.MIDTERM: rhythm.midterm,
            Kind.GOAL_CHECK_DUE: rhythm.goal_check,
            Kind.TERM_NOTICE_DUE: rhythm.term_notice,
            Kind.TERM_END: rhythm.term_end,
            Kind.PLAN_MISSING: rhythm.plan_missing_step,
            Kind.ERASE_PERSON: self.privacy.erase_job,
        }


class _ProgramTeamServices(NamedTuple):
    """What the program team runs: reports and check-ins, announcements, onboarding."""

    coordination: CoordinatorService
    announcements: AnnouncementService
    onboarding: OnboardingService

    @classmethod
    def build(
        cls,
        uow: UnitOfWorkFactory,
        settings: Settings,
        *,
        clock: Clock,
        rules: ProgramRules,
        roster: Roster,
        programs: ProgramService,
        shared: SharedPrograms | None = None,
    ) -> _ProgramTeamServices:
        return cls(
            coordination=CoordinatorService(
                uow=uow,
                clock=clock,
                rules=rules,
                roster=roster,
                report_schedule=ReportSchedule(settings.mentorbot_report_schedule),
                programs=programs,
                shared=shared,
            ),
            announcements=AnnouncementService(
                uow=uow,
                clock=clock,
                rules=rules,
                program_channel=settings.mentorbot_program_channel or "",
                roster=roster,
                programs=programs,
            ),
            onboarding=OnboardingService(uow=uow, clock=clock, rules=rules, roster=roster),
        )

    def jobs(self) -> dict[str, Job]:
        return {
            Kind.SEND_ANNOUNCEMENT: self.announcements.fan_out,
            Kind.TALLY_ANNOUNCEMENT: self.announcements.tally,
            Kind.ONBOARDING_STEP: self.onboarding.step,
            Kind.PROGRAM_REPORT_DUE: self.coordination.report_due,
        }


def _coordinator_group_jobs(group: CoordinatorGroupSync) -> dict[str, Job]:
    return {
        Kind.COORDINATOR_GROUP_ROUND: group.round,
        Kind.COORDINATOR_GROUP_SYNC: group.sync,
    }
