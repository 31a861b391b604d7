"""Log lines people and log shippers can read, that never carry a secret or what people wrote.

``LOG_FORMAT=json`` writes one JSON object a line (time, level, logger, message, and the
``extra`` fields a call passes, such as a request's kind and status); ``text`` writes the
classic line. Either way the formatted line is redacted last, whatever produced it: Slack
tokens by their shape, and the configured secrets by value. What people wrote never reaches a
log call in our code (handlers log identifiers only); the libraries that log request and
response bodies (slack_sdk at DEBUG, Bolt at INFO) are held above that, whatever
``LOG_LEVEL`` says. slack_sdk's ERROR line for each request that never reached Slack is a
WARNING here, at most one a minute with a count of the rest.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, TextIO

from mentorbot.settings import Settings

REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# xoxb- bot, xoxp- user, xoxe- refresh, xoxa-/xoxr-/xoxs- older kinds, xapp- app-level tokens;
# and request signatures (v0= and 64 hex digits), which are only useful to an attacker.
TOKEN_SHAPES = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+|\bv0=[0-9a-f]{64}\b")
# Libraries that log bodies below these levels (slack_sdk: each request at DEBUG; Bolt: a body
# with a bad signature at INFO); Bolt's loggers copy the app logger's level when it is built.
BODY_LOGGERS = {
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.WARNING,
    "mentorbot.bolt": logging.WARNING,
}
# Attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_PLAIN = (int, float, bool, type(None))  # written as they are; anything else as its str()
_ENTRY = ("time", "level", "logger", "message", "process")  # the JSON line's own fields


def secrets_of(settings: Settings) -> list[str]:
    """The configured values that must never be printed (several Fernet keys: each one)."""
    values = [
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.slack_client_secret,
        *(settings.mentorbot_encryption_key or "").split(","),
    ]
    return [v.strip() for v in values if v and len(v.strip()) >= 6]


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        if "xox" in line or "xapp" in line or "v0=" in line:  # how every token shape starts
            line = TOKEN_SHAPES.sub(REDACTED, line)  # a scan 10x the cost of the three looks
        return line


class RedactingFormatter(logging.Formatter):
    """The text line, redacted (tracebacks included: they quote arguments)."""

    def __init__(self, redact: Redactor, fmt: str = TEXT_FORMAT) -> None:
        super().__init__(fmt)
        self._redact = redact
        self._second: tuple[int, str] = (-1, "")  # one tuple: threads swap it whole

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))

    def plain_line(
        self,
        *,
        name: str,
        levelname: str,
        message: str,
        created: float,
        extra: Mapping[str, object],
    ) -> str | None:
        """What ``format`` makes of a record of these fields (no traceback), without the
        record; None for another format than ``TEXT_FORMAT`` (which prints no ``extra``) or
        an ``extra`` that names a record's own attribute."""
        if self._fmt != TEXT_FORMAT or not self.default_msec_format:
            return None
        if not _STANDARD.isdisjoint(extra):
            return None  # logging refuses such a record: let it say so
        msecs = int((created - int(created)) * 1000)  # as a LogRecord works it out
        stamp = self.default_msec_format % (self._date_and_time(int(created)), msecs)
        return self._redact(f"{stamp} {levelname} {name}: {message}")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """``logging.Formatter``'s time, the same text, with the date and time of the current
        second kept: ``localtime`` and ``strftime`` were a tenth of a request's line."""
        msec_format = self.default_msec_format
        if datefmt or not msec_format:
            return super().formatTime(record, datefmt)
        return msec_format % (self._date_and_time(int(record.created)), record.msecs)

    def _date_and_time(self, second: int) -> str:
        kept = self._second
        if kept[0] != second:
            kept = (second, time.strftime(self.default_time_format, self.converter(second)))
            self._second = kept
        return kept[1]


class LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """``logging.StreamHandler`` that flushes in the lock ``handle`` holds already, not taking
    it again for each line, and writes a plain line without a record (``emit_plain``)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._write(self.format(record))
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def emit_plain(
        self,
        *,
        name: str,
        levelname: str,
        message: str,
        created: float,
        extra: Mapping[str, object],
    ) -> bool:
        """``emit`` of a record of these fields, when the formatter can make its line without
        one (``plain_line``); False, having written nothing, when it can't."""
        plain = getattr(self.formatter, "plain_line", None)
        if plain is None:
            return False
        line = plain(name=name, levelname=levelname, message=message, created=created, extra=extra)
        if line is None:
            return False
        with self.lock:  # type: ignore[union-attr]  # Handler.createLock made it
            try:
                self._write(line)
            except RecursionError:
                raise
            except Exception:
                self.handleError(logging.makeLogRecord({"name": name, "msg": message}))
        return True

    def _write(self, line: str) -> None:
        stream = self.stream
        stream.write(line + self.terminator)
        stream.flush()


class JsonFormatter(logging.Formatter):
    """One JSON object a line; redacted after serialisation, so no field can slip through."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact
        self._encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds one a call
        self._second: tuple[int, str] = (-1, "")  # one tuple: threads swap it whole

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and name[0] != "_":
                entry[name] = value if isinstance(value, _PLAIN) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._redact(self._encode(entry))

    def plain_line(
        self,
        *,
        name: str,
        levelname: str,
        message: str,
        created: float,
        extra: Mapping[str, object],
    ) -> str | None:
        """What ``format`` makes of a record of these fields (no traceback), without the
        record; None when ``extra`` names a record's own attribute (logging refuses those) or
        one of the line's own fields (``format`` writes it over them)."""
        process = os.getpid() if logging.logProcesses else None
        parts = [
            f'{{"time": "{self.utc_time(created)}", "level": {encode_basestring(levelname)}',
            f'"logger": {encode_basestring(name)}, "message": {encode_basestring(message)}',
            f'"process": {json_value(process)}',
        ]
        for key, value in extra.items():
            if key in _STANDARD or key in _ENTRY:  # refused, or put over the entry's own
                return None
            if key[0] != "_":
                plain = value if isinstance(value, _PLAIN) else str(value)
                parts.append(f"{encode_basestring(key)}: {json_value(plain)}")
        return self._redact(", ".join(parts) + "}")

    def utc_time(self, created: float) -> str:
        """``datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")``, the
        same text (rounded to microseconds as it rounds), with the current second's kept."""
        second = int(created)
        micro = round((created - second) * 1e6)
        if micro >= 1_000_000:
            second, micro = second + 1, micro - 1_000_000
        kept = self._second
        if kept[0] != second:
            kept = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S"))
            self._second = kept
        return f"{kept[1]}.{micro // 1000:03d}+00:00"


