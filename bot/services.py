"""The services a running bot offers, built once at start-up and handed to the handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.announcements.service import AnnouncementService
from bot.clock import Clock
from bot.closing.survey import ExitSurveys, plan_exit_survey
from bot.conversation.service import ConversationService
from bot.coordination.group import CoordinatorGroupSync
from bot.coordination.service import CoordinatorService
from bot.journal.milestones import milestones_after_closing, plan_milestones
from bot.journal.service import JournalService
from bot.matching.cohorts import CohortService
from bot.matching.service import MentoringService
from bot.model.partnership import Partnership
from bot.model.rules import ProgramRules
from bot.onboarding.service import OnboardingService, plan_onboarding
from bot.outbox.dispatch import Dispatcher
from bot.outbox.zones import RecipientZones
from bot.pair_channels import PairChannels, plan_pair_channel, plan_pair_channel_closing
from bot.ports import OutboxWork, PartnershipEvents
from bot.privacy.service import PrivacyService
from bot.programs.leaving import Departures
from bot.programs.service import ProgramService
from bot.programs.sharing import SharingService
from bot.rhythm.plan import plan_program, plan_quiet_check
from bot.rhythm.service import RhythmService
from bot.sessions.service import SessionService
from bot.workspaces.service import WorkspaceService


@dataclass(frozen=True)
class Services:
    workspaces: WorkspaceService
    mentoring: MentoringService
    sessions: SessionService
    dispatcher: Dispatcher
    rules: ProgramRules
    clock: Clock
    coordination: CoordinatorService
    cohorts: CohortService
    announcements: AnnouncementService
    onboarding: OnboardingService
    journal: JournalService
    rhythm: RhythmService
    coordinator_group: CoordinatorGroupSync
    programs: ProgramService
    privacy: PrivacyService
    conversation: ConversationService
    zones: RecipientZones  # people's zones from Slack: what holds a message to their hours
    sharing: SharingService
    closing: ExitSurveys
    pair_channels: PairChannels  # a pair across workspaces: its Slack Connect channel
    departures: Departures  # a workspace leaving a program shared with it


def partnership_events(rules: ProgramRules) -> PartnershipEvents:
    """What the features plan when a partnership starts, resumes, closes early or ends: the one
    set every service that raises these gets (``rules``: the workspace's, which say whether
    onboarding runs)."""

    def rhythm(uow: OutboxWork, partnership: Partnership, program: ProgramRules) -> None:
        plan_program(uow, partnership, rules=program)

    def milestones(uow: OutboxWork, partnership: Partnership, _program: ProgramRules) -> None:
        plan_milestones(uow, partnership)  # months together, the term completed

    def onboarding(uow: OutboxWork, partnership: Partnership, _program: ProgramRules) -> None:
        if rules.onboarding:
            plan_onboarding(uow, partnership)  # the role, agenda, topics

    def quiet_clock(uow: OutboxWork, partnership: Partnership, now: datetime) -> None:
        plan_quiet_check(uow, partnership, now)  # resumed: the quiet-pair clock restarts

    return PartnershipEvents(
        started=(rhythm, milestones, onboarding, plan_pair_channel),
        resumed=(quiet_clock,),
        closed=(milestones_after_closing,),
        finished=(plan_exit_survey, plan_pair_channel_closing),
    )
