"""Block Kit for coordinators: the cohort proposal, a page of pairs at a time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model.cohort import CohortPlan, PairState, PlannedPair, PlanProgress, PlanStage
from bot.model.messages.coordination import CohortFailed, CohortPlanning, CohortReady
from handlers.kit.blocks import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    header,
    option,
    section,
    slack_date,
)

PAIRS_PER_PAGE = 20
_STATE_LABELS = {
    PairState.APPROVED: ":white_check_mark: mentor asked",
    PairState.LEFT_OUT: ":heavy_minus_sign: left out",
}


def pages(plan: CohortPlan) -> int:
    return max(1, -(-len(plan.pairs) // PAIRS_PER_PAGE))


def _many(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 mentee", "10,000 mentees": a cohort's sizes are read at a glance."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def _asked(asked_at: str) -> str:
    """When it was asked, as each reader's own clock says it."""
    at = datetime.fromisoformat(asked_at).astimezone(UTC)
    return slack_date(at, "{date_short_pretty} at {time}")


_STEPS = (
    (PlanStage.READING, "Reading the waitlist and the mentors' profiles"),
    (PlanStage.SCORING, "Scoring every mentee against every mentor with room"),
    (PlanStage.SOLVING, "Finding the assignment that places the most, at the best fit"),
    (PlanStage.EXPLAINING, "Writing up why each pair fits"),
)
_DONE, _NOW, _LATER = ":white_check_mark:", ":hourglass_flowing_sand:", ":white_small_square:"


def cohort_planning_message(
    planning: CohortPlanning, progress: PlanProgress | None = None
) -> tuple[str, list[Block]]:
    """ "Working out your cohort proposal": for how many, since when, and the steps, the one
    under way in bold. Posted right away (no ``progress``: reading), then redrawn in place
    as the job reaches each step, and replaced by the outcome."""
    waiting = _many(planning.mentees, "mentee")
    who = f"{waiting} waiting" + (" or still choosing" if planning.include_choosing else "")
    text = f"Working out your cohort proposal: {who}, {_many(planning.mentors, 'mentor')}"
    stage = progress.stage if progress is not None else PlanStage.READING
    order = [step for step, _ in _STEPS]
    lines = []
    for step, named in _STEPS:
        label = named
        if progress is not None and step is PlanStage.SCORING and progress.mentees:
            label = (
                f"Scoring {_many(progress.mentees, 'mentee')} against "
                f"{_many(progress.mentors, 'mentor')} with room "
                f"({_many(progress.places, 'free place')})"
            )
        if order.index(step) < order.index(stage):
            lines.append(f"{_DONE} {label}")
        elif step is stage:
            lines.append(f"{_NOW} *{label}…*")
        else:
            lines.append(f"{_LATER} {label}")
    if progress is not None and progress.programs > 1:
        lines.append(f"_Program {progress.program} of {progress.programs}: each is its own match._")
    return text, [
        section(
            f"*Working out your cohort proposal*\n{who} · "
            f"{_many(planning.mentors, 'mentor')} taking mentees"
        ),
        section("\n".join(lines)),
        context(
            f"Asked {_asked(planning.asked_at)}. This message follows along and becomes the "
            "proposal; nobody hears anything until you approve."
        ),
    ]


def cohort_ready_message(ready: CohortReady) -> tuple[str, list[Block]]:
    """The proposal worked out in the background: how it came out, and a button that turns
    this message into its first page (the pager's own handler)."""
    pairs, unmatched = ready.pairs, ready.unmatched
    text = f"Your cohort proposal is ready: {_many(pairs, 'pair')} proposed"
    if unmatched:
        text += f", {_many(unmatched, 'mentee')} without a free mentor"
    when = f"Asked {_asked(ready.asked_at)}, w" if ready.asked_at else "W"
    return text, [
        section(f":white_check_mark: *{text}.*"),
        context(
            f"{when}orked out in {ready.seconds:g} s. Nobody hears anything until you approve."
        ),
        actions(
            button(
                "Show the proposal",
                "cohort_page_show",
                f"{ready.plan_id}:0",
                style="primary",
            )
        ),
    ]


