"""`/mentor`'s one listener: only subcommands with work after the ack hand work to the pool;
the modals are opened in the request itself, before the ack."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from handlers.commands import (
    LATER,
    MODAL_SUBCOMMANDS,
    MentorCommand,
    answered_in_ack,
    answered_later,
    opens_modal,
)


class _Route:
    """``MentorCommand.route`` with its three outlets recorded, in the order they happen."""

    route = MentorCommand.route

    def __init__(self) -> None:
        self.happened: list[str] = []
        self.queued: list[Callable[[], None]] = []

    def acknowledge(self, ack: Any, command: dict[str, str], subcommand: str) -> None:
        self.happened.append("acknowledge")

    def follow_up(self, command: dict[str, str]) -> None:
        self.happened.append("follow_up")

    def _later(self, work: Callable[[], None]) -> None:
        self.happened.append("queued")
        self.queued.append(work)

    def run(self, text: str) -> list[str]:
        body = {"command": "/mentor", "text": text}
        context = SimpleNamespace(client=None, respond=None)
        self.route(lambda **_: self.happened.append("ack"), body, context)  # type: ignore[arg-type]
        return self.happened


def test_mentor_has_one_listener_without_matchers() -> None:
    registered: list[tuple[str, dict[str, Any]]] = []

    class App:
        def command(self, name: str, **options: Any) -> Callable[[Any], None]:
            return lambda listener: registered.append((name, options))

    MentorCommand.register(_Route(), App())  # type: ignore[arg-type]
    assert registered == [("/mentor", {})]


@pytest.mark.parametrize("text", ["", "help", "HELP", "  help  me", "nonsense"])
def test_help_and_unknown_subcommands_are_answered_in_the_ack_alone(text: str) -> None:
    assert answered_in_ack({"text": text}) and not answered_later({"text": text})
    assert _Route().run(text) == ["acknowledge"]


@pytest.mark.parametrize("subcommand", sorted(LATER - MODAL_SUBCOMMANDS))
def test_subcommands_with_work_after_the_ack_hand_it_to_the_pool(subcommand: str) -> None:
    route = _Route()
    assert route.run(f"{subcommand} something") == ["acknowledge", "queued"]
    route.queued[0]()
    assert route.happened[-1] == "follow_up"


@pytest.mark.parametrize("subcommand", sorted(MODAL_SUBCOMMANDS))
def test_modals_open_in_the_request_before_the_ack(subcommand: str) -> None:
    assert opens_modal({"text": subcommand})
    assert not answered_later({"text": subcommand}) and not answered_in_ack({"text": subcommand})
    assert _Route().run(subcommand) == ["follow_up", "ack"]
