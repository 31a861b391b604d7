"""The fake Slack must behave like Slack as seen through slack_sdk, or every test built on it lies.

Each test drives a real ``WebClient`` against the fake, so encoding, error raising and retry
behaviour come from the SDK the app uses in production.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.support.fake_slack import FakeSlack, validate_blocks, validate_view


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U100", name="ada", real_name="Ada Lovelace", tz="Europe/London")
        server.add_user("U200", name="grace", real_name="Grace Hopper")
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    # No retry handlers: each test sees exactly one attempt per call unless it opts in.
    return WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=[])


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def _modal(title: str = "Check-in", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [_section("hello")],
        **extra,
    }


# ---- basics ------------------------------------------------------------------------------------


def test_url_ends_with_slash_and_stop_is_idempotent() -> None:
    server = FakeSlack().start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.url.endswith("/api/")
    finally:
        server.stop()
        server.stop()
    with pytest.raises(RuntimeError):
        _ = server.url


def test_auth_test_and_token_recorded(fake: FakeSlack, client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "UBOT"
    assert answer["bot_id"] == "BBOT"
    assert answer["team_id"] == "T0001"
    assert answer["team"] == "Test Team"
    assert fake.last("auth.test").token == "xoxb-test"


def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        WebClient(base_url=fake.url, retry_handlers=[]).auth_test()
    assert info.value.response["error"] == "not_authed"


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.api_call("reminders.add", params={"text": "x"})
    assert info.value.response["error"] == "unknown_method"


# ---- users -------------------------------------------------------------------------------------


def test_users_info_found(client: WebClient) -> None:
    user = client.users_info(user="U100")["user"]
    assert user["id"] == "U100"
    assert user["real_name"] == "Ada Lovelace"
    assert user["profile"]["display_name"] == "ada"
    assert user["tz"] == "Europe/London"
    assert user["tz_offset"] in (0, 3600)
    assert user["deleted"] is False


def test_users_info_not_found_raises(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="U999")
    assert info.value.response["error"] == "user_not_found"
    assert info.value.response.status_code == 200


def test_explicit_tz_offset_wins(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U300", tz="Asia/Kolkata", tz_offset=19800, tz_label="India Standard Time")
    user = client.users_info(user="U300")["user"]
    assert (user["tz_offset"], user["tz_label"]) == (19800, "India Standard Time")


# ---- messages ----------------------------------------------------------------------------------


def test_post_to_user_lands_in_dm_and_history(fake: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "nudge_sent", "event_payload": {"key": "nudge:1"}}
    first = client.chat_postMessage(channel="U100", text="hi", metadata=metadata)
    second = client.chat_postMessage(channel="U100", text="again", blocks=[_section("again")])
    assert first["channel"] == second["channel"] == "D100"
    assert first["ts"] < second["ts"]
    assert first["message"]["bot_id"] == "BBOT"

    history = client.conversations_history(channel="D100", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["again", "hi"]
    assert history["messages"][1]["metadata"] == metadata
    assert history["messages"][0]["blocks"][0]["text"]["text"] == "again"
    assert fake.messages("U100")[0]["text"] == "hi"
    assert fake.delivered_keys() == {"nudge:1": 1}


def test_post_errors_like_slack(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U400", deleted=True)
    cases = [
        ({"channel": "U999", "text": "x"}, "channel_not_found"),
        ({"channel": "U400", "text": "x"}, "account_inactive"),
        ({"channel": "C1"}, "no_text"),
    ]
    for kwargs, error in cases:
        with pytest.raises(SlackApiError) as info:
            # api_call, not chat_postMessage: the SDK warns about the missing text itself.
            client.api_call("chat.postMessage", json=kwargs)
        assert info.value.response["error"] == error
    assert [c.outcome for c in fake.calls_to("chat.postMessage")] == [
        "error:channel_not_found",
        "error:account_inactive",
        "error:no_text",
    ]
    assert fake.delivered("chat.postMessage") == []


def test_form_encoded_blocks_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [_section("form")]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "form", "blocks": json.dumps(blocks)},
    )
    assert fake.last("chat.postMessage").params["blocks"] == blocks


def test_update_ephemeral_and_delete(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="v1")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert updated["message"]["text"] == "v2"
    with pytest.raises(SlackApiError) as info:
        client.chat_update(channel="C1", ts="1.000001", text="v3")
    assert info.value.response["error"] == "message_not_found"

    assert client.chat_postEphemeral(channel="C1", user="U100", text="psst")["message_ts"]

    client.chat_delete(channel="C1", ts=posted["ts"])
    fake.scopes |= {"channels:history"}  # not the manifest's: reading channels for the test
    assert client.conversations_history(channel="C1")["messages"] == []


def test_a_method_the_manifest_has_no_scope_for_answers_missing_scope(
    fake: FakeSlack, client: WebClient
) -> None:
    assert "channels:history" in fake.scopes  # the manifest's scopes, as installed
    fake.scopes -= {"channels:history"}  # as an install that predates that scope
    client.chat_postMessage(channel="U100", text="hi")
    assert client.conversations_history(channel="D100")["ok"]  # im:history: granted
    with pytest.raises(SlackApiError) as info:
        client.conversations_history(channel="C1")
    assert (info.value.response["error"], info.value.response["needed"]) == (
        "missing_scope",
        "channels:history",
    )
    assert fake.refusals()[-1].error == "missing_scope"
    fake.scopes -= {"users:read"}
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="U100")
    assert info.value.response["needed"] == "users:read"


def test_conversations_open(client: WebClient) -> None:
    assert client.conversations_open(users="U100")["channel"]["id"] == "D100"
    group = client.conversations_open(users=["U200", "U100"])["channel"]["id"]
    assert group.startswith("G")
    assert client.conversations_open(users="U100,U200")["channel"]["id"] == group
    with pytest.raises(SlackApiError) as info:
        client.conversations_open(users="U100,U999")
    assert info.value.response["error"] == "user_not_found"


def test_history_limit_and_oldest(fake: FakeSlack, client: WebClient) -> None:
    fake.scopes |= {"channels:history"}
    ts = [client.chat_postMessage(channel="C9", text=str(i))["ts"] for i in range(5)]
    page = client.conversations_history(channel="C9", limit=2)
    assert [m["text"] for m in page["messages"]] == ["4", "3"]
    assert page["has_more"] is True
    newer = client.conversations_history(channel="C9", oldest=ts[2])
    assert [m["text"] for m in newer["messages"]] == ["4", "3"]


# ---- block kit ---------------------------------------------------------------------------------


def test_fifty_one_blocks_rejected(fake: FakeSlack, client: WebClient) -> None:
    blocks = [_section(f"b{i}") for i in range(51)]
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="too many", blocks=blocks)
    assert info.value.response["error"] == "invalid_blocks"
    assert any("no more than 50 items" in e for e in info.value.response["errors"])
    assert fake.messages("C1") == []
    client.chat_postMessage(channel="C1", text="fine", blocks=blocks[:50])


def test_long_modal_title_rejected(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id="t1", view=_modal("x" * 25))
    response = info.value.response
    assert response["error"] == "invalid_arguments"
    assert "/view/title/text" in response["response_metadata"]["messages"][0]
    assert client.views_open(trigger_id="t1", view=_modal("x" * 24))["view"]["id"].startswith("V")


def test_validate_blocks_catches_slack_limits() -> None:
    def button(text: str, action_id: str, value: str = "v") -> dict[str, Any]:
        return {
            "type": "button",
            "text": {"type": "plain_text", "text": text},
            "action_id": action_id,
            "value": value,
        }

    options = [
        {"text": {"type": "plain_text", "text": f"o{i}"}, "value": str(i)} for i in range(101)
    ]
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([_section("a", "x"), _section("b", "x")], "duplicate block_id"),
        ([{"type": "actions", "elements": [button("a", "go"), button("b", "go")]}], "duplicate"),
        ([{"type": "actions", "elements": [button("x" * 76, "a")]}], "less than 76"),
        ([{"type": "actions", "elements": [button("ok", "a", "v" * 2001)]}], "less than 2001"),
        ([_section("x" * 3001)], "less than 3001"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "151"),
        ([{"type": "carousel"}], "unsupported type"),
        ([{"type": "section"}], "text or fields"),
        ([{"type": "actions"}], "/blocks/0/elements"),
        ([{"type": "header"}], "/blocks/0/text"),
        (
            [
                {
                    "type": "input",
                    "label": {"type": "plain_text", "text": "When?"},
                    "element": {"type": "datepicker", "action_id": "d"},
                }
            ],
            "only allowed in modals",
        ),
        (
            [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "pick"},
                    "accessory": {"type": "static_select", "action_id": "s", "options": options},
                }
            ],
            "no more than 100 items",
        ),
        (
            [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "pick"},
                    "accessory": {
                        "type": "static_select",
                        "action_id": "s",
                        "options": [
                            {"text": {"type": "plain_text", "text": "o" * 76}, "value": "v" * 151}
                        ],
                    },
                }
            ],
            "less than 151",
        ),
    ]
    for blocks, expected in cases:
        problems = validate_blocks(blocks, surface="message")
        assert any(expected in p for p in problems), (expected, problems)
    assert validate_blocks([_section("ok", "a"), {"type": "divider"}], surface="message") == []
    input_block = {
        "type": "input",
        "label": {"type": "plain_text", "text": "When?"},
        "element": {"type": "datepicker", "action_id": "d"},
    }
    assert validate_blocks([input_block], surface="modal") == []
    assert len(validate_blocks([_section("x")] * 101, surface="home")) == 1


def test_validate_view_limits() -> None:
    base = _modal(submit={"type": "plain_text", "text": "Save"})
    assert validate_view(base, surface="modal") == []
    assert validate_view({**base, "private_metadata": "m" * 3001}, surface="modal")
    assert validate_view({**base, "callback_id": "c" * 256}, surface="modal")
    long_close = {"type": "plain_text", "text": "c" * 25}
    assert validate_view({**base, "close": long_close}, surface="modal")
    assert validate_view({**base, "blocks": [_section("x")] * 101}, surface="modal")


# ---- views -------------------------------------------------------------------------------------


def test_views_lifecycle_and_home(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.api_call("views.open", json={"view": _modal()})
    assert info.value.response["error"] == "invalid_arguments"

    opened = client.views_open(trigger_id="t1", view=_modal(private_metadata="p1"))["view"]
    assert opened["private_metadata"] == "p1"
    pushed = client.views_push(trigger_id="t2", view=_modal("Step 2"))["view"]
    assert pushed["id"] != opened["id"]
    updated = client.views_update(view_id=opened["id"], view=_modal("Edited"))["view"]
    assert (updated["id"], updated["title"]["text"]) == (opened["id"], "Edited")
    assert updated["hash"] != opened["hash"]

    home = {"type": "home", "blocks": [_section("Welcome")]}
    client.views_publish(user_id="U100", view=home)
    published = fake.home_view("U100")
    assert published is not None
    assert published["blocks"][0]["text"]["text"] == "Welcome"
    assert fake.home_view("U200") is None
    with pytest.raises(SlackApiError):
        client.api_call("views.publish", json={"view": home})


# ---- files -------------------------------------------------------------------------------------


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    answer = client.files_upload_v2(channel="C1", content="hello", filename="a.txt")
    file_id = answer["file"]["id"]
    assert fake.uploaded_file(file_id) == b"hello"
    [upload] = fake.uploads
    assert (upload.filename, upload.title, upload.channel, upload.content) == (
        "a.txt",
        "a.txt",
        "C1",
        b"hello",
    )
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_files_complete_rejects_user_id(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        client.files_upload_v2(channel="U100", content=b"BEGIN:VCALENDAR", filename="s.ics")
    assert info.value.response["error"] == "invalid_arguments"


# ---- other methods -----------------------------------------------------------------------------


def test_usergroups_and_oauth(fake: FakeSlack, client: WebClient) -> None:
    fake.set_usergroup("S1", ["U100", "U200"])
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U100", "U200"]

    anonymous = WebClient(base_url=fake.url, retry_handlers=[])
    answer = anonymous.oauth_v2_access(client_id="111.222", client_secret="s", code="c")
    assert answer["access_token"].startswith("xoxb-")
    assert answer["team"]["id"] == "T0001"
    assert fake.last("oauth.v2.access").params["client_id"] == "111.222"

    fake.set_oauth_answer({"ok": False, "error": "invalid_code"})
    with pytest.raises(SlackApiError) as info:
        anonymous.oauth_v2_access(client_id="111.222", client_secret="s", code="c")
    assert info.value.response["error"] == "invalid_code"


def test_response_url_recorded(fake: FakeSlack) -> None:
    url = fake.response_url("abc")
    answer = WebhookClient(url).send(text="done", replace_original=True)
    assert (answer.status_code, answer.body) == (200, "ok")
    call = fake.last("response_url")
    assert call.params == {"text": "done", "replace_original": True, "_path": "/response/abc"}


# ---- recording ---------------------------------------------------------------------------------


def test_last_lists_recorded_methods_when_missing(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test x1"):
        fake.last("chat.postMessage")
    fake.clear()
    assert fake.calls == []


def test_wait_for_background_call(fake: FakeSlack, client: WebClient) -> None:
    worker = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later"))
    worker.start()
    calls = fake.wait_for("chat.postMessage", timeout=2.0)
    worker.join()
    assert calls[0].params["text"] == "later"
    with pytest.raises(AssertionError, match="waited"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.05)


# ---- failure injection -------------------------------------------------------------------------


def test_fail_next_then_recovers(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("users.info", "account_inactive", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            client.users_info(user="U100")
        assert info.value.response["error"] == "account_inactive"
    assert client.users_info(user="U100")["ok"] is True
    assert [c.outcome for c in fake.calls_to("users.info")] == [
        "error:account_inactive",
        "error:account_inactive",
        "ok",
    ]


def test_rate_limit_surfaces_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="hi")
    response = info.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    client.chat_postMessage(channel="C1", text="hi")
    assert [c.outcome for c in fake.calls_to("chat.postMessage")] == ["429", "ok"]
    assert len(fake.delivered("chat.postMessage")) == 1


def test_server_error(fake: FakeSlack, client: WebClient) -> None:
    fake.server_error_next("conversations.open", status=503)
    with pytest.raises(SlackApiError) as info:
        client.conversations_open(users="U100")
    assert info.value.response.status_code == 503
    assert info.value.response["error"] == "internal_error"
    assert fake.last("conversations.open").outcome == "503"


def _chaos_outcomes(seed: int) -> list[str]:
    with FakeSlack() as server:
        server.set_chaos("auth.test", rate_limit=0.3, server_error=0.2, drop=0.2, seed=seed)
        client = WebClient(base_url=server.url, token="xoxb-test", retry_handlers=[], timeout=5)
        for _ in range(20):
            try:
                client.auth_test()
            except SlackApiError:
                pass
            except OSError:
                pass  # dropped connection
        return [c.outcome for c in server.calls]


def test_chaos_is_deterministic_per_seed() -> None:
    first = _chaos_outcomes(seed=7)
    assert first == _chaos_outcomes(seed=7)
    assert {"ok", "429", "500", "dropped"} <= set(first)
    assert first != _chaos_outcomes(seed=8)


def test_urlopen_sees_dropped_connection(fake: FakeSlack) -> None:
    fake.set_chaos(None, drop=1.0)
    request = urllib.request.Request(fake.url + "auth.test", data=b"", method="POST")
    with pytest.raises(OSError):
        urllib.request.urlopen(request, timeout=5)
    assert fake.last("auth.test").outcome == "dropped"


def test_slow_chaos_delays_but_answers(fake: FakeSlack, client: WebClient) -> None:
    fake.set_chaos("auth.test", slow=1.0, slow_seconds=0.05)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.05
    assert fake.last("auth.test").outcome == "ok"


# ---- channels and Slack Connect ----------------------------------------------------------------


def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_a_private_channel_its_member_and_a_slack_connect_invitation(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.add_user("U300", real_name="Katherine Johnson", team_id="T2", email="kj@other.example")
    created = client.conversations_create(name="mentoring-ada-kj-1", is_private=True)
    channel = created["channel"]["id"]
    assert created["channel"]["is_private"] is True and channel.startswith("C")
    again = "mentoring-ada-kj-1"
    assert _error(lambda: client.conversations_create(name=again, is_private=True)) == (
        "name_taken"
    )
    assert _error(lambda: client.conversations_create(name="Has Spaces", is_private=True)) == (
        "invalid_name_specials"
    )
    # a public channel needs channels:manage, which the manifest does not ask for
    assert _error(lambda: client.conversations_create(name="public")) == "missing_scope"

    client.conversations_invite(channel=channel, users="U100")
    assert _error(lambda: client.conversations_invite(channel=channel, users="U100")) == (
        "already_in_channel"
    )
    assert _error(lambda: client.conversations_invite(channel="C0NONE", users="U100")) == (
        "channel_not_found"
    )

    def invite() -> Any:
        return client.conversations_inviteShared(channel=channel, emails=["kj@other.example"])

    assert _error(invite) == "not_paid"  # Slack Connect is a paid plan's
    fake.set_slack_connect("T0001", "restricted")
    assert _error(invite) == "restricted_action"
    fake.set_slack_connect("T0001", "paid")
    assert _error(lambda: client.conversations_inviteShared(channel=channel, emails=["nope"])) == (
        "invalid_email"
    )
    sent = invite()
    assert sent["invite_id"].startswith("I") and "url" not in sent  # external_limited default
    assert _error(invite) == "connection_limit_exceeded_pending"
    listed = client.conversations_list(types="private_channel")["channels"]
    assert [c["id"] for c in listed] == [channel]
    # public channels by default, which need channels:read: not the app's
    assert _error(client.conversations_list) == "missing_scope"

    accepted = fake.accept_shared_invite(sent["invite_id"], approval_required=True)
    assert accepted["type"] == "shared_channel_invite_accepted"
    assert accepted["approval_required"] is True
    assert accepted["invite"]["id"] == sent["invite_id"]
    assert accepted["invite"]["recipient_email"] == "kj@other.example"
    assert accepted["accepting_user"]["id"] == "U300"
    assert accepted["channel"] == {
        "id": channel,
        "is_private": True,
        "is_im": False,
        "name": "mentoring-ada-kj-1",
    }
    assert "U300" not in (fake.channel(channel) or {})["members"]  # not before the approval
    approved = fake.approve_shared_invite(sent["invite_id"], by_team="T2")
    assert approved["type"] == "shared_channel_invite_approved"
    assert approved["approving_team_id"] == "T2"
    assert [t["id"] for t in approved["teams_in_channel"]] == ["T0001", "T2"]
    assert "U300" in (fake.channel(channel) or {})["members"]


def test_a_shared_channels_new_id_and_the_old_one(fake: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_create(name="pair", is_private=True)["channel"]["id"]
    client.chat_postMessage(channel=channel, text="before")
    changed = fake.change_channel_id(channel)
    assert changed["type"] == "channel_id_changed" and changed["old_channel_id"] == channel
    new = changed["new_channel_id"]
    assert _error(lambda: client.chat_postMessage(channel=channel, text="x")) == (
        "channel_not_found"
    )
    client.chat_postMessage(channel=new, text="after")
    assert [m["text"] for m in fake.messages(new)] == ["before", "after"]


def test_a_declined_invitation_is_an_event_too(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U300", team_id="T2", email="kj@other.example")
    fake.set_slack_connect("T0001", "paid")
    channel = client.conversations_create(name="pair", is_private=True)["channel"]["id"]
    sent = client.conversations_inviteShared(channel=channel, user_ids=["U300"])
    declined = fake.decline_shared_invite(sent["invite_id"], by_team="T2")
    assert declined["type"] == "shared_channel_invite_declined"
    assert declined["declining_team_id"] == "T2"
    assert declined["declining_user"]["id"] == "U300"
    assert declined["invite"]["recipient_user_id"] == "U300"


def test_an_install_without_the_slack_connect_scopes_is_refused_like_slack() -> None:
    with FakeSlack(scopes={"chat:write", "users:read"}) as fake:
        client = WebClient(base_url=fake.url, token="xoxb-test", retry_handlers=[])
        with pytest.raises(SlackApiError) as raised:
            client.conversations_create(name="pair", is_private=True)
        assert raised.value.response["error"] == "missing_scope"
        assert raised.value.response["needed"] == "groups:write"
        with pytest.raises(SlackApiError) as raised:
            client.conversations_inviteShared(channel="C1", user_ids=["U1"])
        assert raised.value.response["needed"] == "conversations.connect:write"
