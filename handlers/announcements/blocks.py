"""Block Kit for announcements: the compose modal, its preview, the message, the report back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.announcements.service import MAX_TEXT, summarize_failures
from bot.model.announcements import Announcement, Audience
from bot.model.messages.announcements import AnnouncementCopy, AnnouncementDone
from handlers.kit.blocks import (
    Block,
    actions,
    button,
    context,
    count,
    divider,
    header,
    input_block,
    modal,
    mrkdwn,
    option,
    plain,
    section,
    slack_date,
    text_input,
)

WHEN = "{date_long_pretty} at {time}"


def _radio(options: list[dict[str, Any]], initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "radio_buttons", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _capitalized(label: str) -> str:
    """ "Every participant, by DM": str.capitalize() would lower the rest ("by dm")."""
    return label[:1].upper() + label[1:]


def compose_modal(
    *,
    metadata: dict[str, Any],
    has_channel: bool,
    draft: Announcement | None = None,
    local_date: str = "",
    local_time: str = "",
    program: Block | None = None,
) -> dict[str, Any]:
    """The coordinator writes it, says who gets it and when; the next step shows a preview."""
    audiences = [a for a in Audience if has_channel or a is not Audience.CHANNEL]
    audience = draft.audience.value if draft else audiences[0].value
    date_picker: dict[str, Any] = {"type": "datepicker"}
    time_picker: dict[str, Any] = {"type": "timepicker"}
    if local_date:
        date_picker["initial_date"] = local_date
    if local_time:
        time_picker["initial_time"] = local_time
    blocks: list[Block] = [
        input_block(
            "text",
            "Message",
            text_input(
                initial=draft.text if draft else "",
                multiline=True,
                max_length=MAX_TEXT,
                placeholder="Our mid-year check-in is next week...",
            ),
            hint="Slack formatting works: *bold*, _italic_, <https://example.com|links>.",
        ),
        input_block(
            "audience",
            "Who gets it",
            _radio(
                [option(a.label[:1].upper() + a.label[1:], a.value) for a in audiences], audience
            ),
        ),
        *([program] if program else []),
        input_block(
            "when",
            "When",
            _radio(
                [option("Now", "now"), option("At a date and time", "later")],
                "later" if draft and draft.send_at else "now",
            ),
        ),
        input_block("date", "Date", date_picker, optional=True),
        input_block("time", f"Time ({metadata.get('tz') or 'UTC'})", time_picker, optional=True),
    ]
    return modal(
        callback_id="announce_compose",
        title="Announcement",
        submit="Preview",
        blocks=blocks,
        metadata=metadata,
    )


def announcement_blocks(text: str, author_id: str) -> list[Block]:
    return [
        section(text),
        context(f":mega: From the program team, <@{author_id}>"),
    ]


def preview_modal(announcement: Announcement) -> dict[str, Any]:
    """Exactly what people will see, and who and when; "Back" keeps everything typed."""
    when = f"on {slack_date(announcement.send_at, WHEN)}" if announcement.send_at else "right away"
    blocks: list[Block] = [
        context(f"*Preview.* It goes to {announcement.audience.label}, {when}."),
        divider(),
        *announcement_blocks(announcement.text, announcement.author_id),
        divider(),
        context("Use *Back* to change it."),
    ]
    return modal(
        callback_id="announce_preview",
        title="Preview",
        submit="Schedule" if announcement.send_at else "Send now",
        blocks=blocks,
        metadata={"id": announcement.id},
        close="Back",
    )


def confirmed_modal(announcement: Announcement) -> dict[str, Any]:
    if announcement.send_at:
        text = (
            f"Scheduled for {slack_date(announcement.send_at, WHEN)}. "
            "`/mentor announce list` shows it, to edit or cancel it before then."
        )
    else:
        text = "On its way. I'll DM you when it has gone out, and to how many people."
    return {
        "type": "modal",
        "title": plain("Announcement", 24),
        "close": plain("Done", 24),
        "blocks": [section(text)],
    }


def announcement_message(payload: AnnouncementCopy) -> tuple[str, list[Block]]:
    return payload.text, announcement_blocks(payload.text, payload.author_id)


def announcement_done_message(payload: AnnouncementDone) -> tuple[str, list[Block]]:
    delivered, total = payload.delivered, payload.recipients
    if payload.audience is Audience.CHANNEL:
        text = (
            "Your announcement is in the program channel."
            if delivered
            else "Your announcement could not be posted to the program channel."
        )
    else:
        text = f"Your announcement went out to {delivered} of {count(total, 'person', 'people')}."
    missed = summarize_failures(payload.failures)
    message: list[Block] = [section(f":mega: {text}")]
    if missed:
        message.append(context(missed.capitalize() + "."))
    return text, message


def scheduled_list(announcements: Sequence[Announcement]) -> list[Block]:
    if not announcements:
        return [section("No announcements are scheduled. `/mentor announce` writes one.")]
    blocks: list[Block] = [header("Scheduled announcements")]
    for a in announcements[:15]:
        when = slack_date(a.send_at, WHEN) if a.send_at else "as soon as possible"
        first_line = a.text.splitlines()[0] if a.text else ""
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(f"*{when}* to {a.audience.label}\n{first_line[:200]}"),
            }
        )
        blocks.append(
            actions(
                button("Edit", "announce_edit", str(a.id)),
                button("Cancel it", "announce_cancel", str(a.id), style="danger"),
                block_id=f"announcement_{a.id}",
            )
        )
    if len(announcements) > 15:
        blocks.append(context(f"And {len(announcements) - 15} more."))
    return blocks
