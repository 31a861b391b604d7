"""Block Kit to HTML, the way Slack's client shows it, for the sandbox page."""

from __future__ import annotations

from sandbox.render.blocks import (
    EMOJI,
    Reader,
    mrkdwn,
    render_blocks,
    render_element,
    render_modal,
    render_text,
    ts_time,
    when_in,
)

__all__ = [
    "EMOJI",
    "Reader",
    "mrkdwn",
    "render_blocks",
    "render_element",
    "render_modal",
    "render_text",
    "ts_time",
    "when_in",
]
