"""A worker built while Slack can't be reached starts anyway: probes answer, ``/readyz`` says
why it is not ready, the outbox waits, and once Slack answers the waiting messages go out.

The link's pauses between attempts are the test's to end (no sleeping): each attempt that
fails asks for a pause, and the next attempt happens when the test releases it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient

from mentorbot.settings import Settings
from mentorbot.slack_link import UNREACHABLE, Backoff, SlackLink, SlackRefused, auth_test_check
from mentorbot.wiring import build_runtime
from storage import Database, connect
from tests.conftest import SIGNING_SECRET, TEAM, RunningBot
from tests.integration.test_outbox_slack import queue
from tests.support.fake_slack import TEAM_ID, FakeSlack
from tests.support.replicas import free_port
from tests.support.wsgi import call, signed_headers


class Pauses:
    """A ``wait`` for the link: records each pause asked for and holds it until released."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.asked: list[float] = []
        self._released = 0
        self._stopped = False

    def __call__(self, seconds: float) -> bool:
        with self._cond:
            self.asked.append(seconds)
            mine = len(self.asked)
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._released >= mine or self._stopped)
            return self._stopped

    def wait_asked(self, count: int, timeout: float = 10) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.asked) >= count, timeout), self.asked

    def release(self) -> None:
        with self._cond:
            self._released += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()


@pytest.fixture
def pauses() -> Iterator[Pauses]:
    held = Pauses()
    yield held
    held.stop()


@pytest.fixture
def down(tmp_path: Path) -> Iterator[tuple[FakeSlack, int, Database]]:
    """A Slack that is not listening yet (its port is closed), and a migrated database."""
    fake = FakeSlack()
    port = free_port()
    database = connect(f"sqlite:///{tmp_path / 'down.db'}")
    database.migrate()
    yield fake, port, database
    fake.stop()
    database.dispose()


def test_built_while_slack_is_down_it_waits_then_delivers_what_is_queued(
    down: tuple[FakeSlack, int, Database], pauses: Pauses
) -> None:
    fake, port, database = down
    url = database.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=f"http://127.0.0.1:{port}/api/",
        database_url=url,
        mentorbot_dispatch_interval_seconds=1,
    )
    runtime = build_runtime(settings, database=database, migrate=False, slack_wait=pauses)
    try:
        app = runtime.wsgi()
        assert call(app, path="/healthz", method="GET").status == 200
        ready = call(app, path="/readyz", method="GET")
        assert (ready.status, ready.body) == (503, b"Slack unreachable\n")

        queue(database, fake, 1)
        runtime.start_scheduler()
        pauses.wait_asked(1)  # the background attempt failed too, and waits
        assert call(app, path="/readyz", method="GET").status == 503

        fake.start(port=port)  # Slack comes back where the bot looks for it
        pauses.release()
        assert runtime.slack is not None and runtime.slack.wait_reached(10)
        assert call(app, path="/readyz", method="GET").status == 200
        (sent,) = fake.wait_for("chat.postMessage", 1, timeout=10)
        assert sent.outcome == "ok" and sent.params["channel"] == "U00000"
        assert runtime.slack.team_id == TEAM_ID

        asked = len(fake.calls_to("auth.test"))  # the link's answer serves Bolt's first request
        fake.lose_answer_next("auth.test", times=10)
        body = urlencode({"command": "/mentor", "text": "help", "user_id": "U1", "team_id": TEAM})
        headers = signed_headers(SIGNING_SECRET, body.encode())
        answer = call(app, body=body.encode(), headers=headers)
        assert answer.status == 200 and b"/mentor ask" in answer.body
        assert len(fake.calls_to("auth.test")) == asked
    finally:
        pauses.stop()
        runtime.shutdown()


def test_the_pauses_double_up_to_a_ceiling_and_jitter_below_it() -> None:
    backoff = Backoff(first=0.5, most=30.0, jitter=lambda: 1.0)
    assert [backoff.pause(n) for n in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert Backoff(first=4.0, jitter=lambda: 0.0).pause(0) == 2.0  # half, at the least
    assert Backoff().pause(10_000) <= 30.0


def test_the_link_keeps_trying_and_tells_each_listener_once(pauses: Pauses) -> None:
    answers: list[Exception | str] = [OSError("refused"), OSError("refused"), "T0001"]

    def check() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    link = SlackLink(check, backoff=Backoff(jitter=lambda: 1.0), wait=pauses)
    told: list[str] = []
    link.when_reached(told.append)
    link.start()
    pauses.wait_asked(1)
    assert link.problem() == UNREACHABLE and told == []
    pauses.release()
    pauses.wait_asked(2)
    pauses.release()
    assert link.wait_reached(10)
    assert link.problem() is None and told == ["T0001"] and pauses.asked == [0.5, 1.0]
    link.when_reached(told.append)  # late: told at once
    assert told == ["T0001", "T0001"] and link.attempts == 3
    link.stop()


def test_a_refused_token_is_not_ready_and_says_why() -> None:
    def check() -> str:
        raise SlackRefused("invalid_auth")

    link = SlackLink(check)
    assert link.attempt() is False
    assert link.problem() == "Slack refused the bot token (invalid_auth)"


def test_stopping_ends_a_pause_at_once() -> None:
    tried = threading.Event()

    def check() -> str:
        tried.set()
        raise OSError("refused")

    link = SlackLink(check, backoff=Backoff(first=3600, most=3600))
    link.start()
    assert tried.wait(5)  # the first attempt happens at once, then an hour's pause
    link.stop(timeout=5)
    assert link._thread is not None and not link._thread.is_alive()


def test_without_a_bot_token_any_answer_from_slack_means_reachable(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("auth.test", "not_authed")
    client = WebClient(base_url=fake_slack.url, retry_handlers=[])
    assert auth_test_check(client, one_token=False)() == ""
    fake_slack.fail_next("auth.test", "invalid_auth")
    with pytest.raises(SlackRefused, match="invalid_auth"):
        auth_test_check(WebClient(token="xoxb-x", base_url=fake_slack.url), one_token=True)()


def test_a_worker_answers_its_first_command_while_slack_is_away(bot: RunningBot) -> None:
    """Slack answered ``auth.test`` when the worker was built, and is away by its first
    request: the command is answered all the same (Bolt's authorization used to ask
    ``auth.test`` again on a worker's first request, and that request failed)."""
    asked = len(bot.fake.calls_to("auth.test"))
    bot.fake.lose_answer_next("auth.test", times=10)

    reply = bot.slack.command("help", user="UMENTEE1")

    assert reply.status == 200
    assert "/mentor ask" in reply.json()["text"]
    assert len(bot.fake.calls_to("auth.test")) == asked
