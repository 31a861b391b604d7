"""`/mentor`'s three listeners: only subcommands with work after the ack get a lazy follow-up;
the modals are opened in the request itself."""

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


class _RecordingApp:
    def __init__(self) -> None:
        self.listeners: list[tuple[list[Callable[..., bool]], dict[str, Any]]] = []

    def command(self, name: str, *, matchers: list[Callable[..., bool]]) -> Callable[..., None]:
        def register(*args: Any, **kwargs: Any) -> None:
            self.listeners.append((matchers, {"args": args, **kwargs}))

        return register


def _listener_for(text: str) -> dict[str, Any]:
    app = _RecordingApp()
    command = SimpleNamespace(acknowledge=lambda: None, follow_up=lambda: None, _executor=None)
    MentorCommand.register(command, app)  # type: ignore[arg-type]
    (found,) = [kw for matchers, kw in app.listeners if all(m({"text": text}) for m in matchers)]
    return found


@pytest.mark.parametrize("text", ["", "help", "HELP", "  help  me", "nonsense"])
def test_help_and_unknown_subcommands_are_answered_in_the_ack_alone(text: str) -> None:
    assert answered_in_ack({"text": text}) and not answered_later({"text": text})
    assert "lazy" not in _listener_for(text)


@pytest.mark.parametrize("subcommand", sorted(LATER - MODAL_SUBCOMMANDS))
def test_subcommands_with_work_after_the_ack_keep_their_follow_up(subcommand: str) -> None:
    assert len(_listener_for(f"{subcommand} something")["lazy"]) == 1


@pytest.mark.parametrize("subcommand", sorted(MODAL_SUBCOMMANDS))
def test_modals_open_in_the_request_not_in_a_lazy_follow_up(subcommand: str) -> None:
    assert opens_modal({"text": subcommand})
    assert not answered_later({"text": subcommand}) and not answered_in_ack({"text": subcommand})
    listener = _listener_for(subcommand)
    assert "lazy" not in listener
    assert listener["args"][0].__name__ == "open_then_ack"
