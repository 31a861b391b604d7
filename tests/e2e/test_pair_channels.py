"""A pair across two workspaces gets a private Slack Connect channel, or is told why not.

Acme (T1) hosts the program, and Ada, its mentee, lives there; Grace, her mentor, lives in
Globex (T2). Both workspaces installed the bot by OAuth. The partnership is built through the
repositories (matching across workspaces lands elsewhere) and started with the partnership
hooks, as an accept starts it; everything after runs for real: the set-up job from the outbox,
Slack's Web API (the fake, answering per workspace token), Slack's events through the signed
edge.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.model.kinds import Kind
from bot.model.messages.sessions import SessionInvite
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership
from bot.model.sessions import SessionSlot
from bot.services import partnership_events
from storage import SqlUnitOfWork
from tests.conftest import RunningBot
from tests.support.fake_slack import MANIFEST
from tests.support.oauth import CLIENT_ID, CLIENT_SECRET, as_team, install, oauth_settings
from tests.support.slack_scopes import manifest_bot_scopes

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

MENTEE, MENTOR = "UADA1", "UGRACE2"
EMAILS = {MENTEE: "ada@acme.example", MENTOR: "grace@globex.example"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return oauth_settings(mentorbot_coordinators="T1:UCOORD1", mentorbot_onboarding=False)


@pytest.fixture
def two(bot: RunningBot) -> RunningBot:
    """Acme and Globex installed; Ada in Acme, Grace in Globex, each with an email."""
    bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    bot.fake.add_user("UCOORD1", team_id="T1", tz="Europe/London")
    bot.fake.add_user(
        MENTEE, team_id="T1", real_name="Ada Lovelace", tz="Europe/London", email=EMAILS[MENTEE]
    )
    bot.fake.add_user(
        MENTOR, team_id="T2", real_name="Grace Hopper", tz="America/New_York", email=EMAILS[MENTOR]
    )
    install(bot, "T1", name="Acme")
    install(bot, "T2", name="Globex")
    return bot


def start_pair(bot: RunningBot) -> Partnership:
    """A partnership of Acme's program between Ada (Acme) and Grace (Globex), started with the
    partnership hooks in one transaction, as an accepted request starts one."""
    services = bot.runtime.services
    now = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership = uow.partnerships.save(
            Partnership(
                team_id="T1",
                mentor_id=MENTOR,
                mentee_id=MENTEE,
                request_id=None,
                started_at=now,
                ends_at=now + services.rules.term,
                mentee_team_id="T1",
                mentor_team_id="T2",
            )
        )
        partnership_events(services.rules).start(uow, partnership, services.rules)
        uow.commit()
    return partnership


def restart(bot: RunningBot, partnership: Partnership) -> None:
    """The start handled again (a second replica, a retried accept): same hooks, same keys."""
    services = bot.runtime.services
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        partnership_events(services.rules).start(uow, partnership, services.rules)
        uow.commit()


def row(bot: RunningBot) -> dict[str, Any]:
    with bot.runtime.database.engine.connect() as connection:
        found = connection.execute(sa.text("SELECT * FROM pair_channels")).mappings().all()
    assert len(found) == 1, found
    return dict(found[0])


def event(bot: RunningBot, team: str, body: dict[str, Any], **kwargs: Any) -> None:
    reply = as_team(bot, team).event(body, **kwargs)
    assert reply.status == 200, reply.text
    bot.settle()


def dm_texts(bot: RunningBot, user: str) -> list[str]:
    return [str(m.get("text") or "") for m in bot.dms(user)]


def token_of(bot: RunningBot, team: str) -> str | None:
    return bot.fake.bot_token(team)


def test_a_pair_across_workspaces_meets_in_a_private_slack_connect_channel(
    two: RunningBot,
) -> None:
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    bot.fake.set_slack_connect("T2", "paid")
    pair = start_pair(bot)
    bot.tick()

    created = bot.fake.delivered("conversations.create")
    assert len(created) == 1
    assert created[0].token == token_of(bot, "T1")  # the host workspace's own token
    assert str(created[0].params["is_private"]).lower() in ("true", "1")
    channel = row(bot)["channel_id"]
    assert row(bot)["name"] == f"mentoring-ada-grace-{pair.id}"
    added = bot.fake.last("conversations.invite")
    assert (added.token, added.params["channel"], added.params["users"]) == (
        token_of(bot, "T1"),
        channel,
        MENTEE,
    )
    shared = bot.fake.last("conversations.inviteShared")
    assert shared.token == token_of(bot, "T1")
    assert shared.params["channel"] == channel
    assert shared.params["emails"] == EMAILS[MENTOR]  # asked of Globex, with Globex's token
    assert str(shared.params["external_limited"]).lower() in ("true", "1")
    asked = [c for c in bot.fake.delivered("users.info") if c.params.get("user") == MENTOR]
    assert asked and {c.token for c in asked} == {token_of(bot, "T2")}
    invited = row(bot)
    assert invited["status"] == "invited" and invited["invite_id"]
    assert bot.fake.messages(channel) == []  # nobody to welcome yet

    # Grace accepts in Globex's Slack, no approval needed: Slack tells the host's app
    accepted = bot.fake.accept_shared_invite(invited["invite_id"])
    event(bot, "T1", accepted)
    assert row(bot)["status"] == "ready"
    welcome = bot.fake.messages(channel)
    assert len(welcome) == 1
    assert f"<@{MENTEE}>" in welcome[0]["text"] and f"<@{MENTOR}>" in welcome[0]["text"]
    assert bot.fake.last("chat.postMessage").token == token_of(bot, "T1")
    assert set(bot.fake.channel(channel)["members"]) >= {MENTEE, MENTOR}

    # the same event again (Slack's retry, then a delivery to Globex's side): nothing twice
    event(bot, "T1", accepted, event_id="EvSAME", retry_num=1)
    event(bot, "T2", accepted)
    bot.tick()
    assert len(bot.fake.messages(channel)) == 1
    assert dm_texts(bot, MENTEE) == [] and dm_texts(bot, MENTOR) == []  # no fallback notes

    # a start handled twice and a tick later: still one channel, one invitation
    restart(bot, pair)
    bot.tick(timedelta(minutes=5))
    assert len(bot.fake.calls_to("conversations.create")) == 1
    assert len(bot.fake.calls_to("conversations.inviteShared")) == 1


def test_an_approval_and_a_new_channel_id_the_welcome_goes_to_the_new_id(
    two: RunningBot,
) -> None:
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    pair = start_pair(bot)
    bot.tick()
    old = row(bot)["channel_id"]
    invite = row(bot)["invite_id"]

    event(bot, "T1", bot.fake.accept_shared_invite(invite, approval_required=True))
    assert row(bot)["status"] == "accepted"
    assert bot.fake.messages(old) == []  # not yet: an admin must approve

    moved = bot.fake.change_channel_id(old)
    event(bot, "T1", moved)
    new = moved["new_channel_id"]
    assert row(bot)["channel_id"] == new != old

    event(bot, "T1", bot.fake.approve_shared_invite(invite, by_team="T2"))
    assert row(bot)["status"] == "ready"
    assert len(bot.fake.messages(new)) == 1
    assert bot.fake.last("chat.postMessage").params["channel"] == new
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        assert bot.runtime.services.pair_channels.channel_of(uow, pair) == new

    # a channel_id_changed about a channel that isn't a pair's changes nothing
    other = {"type": "channel_id_changed", "old_channel_id": "G0OTHER", "new_channel_id": "C0OT"}
    event(bot, "T1", {**other, "event_ts": "1612206778.000000"})
    assert row(bot)["channel_id"] == new


def _without_connect_scope(bot: RunningBot) -> None:
    bot.fake.set_slack_connect("T1", "paid")
    scopes = manifest_bot_scopes(MANIFEST) - {"conversations.connect:write"}
    bot.fake.set_scopes("T1", scopes)  # Acme installed before the manifest asked for it


@pytest.mark.parametrize(
    ("setup", "reason", "host_says", "partner_says"),
    [
        (
            lambda bot: None,  # Acme is on a free plan
            "not_paid",
            "part of Slack's paid plans, and your workspace doesn't have it",
            "part of Slack's paid plans, and your partner's workspace doesn't have it",
        ),
        (
            _without_connect_scope,
            "missing_scope",
            "not allowed to create Slack Connect channels in your workspace",
            "not allowed to create Slack Connect channels in your partner's workspace",
        ),
        (
            lambda bot: bot.fake.set_slack_connect("T1", "restricted"),
            "restricted_action",
            "Slack settings of your workspace don't let apps invite people",
            "Slack settings of your partner's workspace don't let apps invite people",
        ),
    ],
    ids=["not_paid", "missing_scope", "restricted_action"],
)
def test_when_slack_connect_is_not_possible_both_are_told_and_meet_by_dm(
    two: RunningBot, setup: Any, reason: str, host_says: str, partner_says: str
) -> None:
    bot = two
    setup(bot)
    pair = start_pair(bot)
    report = bot.tick()
    assert report.failed == 0  # the job itself ran fine: the refusal is an answer

    stored = row(bot)
    assert (stored["status"], stored["reason"]) == ("failed", reason)
    ada, grace = dm_texts(bot, MENTEE), dm_texts(bot, MENTOR)
    assert len(ada) == 1 and len(grace) == 1
    assert host_says in ada[0] and "Grace Hopper" in ada[0]
    assert partner_says in grace[0] and "Ada Lovelace" in grace[0]
    for text in (ada[0], grace[0]):
        assert "DMs with me" in text and "calendar invite" in text
        assert "Traceback" not in text
    by_person = {c.params["channel"]: c.token for c in bot.fake.delivered("chat.postMessage")}
    assert by_person == {MENTEE: token_of(bot, "T1"), MENTOR: token_of(bot, "T2")}

    # nothing is tried again, and nobody is told twice
    restart(bot, pair)
    bot.tick(timedelta(hours=1))
    assert len(bot.fake.calls_to("conversations.create")) <= 1
    assert len(bot.fake.calls_to("conversations.inviteShared")) <= 1
    assert len(dm_texts(bot, MENTEE)) == 1 and len(dm_texts(bot, MENTOR)) == 1


def test_a_declined_invitation_tells_both_kindly(two: RunningBot) -> None:
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    start_pair(bot)
    bot.tick()
    invite = row(bot)["invite_id"]

    declined = bot.fake.decline_shared_invite(invite, by_team="T2")
    event(bot, "T2", declined)  # delivered to the side that declined: found all the same
    assert (row(bot)["status"], row(bot)["reason"]) == ("declined", "declined")
    for user in (MENTEE, MENTOR):
        told = dm_texts(bot, user)
        assert len(told) == 1
        assert "was declined, which is fine" in told[0] and "calendar invite" in told[0]
    event(bot, "T1", declined)  # the host's copy of the event: nobody told twice
    # a late accept of a declined invitation changes nothing either
    assert len(dm_texts(bot, MENTEE)) == 1
    assert bot.fake.messages(row(bot)["channel_id"]) == []


def test_slack_busy_waits_for_retry_after_and_never_makes_a_second_channel(
    two: RunningBot,
) -> None:
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    bot.fake.rate_limit_next("conversations.inviteShared", retry_after=40)
    start_pair(bot)
    bot.tick()
    assert row(bot)["status"] == "setting_up" and row(bot)["channel_id"]
    assert len(bot.fake.calls_to("conversations.inviteShared")) == 1

    bot.tick(timedelta(seconds=30))  # before Retry-After: nothing asked
    assert len(bot.fake.calls_to("conversations.inviteShared")) == 1
    bot.tick(timedelta(seconds=15))
    assert row(bot)["status"] == "invited"
    assert len(bot.fake.calls_to("conversations.create")) == 1  # the channel kept
    assert len(bot.fake.calls_to("conversations.invite")) == 1  # Ada added once
    assert len(bot.fake.calls_to("conversations.inviteShared")) == 2


def test_the_calendar_invite_of_a_pair_across_workspaces_names_both_emails(
    two: RunningBot,
) -> None:
    """Without a shared channel, each gets the invite in their own Slack: it names both of
    them by email, each asked of their own workspace with its token."""
    bot = two
    pair = start_pair(bot)
    bot.tick()
    assert pair.id is not None
    now = bot.clock.now()
    slot = SessionSlot(
        team_id="T1",
        partnership_id=pair.id,
        weekday=2,
        local_time="17:00",
        every_weeks=1,
        tz="Europe/London",
        duration_minutes=45,
        first_date=(now + timedelta(days=2)).date(),
        set_by=MENTEE,
    )
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        uow.outbox.add(
            OutgoingMessage(
                team_id="T2",  # Grace's copy, in her own workspace
                kind=Kind.SESSION_INVITE,
                recipient=MENTOR,
                key="test:invite:grace",
                due_at=now,
                payload=SessionInvite(
                    partnership_id=pair.id,
                    author_id=MENTEE,
                    describe="Wednesdays at 17:00",
                    next_start=None,
                    every_weeks=1,
                    set_at=now,
                    mentor_id=MENTOR,
                    mentee_id=MENTEE,
                    slot=slot,
                    mentee_team_id="T1",
                ),
            )
        )
        uow.commit()
    bot.tick()

    ics = bot.fake.uploaded_file(bot.fake.uploads[-1].file_id).decode()
    flat = ics.replace("\r\n ", "")
    assert f"mailto:{EMAILS[MENTEE]}" in flat and f"mailto:{EMAILS[MENTOR]}" in flat
    looked_up = {
        c.params["user"]: c.token
        for c in bot.fake.delivered("users.info")
        if c.params.get("user") in (MENTEE, MENTOR)
    }
    assert looked_up == {MENTEE: token_of(bot, "T1"), MENTOR: token_of(bot, "T2")}


def test_a_lost_answer_to_the_channels_creation_finds_it_again(two: RunningBot) -> None:
    """Slack made the channel but its answer never came back (a reset, a timeout): the next
    run's create says ``name_taken``, and the bot takes that channel, its own, by name."""
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    bot.fake.lose_answer_next("conversations.create")
    start_pair(bot)
    bot.tick()
    for _ in range(3):  # the retry waits for its backoff
        if row(bot)["status"] != "setting_up":
            break
        bot.tick(timedelta(minutes=1))

    assert row(bot)["status"] == "invited"
    channels = bot.fake.channels_of("T1")
    assert len(channels) == 1
    assert row(bot)["channel_id"] == channels[0]["id"]
    assert len(bot.fake.calls_to("conversations.create")) == 2
    assert bot.fake.calls_to("conversations.create")[-1].outcome == "error:name_taken"
    assert bot.fake.last("conversations.list").token == token_of(bot, "T1")
    assert set(channels[0]["members"]) == {"UBOT", MENTEE}


