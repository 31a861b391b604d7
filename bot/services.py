"""The services a running bot offers, built once at start-up and handed to the handlers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.announcements import AnnouncementService
from bot.clock import Clock
from bot.coordination import CoordinatorService
from bot.coordinators import CoordinatorGroupSync
from bot.dispatch import Dispatcher
from bot.domain import ProgramRules
from bot.journal_service import JournalService
from bot.mentoring import MentoringService
from bot.onboarding import OnboardingService
from bot.programs import ProgramService
from bot.rhythm import RhythmService
from bot.session_service import SessionService


@dataclass(frozen=True)
class Services:
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
