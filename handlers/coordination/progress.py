"""The coordinator's "working out your cohort proposal" message, redrawn as the plan goes
(``bot.ports.PlanningBoard`` on ``chat.update``).

The planner must not wait on Slack: a round trip per step would add a noticeable share to a
plan of a few seconds. So ``show`` only leaves the snapshot for one thread of this board to
send, and returns; if Slack is slower than the steps, the older snapshot of a message is
replaced by the newer one before it goes (people want to see where it is now, not where it
was). The thread lives while there is something to send, never longer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.model.cohort import PlanProgress
from bot.model.messages.coordination import CohortPlanning
from handlers.coordination.blocks import cohort_planning_message

log = logging.getLogger(__name__)

Place = tuple[str, str]  # (channel, ts) of the message
Snapshot = tuple[str, CohortPlanning, PlanProgress]  # (workspace, the message, its step)


class SlackPlanningBoard:
    def __init__(
        self, client_for: Callable[[str], WebClient | None], *, done_wait: float = 5.0
    ) -> None:
        self._client_for = client_for
        self._done_wait = done_wait  # at most this long for an edit in flight to finish
        self._changed = threading.Condition()
        self._waiting: dict[Place, Snapshot] = {}  # the latest snapshot of each message
        self._sending: Place | None = None
        self._thread: threading.Thread | None = None

    def show(
        self,
        team_id: str,
        channel: str,
        ts: str,
        planning: CohortPlanning,
        progress: PlanProgress,
    ) -> None:
        with self._changed:
            self._waiting[(channel, ts)] = (team_id, planning, progress)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="cohort-progress", daemon=True
                )
                self._thread.start()

    def done(self, channel: str, ts: str) -> None:
        """Nothing more for this message: what is not sent is dropped, and an edit in flight
        is waited for, so the outcome (queued next, sent once this transaction commits) is
        the last thing drawn there."""
        place = (channel, ts)
        with self._changed:
            self._waiting.pop(place, None)
            if not self._changed.wait_for(lambda: self._sending != place, timeout=self._done_wait):
                log.warning("a progress edit of %s/%s is still in flight", channel, ts)

    def idle(self, timeout: float = 5.0) -> bool:
        """Whether everything shown has been sent (for tests and shutdown: never on the
        planner's path)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._thread is None and not self._waiting, timeout=timeout
            )

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._waiting:
                    self._thread = None
                    self._changed.notify_all()
                    return
                place = next(iter(self._waiting))  # the oldest message waiting first
                snapshot = self._waiting.pop(place)
                self._sending = place
            try:
                self._edit(place, snapshot)
            except Exception:  # a redraw must never take the board down with it
                log.exception("redrawing the cohort's progress failed")
            finally:
                with self._changed:
                    self._sending = None
                    self._changed.notify_all()

    def _edit(self, place: Place, snapshot: Snapshot) -> None:
        team_id, planning, progress = snapshot
        client = self._client_for(team_id)
        if client is None:
            return
        text, blocks = cohort_planning_message(planning, progress)
        channel, ts = place
        try:
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, OSError) as error:
            # Cosmetic: the next step, or the outcome, redraws it anyway.
            log.warning("progress of the cohort plan not shown on %s/%s: %s", channel, ts, error)
