"""Builds the Bolt app: every listener, the middleware, and one global error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.web import SlackResponse

from bot.services import Services
from handlers.announcements.listeners import AnnouncementHandlers
from handlers.closing.listeners import ClosingHandlers
from handlers.commands import MentorCommand
from handlers.conversation.listeners import ConversationHandlers
from handlers.coordination.home import coordination_section
from handlers.coordination.listeners import CoordinatorHandlers
from handlers.home import HomeHandlers, HomePublisher
from handlers.journal.home import journal_home
from handlers.journal.listeners import JournalHandlers
from handlers.kit.clients import ClientFor, WorkspaceClients
from handlers.kit.listeners import ListenerGroup, Listeners
from handlers.kit.names import PeopleNames
from handlers.matching.capacity import CapacityHandlers
from handlers.matching.home import capacity_section
from handlers.matching.listeners import MatchingHandlers
from handlers.middleware import DeduplicateEvents, RejectMalformed
from handlers.pair_channels.listeners import PairChannelHandlers
from handlers.privacy.listeners import PrivacyHandlers
from handlers.programs.listeners import ProgramHandlers
from handlers.rhythm.follow_through import FollowThroughHandlers
from handlers.rhythm.home import rhythm_home
from handlers.rhythm.listeners import RhythmHandlers
from handlers.runtime import TrackedExecutor
from handlers.sessions.listeners import SessionHandlers
from handlers.workspaces.listeners import NOT_INSTALLED, WorkspaceAuthorize, WorkspaceHandlers

log = logging.getLogger("mentorbot.handlers")


def build_app(
    *,
    services: Services,
    client: WebClient,
    signing_secret: str,
    executor: TrackedExecutor,
    token_verification: bool = True,
    oauth_flow: OAuthFlow | None = None,
    on_removed: Callable[[str], None] | None = None,
    homes: HomePublisher | None = None,
    client_for: ClientFor | None = None,
    names: PeopleNames | None = None,
) -> App:
    """A Bolt app whose listeners ack in the request thread and do Slack calls after.

    ``process_before_response`` runs the ack function on the request thread (Bolt's polling
    for ``ack()`` costs ~11 ms otherwise, see shared/slack/README.md), and every call to
    Slack's Web API happens in lazy listeners on ``executor``, after the HTTP answer.

    With ``oauth_flow`` the app is installed into workspaces: each request's token comes
    from the flow's installation store (one lookup, and Slack's ``auth.test`` once per token).
    """
    store = oauth_flow.settings.installation_store if oauth_flow is not None else None
    authorize = None
    if oauth_flow is not None:
        authorize = WorkspaceAuthorize(
            logger=logging.getLogger("mentorbot.bolt"),
            installation_store=oauth_flow.settings.installation_store,
            client_id=oauth_flow.settings.client_id,
            client_secret=oauth_flow.settings.client_secret,
            bot_only=True,
            cache_enabled=True,
            client=client,
        )
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        listener_executor=executor,
        token_verification_enabled=token_verification,
        logger=logging.getLogger("mentorbot.bolt"),
        oauth_flow=oauth_flow,
        authorize=authorize,  # type: ignore[arg-type]  # Bolt types it as never None
        installation_store_bot_only=True if oauth_flow is not None else None,
        user_facing_authorize_error_message=NOT_INSTALLED,
        # its middleware hands a workflow function's token to the client: there are none here
        attaching_function_token_enabled=False,
    )
    app.use(RejectMalformed())
    app.use(DeduplicateEvents(services))
    register_listeners(
        app,
        services,
        store=store,
        on_removed=on_removed,
        executor=executor,
        clients=WorkspaceClients(client_for, names=names),
        homes=homes,
    )
    match_on_bodies(app)
    app.error(on_error)
    return app


class BodyMatcher(ListenerMatcher):
    """Bolt's own matcher of a listener (the command, action, view or event it answers),
    called with the request's body, all it reads.

    Bolt calls it through its keyword-argument builder, which makes every argument a listener
    could take (thirty-odd, with eight readings of the payload) for each listener it tries,
    in turn, until one matches: for `/mentor help`, whose listener is tried first, that was a
    tenth of the ack's CPU, and a click answered by the hundredth listener paid it a hundred
    times."""

    def __init__(self, builtin: BuiltinListenerMatcher) -> None:
        self.func = builtin.func

    def matches(self, req: BoltRequest, resp: BoltResponse) -> bool:
        return bool(self.func(req.body))


def match_on_bodies(app: App) -> None:
    """Each listener's matchers that read the body alone as ``BodyMatcher``: Bolt offers no
    public way to its listeners, hence its list (as ``seed_authorization`` does)."""
    for listener in app._listeners:
        listener.matchers = [
            BodyMatcher(m) if type(m) is BuiltinListenerMatcher and m.arg_names == ["body"] else m
            for m in listener.matchers
        ]


def seed_authorization(app: App, auth_test: SlackResponse) -> None:
    """Hand Bolt's one-token authorization the ``auth.test`` answer this process already has.

    With its token check off (it raised at start-up while Slack was away), Bolt asks
    ``auth.test`` on a worker's first request instead, and if Slack is away at that moment
    that request fails. Bolt offers no public way in, hence its middleware list; an app that
    authorizes per workspace (OAuth) has no such middleware and is left as it is.
    """
    for middleware in app._middleware_list:
        if isinstance(middleware, SingleTeamAuthorization) and not middleware.auth_test_result:
            middleware.auth_test_result = auth_test


def home_publisher(services: Services, clients: WorkspaceClients | None = None) -> HomePublisher:
    """The Home tab, composed of the features' parts: the journal lays it out, the
    coordinators' program section goes on top of theirs, mentor capacity below it."""
    return HomePublisher(
        services,
        clients=clients,
        builders=[
            journal_home(services),
            rhythm_home(services),
            coordination_section(services),
            capacity_section(services),
        ],
    )


