"""Builds the running bot from settings: database, services, Slack app, dispatcher, scheduler."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.announcements import AnnouncementService
from bot.clock import Clock, SystemClock
from bot.coordination import CoordinatorService, ReportSchedule
from bot.coordinators import CoordinatorGroupSync, Roster
from bot.dispatch import Dispatcher, DispatchReport
from bot.journal_service import JournalService
from bot.kinds import Kind
from bot.mentoring import MentoringService
from bot.onboarding import OnboardingService
from bot.ports import UnitOfWork, UserGroups
from bot.programs import ProgramService
from bot.rhythm import PROMPT_KINDS, RhythmService
from bot.services import Services
from bot.session_service import SessionService
from handlers import SlackMessenger, TrackedExecutor, build_app
from handlers.home import HomePublisher
from handlers.slack_http import KeepAliveWebClient
from handlers.usergroups import SlackUserGroups
from mentorbot.http import WSGIApp, wsgi_app
from mentorbot.metrics import CountRateLimits, MeteredWebClient, MeterListenerClients, Metrics
from mentorbot.settings import Settings
from storage import Database, SqlUnitOfWork, connect

log = logging.getLogger("mentorbot")


def web_client(
    settings: Settings, *, interactive: bool, metrics: Metrics | None = None
) -> WebClient:
    """A Web API client on ``SLACK_API_URL``.

    Interactive calls (opening a modal, updating a clicked message) retry once on 429, 5xx and
    connection errors: a person is waiting. The dispatcher's client never retries by itself:
    the dispatcher reschedules with ``Retry-After``, must not block its batch, and must not
    post again after a lost answer (Slack may have posted) without looking first.
    With ``metrics``, every call is counted by method and result, and every 429 answer.
    """
    handlers: list[RetryHandler] = [CountRateLimits(metrics)] if metrics is not None else []
    if interactive:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=1),
            ServerErrorRetryHandler(max_retry_count=1),
        ]
    if metrics is not None:
        return MeteredWebClient(
            token=settings.slack_bot_token,
            base_url=settings.slack_api_url,
            timeout=10,
            retry_handlers=handlers,
            metrics=metrics,
        )
    return KeepAliveWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=handlers,
    )


@dataclass
class Runtime:
    settings: Settings
    database: Database
    services: Services
    app: App
    executor: TrackedExecutor
    metrics: Metrics = field(default_factory=Metrics)
    scheduler: BackgroundScheduler | None = field(default=None)

    def wsgi(self) -> WSGIApp:
        """Slack's edge, ``/healthz``, ``/readyz`` and ``/metrics``, as one WSGI app."""
        return wsgi_app(self.app, database=self.database, metrics=self.metrics)

    def start_scheduler(self) -> None:
        """Look for due messages every N seconds (and once at start-up, to catch up)."""
        self.services.coordination.plan_reports()  # keyed: once, whatever restarts
        self.services.coordinator_group.start()
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(
            self.services.dispatcher.run_once,
            "interval",
            seconds=self.settings.mentorbot_dispatch_interval_seconds,
            id="dispatch",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        self.scheduler = scheduler

    def shutdown(self) -> None:
        """Finish what was started, stop looking for work, release the database.

        Requests' follow-up work first (its deliveries still go out at once), then the
        dispatcher: a pass in progress ends with the batch it has claimed, and the scheduler
        starts no other. What is left in the outbox is another replica's, or the next start's.
        """
        self.executor.shutdown(wait=True)
        self.services.dispatcher.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        self.database.dispose()


def build_services(
    database: Database,
    settings: Settings,
    *,
    clock: Clock,
    messenger: SlackMessenger,
    user_groups: UserGroups | None = None,
    observe: Callable[[DispatchReport], None] | None = None,
) -> Services:
    def uow() -> UnitOfWork:
        return SqlUnitOfWork(database.sessions)

    rules = replace(settings.program_rules(), channel=settings.mentorbot_program_channel or "")
    group_id = settings.mentorbot_coordinator_group or ""
    roster = Roster(uow=uow, rules=rules, group_id=group_id)
    coordinator_group = CoordinatorGroupSync(
        uow=uow, clock=clock, group_id=group_id, groups=user_groups
    )

    def is_coordinator(user_id: str, team_id: str) -> bool:
        return roster.is_coordinator(team_id, user_id)

    # One for all services: the rules of each program, and its short cache, are shared.
    programs = ProgramService(uow=uow, clock=clock, rules=rules, is_coordinator=is_coordinator)
    coordination = CoordinatorService(
        uow=uow,
        clock=clock,
        rules=rules,
        roster=roster,
        report_schedule=ReportSchedule(settings.mentorbot_report_schedule),
        programs=programs,
    )
    mentoring = MentoringService(
        uow=uow, clock=clock, rules=rules, roster=roster, programs=programs
    )
    sessions = SessionService(uow=uow, clock=clock, rules=rules, programs=programs)
    announcements = AnnouncementService(
        uow=uow,
        clock=clock,
        rules=rules,
        program_channel=settings.mentorbot_program_channel or "",
        roster=roster,
        programs=programs,
    )
    onboarding = OnboardingService(uow=uow, clock=clock, rules=rules, roster=roster)
    journal = JournalService(
        uow=uow,
        clock=clock,
        rules=rules,
        program_channel=settings.mentorbot_program_channel,
        programs=programs,
    )
    rhythm = RhythmService(
        uow=uow,
        clock=clock,
        rules=rules,
        rematch=mentoring.offer_new_match,
        roster=roster,
        programs=programs,
    )
    dispatcher = Dispatcher(
        uow=uow,
        messenger=messenger,
        clock=clock,
        jobs={
            Kind.EXPIRE_PROPOSAL: mentoring.expire,
            Kind.PLAN_NEXT_SESSION: sessions.plan_next,
            Kind.SEND_ANNOUNCEMENT: announcements.fan_out,
            Kind.TALLY_ANNOUNCEMENT: announcements.tally,
            Kind.ONBOARDING_STEP: onboarding.step,
            Kind.SESSION_MET: journal.session_met,
            Kind.MILESTONE_DUE: journal.milestone_due,
            Kind.PULSE_ROUND: rhythm.pulse_round,
            Kind.QUIET_CHECK: rhythm.quiet_check,
            Kind.MIDTERM: rhythm.midterm,
            Kind.GOAL_CHECK_DUE: rhythm.goal_check,
            Kind.TERM_NOTICE_DUE: rhythm.term_notice,
            Kind.TERM_END: rhythm.term_end,
            Kind.COORDINATOR_GROUP_ROUND: coordinator_group.round,
            Kind.COORDINATOR_GROUP_SYNC: coordinator_group.sync,
            Kind.PROGRAM_REPORT_DUE: coordination.report_due,
        },
        worker=f"{socket.gethostname()}:{os.getpid()}",
        quiet_hours=programs.quiet_hours(PROMPT_KINDS),
        observe=observe,
    )
    return Services(
        mentoring=mentoring,
        sessions=sessions,
        dispatcher=dispatcher,
        rules=rules,
        clock=clock,
        coordination=coordination,
        coordinator_group=coordinator_group,
        announcements=announcements,
        onboarding=onboarding,
        journal=journal,
        rhythm=rhythm,
        programs=programs,
    )


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
    migrate: bool = True,
    token_verification: bool = True,
) -> Runtime:
    database = database or connect(settings.database_url)
    if migrate:
        database.migrate()
    metrics = Metrics()
    sender = web_client(settings, interactive=False, metrics=metrics)
    messenger = SlackMessenger(lambda _team: sender)
    services = build_services(
        database,
        settings,
        clock=clock or SystemClock(),
        messenger=messenger,
        user_groups=SlackUserGroups(lambda _team: sender),
        observe=metrics.observe_dispatch,
    )
    messenger.refresh_home = HomePublisher(services).publish
    executor = TrackedExecutor()
    app = build_app(
        services=services,
        client=web_client(settings, interactive=True, metrics=metrics),
        signing_secret=settings.slack_signing_secret or "",
        executor=executor,
        token_verification=token_verification,
    )
    app.use(MeterListenerClients(metrics))
    return Runtime(
        settings=settings,
        database=database,
        services=services,
        app=app,
        executor=executor,
        metrics=metrics,
    )
