"""Matching across workspaces, through the signed edge, with three workspaces installed by
OAuth on one bot: Acme (T1) hosts "Alliance", which asks for a mentor of another company and
names Globex (by its team ID, T2) and Initech (by name) as rivals; Globex and Initech join.
Each person offers and asks from their own Slack; the mentor is asked, answers and is
introduced in theirs, with their own workspace's token; a removed workspace's people can no
longer ask; `/mentor match` pairs people across companies only."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from tests.conftest import RunningBot
from tests.e2e.journeys import buttons
from tests.e2e.test_programs import CROSS, create
from tests.e2e.test_programs_sharing import (
    COORDINATORS,
    command,
    join,
    table,
)
from tests.e2e.test_programs_sharing import (
    settings_overrides as settings_overrides,
)
from tests.e2e.test_programs_sharing import (
    shared as shared,
)
from tests.support.oauth import as_team, in_workspace

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

ALLIANCE = CROSS | {"name": "Alliance", "competitors": "T2 | Initech"}
LABEL = "Alliance (Acme)"  # how a member workspace's people see the host's program

ACME_MENTOR, ACME_MENTOR2, ACME_MENTEE = "UACMEM", "UACMEM2", "UACMEE"
GLOBEX_MENTOR, GLOBEX_MENTEE = "UGLOBM", "UGLOBE"
INITECH_MENTOR, INITECH_MENTEE = "UINITM", "UINITE"
PEOPLE = {
    "T1": (ACME_MENTOR, ACME_MENTOR2, ACME_MENTEE),
    "T2": (GLOBEX_MENTOR, GLOBEX_MENTEE),
    "T3": (INITECH_MENTOR, INITECH_MENTEE),
}


@pytest.fixture
def alliance(shared: RunningBot) -> RunningBot:
    """Acme shares Alliance; Globex and Initech join it."""
    bot = shared
    for team, people in PEOPLE.items():
        for user in people:
            bot.fake.add_user(user, team_id=team, tz="Europe/London")
    bot.fake.add_user(GLOBEX_MENTEE, team_id="T2", tz="Europe/London", real_name="Gloria Globex")
    assert create(in_workspace(bot, "T1"), ALLIANCE)["response_action"] == "update"
    for team in ("T2", "T3"):
        told = command(bot, "T1", "program share Alliance")
        code = told["blocks"][0]["text"]["text"].split("`")[1]
        assert join(bot, team, code)["response_action"] == "update"
    return bot


def option_value(view: dict[str, Any], label: str) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == "program")
    labels = {o["text"]["text"]: o["value"] for o in block["element"]["options"]}
    assert label in labels, labels
    return labels[label]


def modal(bot: RunningBot, team: str, user: str, what: str) -> dict[str, Any]:
    assert as_team(bot, team).command(what, user=user).status == 200
    bot.settle()
    return bot.view_opened(f"mentor_{what}")


def offer(
    bot: RunningBot, team: str, user: str, *, label: str, organization: str, capacity: int = 2
) -> Any:
    view = modal(bot, team, user, "offer")
    reply = as_team(bot, team).submit(
        view,
        user=user,
        values={
            "program": option_value(view, label),
            "expertise": ["leadership"],
            "bio": "Glad to help people lead.",
            "organization": organization,
            "capacity": str(capacity),
            "languages": "English",
            "accepting": ["accepting"],
        },
    )
    bot.settle()
    return reply.json()


def ask_values(view: dict[str, Any], label: str, organization: str) -> dict[str, Any]:
    return {
        "program": option_value(view, label),
        "goals": "Lead my first team through a reorganization with confidence.",
        "focus_areas": ["leadership"],
        "organization": organization,
        "other_org": [],
    }


def ask(bot: RunningBot, team: str, user: str, *, label: str, organization: str) -> Any:
    view = modal(bot, team, user, "ask")
    reply = as_team(bot, team).submit(view, user=user, values=ask_values(view, label, organization))
    bot.settle()
    return reply.json()


def posts_to(bot: RunningBot, user: str) -> list[Any]:
    """The bot's DMs to ``user`` (posted to the user, or the DM the bot opened with them)."""
    return [
        c
        for c in bot.fake.delivered("chat.postMessage")
        if c.params.get("channel") in (user, "D" + user[1:])
    ]


