"""The sandbox shows Block Kit the way Slack does: Slack's own sample views, and the edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.blockkit import validate_view
from sandbox.render import Reader, mrkdwn, render_blocks, render_modal

PAYLOADS = Path(__file__).parent / "payloads"  # copies of shared/slack/payloads/view_*.json


def sample(name: str) -> dict[str, Any]:
    return dict(json.loads((PAYLOADS / name).read_text()))


class Tags(HTMLParser):
    """Every start tag with its attributes, and the visible text, of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


READER = Reader(
    tz=ZoneInfo("Europe/Berlin"),
    now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    names={"U0MENTEE": "Maya Chen", "C0PROGRAM": "mentoring-program"},
)


def test_slacks_sample_modal_renders_every_input_with_its_label_and_buttons() -> None:
    view = sample("view_modal_definition.json")
    assert validate_view(view, surface="modal") == []
    page = Tags(render_modal(view | {"id": "V1"}, READER))

    assert page.all("form", **{"data-view-id": "V1"})
    assert "Workplace check-in" in page.visible
    for block in view["blocks"]:
        if block["type"] == "input":
            assert block["label"]["text"] in page.visible
    radio = view["blocks"][2]["element"]
    assert len(page.all("input", type="radio")) == len(radio["options"])
    multi = view["blocks"][3]["element"]
    selects = page.all("select", **{"data-type": "multi_static_select"})
    assert len(selects) == 1 and "multiple" in selects[0]
    assert len(page.all("option")) == len(multi["options"])
    assert page.all("textarea") or page.all("input", type="text")
    assert page.all("button", type="submit") and "Submit" in page.visible
    assert "Cancel" in page.visible
    assert "👋" in page.visible  # :wave: with emoji on
    assert not page.all("div", **{"class": "bk-unknown"})


def test_slacks_sample_home_tab_renders_images_accessories_and_fields() -> None:
    view = sample("view_home_definition.json")
    assert validate_view(view, surface="home") == []
    page = Tags(render_blocks(view["blocks"], READER))

    assert not page.all("div", **{"class": "bk-unknown"}), "every block type of the sample is known"
    images = page.all("img")
    assert {i["alt"] for i in images} >= {"image1", "plants"}
    assert "Last updated: Jan 1, 2019" in page.visible
    assert page.all("hr")
    assert page.all("button", **{"data-type": "button", "data-value": "click_me_123"})
    assert page.all("select", **{"data-type": "static_select"})
    assert page.all("select", **{"data-type": "multi_static_select"})
    assert page.all("select", **{"data-type": "overflow"})
    assert page.all("input", type="date", value="1990-04-28")
    assert len(page.all("input", type="checkbox")) >= 3
    assert page.all("input", type="radio")
    assert "*this is plain_text text*" in page.visible, "plain_text is never formatted"
    assert "another" in page.visible


def test_unknown_blocks_and_elements_show_a_placeholder_naming_their_type() -> None:
    blocks = [
        {"type": "carousel", "items": []},
        {"type": "actions", "elements": [{"type": "hologram", "action_id": "h"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "still here"}},
    ]
    page = Tags(render_blocks(blocks, READER))
    unknown = page.all("div", **{"class": "bk-unknown"})
    assert [u["data-unknown"] for u in unknown] == ["carousel", "hologram"]
    assert "Unsupported block: carousel" in page.visible
    assert "still here" in page.visible


def test_mrkdwn_formats_escapes_and_resolves_mentions_and_dates() -> None:
    at = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)  # tomorrow, 09:30 in Berlin
    html = mrkdwn(
        f"*Hi* <@U0MENTEE>, _see_ <https://example.org/x?a=1&amp;b=2|the guide> in "
        f"<#C0PROGRAM>: <!date^{int(at.timestamp())}^{{date_long_pretty}} at {{time}}|fallback>"
        " &lt;script&gt;alert(1)&lt;/script&gt; ~old~ `code`",
        READER,
    )
    assert "<b>Hi</b>" in html and "<i>see</i>" in html and "<s>old</s>" in html
    assert "<code>code</code>" in html
    assert "@Maya Chen" in html and "#mentoring-program" in html
    assert 'href="https://example.org/x?a=1&amp;b=2"' in html and ">the guide</a>" in html
    assert "Tomorrow at 09:30" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_interactive_elements_carry_what_the_page_needs_to_build_slacks_payloads() -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "answer",
            "elements": [
                {
                    "type": "button",
                    "action_id": "accept_request",
                    "style": "primary",
                    "value": "7",
                    "text": {"type": "plain_text", "text": "Accept"},
                },
                {
                    "type": "button",
                    "action_id": "docs",
                    "url": "https://example.org",
                    "text": {"type": "plain_text", "text": "Read"},
                },
            ],
        },
        {"type": "header", "text": {"type": "plain_text", "text": "Weekly <session>"}},
    ]
    page = Tags(render_blocks(blocks, READER))
    accept = page.all("button", **{"data-action-id": "accept_request"})
    assert accept == [
        {
            "type": "button",
            "class": "bk-button primary",
            "data-block-id": "answer",
            "data-action-id": "accept_request",
            "data-type": "button",
            "data-value": "7",
        }
    ]
    assert page.all("a", href="https://example.org")
    assert page.all("h3") and "Weekly <session>" in page.visible
