"""Builds the running bot from settings: database, services, Slack app, dispatcher, scheduler."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.announcements.service import AnnouncementService
from bot.clock import Clock, SystemClock
from bot.conversation.service import ConversationService
from bot.coordination.group import CoordinatorGroupSync
from bot.coordination.service import CoordinatorService, ReportSchedule
from bot.journal.service import JournalService
from bot.matching.cohorts import CohortService
from bot.matching.service import MentoringService
from bot.model.kinds import Kind
from bot.model.rules import ProgramRules
from bot.onboarding.service import OnboardingService
from bot.outbox.dispatch import Dispatcher, DispatchReport, Job
from bot.ports import UnitOfWork, UnitOfWorkFactory, UserGroups
from bot.privacy.service import PrivacyService
from bot.programs.service import ProgramService
from bot.rhythm.service import PROMPT_KINDS, RhythmService
from bot.roster import Roster
from bot.services import Services, partnership_events
from bot.sessions.service import SessionService
from bot.workspaces.service import WorkspaceService
from handlers import SlackMessenger, TrackedExecutor, build_app, home_publisher
from handlers.coordination.usergroups import SlackUserGroups
from handlers.slack_http import KeepAliveWebClient
from handlers.workspaces.listeners import (
    BOT_SCOPES,
    InstallPages,
    RedactOAuthCodes,
    TeamClients,
    authorization_url,
)
from mentorbot.http import WSGIApp, wsgi_app
from mentorbot.metrics import CountRateLimits, MeteredWebClient, MeterListenerClients, Metrics
from mentorbot.settings import Settings
from mentorbot.slack_link import SlackLink, auth_test_check
from storage import Database, SqlUnitOfWork, connect
from storage.crypto import Cipher
from storage.installations import SealedInstallationStore, SqlOAuthStateStore

log = logging.getLogger("mentorbot")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

PURGE_CHECK_MINUTES = 60  # removed workspaces past their retention are purged within the hour


def web_client(
    settings: Settings,
    *,
    interactive: bool,
    token: str | None = None,
    metrics: Metrics | None = None,
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
            token=token or settings.slack_bot_token,
            base_url=settings.slack_api_url,
            timeout=10,
            retry_handlers=handlers,
            metrics=metrics,
        )
    return KeepAliveWebClient(
        token=token or settings.slack_bot_token,
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
    slack: SlackLink | None = field(default=None)

    def wsgi(self) -> WSGIApp:
        """Slack's edge, ``/healthz``, ``/readyz`` and ``/metrics``, as one WSGI app."""
        return wsgi_app(
            self.app,
            signing_secret=self.settings.slack_signing_secret or "",
            max_body=self.settings.mentorbot_max_body_bytes,
            database=self.database,
            metrics=self.metrics,
            slack_problem=self.slack.problem if self.slack is not None else None,
        )

    def start_scheduler(self) -> None:
        """Look for due messages every N seconds (and once at start-up, to catch up).

        The dispatcher and the purge wait until Slack has been reached: a pass while Slack is
        away only turns due messages into retries, and the purge must know the bot token's
        workspace (a workspace that came back with a new token keeps its data).
        """
        self.services.coordination.plan_reports()  # keyed: once, whatever restarts
        self.services.coordinator_group.start()
        scheduler = BackgroundScheduler(timezone=UTC)
        self.scheduler = scheduler
        flow = self.app.oauth_flow
        states = flow.settings.state_store if flow is not None else None
        if isinstance(states, SqlOAuthStateStore):
            scheduler.add_job(
                states.forget_expired,
                "interval",
                minutes=PURGE_CHECK_MINUTES,
                id="oauth_states",
                max_instances=1,
                coalesce=True,
            )
        scheduler.start()
        if self.slack is None:
            self._start_dispatching(scheduler)
            return
        self.slack.when_reached(lambda _team: self._start_dispatching(scheduler))
        self.slack.start()

    def _start_dispatching(self, scheduler: BackgroundScheduler) -> None:
        """Once Slack answers: a pass at once (to catch up), then every N seconds."""
        if not scheduler.running:
            return  # stopped before Slack came back
        scheduler.add_job(
            self.services.dispatcher.run_once,
            "interval",
            seconds=self.settings.mentorbot_dispatch_interval_seconds,
            id="dispatch",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            self.services.workspaces.purge_due,
            "interval",
            minutes=PURGE_CHECK_MINUTES,
            id="purge",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )

    def shutdown(self) -> None:
        """Finish what was started, stop looking for work, release the database.

        Requests' follow-up work first (its deliveries still go out at once), then the
        dispatcher: a pass in progress ends with the batch it has claimed, and the scheduler
        starts no other. What is left in the outbox is another replica's, or the next start's.
        """
        if self.slack is not None:
            self.slack.stop()
        self.executor.shutdown(wait=True)
        self.services.dispatcher.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        self.database.dispose()


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
    observe: Callable[[DispatchReport], None] | None = None,
    home_team: Callable[[], str | None] = lambda: None,
) -> Services:
    """``home_team`` is the one workspace a coordinator ID without a ``T:`` prefix belongs to
    (``home_team``, below); by default none, so such an ID is nobody's coordinator."""
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
    pairs = _PartnershipServices.build(
        uow, settings, clock=clock, rules=rules, roster=roster, programs=programs
    )
    team = _ProgramTeamServices.build(
        uow, settings, clock=clock, rules=rules, roster=roster, programs=programs
    )
    cohorts = CohortService(uow=uow, clock=clock, roster=roster, programs=programs)
    return Services(
        workspaces=WorkspaceService(
            uow=uow, clock=clock, retention=timedelta(days=settings.mentorbot_retention_days)
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
            },
            worker=f"{socket.gethostname()}:{os.getpid()}",
            lease=timedelta(seconds=settings.mentorbot_outbox_lease_seconds),
            sends_in_flight=settings.mentorbot_outbox_sends_in_flight,
            quiet_hours=programs.quiet_hours(PROMPT_KINDS),
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
    )