SHOWN = (
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "views.open",
    "views.push",
    "views.update",
    "views.publish",
    "response_url",
)
MENTION = re.compile(r"<@(U\w+)>")


def foreign_mentions(bot: RunningBot, since: int = 0) -> list[tuple[str, str, str, str]]:
    """Every mention, in what the bot showed someone from call ``since`` on, of a person of
    another workspace than the one it was shown in (the token's workspace; for a
    response_url, the workspace the click came from): (method, shown in, user, their
    workspace). Such a mention would show an unknown user."""
    found = []
    for call in bot.fake.calls[since:]:
        if call.method not in SHOWN or call.outcome != "ok":
            continue
        if call.method == "response_url":
            here = unquote(str(call.params["_path"])).removeprefix("/response/").split("-")[0]
        else:
            here = bot.fake.team_of(call.token) or ""
        shown = json.dumps({k: call.params.get(k) for k in ("text", "blocks", "view")})
        for user in MENTION.findall(shown):
            person = bot.fake.user(user)
            assert person is not None, f"{user} is nobody: {shown}"
            if person["team_id"] != here:
                found.append((call.method, here, user, person["team_id"]))
    return found


def suggestions(bot: RunningBot, user: str) -> tuple[Any, list[str]]:
    """The latest suggestions DM to ``user`` and its pick buttons' values."""
    post = next(c for c in reversed(posts_to(bot, user)) if buttons(c.params, "pick_mentor"))
    return post, buttons(post.params, "pick_mentor")


def test_a_member_asks_in_the_hosts_program_and_is_paired_across_workspaces(
    alliance: RunningBot,
) -> None:
    bot = alliance
    tokens = {team: bot.fake.bot_token(team) for team in ("T1", "T2", "T3")}
    saved = offer(bot, "T1", ACME_MENTOR, label="Alliance", organization="Acme")
    assert saved["response_action"] == "update"
    # Globex's mentor typed another organization: it is still Globex's workspace.
    offer(bot, "T2", GLOBEX_MENTOR, label=LABEL, organization="Globex Labs")
    offer(bot, "T3", INITECH_MENTOR, label=LABEL, organization="Initech")

    profiles = table(
        bot,
        "SELECT team_id, user_id, host_team_id FROM mentor_profiles ORDER BY team_id, user_id",
    )
    assert profiles == [
        ("T1", ACME_MENTOR, None),
        ("T2", GLOBEX_MENTOR, "T1"),
        ("T3", INITECH_MENTOR, "T1"),
    ]

    since = len(bot.fake.delivered("chat.postMessage"))  # the matching, from here
    answer = ask(bot, "T2", GLOBEX_MENTEE, label=LABEL, organization="Globex")
    assert answer["response_action"] == "update"
    request = table(bot, "SELECT id, team_id, host_team_id FROM mentor_requests")
    assert [(team, host) for _, team, host in request] == [("T2", "T1")]
    request_id = request[0][0]

    # Only Acme's mentor: not Globex's own (another company is asked for), not Initech (a
    # rival of T2's, named by team ID and by name). The DM went with Globex's token.
    post, picks = suggestions(bot, GLOBEX_MENTEE)
    assert post.token == tokens["T2"]
    assert picks == [f"{request_id}:{ACME_MENTOR}:T1"]
    shown = str(post.params["blocks"])
    assert "From Acme, shares leadership" in shown

    # The pick asks Acme's mentor in Acme's Slack, with Acme's token.
    asked_before = len(posts_to(bot, ACME_MENTOR))
    clicked = as_team(bot, "T2").click(
        "pick_mentor", user=GLOBEX_MENTEE, value=picks[0], channel="D" + GLOBEX_MENTEE[1:]
    )
    assert clicked.status == 200
    bot.settle()
    proposals = table(
        bot, "SELECT id, team_id, mentee_team_id, mentor_team_id, status FROM match_proposals"
    )
    assert [p[1:] for p in proposals] == [("T1", "T2", "T1", "pending")]
    request_post = posts_to(bot, ACME_MENTOR)[asked_before:]
    assert len(request_post) == 1 and request_post[0].token == tokens["T1"]
    accept = buttons(request_post[0].params, "accept_request")
    assert accept == [str(proposals[0][0])]
    # Acme's Slack cannot resolve a mention of Globex's mentee: their name and company.
    lead = request_post[0].params["text"]
    assert lead == "*Gloria Globex* of Globex would like you to be their mentor.", lead

    # Another workspace cannot answer for Acme's mentor (same user ID, wrong workspace).
    assert as_team(bot, "T2").click("accept_request", user=ACME_MENTOR, value=accept[0]).status
    bot.settle()
    assert table(bot, "SELECT count(*) FROM partnerships") == [(0,)]

    # Acme's mentor accepts in Acme's Slack.
    intros_before = len(bot.fake.delivered("chat.postMessage"))
    assert (
        as_team(bot, "T1")
        .click("accept_request", user=ACME_MENTOR, value=accept[0], channel="D" + ACME_MENTOR[1:])
        .status
        == 200
    )
    bot.settle()
    assert table(bot, "SELECT team_id, mentee_team_id, mentor_team_id FROM partnerships") == [
        ("T1", "T2", "T1")
    ]
    intros = [
        c
        for c in bot.fake.delivered("chat.postMessage")[intros_before:]
        if c.params["text"].startswith("Welcome to your mentoring partnership")
    ]
    assert {c.token: c.params["channel"] for c in intros} == {
        tokens["T1"]: ACME_MENTOR,
        tokens["T2"]: GLOBEX_MENTEE,
    }
    assert tokens["T3"] not in {c.token for c in bot.fake.delivered("chat.postMessage")[since:]}


