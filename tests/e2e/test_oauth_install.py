"""Installing by OAuth, end to end against the fake Slack: the install page, Slack's redirect,
the code exchanged at ``SLACK_API_URL``, the installation kept sealed in our database, and
every way the redirect can go wrong leaving earlier installations as they were."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import yaml
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from handlers.workspaces.listeners import BOT_SCOPES, NOT_INSTALLED
from mentorbot.wiring import installation_store
from tests.conftest import RunningBot
from tests.e2e.journeys import ask, offer
from tests.support.oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    as_team,
    in_workspace,
    install,
    oauth_settings,
    redirect,
    start_install,
)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return oauth_settings()


@pytest.fixture(autouse=True)
def _slack_knows_the_app(bot: RunningBot) -> None:
    bot.fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    bot.fake.add_user("U1", team_id="T1", tz="Europe/London")
    bot.fake.add_user("U2", team_id="T2", tz="Europe/Paris")


def rows(bot: RunningBot, table: str) -> list[dict[str, Any]]:
    with bot.runtime.database.engine.connect() as connection:
        result = connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))
        return [dict(row) for row in result.mappings()]


def installations(bot: RunningBot) -> list[tuple[Any, ...]]:
    """What the two installation tables hold, for before/after comparisons."""
    return [
        (table, r["team_id"], r["bot_token"], r["installed_at"])
        for table in ("slack_installations", "slack_bots")
        for r in rows(bot, table)
    ]


def test_the_install_page_links_to_slacks_consent_page_with_a_state_and_the_manifest_scopes(
    bot: RunningBot,
) -> None:
    consent = start_install(bot)

    assert consent.url.startswith(f"{bot.fake.origin}/oauth/v2/authorize?")
    query = parse_qs(urlsplit(consent.url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"][0].split(",") == list(BOT_SCOPES)
    manifest = yaml.safe_load(open("manifest.yml").read())  # noqa: SIM115
    assert set(BOT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])
    assert len(rows(bot, "slack_oauth_states")) == 1


def test_an_installation_is_kept_sealed_and_the_workspace_is_served_with_its_own_token(
    bot: RunningBot,
) -> None:
    page = install(bot, "T1", name="Acme Corp")

    assert "Mentorbot is installed" in page.text
    assert "Acme Corp" in page.text
    exchange = bot.fake.last("oauth.v2.access")
    assert exchange.params["client_id"] == CLIENT_ID
    token = bot.fake.bot_token("T1")
    assert token is not None
    assert bot.fake.last("auth.test").token == token
    # the raw tables hold no token text, only ciphertext
    stored = rows(bot, "slack_installations") + rows(bot, "slack_bots")
    assert len(stored) == 2
    assert {r["team_id"] for r in stored} == {"T1"}
    for row in stored:
        assert row["bot_token"].startswith("gAAAAA")
        assert all(token not in str(value) for value in row.values())
    assert rows(bot, "slack_oauth_states") == []  # the state was used up

    offer(in_workspace(bot, "T1"), "U1", expertise=["leadership"])

    opened = bot.fake.last("views.open")
    assert opened.token == token
    assert bot.view_opened("mentor_offer")
    with bot.runtime.database.engine.connect() as connection:
        teams = connection.execute(sa.text("SELECT team_id FROM mentor_profiles")).scalars()
        assert list(teams) == ["T1"]


def test_a_request_from_a_workspace_without_an_installation_is_refused_with_a_log_line(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    install(bot, "T1")
    caplog.set_level(logging.WARNING)

    reply = as_team(bot, "T9").command("offer", user="U9")
    bot.settle()

    assert reply.status == 200
    told = bot.fake.last("response_url").params  # Bolt answers through the response_url
    assert told["text"] == NOT_INSTALLED
    assert "views.open" not in {c.method for c in bot.fake.calls}
    assert any("not installed" in r.getMessage() and "T9" in r.getMessage() for r in caplog.records)


def test_installing_again_replaces_the_token_and_the_new_one_is_used(bot: RunningBot) -> None:
    install(bot, "T1")
    first = bot.fake.bot_token("T1")
    bot.clock.advance(timedelta(seconds=1))
    install(bot, "T1")
    second = bot.fake.bot_token("T1")
    assert first != second

    as_team(bot, "T1").command("offer", user="U1")
    bot.settle()

    assert bot.fake.last("views.open").token == second


# ---- bad input: a plain page, nothing stored, earlier installations untouched -------------------


def assert_plain_refusal(page: Any, *, status: int, says: str) -> None:
    assert page.status == status, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert says in page.text
    assert "Traceback" not in page.text
    assert "/slack/install" in page.text  # a way to start again


def test_the_installer_saying_no_at_slack_installs_nothing(bot: RunningBot) -> None:
    install(bot, "T1")
    before = installations(bot)
    exchanges = len(bot.fake.calls_to("oauth.v2.access"))
    consent = start_install(bot)

    page = redirect(bot, consent, error="access_denied", state=consent.state)

    assert_plain_refusal(page, status=200, says="Installation cancelled")
    assert installations(bot) == before
    assert len(bot.fake.calls_to("oauth.v2.access")) == exchanges


def test_a_wrong_state_is_refused_before_any_code_is_exchanged(bot: RunningBot) -> None:
    install(bot, "T1")
    before = installations(bot)
    exchanges = len(bot.fake.calls_to("oauth.v2.access"))
    consent = start_install(bot)
    code = bot.fake.install_code("T2")

    forged = redirect(bot, consent, code=code, state="not-the-state")
    no_cookie = redirect(bot, None, code=code, state=consent.state)
    unknown = get_with_cookie(bot, code=code, state="made-up")

    assert_plain_refusal(forged, status=400, says="expired")
    assert_plain_refusal(no_cookie, status=400, says="expired")
    assert_plain_refusal(unknown, status=401, says="expired")
    assert len(bot.fake.calls_to("oauth.v2.access")) == exchanges
    assert installations(bot) == before


def get_with_cookie(bot: RunningBot, **query: str) -> Any:
    """A browser whose cookie matches the state it brings, a state the bot never issued."""
    from tests.support.oauth import Consent

    state = query["state"]
    return redirect(
        bot, Consent(url="", state=state, cookie=f"slack-app-oauth-state={state}"), **query
    )


def test_a_state_used_once_cannot_be_used_again(bot: RunningBot) -> None:
    consent = start_install(bot)
    code = bot.fake.install_code("T1")
    assert redirect(bot, consent, code=code, state=consent.state).status == 200
    before = installations(bot)

    again = redirect(bot, consent, code=bot.fake.install_code("T2"), state=consent.state)

    assert_plain_refusal(again, status=401, says="expired")
    assert installations(bot) == before
    assert {t for _, t, _, _ in installations(bot)} == {"T1"}


def test_a_redirect_without_a_code_installs_nothing(bot: RunningBot) -> None:
    install(bot, "T1")
    before = installations(bot)
    consent = start_install(bot)

    page = redirect(bot, consent, state=consent.state)

    assert_plain_refusal(page, status=401, says="did not confirm")
    assert installations(bot) == before


@pytest.mark.parametrize("error", ["invalid_code", "bad_client_secret"])
def test_slack_refusing_the_code_exchange_installs_nothing(
    bot: RunningBot, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    install(bot, "T1")
    before = installations(bot)
    consent = start_install(bot)
    bot.fake.fail_next("oauth.v2.access", error)
    code = bot.fake.install_code("T2")

    page = redirect(bot, consent, code=code, state=consent.state)

    assert code not in caplog.text

    assert_plain_refusal(page, status=401, says="did not confirm")
    assert installations(bot) == before
    assert bot.fake.last("oauth.v2.access").outcome == f"error:{error}"


def test_a_code_cannot_be_exchanged_twice(bot: RunningBot) -> None:
    code = bot.fake.install_code("T1")
    first = start_install(bot)
    assert redirect(bot, first, code=code, state=first.state).status == 200
    before = installations(bot)
    second = start_install(bot)

    page = redirect(bot, second, code=code, state=second.state)

    assert_plain_refusal(page, status=401, says="did not confirm")
    assert installations(bot) == before


def test_the_install_pages_answer_get_only(bot: RunningBot) -> None:
    reply = bot.slack.post("", content_type="text/plain", path="/slack/install")
    assert reply.status == 405


def test_a_token_replaced_on_another_replica_is_looked_up_again_not_failed(
    bot: RunningBot,
) -> None:
    """The dispatcher keeps each workspace's client a little while; when Slack refuses its
    token because the workspace was installed again elsewhere, it looks again and retries."""
    bot.fake.add_user("U1B", team_id="T1", tz="Europe/London")
    install(bot, "T1")
    alpha = in_workspace(bot, "T1")
    ask(alpha, "U1", focus=["leadership"])  # waitlisted: a DM with the first token
    old = bot.fake.bot_token("T1")
    assert bot.dms("U1") and bot.fake.delivered("chat.postMessage")[-1].token == old

    # another replica completes a reinstall: Slack revokes the old token, the new one is stored
    bot.fake.uninstall("T1")
    code = bot.fake.install_code("T1")
    minted = WebClient(base_url=bot.fake.url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    elsewhere = installation_store(bot.runtime.settings, bot.runtime.database)
    elsewhere.save(
        Installation(
            app_id="A0MENTOR", team_id="T1", bot_token=minted["access_token"], user_id="UINSTALLER"
        )
    )

    ask(alpha, "U1B", focus=["leadership"])
    to_u1b = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "U1B"]
    assert [(c.token, c.outcome) for c in to_u1b] == [(old, "error:token_revoked")]
    bot.tick(timedelta(seconds=30))

    delivered = bot.fake.delivered("chat.postMessage")[-1]
    assert delivered.params["channel"] == "U1B"
    assert delivered.token == minted["access_token"]
