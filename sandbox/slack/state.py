"""What the local Slack keeps, in one place, and the helpers every method family shares.

Each family of Web API methods is a mixin over ``SlackState``: they read and change the same
messages, views, people and tokens under one lock, as Slack's one workspace does, so the state
is declared here once rather than scattered over the families that touch it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from sandbox.slack.records import (
    ApiReply,
    Call,
    Ephemeral,
    PendingFile,
    Refusal,
    ResponseTarget,
    Upload,
    first_install_answer,
)
from sandbox.slack.server import LoopbackServer

TS_BASE_MICROS = 1_700_000_000_000_000


class SlackState:
    """The workspace as Slack holds it, the calls made to it, and where it is served."""

    def __init__(
        self, *, strict_users: bool = True, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.strict_users = strict_users
        self._clock = clock
        self._last_micros = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self._calls: list[Call] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._opened: set[str] = set()
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._pending_files: dict[str, PendingFile] = {}
        self._uploads: list[Upload] = []
        self._ephemerals: list[Ephemeral] = []
        self._refusals: list[Refusal] = []
        self._members: dict[str, list[str]] = {}
        self._triggers: dict[str, str] = {}
        self._modal_stacks: dict[str, list[str]] = {}
        self._response_targets: dict[str, ResponseTarget] = {}
        self._version = 0
        self._seq = 0
        self._oauth_answer: dict[str, Any] = first_install_answer()
        # Workspaces installed by OAuth: one-time codes, the bot token each exchange minted,
        # and tokens revoked by an uninstall. A call's token decides its workspace.
        self._install_codes: dict[str, tuple[str, str]] = {}
        self._token_teams: dict[str, str] = {}
        self._revoked: set[str] = set()
        self._oauth_client: tuple[str, str] | None = None
        self._caller_team: str | None = None
        # Channels the app created, Slack Connect invitations, each workspace's plan for them,
        # and channel IDs that sharing replaced (they answer channel_not_found now).
        self._channels: dict[str, dict[str, Any]] = {}
        self._invites: dict[str, dict[str, Any]] = {}
        self._connect_policy: dict[str, str] = {}
        self._retired_channels: set[str] = set()

    # ---- where it is served ------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalSlack is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """WebClient base_url; slack_sdk appends the method name, hence the trailing slash."""
        return f"{self.origin}/api/"

    def response_url(self, name: str) -> str:
        """A response_url for interaction payloads; POSTs to it are recorded as
        ``"response_url"`` calls with ``_path`` added to the JSON body."""
        return f"{self.origin}/response/{quote(name, safe='')}"

    # ---- what the page polls -----------------------------------------------------------------

    @property
    def version(self) -> int:
        """Grows with every call the bot makes and every change made here: a cheap "anything
        new?" for the page."""
        with self._lock:
            return self._version

    def refusals(self) -> list[Refusal]:
        """Every call refused so far, oldest first."""
        with self._lock:
            return list(self._refusals)

    # ---- recording (called with the lock held) -----------------------------------------------

    def _record(self, method: str, params: dict[str, Any], token: str | None, outcome: str) -> None:
        call = Call(method, params, token, time.monotonic(), outcome)
        self._calls.append(call)
        self._version += 1
        self._cond.notify_all()

    def _summary(self) -> str:
        counts = Counter(c.method for c in self._calls)
        return ", ".join(f"{m} x{n}" for m, n in counts.items()) or "nothing"

    def _interfere(self, method: str) -> tuple[ApiReply | Literal["drop", "lost"] | None, float]:
        """How to answer ``method`` instead of Slack's normal answer, and how long to stall.

        ``"drop"`` hangs up without doing the call, ``"lost"`` does it and then hangs up (Slack
        acted, the app never heard). Slack here always answers normally; the tests' fake
        overrides this to fail on purpose. Called with the lock held.
        """
        return None, 0.0

    def _hold(self, method: str) -> threading.Event | None:
        """An event to wait for before answering this call (after doing it), if any.

        Never in the sandbox; the tests' fake uses it to open the window in which a crash
        leaves a message posted but not marked sent. Called with the lock held.
        """
        return None

    # ---- helpers for the methods (called with the lock held) ---------------------------------

    def _next_ts(self) -> str:
        """Increasing message timestamps: from the clock when there is one (the sandbox moves
        time), else a fixed base so tests see the same ts on every run."""
        self._seq += 1
        if self._clock is not None:
            micros = max(int(self._clock().timestamp() * 1_000_000), self._last_micros + 1)
        else:
            micros = TS_BASE_MICROS + 100 * self._seq
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:09d}"

    def _user_problem(self, user_id: str, *, unknown: str, inactive: str) -> str | None:
        user = self._users.get(user_id)
        if user is not None and self._caller_team and user["team_id"] != self._caller_team:
            return unknown  # an installed workspace's token sees its own members only
        if user is None:
            return unknown if self.strict_users else None
        return inactive if user["deleted"] else None

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        return None

    def _add_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[dict[str, Any]] | None
    ) -> None:
        message = {"type": "message", "text": text, "blocks": blocks or [], "ts": self._next_ts()}
        self._ephemerals.append(Ephemeral(channel, user, message))
        self._version += 1