def suggested(bot: RunningBot, user: str) -> list[str]:
    """Who the latest suggestions DM to ``user`` names, as (workspace-less) user IDs."""
    return [v.split(":")[1] for v in suggestions(bot, user)[1]]


def test_a_removed_workspaces_people_can_no_longer_ask_and_its_mentors_leave_the_pool(
    alliance: RunningBot,
) -> None:
    bot = alliance
    offer(bot, "T2", GLOBEX_MENTOR, label=LABEL, organization="Globex")
    offer(bot, "T3", INITECH_MENTOR, label=LABEL, organization="Initech")
    ask(bot, "T1", ACME_MENTEE, label="Alliance", organization="Acme")
    assert sorted(suggested(bot, ACME_MENTEE)) == [GLOBEX_MENTOR, INITECH_MENTOR]

    # Initech's mentee opens the ask form while Initech is a member...
    stale = modal(bot, "T3", INITECH_MENTEE, "ask")
    values = ask_values(stale, LABEL, "Initech")
    # ...and Acme's coordinator removes Initech before they send it.
    listed = command(bot, "T1", "program workspaces Alliance")
    remove = next(
        b["accessory"]["value"]
        for b in listed["blocks"]
        if "accessory" in b and "Initech" in b["text"]["text"]
    )
    clicked = as_team(bot, "T1").click(
        "program_member_remove", user=COORDINATORS["T1"], value=remove
    )
    assert clicked.status == 200
    bot.settle()

    refused = as_team(bot, "T3").submit(stale, user=INITECH_MENTEE, values=values).json()
    assert refused["response_action"] == "errors"
    assert "no longer part of it" in refused["errors"]["program"]
    assert table(bot, "SELECT count(*) FROM mentor_requests WHERE team_id = 'T3'") == [(0,)]
    # A new form no longer offers the program at all.
    fresh = modal(bot, "T3", INITECH_MENTEE, "ask")
    assert "program" not in {b.get("block_id") for b in fresh["blocks"]}

    # Initech's mentor is no longer suggested (the pool moved on with the membership).
    bot.tick(timedelta(minutes=5))  # a new moment: a new suggestions message
    ask(bot, "T1", ACME_MENTEE, label="Alliance", organization="Acme")
    assert suggested(bot, ACME_MENTEE) == [GLOBEX_MENTOR]


