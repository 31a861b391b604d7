"""Redrawing every copy of a session's "did you meet?" once it is answered, however it was
answered (its buttons, or a reply in the DM), in each workspace the pair's copies are in."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.sessions.results import Recorded
from handlers.kit.clients import WorkspaceClients
from handlers.sessions import blocks as session_blocks

log = logging.getLogger(__name__)


def redraw_checks(
    services: Services,
    clients: WorkspaceClients,
    client: WebClient,
    recorded: Recorded,
    *,
    team_id: str,
    partnership_id: int,
    also: Iterable[tuple[str, str]] = (),
) -> None:
    """Both "did you meet?" messages show the answer (``also``: the message clicked, when it
    is not among the recorded ones). The partner's copy in another workspace is redrawn with
    that workspace's token, the answerer named there in words: a mention would not resolve."""
    text, blocks = session_blocks.check_answered_message(
        start=recorded.log.occurrence_start,
        outcome=recorded.log.outcome,
        answered_by=recorded.log.answered_by,
        held=services.sessions.held(team_id, partnership_id),
        partnership_id=partnership_id,
    )
    targets = set(recorded.messages) | set(also)
    redraw = [(client, channel, ts) for channel, ts in sorted(targets)]
    for team, channel, ts in recorded.elsewhere:
        other = clients.of(team, current_team=team_id, current=client)
        if other is not None:
            redraw.append((other, channel, ts))
    answerer = {recorded.log.answered_by: team_id} if recorded.first else {}
    for reach, channel, ts in redraw:
        shown, drawn = (
            (text, blocks) if reach is client else clients.names.named((text, blocks), answerer)
        )
        try:
            reach.chat_update(channel=channel, ts=ts, text=shown, blocks=drawn)
        except SlackApiError as error:
            log.warning("chat.update %s/%s failed: %s", channel, ts, error.response.get("error"))
