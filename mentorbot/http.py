"""The HTTP edge: Slack's requests at ``POST /slack/events``, the OAuth install pages (when
installed into workspaces), probes and metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from mentorbot.metrics import Metrics, metered_edge
from storage import Database

log = logging.getLogger("mentorbot.http")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(
    app: App, *, database: Database | None = None, metrics: Metrics | None = None
) -> WSGIApp:
    """``/readyz`` needs the database and ``/metrics`` the metrics: without them, 404."""
    slack: WSGIApp = SlackRequestHandler(app)
    if metrics is not None:
        slack = metered_edge(slack, metrics)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events":
            if method != "POST":
                return _plain(start_response, "405 Method Not Allowed", "POST only\n")
            try:
                return slack(environ, start_response)
            except ValueError:  # Bolt parses the body before checking it: bad JSON lands here
                return _plain(start_response, "400 Bad Request", "malformed request\n")
        if path in _oauth_paths(app):
            return _oauth(slack, environ, start_response)
        if path == "/healthz":
            return _plain(start_response, "200 OK", "ok\n")
        if path == "/readyz" and database is not None:
            problem = not_ready(database)
            if problem is not None:
                return _plain(start_response, "503 Service Unavailable", problem + "\n")
            return _plain(start_response, "200 OK", "ready\n")
        if path == "/metrics" and metrics is not None:
            body, content_type = metrics.exposition()
            start_response(
                "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            )
            return [body]
        return _plain(start_response, "404 Not Found", "not found\n")

    return application


def _oauth_paths(app: App) -> tuple[str, ...]:
    flow = app.oauth_flow
    return (flow.install_path, flow.redirect_uri_path) if flow is not None else ()


def _oauth(
    slack: WSGIApp, environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    """Bolt's install and redirect pages: GET only, and never a traceback for the installer."""
    if environ.get("REQUEST_METHOD", "GET") != "GET":
        return _plain(start_response, "405 Method Not Allowed", "GET only\n")
    try:
        return slack(environ, start_response)
    except Exception:  # the database is away, say: the installer can come back
        log.exception("the OAuth page %s failed", environ.get("PATH_INFO"))
        return _plain(
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


def _plain(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
