"""Rows of removed workspaces, and slack-sdk's installation tables."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class WorkspaceRemovalRow(Base):
    """A workspace that uninstalled the app: its data is kept until ``purge_after``, in case
    it comes back; reinstalling deletes this row."""

    __tablename__ = "workspace_removals"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    removed_at: Mapped[datetime]
    purge_after: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(32))


# slack-sdk's installation and OAuth state tables, built by slack-sdk itself so its stores read
# and write them as they expect, but declared here so that Alembic creates them and the schema
# test compares them. Token columns are wider than slack-sdk's 200 characters: they hold
# Fernet ciphertext, about 2.5 times the token's length.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)


SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")


SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)


SEALED_COLUMNS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)


for _table in (SLACK_INSTALLATIONS, SLACK_BOTS):
    for _name in SEALED_COLUMNS:
        if _name in _table.c:
            _table.c[_name].type = String(1000)