def register_listeners(
    app: App,
    services: Services,
    *,
    store: InstallationStore | None,
    on_removed: Callable[[str], None] | None,
    executor: TrackedExecutor | None = None,
    clients: WorkspaceClients | None = None,
    homes: HomePublisher | None = None,
) -> None:
    """Every feature's listener group; `/mentor` routes its subcommands to theirs.

    ``homes``: the runtime's one Home publisher (the messenger refreshes through it too), so
    that every publish of a person's tab is ordered by one publisher."""
    clients = clients or WorkspaceClients()
    homes = homes or home_publisher(services, clients)
    sessions = SessionHandlers(services)
    sessions.refresh_homes = homes.publish_pair
    journal = JournalHandlers(services, homes)
    coordinators = CoordinatorHandlers(services, homes)
    announcements = AnnouncementHandlers(services)
    rhythm = RhythmHandlers(services)
    programs = ProgramHandlers(services)
    privacy = PrivacyHandlers(services)
    MentorCommand(
        services,
        sessions,
        journal=journal,
        coordinators=coordinators,
        announcements=announcements,
        rhythm=rhythm,
        programs=programs,
        privacy=privacy,
        executor=executor,
    ).register(app)
    matching = MatchingHandlers(services)
    matching.executor = executor
    groups: list[ListenerGroup] = [
        programs,
        coordinators,
        announcements,
        matching,
        CapacityHandlers(services),
        ClosingHandlers(services),
        sessions,
        HomeHandlers(services, homes),
        journal,
        rhythm,
        FollowThroughHandlers(services, homes),
        WorkspaceHandlers(services, store, on_removed=on_removed),
        privacy,
        ConversationHandlers(services, sessions=sessions),
        PairChannelHandlers(services),
    ]
    for group in groups:
        if isinstance(group, Listeners):
            group.clients = clients  # a partner's workspace, and their name, from any click
        group.register(app)


def on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None) -> None:
    """The one place unexpected errors land: logged with where they happened, never the body.

    Bodies can hold what people wrote (reflections, reasons), so only identifiers are logged.
    """
    log.error(
        "unhandled %s in %s (team=%s user=%s callback=%s action=%s)",
        type(error).__name__,
        body.get("type") or body.get("command") or "request",
        (body.get("team") or {}).get("id")
        if isinstance(body.get("team"), dict)
        else body.get("team_id"),
        (body.get("user") or {}).get("id")
        if isinstance(body.get("user"), dict)
        else body.get("user_id"),
        (body.get("view") or {}).get("callback_id") if isinstance(body.get("view"), dict) else None,
        [a.get("action_id") for a in body.get("actions", []) if isinstance(a, dict)],
        exc_info=error,
    )
