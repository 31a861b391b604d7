"""Migrations from an empty database, on SQLite and PostgreSQL, match the models exactly."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import storage.database
from bot.model.messages.journal import Celebration
from bot.model.messages.matching import MentorSuggestions
from storage import Database, SqlUnitOfWork, connect
from storage.crypto import Cipher
from storage.database import alembic_config, normalize_url
from storage.models.base import Base
from storage.models.journal import MilestoneRow
from storage.models.matching import MentorProfileRow, PartnershipRow
from tests.conftest import DATABASE_PREFIX, POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A brand-new database with no tables at all (not even alembic's)."""
    if request.param == "sqlite":
        database = connect(f"sqlite:///{tmp_path / 'fresh.db'}")
        try:
            yield database
        finally:
            database.dispose()
        return

    if not POSTGRES_URL:
        pytest.skip("set MENTORBOT_TEST_POSTGRES_URL to run the PostgreSQL tests")
    admin = sa.create_engine(normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"{DATABASE_PREFIX}migrate_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database = connect(
        sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    )
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def table_names(database: Database) -> set[str]:
    return set(sa.inspect(database.engine).get_table_names())


def all_revisions(database: Database) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(database.engine))
    return [revision.revision for revision in script.walk_revisions()]


def current_heads(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def schema_differences(database: Database, metadata: sa.MetaData) -> list[Any]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrate_builds_every_table_from_an_empty_database(empty_database: Database) -> None:
    assert table_names(empty_database) == set()
    pending = empty_database.pending_migrations()
    assert pending
    assert sorted(pending) == sorted(all_revisions(empty_database))

    empty_database.migrate()

    tables = table_names(empty_database)
    assert set(Base.metadata.tables) <= tables
    assert tables - set(Base.metadata.tables) == {"alembic_version"}
    inspector = sa.inspect(empty_database.engine)
    for table in Base.metadata.sorted_tables:
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        assert columns == set(table.c.keys()), table.name
    assert empty_database.pending_migrations() == []
    script = ScriptDirectory.from_config(alembic_config(empty_database.engine))
    assert current_heads(empty_database) == set(script.get_heads())


def test_migrate_twice_is_a_no_op(empty_database: Database) -> None:
    empty_database.migrate()
    heads = current_heads(empty_database)
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO processed_events (event_id, team_id, received_at) "
                "VALUES ('Ev1', 'T1', :at)"
            ),
            {"at": "2026-03-02 15:00:00+00:00"},
        )

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(empty_database.engine, "before_cursor_execute", record)
    try:
        empty_database.migrate()
    finally:
        sa.event.remove(empty_database.engine, "before_cursor_execute", record)

    changes = [
        s
        for s in statements
        if s.lstrip().split(None, 1)[0].upper() in {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE"}
    ]
    assert changes == []
    assert current_heads(empty_database) == heads
    assert empty_database.pending_migrations() == []
    with empty_database.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM processed_events")) == 1


def test_migrated_schema_matches_the_models(empty_database: Database) -> None:
    empty_database.migrate()
    assert schema_differences(empty_database, Base.metadata) == []


def test_the_schema_comparison_notices_a_model_change(empty_database: Database) -> None:
    """Guard the guard: a model column without a migration must show up as a difference."""
    empty_database.migrate()
    changed = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["mentor_profiles"].append_column(sa.Column("nickname", sa.String(50)))
    changed.tables["outgoing_messages"].c.kind.type = sa.String(10)

    differences = schema_differences(empty_database, changed)
    flat = [d for item in differences for d in (item if isinstance(item, list) else [item])]
    assert any(d[0] == "add_column" and d[3].name == "nickname" for d in flat), differences
    assert any(d[0] == "modify_type" and d[3] == "kind" for d in flat), differences


def pragma(connection: Any, name: str) -> Any:
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]
    finally:
        cursor.close()


