"""Each workspace's installation, in our database, with its tokens sealed.

slack-sdk's SQLAlchemy stores do the work (Bolt's OAuth flow and ``authorize`` speak to them);
these subclasses only point them at the tables our migrations create (``storage.models``)
and pass every token through the ``Cipher`` on its way in and out, so a database dump or
backup holds no usable token.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime
from typing import Any, TypeVar

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, delete

from storage.crypto import Cipher
from storage.models.base import Base
from storage.models.workspaces import (
    SEALED_COLUMNS,
    SLACK_BOTS,
    SLACK_INSTALLATIONS,
    SLACK_OAUTH_STATES,
)

log = logging.getLogger(__name__)

_SEALED_PREFIX = "gAAAAA"  # every Fernet token's first bytes; no Slack token starts so
Record = TypeVar("Record", Installation, Bot)


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's installation store whose token columns hold ciphertext only."""

    def __init__(self, *, client_id: str, engine: Engine, cipher: Cipher) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self.metadata = Base.metadata
        self.bots = SLACK_BOTS
        self.installations = SLACK_INSTALLATIONS
        self._cipher = cipher

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = super().find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found) if found is not None else None

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = super().find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found) if found is not None else None

    def delete_workspace(self, team_id: str) -> None:
        """Forget every installation and bot of a workspace (uninstalled, or tokens revoked)."""
        self.delete_installation(enterprise_id=None, team_id=team_id)
        self.delete_bot(enterprise_id=None, team_id=team_id)

    def _sealed(self, record: Record) -> Record:
        # slack-sdk's save() passes installation.to_bot() of the sealed copy to save_bot():
        # what is sealed already stays as it is.
        sealed = copy.copy(record)
        for name in SEALED_COLUMNS:
            value: Any = getattr(sealed, name, None)
            if isinstance(value, str) and value and not value.startswith(_SEALED_PREFIX):
                setattr(sealed, name, self._cipher.encrypt(value))
        return sealed

    def _opened(self, record: Record) -> Record:
        # Values already in clear (find_installation copies find_bot's opened token) pass
        # through decrypt unchanged: they carry no Fernet prefix.
        for name in SEALED_COLUMNS:
            value: Any = getattr(record, name, None)
            if isinstance(value, str) and value:
                setattr(record, name, self._cipher.decrypt(value))
        return record


class SqlOAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack-sdk's OAuth state store on our migrated table: a state is good once, for
    ``expiration_seconds``, on whichever replica the browser comes back to."""

    def __init__(self, *, engine: Engine, expiration_seconds: int = 600) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=log)
        self.metadata = Base.metadata
        self.oauth_states = SLACK_OAUTH_STATES

    def forget_expired(self) -> int:
        """Delete states nobody came back with: each visit to the install page leaves one."""
        now = datetime.now(UTC).replace(tzinfo=None)  # slack-sdk stores naive UTC
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(self.oauth_states).where(self.oauth_states.c.expire_at <= now)
            )
        return int(getattr(result, "rowcount", 0) or 0)
