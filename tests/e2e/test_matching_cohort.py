"""A coordinator matches everyone on the waitlist at once; mentors answer as they always do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.model.kinds import Kind
from storage import SqlUnitOfWork
from tests.conftest import RunningBot
from tests.e2e.journeys import answer, ask, buttons, click, dms, last_dm, offer


@pytest.fixture
def waitlist(bot: RunningBot) -> RunningBot:
    """Two mentors (one with two places) and three mentees who have not picked anyone yet."""
    for user, tz in (
        ("UMENTEE1", "Europe/London"),
        ("UMENTEE2", "America/New_York"),
        ("UMENTEE3", "Europe/Berlin"),
        ("UMENTOR1", "Europe/Berlin"),
        ("UMENTOR2", "America/New_York"),
        ("UCOORD1", "Europe/London"),
    ):
        bot.fake.add_user(user, real_name=user.title(), tz=tz)
    offer(bot, "UMENTOR1", expertise=["leadership", "communication"], capacity=2)
    offer(bot, "UMENTOR2", expertise=["communication"], capacity=1)
    ask(bot, "UMENTEE1", focus=["leadership", "communication"])
    ask(bot, "UMENTEE2", focus=["leadership"])
    ask(bot, "UMENTEE3", focus=["communication", "technical skills"])
    return bot


STARTED = "Matching everyone waiting: follow along in our DM, where the proposal lands."


def match_everyone(bot: RunningBot, text: str = "match everyone") -> None:
    """The command is answered at once; the proposal is worked out by the dispatcher (a job
    in the outbox, never in the request), in one DM message that says it is being worked
    out and becomes "ready"; its button shows page one."""
    before = len(dms(bot, "UCOORD1"))
    reply = bot.slack.command(text, user="UCOORD1")
    assert reply.status == 200
    bot.settle()
    said = bot.fake.last("response_url").params
    assert said["text"] == STARTED
    assert said["response_type"] == "ephemeral"
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:  # planned by the dispatcher
        jobs = uow.outbox.sent(bot.slack.team_id, "cohort-plan:")
    assert Kind.PLAN_COHORT in {j.kind for j in jobs}
    new = dms(bot, "UCOORD1")[before:]
    assert len(new) == 1, [m["text"] for m in new]  # "working it out", become the outcome
    ready = new[0]
    assert ready["text"].startswith("Your cohort proposal is ready:"), ready["text"]
    click(bot, "UCOORD1", ready, "cohort_page_show")


def proposal(bot: RunningBot) -> dict[str, Any]:
    message = last_dm(bot, "UCOORD1")
    assert message["text"].startswith("Cohort proposal")
    return message


def pairs(message: dict[str, Any]) -> list[str]:
    return [
        b["text"]["text"] for b in message["blocks"] if b.get("block_id", "").startswith("pair_")
    ]


def choose(bot: RunningBot, message: dict[str, Any], option: str) -> None:
    bot.slack.click(
        "cohort_pair",
        user="UCOORD1",
        selected=option,
        channel=bot.fake.dm_channel("UCOORD1"),
        message_ts=message["ts"],
    )
    bot.settle()


def overflow_values(message: dict[str, Any]) -> list[str]:
    return [
        o["value"]
        for b in message["blocks"]
        if b.get("accessory", {}).get("type") == "overflow"
        for o in b["accessory"]["options"]
    ]


def test_someone_who_is_not_a_coordinator_is_refused_and_nothing_happens(
    waitlist: RunningBot,
) -> None:
    bot = waitlist
    before = len(bot.fake.calls)
    reply = bot.slack.command("match", user="UMENTEE1")
    bot.settle()
    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"
    assert "for the program's coordinators" in reply.json()["text"]
    after = [c.method for c in bot.fake.calls[before:]]
    assert set(after) <= {"auth.test"}  # no proposal, no DM


def test_the_coordinator_gets_the_best_cohort_and_approves_it_pair_by_pair(
    waitlist: RunningBot,
) -> None:
    bot = waitlist
    match_everyone(bot)
    message = proposal(bot)
    lines = pairs(message)
    # Two places with the leader, one with the communicator: each mentee shares a focus area
    # and working hours with one of them, so all three are placed, and the one who only
    # wants to lead gets the leader.
    assert len(lines) == 3
    assert any("<@UMENTEE2> → <@UMENTOR1>" in line for line in lines)
    assert all("fit *" in line for line in lines)
    # Their goals ("Lead my first team ...") meet the mentors' bios ("... leading teams ..."),
    # which counts in the fit, but the mentee's words are not quoted to the coordinator.
    assert all("the goals'" not in line and '"team"' not in line for line in lines)

    # Leave one out, approve another: only that mentor is asked, exactly as a mentee's pick.
    options = overflow_values(message)
    leave = next(v for v in options if v.startswith("leave_out:"))
    choose(bot, message, leave)
    message = proposal(bot)
    assert "left out" in " ".join(pairs(message))
    approve = next(v for v in overflow_values(message) if v.startswith("approve:"))
    choose(bot, message, approve)
    asked = [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if "accept_request" in str(c.params)
    ]
    assert len(asked) == 1
    mentor = asked[0]["channel"]

    # The mentor accepts like any other request, and a partnership begins.
    answer(bot, mentor, "accept_request")
    assert (
        bot.fake.delivered("chat.postMessage")[-1]
        .params["text"]
        .startswith("Welcome to your mentoring partnership")
    )

    # Approving again asks nobody twice.
    choose(bot, proposal(bot), approve)
    again = [c for c in bot.fake.delivered("chat.postMessage") if "accept_request" in str(c.params)]
    assert len(again) == 1


def test_approve_all_asks_every_remaining_mentor_and_marks_what_changed(
    waitlist: RunningBot,
) -> None:
    bot = waitlist
    match_everyone(bot)
    message = proposal(bot)
    # Meanwhile one mentor pauses: their pair can no longer be sent.
    offer(bot, "UMENTOR2", expertise=["communication"], capacity=1, accepting=False)
    click(bot, "UCOORD1", message, "cohort_approve_all")
    message = proposal(bot)
    text = " ".join(pairs(message))
    assert text.count("mentor asked") == 2
    assert "not sent: the mentor can no longer take them" in text
    assert not buttons(message, "cohort_approve_all")  # nothing left to approve
    requests = [
        c.params["channel"]
        for c in bot.fake.delivered("chat.postMessage")
        if "accept_request" in str(c.params)
    ]
    assert requests == ["UMENTOR1", "UMENTOR1"]


def test_approve_all_counts_each_ask_against_the_mentors_places(waitlist: RunningBot) -> None:
    """Each pair is scored alone at approval, but the places it takes count for the next:
    a mentor down to one place after the plan is asked once, the other pair is stale."""
    bot = waitlist
    match_everyone(bot)
    message = proposal(bot)
    offer(bot, "UMENTOR1", expertise=["leadership", "communication"], capacity=1)
    click(bot, "UCOORD1", message, "cohort_approve_all")
    text = " ".join(pairs(proposal(bot)))
    assert text.count("mentor asked") == 2
    assert text.count("not sent: the mentor can no longer take them") == 1
    requests = [
        c.params["channel"]
        for c in bot.fake.delivered("chat.postMessage")
        if "accept_request" in str(c.params)
    ]
    assert sorted(requests) == ["UMENTOR1", "UMENTOR2"]


def test_crafted_clicks_from_someone_else_change_nothing(waitlist: RunningBot) -> None:
    bot = waitlist
    match_everyone(bot)
    message = proposal(bot)
    plan_id = buttons(message, "cohort_approve_all")[0]
    bot.slack.click("cohort_approve_all", user="UMENTEE1", value=plan_id)
    bot.settle()
    assert "for the program's coordinators" in bot.fake.last("response_url").params["text"]
    bot.slack.click("cohort_pair", user="UCOORD1", selected="approve:99999:0")
    bot.settle()
    assert "can't find that cohort proposal" in bot.fake.last("response_url").params["text"]
    assert not [
        c for c in bot.fake.delivered("chat.postMessage") if "accept_request" in str(c.params)
    ]
    assert "mentor asked" not in " ".join(pairs(proposal(bot)))


def test_only_the_waitlist_by_default_and_nobody_waiting_is_said_plainly(
    waitlist: RunningBot,
) -> None:
    bot = waitlist
    match_everyone(bot, "match")
    message = proposal(bot)
    assert pairs(message) == []
    assert "Nobody is waiting" in str(message["blocks"])


def test_a_large_cohort_stays_within_slacks_block_limits_and_pages(bot: RunningBot) -> None:
    for i in range(45):
        bot.fake.add_user(f"UMENTEE{i:02d}", tz="Europe/London")
        ask(bot, f"UMENTEE{i:02d}", focus=["leadership"])
    for j in range(15):
        bot.fake.add_user(f"UMENTOR{j:02d}", tz="Europe/Paris")
        offer(bot, f"UMENTOR{j:02d}", expertise=["leadership"], capacity=3)
    bot.fake.add_user("UCOORD1", tz="Europe/London")
    match_everyone(bot)
    message = proposal(bot)
    assert len(message["blocks"]) <= 50
    assert "45 pairs proposed" in message["text"]
    seen = set(pairs(message))
    for _ in range(2):
        click(bot, "UCOORD1", message, "cohort_page_next")
        message = proposal(bot)
        assert len(message["blocks"]) <= 50
        seen |= set(pairs(message))
    assert len(seen) == 45
    assert dms(bot, "UCOORD1")  # one message, updated in place
    assert len(dms(bot, "UCOORD1")) == 1


def test_every_coordinator_action_is_in_the_audit_log(waitlist: RunningBot) -> None:
    bot = waitlist
    match_everyone(bot)
    click(bot, "UCOORD1", proposal(bot), "cohort_approve_all")
    trail = bot.runtime.services.coordination.audit_trail(
        team_id=bot.slack.team_id, coordinator_id="UCOORD1"
    )
    assert [(e.action, e.actor_id) for e in trail] == [
        ("cohort.approve", "UCOORD1"),
        ("cohort.plan", "UCOORD1"),
        ("cohort.ask", "UCOORD1"),
    ]
    assert (trail[1].detail["matched"], trail[1].detail["unmatched"]) == (3, 0)
    assert trail[1].detail["total_fit"] > 0
    assert trail[0].detail["asked"] == 3
    # identifiers and counts only: nothing a mentee wrote
    assert "reorganization" not in str([e.detail for e in trail])


# -- shown as it goes ------------------------------------------------------------------------

STEPS = ("Reading the waitlist", "Scoring", "Finding the assignment", "Writing up")


def cohort_posts(bot: RunningBot) -> list[dict[str, Any]]:
    """The cohort messages the bot posted (not edited) to the coordinator, oldest first."""
    return [
        c.params
        for c in bot.fake.delivered("chat.postMessage")
        if str(c.params.get("metadata", {}).get("event_payload", {}).get("key", "")).startswith(
            "cohort-plan:"
        )
    ]


def cohort_messages(bot: RunningBot) -> list[dict[str, Any]]:
    """The cohort's messages in the coordinator's DM as Slack holds them now (edits in)."""
    return [
        m
        for m in dms(bot, "UCOORD1")
        if str(m.get("metadata", {}).get("event_payload", {}).get("key", "")).startswith(
            "cohort-plan:"
        )
    ]


def edits_of(bot: RunningBot, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.params for c in bot.fake.delivered("chat.update") if c.params["ts"] == message["ts"]]


def step_under_way(edit: dict[str, Any]) -> int:
    """Which step a "working it out" drawing shows under way (in bold, with an hourglass)."""
    drawn = "\n".join(b["text"]["text"] for b in edit["blocks"] if b["type"] == "section")
    [line] = [ln for ln in drawn.split("\n") if ln.startswith(":hourglass_flowing_sand:")]
    return next(k for k, name in enumerate(STEPS) if name in line)


def test_the_coordinator_watches_it_being_worked_out_in_one_message_that_becomes_the_result(
    waitlist: RunningBot,
) -> None:
    bot = waitlist
    asked = bot.clock.now()
    reply = bot.slack.command("match everyone", user="UCOORD1")
    assert reply.status == 200
    bot.settle()
    assert bot.fake.last("response_url").params["text"] == STARTED
    # Right away: what is being worked out, for how many, since when (each reader's clock).
    [posted] = cohort_posts(bot)
    assert posted["text"] == (
        "Working out your cohort proposal: 3 mentees waiting or still choosing, 2 mentors"
    )
    context = " ".join(
        e["text"] for b in posted["blocks"] if b["type"] == "context" for e in b["elements"]
    )
    assert f"Asked <!date^{int(asked.timestamp())}^" in context
    assert step_under_way(posted) == 0
    # The same message: redrawn step by step (as many steps as Slack kept up with, in
    # order), then the outcome in its place, with the button that shows it.
    [message] = cohort_messages(bot)
    edits = edits_of(bot, message)
    assert edits and edits[-1]["text"] == "Your cohort proposal is ready: 3 pairs proposed"
    steps = [step_under_way(e) for e in edits[:-1]]
    assert steps == sorted(steps) and all(k > 0 for k in steps)
    assert buttons(message, "cohort_page_show")
    assert all(n == 1 for n in bot.fake.delivered_keys().values())


def test_a_second_match_while_one_is_being_worked_out_says_so_and_plans_once(
    waitlist: RunningBot,
) -> None:
    bot = waitlist
    posts = len(bot.fake.calls_to("chat.postMessage"))
    answers = len(bot.fake.calls_to("response_url"))
    # Slack takes its time with "working it out": the plan is still being worked out when
    # the coordinator asks again.
    release = bot.fake.hold_replies("chat.postMessage", after=posts + 1)
    bot.slack.command("match everyone", user="UCOORD1")
    bot.fake.wait_for("chat.postMessage", posts + 1)
    bot.slack.command("match", user="UCOORD1")
    said = bot.fake.wait_for("response_url", answers + 2)
    texts = [c.params["text"] for c in said[answers:]]
    assert STARTED in texts
    [again] = [t for t in texts if t != STARTED]
    assert again.startswith("Your cohort proposal (asked <!date^")
    assert "still being worked out" in again
    release.set()
    bot.settle()
    assert len(cohort_posts(bot)) == 1
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        jobs = [m for m in uow.outbox.sent(bot.slack.team_id, "cohort-plan:")]
    assert [m.kind for m in jobs].count(Kind.PLAN_COHORT) == 1
    assert last_dm(bot, "UCOORD1")["text"].startswith("Your cohort proposal is ready:")
    # Once it is ready, asking again plans again.
    match_everyone(bot)


def test_a_plan_that_fails_is_said_kindly_in_its_place_and_try_again_plans_it(
    waitlist: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = waitlist

    def out_of_memory(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("bot.matching.cohorts.assign_cohort", out_of_memory)
    bot.slack.command("match everyone", user="UCOORD1")
    bot.settle()
    assert len(cohort_posts(bot)) == 1
    [failed] = cohort_messages(bot)  # in place of "working it out"
    assert failed["text"] == "I couldn't finish working out your cohort proposal"
    assert "Nothing was sent to anyone" in str(failed["blocks"])
    assert not [
        c for c in bot.fake.delivered("chat.postMessage") if "accept_request" in str(c.params)
    ]
    monkeypatch.undo()

    click(bot, "UCOORD1", failed, "cohort_match_again")
    messages = dms(bot, "UCOORD1")
    assert messages[-2]["ts"] == failed["ts"]
    assert messages[-2]["text"].startswith(":repeat: Trying again")
    assert messages[-1]["text"].startswith("Your cohort proposal is ready: 3 pairs proposed")
    assert len(cohort_posts(bot)) == 2


class Crash(BaseException):
    """The process dies mid-plan: nothing after it runs, its transaction never commits."""


def test_a_crash_mid_plan_runs_the_job_again_and_sends_nothing_twice(
    waitlist: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = waitlist

    def crash(*args: object) -> None:
        raise Crash

    monkeypatch.setattr("bot.matching.cohorts.assign_cohort", crash)
    bot.slack.command("match everyone", user="UCOORD1")
    bot.settle()
    assert last_dm(bot, "UCOORD1")["text"].startswith("Working out your cohort proposal")
    monkeypatch.undo()
    # Its claim runs out; a worker (this one, restarted) claims the job again and runs it.
    report = bot.tick(timedelta(seconds=bot.runtime.settings.mentorbot_outbox_lease_seconds + 1))
    assert report.jobs == 1
    bot.tick()
    [message] = cohort_messages(bot)
    assert message["text"].startswith("Your cohort proposal is ready: 3 pairs proposed")
    assert len(cohort_posts(bot)) == 1
    assert all(n == 1 for n in bot.fake.delivered_keys().values())
    assert all(n == 1 for n in bot.fake.delivered_keys("chat.update").values())
