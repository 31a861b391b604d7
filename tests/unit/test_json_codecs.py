"""orjson where the dispatcher's JSON is hot, without changing what is written or read."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.slack_http import json_body
from storage.rows import json_loads


def test_a_post_body_reads_back_as_what_json_dumps_would_have_sent() -> None:
    payload: dict[str, Any] = {
        "channel": "U1",
        "text": 'Ünïcode, "quotes", \\ and 🙂',
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}],
        "unfurl_links": False,
        "metadata": {"event_type": "mentorbot_message", "event_payload": {"key": "k:1"}},
        "ratio": 0.1,
    }
    assert json.loads(json_body(payload)) == payload


def test_what_orjson_refuses_goes_as_json_dumps_writes_it() -> None:
    odd = {1: "an integer key", "big": 2**70}
    assert json_body(odd) == json.dumps(odd).encode()


@dataclass
class _Thing:
    name: str


@pytest.mark.parametrize("value", [datetime(2026, 3, 2, tzinfo=UTC), _Thing("x")])
def test_what_json_dumps_refuses_is_refused_as_before(value: object) -> None:
    with pytest.raises(TypeError):
        json_body({"value": value})


@pytest.mark.parametrize(
    "text", ['{"a": 1, "b": [true, null, "é"]}', '{"big": 1180591620717411303424}', "[1.5]"]
)
def test_a_json_column_reads_as_json_loads_reads_it(text: str) -> None:
    assert json_loads(text) == json.loads(text)
    assert json_loads(text.encode()) == json.loads(text)


def test_what_only_python_writes_still_reads() -> None:
    value = json_loads('{"score": NaN, "worst": -Infinity}')
    assert math.isnan(value["score"]) and value["worst"] == -math.inf
