"""Slack in and out: listeners, Block Kit and the Web API messenger.

Handlers are thin: ack, read the payload, call one service, render. Program rules live in
``bot``; nothing here touches the database.
"""

from handlers.app import build_app, home_publisher
from handlers.messenger import SlackMessenger
from handlers.runtime import TrackedExecutor

__all__ = ["SlackMessenger", "TrackedExecutor", "build_app", "home_publisher"]
