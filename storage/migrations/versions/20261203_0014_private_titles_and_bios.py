"""milestone titles and mentor bios private

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00.000000

The columns stay TEXT (``PrivateText`` is ciphertext in a TEXT column), so only the rows
change: with a key configured (``Database.use_cipher`` before ``migrate``) every plain title
and bio is encrypted here, because a milestone is never saved again and "encrypted when next
saved" would leave it readable for good. Without a key nothing changes: the rows read as
before and are encrypted when saved after a key is set, like every other ``PrivateText``.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from storage.models.base import cipher_of

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PRIVATE = (("milestones", "title"), ("mentor_profiles", "bio"))
SEALED = "gAAAAA"  # how every Fernet token begins (storage/crypto.py)


def _rewrite(change: Callable[[str], str]) -> None:
    bind = op.get_bind()
    for name, column in PRIVATE:
        table = sa.table(name, sa.column("id", sa.Integer), sa.column(column, sa.Text))
        text = table.c[column]
        for row_id, value in bind.execute(sa.select(table.c.id, text).where(text != "")).all():
            if (changed := change(value)) != value:
                bind.execute(sa.update(table).where(table.c.id == row_id).values({column: changed}))


def upgrade() -> None:
    cipher = cipher_of(op.get_bind().dialect)
    if cipher.enabled:
        _rewrite(lambda value: value if value.startswith(SEALED) else cipher.encrypt(value))


def downgrade() -> None:
    """Plain again for the code before this revision, which reads these columns as text."""
    cipher = cipher_of(op.get_bind().dialect)
    if cipher.enabled:
        _rewrite(cipher.decrypt)
