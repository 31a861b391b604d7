"""Alembic runs with the engine the app already built (passed in ``config.attributes``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from storage.models import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through storage.Database.migrate()")

# Replicas start together and each migrates: on PostgreSQL one takes this lock for its
# transaction, the others wait, then read the new revision and find nothing left to do.
MIGRATION_LOCK = 0x6D656E746F72  # "mentor"

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
