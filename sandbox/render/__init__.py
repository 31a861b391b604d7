"""Block Kit to HTML, the way Slack's client shows it, for the sandbox page.

Pure functions from the bot's JSON to HTML strings, so what a person sees can be unit-tested
without a browser. ``text`` draws Slack's text (mrkdwn, mentions, dates, emoji), ``elements``
the interactive controls, ``blocks`` the blocks and modals made of them. Anything the renderer
does not know is shown as a visible placeholder naming its type, never dropped.
"""

from __future__ import annotations

from sandbox.render.blocks import render_blocks, render_modal
from sandbox.render.elements import render_element
from sandbox.render.text import EMOJI, Reader, mrkdwn, render_text, ts_time, when_in

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
