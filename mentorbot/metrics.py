"""Prometheus metrics: what Slack asked of us, what we asked of Slack, what the outbox did.

Under ``mentorbot serve`` every gunicorn worker counts into files in
``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up, whichever worker answers; under
``mentorbot run`` (one process) the runtime's own registry is served. Nothing here reads what
people wrote: requests are classified by their type, Web API calls by method and Slack's code.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.web import SlackResponse

from bot.outbox.report import DispatchReport
from handlers.slack_http import KeepAliveWebClient
from mentorbot.edge import BODY_KEY, PARSED_KEY
from mentorbot.logs import info_line

log = logging.getLogger("mentorbot.http")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 86400.0)
_INTERACTION_KINDS = {
    "block_actions": "action",
    "interactive_message": "action",
    "shortcut": "action",
    "message_action": "action",
    "view_submission": "view",
    "view_closed": "view",
    "block_suggestion": "options",
    "dialog_suggestion": "options",
}


class Metrics:
    """The bot's metrics, registered in a registry of their own (one per runtime)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "mentorbot_slack_requests",
            "Requests from Slack at /slack/events, by kind and outcome.",
            ["kind", "outcome"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "mentorbot_ack_seconds",
            "From a Slack request's arrival to our answer (the ack); Slack waits 3 s.",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.api_calls = Counter(
            "mentorbot_slack_api_calls",
            "Web API calls by method and result: ok, Slack's error code, ratelimited, "
            "http_5xx or connection_error.",
            ["method", "result"],
            registry=r,
        )
        self.rate_limited = Counter(
            "mentorbot_slack_api_429",
            "429 answers from the Web API, every attempt (also those retried and then answered).",
            ["method"],
            registry=r,
        )
        self.messages = Counter(
            "mentorbot_outbox_messages",
            "What the dispatcher did with outbox rows: due (claimed), sent, failed, retried, "
            "dropped (of which late), held for working hours, job (internal).",
            ["outcome"],
            registry=r,
        )
        self.dispatch_lag = Histogram(
            "mentorbot_dispatch_lag_seconds",
            "From a message's due time to its delivery.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self._served: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    def request_served(self, kind: str, outcome: str, seconds: float) -> None:
        """One request to ``/slack/events`` counted and timed.

        The labelled children are kept: looking them up takes a lock and checks the labels
        on every call, a cost paid on every ack. Both labels come from short fixed lists.
        """
        key = (kind, outcome)
        children = self._served.get(key)
        if children is None:
            children = (
                self.requests.labels(kind=kind, outcome=outcome),
                self.ack_seconds.labels(kind=kind),
            )
            self._served[key] = children  # a race only looks the same children up twice
        count, timing = children
        count.inc()
        timing.observe(seconds)

    def __deepcopy__(self, _memo: dict[int, Any]) -> Metrics:
        """One sink per process: Bolt deep-copies each request (and its client) for lazy
        listeners, and the copies must count into the same metrics."""
        return self

    def observe_dispatch(self, report: DispatchReport) -> None:
        """The dispatcher's observer: one call per finished pass."""
        counts = {
            "due": report.due,
            "sent": report.sent,
            "failed": report.failed,
            "retried": report.retried,
            "dropped": report.dropped,
            "late": report.late,
            "held": report.held,
            "job": report.jobs,
        }
        for outcome, n in counts.items():
            if n:
                self.messages.labels(outcome=outcome).inc(n)
        for lag in report.lags:
            self.dispatch_lag.observe(lag)

    def api_call(self, method: str, result: str) -> None:
        self.api_calls.labels(method=method, result=result).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The text format Prometheus scrapes: every worker's counts when there are several."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


# -- Web API calls ---------------------------------------------------------------------------


def api_result(error: Exception) -> str:
    """A short, bounded label for how a call failed."""
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        if status == 429:
            return "ratelimited"
        if status >= 500:
            return "http_5xx"
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        return str(code or f"http_{status}")
    return "connection_error"


class MeteredWebClient(KeepAliveWebClient):
    """The bot's Web API client (connections kept open) that counts each call by method and
    result."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        try:
            response = super().api_call(api_method, **kwargs)
        except Exception as error:
            self.metrics.api_call(api_method, api_result(error))
            raise
        self.metrics.api_call(api_method, "ok")
        return response

    def answered(self, api_method: str, error: Exception | None) -> None:
        """A call sent on the dispatcher's lanes (``start_json``), counted as ``api_call``."""
        self.metrics.api_call(api_method, "ok" if error is None else api_result(error))

    @classmethod
    def like(cls, client: WebClient, metrics: Metrics) -> MeteredWebClient:
        """The same client (token, URL, retries, team), metered and keeping its connections
        open: a shallow copy of its state."""
        metered = cls.__new__(cls)
        metered.__dict__.update(client.__dict__)
        metered.metrics = metrics
        return metered


class CountRateLimits(RetryHandler):
    """Never retries; counts every 429, including the ones a later handler retries."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            method = urlsplit(request.url).path.rsplit("/", 1)[-1]
            self._metrics.rate_limited.labels(method=method).inc()
        return False


class MeterListenerClients(Middleware):
    """Bolt hands each listener a ``WebClient`` of its own making: swap in a metered copy."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        client = req.context.client
        if client is not None and not isinstance(client, MeteredWebClient):
            req.context["client"] = MeteredWebClient.like(client, self._metrics)
        return next()


# -- Slack's requests ------------------------------------------------------------------------


def request_kind(body: bytes, content_type: str) -> str:
    """command, action, view, options, event or other: from the payload's type, nothing else."""
    try:
        if content_type.startswith("application/json"):
            data = json.loads(body)
            return "event" if isinstance(data, dict) and "type" in data else "other"
        text = body.decode()
        if "payload" not in text:  # a form of plain fields, as the edge leaves it unparsed
            return "command" if text.startswith("command=") or "&command=" in text else "other"
        form = parse_qs(text)
        if "command" in form:
            return "command"
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            if isinstance(payload, dict):
                return _INTERACTION_KINDS.get(str(payload.get("type")), "other")
    except (ValueError, UnicodeDecodeError):
        return "malformed"
    return "other"


def payload_kind(payload: dict[str, Any], content_type: str) -> str:
    """``request_kind`` of a body the edge has parsed as Bolt does (a form's ``payload`` is
    its JSON)."""
    if content_type.startswith("application/json"):
        return "event" if "type" in payload else "other"
    if "command" in payload:
        return "command"
    return _INTERACTION_KINDS.get(str(payload.get("type")), "other")


def outcome(status: int) -> str:
    if status < 300:
        return "ok"
    if status == 401:
        return "unauthorized"  # a bad or stale signature
    if status == 404:
        return "unhandled"
    if status < 500:
        return "refused"
    return "error"


def metered_edge(inner: WSGIApp, metrics: Metrics) -> WSGIApp:
    """Count, time and log each request to ``/slack/events``: kind, status, milliseconds.

    The kind comes from the body ``inner`` (the edge) read and left in the environ: reading it
    here would read it before its size is checked. A body refused before it was read is
    ``oversized`` (or ``malformed``). Only the kind and the status are logged, never the body:
    it holds what people typed.
    """

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen.append(status)
            return start_response(status, headers, *rest)

        answer = list(inner(environ, recording))
        elapsed = time.perf_counter() - started
        status = int(seen[0].split()[0]) if seen else 500
        body = environ.get(BODY_KEY)
        parsed = environ.get(PARSED_KEY)
        if isinstance(parsed, dict):  # the edge parsed it once already: not a third time
            kind = payload_kind(parsed, environ.get("CONTENT_TYPE", ""))
        elif isinstance(body, bytes):
            kind = request_kind(body, environ.get("CONTENT_TYPE", ""))
        else:
            kind = "oversized" if status == 413 else "malformed"
        metrics.request_served(kind, outcome(status), elapsed)
        info_line(
            log,
            "%s %s %d %s %.1fms",
            environ.get("REQUEST_METHOD", ""),
            environ.get("PATH_INFO", ""),
            status,
            kind,
            elapsed * 1000,
            extra={"kind": kind, "status": status, "duration_ms": round(elapsed * 1000, 1)},
        )
        return answer

    return application
