"""The HTTP edge: Slack's requests at ``POST /slack/events``, the OAuth install pages (when
installed into workspaces), probes and metrics.

Slack's requests pass ``mentorbot.edge.SlackEdge`` (size, signature, shape) before Bolt sees
them, inside the metering so that refusals are counted and timed like everything else. The
edge is the only way in to Bolt's listeners here, so Bolt's own signature check, the same HMAC
of the same bytes a second time, is taken out of the app it serves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.middleware import RequestVerification

from mentorbot.edge import DEFAULT_MAX_BODY, SlackEdge, plain
from mentorbot.metrics import Metrics, metered_edge
from storage import Database

log = logging.getLogger("mentorbot.http")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(
    app: App,
    *,
    signing_secret: str,
    max_body: int = DEFAULT_MAX_BODY,
    database: Database | None = None,
    metrics: Metrics | None = None,
    slack_problem: Callable[[], str | None] | None = None,
) -> WSGIApp:
    """``/readyz`` needs the database and ``/metrics`` the metrics: without them, 404.

    ``slack_problem`` says why Slack can't be used yet (``SlackLink.problem``): until it says
    None, ``/readyz`` answers 503, so a load balancer keeps traffic on replicas that can act.
    """
    signed_at_the_edge(app)
    bolt: WSGIApp = SlackRequestHandler(app)
    events: WSGIApp = SlackEdge(bolt, signing_secret=signing_secret, max_body=max_body)
    if metrics is not None:
        events = metered_edge(events, metrics)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events":
            if method != "POST":
                return plain(start_response, "405 Method Not Allowed", "POST only\n")
            return events(environ, start_response)
        if path in _oauth_paths(app):
            return _oauth(bolt, environ, start_response)
        if path == "/healthz":
            return plain(start_response, "200 OK", "ok\n")
        if path == "/readyz" and database is not None:
            problem = not_ready(database) or (slack_problem() if slack_problem else None)
            if problem is not None:
                return plain(start_response, "503 Service Unavailable", problem + "\n")
            return plain(start_response, "200 OK", "ready\n")
        if path == "/metrics" and metrics is not None:
            body, content_type = metrics.exposition()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        return plain(start_response, "404 Not Found", "not found\n")

    return application


def signed_at_the_edge(app: App) -> None:
    """Bolt's own signature check out of ``app``: the edge has refused every request to
    ``/slack/events`` that is unsigned, signed wrongly or more than five minutes off, and the
    bytes Bolt reads are the ones it checked. Nothing else here reaches Bolt's listeners: the
    OAuth pages are GET only, and Bolt answers those without them (Socket Mode, which has no
    signature, Bolt never checked). One HMAC an ack less (tests/e2e/test_signed_once.py)."""
    app._middleware_list[:] = [
        m for m in app._middleware_list if not isinstance(m, RequestVerification)
    ]


def _oauth_paths(app: App) -> tuple[str, ...]:
    flow = app.oauth_flow
    return (flow.install_path, flow.redirect_uri_path) if flow is not None else ()


def _oauth(
    slack: WSGIApp, environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    """Bolt's install and redirect pages: GET only, and never a traceback for the installer."""
    if environ.get("REQUEST_METHOD", "GET") != "GET":
        return plain(start_response, "405 Method Not Allowed", "GET only\n")
    try:
        return slack(environ, start_response)
    except Exception:  # the database is away, say: the installer can come back
        log.exception("the OAuth page %s failed", environ.get("PATH_INFO"))
        return plain(
            start_response, "503 Service Unavailable", "Installation is unavailable; try again.\n"
        )


def not_ready(database: Database) -> str | None:
    """Why this replica should not get traffic yet, in a few words; None when it should.

    A load balancer sends nothing to a replica whose database is gone or whose schema is
    older than its code (a deploy whose ``mentorbot migrate`` has not run yet).
    """
    try:
        pending = database.pending_migrations()
    except Exception as error:  # whatever the driver raises: a 503, never a 500
        log.warning("readyz: database unreachable: %s", type(error).__name__)
        return "database unreachable"
    if pending:
        return f"migrations pending: {', '.join(pending)}"
    return None
