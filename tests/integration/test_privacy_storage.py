"""Erasing one person in storage, on SQLite and PostgreSQL: every mention goes, whole IDs
only (``UE1`` never touches ``UE10``), one workspace only, and encrypted text is searched too."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.model.announcements import Announcement, AnnouncementStatus, Audience
from bot.model.audit import AuditEvent
from bot.model.cohort import CohortPlan, PlannedPair
from bot.model.journal import Reflection, Visibility
from bot.model.messages.rhythm import AtRisk
from bot.model.outbox import OutgoingMessage
from bot.model.partnership import Partnership
from storage import Database, SqlUnitOfWork
from storage.crypto import Cipher
from storage.models.base import Base
from storage.privacy import mentions

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
GONE, NEIGHBOUR, MENTOR = "UE1", "UE10", "UM1"


def traces(database: Database, user_id: str) -> list[str]:
    found = []
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                rows = connection.execute(
                    sa.select(sa.cast(column, sa.Text)).where(
                        sa.cast(column, sa.Text).like(f"%{user_id}%")
                    )
                ).scalars()
                if any(mentions(user_id).search(str(v)) for v in rows):
                    found.append(f"{table.name}.{column.name}")
    return found


def seed(database: Database, team: str) -> int:
    with SqlUnitOfWork(database.sessions) as uow:
        partnership = uow.partnerships.save(
            Partnership(
                team_id=team,
                mentor_id=MENTOR,
                mentee_id=GONE,
                request_id=None,
                started_at=NOW,
                ends_at=NOW,
            )
        )
        assert partnership.id is not None
        uow.cohort_plans.save(
            CohortPlan(
                team_id=team,
                created_by="UCOORD1",
                created_at=NOW,
                pairs=[
                    PlannedPair(request_id=1, mentee_id=GONE, mentor_id=MENTOR, score=9, reason=""),
                    PlannedPair(
                        request_id=2, mentee_id=NEIGHBOUR, mentor_id=MENTOR, score=8, reason=""
                    ),
                ],
                unmatched=[GONE, NEIGHBOUR],
                total_fit=17,
            )
        )
        uow.audit.add(
            AuditEvent(
                team_id=team,
                actor_id="UCOORD1",
                action="pair.check_in",
                subject=f"person:{GONE}",
                at=NOW,
                detail={"who": [GONE, NEIGHBOUR], GONE: 1},
            )
        )
        uow.announcements.save(
            Announcement(
                team_id=team,
                author_id="UCOORD1",
                text=f"Welcome <@{GONE}> and <@{NEIGHBOUR}>!",
                audience=Audience.CHANNEL,
                send_at=None,
                status=AnnouncementStatus.SENT,
            )
        )
        # the partner's reflection mentions them, inside encrypted text
        uow.journal.save_reflection(
            Reflection(
                team_id=team,
                partnership_id=partnership.id,
                author_id=MENTOR,
                topics=f"Talked with <@{GONE}> about <@{NEIGHBOUR}>",
                learned="",
                next_steps="",
                visibility=Visibility.PRIVATE,
            )
        )
        uow.outbox.add(
            OutgoingMessage(
                team_id=team,
                kind="coordinator.at_risk",
                recipient="UCOORD1",
                key="rhythm:1:shared",
                due_at=NOW,
                payload=AtRisk(
                    partnership_id=99,  # not theirs: found by the mention inside the note
                    mentor_id="UOTHER1",
                    mentee_id="UOTHER2",
                    signal="shared",
                    detail="",
                    author_id="UOTHER1",
                    shared_note=f"<@{GONE}> is struggling",
                ),
            )
        )
        uow.commit()
        return partnership.id


def test_every_mention_goes_whole_ids_only_in_one_workspace(database: Database) -> None:
    database.use_cipher(Cipher(Cipher.generate_key()))
    try:
        seed(database, "T0001")
        seed(database, "T0002")
        with SqlUnitOfWork(database.sessions) as uow:
            erasure = uow.people.erase("T0001", GONE, placeholder="erased-abc")
            uow.commit()
        assert erasure.counts["messages"] == 1  # the note about them, found inside ciphertext
        with SqlUnitOfWork(database.sessions) as uow:
            [plan] = [uow.cohort_plans.get("T0001", 1)]
            assert plan is not None
            assert [p.mentee_id for p in plan.pairs] == ["erased-abc", NEIGHBOUR]
            assert plan.unmatched == ["erased-abc", NEIGHBOUR]
            [event] = uow.audit.recent("T0001", limit=1)
            assert event.subject == "person:erased-abc"
            assert event.detail == {"who": ["erased-abc", NEIGHBOUR], "erased-abc": 1}
            [reflection] = uow.journal.reflections("T0001", authors=(MENTOR,))
            assert reflection.topics == f"Talked with <@erased-abc> about <@{NEIGHBOUR}>"
            # the other workspace is untouched
            [other] = uow.journal.reflections("T0002", authors=(MENTOR,))
            assert GONE in other.topics
        with database.engine.connect() as connection:
            teams = connection.execute(
                sa.text("SELECT team_id FROM partnerships WHERE mentee_id = 'erased-abc'")
            ).scalars()
            assert list(teams) == ["T0001"]
    finally:
        database.use_cipher(Cipher(None))
    # Without the key the partner's reflection in T0001 no longer names them either.
    leftover = traces(database, GONE)
    assert leftover  # T0002 still has them
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                values = connection.execute(
                    sa.select(sa.cast(column, sa.Text)).where(table.c.team_id == "T0001")
                    if "team_id" in table.c
                    else sa.select(sa.cast(column, sa.Text)).where(sa.false())
                ).scalars()
                assert not any(mentions(GONE).search(str(v)) for v in values), (
                    f"{table.name}.{column.name}"
                )