def test_a_welcome_waiting_for_retry_after_follows_the_channels_new_id(two: RunningBot) -> None:
    """Slack busy when the welcome was due (429): it waits; the channel then gets its new ID;
    the welcome goes to the new one, once, never to the old."""
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    start_pair(bot)
    bot.tick()
    old, invite = row(bot)["channel_id"], row(bot)["invite_id"]
    bot.fake.rate_limit_next("chat.postMessage", retry_after=60)

    event(bot, "T1", bot.fake.accept_shared_invite(invite))  # the welcome: 429, waits
    assert [c.outcome for c in bot.fake.calls_to("chat.postMessage")] == ["429"]
    assert bot.fake.calls_to("chat.postMessage")[0].params["channel"] == old
    moved = bot.fake.change_channel_id(old)
    event(bot, "T1", moved)
    new = moved["new_channel_id"]

    bot.tick(timedelta(seconds=61))
    assert [m["text"][:8] for m in bot.fake.messages(new)] == ["Welcome,"]
    assert [c.params["channel"] for c in bot.fake.delivered("chat.postMessage")] == [new]
    bot.tick(timedelta(minutes=10))
    assert len(bot.fake.delivered("chat.postMessage")) == 1  # once, and never to the old ID
    assert bot.fake.messages(old) == []