def json_value(value: str | int | float | bool | None) -> str:
    """``value`` as ``json.JSONEncoder(ensure_ascii=False)`` writes it, without an encoder
    made for each line (a request's line wrote five fields and its three extras)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


class RoutineAtDebug(logging.Filter):
    """APScheduler reports every run of its 30-second tick at INFO ("Running job", "executed
    successfully"): two lines a tick that bury what matters. They are routine, so they are
    logged as DEBUG, and shown only when the root logger is at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


SCHEDULER_LOGGERS = ("apscheduler.executors.default", "apscheduler.scheduler")


class DropSchemaChecks(logging.Filter):
    """``/readyz`` asks Alembic for the schema's revision at every probe, and Alembic announces
    each look at INFO: two lines every few seconds that say nothing. Upgrades are still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Context impl", "Will assume"))


class TransientSlackFailures(logging.Filter):
    """slack_sdk logs an ERROR for every request that did not reach Slack (refused, reset,
    timed out) before raising it; the caller retries and counts it
    (``mentorbot_slack_api_calls_total{result="connection_error"}``), so the line is neither
    an error of ours nor news after the first: one storm wrote 214 of them. Here they are
    WARNINGs, at most one every ``window`` seconds, each saying how many were held back."""

    PREFIX = "Failed to send a request to Slack API server"

    def __init__(self, window: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._window = window
        self._now = now
        self._lock = threading.Lock()
        self._last: float | None = None
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(self.PREFIX):
            return True
        with self._lock:
            now = self._now()
            if self._last is not None and now - self._last < self._window:
                self._held += 1
                return False
            held, self._held, self._last = self._held, 0, now
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        if held:
            record.msg = (
                f"{record.getMessage()} (and {held} more since the last such line; "
                f"at most one a {self._window:.0f}s)"
            )
            record.args = None
        return True


SLACK_SDK_CLIENT_LOGGERS = ("slack_sdk.web.base_client", "slack_sdk.web.legacy_base_client")


def info_line(logger: logging.Logger, msg: str, *args: object, extra: Mapping[str, object]) -> None:
    """``logger.info(msg, *args, extra=extra)`` for a line logged on every request, the same
    line at a third of the cost: when the one handler it would reach is the ``LineHandler``
    installed here, it writes it without a ``LogRecord`` and logging's walk to the handler
    (they were half the cost of an ack at INFO); otherwise (a test's capture, another
    handler, a filter) a record, made without looking up the calling file and line, which no
    format here prints."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handler = sole_line_handler(logger)
    if handler is not None and handler.emit_plain(
        name=logger.name, levelname="INFO", message=msg % args, created=time.time(), extra=extra
    ):
        return
    logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, msg, args, None, None, extra))


def sole_line_handler(logger: logging.Logger) -> LineHandler | None:
    """The one handler a record of ``logger`` reaches, if it is a ``LineHandler`` and no
    logger or handler on the way filters it; None otherwise."""
    found: LineHandler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters or current.disabled:
            return None
        for handler in current.handlers:
            if found is not None or type(handler) is not LineHandler or handler.filters:
                return None
            if handler.level > logging.INFO:
                return None
            found = handler
        current = current.parent if current.propagate else None
    return found


def quiet_transient_slack_failures(window: float = 60.0) -> None:
    """Once per process: a logger's filters only see the records of that very logger, so the
    filter goes on each client module's logger, not on ``slack_sdk``."""
    for name in SLACK_SDK_CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TransientSlackFailures) for f in logger.filters):
            logger.addFilter(TransientSlackFailures(window))


def configure_logging(
    settings: Settings, stream: TextIO | None = None, *, force: bool = False
) -> logging.Handler | None:
    """One redacting handler on the root logger; returns it.

    Like ``logging.basicConfig``, a root logger that has handlers already (a test runner's,
    an embedding program's) is left as it is unless ``force``; the libraries that would log
    bodies are held back either way.
    """
    root = logging.getLogger()
    handler: logging.Handler | None = None
    if force or not root.handlers:
        redact = Redactor(secrets_of(settings))
        handler = LineHandler(stream or sys.stderr)
        if settings.log_format == "json":
            handler.setFormatter(JsonFormatter(redact))
        else:
            handler.setFormatter(RedactingFormatter(redact))
        for old in list(root.handlers):
            root.removeHandler(old)
        root.addHandler(handler)
        # no format here prints a thread's or a process's name: not looked up for every line
        logging.logThreads = False
        logging.logMultiprocessing = False
        level = logging.getLevelName(settings.log_level.upper())
        root.setLevel(level if isinstance(level, int) else logging.INFO)
    for name, floor in BODY_LOGGERS.items():
        logging.getLogger(name).setLevel(max(root.level, floor))
    migration = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, DropSchemaChecks) for f in migration.filters):
        migration.addFilter(DropSchemaChecks())
    logging.getLogger("alembic.runtime.plugins").setLevel(max(root.level, logging.WARNING))
    for name in SCHEDULER_LOGGERS:
        scheduler = logging.getLogger(name)
        if not any(isinstance(f, RoutineAtDebug) for f in scheduler.filters):
            scheduler.addFilter(RoutineAtDebug())
    quiet_transient_slack_failures()
    return handler
