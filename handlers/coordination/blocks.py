"""Block Kit for coordinators: the cohort proposal, a page of pairs at a time."""

from __future__ import annotations

from bot.model.cohort import CohortPlan, PairState, PlannedPair
from bot.model.messages.coordination import CohortReady
from handlers.kit.blocks import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    count,
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


def cohort_ready_message(ready: CohortReady) -> tuple[str, list[Block]]:
    """The proposal worked out in the background: how it came out, and a button that turns
    this message into its first page (the pager's own handler)."""
    pairs, unmatched = ready.pairs, ready.unmatched
    text = f"Your cohort proposal is ready: {count(pairs, 'pair')} proposed"
    if unmatched:
        text += f", {count(unmatched, 'mentee')} without a free mentor"
    return text, [
        section(f"*{text}.* Worked out in {ready.seconds:g} s."),
        actions(
            button(
                "Show the proposal",
                "cohort_page_show",
                f"{ready.plan_id}:0",
                style="primary",
            )
        ),
    ]


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