def test_a_cohort_of_three_companies_pairs_people_across_companies_only(
    alliance: RunningBot,
) -> None:
    bot = alliance
    # Everyone asks first (nobody to suggest yet: all wait), then the mentors offer.
    for team, mentee, company in (
        ("T1", ACME_MENTEE, "Acme"),
        ("T2", GLOBEX_MENTEE, "Globex"),
        ("T3", INITECH_MENTEE, "Initech"),
    ):
        ask(bot, team, mentee, label="Alliance" if team == "T1" else LABEL, organization=company)
    statuses = table(bot, "SELECT status FROM mentor_requests")
    assert statuses == [("waitlisted",)] * 3
    offer(bot, "T1", ACME_MENTOR, label="Alliance", organization="Acme", capacity=1)
    offer(bot, "T1", ACME_MENTOR2, label="Alliance", organization="Acme", capacity=1)
    offer(bot, "T2", GLOBEX_MENTOR, label=LABEL, organization="Globex", capacity=1)
    offer(bot, "T3", INITECH_MENTOR, label=LABEL, organization="Initech", capacity=1)

    told = as_team(bot, "T1").command("match everyone", user=COORDINATORS["T1"])
    assert told.status == 200
    bot.settle()
    plans = table(bot, "SELECT team_id, pairs, unmatched FROM cohort_plans")
    assert len(plans) == 1 and plans[0][0] == "T1"
    pairs = plans[0][1] if isinstance(plans[0][1], list) else json.loads(plans[0][1])
    company = {
        ACME_MENTEE: "T1",
        ACME_MENTOR: "T1",
        ACME_MENTOR2: "T1",
        GLOBEX_MENTEE: "T2",
        GLOBEX_MENTOR: "T2",
        INITECH_MENTEE: "T3",
        INITECH_MENTOR: "T3",
    }
    planned = {p["mentee_id"]: p["mentor_id"] for p in pairs}
    assert set(planned) == {ACME_MENTEE, GLOBEX_MENTEE, INITECH_MENTEE}
    for mentee, mentor in planned.items():
        assert company[mentee] != company[mentor], (mentee, mentor)  # across companies only
        assert {company[mentee], company[mentor]} != {"T2", "T3"}  # never the rivals
    # Globex and Initech are rivals, so both of theirs get one of Acme's two mentors.
    assert {planned[GLOBEX_MENTEE], planned[INITECH_MENTEE]} == {ACME_MENTOR, ACME_MENTOR2}
    reasons = {p["mentee_id"]: p["reason"] for p in pairs}
    assert reasons[GLOBEX_MENTEE].startswith("from Acme, shares leadership")

    # Approving asks each mentor in their own workspace; each proposal keeps all three.
    coordinator = COORDINATORS["T1"]
    ready = bot.fake.messages(coordinator)[-1]
    assert ready["text"].startswith("Your cohort proposal is ready:"), ready["text"]
    shown = as_team(bot, "T1").click(
        "cohort_page_show",
        user=coordinator,
        value=buttons(ready, "cohort_page_show")[0],
        channel=bot.fake.dm_channel(coordinator),
        message_ts=ready["ts"],
    )
    assert shown.status == 200
    bot.settle()
    page = bot.fake.messages(coordinator)[-1]
    approved = as_team(bot, "T1").click(
        "cohort_approve_all",
        user=coordinator,
        value=buttons(page, "cohort_approve_all")[0],
        channel=bot.fake.dm_channel(coordinator),
        message_ts=page["ts"],
    )
    assert approved.status == 200
    bot.settle()
    proposals = table(
        bot,
        "SELECT mentee_id, team_id, mentee_team_id, mentor_id, mentor_team_id FROM match_proposals",
    )
    assert {(p[0], p[1], p[2], p[3], p[4]) for p in proposals} == {
        (mentee, "T1", company[mentee], mentor, company[mentor])
        for mentee, mentor in planned.items()
    }
    tokens = {team: bot.fake.bot_token(team) for team in ("T1", "T2", "T3")}
    for mentor in planned.values():
        asks = [c for c in posts_to(bot, mentor) if buttons(c.params, "accept_request")]
        assert [c.token for c in asks] == [tokens[company[mentor]]]


