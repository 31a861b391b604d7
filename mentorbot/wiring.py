"""Builds the running bot from settings: database, Slack app, dispatcher, scheduler (the
services themselves are built in ``mentorbot.services``)."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
from slack_sdk.web import SlackResponse

from bot.clock import Clock, SystemClock
from bot.services import Services
from bot.when import warm_up
from handlers import SlackMessenger, TrackedExecutor, build_app, home_publisher
from handlers.app import seed_authorization
from handlers.coordination.usergroups import SlackUserGroups
from handlers.kit.clients import WorkspaceClients
from handlers.pair_channels.slack_connect import SlackConnectApi
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
from mentorbot.services import build_services
from mentorbot.settings import Settings
from mentorbot.slack_link import SlackLink, auth_test_check
from storage import Database, connect
from storage.crypto import Cipher
from storage.installations import SealedInstallationStore, SqlOAuthStateStore

log = logging.getLogger("mentorbot")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

GRACEFUL_INDEX_SECONDS = 10  # a mentor pool being built at shutdown: let it finish first
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
    warming: threading.Thread | None = field(default=None)

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

    def warm_up(self) -> None:
        """dateparser's data, loaded on a thread while the worker already answers, not
        before it may (its first parse loads it: a few tenths of a second)."""
        self.warming = threading.Thread(target=warm_up, name="warm-dateparser", daemon=True)
        self.warming.start()

    def wait_warm(self, timeout: float = 30.0) -> bool:
        """True once start-up's background work is done: dateparser's data and every
        workspace's mentor pool (a benchmark measures a worker that has settled)."""
        if self.warming is not None:
            self.warming.join(timeout)
            if self.warming.is_alive():
                return False
        return self.services.mentoring.index.wait_idle(timeout)

    def start_scheduler(self) -> None:
        """Look for due messages every N seconds (and once at start-up, to catch up).

        The dispatcher and the purge wait until Slack has been reached: a pass while Slack is
        away only turns due messages into retries, and the purge must know the bot token's
        workspace (a workspace that came back with a new token keeps its data).
        """
        self.services.coordination.plan_reports()  # keyed: once, whatever restarts
        self.services.mentoring.digest.plan_week()  # the coordinators' weekly digest
        self.services.mentoring.warm_index()  # each workspace's mentor pool, on a thread
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
        self.services.mentoring.index.wait_idle(GRACEFUL_INDEX_SECONDS)
        self.services.dispatcher.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        self.database.dispose()


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
    answers: list[SlackResponse] = []  # the bot token's auth.test, for Bolt's authorization
    link = slack_link(settings, wait=slack_wait, answered=answers.append)
    metrics = Metrics()
    client_for, clients = dispatcher_clients(settings, database, metrics=metrics)
    messenger = build_messenger(client_for, clients)
    services = build_services(
        database,
        settings,
        clock=clock or SystemClock(),
        messenger=messenger,
        user_groups=SlackUserGroups(client_for),
        slack_connect=SlackConnectApi(client_for),
        observe=metrics.observe_dispatch,
        home_team=home_team(settings, link),
    )
    # one per runtime: it orders each person's publishes; a Home tab refreshed after a
    # delivery names a partner of another workspace in words too
    homes = home_publisher(services, WorkspaceClients(client_for, names=messenger.names))
    messenger.names.company_of = services.sharing.workspace_name  # "Ada (Globex)" to a host
    messenger.refresh_home = homes.publish
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
        homes=homes,
        client_for=client_for,
        names=messenger.names,  # one cache of other workspaces' names for both
    )
    app.use(MeterListenerClients(metrics))
    if not settings.oauth_mode:
        # One token: its workspace is installed. If it had uninstalled (and the bot now starts
        # with its new token), its purge is cancelled; OAuth installs do this on the redirect.
        link.when_reached(lambda team: _reinstated(services, team))

        def seed(_team: str) -> None:  # a worker's first request needs no auth.test of its own
            seed_authorization(app, answers[-1])

        link.when_reached(seed)
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


def freeze_start_up() -> None:
    """Hide what start-up made (modules, the Bolt app, SQLAlchemy's and slack_sdk's tables:
    ~170,000 objects, alive as long as the process) from the cyclic garbage collector.

    Each full collection walks every tracked object, and a dispatcher holding a batch of
    hundreds of messages triggers them: they cost 10-15 us of its ~130 us of CPU a message
    (bench/dispatch.py). What is made afterwards is collected as before. Called once the
    process is built, before it serves or dispatches (``gc.freeze``, as CPython suggests for
    a process that forks or lives long)."""
    gc.collect()
    gc.freeze()


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


def slack_link(
    settings: Settings,
    *,
    wait: Callable[[float], bool] | None = None,
    answered: Callable[[SlackResponse], None] | None = None,
) -> SlackLink:
    """The process's ``auth.test``, on a client of its own: no retry handlers (the link
    retries, with its own pauses) and a short timeout (a worker is ready sooner)."""
    client = KeepAliveWebClient(
        token=settings.slack_bot_token if not settings.oauth_mode else None,
        base_url=settings.slack_api_url,
        timeout=5,
        retry_handlers=[],
    )
    check = auth_test_check(client, one_token=not settings.oauth_mode, answered=answered)
    return SlackLink(check, wait=wait)


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