class _PartnershipServices(NamedTuple):
    """The services a partnership's life runs through, sharing one set of its events."""

    mentoring: MentoringService
    sessions: SessionService
    journal: JournalService
    rhythm: RhythmService
    privacy: PrivacyService

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
            ),
        )

    def jobs(self) -> dict[str, Job]:
        rhythm = self.rhythm
        return {
            Kind.EXPIRE_PROPOSAL: self.mentoring.expire,
            Kind.PLAN_NEXT_SESSION: self.sessions.plan_next,
            Kind.SESSION_MET: self.journal.session_met,
            Kind.MILESTONE_DUE: self.journal.milestone_due,
            Kind.PULSE_ROUND: rhythm.pulse_round,
            Kind.QUIET_CHECK: rhythm.quiet_check,
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
    ) -> _ProgramTeamServices:
        return cls(
            coordination=CoordinatorService(
                uow=uow,
                clock=clock,
                rules=rules,
                roster=roster,
                report_schedule=ReportSchedule(settings.mentorbot_report_schedule),
                programs=programs,
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


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
    migrate: bool = True,
    token_verification: bool = True,
    slack_wait: Callable[[float], bool] | None = None,
) -> Runtime:
    """The running bot; Slack need not be reachable for it to be built.

    With ``token_verification`` Slack is asked once here (``auth.test``), so a bot built
    while Slack answers is ready at once; otherwise, or if Slack did not answer, the runtime's
    ``SlackLink`` keeps asking once the scheduler starts (``slack_wait`` takes its pauses).
    Bolt's own token check is off: it raised on a network error, and a worker that can't be
    built can't say why on ``/readyz``.
    """
    database = database or connect(settings.database_url)
    if migrate:
        database.use_cipher(Cipher(settings.mentorbot_encryption_key))  # 0015 encrypts with it
        database.migrate()
    link = slack_link(settings, wait=slack_wait)
    metrics = Metrics()
    client_for, clients = dispatcher_clients(settings, database, metrics=metrics)
    messenger = build_messenger(client_for, clients)
    services = build_services(
        database,
        settings,
        clock=clock or SystemClock(),
        messenger=messenger,
        user_groups=SlackUserGroups(client_for),
        observe=metrics.observe_dispatch,
        home_team=home_team(settings, link),
    )
    messenger.refresh_home = home_publisher(services).publish
    executor = TrackedExecutor()
    client = web_client(settings, interactive=True, metrics=metrics)
    flow = None
    if clients is not None:
        flow = oauth_flow(settings, database, services, client=client, on_installed=clients.forget)
    app = build_app(
        services=services,
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        executor=executor,
        token_verification=False,
        oauth_flow=flow,
        on_removed=clients.forget if clients is not None else None,
    )
    app.use(MeterListenerClients(metrics))
    if not settings.oauth_mode:
        # One token: its workspace is installed. If it had uninstalled (and the bot now starts
        # with its new token), its purge is cancelled; OAuth installs do this on the redirect.
        link.when_reached(lambda team: _reinstated(services, team))
    if token_verification:
        link.attempt()
    return Runtime(
        settings=settings,
        database=database,
        services=services,
        app=app,
        executor=executor,
        metrics=metrics,
        slack=link,
    )


def home_team(settings: Settings, link: SlackLink) -> Callable[[], str | None]:
    """Where a bare coordinator ID (no ``T012AB:`` prefix) counts: in the bot token's own
    workspace once Slack has named it, so a notice about one workspace's people never goes to
    a person of another (Slack Connect and Enterprise Grid bring other workspaces' requests
    to one token). Installed by OAuth, nowhere: start-up refuses such IDs there
    (``Settings.missing_for_oauth``), and a runtime built around that check still leaks
    nothing."""
    if settings.oauth_mode:
        return lambda: None
    return lambda: link.team_id or None


def slack_link(settings: Settings, *, wait: Callable[[float], bool] | None = None) -> SlackLink:
    """The process's ``auth.test``, on a client of its own: no retry handlers (the link
    retries, with its own pauses) and a short timeout (a worker is ready sooner)."""
    client = KeepAliveWebClient(
        token=settings.slack_bot_token if not settings.oauth_mode else None,
        base_url=settings.slack_api_url,
        timeout=5,
        retry_handlers=[],
    )
    return SlackLink(auth_test_check(client, one_token=not settings.oauth_mode), wait=wait)


def _reinstated(services: Services, team_id: str) -> None:
    if team_id:
        services.workspaces.reinstalled(team_id)


def installation_store(settings: Settings, database: Database) -> SealedInstallationStore:
    return SealedInstallationStore(
        client_id=settings.slack_client_id or "",
        engine=database.engine,
        cipher=Cipher(settings.mentorbot_encryption_key),
    )


def dispatcher_clients(
    settings: Settings, database: Database, *, metrics: Metrics | None = None
) -> tuple[Callable[[str], WebClient | None], TeamClients | None]:
    """The Web API clients of the dispatcher and background rounds, by workspace: the one bot
    token's, or (OAuth) each workspace's own (the ``TeamClients`` cache, also returned).

    They never retry by themselves (see ``web_client``), in both modes.
    """
    if not settings.oauth_mode:
        sender = web_client(settings, interactive=False, metrics=metrics)
        return (lambda _team: sender), None
    clients = TeamClients(
        installation_store(settings, database),
        lambda token: web_client(settings, interactive=False, token=token, metrics=metrics),
    )
    return clients, clients


def build_messenger(
    client_for: Callable[[str], WebClient | None], clients: TeamClients | None
) -> SlackMessenger:
    if clients is None:
        return SlackMessenger(client_for)
    return SlackMessenger(client_for, token_changed=clients.forget)


def oauth_flow(
    settings: Settings,
    database: Database,
    services: Services,
    *,
    client: WebClient,
    on_installed: Callable[[str], None],
) -> OAuthFlow:
    """Bolt's OAuth flow on our database, talking to ``SLACK_API_URL`` like every client."""
    pages = InstallPages(services, install_path=INSTALL_PATH, on_installed=on_installed)
    logger = logging.getLogger("mentorbot.oauth")
    if not any(isinstance(f, RedactOAuthCodes) for f in logger.filters):
        logger.addFilter(RedactOAuthCodes())
    return OAuthFlow(
        client=client,
        logger=logger,
        settings=OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            callback_options=pages.options(),
            authorization_url=authorization_url(settings.slack_api_url),
            installation_store=installation_store(settings, database),
            installation_store_bot_only=True,
            state_store=SqlOAuthStateStore(engine=database.engine),
            logger=logger,
        ),
    )


def reinstate_token_workspace(settings: Settings, services: Services) -> None:
    """With one bot token, the workspace it belongs to is installed: if that workspace had
    uninstalled (and the bot now starts with its new token), its purge is cancelled.

    OAuth installs do this on their redirect; a single-token bot only learns it here.
    """
    if settings.oauth_mode or not settings.slack_bot_token:
        return
    try:
        team_id = web_client(settings, interactive=True).auth_test().get("team_id")
    except (SlackClientError, OSError) as error:  # OSError: URLError, from the transport
        log.warning("can't tell which workspace the bot token belongs to: %s", error)
        return
    if isinstance(team_id, str) and team_id:
        services.workspaces.reinstalled(team_id)
