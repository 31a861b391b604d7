"""The tests' Slack: the sandbox's local Slack plus failures on demand.

Everything Slack does (answers, error codes, Block Kit limits, stored messages and views) lives
in ``sandbox.slack.LocalSlack``, production code the sandbox page also runs on, so tests and
the sandbox cannot drift apart. What only tests need is here: making Slack fail the way it
fails in production (errors, 429 with Retry-After, 5xx, dropped connections, slowness).
"""

from __future__ import annotations

import json
import random
import threading
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sandbox.blockkit import validate_blocks, validate_view
from sandbox.slack import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    ApiReply,
    Call,
    LocalSlack,
    Refusal,
    Upload,
    json_reply,
    slack_error,
)
from tests.support.slack_scopes import manifest_bot_scopes, needed_scope

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "FakeSlack",
    "Upload",
    "validate_blocks",
    "validate_view",
]


@dataclass
class _Fault:
    kind: Literal["error", "ratelimit", "server", "lost"]
    remaining: int
    error: str = ""
    retry_after: int = 1
    status: int = 500


@dataclass
class _Chaos:
    rate_limit: float
    server_error: float
    drop: float
    slow: float
    slow_seconds: float
    rng: random.Random


class FakeSlack(LocalSlack):
    """Slack's Web API on 127.0.0.1: records every call, answers and fails the way Slack does.

    ``strict_users`` (default) makes user IDs that were not registered with ``add_user`` fail
    as Slack fails for users outside the workspace, so a test cannot pass by accident with an
    ID the app invented.

    Tokens hold the bot scopes of ``manifest.yml`` (or ``scopes``; or, for one workspace's
    install, ``set_scopes``): a method the manifest does not allow answers ``missing_scope``
    with ``needed``, as Slack does, so a scope missing from the manifest fails a test instead
    of production; without ``users:read.email``, ``users.info`` leaves the email out.
    """

    def __init__(self, *, strict_users: bool = True, scopes: Collection[str] | None = None) -> None:
        super().__init__(strict_users=strict_users)
        self.scopes = frozenset(manifest_bot_scopes(MANIFEST) if scopes is None else scopes)
        self._faults: dict[str, deque[_Fault]] = {}
        self._chaos: dict[str | None, _Chaos] = {}
        self._holds: dict[str, tuple[int, threading.Event]] = {}
        self._team_scopes: dict[str, frozenset[str]] = {}

    def set_scopes(self, team_id: str, scopes: Collection[str]) -> None:
        """What the install into ``team_id`` was granted, when not the manifest's (an install
        made before the manifest asked for more): its calls answer ``missing_scope``."""
        with self._lock:
            self._team_scopes[team_id] = frozenset(scopes)

    def _call_api(self, method: str, params: dict[str, Any], token: str | None) -> ApiReply:
        needed = None
        granted = self._team_scopes.get(self._token_teams.get(token or "", ""), self.scopes)
        if token is not None and method in self._api:
            needed = needed_scope(
                method, params, granted, is_group_dm=lambda c: len(self._members.get(c, [])) > 1
            )
        if needed is None:
            reply = super()._call_api(method, params, token)
            if method == "users.info" and "users:read.email" not in granted:
                reply = _without_email(reply)  # Slack shows the email with that scope only
            return reply
        self._refusals.append(Refusal(method, "missing_scope", ()))
        self._version += 1
        answer = slack_error("missing_scope", needed=needed, provided=",".join(sorted(granted)))
        return json_reply(answer)

    # ---- failure injection -------------------------------------------------------------------

    def fail_next(self, method: str, error: str, *, times: int = 1) -> None:
        """The next ``times`` calls answer HTTP 200 ``{"ok": false, "error": error}``.

        Faults queued for one method fire in the order they were queued.
        """
        self._queue(method, _Fault("error", times, error=error))

    def rate_limit_next(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        self._queue(method, _Fault("ratelimit", times, retry_after=retry_after))

    def server_error_next(self, method: str, *, status: int = 500, times: int = 1) -> None:
        self._queue(method, _Fault("server", times, status=status))

    def lose_answer_next(self, method: str, *, times: int = 1) -> None:
        """Do the next ``times`` calls (recorded ``"ok"``), then hang up without answering:
        a timeout or reset after Slack acted, so the app can't know that it did."""
        self._queue(method, _Fault("lost", times))

    def hold_replies(self, method: str, *, after: int) -> threading.Event:
        """From the ``after``-th call to ``method`` on, do the call and record it, but keep its
        answer until the returned event is set.

        Slack has done the work, the app has not heard: the window in which a crash makes a
        retry send the same message twice. Set the event to let the answers go.
        """
        if after < 1:
            raise ValueError("after must be at least 1")
        release = threading.Event()
        with self._lock:
            self._holds[method] = (after, release)
        return release

    def _hold(self, method: str) -> threading.Event | None:
        hold = self._holds.get(method)
        if hold is None or sum(1 for c in self._calls if c.method == method) < hold[0]:
            return None
        return hold[1]

    def set_chaos(
        self,
        method: str | None,
        *,
        rate_limit: float = 0.0,
        server_error: float = 0.0,
        drop: float = 0.0,
        slow: float = 0.0,
        slow_seconds: float = 0.2,
        seed: int = 0,
    ) -> None:
        """Fail a random share of calls to ``method`` (every method when None).

        Probabilities are per call; one seeded generator per setting makes a run repeatable
        when the calls arrive in the same order. A per-method setting wins over the None one.
        None also covers the non-API endpoints, recorded as ``"response_url"`` and ``"upload"``.
        Queued faults (``fail_next`` and friends) take precedence and consume no randomness.
        """
        for p in (rate_limit, server_error, drop, slow):
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probabilities must be within [0, 1], got {p}")
        if rate_limit + server_error + drop > 1.0:
            raise ValueError("rate_limit + server_error + drop must not exceed 1")
        chaos = _Chaos(rate_limit, server_error, drop, slow, slow_seconds, random.Random(seed))
        with self._lock:
            self._chaos[method] = chaos

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._chaos.clear()
            self._holds.clear()

    def _queue(self, method: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.setdefault(method, deque()).append(fault)

    def _interfere(self, method: str) -> tuple[ApiReply | Literal["drop", "lost"] | None, float]:
        fault, delay = self._plan(method)
        if fault is None or fault == "drop":
            return fault, delay
        if fault.kind == "lost":
            return "lost", delay
        return self._fault_reply(method, fault), delay

    def _plan(self, method: str) -> tuple[_Fault | Literal["drop"] | None, float]:
        """Pick the injected failure for this call, if any, and how long to stall first."""
        queue = self._faults.get(method)
        if queue:
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            return fault, 0.0
        chaos = self._chaos.get(method) or self._chaos.get(None)
        if chaos is None:
            return None, 0.0
        roll, slow_roll = chaos.rng.random(), chaos.rng.random()
        delay = chaos.slow_seconds if slow_roll < chaos.slow else 0.0
        if roll < chaos.drop:
            return "drop", delay
        if roll < chaos.drop + chaos.rate_limit:
            return _Fault("ratelimit", 1), delay
        if roll < chaos.drop + chaos.rate_limit + chaos.server_error:
            return _Fault("server", 1), delay
        return None, delay

    @staticmethod
    def _fault_reply(method: str, fault: _Fault) -> ApiReply:
        if fault.kind == "ratelimit":
            reply = json_reply(slack_error("ratelimited"), status=429, outcome="429")
            reply.headers = (("Retry-After", str(fault.retry_after)),)
            return reply
        if fault.kind == "server":
            return json_reply(
                slack_error("internal_error"), fault.status, outcome=str(fault.status)
            )
        if method in ("response_url", "upload"):
            # Neither endpoint speaks the Web API envelope: Slack answers 404 with a bare code.
            return ApiReply(404, fault.error.encode(), f"error:{fault.error}", "text/plain")
        return json_reply(slack_error(fault.error))


def _without_email(reply: ApiReply) -> ApiReply:
    answer = json.loads(reply.body)
    profile = (answer.get("user") or {}).get("profile")
    if not isinstance(profile, dict) or "email" not in profile:
        return reply
    profile.pop("email")
    return json_reply(answer)
