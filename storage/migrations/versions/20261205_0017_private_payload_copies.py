"""copies of personal text in queued payloads private

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 11:00:00.000000

Outbox payloads are typed now, and the storage layer seals every field their type marks
``PrivateText`` (it sealed three key names before: ``note``, ``shared_note``, ``goals``).
With a key configured, the copies older code left plain in rows already queued are sealed
here: a suggestion's mentor bios, a celebration's and a milestone job's title, a shout-out's
headline, a program team's check-in text. The paths are written out as they stand today, so
this revision means the same thing whatever the payload types become. Without a key nothing
changes (there is nothing to seal with).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.models.base import cipher_of

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SEALED = "gAAAAA"  # how every Fernet token begins (storage/crypto.py)
PRIVATE: dict[str, tuple[str, ...]] = {
    "mentee.suggestions": ("candidates", "bio"),
    "journal.celebration": ("title",),
    "journal.shout_out": ("headline",),
    "job.milestone_due": ("title",),
    "coordinator.check_in": ("text",),
}


def _at(value: Any, path: tuple[str, ...], change: Callable[[str], str]) -> Any:
    if isinstance(value, list):
        return [_at(v, path, change) for v in value]
    if not path:
        return change(value) if isinstance(value, str) and value else value
    if isinstance(value, dict) and path[0] in value:
        return {**value, path[0]: _at(value[path[0]], path[1:], change)}
    return value


def _rewrite(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    table = sa.table(
        "outgoing_messages",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("payload", sa.JSON),
    )
    rows = bind.execute(
        sa.select(table.c.id, table.c.kind, table.c.payload).where(
            table.c.kind.in_(sorted(PRIVATE))
        )
    ).all()
    for row_id, kind, payload in rows:
        changed = _at(payload, PRIVATE[kind], change)
        if changed != payload:
            bind.execute(sa.update(table).where(table.c.id == row_id).values(payload=changed))


def upgrade() -> None:
    cipher = cipher_of(op.get_bind().dialect)
    if cipher.enabled:
        _rewrite(lambda value: value if value.startswith(SEALED) else cipher.encrypt(value))


def downgrade() -> None:
    """Plain again for the code before this revision, which reads these fields as text."""
    cipher = cipher_of(op.get_bind().dialect)
    if cipher.enabled:
        _rewrite(cipher.decrypt)