def test_sqlite_pragmas_are_on_for_every_connection(tmp_path: Path) -> None:
    database = connect(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        database.migrate()
        # Two connections held at once, so they are two distinct pooled connections. Raw DBAPI
        # connections: the engine's connections begin IMMEDIATE, and would wait for each other.
        connections = [database.engine.raw_connection() for _ in range(2)]
        try:
            for connection in connections:
                assert pragma(connection, "journal_mode") == "wal"
                assert pragma(connection, "foreign_keys") == 1
                busy = pragma(connection, "busy_timeout")
                assert isinstance(busy, int) and busy > 0
        finally:
            for connection in connections:
                connection.close()
    finally:
        database.dispose()


def _add_empty_revisions(tmp_path: Path, *revisions: tuple[str, str]) -> Path:
    migrations = tmp_path / "migrations"
    shutil.copytree(storage.database.MIGRATIONS, migrations)
    for revision, down in revisions:
        (migrations / "versions" / f"29990101_{revision}_noop.py").write_text(
            f'revision = "{revision}"\n'
            f'down_revision = "{down}"\n'
            "branch_labels = None\n"
            "depends_on = None\n\n\n"
            "def upgrade() -> None:\n    pass\n\n\n"
            "def downgrade() -> None:\n    pass\n"
        )
    return migrations


def test_pending_migrations_lists_only_unapplied_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (head,) = ScriptDirectory(str(storage.database.MIGRATIONS)).get_heads()
    migrations = _add_empty_revisions(tmp_path, ("9002", head), ("9003", "9002"))
    monkeypatch.setattr(storage.database, "MIGRATIONS", migrations)
    database = connect(f"sqlite:///{tmp_path / 'steps.db'}")
    try:
        command.upgrade(alembic_config(database.engine), "9002")
        assert current_heads(database) == {"9002"}
        assert database.pending_migrations() == ["9003"]
    finally:
        database.dispose()


def test_the_lease_token_migration_keeps_the_outbox_rows_it_finds(
    empty_database: Database,
) -> None:
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0011")
    row = {
        "team_id": "T1",
        "kind": "mentee.suggestions",
        "recipient": "U1",
        "key": "k",
        "due_at": "2026-12-01 10:00:00",
        "payload": "{}",
        "status": "sending",
        "attempts": 0,
        "last_error": "",
        "claimed_by": "old-worker",
    }
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO outgoing_messages (team_id, kind, recipient, key, due_at, payload,"
                " status, attempts, last_error, claimed_by) VALUES (:team_id, :kind,"
                " :recipient, :key, :due_at, :payload, :status, :attempts, :last_error,"
                " :claimed_by)"
            ),
            row,
        )

    command.upgrade(config, "head")

    columns = {
        c["name"] for c in sa.inspect(empty_database.engine).get_columns("outgoing_messages")
    }
    assert "lease_token" in columns
    with empty_database.engine.connect() as connection:
        kept = connection.execute(
            sa.text("SELECT claimed_by, lease_token FROM outgoing_messages WHERE key = 'k'")
        ).one()
    assert tuple(kept) == ("old-worker", None)


BIO, TITLE = "Twenty years of salary talks", "Got the promotion"


def _plain_bio_and_title(database: Database) -> None:
    """A mentor's bio and a personal milestone as 0013 stored them: plain text."""
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    with database.engine.begin() as connection:
        for user, bio in (("UM1", BIO), ("UM2", "")):
            connection.execute(
                sa.insert(MentorProfileRow.__table__).values(
                    team_id="T1", user_id=user, expertise=["x"], bio=bio, capacity=1,
                    languages=["en"], tz="UTC", tz_offset=0, accepting=True,
                )
            )  # fmt: skip
        connection.execute(
            sa.insert(PartnershipRow.__table__).values(
                id=1, team_id="T1", mentor_id="UM1", mentee_id="UE1", started_at=at, ends_at=at,
                status="active",
            )
        )  # fmt: skip
        connection.execute(
            sa.insert(MilestoneRow.__table__).values(
                team_id="T1", partnership_id=1, key="personal:1", title=TITLE, achieved_at=at,
                personal=True, created_by="UE1",
            )
        )  # fmt: skip


def _raw(database: Database) -> tuple[list[str], list[str]]:
    with database.engine.connect() as connection:
        bios = list(connection.scalars(sa.text("SELECT bio FROM mentor_profiles ORDER BY id")))
        titles = list(connection.scalars(sa.text("SELECT title FROM milestones")))
    return bios, titles


def test_the_private_titles_migration_encrypts_the_bios_and_titles_it_finds(
    empty_database: Database,
) -> None:
    """With a key set, rows written before milestone titles and bios were private are
    encrypted by the migration (a milestone is never saved again); they still read."""
    key = Cipher.generate_key()
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0013")
    _plain_bio_and_title(empty_database)
    empty_database.use_cipher(Cipher(key))

    command.upgrade(config, "head")

    [bio, empty], [title] = _raw(empty_database)
    assert bio.startswith("gAAAAA") and BIO not in bio and empty == ""
    assert title.startswith("gAAAAA") and TITLE not in title
    with SqlUnitOfWork(empty_database.sessions) as uow:
        mentor = uow.mentors.get("T1", "UM1")
        assert mentor is not None and mentor.bio == BIO
        assert [m.bio for m in uow.mentors.accepting("T1")] == [BIO, ""]
        assert [m.title for m in uow.journal.milestones("T1", 1)] == [TITLE]

    command.downgrade(config, "0013")  # the older code reads plain text again
    assert _raw(empty_database) == ([BIO, ""], [TITLE])


