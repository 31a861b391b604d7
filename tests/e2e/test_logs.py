"""Logs never carry a token, a secret or what people wrote, even at DEBUG and in JSON."""

from __future__ import annotations

import io
import json
import logging
import math
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import IntEnum
from urllib.error import URLError

import pytest
from slack_sdk import WebClient

from handlers.slack_http import KeepAliveWebClient
from mentorbot.logs import (
    REDACTED,
    JsonFormatter,
    RedactingFormatter,
    Redactor,
    configure_logging,
    info_line,
    secrets_of,
    sole_line_handler,
)
from mentorbot.settings import Settings
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.e2e.journeys import matched_pair
from tests.e2e.test_journal import reflect
from tests.support.replicas import free_port

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"
REFLECTION = "I am afraid my manager will find out about the other offer"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger as ``configure_logging`` leaves it, restored afterwards for pytest."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = ("slack_sdk", "slack_bolt", "mentorbot.bolt", "alembic.runtime.plugins")
    levels = {name: logging.getLogger(name).level for name in names}
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_a_reflection_and_a_pasted_token_leave_no_trace_in_debug_json_logs(
    bot: RunningBot, captured: io.StringIO
) -> None:
    settings = bot.runtime.settings.model_copy(update={"log_format": "json", "log_level": "DEBUG"})
    configure_logging(settings, stream=captured, force=True)
    bot.fake.add_user(MENTOR, real_name="Maria Mentor", tz="Europe/Berlin")
    bot.fake.add_user(MENTEE, real_name="Ada Mentee", tz="Europe/London")
    matched_pair(bot, MENTOR, MENTEE)

    reflect(bot, MENTEE, topics=REFLECTION, shared=True)  # shared: it is posted to the mentor
    bot.slack.command("milestone promoted, my token is xoxp-1234-5678-abcdef", user=MENTEE)
    bot.slack.command("help", user=MENTEE, signature="v0=" + "1" * 64)  # forged: Bolt logs bodies
    bot.settle()
    logging.getLogger("mentorbot").info("effective settings: %r", bot.runtime.settings)
    try:
        raise RuntimeError(f"Slack refused xoxb-test-token with {SIGNING_SECRET}")
    except RuntimeError:
        logging.getLogger("mentorbot").exception("a bug that quotes what it got")

    output = captured.getvalue()
    entries = [json.loads(line) for line in output.splitlines()]
    assert any(e["logger"] == "mentorbot.http" and e.get("kind") == "view" for e in entries)
    assert any("exception" in e for e in entries)
    assert "afraid" not in output and "other offer" not in output
    assert "promoted" not in output
    for secret in ("xoxb-test-token", "xoxp-1234", SIGNING_SECRET, "v0=1111"):
        assert secret not in output
    assert REDACTED in output


def test_tokens_are_redacted_by_shape_and_configured_secrets_by_value() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-1-2-three",
        slack_signing_secret="8f14e45fceea167a5a36dedd4bea2543",
        slack_client_secret="client-secret-42",
        mentorbot_encryption_key="key-one-aaaaaaaa, key-two-bbbbbbbb",
    )
    redact = Redactor(secrets_of(settings))
    line = redact(
        "bot xoxb-1-2-three app xapp-1-A0-99-ff user xoxp-9 refresh xoxe-1-x "
        "sig 8f14e45fceea167a5a36dedd4bea2543 client client-secret-42 "
        "keys key-one-aaaaaaaa key-two-bbbbbbbb signature v0=" + "a" * 64
    )
    assert line.count(REDACTED) == 9
    for left in ("xox", "xapp", "8f14e", "client-secret", "key-one", "key-two", "v0="):
        assert left not in line

    record = logging.LogRecord("mentorbot.http", logging.INFO, __file__, 1, "%s", ("xoxb-9",), None)
    record.team = "T0001"
    entry = json.loads(JsonFormatter(redact).format(record))
    assert entry["message"] == REDACTED and entry["team"] == "T0001"


