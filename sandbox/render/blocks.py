"""Block Kit to HTML, the way Slack's client shows it, for the sandbox page.

Pure functions from the bot's JSON to HTML strings, so what a person sees can be unit-tested
without a browser. Interactive elements carry ``data-`` attributes (block ID, action ID, type)
that the page's script turns into the payloads Slack would send. Anything this renderer does
not know is shown as a visible placeholder naming its type, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from sandbox.render.elements import render_element, render_image
from sandbox.render.text import (
    EMOJI,
    Reader,
    html_attrs,
    render_date,
    render_text,
    render_token,
    text_of,
    unsupported,
)


def render_blocks(blocks: object, reader: Reader) -> str:
    """A list of blocks as HTML; unknown block types become a visible placeholder."""
    if not isinstance(blocks, list):
        return unsupported("Not a list of blocks", type(blocks).__name__)
    out = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            out.append(unsupported("Unsupported block", type(block).__name__))
            continue
        kind = str(block.get("type"))
        block_id = str(block.get("block_id") or f"b{i}")
        inner = _render_block(block, block_id, reader)
        if inner is None:
            out.append(unsupported("Unsupported block", kind))
            continue
        out.append(
            f'<div class="bk-block bk-block-{escape(kind)}"{html_attrs(data_block_id=block_id)}>'
            f"{inner}</div>"
        )
    return "".join(out)


def render_modal(view: dict[str, Any], reader: Reader, *, depth: int = 1) -> str:
    """A modal as a form: title, blocks, and its close and submit buttons."""
    submit = view.get("submit")
    close = text_of(view.get("close")) or ("Cancel" if submit else "Close")
    submit_button = (
        f'<button type="submit" class="bk-button primary">{render_text(submit, reader)}</button>'
        if submit
        else ""
    )
    return (
        f'<form class="modal" novalidate{html_attrs(data_view_id=view.get("id", ""))}'
        f"{html_attrs(data_depth=depth)}>"
        f"<header><h2>{render_text(view.get('title'), reader)}</h2>"
        '<button type="button" class="modal-x" data-close aria-label="Close">&times;</button>'
        "</header>"
        f'<div class="modal-body">{render_blocks(view.get("blocks"), reader)}</div>'
        f'<div class="modal-problems" role="alert" hidden></div>'
        f'<footer><button type="button" class="bk-button" data-close>{escape(close)}</button>'
        f"{submit_button}</footer></form>"
    )


def _render_block(block: dict[str, Any], block_id: str, reader: Reader) -> str | None:
    """The inner HTML of one known block, or None when the type is unknown."""
    kind = block.get("type")
    renderers: dict[str, Callable[[], str]] = {
        "section": lambda: _section(block, block_id, reader),
        "header": lambda: f"<h3>{render_text(block.get('text'), reader)}</h3>",
        "divider": lambda: "<hr>",
        "context": lambda: _context(block, reader),
        "image": lambda: (
            (f'<div class="bk-image-title">{render_text(block["title"], reader)}</div>'
             if block.get("title") else "")
            + render_image(block, css="bk-image")
        ),
        "actions": lambda: "".join(
            render_element(el, block_id, reader) for el in block.get("elements") or []
        ),
        "input": lambda: _input(block, block_id, reader),
        "rich_text": lambda: _rich_text(block, reader),
        "file": lambda: (
            f'<div class="bk-file">📎 File {escape(str(block.get("external_id", "")))}</div>'
        ),
        "video": lambda: (
            f'<a class="bk-video" href="{escape(str(block.get("video_url", "")))}" target="_blank"'
            f' rel="noopener noreferrer">▶ {render_text(block.get("title"), reader)}</a>'
        ),
    }  # fmt: skip
    render = renderers.get(str(kind))
    return render() if render else None


def _section(block: dict[str, Any], block_id: str, reader: Reader) -> str:
    body = ""
    if block.get("text"):
        body += f'<div class="bk-text">{render_text(block["text"], reader)}</div>'
    if block.get("fields"):
        cells = "".join(
            f'<div class="bk-field">{render_text(f, reader)}</div>' for f in block["fields"]
        )
        body += f'<div class="bk-fields">{cells}</div>'
    accessory = block.get("accessory")
    side = (
        f'<div class="bk-accessory">{render_element(accessory, block_id, reader)}</div>'
        if accessory
        else ""
    )
    return f'<div class="bk-section-body">{body}</div>{side}'


def _context(block: dict[str, Any], reader: Reader) -> str:
    parts = []
    for el in block.get("elements") or []:
        if isinstance(el, dict) and el.get("type") == "image":
            parts.append(render_image(el, css="bk-context-image"))
        else:
            parts.append(f"<span>{render_text(el, reader)}</span>")
    return "".join(parts)


def _input(block: dict[str, Any], block_id: str, reader: Reader) -> str:
    optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
    hint = (
        f'<div class="bk-hint">{render_text(block["hint"], reader)}</div>'
        if block.get("hint")
        else ""
    )
    return (
        f'<label class="bk-label">{render_text(block.get("label"), reader)}{optional}</label>'
        f"{render_element(block.get('element'), block_id, reader)}{hint}"
        f'<div class="bk-error" role="alert" hidden></div>'
    )


def _rich_text(block: dict[str, Any], reader: Reader) -> str:
    out = []
    for part in block.get("elements") or []:
        kind = part.get("type") if isinstance(part, dict) else None
        inner = part.get("elements") or [] if isinstance(part, dict) else []
        if kind == "rich_text_section":
            out.append(f"<div>{_rich_text_inline(inner, reader)}</div>")
        elif kind == "rich_text_preformatted":
            out.append(f"<pre>{_rich_text_inline(inner, reader)}</pre>")
        elif kind == "rich_text_quote":
            out.append(f"<blockquote>{_rich_text_inline(inner, reader)}</blockquote>")
        elif kind == "rich_text_list":
            tag = "ol" if part.get("style") == "ordered" else "ul"
            items = "".join(
                f"<li>{_rich_text_inline(i.get('elements') or [], reader)}</li>"
                for i in inner
                if isinstance(i, dict)
            )
            out.append(f"<{tag}>{items}</{tag}>")
        else:
            out.append(unsupported("Unsupported rich text", kind))
    return "".join(out)


def _rich_text_inline(items: list[Any], reader: Reader) -> str:
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text":
            html = escape(str(item.get("text", ""))).replace("\n", "<br>")
            style = item.get("style") or {}
            for key, tag in (("code", "code"), ("bold", "b"), ("italic", "i"), ("strike", "s")):
                if style.get(key):
                    html = f"<{tag}>{html}</{tag}>"
            out.append(html)
        elif kind == "link":
            url = str(item.get("url", ""))
            out.append(render_token(f"{url}|{item.get('text') or url}", reader))
        elif kind == "user":
            out.append(render_token(f"@{item.get('user_id', '')}", reader))
        elif kind == "channel":
            out.append(render_token(f"#{item.get('channel_id', '')}", reader))
        elif kind == "emoji":
            name = str(item.get("name", ""))
            out.append(EMOJI.get(name, f":{escape(name)}:"))
        elif kind == "date":
            out.append(
                render_date(f"!date^{item.get('timestamp', 0)}^{item.get('format', '')}", reader)
            )
        else:
            out.append(unsupported("Unsupported rich text", kind))
    return "".join(out)