def test_without_a_key_the_private_titles_migration_leaves_the_rows_as_they_are(
    empty_database: Database,
) -> None:
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0013")
    _plain_bio_and_title(empty_database)
    command.upgrade(config, "head")
    assert _raw(empty_database) == ([BIO, ""], [TITLE])
    with SqlUnitOfWork(empty_database.sessions) as uow:
        assert [m.title for m in uow.journal.milestones("T1", 1)] == [TITLE]


QUEUED_BIO, QUEUED_TITLE = "Ten years of hiring", "Our first offsite"


def _plain_queued_copies(database: Database) -> None:
    """A suggestion and a celebration as the code before 0017 queued them: bio and title plain."""
    rows = [
        (
            "mentee.suggestions",
            {
                "request_id": 1,
                "context": "first",
                "candidates": [
                    {"mentor_id": "UM1", "score": 0.5, "reason": "shares x", "bio": QUEUED_BIO},
                    {"mentor_id": "UM2", "score": 0.4, "reason": "shares y", "bio": ""},
                ],
            },
        ),
        (
            "journal.celebration",
            {
                "partnership_id": 1,
                "partner_id": "UM1",
                "title": QUEUED_TITLE,
                "personal": True,
                "created_by": "UE1",
                "wording": 2,
            },
        ),
    ]
    with database.engine.begin() as connection:
        for n, (kind, payload) in enumerate(rows):
            connection.execute(
                sa.insert(sa.table(
                    "outgoing_messages", sa.column("team_id"), sa.column("kind"),
                    sa.column("recipient"), sa.column("key"), sa.column("due_at"),
                    sa.column("payload", sa.JSON), sa.column("status"), sa.column("attempts"),
                    sa.column("last_error"),
                )).values(
                    team_id="T1", kind=kind, recipient="UE1", key=f"k{n}",
                    due_at=datetime(2026, 3, 2, 15, tzinfo=UTC), payload=payload,
                    status="pending", attempts=0, last_error="",
                )
            )  # fmt: skip


def _raw_copies(database: Database) -> tuple[list[str], str]:
    with database.engine.connect() as connection:
        rows = dict(
            connection.execute(
                sa.select(sa.column("kind"), sa.column("payload", sa.JSON)).select_from(
                    sa.table("outgoing_messages")
                )
            ).all()
        )
    bios = [c["bio"] for c in rows["mentee.suggestions"]["candidates"]]
    return bios, rows["journal.celebration"]["title"]


def test_the_private_payloads_migration_seals_the_copies_already_queued(
    empty_database: Database,
) -> None:
    """With a key set, bios and titles queued plain by older code are sealed by 0017 (the
    storage layer seals such fields from now on); they still read, and 0015 reads them
    plain again after a downgrade."""
    key = Cipher.generate_key()
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0015")
    _plain_queued_copies(empty_database)
    empty_database.use_cipher(Cipher(key))

    command.upgrade(config, "head")

    [bio, empty], title = _raw_copies(empty_database)
    assert bio.startswith("gAAAAA") and QUEUED_BIO not in bio and empty == ""
    assert title.startswith("gAAAAA") and QUEUED_TITLE not in title
    with SqlUnitOfWork(empty_database.sessions) as uow:
        queued = {m.kind: m.payload for m in uow.outbox.due_preview(now=datetime.now(UTC), limit=5)}
    suggestions = queued["mentee.suggestions"]
    assert isinstance(suggestions, MentorSuggestions)
    assert [c.bio for c in suggestions.candidates] == [QUEUED_BIO, ""]
    celebration = queued["journal.celebration"]
    assert isinstance(celebration, Celebration) and celebration.title == QUEUED_TITLE

    command.downgrade(config, "0015")  # the older code reads them as plain text
    assert _raw_copies(empty_database) == ([QUEUED_BIO, ""], QUEUED_TITLE)


def test_without_a_key_the_private_payloads_migration_leaves_the_queue_as_it_is(
    empty_database: Database,
) -> None:
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0015")
    _plain_queued_copies(empty_database)
    command.upgrade(config, "head")
    assert _raw_copies(empty_database) == ([QUEUED_BIO, ""], QUEUED_TITLE)


