"""`/metrics` counts what Slack asked, what the bot asked of Slack (listeners included) and 429s."""

from __future__ import annotations

from datetime import timedelta

from bot.model.kinds import Kind
from bot.model.messages.matching import Waitlisted
from bot.model.outbox import OutgoingMessage
from storage import SqlUnitOfWork
from tests.conftest import TEAM, RunningBot
from tests.e2e.journeys import offer
from tests.support.replicas import get, sample

MENTOR = "UMENTOR1"


def metrics(bot: RunningBot) -> str:
    status, text = get(bot.slack.url + "/metrics")
    assert status == 200
    return text


def test_requests_listener_calls_and_a_retried_429_are_counted(bot: RunningBot) -> None:
    bot.fake.add_user(MENTOR, real_name="Maria Mentor", tz="Europe/Berlin")
    bot.fake.rate_limit_next("views.open", retry_after=0)  # a person waits: retried at once

    offer(bot, MENTOR, expertise=["leadership"])  # a command, a modal, a submission
    assert bot.slack.event({"type": "app_home_opened", "user": MENTOR, "tab": "home"}).status == 200
    bot.settle()

    text = metrics(bot)
    assert sample(text, "mentorbot_slack_requests_total", kind="command", outcome="ok") == 1
    assert sample(text, "mentorbot_slack_requests_total", kind="view", outcome="ok") == 1
    assert sample(text, "mentorbot_slack_requests_total", kind="event", outcome="ok") == 1
    assert sample(text, "mentorbot_ack_seconds_count", kind="view") == 1
    # The modal was opened by a listener's own client: Slack said 429 once, then yes.
    assert sample(text, "mentorbot_slack_api_429_total", method="views.open") == 1
    assert sample(text, "mentorbot_slack_api_calls_total", method="views.open", result="ok") == 1
    assert sample(text, "mentorbot_slack_api_calls_total", method="views.publish", result="ok") >= 1


def test_slack_error_codes_and_the_outbox_are_counted(bot: RunningBot) -> None:
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        uow.outbox.add(
            OutgoingMessage(
                team_id=TEAM,
                kind=Kind.WAITLISTED,
                recipient="UGONE",  # left the workspace: Slack refuses, for good
                key="waitlisted-1",
                due_at=bot.clock.now() - timedelta(minutes=2),
                payload=Waitlisted(request_id=1),
            )
        )
        uow.commit()

    report = bot.tick()

    assert report.failed == 1
    refused = bot.fake.calls[-1]
    text = metrics(bot)
    assert refused.outcome.startswith("error:"), refused
    code = refused.outcome.removeprefix("error:")
    assert sample(text, "mentorbot_slack_api_calls_total", method=refused.method, result=code) == 1
    assert sample(text, "mentorbot_outbox_messages_total", outcome="due") == 1
    assert sample(text, "mentorbot_outbox_messages_total", outcome="failed") == 1
    assert sample(text, "mentorbot_dispatch_lag_seconds_count") == 0  # nothing was delivered