def test_without_the_partners_email_the_invitation_goes_by_user_id(two: RunningBot) -> None:
    """Globex's install lacks ``users:read.email``: Slack gives no email, so the partner is
    invited by user ID, and the channel still happens."""
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    bot.fake.set_scopes("T2", manifest_bot_scopes(MANIFEST) - {"users:read.email"})
    start_pair(bot)
    bot.tick()

    shared = bot.fake.last("conversations.inviteShared")
    assert shared.params.get("user_ids") == MENTOR and not shared.params.get("emails")
    assert row(bot)["status"] == "invited"
    accepted = bot.fake.accept_shared_invite(row(bot)["invite_id"])
    assert accepted["invite"]["recipient_user_id"] == MENTOR
    event(bot, "T1", accepted)
    assert len(bot.fake.messages(row(bot)["channel_id"])) == 1


def test_slack_down_backs_off_then_sets_up_and_gives_up_kindly_if_it_stays_down(
    two: RunningBot,
) -> None:
    bot = two
    bot.fake.set_slack_connect("T1", "paid")
    bot.fake.server_error_next("conversations.create", status=503)
    start_pair(bot)
    bot.tick()
    assert row(bot)["status"] == "setting_up" and not row(bot)["channel_id"]
    bot.tick(timedelta(seconds=5))  # within the backoff: not asked again
    assert len(bot.fake.calls_to("conversations.create")) == 1
    bot.tick(timedelta(seconds=10))
    assert row(bot)["status"] == "invited"
    assert len(bot.fake.channels_of("T1")) == 1

    # another pair, and Slack stays down: after a few tries both are told, nothing raises
    bot.fake.add_user("UALAN2", team_id="T2", real_name="Alan Turing", email="alan@globex.example")
    bot.fake.server_error_next("conversations.create", status=500, times=20)
    now = bot.clock.now()
    with SqlUnitOfWork(bot.runtime.database.sessions) as uow:
        second = uow.partnerships.save(
            Partnership(
                team_id="T1",
                mentor_id="UALAN2",
                mentee_id=MENTEE,
                request_id=None,
                started_at=now,
                ends_at=now + timedelta(days=180),
                mentee_team_id="T1",
                mentor_team_id="T2",
            )
        )
        partnership_events(bot.runtime.services.rules).start(
            uow, second, bot.runtime.services.rules
        )
        uow.commit()
    for _ in range(8):
        bot.tick(timedelta(hours=1))
    with bot.runtime.database.engine.connect() as connection:
        status, reason, attempts = connection.execute(
            sa.text("SELECT status, reason, attempts FROM pair_channels WHERE partnership_id = :p"),
            {"p": second.id},
        ).one()
    assert (status, reason, attempts) == ("failed", "http 500", 5)
    assert len(bot.fake.calls_to("conversations.create")) == 2 + 5
    assert any("Slack was too busy" in t for t in dm_texts(bot, "UALAN2"))
