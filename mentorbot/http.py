"""The HTTP edge: Slack's requests at ``POST /slack/events``, the OAuth install pages (when
installed into workspaces), and a liveness check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(app: App) -> WSGIApp:
    slack = SlackRequestHandler(app)

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
        return _plain(start_response, "404 Not Found", "not found\n")

    return application


def _oauth_paths(app: App) -> tuple[str, ...]:
    flow = app.oauth_flow
    return (flow.install_path, flow.redirect_uri_path) if flow is not None else ()


def _oauth(
    slack: SlackRequestHandler, environ: dict[str, Any], start_response: StartResponse
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


def _plain(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]
