"""The tables, one module per feature; importing the package registers them all.

``Base.metadata`` is what Alembic and the tests read, so every feature's module is imported
here. The column types are re-exported for the migrations, which name them as
``storage.models.UTCDateTime`` and must keep working as written.
"""

from storage.models import (
    announcements,
    conversation,
    coordination,
    journal,
    matching,
    outbox,
    pair_channels,
    programs,
    rhythm,
    sessions,
    workspaces,
    zones,
)
from storage.models.base import Base, PrivateText, SealedPayload, UTCDateTime

__all__ = [
    "Base",
    "PrivateText",
    "SealedPayload",
    "UTCDateTime",
    "announcements",
    "conversation",
    "coordination",
    "journal",
    "matching",
    "outbox",
    "pair_channels",
    "programs",
    "rhythm",
    "sessions",
    "workspaces",
    "zones",
]
