"""The cohort's progress on the coordinator's message: off the planner's thread, the latest
step only when Slack is slower than the steps, and never drawn after ``done``."""

from __future__ import annotations

import threading
from typing import Any, cast

from slack_sdk import WebClient

from bot.model.cohort import PlanProgress, PlanStage
from bot.model.messages.coordination import CohortPlanning
from handlers.coordination.blocks import cohort_planning_message
from handlers.coordination.progress import SlackPlanningBoard
from sandbox.blockkit import validate_blocks
from tests.support.fake_slack import FakeSlack

PLANNING = CohortPlanning(
    plan_id=4,
    asked_at="2026-03-02T09:00:00+00:00",
    include_choosing=False,
    mentees=10_000,
    mentors=5_000,
)


def step(stage: PlanStage) -> PlanProgress:
    return PlanProgress(stage=stage, mentees=10_000, mentors=4_800, places=9_100)


class GatedSlack:
    """``chat.update`` that records each edit and holds the first until ``release`` is set."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.first_in_flight = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def chat_update(self, *, channel: str, ts: str, text: str, blocks: Any) -> None:
        with self._lock:
            first = not self.log
            self.log.append(f"start {text}")
        if first:
            self.first_in_flight.set()
            assert self.release.wait(10), "the test never released the first edit"
        with self._lock:
            self.log.append(f"end {text}")


def text_of(stage: PlanStage) -> str:
    return cohort_planning_message(PLANNING, step(stage))[0]


def test_slack_slower_than_the_steps_gets_the_latest_step_only() -> None:
    slack = GatedSlack()
    board = SlackPlanningBoard(lambda team: cast(WebClient, slack))
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.SCORING))  # returns at once
    assert slack.first_in_flight.wait(10)
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.SOLVING))  # replaced before sent
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.EXPLAINING))
    slack.release.set()
    assert board.idle()
    scoring, explaining = text_of(PlanStage.SCORING), text_of(PlanStage.EXPLAINING)
    assert slack.log == [
        f"start {scoring}",
        f"end {scoring}",
        f"start {explaining}",
        f"end {explaining}",
    ]


def test_done_returns_only_once_no_edit_of_the_message_is_in_flight_or_to_come() -> None:
    slack = GatedSlack()
    board = SlackPlanningBoard(lambda team: cast(WebClient, slack))
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.SCORING))
    assert slack.first_in_flight.wait(10)
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.SOLVING))

    def finish() -> None:
        board.done("D1", "1.0")
        slack.log.append("done")

    finishing = threading.Thread(target=finish)
    finishing.start()
    slack.release.set()
    finishing.join(10)
    assert board.idle()
    assert slack.log[-1] == "done"  # whatever it drew, it drew before: nothing after
    assert slack.log.count(f"start {text_of(PlanStage.SCORING)}") == 1


def test_a_failing_edit_is_only_logged_and_the_next_one_still_goes() -> None:
    calls: list[str] = []

    class Broken:
        def chat_update(self, *, channel: str, ts: str, text: str, blocks: Any) -> None:
            calls.append(text)
            if len(calls) == 1:
                raise OSError("connection reset")

    board = SlackPlanningBoard(lambda team: cast(WebClient, Broken()))
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.SCORING))
    assert board.idle()
    board.show("T1", "D1", "1.0", PLANNING, step(PlanStage.SOLVING))
    assert board.idle()
    assert calls == [text_of(PlanStage.SCORING), text_of(PlanStage.SOLVING)]


def test_each_step_redraws_the_posted_message_in_slack_within_block_kit(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.add_user("UCOORD1", real_name="Coord", tz="Europe/London")
    client = WebClient(base_url=fake_slack.url, token="xoxb-test-token", retry_handlers=[])
    text, blocks = cohort_planning_message(PLANNING)
    posted = client.chat_postMessage(channel="UCOORD1", text=text, blocks=blocks)
    board = SlackPlanningBoard(lambda team: client)
    for stage in (PlanStage.SCORING, PlanStage.SOLVING):
        board.show("T1", str(posted["channel"]), str(posted["ts"]), PLANNING, step(stage))
        assert board.idle()
        [message] = fake_slack.messages("UCOORD1")
        assert validate_blocks(message["blocks"], surface="message") == []
        drawn = " ".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")
        assert f":hourglass_flowing_sand: *{label(stage)}" in drawn
    assert "10,000 mentees against 4,800 mentors with room (9,100 free places)" in drawn
    assert ":white_check_mark: Scoring 10,000 mentees" in drawn  # done before solving


def label(stage: PlanStage) -> str:
    return {
        PlanStage.SCORING: "Scoring 10,000 mentees",
        PlanStage.SOLVING: "Finding the assignment",
    }[stage]
