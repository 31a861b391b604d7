"""Whether this process has reached Slack's Web API yet, found out in the background.

A worker used to ask Slack ``auth.test`` while it was being built (Bolt's token check) and die
when Slack could not be reached: a Slack blip during a deploy became a crash loop, and the
outbox stopped draining. Now a worker starts whatever Slack does, says so on ``/readyz``
(503 "Slack unreachable") and asks again with growing pauses until Slack answers; what needs
Slack (the dispatcher, and anything that must know the token's workspace) waits for
``when_reached``. Once reached, a process does not become "unreachable" again: later failures
are the dispatcher's to retry, message by message, and taking every replica out of the load
balancer would only stop the acks too.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

log = logging.getLogger("mentorbot.slack")

UNREACHABLE = "Slack unreachable"


class SlackRefused(Exception):
    """Slack answered, and said no (the bot token revoked or wrong): not a network problem,
    but this process can't work either, so it is not ready."""


@dataclass(frozen=True)
class Backoff:
    """Pauses between attempts: doubling from ``first`` up to ``most`` seconds, each between
    half and all of that, so workers that started together do not ask Slack in step."""

    first: float = 0.5
    most: float = 30.0
    jitter: Callable[[], float] = field(default=random.random)

    def pause(self, attempt: int) -> float:
        """The pause after the ``attempt``-th failure (0 for the first)."""
        base = min(self.most, self.first * 2.0 ** min(attempt, 32))
        return base * (0.5 + self.jitter() / 2)


Check = Callable[[], str]
"""Asks Slack once; returns the bot token's workspace ("" when there is no single token),
raises when Slack can't be reached or refuses."""


class SlackLink:
    """Tries ``check`` until it succeeds, on a thread of its own; then tells who asked.

    ``wait`` is how a pause is taken: it gets the seconds and returns True to stop. By default
    it waits on the link's stop event, so ``stop`` ends a pause at once; tests pass their own
    to decide when the next attempt happens instead of sleeping.
    """

    def __init__(
        self,
        check: Check,
        *,
        backoff: Backoff | None = None,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self._check = check
        self._backoff = backoff or Backoff()
        self._stopping = threading.Event()
        self._wait = wait or self._stopping.wait
        self._lock = threading.Lock()
        self._reached = threading.Event()
        self._team_id: str | None = None
        self._problem = UNREACHABLE
        self._listeners: list[Callable[[str], None]] = []
        self._thread: threading.Thread | None = None
        self.attempts = 0

    @property
    def reached(self) -> bool:
        return self._reached.is_set()

    @property
    def team_id(self) -> str | None:
        """The bot token's workspace once Slack said it (None before, "" without one token)."""
        return self._team_id

    def problem(self) -> str | None:
        """Why this process can't use Slack yet, for ``/readyz``; None once it can."""
        return None if self._reached.is_set() else self._problem

    def wait_reached(self, timeout: float | None = None) -> bool:
        return self._reached.wait(timeout)

    def when_reached(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(team_id)`` once Slack is reached: now if it is already."""
        with self._lock:
            if not self._reached.is_set():
                self._listeners.append(listener)
                return
            team_id = self._team_id or ""
        self._tell(listener, team_id)

    def attempt(self) -> bool:
        """Ask Slack once, now; True if it answered (then every listener has been told)."""
        if self._reached.is_set():
            return True
        self.attempts += 1
        try:
            team_id = self._check()
        except SlackRefused as error:
            self._problem = f"Slack refused the bot token ({error})"
            log.error("Slack refused the bot token (%s), attempt %d", error, self.attempts)
            return False
        except Exception as error:  # URLError, timeouts, 5xx: whatever the transport raises
            self._problem = UNREACHABLE
            log.warning(
                "Slack unreachable (%s), attempt %d: trying again",
                type(error).__name__,
                self.attempts,
            )
            return False
        with self._lock:
            self._team_id = team_id
            self._reached.set()
            listeners, self._listeners = self._listeners, []
        log.info("Slack reached after %d attempt(s) (workspace %s)", self.attempts, team_id or "-")
        for listener in listeners:
            self._tell(listener, team_id)
        return True

    def start(self) -> None:
        """Keep trying in the background until Slack answers (nothing to do if it has)."""
        if self._reached.is_set() or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="slack-link", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            if self.attempt():
                return
            if self._wait(self._backoff.pause(failures)):
                return
            failures += 1

    @staticmethod
    def _tell(listener: Callable[[str], None], team_id: str) -> None:
        try:
            listener(team_id)
        except Exception:  # one listener's bug must not keep the others waiting
            log.exception("a listener for 'Slack reached' failed")


def auth_test_check(
    client: WebClient,
    *,
    one_token: bool,
    answered: Callable[[SlackResponse], None] | None = None,
) -> Check:
    """``auth.test``: with one bot token it must succeed and names the token's workspace;
    without one (OAuth: each workspace has its own) any answer from Slack means reachable.
    ``answered`` gets the one token's answer, so nothing else needs to ask Slack again."""

    def check() -> str:
        try:
            answer = client.auth_test()
        except SlackApiError as error:
            if not one_token:
                return ""
            raise SlackRefused(str(error.response.get("error", "error"))) from error
        if not one_token:
            return ""
        if answered is not None:
            answered(answer)
        return str(answer.get("team_id") or "")

    return check
