"""Installing the bot into workspaces the way a browser and Slack do it, over HTTP.

The installer opens ``/slack/install`` (the bot sets a state cookie and links to Slack's
consent page with the same state), approves in Slack, and Slack sends the browser back to
``/slack/oauth_redirect?code=...&state=...``; the bot exchanges the code at the fake Slack.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import sqlalchemy as sa
from cryptography.fernet import Fernet

from storage.models.base import Base
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.support.signed import SignedSlack

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"
ENCRYPTION_KEY = Fernet.generate_key().decode()


def oauth_settings(**more: Any) -> dict[str, Any]:
    """``settings_overrides`` for a bot installed by OAuth: no bot token, client credentials."""
    return {
        "slack_bot_token": None,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "mentorbot_encryption_key": ENCRYPTION_KEY,
        **more,
    }


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def get(url: str, *, cookie: str | None = None) -> Page:
    """A browser's GET, without following redirects; error statuses are answers too."""
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=10) as response:
            return Page(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, dict(error.headers), error.read().decode())


@dataclass
class Consent:
    """What the install page gave the browser: Slack's consent URL and the state cookie."""

    url: str
    state: str
    cookie: str


def start_install(bot: RunningBot) -> Consent:
    page = get(f"{bot.slack.url}/slack/install")
    assert page.status == 200, page.text
    links = re.findall(r'href="([^"]+)"', page.text)
    consent = next(unescape(link) for link in links if "/oauth/v2/authorize" in link)
    state = parse_qs(urlsplit(consent).query)["state"][0]
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    assert cookie == f"slack-app-oauth-state={state}"
    return Consent(url=consent, state=state, cookie=cookie)


def redirect(bot: RunningBot, consent: Consent | None, **query: str) -> Page:
    """Slack sends the installer's browser back to the bot with ``query``."""
    return get(
        f"{bot.slack.url}/slack/oauth_redirect?{urlencode(query)}",
        cookie=consent.cookie if consent is not None else None,
    )


def install(bot: RunningBot, team_id: str, *, name: str | None = None) -> Page:
    """Install into ``team_id`` through the whole flow; the bot's answer page."""
    consent = start_install(bot)
    code = bot.fake.install_code(team_id, name=name)
    page = redirect(bot, consent, code=code, state=consent.state)
    assert page.status == 200, page.text
    return page


def as_team(bot: RunningBot, team_id: str) -> SignedSlack:
    """Slack's signed requests from another workspace, to the same bot."""
    return SignedSlack(
        url=bot.slack.url,
        signing_secret=SIGNING_SECRET,
        team_id=team_id,
        # named after the workspace: what the bot answers there can be told apart
        response_url=lambda name: bot.fake.response_url(f"{team_id}-{name}"),
    )


def in_workspace(bot: RunningBot, team_id: str) -> RunningBot:
    """The same running bot, driven by people of another workspace (for the journeys)."""
    return RunningBot(
        runtime=bot.runtime, slack=as_team(bot, team_id), fake=bot.fake, clock=bot.clock
    )


def team_rows(bot: RunningBot, team_id: str) -> dict[str, int]:
    """How many rows each table holds for ``team_id`` (every table with a team_id column)."""
    counts: dict[str, int] = {}
    with bot.runtime.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if "team_id" in table.c:
                query = sa.select(sa.func.count()).select_from(table)
                counts[table.name] = connection.scalar(query.where(table.c.team_id == team_id)) or 0
    return counts


def outbox(bot: RunningBot, team_id: str, status: str) -> int:
    with bot.runtime.database.engine.connect() as connection:
        return int(
            connection.scalar(
                sa.text(
                    "SELECT count(*) FROM outgoing_messages WHERE team_id = :t AND status = :s"
                ),
                {"t": team_id, "s": status},
            )
            or 0
        )