def cohort_failed_message(failed: CohortFailed) -> tuple[str, list[Block]]:
    """Planning stopped: said kindly, what it means (nothing was sent, nobody's place in the
    queue changed), and one click to ask again."""
    text = "I couldn't finish working out your cohort proposal"
    return text, [
        section(
            f":warning: *{text}.* Nothing was sent to anyone, and everyone is still waiting "
            "where they were. It is usually a passing problem: try again in a moment."
        ),
        context(
            f"Asked {_asked(failed.asked_at)}. If it keeps happening, tell whoever runs "
            "Mentorbot: the details are in its logs."
        ),
        actions(
            button(
                "Try again",
                "cohort_match_again",
                "everyone" if failed.include_choosing else "waiting",
                style="primary",
            )
        ),
    ]


def cohort_under_way(plan: CohortPlan, *, asker: str) -> str:
    """The answer to `/mentor match` while the workspace's plan is still being worked out."""
    since = slack_date(plan.created_at.astimezone(UTC), "{date_short_pretty} at {time}")
    if plan.created_by == asker:
        return (
            f"Your cohort proposal (asked {since}) is still being worked out: follow it in our "
            "DM. I'll only work out one at a time, so I haven't started another."
        )
    return (
        f"<@{plan.created_by}> asked for a cohort proposal {since} and it is still being "
        "worked out: it will be in their DM. I'll only work out one at a time; ask again once "
        "it's ready if you need a fresh one."
    )


def cohort_plan_message(plan: CohortPlan, *, page: int = 0) -> tuple[str, list[Block]]:
    """The proposal: a summary, one line per pair with its fit and reason, and the approvals.

    At most ``PAIRS_PER_PAGE`` pairs a page keeps the message far below Slack's 50 blocks
    however large the cohort; the pager buttons update the message in place.
    """
    page = min(max(page, 0), pages(plan) - 1)
    proposed = plan.count(PairState.PROPOSED)
    summary = (
        f"{len(plan.pairs)} pair{'s' if len(plan.pairs) != 1 else ''} proposed, "
        f"total fit {plan.total_fit}"
    )
    if plan.unmatched:
        summary += f"; {len(plan.unmatched)} mentee{'s' if len(plan.unmatched) != 1 else ''} "
        summary += "could not be matched (no free mentor fits the program's rules)"
    text = f"Cohort proposal: {summary}."
    blocks: list[Block] = [
        header("Cohort matching proposal"),
        section(
            f"{summary}.\nApproving a pair asks the mentor exactly as if the mentee had picked "
            "them: they can still accept or decline."
        ),
        context(f"Proposed {slack_date(plan.created_at)} by <@{plan.created_by}>"),
    ]
    if not plan.pairs:
        blocks.append(section("Nobody is waiting for a mentor who could be matched right now."))
        return text, blocks
    start = page * PAIRS_PER_PAGE
    for index, pair in enumerate(plan.pairs[start : start + PAIRS_PER_PAGE], start=start):
        blocks.append(_pair_block(plan, index, pair))
    controls = []
    if proposed:
        controls.append(
            button(f"Approve all {proposed}", "cohort_approve_all", str(plan.id), style="primary")
        )
    if page > 0:
        controls.append(button("Previous", "cohort_page_previous", f"{plan.id}:{page - 1}"))
    if page + 1 < pages(plan):
        controls.append(button("Next", "cohort_page_next", f"{plan.id}:{page + 1}"))
    if controls:
        blocks.append(actions(*controls, block_id="cohort_controls"))
    blocks.append(
        context(
            f"Page {page + 1} of {pages(plan)} · {plan.count(PairState.APPROVED)} asked · "
            f"{plan.count(PairState.LEFT_OUT)} left out · {plan.count(PairState.STALE)} changed"
        )
    )
    assert len(blocks) <= MESSAGE_BLOCKS_MAX
    return text, blocks


def _pair_block(plan: CohortPlan, index: int, pair: PlannedPair) -> Block:
    """One proposed pair: an overflow to approve or leave it out, else what became of it."""
    line = f"<@{pair.mentee_id}> → <@{pair.mentor_id}> · fit *{pair.score}* · {pair.reason}"
    accessory = None
    if pair.state is PairState.PROPOSED:
        accessory = {
            "type": "overflow",
            "action_id": "cohort_pair",
            "options": [
                option("Approve this pair", f"approve:{plan.id}:{index}"),
                option("Leave this pair out", f"leave_out:{plan.id}:{index}"),
            ],
        }
    elif pair.state is PairState.STALE:
        line += f"\n:warning: not sent: {pair.note}"
    else:
        line += f"\n{_STATE_LABELS[pair.state]}"
    return section(line, accessory=accessory, block_id=f"pair_{index}")
