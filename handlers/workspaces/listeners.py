"""Installing into workspaces by OAuth, each workspace's own token, and workspaces that leave.

Bolt's OAuth flow does the installing (``/slack/install``, ``/slack/oauth_redirect``) and its
``InstallationStoreAuthorize`` finds each request's token; this module adds what Mentorbot
needs around them: plain pages for the installer, a log line for requests from a workspace
with no installation, the dispatcher's per-workspace client, and the uninstall events.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.state_utils import OAuthStateUtils

from bot.model.workspaces import RemovalReason
from bot.services import Services

log = logging.getLogger(__name__)

BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "users:read",
    "users:read.email",
    "files:write",
    "im:history",
    "mpim:history",
    "channels:history",
    "groups:history",
    "usergroups:read",
    "groups:write",
    "groups:read",
    "conversations.connect:write",
)
"""What the install asks for: exactly manifest.yml's bot scopes (a test keeps them equal)."""

NOT_INSTALLED = (
    "Mentorbot isn't installed in this workspace (or it was removed). "
    "Ask a workspace admin to install it again."
)


def authorization_url(api_url: str) -> str:
    """Slack's consent page on the same host as the Web API (slack.com, GovSlack, a test)."""
    base = api_url.rstrip("/").removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


class RedactOAuthCodes(logging.Filter):
    """Bolt logs a failed code exchange with the code in it: keep it out of the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "code: " in record.msg:
            record.msg = re.sub(r"code: \S+", "code: (redacted)", record.msg)
        return True


class WorkspaceAuthorize(InstallationStoreAuthorize):
    """Bolt's store-backed authorize, saying in the log which workspace it refused."""

    def __call__(self, *, context: BoltContext, **kwargs: Any) -> AuthorizeResult | None:
        result = super().__call__(context=context, **kwargs)
        if result is None:
            log.warning(
                "refused a request from workspace %s: Mentorbot is not installed there",
                kwargs.get("team_id"),
            )
        return result


class TeamClients:
    """The dispatcher's Web API client for a workspace, with that workspace's bot token.

    Looked up in the installation store and kept for ``ttl`` seconds, so a batch of messages
    to one workspace costs one lookup; ``forget`` drops a workspace at once when it is
    installed again or removed here (other replicas notice within ``ttl``).
    """

    def __init__(
        self,
        store: InstallationStore,
        make_client: Callable[[str], WebClient],
        *,
        ttl: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._make_client = make_client
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[float, WebClient | None]] = {}

    def __call__(self, team_id: str) -> WebClient | None:
        now = self._monotonic()
        with self._lock:
            cached = self._clients.get(team_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
        client = self._make_client(bot.bot_token) if bot and bot.bot_token else None
        with self._lock:
            self._clients[team_id] = (now, client)
        return client

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._clients.pop(team_id, None)


class InstallPages:
    """What the installer's browser sees at the end of the OAuth flow: plain pages.

    On success the workspace is told apart from a first install: one that had uninstalled
    and comes back within the retention period gets its data and its pending messages back.
    """

    def __init__(
        self,
        services: Services,
        *,
        install_path: str,
        on_installed: Callable[[str], None] | None = None,
    ) -> None:
        self._services = services
        self._install_path = install_path
        self._on_installed = on_installed
        self._cookies = OAuthStateUtils()

    def options(self) -> CallbackOptions:
        return CallbackOptions(success=self.success, failure=self.failure)

    def success(self, args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        team_id = installation.team_id or ""
        returned = self._services.workspaces.reinstalled(team_id)
        if self._on_installed is not None:
            self._on_installed(team_id)
        log.info("installed into workspace %s%s", team_id, " (returned)" if returned else "")
        name = installation.team_name or "your workspace"
        app = f"slack://app?team={team_id}&id={installation.app_id}"
        return self._page(
            200,
            "Mentorbot is installed",
            f"Mentorbot is now part of {html.escape(name)}. "
            f'<a href="{html.escape(app)}">Open it in Slack</a> and type '
            "<code>/mentor help</code> to begin.",
        )

    def failure(self, args: FailureArgs) -> BoltResponse:
        reason = args.reason
        log.warning("an installation did not complete: %s", reason)
        again = f'<a href="{html.escape(self._install_path)}">start the installation again</a>'
        if reason == "access_denied":
            title, text = "Installation cancelled", f"Nothing was installed. You can {again}."
        elif reason in ("invalid_browser", "invalid_state"):
            title = "This installation link has expired"
            text = f"It was already used, or it is too old. Please {again}."
        elif reason in ("missing_code", "invalid_code"):
            title = "Slack did not confirm the installation"
            text = f"Nothing was installed. Please {again}."
        elif reason == "storage_error":
            title = "The installation could not be saved"
            text = f"Please try again in a minute: {again}."
        else:
            title = "The installation did not complete"
            text = (
                f"Slack answered <code>{html.escape(reason)}</code>. Nothing was installed. "
                f"You can {again}."
            )
        return self._page(args.suggested_status_code, title, text)

    def _page(self, status: int, title: str, text: str) -> BoltResponse:
        body = (
            '<!doctype html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:36em;margin:4em auto;padding:0 1em}"
            "</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n<p>{text}</p></body></html>\n"
        )
        return BoltResponse(
            status=status,
            body=body,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": self._cookies.build_set_cookie_for_deletion(),
            },
        )


class WorkspaceHandlers:
    """``app_uninstalled`` and ``tokens_revoked``: forget the tokens, stop sending, keep the
    data for the retention period.

    Both run inside the request (database only, no Slack call): if saving fails, Slack
    retries the event rather than the removal being lost.
    """

    def __init__(
        self,
        services: Services,
        store: InstallationStore | None,
        *,
        on_removed: Callable[[str], None] | None = None,
    ) -> None:
        self._services = services
        self._store = store
        self._on_removed = on_removed

    def register(self, app: App) -> None:
        app.event("app_uninstalled")(self.uninstalled)
        app.event("tokens_revoked")(self.tokens_revoked)

    def uninstalled(self, ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        self._remove(context.team_id or str(body.get("team_id", "")), RemovalReason.UNINSTALLED)
        ack()

    def tokens_revoked(
        self, ack: Ack, event: dict[str, Any], body: dict[str, Any], context: BoltContext
    ) -> None:
        """Only a revoked bot token removes the workspace: Mentorbot asks for no user tokens,
        so user tokens revoked alone change nothing it uses."""
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        if tokens and tokens.get("bot"):
            team_id = context.team_id or str(body.get("team_id", ""))
            self._remove(team_id, RemovalReason.TOKENS_REVOKED)
        ack()

    def _remove(self, team_id: str, reason: RemovalReason) -> None:
        if not team_id:
            log.warning("%s without a team: ignored", reason.value)
            return
        # Recorded first, while the installation still names the workspace: the programs it
        # leaves tell the partners who stay which company left. A retry repeats the deletion,
        # never the removal.
        self._services.workspaces.removed(team_id, reason)
        if self._store is not None:
            self._store.delete_installation(enterprise_id=None, team_id=team_id)
            self._store.delete_bot(enterprise_id=None, team_id=team_id)
        if self._on_removed is not None:
            self._on_removed(team_id)
