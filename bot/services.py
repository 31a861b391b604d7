"""The services a running bot offers, built once at start-up and handed to the handlers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.announcements.service import AnnouncementService
from bot.clock import Clock
from bot.conversation.service import ConversationService
from bot.coordination.group import CoordinatorGroupSync
from bot.coordination.service import CoordinatorService
from bot.journal.service import JournalService
from bot.matching.service import MentoringService
from bot.model.rules import ProgramRules
from bot.onboarding.service import OnboardingService
from bot.outbox.dispatch import Dispatcher
from bot.privacy.service import PrivacyService
from bot.programs.service import ProgramService
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
    announcements: AnnouncementService
    onboarding: OnboardingService
    journal: JournalService
    rhythm: RhythmService
    coordinator_group: CoordinatorGroupSync
    programs: ProgramService
    privacy: PrivacyService
    conversation: ConversationService
