"""A domain refusal becomes a kind answer: a field error in a modal, an ephemeral message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.errors import DomainError

log = logging.getLogger(__name__)

SORRY = (
    "Something went wrong on our side. Your answers are still here: please press the button "
    "again in a moment."
)


def _field_errors(ack: Ack, errors: dict[str, str]) -> None:
    ack(response_action="errors", errors=errors)


def guarded(first_field: str, submit: Callable[..., None]) -> Callable[..., None]:
    """Run a modal's submit so that even a bug answers with a field error, not a 500.

    A 500 makes Slack show a generic error and the person may lose what they wrote; a field
    error keeps the modal open with everything in it.
    """

    def guarded(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        try:
            submit(ack, body, view, context)
        except DomainError as error:
            _field_errors(ack, {error.field or first_field: error.message})
        except Exception:
            log.exception("modal %s failed", view.get("callback_id"))
            _field_errors(ack, {first_field: SORRY})

    guarded.__name__ = getattr(submit, "__name__", "guarded")
    return guarded
