"""Another workspace's Web API client, for what a click in one Slack changes in another.

In a pair across workspaces, a click in one person's Slack may redraw a message or a Home tab
in their partner's: that needs the partner's workspace's token, not the request's. The app
is given the dispatcher's clients by workspace at start-up (``client_for``); without them
(tests of one workspace, the sandbox) only the request's own workspace is reached.
"""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.kit.names import ClientFor, PeopleNames

__all__ = ["ClientFor", "WorkspaceClients"]


class WorkspaceClients:
    def __init__(
        self, client_for: ClientFor | None = None, *, names: PeopleNames | None = None
    ) -> None:
        self._client_for = client_for
        self.names = names or PeopleNames(client_for)
        """Partners of another workspace named in words in what the handlers draw."""

    def of(self, team_id: str, *, current_team: str, current: WebClient) -> WebClient | None:
        """The client for ``team_id``: the request's own when it is that workspace's, else
        that workspace's installation's (None when it has none)."""
        if team_id == current_team or not team_id:
            return current
        return self._client_for(team_id) if self._client_for is not None else None