def test_each_request_is_one_line_with_its_kind_status_and_milliseconds(
    bot: RunningBot, captured: io.StringIO
) -> None:
    for log_format in ("text", "json"):
        settings = bot.runtime.settings.model_copy(update={"log_format": log_format})
        configure_logging(settings, stream=captured, force=True)
        assert bot.slack.command("help", user=MENTEE).status == 200
    text, entry = captured.getvalue().splitlines()[-2:]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.fullmatch(
        stamp + r" INFO mentorbot\.http: POST /slack/events 200 command \d+\.\dms", text
    )
    fields = json.loads(entry)
    assert fields["logger"] == "mentorbot.http" and fields["process"] == os.getpid()
    assert fields["message"].startswith("POST /slack/events 200 command ")
    assert (fields["kind"], fields["status"]) == ("command", 200)
    assert isinstance(fields["duration_ms"], float)


@pytest.mark.parametrize("datefmt", [None, "%H:%M"])
def test_the_kept_second_gives_the_time_logging_would(datefmt: str | None) -> None:
    ours, theirs = RedactingFormatter(Redactor()), logging.Formatter()
    start = 1_767_225_599.0  # the last second of a year, in UTC
    for created in (start, start + 0.9994, start + 1.0006, start + 61.5, start + 0.25):
        record = logging.makeLogRecord({"created": created, "msecs": (created % 1) * 1000 // 1})
        assert ours.formatTime(record, datefmt) == theirs.formatTime(record, datefmt)


class Tagged:
    def __str__(self) -> str:
        return 'tagged "xoxb-1-2"'


class Level(IntEnum):
    HIGH = 3


EXTRAS: list[dict[str, object]] = [
    {"kind": "command", "status": 200, "duration_ms": 0.1},
    {"kind": 'a "quoted"\nline \u2028 caf\u00e9 \x01', "status": 401, "duration_ms": 1234.5},
    {"n": 10**20, "x": 1e300, "z": -0.0, "nan": math.nan, "inf": math.inf, "ninf": -math.inf},
    {"yes": True, "no": False, "none": None, "priority": Level.HIGH, "object": Tagged()},
    {"_private": "left out", "team": "T0001"},
    {},
]


@pytest.mark.parametrize("extra", EXTRAS)
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_plain_line_is_the_line_its_record_would_be(
    extra: dict[str, object], log_format: str
) -> None:
    """The request line is written without a record when nothing but our handler sees it:
    the same text, fields, escapes and redaction as the record's."""
    redact = Redactor(["s3cret-value"])
    formatter = JsonFormatter(redact) if log_format == "json" else RedactingFormatter(redact)
    logger = logging.getLogger("mentorbot.http")
    message = "POST /slack/events %d %s token xoxb-9-9 and s3cret-value \u00e9"
    for created in (1_767_225_599.9996, 1_767_225_600.0004, 1_700_000_000.5):
        record = logger.makeRecord(logger.name, logging.INFO, "", 0, message, (200, "x"), None)
        record.__dict__.update(extra)
        record.created, record.msecs = created, int((created - int(created)) * 1000) + 0.0
        plain = formatter.plain_line(
            name=logger.name,
            levelname="INFO",
            message=record.getMessage(),
            created=created,
            extra=extra,
        )
        assert plain == formatter.format(record)
        assert REDACTED in plain and "s3cret" not in plain and "xoxb-" not in plain


def test_a_plain_line_is_not_written_where_a_record_would_differ() -> None:
    json_lines, text = JsonFormatter(Redactor()), RedactingFormatter(Redactor(), "%(message)s")
    fields = {"name": "n", "levelname": "INFO", "message": "m", "created": 1.0}
    assert json_lines.plain_line(**fields, extra={"lineno": 3}) is None  # logging refuses it
    assert json_lines.plain_line(**fields, extra={"level": 3}) is None  # format writes it over
    assert text.plain_line(**fields, extra={}) is None  # another format: through a record
    assert RedactingFormatter(Redactor()).plain_line(**fields, extra={"lineno": 3}) is None


def test_the_request_line_is_a_record_when_anything_else_would_see_it(
    captured: io.StringIO,
) -> None:
    handler = configure_logging(Settings(_env_file=None), stream=captured, force=True)  # type: ignore[call-arg]
    logger, parent = logging.getLogger("mentorbot.http"), logging.getLogger("mentorbot")
    assert handler is not None and sole_line_handler(logger) is handler  # written plain
    info_line(logger, "%s %d", "POST", 200, extra={"kind": "command"})
    seen: list[logging.LogRecord] = []
    other = logging.Handler()
    other.emit = seen.append  # type: ignore[method-assign]
    parent.addHandler(other)
    try:
        assert sole_line_handler(logger) is None
        info_line(logger, "%s %d", "POST", 201, extra={"kind": "command"})
    finally:
        parent.removeHandler(other)
    quiet = logging.Filter("nothing")  # a filter that lets nothing of mentorbot.http through
    logger.addFilter(quiet)
    try:
        assert sole_line_handler(logger) is None
        info_line(logger, "%s %d", "POST", 202, extra={"kind": "command"})
    finally:
        logger.removeFilter(quiet)
    assert [(r.getMessage(), r.kind) for r in seen] == [("POST 201", "command")]  # type: ignore[attr-defined]
    lines = captured.getvalue().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == ["POST 200", "POST 201"]


def test_the_json_time_is_the_one_datetime_would_write() -> None:
    json_lines = JsonFormatter(Redactor())
    start = 1_767_225_599  # the last second of a year
    near = (0.0, 0.0000005, 0.0000015, 0.0009995, 0.5, 0.9994999, 0.9995, 0.9999994, 0.9999995)
    moments = [start + fraction for fraction in near]
    moments += [start + (n * 7_919 + 0.5) / 1e7 for n in range(2_000)]  # halves of microseconds
    moments += [start - 86_400 * 400 + n * 0.0123 for n in range(2_000)]
    for created in moments:
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        assert json_lines.utc_time(created) == expected, created


def _run_one_scheduler_job() -> None:
    """A real APScheduler run of one job, so the logger names are the library's own."""
    from apscheduler.schedulers.background import BackgroundScheduler

    done = threading.Event()
    scheduler = BackgroundScheduler(timezone="UTC")
    # an interval job (due at once) stays in the store after its run, as the bot's tick does
    scheduler.add_job(done.set, "interval", hours=1, next_run_time=datetime.now(UTC), id="tick")
    scheduler.start()
    try:
        assert done.wait(10)
    finally:
        scheduler.shutdown(wait=True)


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_the_schedulers_routine_ticks_are_debug_lines(captured: io.StringIO, level: str) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, slack_signing_secret=SIGNING_SECRET, log_level=level
    )
    configure_logging(settings, captured, force=True)
    _run_one_scheduler_job()
    lines = captured.getvalue().splitlines()
    routine = [line for line in lines if "Running job" in line or "executed successfully" in line]
    if level == "INFO":
        assert routine == []
    else:
        assert routine, lines
        assert all("DEBUG" in line for line in routine), routine


def _storm(client: WebClient, calls: int) -> None:
    """Requests that never reach Slack (nothing listens): each is raised to the caller."""
    for _ in range(calls):
        with pytest.raises(URLError):
            client.auth_test()


def test_a_storm_of_connection_failures_is_warnings_not_214_errors(
    captured: io.StringIO,
) -> None:
    configure_logging(Settings(_env_file=None), stream=captured, force=True)  # type: ignore[call-arg]
    closed = f"http://127.0.0.1:{free_port()}/api/"
    _storm(KeepAliveWebClient(base_url=closed, retry_handlers=[]), 214)
    levels = [json_or_text_level(line) for line in captured.getvalue().splitlines()]
    assert "ERROR" not in levels
    warnings = [line for line in captured.getvalue().splitlines() if " WARNING " in line]
    assert len(warnings) <= 1, warnings  # one line a minute, however many failed


def test_the_held_back_failures_are_counted_on_the_next_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from mentorbot.logs import TransientSlackFailures

    now = [1000.0]
    logger = logging.getLogger("tests.slack_sdk_storm")
    quiet = TransientSlackFailures(window=60, now=lambda: now[0])
    logger.addFilter(quiet)
    caplog.set_level(logging.WARNING, logger="tests.slack_sdk_storm")
    client = KeepAliveWebClient(
        base_url=f"http://127.0.0.1:{free_port()}/api/", logger=logger, retry_handlers=[]
    )
    try:
        _storm(client, 214)
        now[0] += 61
        _storm(client, 1)
    finally:
        logger.removeFilter(quiet)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == logger.name]
    assert [level for level, _ in lines] == ["WARNING", "WARNING"]
    assert "Connection refused" in lines[0][1]
    assert "and 213 more since the last such line" in lines[1][1], lines


def json_or_text_level(line: str) -> str:
    """The level of a text line (``TEXT_FORMAT``: time, level, logger, message)."""
    return line.split()[2] if len(line.split()) > 2 else ""