def test_a_mentor_of_another_workspace_declines_from_their_own_slack(
    alliance: RunningBot,
) -> None:
    bot = alliance
    tokens = {team: bot.fake.bot_token(team) for team in ("T1", "T2", "T3")}
    offer(bot, "T1", ACME_MENTOR, label="Alliance", organization="Acme")
    offer(bot, "T1", ACME_MENTOR2, label="Alliance", organization="Acme")
    ask(bot, "T2", GLOBEX_MENTEE, label=LABEL, organization="Globex")
    _, picks = suggestions(bot, GLOBEX_MENTEE)
    assert [v.split(":")[1:] for v in picks] == [[ACME_MENTOR, "T1"], [ACME_MENTOR2, "T1"]]
    as_team(bot, "T2").click("pick_mentor", user=GLOBEX_MENTEE, value=picks[0])
    bot.settle()
    request_post = next(
        c for c in reversed(posts_to(bot, ACME_MENTOR)) if buttons(c.params, "decline_not_fit")
    )
    assert request_post.token == tokens["T1"]

    bot.tick(timedelta(minutes=1))  # the mentee's next suggestions are a new message
    before = len(posts_to(bot, GLOBEX_MENTEE))
    asked = bot.fake.messages(ACME_MENTOR)[-1]
    declined = as_team(bot, "T1").click(
        "decline_not_fit",
        user=ACME_MENTOR,
        value=buttons(request_post.params, "decline_not_fit")[0],
        channel=bot.fake.dm_channel(ACME_MENTOR),
        message_ts=asked["ts"],
    )
    assert declined.status == 200
    bot.settle()
    answered = next(m for m in bot.fake.messages(ACME_MENTOR) if m["ts"] == asked["ts"])
    assert answered["text"].startswith("You declined Gloria Globex's request"), answered
    assert table(bot, "SELECT status, decline_choice FROM match_proposals") == [
        ("declined", "not_fit")
    ]
    # The mentee hears in Globex's Slack, with the other Acme mentor suggested now.
    after = posts_to(bot, GLOBEX_MENTEE)[before:]
    assert after and {c.token for c in after} == {tokens["T2"]}
    assert suggested(bot, GLOBEX_MENTEE) == [ACME_MENTOR2]
    assert foreign_mentions(bot) == []  # Acme's mentors named in Globex's Slack, and back


