"""A pair channel's name, the workspace that hosts it, and what people are told without one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.model.messages.pair_channels import PairChannelFallback, PairChannelWelcome
from bot.model.partnership import Partnership
from bot.pair_channels.service import channel_host, channel_name
from handlers.pair_channels.blocks import fallback_message, welcome_message, why
from tests.support.fake_slack import validate_blocks

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def pair(team: str, mentee_team: str, mentor_team: str) -> Partnership:
    return Partnership(
        team_id=team,
        mentor_id="UMENTOR",
        mentee_id="UMENTEE",
        request_id=None,
        started_at=NOW,
        ends_at=NOW,
        mentee_team_id=mentee_team,
        mentor_team_id=mentor_team,
        id=7,
    )


@pytest.mark.parametrize(
    ("host", "partner", "expected"),
    [
        ("Ada Lovelace", "Grace Hopper", "mentoring-ada-grace-42"),
        ("José Ñúñez", "Zoë O'Brien", "mentoring-jose-zoe-42"),
        ("", "", "mentoring-42"),
        ("  -- ", "李小龙", "mentoring-42"),
        ("A" * 200, "B" * 200, "mentoring-" + "a" * 20 + "-" + "b" * 20 + "-42"),
    ],
)
def test_the_channel_name_follows_slacks_rules(host: str, partner: str, expected: str) -> None:
    name = channel_name(host, partner, 42)
    assert name == expected
    assert len(name) <= 80 and name == name.lower()
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in name)


def test_the_programs_workspace_hosts_the_channel_when_one_of_the_pair_lives_there() -> None:
    assert channel_host(pair("T1", "T1", "T2")) == ("T1", "UMENTEE", "T2", "UMENTOR")
    assert channel_host(pair("T1", "T2", "T1")) == ("T1", "UMENTOR", "T2", "UMENTEE")
    # a program of Acme between people of Globex and Initech: the mentee's own workspace
    assert channel_host(pair("T1", "T2", "T3")) == ("T2", "UMENTEE", "T3", "UMENTOR")


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("not_paid", "Slack's paid plans"),
        ("not_allowed_for_grid_workspace", "Slack's paid plans"),
        ("missing_scope", "not allowed to create Slack Connect channels"),
        ("not_installed", "not allowed to create Slack Connect channels"),
        ("restricted_action", "don't let apps invite people from other companies"),
        ("declined", "was declined, which is fine"),
        ("cannot_share_mandatory_channel", "it said `cannot_share_mandatory_channel`"),
        ("http 503", "Slack was too busy"),
    ],
)
def test_each_refusal_is_said_in_plain_words(reason: str, says: str) -> None:
    assert says in why(reason, in_host_workspace=True)


def test_the_notes_are_valid_block_kit_and_name_where_it_was_missing() -> None:
    note = PairChannelFallback(
        partnership_id=7,
        partner_id="UMENTEE",
        reason="not_paid",
        partner_name="Ada <Lovelace>",
        in_host_workspace=False,
    )
    text, blocks = fallback_message(note)
    assert validate_blocks(blocks, surface="message") == []
    assert "your partner's workspace doesn't have it" in text
    assert "Ada &lt;Lovelace&gt;" in text  # a name from Slack is escaped, never markup
    assert "calendar invite" in text and "DMs with me" in text
    text, blocks = welcome_message(
        PairChannelWelcome(partnership_id=7, mentor_id="UMENTOR", mentee_id="UMENTEE")
    )
    assert validate_blocks(blocks, surface="message") == []
    assert "<@UMENTEE>" in text and "<@UMENTOR>" in text
