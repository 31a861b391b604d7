"""The rhythm's part of the Home tab: each person's next step in each partnership, and for
coordinators the live pairs by rung of the quiet-pair ladder."""

from __future__ import annotations

from typing import Any

from bot.model.progress import QuietRung
from bot.rhythm.service import LadderBoard, NextStep, Step
from bot.services import Services
from handlers.home import HomeBuilder
from handlers.kit.blocks import (
    VIEW_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    count,
    divider,
    section,
)
from handlers.rhythm.fit_blocks import FIT_ACTIONS

RUNG_ORDER = (
    QuietRung.MENTEE,
    QuietRung.BOTH,
    QuietRung.PROGRAM,
    QuietRung.DECIDE,
    QuietRung.PROGRAM_DECIDES,
)
NAMED_ON_HOME = 5
STEPS_SHOWN = 6


def rhythm_home(services: Services) -> HomeBuilder:
    """Adds "your next step" under the title; for coordinators, the ladder as well."""

    def build(view: dict[str, Any], /, *, team_id: str, user_id: str) -> dict[str, Any]:
        rhythm = services.rhythm
        added = next_step_blocks(rhythm.next_steps(team_id, user_id))
        if rhythm.is_coordinator(user_id, team_id=team_id):
            added = ladder_blocks(rhythm.ladder_board(team_id, user_id)) + added
        if not added:
            return view
        blocks = list(view["blocks"])
        head, rest = blocks[:1], blocks[1:]
        room = VIEW_BLOCKS_MAX - len(head) - len(added)
        return {**view, "blocks": head + added + rest[:room]}

    return build


def _step_line(step: NextStep) -> str:
    who = f"With <@{step.partner_id}>: "
    if step.step is Step.AWAY and step.until is not None:
        return who + f"nothing to do, you're away until {step.until:%A %d %B}."
    if step.step is Step.PAUSED and step.until is not None:
        return who + f"paused until {step.until:%A %d %B}."
    if step.step is Step.FIT:
        return who + "*Answer: how is the fit so far?*"
    if step.step is Step.DECIDE:
        return who + "*Decide: pause, continue or close* (the buttons are in our DM)."
    if step.step is Step.MEET:
        return who + "meet as planned (your next session is below)."
    return who + "*Schedule your next session.*"


def next_step_blocks(steps: list[NextStep]) -> list[Block]:
    """Two blocks at most (one line per partnership, the fit check's buttons for the first
    one waiting), so the journal's own budget for the tab still holds."""
    if not steps:
        return []
    lines = [_step_line(s) for s in steps[:STEPS_SHOWN]]
    if len(steps) > STEPS_SHOWN:
        lines.append(f"_… and {count(len(steps) - STEPS_SHOWN, 'more partnership')}_")
    blocks: list[Block] = [section("*Your next step*\n" + "\n".join(lines), block_id="next_step")]
    fit = next((s for s in steps if s.step is Step.FIT), None)
    if fit is not None:
        value = f"{fit.partnership_id}:{fit.round}"
        blocks.append(
            actions(
                *(
                    button(answer.label, action_id, value)
                    for action_id, answer in FIT_ACTIONS.items()
                ),
                block_id=f"next_fit_{fit.partnership_id}",
            )
        )
    return blocks


def ladder_blocks(board: LadderBoard) -> list[Block]:
    """Pairs by rung: counts for all, names from the rung coordinators are told of anyway."""
    quiet = sum(board.by_rung[r] for r in RUNG_ORDER)
    lines = [
        f"*Quiet pairs* · {count(board.by_rung[QuietRung.NONE], 'pair')} meeting · "
        f"{count(quiet, 'pair')} quiet · {count(board.paused, 'pair')} paused"
    ]
    lines += [f"{rung.label}: *{board.by_rung[rung]}*" for rung in RUNG_ORDER]
    blocks: list[Block] = [section("\n".join(lines), block_id="quiet_ladder")]
    for pair in board.named[:NAMED_ON_HOME]:
        blocks.append(
            section(
                f"<@{pair.mentee_id}> and <@{pair.mentor_id}>: {pair.rung.label}",
                block_id=f"quiet_pair_{pair.partnership_id}",
            )
        )
    if len(board.named) > NAMED_ON_HOME:
        blocks.append(context(f"… and {count(len(board.named) - NAMED_ON_HOME, 'more pair')}."))
    blocks.append(divider())
    return blocks
