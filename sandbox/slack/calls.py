"""The calls the app made, as tests read them: every attempt, in order, with its outcome.

Tests assert on what the app asked Slack to do, and wait for calls made from background threads
(lazy listeners, the scheduler) without sleeping.
"""

from __future__ import annotations

from collections import Counter

from sandbox.slack.records import Call, text_of
from sandbox.slack.state import SlackState


class RecordedCalls(SlackState):
    """Reading the recorded calls; recording them is ``SlackState._record``'s."""

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def delivered(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method and c.outcome == "ok"]

    def last(self, method: str) -> Call:
        with self._lock:
            for call in reversed(self._calls):
                if call.method == method:
                    return call
            raise AssertionError(f"no call to {method!r}; recorded: {self._summary()}")

    def clear(self) -> None:
        """Forget recorded calls only; users, messages, views and faults stay."""
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` (any outcome) were recorded.

        For apps that call Slack from background threads (lazy listeners, schedulers), where a
        test cannot know when the call happens.
        """
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(1 for c in self._calls if c.method == method) >= count, timeout
            )
            found = [c for c in self._calls if c.method == method]
            if not done:
                raise AssertionError(
                    f"waited {timeout}s for {count} call(s) to {method!r}, got {len(found)}; "
                    f"recorded: {self._summary()}"
                )
            return found

    def delivered_keys(self, method: str = "chat.postMessage") -> Counter[str]:
        """Count ``metadata.event_payload.key`` over successful calls, to spot duplicates."""
        keys: Counter[str] = Counter()
        for call in self.delivered(method):
            metadata = call.params.get("metadata")
            if not isinstance(metadata, dict):
                continue
            payload = metadata.get("event_payload")
            if isinstance(payload, dict) and payload.get("key") is not None:
                keys[text_of(payload["key"])] += 1
        return keys
