"""oauth.v2.access and the workspaces it installs: codes, minted bot tokens, uninstalls.

A call's token decides its workspace, so several installed workspaces can share one local
Slack, each seeing only its own members.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sandbox.slack.records import slack_error, text_of
from sandbox.slack.state import SlackState


class InstallMethods(SlackState):
    """Installing the app by OAuth, as a test or the sandbox drives it."""

    def set_oauth_answer(self, answer: Mapping[str, Any]) -> None:
        """Replace the oauth.v2.access answer; include ``"ok": False`` to make it fail."""
        with self._lock:
            self._oauth_answer = {"ok": True, **copy.deepcopy(dict(answer))}

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """oauth.v2.access then refuses other credentials, as Slack does."""
        with self._lock:
            self._oauth_client = (client_id, client_secret)

    def install_code(self, team_id: str, *, name: str | None = None) -> str:
        """What Slack hands the app's redirect after someone approves installing it into
        ``team_id``: a code oauth.v2.access exchanges, once, for a new bot token there."""
        with self._lock:
            code = f"{team_id}.{self._next_id('code')}"
            self._install_codes[code] = (team_id, name or f"Workspace {team_id}")
            return code

    def bot_token(self, team_id: str) -> str | None:
        """The live bot token the latest install into ``team_id`` minted, if any."""
        with self._lock:
            live = [t for t, team in self._token_teams.items() if team == team_id]
            live = [t for t in live if t not in self._revoked]
            return live[-1] if live else None

    def uninstall(self, team_id: str) -> None:
        """Revoke every token of ``team_id``: their calls answer ``token_revoked`` from now."""
        with self._lock:
            self._revoked.update(t for t, team in self._token_teams.items() if team == team_id)

    def team_of(self, token: str | None) -> str | None:
        """The workspace an installed token belongs to (None for tokens given, not minted)."""
        with self._lock:
            return self._token_teams.get(token or "")

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("client_id"):
            return slack_error("invalid_client_id")
        if self._oauth_client is not None:
            if text_of(p.get("client_id")) != self._oauth_client[0]:
                return slack_error("invalid_client_id")
            if text_of(p.get("client_secret")) != self._oauth_client[1]:
                return slack_error("bad_client_secret")
        code = text_of(p.get("code"))
        if not code and not p.get("refresh_token"):
            return slack_error("invalid_code")
        if code.startswith("T") and "." in code:  # one of install_code's: good once
            issued = self._install_codes.pop(code, None)
            if issued is None:
                return slack_error("invalid_code")
            team_id, team_name = issued
            token = f"xoxb-{team_id}-{self._next_id('')}-fake"
            self._token_teams[token] = team_id
            return {
                **copy.deepcopy(self._oauth_answer),
                "access_token": token,
                "team": {"id": team_id, "name": team_name},
            }
        return copy.deepcopy(self._oauth_answer)
