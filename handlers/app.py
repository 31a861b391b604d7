"""Builds the Bolt app: every listener, the middleware, and one global error handler."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.services import Services
from handlers.announcements import AnnouncementHandlers
from handlers.commands import MentorCommand
from handlers.coordination import CoordinatorHandlers
from handlers.home import HomeHandlers, HomePublisher
from handlers.journal import JournalHandlers
from handlers.matching import MatchingHandlers
from handlers.middleware import DeduplicateEvents, RejectMalformed
from handlers.programs import ProgramHandlers
from handlers.rhythm import RhythmHandlers
from handlers.runtime import TrackedExecutor
from handlers.sessions import SessionHandlers

log = logging.getLogger("mentorbot.handlers")


def build_app(
    *,
    services: Services,
    client: WebClient,
    signing_secret: str,
    executor: TrackedExecutor,
    token_verification: bool = True,
) -> App:
    """A Bolt app whose listeners ack in the request thread and do Slack calls after.

    ``process_before_response`` runs the ack function on the request thread (Bolt's polling
    for ``ack()`` costs ~11 ms otherwise, see shared/slack/README.md), and every call to
    Slack's Web API happens in lazy listeners on ``executor``, after the HTTP answer.
    """
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=True,
        listener_executor=executor,
        token_verification_enabled=token_verification,
        logger=logging.getLogger("mentorbot.bolt"),
    )
    app.use(RejectMalformed())
    app.use(DeduplicateEvents(services))
    sessions = SessionHandlers(services)
    homes = HomePublisher(services)
    sessions.refresh_homes = homes.publish_pair
    journal = JournalHandlers(services, homes)
    coordinators = CoordinatorHandlers(services)
    announcements = AnnouncementHandlers(services)
    rhythm = RhythmHandlers(services)
    programs = ProgramHandlers(services)
    MentorCommand(
        services,
        sessions,
        journal=journal,
        coordinators=coordinators,
        announcements=announcements,
        rhythm=rhythm,
        programs=programs,
    ).register(app)
    programs.register(app)
    coordinators.register(app)
    announcements.register(app)
    MatchingHandlers(services).register(app)
    sessions.register(app)
    HomeHandlers(services, homes).register(app)
    journal.register(app)
    rhythm.register(app)
    app.error(on_error)
    return app


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
