"""Typed outbox payloads: every kind has one, and rows queued by earlier code still read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.model.kinds import Kind
from bot.model.messages import (
    PAYLOADS,
    Unreadable,
    check,
    decode,
    encode,
    load,
    mark_private,
)
from bot.model.messages.journal import Celebration
from bot.model.messages.matching import MentorSuggestions

QUEUED = json.loads((Path(__file__).parent / "queued_payloads.json").read_text())
"""One payload of every shape the services queued before payloads were typed (captured from
a run of the whole suite), as the outbox table stored them."""


def test_every_kind_has_a_payload_type() -> None:
    assert set(PAYLOADS) == set(Kind)


def test_every_kind_is_among_the_queued_payloads() -> None:
    assert {kind for kind, _ in QUEUED} == set(Kind)


@pytest.mark.parametrize(("kind", "stored"), QUEUED, ids=[k for k, _ in QUEUED])
def test_a_payload_queued_before_reads_and_is_stored_back_the_same(
    kind: str, stored: dict[str, Any]
) -> None:
    payload = decode(kind, stored)
    assert type(payload) is PAYLOADS[Kind(kind)]
    assert encode(payload) == stored
    check(kind, payload)  # the kind accepts it


def test_a_payload_under_another_kind_is_refused() -> None:
    payload = decode(Kind.CELEBRATION, _stored(Kind.CELEBRATION))
    with pytest.raises(TypeError, match="Celebration"):
        check(Kind.SHOUT_OUT, payload)


def test_only_the_private_fields_are_marked() -> None:
    suggestions = _stored(Kind.SUGGESTIONS)
    marked = mark_private(Kind.SUGGESTIONS, suggestions, lambda text: f"<{text}>")
    for before, after in zip(suggestions["candidates"], marked["candidates"], strict=True):
        assert after["bio"] == f"<{before['bio']}>"
        assert after["reason"] == f"<{before['reason']}>"  # it may quote the mentee's goals
        assert {k: v for k, v in after.items() if k not in ("bio", "reason")} == {
            k: v for k, v in before.items() if k not in ("bio", "reason")
        }
    assert marked["request_id"] == suggestions["request_id"]

    celebration = _stored(Kind.CELEBRATION)
    marked = mark_private(Kind.CELEBRATION, celebration, lambda text: "sealed")
    assert marked == {**celebration, "title": "sealed"}

    at_risk = _stored(Kind.COORDINATOR_AT_RISK)
    assert mark_private(Kind.COORDINATOR_AT_RISK, at_risk, lambda text: "x") == {
        **at_risk,
        **({"shared_note": "x"} if at_risk.get("shared_note") else {}),
    }


def test_the_goal_check_seals_each_goal_as_before() -> None:
    """Older code sealed every string under ``goals``; its rows must open the same way."""
    stored = _stored(Kind.GOAL_CHECK)
    marked = mark_private(Kind.GOAL_CHECK, stored, lambda text: "x")
    assert all(
        g["text"] == "x" and g["id"] == s["id"]
        for g, s in zip(marked["goals"], stored["goals"], strict=True)
    )
    assert marked["partner_id"] == stored["partner_id"]


def test_a_row_that_does_not_fit_its_kind_is_kept_unreadable_not_lost() -> None:
    odd = {"title": 42}
    payload = load(Kind.CELEBRATION, odd)
    assert isinstance(payload, Unreadable) and "Celebration" in payload.error
    assert encode(payload) == odd
    assert isinstance(load("job.from_a_newer_release", {"x": 1}), Unreadable)


def test_new_optional_fields_leave_older_rows_alone() -> None:
    """A field whose default is None is left out while None: older rows, which lack it,
    are stored back unchanged (what lets another branch add such a field safely)."""
    suggestions = decode(Kind.SUGGESTIONS, _stored(Kind.SUGGESTIONS))
    assert isinstance(suggestions, MentorSuggestions)
    celebration = decode(Kind.CELEBRATION, _stored(Kind.CELEBRATION))
    assert isinstance(celebration, Celebration)
    ended = _stored(Kind.PARTNERSHIP_ENDED, without="by_program")
    assert encode(decode(Kind.PARTNERSHIP_ENDED, ended)) == ended


def _stored(kind: Kind, *, without: str = "") -> dict[str, Any]:
    for queued_kind, stored in QUEUED:
        if queued_kind == kind and without not in stored:
            return dict(stored)
    raise AssertionError(f"no queued {kind}")


def test_every_message_kind_renders_its_own_payload_type() -> None:
    """Each kind that is not an internal job is rendered (or uploaded) by the messenger, and
    its renderer takes the very type the kind carries (``STEPS``: Slack calls a service takes
    from the outbox, rendering nothing)."""
    from handlers.rendering import RENDERED_TYPES, RENDERERS, STEPS, UPLOADS

    messages = {kind for kind in Kind if not kind.value.startswith("job.")}
    assert set(RENDERERS) | UPLOADS | STEPS == messages
    assert not set(RENDERERS) & UPLOADS and not set(RENDERERS) & STEPS
    assert {kind: RENDERED_TYPES[kind] for kind in RENDERERS} == {
        kind: PAYLOADS[Kind(kind)] for kind in RENDERERS
    }
