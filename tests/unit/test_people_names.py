"""Naming people of another workspace in words: each name and each company read once per
process, a failure never the reason a message fails."""

from __future__ import annotations

from typing import Any, cast

from slack_sdk import WebClient

from handlers.kit.names import PeopleNames


class _Slack:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def users_info(self, *, user: str) -> dict[str, Any]:
        self.asked.append(user)
        return {"user": {"profile": {"real_name": "Ada Mentee"}}}


def test_a_company_name_is_read_once_however_many_messages_name_its_people() -> None:
    slack = _Slack()
    names = PeopleNames(lambda _team: cast(WebClient, slack))
    looked_up: list[str] = []

    def company_of(team_id: str) -> str | None:
        looked_up.append(team_id)
        return "Globex"

    names.company_of = company_of
    for _ in range(3):
        text = names.named("<@UADA> closed the partnership.", {"UADA": "T2"}, companies=True)
        assert text == "Ada Mentee (Globex) closed the partnership."
    assert looked_up == ["T2"]
    assert slack.asked == ["UADA"]


def test_a_failing_company_lookup_leaves_the_name_and_is_asked_again() -> None:
    calls: list[str] = []

    def company_of(team_id: str) -> str | None:
        calls.append(team_id)
        raise RuntimeError("database away")

    names = PeopleNames(lambda _team: cast(WebClient, _Slack()))
    names.company_of = company_of
    assert names.named("<@UADA>", {"UADA": "T2"}, companies=True) == "Ada Mentee"
    assert names.named("<@UADA>", {"UADA": "T2"}, companies=True) == "Ada Mentee"
    assert calls == ["T2", "T2"]
