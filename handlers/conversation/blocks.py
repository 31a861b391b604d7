"""Block Kit for the DM conversation: "Got it." and its choices, and the notes passed on.

A note not yet kept waits in the buttons' values (JSON, under Slack's 2,000 characters), so
nothing is stored before its author clicks.
"""

from __future__ import annotations

import json
from typing import Any

from bot.conversation.service import MAX_NOTE, MAX_REPLY, Draft
from bot.model.conversation import NoteAudience
from bot.model.messages.people import SharedDmNote
from handlers.kit.blocks import (
    Block,
    actions,
    button,
    context,
    input_block,
    modal,
    quote,
    section,
    text_input,
)

BUTTON_VALUE_MAX = 2000

CHOICES: tuple[tuple[str, str, NoteAudience], ...] = (
    ("Keep it private", "conversation_keep", NoteAudience.PRIVATE),
    ("Share with my partner", "conversation_share", NoteAudience.PARTNER),
    ("Send to the program team", "conversation_team", NoteAudience.TEAM),
)
AUDIENCE_OF = {action_id: audience for _, action_id, audience in CHOICES}


def encode_draft(draft: Draft) -> str | None:
    """The draft as a button value; None when it would not fit in one."""
    if len(draft.text) > MAX_NOTE:
        return None
    value = json.dumps(
        {"t": draft.text, "k": draft.prompt, "p": draft.partnership_id},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return value if len(value) <= BUTTON_VALUE_MAX else None


def decode_draft(value: str) -> Draft | None:
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        return None
    partnership_id = data.get("p")
    return Draft(
        text=data["t"],
        prompt=str(data.get("k") or ""),
        partnership_id=partnership_id if isinstance(partnership_id, int) else None,
    )


def got_it(value: str) -> tuple[str, list[Block]]:
    text = "Got it. What should I do with it?"
    return text, [
        section(f"*Got it.* Nothing leaves this chat unless you choose: {_what_happens()}"),
        actions(
            *(
                button(label, action_id, value, style="primary" if n == 0 else None)
                for n, (label, action_id, _) in enumerate(CHOICES)
            ),
            block_id="conversation_choices",
        ),
    ]


def _what_happens() -> str:
    return "keep it as a private note, share it with your partner, or send it to the program team."


def unclear(value: str | None) -> tuple[str, list[Block]]:
    """A kind answer to what isn't a request: the likely next steps, nothing changed."""
    text = (
        "Thanks for writing. I'm a bot, so I may not understand everything, and I haven't "
        "done anything with it."
    )
    elements = [button("What can you do?", "conversation_help")]
    if value is not None:
        elements = [
            button("Keep it as a note", "conversation_keep", value),
            button("Send to the program team", "conversation_team", value),
            *elements,
        ]
    return text, [
        section(text),
        context(
            'You can also write "skip this week", "pause until 10 January", '
            '"reschedule to Friday 3pm" or "help".'
        ),
        actions(*elements, block_id="conversation_next"),
    ]


def too_long(length: int) -> str:
    return (
        f"Thank you for writing all that. It's longer than I can hold on to here ({length:,} "
        f"characters, I can keep {MAX_NOTE:,}): could you send it in shorter parts, or use "
        "`/mentor reflect` for a longer reflection?"
    )


def kept(audience: NoteAudience, *, arrived: int, recipients: int) -> str:
    if audience is NoteAudience.PRIVATE:
        return ":lock: Kept as a private note: only you can see it (it's in `/mentor export`)."
    if audience is NoteAudience.PARTNER:
        sent = "it reached them" if arrived else "it's on its way to them"
        return f":handshake: Shared with your partner: {sent}."
    if arrived:
        return (
            f":incoming_envelope: Sent to the program team: it reached {arrived} of "
            f"{recipients} coordinator{'s' if recipients != 1 else ''}. They'll answer here."
        )
    return ":incoming_envelope: Sent to the program team: it's on its way. They'll answer here."


def end_confirm(partnership_id: int, partner_id: str) -> tuple[str, list[Block]]:
    text = (
        f"Do you want to end your partnership with <@{partner_id}>? Nothing changes until "
        "you confirm."
    )
    return text, [
        section(text),
        actions(
            button("Yes, end it", "open_end", str(partnership_id), style="danger"),
            block_id="conversation_end",
        ),
    ]


def note_reference(payload: SharedDmNote) -> str:
    """The note a "Write to them" button names: its id, and the author's workspace when the
    note came from a person of another workspace (a member's, to a shared program's host)."""
    if payload.partner_team_id:
        return f"{payload.partner_team_id}:{payload.note_id}"
    return str(payload.note_id)


def read_reference(value: str) -> tuple[str, int | None]:
    """(the author's workspace or "", the note id) from a "Write to them" button's value."""
    team, _, note = value.rpartition(":")
    try:
        return team, int(note)
    except ValueError:
        return "", None


def note_to_team_message(payload: SharedDmNote) -> tuple[str, list[Block]]:
    """To each coordinator: who wrote (they chose to send it), what, and a way to answer."""
    author, written = payload.author_id, payload.note
    text = f"<@{author}> wrote to the program team: {written}"
    return text, [
        section(f":incoming_envelope: <@{author}> wrote to the program team:"),
        section(quote(written)),
        actions(
            button("Write to them", "conversation_write", note_reference(payload)),
            block_id="conversation_team_note",
        ),
        context("They chose to send this to you. Your answer reaches only them."),
    ]


def note_to_partner_message(payload: SharedDmNote) -> tuple[str, list[Block]]:
    author, written = payload.author_id, payload.note
    return f"<@{author}> shared this with you: {written}", [
        section(f":handshake: <@{author}> shared this with you:"),
        section(quote(written)),
    ]


def write_modal(
    note_id: int, *, author_id: str, channel: str, ts: str, author_team: str = ""
) -> dict[str, Any]:
    return modal(
        callback_id="conversation_write",
        title="Write to them",
        submit="Send",
        blocks=[
            section(f"A message from the program team to <@{author_id}>."),
            input_block("text", "Message", text_input(multiline=True, max_length=MAX_REPLY)),
        ],
        metadata={
            "note_id": note_id,
            "author_id": author_id,
            "author_team": author_team,
            "channel": channel,
            "ts": ts,
        },
    )


def answered_in_thread(author_id: str, text: str) -> str:
    return f"You wrote to <@{author_id}>:\n{quote(text)}"