def test_nobody_is_shown_a_mention_of_someone_of_another_workspace(
    alliance: RunningBot,
) -> None:
    """Ask -> suggestions -> pick -> accept -> introduction, across Acme and Globex: each
    person of the other workspace is named in words, with the name their own workspace's
    users.info gives and their company; people of one's own workspace stay mentions."""
    bot = alliance
    bot.fake.add_user(ACME_MENTOR, team_id="T1", tz="Europe/London", real_name="Rafael Costa")
    start = len(bot.fake.calls)
    offer(bot, "T1", ACME_MENTOR, label="Alliance", organization="Acme")
    ask(bot, "T2", GLOBEX_MENTEE, label=LABEL, organization="Globex")

    post, picks = suggestions(bot, GLOBEX_MENTEE)
    shown = json.dumps(post.params["blocks"])
    assert "*Rafael Costa* (Acme)" in shown, shown
    assert ACME_MENTOR not in shown.replace(picks[0], "")  # only in the button's value

    shown_to_mentee = bot.fake.messages(GLOBEX_MENTEE)[-1]
    clicked = as_team(bot, "T2").click(
        "pick_mentor",
        user=GLOBEX_MENTEE,
        value=picks[0],
        channel=bot.fake.dm_channel(GLOBEX_MENTEE),
        message_ts=shown_to_mentee["ts"],
    )
    assert clicked.status == 200
    bot.settle()
    picked = bot.fake.messages(GLOBEX_MENTEE)[-1]  # the suggestions, redrawn in Globex's Slack
    assert picked["ts"] == shown_to_mentee["ts"]
    assert picked["text"].startswith("You asked Rafael Costa to be your mentor."), picked

    # The ask form sent again while Acme's mentor is asked: a field error (plain text, where
    # no mention would ever show) says who in words.
    form = bot.view_opened("mentor_ask")
    again = as_team(bot, "T2").submit(
        form, user=GLOBEX_MENTEE, values=ask_values(form, LABEL, "Globex")
    )
    refused = again.json()
    assert refused["response_action"] == "errors"
    assert "You have already asked a mentor from Acme;" in str(refused["errors"]), refused

    asked = bot.fake.messages(ACME_MENTOR)[-1]
    accepted = as_team(bot, "T1").click(
        "accept_request",
        user=ACME_MENTOR,
        value=buttons(asked, "accept_request")[0],
        channel=bot.fake.dm_channel(ACME_MENTOR),
        message_ts=asked["ts"],
    )
    assert accepted.status == 200
    bot.settle()
    answered = next(m for m in bot.fake.messages(ACME_MENTOR) if m["ts"] == asked["ts"])
    assert "You accepted Gloria Globex's request." in answered["text"], answered
    assert {c.outcome for c in bot.fake.calls_to("chat.update")} == {"ok"}

    intros = {
        bot.fake.team_of(c.token): c.params
        for c in bot.fake.delivered("chat.postMessage")
        if c.params["text"].startswith("Welcome to your mentoring partnership")
    }
    assert intros["T2"]["text"] == (
        f"Welcome to your mentoring partnership, <@{GLOBEX_MENTEE}> (Globex) and "
        "Rafael Costa (Acme)!"
    )
    assert intros["T1"]["text"] == (
        f"Welcome to your mentoring partnership, Gloria Globex (Globex) and "
        f"<@{ACME_MENTOR}> (Acme)!"
    )
    assert "Rafael Costa (Acme) is <@UGLOBE>'s mentor" in json.dumps(intros["T2"]["blocks"])

    # Asking again: the answer (ephemeral, in Globex's Slack) names Acme's mentor in words.
    assert as_team(bot, "T2").command("ask", user=GLOBEX_MENTEE).status == 200
    bot.settle()
    reply = bot.fake.calls_to("response_url")[-1]
    assert reply.params["_path"].startswith("/response/T2-")
    assert reply.params["text"].startswith("You already have a mentor, Rafael Costa."), reply
    assert foreign_mentions(bot, start) == []


def test_a_request_that_expires_across_workspaces_names_each_person_in_words(
    alliance: RunningBot,
) -> None:
    bot = alliance
    bot.fake.add_user(ACME_MENTOR, team_id="T1", tz="Europe/London", real_name="Rafael Costa")
    bot.fake.add_user(ACME_MENTOR2, team_id="T1", tz="Europe/London", real_name="Mei Tanaka")
    offer(bot, "T1", ACME_MENTOR, label="Alliance", organization="Acme")
    offer(bot, "T1", ACME_MENTOR2, label="Alliance", organization="Acme")
    ask(bot, "T2", GLOBEX_MENTEE, label=LABEL, organization="Globex")
    _, picks = suggestions(bot, GLOBEX_MENTEE)
    as_team(bot, "T2").click("pick_mentor", user=GLOBEX_MENTEE, value=picks[0])
    bot.settle()

    for _ in range(7 * 24):  # a week, an hour at a time: the reminder, then the expiry
        bot.tick(timedelta(hours=1))
    said = [m["text"] for m in bot.fake.messages(ACME_MENTOR)]
    assert any(t.startswith("A gentle reminder: *Gloria Globex* of Globex") for t in said), said
    assert any(t.startswith("No need to answer Gloria Globex's request") for t in said), said
    post, _ = suggestions(bot, GLOBEX_MENTEE)
    assert "*Mei Tanaka* (Acme)" in json.dumps(post.params["blocks"])
    assert foreign_mentions(bot) == []
