"""The edge in front of Bolt: a body too big is refused before it is read, a request is checked
for Slack's signature before anything parses it, and whatever is malformed gets a 4xx and one
WARNING line, never a 500 with a traceback."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.conftest import SIGNING_SECRET, RunningBot
from tests.support.wsgi import FORM, JSON, CountingInput, call, signed_headers

MIB = 1024 * 1024
MALFORMED = [
    pytest.param(b"[]", JSON, id="json-list"),
    pytest.param(b"null", JSON, id="json-null"),
    pytest.param(b"42", JSON, id="json-number"),
    pytest.param(b'{"type": ', JSON, id="json-cut-short"),
    pytest.param(b"payload=1", FORM, id="payload-number"),
    pytest.param(b"payload=null", FORM, id="payload-null"),
    pytest.param(b"payload=%5B%5D", FORM, id="payload-list"),
    pytest.param(b"payload=%7Bnot+json", FORM, id="payload-not-json"),
]


def problems(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    """The WARNING lines, and anything worse (which must never happen at the edge)."""
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    worse = [r.getMessage() for r in caplog.records if r.levelno > logging.WARNING]
    return warnings, worse


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_a_signed_body_that_is_no_slack_payload_is_a_400_with_one_warning(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.WARNING)
    answer = call(
        bot.runtime.wsgi(),
        body=body,
        content_type=content_type,
        headers=signed_headers(SIGNING_SECRET, body),
    )
    assert answer.status == 400, answer.body
    warnings, worse = problems(caplog)
    assert worse == []
    assert len(warnings) == 1, warnings
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_an_unsigned_body_is_a_401_before_anything_parses_it(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.WARNING)
    forged = {**signed_headers(SIGNING_SECRET, body), "X-Slack-Signature": "v0=" + "0" * 64}
    answer = call(bot.runtime.wsgi(), body=body, content_type=content_type, headers=forged)
    assert answer.status == 401, answer.body
    warnings, worse = problems(caplog)
    assert worse == [] and len(warnings) == 1, (warnings, worse)


@pytest.mark.parametrize("timestamp", ["abc", "", "1.5", "-1", "\uff11\uff12\uff13", "9" * 40])
@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_a_timestamp_that_is_not_a_whole_number_of_seconds_is_a_401(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, timestamp: str, signed: bool
) -> None:
    caplog.set_level(logging.WARNING)
    body = urlencode({"command": "/mentor", "text": "help", "team_id": "T0001", "user_id": "U1"})
    headers = signed_headers(SIGNING_SECRET, body.encode(), timestamp=timestamp)
    if not signed:
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    answer = call(bot.runtime.wsgi(), body=body.encode(), headers=headers)
    assert answer.status == 401, answer.body
    warnings, worse = problems(caplog)
    assert worse == [] and len(warnings) == 1, (warnings, worse)


def test_a_body_that_is_not_utf8_is_a_400_even_when_its_bytes_are_signed(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    body, ts = b"payload=\xff\xfe", str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest.hexdigest()}
    assert call(bot.runtime.wsgi(), body=body, headers=headers).status == 400
    warnings, worse = problems(caplog)
    assert worse == [] and len(warnings) == 1, (warnings, worse)


def test_a_body_over_the_cap_is_refused_from_its_length_without_reading_it(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    body = b"payload=" + b"x" * (10 * MIB)
    stream = CountingInput(body)
    answer = call(
        bot.runtime.wsgi(), body=body, stream=stream, headers=signed_headers(SIGNING_SECRET, body)
    )
    assert answer.status == 413
    assert stream.bytes_read == 0
    warnings, worse = problems(caplog)
    assert worse == [] and len(warnings) == 1, (warnings, worse)


def test_a_body_of_unknown_length_is_read_only_up_to_the_cap(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    cap = bot.runtime.settings.mentorbot_max_body_bytes
    assert cap == MIB  # the default
    body = b"payload=" + b"x" * (10 * MIB)
    stream = CountingInput(body)
    answer = call(
        bot.runtime.wsgi(),
        body=body,
        stream=stream,
        content_length="",  # chunked
        headers=signed_headers(SIGNING_SECRET, body),
    )
    assert answer.status == 413
    assert stream.bytes_read <= cap + 1
    warnings, worse = problems(caplog)
    assert worse == [] and len(warnings) == 1, (warnings, worse)


def test_a_chunked_command_within_the_cap_reaches_the_bot(bot: RunningBot) -> None:
    body = urlencode(
        {
            "command": "/mentor",
            "text": "help",
            "team_id": "T0001",
            "user_id": "UMENTEE1",
            "trigger_id": "1.1.x",
            "response_url": bot.fake.response_url("chunked"),
        }
    ).encode()
    answer = call(
        bot.runtime.wsgi(),
        body=body,
        content_length="",
        headers=signed_headers(SIGNING_SECRET, body),
    )
    assert answer.status == 200, answer.body


def test_a_length_that_is_not_a_number_is_a_400(bot: RunningBot) -> None:
    answer = call(bot.runtime.wsgi(), body=b"x", content_length="ten")
    assert answer.status == 400


def test_the_cap_is_a_setting(bot: RunningBot) -> None:
    from mentorbot.http import wsgi_app

    body = b"payload=" + b"x" * 20_000
    small = wsgi_app(bot.runtime.app, signing_secret=SIGNING_SECRET, max_body=16 * 1024)
    assert call(small, body=body, headers=signed_headers(SIGNING_SECRET, body)).status == 413


def test_over_http_a_malformed_signed_body_is_a_400_and_probes_still_answer(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert bot.slack.post("[]", content_type=JSON).status == 400
    assert bot.slack.post("null", content_type=JSON, timestamp=None, signature="").status == 401
    assert bot.slack.command("help", user="UMENTEE1").status == 200
    app = bot.runtime.wsgi()
    assert call(app, path="/healthz", method="GET").status == 200
    assert call(app, path="/readyz", method="GET").status == 200
    assert call(app, path="/metrics", method="GET").status == 200
    assert call(app, path="/slack/events", method="GET").status == 405
    _, worse = problems(caplog)
    assert worse == []
