"""Two publishes of one person's Home tab at once: the tab built last is the one Slack keeps."""

from __future__ import annotations

import threading
from typing import Any, cast

from slack_sdk import WebClient

from bot.services import Services
from handlers.home import HomePublisher


class _Journal:
    """Nobody here has a partner in another workspace: every name stays a mention."""

    def partners_elsewhere(self, team_id: str, user_id: str) -> dict[str, str]:
        return {}


class _Coordination:
    """Nobody here coordinates a program shared with other workspaces."""

    def people_elsewhere(self, team_id: str, user_id: str) -> dict[str, str]:
        return {}


class _Services:
    journal = _Journal()
    coordination = _Coordination()


SERVICES = cast(Services, _Services())


class _Slack:
    def __init__(self) -> None:
        self.published: list[tuple[str, str]] = []

    def views_publish(self, *, user_id: str, view: dict[str, Any]) -> None:
        self.published.append((user_id, view["blocks"][0]["text"]))


def test_an_older_home_tab_never_lands_after_a_newer_one() -> None:
    """The first follow-up reads the tab before a pause commits and is slow to send it; the
    second reads it after and sends at once. Without care the older tab landed last (the
    flaky ``test_skip_reschedule_pause_and_resume_from_the_app_home``)."""
    slack = _Slack()
    state = {"sessions": "Pause sessions"}
    builds: list[str] = []

    def builder(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        shown = state["sessions"]
        builds.append(shown)
        if len(builds) == 1:  # the first build is done reading; the pause commits, and the
            state["sessions"] = "Resume sessions"  # second follow-up runs to its end
            second = threading.Thread(target=publish)
            second.start()
            second.join(10)
            assert not second.is_alive()
        return {"type": "home", "blocks": [{"type": "section", "text": shown}]}

    homes = HomePublisher(SERVICES, builders=[builder])

    def publish() -> None:
        homes.publish(cast(WebClient, slack), "T1", "UMENTEE")

    publish()
    assert builds == ["Pause sessions", "Resume sessions"]
    assert slack.published == [("UMENTEE", "Resume sessions")]


def test_publishes_one_after_another_each_land() -> None:
    slack = _Slack()
    shown = iter(["first", "second", "other person"])

    def builder(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        return {"type": "home", "blocks": [{"type": "section", "text": next(shown)}]}

    homes = HomePublisher(SERVICES, builders=[builder])
    homes.publish(cast(WebClient, slack), "T1", "UA")
    homes.publish(cast(WebClient, slack), "T1", "UA")
    homes.publish(cast(WebClient, slack), "T1", "UB")
    assert slack.published == [("UA", "first"), ("UA", "second"), ("UB", "other person")]
