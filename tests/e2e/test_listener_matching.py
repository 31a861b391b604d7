"""Bolt's listeners are matched on the body alone (``handlers.app.BodyMatcher``): each says
of every kind of request what Bolt's own matcher says, and none is matched through Bolt's
keyword-argument builder any more (it made thirty-odd arguments for each listener tried)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher

from handlers.app import BodyMatcher
from tests.conftest import TEAM, RunningBot

USER = {"id": "U1", "team_id": TEAM}


def action(action_id: str, block_id: str = "b") -> dict[str, Any]:
    return {"action_id": action_id, "block_id": block_id, "type": "button", "value": "1"}


def requests(action_ids: list[str], callback_ids: list[str]) -> list[BoltRequest]:
    """A request of each kind Slack sends, for each action and view the app names."""
    forms = [
        {"command": "/mentor", "text": "help", "team_id": TEAM, "user_id": "U1"},
        {"command": "/other", "text": "", "team_id": TEAM, "user_id": "U1"},
    ]
    payloads: list[dict[str, Any]] = [
        {"type": "block_actions", "team": {"id": TEAM}, "user": USER, "actions": [action(a)]}
        for a in [*action_ids, "unknown"]
    ]
    for kind in ("view_submission", "view_closed"):
        payloads += [
            {
                "type": kind,
                "team": {"id": TEAM},
                "user": USER,
                "view": {"type": "modal", "callback_id": c},
            }
            for c in [*callback_ids, "unknown"]
        ]
    payloads.append({"type": "shortcut", "callback_id": "x", "team": {"id": TEAM}, "user": USER})
    events = [
        {"type": "app_home_opened", "user": "U1", "tab": "home"},
        {"type": "message", "channel_type": "im", "user": "U1", "text": "hi"},
        {"type": "message", "subtype": "message_changed", "channel_type": "im"},
        {"type": "member_joined_channel", "user": "U1", "channel": "C1"},
        {"type": "subteam_members_changed", "subteam_id": "S1"},
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}},
        {"type": "team_join", "user": {"id": "U2"}},
        {"type": "reaction_added", "user": "U1", "reaction": "tada"},
    ]
    found = [BoltRequest(body=urlencode(form)) for form in forms]
    found += [BoltRequest(body=urlencode({"payload": json.dumps(p)})) for p in payloads]
    found += [
        BoltRequest(
            body=json.dumps({"type": "event_callback", "team_id": TEAM, "event": event}),
            headers={"content-type": ["application/json"]},
        )
        for event in events
    ]
    return found


def named(matcher: BodyMatcher) -> list[str]:
    """The IDs a matcher looks for, as Bolt keeps them in its matching function."""
    found: list[str] = []
    for cell in matcher.func.__closure__ or ():
        value = cell.cell_contents
        values = value.values() if isinstance(value, dict) else [value]
        found += [v for v in values if isinstance(v, str) and not v.startswith("/")]
    return found


def test_each_listener_matches_what_bolts_own_matcher_matched(bot: RunningBot) -> None:
    listeners = bot.runtime.app._listeners
    matchers = [m for listener in listeners for m in listener.matchers]
    assert matchers and all(isinstance(m, BodyMatcher) for m in matchers)
    ids = sorted({name for m in matchers for name in named(m)})  # action and callback IDs
    assert len(ids) > 50
    bodies = requests(ids, ids)
    matched: set[int] = set()
    for request in bodies:
        response = BoltResponse(status=200)
        for n, matcher in enumerate(matchers):
            bolts = BuiltinListenerMatcher(func=matcher.func).matches(request, response)
            assert matcher.matches(request, response) == bolts, (request.body, matcher.func)
            if bolts:
                matched.add(n)
    assert len(matched) >= 0.9 * len(matchers)  # the samples reach the listeners, not only misses
