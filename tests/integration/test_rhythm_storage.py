"""Progress checks, risk flags, the partnership pause and declared holidays, on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from bot.model.partnership import Partnership, PartnershipStatus
from bot.model.progress import CheckKind, ProgressCheck, RiskFlag, RiskSignal
from storage import Database, SqlUnitOfWork

T1, T2 = "T0001", "T0002"
NOW = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)


def pair(database: Database, team: str = T1) -> int:
    with SqlUnitOfWork(database.sessions) as uow:
        saved = uow.partnerships.save(
            Partnership(
                team_id=team,
                mentor_id="UMENTOR1",
                mentee_id="UMENTEE1",
                request_id=None,
                started_at=NOW - timedelta(days=14),
                ends_at=NOW + timedelta(days=351),
            )
        )
        uow.commit()
        assert saved.id is not None
        return saved.id


def check(partnership_id: int, **changes: object) -> ProgressCheck:
    values: dict[str, object] = {
        "team_id": T1,
        "partnership_id": partnership_id,
        "user_id": "UMENTEE1",
        "kind": CheckKind.PULSE,
        "round": 1,
        "answered_at": NOW,
        "score": 4,
    }
    values.update(changes)
    return ProgressCheck(**values)  # type: ignore[arg-type]


def test_a_check_round_trips_and_is_found_by_person_kind_and_round(database: Database) -> None:
    pid = pair(database)
    with SqlUnitOfWork(database.sessions) as uow:
        uow.progress.save_check(check(pid, note="Busy quarter", share=True, answers={"x": 1}))
        uow.progress.save_check(check(pid, round=2, score=2))
        uow.progress.save_check(check(pid, kind=CheckKind.MIDTERM, answers={"rhythm": "rarely"}))
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        found = uow.progress.check(T1, pid, "UMENTEE1", CheckKind.PULSE, 1)
        assert found is not None
        assert (found.kind, found.score, found.note, found.share) == (
            CheckKind.PULSE,
            4,
            "Busy quarter",
            True,
        )
        assert found.answers == {"x": 1} and found.answered_at == NOW
        assert uow.progress.check(T1, pid, "UMENTOR1", CheckKind.PULSE, 1) is None
        assert uow.progress.check(T2, pid, "UMENTEE1", CheckKind.PULSE, 1) is None
        assert [c.round for c in uow.progress.checks(T1, pid)] == [1, 2, 1]
        midterms = uow.progress.checks_of_kind(T1, CheckKind.MIDTERM)
        assert [c.answers for c in midterms] == [{"rhythm": "rarely"}]
        found.score = 1
        uow.progress.save_check(found)
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        again = uow.progress.check(T1, pid, "UMENTEE1", CheckKind.PULSE, 1)
        assert again is not None and again.score == 1
        assert len(uow.progress.checks(T1, pid)) == 3  # updated in place, not added


def flag(partnership_id: int, occasion: str = "pulse1:UMENTEE1") -> RiskFlag:
    return RiskFlag(
        team_id=T1,
        partnership_id=partnership_id,
        signal=RiskSignal.LOW_PULSE,
        occasion=occasion,
        detail="the mentee rated the partnership 2/5",
        raised_at=NOW,
    )


def test_a_flag_is_raised_once_per_occasion(database: Database) -> None:
    pid = pair(database)
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.progress.add_flag(flag(pid)) is True
        assert uow.progress.add_flag(flag(pid)) is False
        assert uow.progress.add_flag(flag(pid, "pulse2:UMENTEE1")) is True
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        assert [(f.signal, f.occasion) for f in uow.progress.flags(T1)] == [
            (RiskSignal.LOW_PULSE, "pulse1:UMENTEE1"),
            (RiskSignal.LOW_PULSE, "pulse2:UMENTEE1"),
        ]
        assert uow.progress.flags(T2) == []


def test_two_transactions_raising_the_same_flag_raise_it_once(database: Database) -> None:
    pid = pair(database)
    results: list[bool] = []
    barrier = threading.Barrier(2, timeout=10)

    def raise_it() -> None:
        with SqlUnitOfWork(database.sessions) as uow:
            barrier.wait()
            results.append(uow.progress.add_flag(flag(pid)))
            uow.commit()

    threads = [threading.Thread(target=raise_it) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    with SqlUnitOfWork(database.sessions) as uow:
        assert len(uow.progress.flags(T1)) == 1
    assert sorted(results) == [False, True]


def test_the_partnership_pause_and_a_declared_holiday_are_stored(database: Database) -> None:
    pid = pair(database)
    with SqlUnitOfWork(database.sessions) as uow:
        partnership = uow.partnerships.get(T1, pid)
        assert partnership is not None and partnership.paused_until is None
        partnership.status = PartnershipStatus.PAUSED
        partnership.paused_until = date(2026, 4, 20)
        uow.partnerships.save(partnership)
        preferences = uow.sessions.preferences(T1, "UMENTEE1")
        assert preferences.away_until is None
        preferences.away_until = date(2026, 4, 1)
        uow.sessions.save_preferences(preferences)
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        stored = uow.partnerships.get(T1, pid)
        assert stored is not None and stored.paused_until == date(2026, 4, 20)
        assert stored.paused_at(datetime(2026, 4, 19, 23, tzinfo=UTC))
        assert not stored.paused_at(datetime(2026, 4, 20, 0, tzinfo=UTC))
        assert uow.sessions.preferences(T1, "UMENTEE1").away_until == date(2026, 4, 1)


def test_live_lists_active_and_paused_pairs_of_every_workspace(database: Database) -> None:
    first, second, ended = pair(database), pair(database, T2), pair(database)
    with SqlUnitOfWork(database.sessions) as uow:
        for pid, status in ((second, PartnershipStatus.PAUSED), (ended, PartnershipStatus.ENDED)):
            team = T2 if pid == second else T1
            partnership = uow.partnerships.get(team, pid)
            assert partnership is not None
            partnership.status = status
            uow.partnerships.save(partnership)
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        assert [p.id for p in uow.partnerships.live()] == [first, second]


def test_status_of_finds_exactly_one_key(database: Database) -> None:
    from bot.model.messages.rhythm import Pulse
    from bot.model.outbox import MessageStatus, OutgoingMessage

    with SqlUnitOfWork(database.sessions) as uow:
        for key in ("rhythm:1:pulse:1:U1", "rhythm:1:pulse:1:U12"):
            uow.outbox.add(
                OutgoingMessage(
                    team_id=T1,
                    kind="rhythm.pulse",
                    recipient="U1",
                    key=key,
                    due_at=NOW,
                    payload=Pulse(partnership_id=1, partner_id="U2", round=1),
                )
            )
        uow.commit()
    with SqlUnitOfWork(database.sessions) as uow:
        assert uow.outbox.status_of(T1, "rhythm:1:pulse:1:U1") is MessageStatus.PENDING
        assert uow.outbox.status_of(T1, "rhythm:1:pulse:1:U") is None
        assert uow.outbox.status_of(T2, "rhythm:1:pulse:1:U1") is None