def test_a_slot_from_before_session_rules_reads_as_one_day_every_so_many_weeks(
    empty_database: Database,
) -> None:
    """Slots saved before several days and monthly rules keep meaning what they meant."""
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0020")
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.insert(PartnershipRow.__table__).values(
                id=1, team_id="T1", mentor_id="UM1", mentee_id="UE1", started_at=at, ends_at=at,
                status="active",
            )
        )  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO session_slots (team_id, partnership_id, tz, local_time, weekday,"
                " every_weeks, first_date, duration_minutes, set_by, version, skipped, moved)"
                " VALUES ('T1', 1, 'Europe/Berlin', '15:00', 1, 2, '2026-03-03', 45, 'UE1', 1,"
                " '[]', '{}')"
            )
        )

    command.upgrade(config, "head")

    with SqlUnitOfWork(empty_database.sessions) as uow:
        slot = uow.sessions.slot("T1", 1)
    assert slot is not None and slot.days is None and slot.monthly_ordinal is None
    assert slot.describe() == "every other Tuesday at 15:00 (Europe/Berlin), 45 minutes"
    starts = [o.start for o in slot.occurrences(after=at, limit=2)]
    assert starts == [datetime(2026, 3, 3, 14, tzinfo=UTC), datetime(2026, 3, 17, 14, tzinfo=UTC)]
    command.downgrade(config, "0020")
    columns = {c["name"] for c in sa.inspect(empty_database.engine).get_columns("session_slots")}
    assert "days" not in columns and "monthly_ordinal" not in columns


def test_pairs_from_before_shared_programs_live_in_their_own_workspace(
    empty_database: Database,
) -> None:
    """Both people of an existing pair or proposal are of the row's workspace; downgrading
    takes the columns away again."""
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0022")
    at = datetime(2026, 3, 2, 15, tzinfo=UTC)
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.insert(PartnershipRow.__table__).values(
                id=1, team_id="T1", mentor_id="UM1", mentee_id="UE1", started_at=at, ends_at=at,
                status="active",
            )
        )  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO match_proposals (team_id, request_id, mentee_id, mentor_id, score,"
                " reason, status, decline_reason, decline_choice)"
                " VALUES ('T2', 7, 'UE2', 'UM2', 3, 'r', 'pending', '', '')"
            )
        )

    command.upgrade(config, "head")

    with SqlUnitOfWork(empty_database.sessions) as uow:
        pair = uow.partnerships.get("T1", 1)
        [proposal] = uow.proposals.for_mentor("T2", "UM2")
    assert pair is not None and (pair.mentee_team_id, pair.mentor_team_id) == ("T1", "T1")
    assert not pair.across_workspaces and pair.includes("T1", "UM1")
    assert not pair.includes("T2", "UM1")
    assert (proposal.mentee_team_id, proposal.mentor_team_id) == ("T2", "T2")
    with empty_database.engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT mentee_team_id, mentor_team_id FROM partnerships")
        ).one()
    assert tuple(stored) == ("T1", "T1")
    command.downgrade(config, "0022")
    columns = {c["name"] for c in sa.inspect(empty_database.engine).get_columns("partnerships")}
    assert "mentee_team_id" not in columns and "mentor_team_id" not in columns


def test_profiles_from_before_change_numbers_are_older_than_any_copy(
    empty_database: Database,
) -> None:
    """Existing profiles carry change number 0 and the versions structure 0: an index's
    first read is whole, and only rows written afterwards are read as changes; downgrading
    takes the columns and the index away again."""
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "0026")
    with empty_database.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO mentor_profiles (team_id, user_id, expertise, bio, organization,"
                " capacity, languages, tz, tz_offset, accepting)"
                " VALUES ('T1', 'UM1', '[\"x\"]', '', '', 1, '[]', 'UTC', 0, true)"
            )
        )
        connection.execute(
            sa.text("INSERT INTO matching_versions (team_id, mentors, loads) VALUES ('T1', 4, 2)")
        )

    command.upgrade(config, "head")

    with SqlUnitOfWork(empty_database.sessions) as uow:
        version = uow.mentors.pool_version("T1")
        assert version is not None and (version.mentors, version.structure) == (4, 0)
        assert uow.mentors.pool_changes("T1", {"T1": 0}).user_ids == []
        assert uow.mentors.pool("T1").user_ids == ["UM1"]
    command.downgrade(config, "0026")
    inspector = sa.inspect(empty_database.engine)
    assert "changed" not in {c["name"] for c in inspector.get_columns("mentor_profiles")}
    assert "structure" not in {c["name"] for c in inspector.get_columns("matching_versions")}
    assert "ix_mentor_profiles_team_changed" not in {
        i["name"] for i in inspector.get_indexes("mentor_profiles")
    }
