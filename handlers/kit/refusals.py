"""A domain refusal becomes a kind answer, in one place: a field error in a modal, else a
private word where the person is looking.

Listeners only call the services; a ``DomainError`` they let through is answered here:

- a modal's submit (``guarded``, the ack): a field error on the error's field, or the form's
  first; even a bug answers so, because a 500 makes Slack show a generic error and the
  person may lose what they wrote, while a field error keeps the modal open with it all;
- a slash command (``refusing``): an ephemeral reply;
- a button or menu (``refusing``): ``tell``, an ephemeral reply under a message, a notice
  modal over the Home tab or a modal, their DM when neither works;
- with ``by_dm=True``: straight to their DM (the Home tab's buttons that always answered so).

A listener that does something else on a refusal (updates the message, falls back) keeps its
own ``except DomainError``, so the difference shows where it happens.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from handlers.kit.context import user_of
from handlers.kit.replies import tell

__all__ = ["SORRY", "ListenerArgs", "field_errors", "guarded", "refuse", "refusing"]

log = logging.getLogger(__name__)

SORRY = (
    "Something went wrong on our side. Your answers are still here: please press the button "
    "again in a moment."
)


class ListenerArgs(Protocol):
    """What is read here of a request's arguments: Bolt's ``Args``, or a listener's own
    smaller set (``handlers.commands.CommandArgs``); ``refusing`` also reads the ones its
    listener names."""

    @property
    def ack(self) -> Ack: ...
    @property
    def body(self) -> dict[str, Any]: ...
    @property
    def context(self) -> BoltContext: ...
    @property
    def client(self) -> WebClient: ...
    @property
    def respond(self) -> Respond: ...


def field_errors(ack: Ack, errors: dict[str, str]) -> None:
    """Keep the modal open, each message under its field."""
    ack(response_action="errors", errors=errors)


def guarded(first_field: str, submit: Callable[..., None]) -> Callable[..., None]:
    """A modal's submit (its ack) whose refusals and bugs come back as a field error."""

    def guarded(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        try:
            submit(ack, body, view, context)
        except DomainError as error:
            field_errors(ack, {error.field or first_field: error.message})
        except Exception:
            log.exception("modal %s failed", view.get("callback_id"))
            field_errors(ack, {first_field: SORRY})

    guarded.__name__ = getattr(submit, "__name__", "guarded")
    return guarded


def refusing(
    listener: Callable[..., None], *, by_dm: bool = False
) -> Callable[[ListenerArgs], None]:
    """A command's or a button's (lazy) listener whose ``DomainError`` is answered by ``refuse``.

    Bolt hands a listener the arguments it names; the wrapper takes all of them (``args``)
    and passes on the ones the listener names, so listeners keep their plain signatures.
    """
    names = list(inspect.signature(listener).parameters)

    def refused(args: ListenerArgs) -> None:
        try:
            listener(**{name: getattr(args, name) for name in names})
        except DomainError as error:
            refuse(args, error.message, by_dm=by_dm)

    refused.__name__ = getattr(listener, "__name__", "refused")
    refused.__qualname__ = getattr(listener, "__qualname__", "refused")
    return refused


def refuse(args: ListenerArgs, text: str, *, by_dm: bool = False) -> None:
    """Say ``text`` privately to whoever sent the request, where they are looking."""
    body: dict[str, Any] = args.body if isinstance(args.body, dict) else {}
    user_id = user_of(args.context) or _body_user(body)
    if by_dm:
        try:
            args.client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as error:
            log.warning("could not tell %s: %s", user_id, error.response.get("error"))
        return
    if isinstance(body.get("command"), str):
        args.respond(text=text, response_type="ephemeral")
        return
    tell(body, args.respond, args.client, user_id, text)


def _body_user(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or "")
