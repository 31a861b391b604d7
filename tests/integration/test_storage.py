"""The storage layer against real databases: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from bot.matching.suggestions import excluded_for_cohort, excluded_mentors
from bot.model.announcements import Audience
from bot.model.cohort import CohortPlan, PlanStatus
from bot.model.kinds import Kind
from bot.model.messages.announcements import AnnouncementCopy
from bot.model.messages.journal import ShoutOut
from bot.model.outbox import MessageStatus, OutgoingMessage
from bot.model.partnership import (
    MatchProposal,
    MentorProfile,
    MentorRequest,
    Partnership,
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from storage import Database, SqlUnitOfWork
from storage.models.base import Base
from storage.models.matching import (
    MatchProposalRow,
    MentorProfileRow,
    MentorRequestRow,
    PartnershipRow,
)
from storage.models.outbox import OutgoingMessageRow, ProcessedEventRow

T1 = "T0001"
T2 = "T0002"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))
LEASE = timedelta(minutes=5)


# --- helpers -------------------------------------------------------------------------------


def uow(database: Database) -> SqlUnitOfWork:
    return SqlUnitOfWork(database.sessions)


def profile(team: str = T1, user: str = "UMENTOR1", **changes: Any) -> MentorProfile:
    values: dict[str, Any] = {
        "team_id": team,
        "user_id": user,
        "expertise": ["leadership", "career growth", "Führung"],
        "bio": "Ten years of platform teams.",
        "organization": "Acme",
        "capacity": 3,
        "languages": ["en", "de"],
        "tz": "Europe/Berlin",
        "tz_offset": 3600,
        "accepting": True,
        "created_at": datetime(2026, 3, 2, 17, 0, 0, 123456, tzinfo=PLUS_TWO),
        "updated_at": NOW,
    }
    values.update(changes)
    return MentorProfile(**values)


def request_(team: str = T1, mentee: str = "UMENTEE1", **changes: Any) -> MentorRequest:
    values: dict[str, Any] = {
        "team_id": team,
        "mentee_id": mentee,
        "goals": "Lead my first team",
        "focus_areas": ["leadership", "communication"],
        "organization": "Initech",
        "wants_other_org": True,
        "tz": "America/New_York",
        "tz_offset": -18000,
        "status": RequestStatus.MATCHING,
        "created_at": datetime(2026, 3, 2, 17, 0, tzinfo=PLUS_TWO),
    }
    values.update(changes)
    return MentorRequest(**values)


def proposal(
    team: str = T1, request_id: int = 1, mentor: str = "UMENTOR1", **changes: Any
) -> MatchProposal:
    values: dict[str, Any] = {
        "team_id": team,
        "request_id": request_id,
        "mentee_id": "UMENTEE1",
        "mentor_id": mentor,
        "score": 87,
        "reason": "shares leadership",
        "status": ProposalStatus.PENDING,
        "created_at": NOW,
    }
    values.update(changes)
    return MatchProposal(**values)


def partnership(
    team: str = T1, mentor: str = "UMENTOR1", mentee: str = "UMENTEE1", **changes: Any
) -> Partnership:
    values: dict[str, Any] = {
        "team_id": team,
        "mentor_id": mentor,
        "mentee_id": mentee,
        "request_id": None,
        "started_at": datetime(2026, 3, 2, 17, 0, tzinfo=PLUS_TWO),
        "ends_at": datetime(2027, 3, 2, 15, 0, tzinfo=UTC),
        "status": PartnershipStatus.ACTIVE,
    }
    values.update(changes)
    return Partnership(**values)


def message(key: str, team: str = T1, due_at: datetime = NOW, **changes: Any) -> OutgoingMessage:
    values: dict[str, Any] = {
        "team_id": team,
        "kind": Kind.ANNOUNCEMENT,
        "recipient": "U1,U2",
        "key": key,
        "due_at": due_at,
        "payload": copy("hi"),
    }
    values.update(changes)
    return OutgoingMessage(**values)


def copy(text: str) -> AnnouncementCopy:
    return AnnouncementCopy(text=text, author_id="UCOORD1", audience=Audience.EVERYONE)


def outbox_rows(database: Database) -> dict[str, OutgoingMessageRow]:
    """The outbox as stored, keyed by ``team:key``, read in a fresh session."""
    with database.sessions() as session:
        rows = session.scalars(sa.select(OutgoingMessageRow)).all()
        return {f"{row.team_id}:{row.key}": row for row in rows}


def count(database: Database, row_type: type[Base]) -> int:
    with database.sessions() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(row_type)) or 0)


def assert_utc(*values: datetime | None) -> None:
    for value in values:
        assert value is not None
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert value.tzinfo == UTC


def add_messages(database: Database, *messages: OutgoingMessage) -> list[int]:
    with uow(database) as work:
        for m in messages:
            assert work.outbox.add(m) is True
        work.commit()
    return [m.id for m in messages if m.id is not None]


# --- round trips ---------------------------------------------------------------------------


def test_mentor_profile_round_trip(database: Database) -> None:
    saved = profile(accepting=False, tz_offset=-12600)
    with uow(database) as work:
        work.mentors.save(saved)
        work.commit()
    assert saved.id is not None

    with uow(database) as work:
        loaded = work.mentors.get(T1, "UMENTOR1")
    assert loaded == saved
    assert loaded is not None
    assert loaded.expertise == ["leadership", "career growth", "Führung"]
    assert loaded.languages == ["en", "de"]
    assert type(loaded.expertise) is list
    assert loaded.accepting is False
    assert_utc(loaded.created_at, loaded.updated_at)
    assert loaded.created_at == datetime(2026, 3, 2, 15, 0, 0, 123456, tzinfo=UTC)

    # Updating keeps the same row and stores the new list.
    loaded.expertise.append("coaching")
    loaded.capacity = 5
    with uow(database) as work:
        work.mentors.save(loaded)
        work.commit()
    with uow(database) as work:
        again = work.mentors.get(T1, "UMENTOR1")
    assert again is not None
    assert again.id == saved.id
    assert again.expertise == ["leadership", "career growth", "Führung", "coaching"]
    assert again.capacity == 5
    assert count(database, MentorProfileRow) == 1


def test_mentor_request_round_trip(database: Database) -> None:
    saved = request_(status=RequestStatus.WAITLISTED)
    with uow(database) as work:
        work.requests.save(saved)
        work.commit()
    assert saved.id is not None

    with uow(database) as work:
        loaded = work.requests.get(T1, saved.id)
    assert loaded == saved
    assert loaded is not None
    assert type(loaded.status) is RequestStatus
    assert loaded.status is RequestStatus.WAITLISTED
    assert loaded.focus_areas == ["leadership", "communication"]
    assert loaded.wants_other_org is True
    assert loaded.matched_at is None
    assert_utc(loaded.created_at)

    loaded.status = RequestStatus.MATCHED
    loaded.matched_at = datetime(2026, 3, 3, 9, 30, tzinfo=PLUS_TWO)
    with uow(database) as work:
        work.requests.save(loaded)
        work.commit()
    with uow(database) as work:
        again = work.requests.get(T1, saved.id)
    assert again is not None
    assert again.status is RequestStatus.MATCHED
    assert again.matched_at == datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert_utc(again.matched_at)
    assert count(database, MentorRequestRow) == 1


def test_match_proposal_round_trip(database: Database) -> None:
    saved = proposal(
        request_id=42,
        status=ProposalStatus.DECLINED,
        decline_reason="no time this quarter",
        answered_at=datetime(2026, 3, 4, 12, 0, tzinfo=PLUS_TWO),
    )
    with uow(database) as work:
        work.proposals.save(saved)
        work.commit()
    assert saved.id is not None

    with uow(database) as work:
        loaded = work.proposals.get(T1, saved.id)
    assert loaded == saved
    assert loaded is not None
    assert loaded.status is ProposalStatus.DECLINED
    assert loaded.request_id == 42
    assert loaded.score == 87
    assert_utc(loaded.created_at, loaded.answered_at)
    assert loaded.answered_at == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def test_partnership_round_trip(database: Database) -> None:
    saved = partnership(
        status=PartnershipStatus.ENDED,
        ended_at=datetime(2026, 6, 1, 8, 0, tzinfo=PLUS_TWO),
        end_reason="moved on",
    )
    with uow(database) as work:
        work.partnerships.save(saved)
        work.commit()
    assert saved.id is not None

    with uow(database) as work:
        loaded = work.partnerships.get(T1, saved.id)
    assert loaded == saved
    assert loaded is not None
    assert loaded.request_id is None
    assert loaded.status is PartnershipStatus.ENDED
    assert loaded.end_reason == "moved on"
    assert_utc(loaded.started_at, loaded.ends_at, loaded.ended_at)
    assert loaded.started_at == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_outgoing_message_round_trip(database: Database) -> None:
    saved = message(
        "welcome:U1",
        due_at=datetime(2026, 3, 2, 16, 0, tzinfo=PLUS_TWO),  # 14:00 UTC, due at NOW
        expires_at=datetime(2026, 3, 3, 17, 0, tzinfo=PLUS_TWO),
        payload=copy("Grüß dich"),
    )
    (saved_id,) = add_messages(database, saved)

    with uow(database) as work:
        (loaded,) = work.outbox.due_preview(now=NOW, limit=10)
    assert loaded == saved
    assert loaded.id == saved_id
    assert loaded.payload == copy("Grüß dich")
    assert loaded.status is MessageStatus.PENDING
    assert loaded.attempts == 0
    assert loaded.last_error == ""
    assert loaded.sent_at is None
    assert_utc(loaded.due_at, loaded.expires_at)
    assert loaded.due_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused(database: Database) -> None:
    naive = datetime(2026, 3, 2, 15, 0)
    with uow(database) as work, pytest.raises(StatementError, match="naive datetimes"):
        work.mentors.save(profile(created_at=naive))
    with uow(database) as work, pytest.raises(StatementError, match="naive datetimes"):
        work.requests.save(request_(created_at=naive))
    with uow(database) as work, pytest.raises(StatementError, match="naive datetimes"):
        work.partnerships.save(partnership(started_at=naive))
    with uow(database) as work, pytest.raises(StatementError, match="naive datetimes"):
        work.outbox.add(message("naive", due_at=naive))
    with uow(database) as work, pytest.raises(StatementError, match="naive datetimes"):
        work.outbox.claim_due(now=naive, limit=1, lease=LEASE, worker="w")
    with uow(database) as work, pytest.raises(StatementError, match="naive datetimes"):
        work.events.first_delivery(T1, "Ev1", naive)
    for row_type in (MentorProfileRow, MentorRequestRow, PartnershipRow, OutgoingMessageRow):
        assert count(database, row_type) == 0


# --- unit of work --------------------------------------------------------------------------


def test_unit_of_work_rolls_back_without_commit(database: Database) -> None:
    with uow(database) as work:
        work.mentors.save(profile())
        assert work.mentors.get(T1, "UMENTOR1") is not None  # visible inside the block
    assert count(database, MentorProfileRow) == 0
    with uow(database) as work:
        assert work.mentors.get(T1, "UMENTOR1") is None


def test_unit_of_work_discards_changes_when_the_block_raises(database: Database) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), uow(database) as work:
        work.mentors.save(profile())
        work.outbox.add(message("m1"))
        work.session.flush()
        raise Boom
    assert count(database, MentorProfileRow) == 0
    assert count(database, OutgoingMessageRow) == 0


def test_unit_of_work_keeps_what_was_committed_only(database: Database) -> None:
    with uow(database) as work:
        work.mentors.save(profile(user="UKEPT"))
        work.commit()
        work.mentors.save(profile(user="UDROPPED"))
    with uow(database) as work:
        work.mentors.save(profile(user="UROLLEDBACK"))
        work.rollback()
        work.commit()
    with uow(database) as work:
        assert work.mentors.get(T1, "UKEPT") is not None
        assert work.mentors.get(T1, "UDROPPED") is None
        assert work.mentors.get(T1, "UROLLEDBACK") is None
    assert count(database, MentorProfileRow) == 1


def test_unit_of_work_outside_its_block_refuses(database: Database) -> None:
    work = uow(database)
    with pytest.raises(RuntimeError):
        work.commit()
    with work:
        pass
    with pytest.raises(RuntimeError):
        work.commit()


# --- workspaces ----------------------------------------------------------------------------


def test_every_table_has_a_required_team_id() -> None:
    # slack-sdk's own tables: an org-wide install has no team, an OAuth state no workspace yet
    slack_sdk_tables = {"slack_installations", "slack_bots", "slack_oauth_states"}
    for table in Base.metadata.sorted_tables:
        if table.name in slack_sdk_tables:
            continue
        assert "team_id" in table.c, table.name
        assert table.c.team_id.nullable is False, table.name
    assert {"slack_installations", "slack_bots"} <= {
        t.name for t in Base.metadata.sorted_tables if "team_id" in t.c
    }


def test_rows_carry_their_team_and_gets_are_scoped(database: Database) -> None:
    with uow(database) as work:
        mentor = work.mentors.save(profile(T1, "U1", bio="team one"))
        req = work.requests.save(request_(T1, "U2"))
        assert req.id is not None
        prop = work.proposals.save(proposal(T1, req.id, "U1"))
        pair = work.partnerships.save(partnership(T1, "U1", "U2"))
        work.outbox.add(message("k", T1))
        work.events.first_delivery(T1, "Ev1", NOW)
        work.commit()

    with database.sessions() as session:
        for row_type in (
            MentorProfileRow,
            MentorRequestRow,
            MatchProposalRow,
            PartnershipRow,
            OutgoingMessageRow,
            ProcessedEventRow,
        ):
            teams = session.scalars(sa.select(row_type.team_id)).all()
            assert teams == [T1], row_type.__tablename__

    assert mentor.id and req.id and prop.id and pair.id
    with uow(database) as work:
        assert work.mentors.get(T2, "U1") is None
        assert work.requests.get(T2, req.id) is None
        assert work.proposals.get(T2, prop.id) is None
        assert work.partnerships.get(T2, pair.id) is None
        # and the owner still sees them, so the Nones above are not just "missing"
        assert work.mentors.get(T1, "U1") is not None
        assert work.requests.get(T1, req.id) is not None
        assert work.proposals.get(T1, prop.id) is not None
        assert work.partnerships.get(T1, pair.id) is not None


def test_same_user_ids_in_two_teams_stay_apart(database: Database) -> None:
    with uow(database) as work:
        for team in (T1, T2):
            work.mentors.save(profile(team, "UM", bio=f"bio {team}"))
            work.mentors.save(profile(team, "UM2", bio=f"bio2 {team}"))
            req = work.requests.save(request_(team, "UE", goals=f"goals {team}"))
            assert req.id is not None
            work.requests.save(request_(team, "UW", status=RequestStatus.WAITLISTED))
            work.proposals.save(proposal(team, req.id, "UM", mentee_id="UE"))
            work.partnerships.save(partnership(team, "UM", "UE", request_id=req.id))
        # T2 has one more of each count-based thing
        work.mentors.save(profile(T2, "UM3"))
        work.proposals.save(proposal(T2, 99, "UM", mentee_id="UE"))
        work.partnerships.save(partnership(T2, "UM", "UX", status=PartnershipStatus.PAUSED))
        work.commit()

    with uow(database) as work:
        for team, extra in ((T1, 0), (T2, 1)):
            m = work.mentors.get(team, "UM")
            assert m is not None and m.bio == f"bio {team}"
            accepting = work.mentors.accepting(team)
            assert {p.team_id for p in accepting} == {team}
            assert [p.user_id for p in accepting] == ["UM", "UM2", "UM3"][: 2 + extra]

            open_request = work.requests.open_for(team, "UE")
            assert open_request is not None
            assert (open_request.team_id, open_request.goals) == (team, f"goals {team}")
            waitlisted = work.requests.waitlisted(team)
            assert [(r.team_id, r.mentee_id) for r in waitlisted] == [(team, "UW")]

            proposals = work.proposals.for_mentee(team, "UE")
            assert {p.team_id for p in proposals} == {team}
            assert len(proposals) == 1 + extra
            assert work.proposals.pending_by_mentor(team) == {"UM": 1 + extra}

            pairs = work.partnerships.for_member(team, "UM")
            assert {p.team_id for p in pairs} == {team}
            assert len(pairs) == 1 + extra
            assert [p.team_id for p in work.partnerships.for_member(team, "UE")] == [team]
            assert work.partnerships.active_by_mentor(team) == {"UM": 1 + extra}

        assert work.mentors.accepting("T-NONE") == []
        assert work.requests.open_for("T-NONE", "UE") is None
        assert work.proposals.pending_by_mentor("T-NONE") == {}
        assert work.partnerships.for_member("T-NONE", "UM") == []
        assert work.partnerships.active_by_mentor("T-NONE") == {}


def test_accepting_mentors_read_for_ranking_match_the_full_profiles(database: Database) -> None:
    """`accepting` parses the JSON lists itself: it must agree with the ORM read exactly."""
    with uow(database) as work:
        work.mentors.save(
            profile(user="UA", expertise=['Führung, "quoted"', "é"], languages=[], program_id=7)
        )
        work.mentors.save(profile(user="UB", bio="", organization="", tz="", tz_offset=-18000))
        work.commit()
    with uow(database) as work:
        fast = work.mentors.accepting(T1)
        full = [work.mentors.get(T1, user) for user in ("UA", "UB")]
        assert [dataclasses.replace(p, created_at=None, updated_at=None) for p in full if p] == fast
        assert fast[0].expertise == ['Führung, "quoted"', "é"] and fast[0].languages == []


def test_queries_filter_on_status(database: Database) -> None:
    with uow(database) as work:
        work.mentors.save(profile(user="UON"))
        work.mentors.save(profile(user="UOFF", accepting=False))
        work.requests.save(request_(mentee="UE", status=RequestStatus.CANCELLED))
        newest_open = work.requests.save(request_(mentee="UE", status=RequestStatus.PENDING_MENTOR))
        work.requests.save(request_(mentee="UE", status=RequestStatus.MATCHED))
        work.requests.save(request_(mentee="UDONE", status=RequestStatus.MATCHED))
        for proposal_status in ProposalStatus:
            work.proposals.save(proposal(mentor="UM", status=proposal_status))
        for partnership_status in PartnershipStatus:
            work.partnerships.save(partnership(mentor="UM", status=partnership_status))
        work.commit()

    with uow(database) as work:
        assert [p.user_id for p in work.mentors.accepting(T1)] == ["UON"]
        found = work.requests.open_for(T1, "UE")
        assert found is not None and found.id == newest_open.id
        assert found.status is RequestStatus.PENDING_MENTOR
        assert work.requests.open_for(T1, "UDONE") is None
        assert work.proposals.pending_by_mentor(T1) == {"UM": 1}
        assert work.partnerships.active_by_mentor(T1) == {"UM": 2}  # active + paused


# --- outbox --------------------------------------------------------------------------------


def test_outbox_add_is_idempotent_by_team_and_key(database: Database) -> None:
    first = message("remind:42", payload=copy("first"))
    with uow(database) as work:
        assert work.outbox.add(first) is True
        assert first.id is not None
        # the same key in the same transaction
        assert work.outbox.add(message("remind:42", payload=copy("same uow"))) is False
        work.commit()

    again = message(
        "remind:42",
        kind=Kind.SHOUT_OUT,
        payload=ShoutOut(mentor_id="UM", mentee_id="UE", headline="second"),
    )
    with uow(database) as work:
        assert work.outbox.add(again) is False
        assert again.id is None
        other_team = message("remind:42", team=T2, payload=copy("team two"))
        assert work.outbox.add(other_team) is True
        assert other_team.id is not None and other_team.id != first.id
        work.commit()

    rows = outbox_rows(database)
    assert set(rows) == {f"{T1}:remind:42", f"{T2}:remind:42"}
    assert rows[f"{T1}:remind:42"].payload["text"] == "first"
    assert rows[f"{T1}:remind:42"].kind == Kind.ANNOUNCEMENT
    assert rows[f"{T2}:remind:42"].payload["text"] == "team two"


def test_outbox_add_after_a_duplicate_keeps_the_transaction_usable(database: Database) -> None:
    add_messages(database, message("dup"))
    with uow(database) as work:
        assert work.outbox.add(message("dup")) is False
        assert work.outbox.add(message("fresh")) is True
        work.mentors.save(profile())
        work.commit()
    assert set(outbox_rows(database)) == {f"{T1}:dup", f"{T1}:fresh"}
    assert count(database, MentorProfileRow) == 1


def test_outbox_batched_adds_go_in_at_the_end_each_key_once_and_kept_rows_kept(
    database: Database,
) -> None:
    """Start-up planning adds a thousand keyed rows at a time: in one INSERT, with the same
    outcome as adding each (a key already there, or queued twice, is kept as it was)."""
    add_messages(database, message("remind:42", payload=copy("first")))
    with uow(database) as work:
        with work.outbox.batched():
            assert work.outbox.add(message("remind:42", payload=copy("again"))) is True
            assert work.outbox.add(message("remind:43", payload=copy("one"))) is True
            assert work.outbox.add(message("remind:43", payload=copy("two"))) is True
            assert work.outbox.add(message("remind:42", team=T2, payload=copy("team two")))
            with work.outbox.batched():  # nested: the outer batch inserts
                work.outbox.add(message("remind:44", payload=copy("inner")))
        assert work.outbox.add(message("remind:43", payload=copy("after"))) is False
        work.commit()

    rows = outbox_rows(database)
    assert set(rows) == {f"{T1}:remind:42", f"{T1}:remind:43", f"{T1}:remind:44", f"{T2}:remind:42"}
    texts = {key: row.payload["text"] for key, row in rows.items()}
    assert texts == {
        f"{T1}:remind:42": "first",
        f"{T1}:remind:43": "one",
        f"{T1}:remind:44": "inner",
        f"{T2}:remind:42": "team two",
    }
    with uow(database) as work:  # pending, due, and read back as any added message
        claimed = work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w")
        assert {(m.team_id, m.key, m.payload_as(AnnouncementCopy).text) for m in claimed} == {
            (T1, "remind:42", "first"),
            (T1, "remind:43", "one"),
            (T1, "remind:44", "inner"),
            (T2, "remind:42", "team two"),
        }


def test_outbox_cancel_only_touches_pending_rows_with_the_prefix(database: Database) -> None:
    add_messages(
        database,
        message("req:7:remind", due_at=NOW - timedelta(minutes=3)),
        message("req:7:expire", due_at=NOW + timedelta(days=2)),
        message("req:7:sent", due_at=NOW - timedelta(minutes=2)),
        message("req:7:sending", due_at=NOW - timedelta(minutes=1)),
        message("req:70:other"),
        message("req:8:remind"),
        message("xreq:7:remind"),
        message("req:7:remind", team=T2),
    )
    with uow(database) as work:
        claimed = work.outbox.claim_due(now=NOW, limit=100, lease=LEASE, worker="w")
        by_key = {m.key: m for m in claimed if m.team_id == T1}
        sent = by_key["req:7:sent"]
        sent.status, sent.sent_at, sent.attempts = MessageStatus.SENT, NOW, 1
        work.outbox.settle(sent)
        for m in claimed:  # put the rest back to pending, except req:7:sending
            if m.key not in ("req:7:sent", "req:7:sending") or m.team_id == T2:
                m.status = MessageStatus.PENDING
                work.outbox.settle(m)
        work.commit()

    with uow(database) as work:
        assert work.outbox.cancel(T1, "req:7:") == 2
        work.commit()

    status = {k: r.status for k, r in outbox_rows(database).items()}
    assert status == {
        f"{T1}:req:7:remind": "cancelled",
        f"{T1}:req:7:expire": "cancelled",
        f"{T1}:req:7:sent": "sent",
        f"{T1}:req:7:sending": "sending",
        f"{T1}:req:70:other": "pending",
        f"{T1}:req:8:remind": "pending",
        f"{T1}:xreq:7:remind": "pending",
        f"{T2}:req:7:remind": "pending",
    }
    with uow(database) as work:
        assert work.outbox.cancel(T1, "req:7:") == 0  # nothing pending is left
        assert work.outbox.cancel(T1, "nothing-like-this") == 0


def test_outbox_cancel_treats_like_wildcards_literally(database: Database) -> None:
    keys = ["50%:a", "50x:a", "500:a", "a_b:1", "axb:1", "a\\c:1", "a\\\\c:1", "ac:1"]
    add_messages(database, *(message(k) for k in keys))
    with uow(database) as work:
        assert work.outbox.cancel(T1, "50%") == 1
        assert work.outbox.cancel(T1, "a_b") == 1
        assert work.outbox.cancel(T1, "a\\c") == 1
        assert work.outbox.cancel(T1, "%") == 0
        assert work.outbox.cancel(T1, "_") == 0
        work.commit()
    cancelled = sorted(k for k, r in outbox_rows(database).items() if r.status == "cancelled")
    assert cancelled == sorted(f"{T1}:{k}" for k in ("50%:a", "a_b:1", "a\\c:1"))


def test_outbox_cancel_prefix_is_case_sensitive(database: Database) -> None:
    add_messages(database, message("remind:U1:a"), message("remind:u1:b"))
    with uow(database) as work:
        assert work.outbox.cancel(T1, "remind:u1") == 1
        work.commit()
    status = {k: r.status for k, r in outbox_rows(database).items()}
    assert status == {f"{T1}:remind:U1:a": "pending", f"{T1}:remind:u1:b": "cancelled"}


def test_a_claimed_message_comes_back_with_every_stored_field(database: Database) -> None:
    """The claim reads rows back without the ORM, naming its columns: none may be left out."""
    queued = message(
        "full",
        due_at=NOW - timedelta(minutes=1),
        expires_at=NOW + timedelta(days=1),
        coalesce_key="pulse:U1",
        attempts=2,
        last_error="http 503",
        sent_channel="D1",
        sent_ts="1700000000.000100",
        sent_at=NOW - timedelta(hours=1),
    )
    add_messages(database, queued)
    with uow(database) as work:
        (claimed,) = work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w")
        work.commit()
    assert claimed.id is not None
    assert dataclasses.replace(claimed, status=MessageStatus.PENDING) == dataclasses.replace(
        queued, id=claimed.id
    )


def test_claim_due_returns_due_rows_in_order_and_only_once(database: Database) -> None:
    add_messages(
        database,
        message("later", due_at=NOW + timedelta(seconds=1)),
        message("now", due_at=NOW),
        # 15:00+02:00 is 13:00 UTC: the earliest, whatever its offset says
        message("early", due_at=datetime(2026, 3, 2, 15, 0, tzinfo=PLUS_TWO)),
        message("middle", due_at=NOW - timedelta(hours=1), team=T2),
        message("cancelled", due_at=NOW - timedelta(days=1)),
    )
    with uow(database) as work:
        work.outbox.cancel(T1, "cancelled")
        work.commit()

    with uow(database) as work:
        first = work.outbox.claim_due(now=NOW, limit=2, lease=LEASE, worker="w1")
        work.commit()
    assert [m.key for m in first] == ["early", "middle"]
    assert all(m.status is MessageStatus.SENDING for m in first)
    assert {m.team_id for m in first} == {T1, T2}  # the dispatcher serves every workspace

    with uow(database) as work:
        rest = work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w1")
        work.commit()
    assert [m.key for m in rest] == ["now"]

    with uow(database) as work:
        assert work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w2") == []
        work.commit()

    rows = outbox_rows(database)
    assert {k: r.status for k, r in rows.items()} == {
        f"{T1}:early": "sending",
        f"{T2}:middle": "sending",
        f"{T1}:now": "sending",
        f"{T1}:later": "pending",
        f"{T1}:cancelled": "cancelled",
    }
    assert rows[f"{T1}:early"].claimed_by == "w1"
    assert rows[f"{T1}:early"].lease_until == NOW + LEASE
    assert rows[f"{T1}:later"].claimed_by is None


def test_an_uncommitted_claim_is_not_kept(database: Database) -> None:
    add_messages(database, message("m"))
    with uow(database) as work:
        assert len(work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w1")) == 1
    with uow(database) as work:
        assert [m.key for m in work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w2")]
        work.commit()
    assert outbox_rows(database)[f"{T1}:m"].claimed_by == "w2"


def test_a_sending_row_whose_lease_expired_is_claimable_again(database: Database) -> None:
    (message_id,) = add_messages(database, message("stuck"))
    with uow(database) as work:
        assert len(work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="dead")) == 1
        work.commit()

    with uow(database) as work:  # the lease still runs
        before = NOW + LEASE - timedelta(seconds=1)
        assert work.outbox.claim_due(now=before, limit=10, lease=LEASE, worker="w2") == []
        work.commit()
    assert outbox_rows(database)[f"{T1}:stuck"].claimed_by == "dead"

    later = NOW + LEASE + timedelta(seconds=1)
    with uow(database) as work:
        (again,) = work.outbox.claim_due(now=later, limit=10, lease=LEASE, worker="w2")
        work.commit()
    assert again.id == message_id
    assert again.status is MessageStatus.SENDING
    row = outbox_rows(database)[f"{T1}:stuck"]
    assert row.claimed_by == "w2"
    assert row.lease_until == later + LEASE

    with uow(database) as work:
        assert work.outbox.claim_due(now=later, limit=10, lease=LEASE, worker="w3") == []


def test_settle_stores_the_outcome(database: Database) -> None:
    add_messages(database, message("retry"), message("done"), message("broken"))
    with uow(database) as work:
        claimed = {
            m.key: m for m in work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w")
        }
        retry, done, broken = claimed["retry"], claimed["done"], claimed["broken"]
        retry.status, retry.attempts = MessageStatus.PENDING, 1
        retry.last_error = "ratelimited"
        retry.due_at = datetime(2026, 3, 2, 17, 1, tzinfo=PLUS_TWO)
        done.status, done.attempts = MessageStatus.SENT, 1
        done.sent_at = datetime(2026, 3, 2, 17, 0, 5, tzinfo=PLUS_TWO)
        broken.status, broken.attempts = MessageStatus.FAILED, 3
        broken.last_error = "x" * 5000
        for m in (retry, done, broken):
            work.outbox.settle(m)
        work.commit()

    rows = outbox_rows(database)
    r, d, b = rows[f"{T1}:retry"], rows[f"{T1}:done"], rows[f"{T1}:broken"]
    assert (r.status, r.attempts, r.last_error, r.sent_at) == ("pending", 1, "ratelimited", None)
    assert r.due_at == NOW + timedelta(minutes=1)
    assert_utc(r.due_at)
    assert r.lease_until is None
    assert (d.status, d.attempts, d.last_error) == ("sent", 1, "")
    assert d.sent_at == NOW + timedelta(seconds=5)
    assert_utc(d.sent_at)
    assert d.lease_until is None
    assert (b.status, b.attempts) == ("failed", 3)
    assert b.last_error == "x" * 2000

    with uow(database) as work:  # the retried one comes back when it is due again
        assert work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w") == []
        later = NOW + timedelta(minutes=1)
        claimed_again = work.outbox.claim_due(now=later, limit=10, lease=LEASE, worker="w")
        assert [(m.key, m.attempts, m.last_error) for m in claimed_again] == [
            ("retry", 1, "ratelimited")
        ]


def test_due_preview_changes_nothing(database: Database) -> None:
    add_messages(
        database,
        message("b", due_at=NOW - timedelta(minutes=1)),
        message("a", due_at=NOW - timedelta(minutes=2)),
        message("future", due_at=NOW + timedelta(minutes=1)),
    )

    def snapshot() -> list[tuple[Any, ...]]:
        with database.engine.connect() as connection:
            table = OutgoingMessageRow.__table__
            rows = connection.execute(sa.select(table).order_by(table.c.id))
            return [tuple(row) for row in rows]

    before = snapshot()
    with uow(database) as work:
        preview = work.outbox.due_preview(now=NOW, limit=10)
        assert [m.key for m in preview] == ["a", "b"]
        assert all(m.status is MessageStatus.PENDING for m in preview)
        assert [m.key for m in work.outbox.due_preview(now=NOW, limit=1)] == ["a"]
        work.commit()
    assert snapshot() == before

    with uow(database) as work:
        claimed = work.outbox.claim_due(now=NOW, limit=10, lease=LEASE, worker="w")
        assert [m.key for m in claimed] == ["a", "b"]


# --- concurrent claims ---------------------------------------------------------------------

CLAIM_LIMIT = 7


def _seed(database: Database, rows: int, status: MessageStatus = MessageStatus.PENDING) -> set[int]:
    with database.sessions() as session:
        session.execute(sa.delete(OutgoingMessageRow))
        session.execute(
            sa.insert(OutgoingMessageRow),
            [
                {
                    "team_id": T1 if i % 2 else T2,
                    "kind": "dm",
                    "recipient": "U1",
                    "key": f"bulk:{i}",
                    "due_at": NOW - timedelta(seconds=i),
                    "payload": {"i": i},
                    "status": status.value,
                    "attempts": 0,
                    "last_error": "",
                }
                for i in range(rows)
            ],
        )
        session.commit()
        ids = set(session.scalars(sa.select(OutgoingMessageRow.id)))
    assert len(ids) == rows
    return ids


def _claim_concurrently(database: Database, threads: int) -> dict[str, list[list[int]]]:
    """Each worker claims in its own units of work until a claim comes back empty.

    Returns every worker's batches (message IDs, in the order claim_due returned them).
    """
    barrier = threading.Barrier(threads)
    batches: dict[str, list[list[int]]] = {f"worker-{n}": [] for n in range(threads)}
    errors: list[BaseException] = []

    def work(worker: str) -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                with uow(database) as unit:
                    batch = unit.outbox.claim_due(
                        now=NOW, limit=CLAIM_LIMIT, lease=LEASE, worker=worker
                    )
                    unit.commit()
                assert [m.due_at for m in batch] == sorted(m.due_at for m in batch)
                batches[worker].append([m.id for m in batch if m.id is not None])
                if not batch:
                    return
        except BaseException as exc:  # re-raised in the main thread by the assertion below
            errors.append(exc)
            barrier.abort()

    pool = [threading.Thread(target=work, args=(w,)) for w in batches]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in pool)
    assert errors == []
    return batches


def _assert_claimed_exactly_once(
    database: Database, all_ids: set[int], batches: dict[str, list[list[int]]]
) -> None:
    every = [i for worker in batches.values() for batch in worker for i in batch]
    duplicates = [i for i, n in Counter(every).items() if n > 1]
    assert duplicates == []
    assert set(every) == all_ids
    assert len(every) == len(all_ids)

    owner = {i: worker for worker, done in batches.items() for batch in done for i in batch}
    with database.sessions() as session:
        stored = session.execute(
            sa.select(
                OutgoingMessageRow.id, OutgoingMessageRow.status, OutgoingMessageRow.claimed_by
            )
        ).all()
    assert {(i, s, w) for i, s, w in stored} == {(i, "sending", owner[i]) for i in all_ids}


def test_concurrent_claims_take_every_row_exactly_once_on_postgres(database: Database) -> None:
    if not database.is_postgres:
        pytest.skip("SKIP LOCKED claims across replicas are a PostgreSQL feature")
    all_ids = _seed(database, rows=300)
    batches = _claim_concurrently(database, threads=3)
    _assert_claimed_exactly_once(database, all_ids, batches)
    # (batch sizes are checked by the next test)


def test_concurrent_claims_never_exceed_the_limit_on_postgres(database: Database) -> None:
    if not database.is_postgres:
        pytest.skip("SKIP LOCKED claims across replicas are a PostgreSQL feature")
    # Statistics taken while nothing was pending, then a burst of due messages: the planner
    # expects few due rows and picks the nested loop, as it would in production after a lull.
    # The race is timing-dependent, so it gets several rounds (it shows up in about half).
    oversized: list[int] = []
    for _ in range(20):
        all_ids = _seed(database, rows=300, status=MessageStatus.SENT)
        with database.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE outgoing_messages"))
            connection.execute(
                sa.update(OutgoingMessageRow).values(status=MessageStatus.PENDING.value)
            )
            connection.commit()
        batches = _claim_concurrently(database, threads=3)
        _assert_claimed_exactly_once(database, all_ids, batches)
        sizes = [len(batch) for worker in batches.values() for batch in worker]
        oversized = [size for size in sizes if size > CLAIM_LIMIT]
        if oversized:
            break
    assert oversized == []


def test_concurrent_claims_serialize_on_sqlite(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's busy-timeout serialization")
    all_ids = _seed(database, rows=300)
    batches = _claim_concurrently(database, threads=2)
    _assert_claimed_exactly_once(database, all_ids, batches)
    sizes = [len(batch) for worker in batches.values() for batch in worker]
    assert max(sizes) == CLAIM_LIMIT


# --- event log -----------------------------------------------------------------------------


def test_first_delivery_is_true_once_per_event_id(database: Database) -> None:
    later = datetime(2026, 3, 2, 17, 0, tzinfo=PLUS_TWO)
    with uow(database) as work:
        assert work.events.first_delivery(T1, "Ev1", NOW) is True
        assert work.events.first_delivery(T1, "Ev1", NOW) is False
        assert work.events.first_delivery(T1, "Ev2", NOW) is True
        work.commit()

    with uow(database) as work:
        assert work.events.first_delivery(T1, "Ev1", later) is False
        assert work.events.first_delivery(T1, "Ev2", later) is False
        assert work.events.first_delivery(T1, "Ev3", later) is True
        # not committed: as if it never arrived

    with uow(database) as work:
        assert work.events.first_delivery(T1, "Ev3", later) is True
        work.commit()

    with database.sessions() as session:
        rows = session.scalars(sa.select(ProcessedEventRow).order_by(ProcessedEventRow.event_id))
        stored = [(r.event_id, r.team_id, r.received_at) for r in rows]
    assert stored == [("Ev1", T1, NOW), ("Ev2", T1, NOW), ("Ev3", T1, later)]
    assert_utc(*(received for _, _, received in stored))


def test_a_worker_that_lost_its_lease_can_neither_renew_nor_settle_the_row(
    database: Database,
) -> None:
    (message_id,) = add_messages(database, message("slow"))
    with uow(database) as work:
        (mine,) = work.outbox.claim_due(now=NOW, limit=1, lease=LEASE, worker="w1", token="t1")
        work.commit()
    later = NOW + LEASE + timedelta(seconds=1)  # w1 is still sending; its lease ran out
    with uow(database) as work:
        (theirs,) = work.outbox.claim_due(now=later, limit=1, lease=LEASE, worker="w2", token="t2")
        work.commit()
    assert theirs.in_doubt

    mine.status, mine.attempts, mine.last_error = MessageStatus.PENDING, 1, "in doubt: timeout"
    with uow(database) as work:
        assert work.outbox.renew([message_id], worker="w1", token="t1", until=later) == set()
        assert not work.outbox.settle(mine, worker="w1", token="t1")
        assert work.outbox.renew([message_id], worker="w2", token="t2", until=later + LEASE) == {
            message_id
        }
        work.commit()
    row = outbox_rows(database)[f"{T1}:slow"]
    assert (row.status, row.claimed_by, row.attempts) == (MessageStatus.SENDING.value, "w2", 0)
    assert row.lease_until == later + LEASE

    theirs.status, theirs.sent_at = MessageStatus.SENT, later
    with uow(database) as work:
        assert work.outbox.settle(theirs, worker="w2", token="t2")
        work.commit()
    assert outbox_rows(database)[f"{T1}:slow"].status == MessageStatus.SENT.value


def test_a_batch_of_outcomes_is_settled_in_one_statement_fenced_row_by_row(
    database: Database,
) -> None:
    ids = add_messages(database, message("sent"), message("retry"), message("taken"))
    with uow(database) as work:
        mine = work.outbox.claim_due(now=NOW, limit=3, lease=LEASE, worker="w1", token="t1")
        work.commit()
    later = NOW + LEASE + timedelta(seconds=1)
    with uow(database) as work:  # "taken" only: w1 renewed the others in time
        work.outbox.renew(ids[:2], worker="w1", token="t1", until=later + LEASE)
        (theirs,) = work.outbox.claim_due(now=later, limit=3, lease=LEASE, worker="w2", token="t2")
        work.commit()
    assert theirs.key == "taken"
    sent, retry, taken = mine
    sent.status, sent.attempts, sent.sent_at = MessageStatus.SENT, 1, later
    sent.sent_channel, sent.sent_ts = "D1", "1700.1"
    retry.status, retry.attempts, retry.last_error = MessageStatus.PENDING, 1, "in doubt: x" * 300
    retry.due_at = later + timedelta(minutes=5)
    taken.status, taken.attempts = MessageStatus.FAILED, 1
    statements: list[str] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    with uow(database) as work:
        written = work.outbox.settle_many(mine, worker="w1", token="t1")
        work.commit()
    assert written == set(ids[:2])
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE")]) == 1
    rows = outbox_rows(database)
    assert (rows[f"{T1}:sent"].status, rows[f"{T1}:sent"].sent_ts) == ("sent", "1700.1")
    assert rows[f"{T1}:sent"].sent_at == later and rows[f"{T1}:sent"].lease_until is None
    assert rows[f"{T1}:retry"].status == "pending"
    assert rows[f"{T1}:retry"].due_at == later + timedelta(minutes=5)
    assert len(rows[f"{T1}:retry"].last_error) == 2000
    assert (rows[f"{T1}:taken"].status, rows[f"{T1}:taken"].claimed_by) == ("sending", "w2")
    assert rows[f"{T1}:taken"].attempts == 0  # w2's claim: w1's outcome never lands on it


def test_a_settled_batch_keeps_every_character_and_instant_it_was_given(
    database: Database,
) -> None:
    """The batch's outcomes travel as one document (JSON on PostgreSQL): whatever Slack said,
    quoted, escaped or not ASCII, and moments to the microsecond in any zone land as given."""
    add_messages(database, message("odd"), message("held"))
    said = 'in doubt: "quoted" \\back\\slash {braces,} [1, 2] \n newline \t tab é 日本 🙂 NULL'
    with uow(database) as work:
        odd, held = work.outbox.claim_due(now=NOW, limit=2, lease=LEASE, worker="w", token="t")
        work.commit()
    odd.status, odd.attempts, odd.last_error = MessageStatus.PENDING, 2, said
    odd.due_at = datetime(2026, 3, 2, 17, 1, 2, 345678, tzinfo=PLUS_TWO)
    held.status, held.sent_channel, held.sent_ts = MessageStatus.SENT, 'D"1', "1700.000001"
    held.sent_at = datetime(2026, 3, 2, 17, 0, 0, 1, tzinfo=PLUS_TWO)
    held.expires_at = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    with uow(database) as work:
        assert work.outbox.settle_many([odd, held], worker="w", token="t") == {odd.id, held.id}
        work.commit()

    rows = outbox_rows(database)
    o, h = rows[f"{T1}:odd"], rows[f"{T1}:held"]
    assert (o.status, o.attempts, o.last_error) == ("pending", 2, said)
    assert o.due_at == datetime(2026, 3, 2, 15, 1, 2, 345678, tzinfo=UTC)
    assert_utc(o.due_at)
    assert (h.status, h.sent_channel, h.sent_ts) == ("sent", 'D"1', "1700.000001")
    assert h.sent_at == datetime(2026, 3, 2, 15, 0, 0, 1, tzinfo=UTC)
    assert h.expires_at == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert o.expires_at is None and o.sent_at is None


def test_a_naive_moment_is_refused_by_a_batch_settle(database: Database) -> None:
    add_messages(database, message("naive"))
    with uow(database) as work:
        (naive,) = work.outbox.claim_due(now=NOW, limit=1, lease=LEASE, worker="w", token="t")
        work.commit()
    naive.status, naive.due_at = MessageStatus.PENDING, datetime(2026, 3, 2, 17, 0)
    with uow(database) as work, pytest.raises(Exception, match="naive"):
        work.outbox.settle_many([naive], worker="w", token="t")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_cohorts_exclusions_read_at_once_are_each_mentees_own(
    database: Database, seed: int
) -> None:
    """Two reads for the whole cohort give each mentee exactly the mentors the per-mentee
    reads of ``/mentor ask`` exclude (declined, asked this time, partnered before), whatever
    the IDs hold (PostgreSQL is sent them joined by commas unless one has a comma)."""
    rng = random.Random(seed)
    mentee = "UE{:03d}" if seed == 1 else 'U,E"{:03d}'
    mentors = [f"UM{n:03d}" for n in range(12)]
    with uow(database) as work:
        requests = [
            work.requests.save(
                MentorRequest(
                    team_id=T1,
                    mentee_id=mentee.format(n),
                    goals="",
                    focus_areas=[],
                    organization="",
                    wants_other_org=False,
                    tz="UTC",
                    status=RequestStatus.WAITLISTED,
                    created_at=NOW,
                )
            )
            for n in range(40)
        ]
        for request in requests:
            for mentor in rng.sample(mentors, rng.randint(0, 3)):
                assert request.id is not None
                work.proposals.save(
                    MatchProposal(
                        team_id=T1,
                        request_id=request.id if rng.random() < 0.5 else request.id + 1000,
                        mentee_id=request.mentee_id,
                        mentor_id=mentor,
                        score=1,
                        reason="",
                        status=rng.choice(list(ProposalStatus)),
                        created_at=NOW,
                    )
                )
            if rng.random() < 0.3:
                work.partnerships.save(
                    Partnership(
                        team_id=T1,
                        mentor_id=rng.choice(mentors),
                        mentee_id=request.mentee_id,
                        request_id=None,
                        started_at=NOW,
                        ends_at=NOW + timedelta(days=90),
                        status=PartnershipStatus.ENDED,
                    )
                )
        work.commit()
    statements: list[str] = []
    sa.event.listen(
        database.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    with uow(database) as work:
        together = excluded_for_cohort(work, T1, requests)
        reads = len(statements)
        one_by_one = {r.id or 0: excluded_mentors(work, r) for r in requests}
    assert reads <= 3  # whatever the cohort's size (a BEGIN may be one of them)
    assert together == one_by_one
    assert sum(len(e) for e in together.values()) > 20  # the data really excludes some


# --- cohort plans --------------------------------------------------------------------------


def planning(team: str = T1, by: str = "UCOORD1") -> CohortPlan:
    return CohortPlan(
        team_id=team, created_by=by, created_at=NOW, pairs=[], status=PlanStatus.PLANNING
    )


def test_one_cohort_plan_is_planned_at_a_time_per_workspace(database: Database) -> None:
    # Two coordinators ask at the same moment, in two transactions: one plan starts.
    started: list[bool] = []
    lined_up = threading.Barrier(2)

    def ask(coordinator: str) -> None:
        with uow(database) as work:
            lined_up.wait(10)
            started.append(work.cohort_plans.start(planning(by=coordinator)))
            work.commit()

    askers = [threading.Thread(target=ask, args=(c,)) for c in ("UCOORD1", "UCOORD2")]
    for thread in askers:
        thread.start()
    for thread in askers:
        thread.join(30)
    assert sorted(started) == [False, True]
    with uow(database) as work:
        under_way = work.cohort_plans.planning(T1)
        assert under_way is not None and under_way.status is PlanStatus.PLANNING
        assert work.cohort_plans.planning(T2) is None
        assert work.cohort_plans.start(planning(T2))  # another workspace: its own
        # The transaction goes on after a refusal; once ready, the next one may start.
        assert not work.cohort_plans.start(planning())
        under_way.status = PlanStatus.READY
        work.cohort_plans.save(under_way)
        assert work.cohort_plans.start(planning())
        work.commit()
    with uow(database) as work:
        assert len([p for p in (work.cohort_plans.planning(t) for t in (T1, T2)) if p]) == 2
        found = work.cohort_plans.get(T1, under_way.id or 0)
        assert found is not None and found.status is PlanStatus.READY


def test_the_waiting_read_in_bulk_are_each_as_read_alone(database: Database) -> None:
    """A cohort reads everyone waiting as plain columns, its lists parsed at once: each
    request is the one ``get`` reads, this transaction's own saves included."""
    waiting = {RequestStatus.WAITLISTED, RequestStatus.MATCHING}
    with uow(database) as work:
        work.requests.save(
            request_(
                mentee="UE1",
                status=RequestStatus.WAITLISTED,
                goals='Führung, "quotes" and 🎉',
                focus_areas=["Führung", 'say "no"', "career growth"],
                languages=["es", "Deutsch"],
                matched_at=NOW,
                program_id=7,
            )
        )
        work.requests.save(request_(mentee="UE2", focus_areas=[], languages=[]))
        work.requests.save(request_(mentee="UE9", status=RequestStatus.MATCHED))
        work.commit()
    with uow(database) as work:
        work.requests.save(request_(mentee="UE3", status=RequestStatus.WAITLISTED))
        found = work.requests.in_status(T1, waiting)
        assert sorted(r.mentee_id for r in found) == ["UE1", "UE2", "UE3"]
        assert found == [work.requests.get(T1, r.id or 0) for r in found]
        assert found[0].focus_areas == ["Führung", 'say "no"', "career growth"]
        assert found[0].status is RequestStatus.WAITLISTED
        assert work.requests.in_status(T2, waiting) == []


def test_counts_of_who_is_waiting_match_what_is_read(database: Database) -> None:
    with uow(database) as work:
        work.mentors.save(profile(user="UON"))
        work.mentors.save(profile(user="UON2"))
        work.mentors.save(profile(user="UOFF", accepting=False))
        work.mentors.save(profile(team=T2, user="UELSEWHERE"))
        for n, status in enumerate(
            (RequestStatus.WAITLISTED, RequestStatus.MATCHING, RequestStatus.MATCHED)
        ):
            work.requests.save(request_(mentee=f"UE{n}", status=status))
        work.requests.save(request_(team=T2, mentee="UE9", status=RequestStatus.WAITLISTED))
        work.commit()
    with uow(database) as work:
        for statuses in (
            {RequestStatus.WAITLISTED},
            {RequestStatus.WAITLISTED, RequestStatus.MATCHING},
        ):
            assert work.requests.count_in_status(T1, statuses, shared=True) == len(
                work.requests.in_status(T1, statuses, shared=True)
            )
        assert work.requests.count_in_status(T1, {RequestStatus.WAITLISTED}) == 1
        assert work.mentors.count_pool(T1) == len(work.mentors.pool(T1).user_ids) == 2
