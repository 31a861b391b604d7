"""The outbox: claimed with SKIP LOCKED so replicas share the work, each message once."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.model.messages import Payload, check, encode, load, mark_private
from bot.model.outbox import MessageStatus, OutboxTally, OutgoingMessage
from storage.crypto import CipherError
from storage.models.base import SEALED_MARK, Sealed
from storage.models.outbox import OutgoingMessageRow, ProcessedEventRow
from storage.rows import _MESSAGE_ENUMS, _column_values, _copy_into, _to_domain


def _key_starts_with(prefix: str) -> Any:
    """Keys that start with ``prefix``, exactly and case-sensitively, on both databases.

    LIKE alone is not enough: SQLite's LIKE ignores ASCII case, so ``remind:u1`` would also
    match ``remind:U1:...``. LIKE narrows the rows; the ``substr`` comparison decides.
    """
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return and_(
        OutgoingMessageRow.key.like(pattern, escape="\\"),
        func.substr(OutgoingMessageRow.key, 1, len(prefix)) == prefix,
    )


def _message(row: OutgoingMessageRow) -> OutgoingMessage:
    message = _to_domain(OutgoingMessage, row, _MESSAGE_ENUMS)  # the payload as stored, then:
    message.payload = read_payload(row.kind, row.payload)
    return message


_CLAIMED = (
    "id",
    "team_id",
    "kind",
    "recipient",
    "key",
    "due_at",
    "payload",
    "expires_at",
    "coalesce_key",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "sent_channel",
    "sent_ts",
)
"""The columns a claim reads back: every stored field of ``OutgoingMessage``."""


_STATUSES = {status.value: status for status in MessageStatus}


def _claimed(row: Any) -> OutgoingMessage:
    """A claimed row (a Core row of ``_CLAIMED``, then its status before the claim) as the
    message it holds. Unpacked as a tuple, not read by column name: a named read of a row
    costs more than the message."""
    (
        id_,
        team_id,
        kind,
        recipient,
        key,
        due_at,
        payload,
        expires_at,
        coalesce_key,
        status,
        attempts,
        last_error,
        sent_at,
        sent_channel,
        sent_ts,
        _,
    ) = row
    return OutgoingMessage(
        id=id_,
        team_id=team_id,
        kind=kind,
        recipient=recipient,
        key=key,
        due_at=due_at,
        payload=read_payload(kind, payload),
        expires_at=expires_at,
        coalesce_key=coalesce_key,
        status=_STATUSES.get(status) or MessageStatus(status),
        attempts=attempts,
        last_error=last_error,
        sent_at=sent_at,
        sent_channel=sent_channel,
        sent_ts=sent_ts,
    )


def _claim_order(row: Any) -> tuple[datetime, int]:
    return row[5], row[0]  # due_at, id (``_CLAIMED``)


def stored_payload(kind: str, payload: Payload) -> dict[str, Any]:
    """A payload as its row holds it: the JSON, its ``PrivateText`` fields marked to seal."""
    check(kind, payload)
    return mark_private(kind, encode(payload), Sealed)


def read_payload(kind: str, stored: dict[str, Any]) -> Payload:
    """A row's payload back to its type. A private field still encrypted after the column
    opened what it could means no configured key opens it: refused, as ``PrivateText`` is."""
    mark_private(kind, stored, _opened)
    return load(kind, stored)


def _opened(text: str) -> str:
    if text.startswith(SEALED_MARK) and not isinstance(text, Sealed):
        raise CipherError("no configured key opens this value")
    return text


def _row_values(message: OutgoingMessage) -> dict[str, Any]:
    """The columns ``add`` sets on a new row (as ``_copy_into`` copies them), for a bulk
    INSERT: the others keep their defaults, as they do for ``add``."""
    values = _column_values(message)
    values["payload"] = stored_payload(message.kind, message.payload)
    return values


def _outbox_table(table: Any) -> Table:
    """``__table__`` is typed as a ``FromClause``; the outbox's is a ``Table``."""
    assert isinstance(table, Table)
    return table


_OUTCOME = (
    "id",
    "status",
    "attempts",
    "last_error",
    "due_at",
    "expires_at",
    "sent_at",
    "sent_channel",
    "sent_ts",
)
"""The columns an attempt's outcome writes (``settle_many``), the row id first."""

_SETTLE_ON_POSTGRESQL = text(
    """
    UPDATE outgoing_messages AS m
    SET status = o.status, attempts = o.attempts, last_error = o.last_error,
        due_at = o.due_at, expires_at = o.expires_at, sent_at = o.sent_at,
        sent_channel = o.sent_channel, sent_ts = o.sent_ts, lease_until = NULL
    FROM json_to_recordset(CAST(:outcomes AS json)) AS o(
        id integer, status varchar, attempts integer, last_error text, due_at timestamptz,
        expires_at timestamptz, sent_at timestamptz, sent_channel varchar, sent_ts varchar
    )
    WHERE m.id = o.id AND m.claimed_by = :worker AND m.lease_token = :token
    RETURNING m.id
    """
)
"""One statement, the same text for every batch (PostgreSQL plans it once): the outcomes go
in as one JSON array of rows, not a VALUES list of a size that changes the statement. JSON,
not nine arrays: psycopg builds an array element by element in Python (11 us a row of CPU
here), the JSON is written in C (``_outcomes_json``, times as ISO 8601 with their offset),
and the server reads the JSON faster than it reads the arrays."""


def _outcomes_json(outcomes: list[dict[str, Any]]) -> str:
    """The settle's document: orjson (2-3 us a row less than ``json.dumps``), ``json.dumps``
    for what orjson refuses (a lone surrogate in an error Slack sent back)."""
    try:
        return orjson.dumps(outcomes).decode()
    except TypeError:
        text: str = json.dumps(outcomes)
        return text


def _iso(moment: datetime | None) -> str | None:
    """A moment as the settle's JSON carries it; naive ones refused, as ``UTCDateTime``
    refuses them (the server would read them in its own zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored: attach a time zone")
    return moment.isoformat()


SUSPENDED = "workspace removed"
"""``last_error`` of the messages a removed workspace had pending: resumed if it returns."""


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self._s = session
        self._queued: list[OutgoingMessage] | None = None  # inside ``batched``

    def add(self, message: OutgoingMessage) -> bool:
        if self._queued is not None:
            self._queued.append(message)
            return True
        exists = self._s.scalar(
            select(OutgoingMessageRow.id).where(
                OutgoingMessageRow.team_id == message.team_id,
                OutgoingMessageRow.key == message.key,
            )
        )
        if exists is not None:
            return False
        try:
            with self._s.begin_nested():
                row = OutgoingMessageRow()
                _copy_into(row, message)
                row.payload = stored_payload(message.kind, message.payload)
                self._s.add(row)
        except IntegrityError:  # another transaction added the same key first
            return False
        message.id = row.id
        return True

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """``add`` only queues inside; at the end the queued messages go in as one INSERT that
        skips the keys already there (and a key queued twice goes in once, the first). Each
        ``add`` alone is a look, a savepoint and an insert: planning 5,000 pairs' rhythm at
        start-up was 24,000 of those, minutes of a worker's CPU beside its acks."""
        if self._queued is not None:  # already batching: the outer batch inserts
            yield
            return
        self._queued = []
        try:
            yield
            queued = self._queued
        finally:
            self._queued = None
        self._insert_new(queued)

    def _insert_new(self, messages: Sequence[OutgoingMessage]) -> None:
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for message in messages:
            rows.setdefault((message.team_id, message.key), _row_values(message))
        if not rows:
            return
        dialect = self._s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(OutgoingMessageRow).on_conflict_do_nothing(
            index_elements=["team_id", "key"]
        )
        self._s.execute(statement, list(rows.values()))

    def cancel(self, team_id: str, key_prefix: str, *, from_key: str = "") -> int:
        pending = (
            OutgoingMessageRow.team_id == team_id,
            _key_starts_with(key_prefix),
            OutgoingMessageRow.status == MessageStatus.PENDING.value,
        )
        which: tuple[Any, ...] = pending
        if from_key:  # compared here, not in SQL: a database's collation may not sort bytes
            ids = [
                id_
                for id_, key in self._s.execute(
                    select(OutgoingMessageRow.id, OutgoingMessageRow.key).where(*pending)
                )
                if key >= from_key
            ]
            which = (*pending, OutgoingMessageRow.id.in_(ids))
        result = self._s.execute(
            update(OutgoingMessageRow).where(*which).values(status=MessageStatus.CANCELLED.value)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def suspend(self, team_id: str) -> int:
        result = self._s.execute(
            update(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
            )
            .values(status=MessageStatus.CANCELLED.value, last_error=SUSPENDED)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def resume(self, team_id: str) -> int:
        result = self._s.execute(
            update(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                OutgoingMessageRow.status == MessageStatus.CANCELLED.value,
                OutgoingMessageRow.last_error == SUSPENDED,
            )
            .values(status=MessageStatus.PENDING.value, last_error="")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _due(self, now: datetime) -> Any:
        return or_(
            and_(
                OutgoingMessageRow.status == MessageStatus.PENDING.value,
                OutgoingMessageRow.due_at <= now,
            ),
            # a worker that died mid-send: its lease ran out, so the message is up for grabs
            and_(
                OutgoingMessageRow.status == MessageStatus.SENDING.value,
                OutgoingMessageRow.lease_until < now,
            ),
        )

    def claim_due(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str, token: str = ""
    ) -> list[OutgoingMessage]:
        table = _outbox_table(OutgoingMessageRow.__table__)
        c = table.c
        due = (
            select(c.id, c.status)
            .where(self._due(now))
            .order_by(c.due_at, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL: replicas skip each other's rows
        )
        claim = {
            "status": MessageStatus.SENDING.value,
            "claimed_by": worker,
            "lease_token": token,
            "lease_until": now + lease,
        }
        returned = (c[name] for name in _CLAIMED)
        # Core, not the ORM: rows come back as tuples, never as tracked objects (building those
        # was a third of a claim's CPU at a few hundred rows).
        if self._s.get_bind().dialect.name == "postgresql":
            # One statement: the locking SELECT as a MATERIALIZED CTE, run once and joined. (In
            # an ``IN (subquery)`` PostgreSQL may re-run the locking subquery once per outer
            # row, each run skipping different rows that other workers hold, and one UPDATE
            # would then claim more than ``limit`` rows; a materialized CTE is one run.)
            picked = due.cte("picked").prefix_with("MATERIALIZED")
            rows: list[Any] = list(
                self._s.execute(
                    update(table)
                    .where(c.id == picked.c.id)
                    .values(claim)
                    .returning(*returned, picked.c.status.label("was"))
                )
            )
        else:  # SQLite: the transaction began IMMEDIATE, so nobody gets in between the two
            ids = self._s.execute(due).all()
            if not ids:
                return []
            was = dict(ids)
            rows = [
                (*row, was[row[0]])
                for row in self._s.execute(
                    update(table)
                    .where(c.id.in_(list(was)), self._due(now))
                    .values(claim)
                    .returning(*returned)
                )
            ]
        rows.sort(key=_claim_order)
        claimed = []
        for row in rows:
            message = _claimed(row)
            # Still "sending" with its lease run out: whoever claimed it stopped, maybe after
            # Slack had posted it; looked for in Slack before it is posted again.
            message.in_doubt = row[15] == MessageStatus.SENDING.value
            claimed.append(message)
        return claimed

    def renew(self, ids: Collection[int], *, worker: str, token: str, until: datetime) -> set[int]:
        if not ids:
            return set()
        held = self._s.scalars(
            update(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.id.in_(list(ids)),
                OutgoingMessageRow.status == MessageStatus.SENDING.value,
                OutgoingMessageRow.claimed_by == worker,
                OutgoingMessageRow.lease_token == token,
            )
            .values(lease_until=until)
            .returning(OutgoingMessageRow.id),
            execution_options={"synchronize_session": False},
        )
        return set(held)

    def settle(
        self, message: OutgoingMessage, *, worker: str | None = None, token: str = ""
    ) -> bool:
        fence = (
            ()
            if worker is None
            else (OutgoingMessageRow.claimed_by == worker, OutgoingMessageRow.lease_token == token)
        )
        result = self._s.execute(
            update(OutgoingMessageRow)
            .where(OutgoingMessageRow.id == message.id, *fence)
            .values(
                status=message.status.value,
                attempts=message.attempts,
                last_error=message.last_error[:2000],
                due_at=message.due_at,
                expires_at=message.expires_at,  # a hold measures it again from its new due
                sent_at=message.sent_at,
                sent_channel=message.sent_channel,
                sent_ts=message.sent_ts,
                lease_until=None,
            ),
            # nothing in this session holds the row as an object: skip the ORM's bookkeeping
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))

    def settle_many(
        self, messages: Sequence[OutgoingMessage], *, worker: str, token: str
    ) -> set[int]:
        """One statement for a whole batch of outcomes, fenced like ``settle``.

        PostgreSQL: one ``UPDATE ... FROM unnest(arrays) RETURNING id``, the ids it wrote being
        the fence's answer. SQLite (no arrays): one executemany, the fence read back only when
        fewer rows than outcomes were written.
        """
        mine = [m for m in messages if m.id is not None]
        if not mine:
            return set()
        table = _outbox_table(OutgoingMessageRow.__table__)
        c = table.c
        fence = (c.claimed_by == worker, c.lease_token == token)
        rows = [
            (
                m.id,
                m.status.value,
                m.attempts,
                m.last_error[:2000],
                m.due_at,
                m.expires_at,  # a hold measures it again from its new due
                m.sent_at,
                m.sent_channel,
                m.sent_ts,
            )
            for m in mine
        ]
        if self._s.get_bind().dialect.name == "postgresql":
            outcomes = _outcomes_json(
                [
                    {
                        "id": id_,
                        "status": status,
                        "attempts": attempts,
                        "last_error": last_error,
                        "due_at": _iso(due_at),
                        "expires_at": _iso(expires_at),
                        "sent_at": _iso(sent_at),
                        "sent_channel": sent_channel,
                        "sent_ts": sent_ts,
                    }
                    for (
                        id_,
                        status,
                        attempts,
                        last_error,
                        due_at,
                        expires_at,
                        sent_at,
                        sent_channel,
                        sent_ts,
                    ) in rows
                ]
            )
            written = self._s.scalars(
                _SETTLE_ON_POSTGRESQL, {"outcomes": outcomes, "worker": worker, "token": token}
            )
            return set(written)
        statement = (
            update(table)
            .where(c.id == bindparam("outcome_id"), *fence)
            .values({name: bindparam(f"outcome_{name}") for name in _OUTCOME if name != "id"})
            .values(lease_until=None)
        )
        result = self._s.connection().execute(
            statement,
            [
                {f"outcome_{name}": value for name, value in zip(_OUTCOME, row, strict=True)}
                for row in rows
            ],
        )
        ids = {m.id for m in mine if m.id is not None}
        if int(getattr(result, "rowcount", -1)) == len(ids):
            return ids
        return set(
            self._s.scalars(select(c.id).where(c.id.in_(ids), *fence, c.lease_until.is_(None)))
        )

    def newer_due(self, message: OutgoingMessage, *, now: datetime) -> bool:
        newer = or_(
            OutgoingMessageRow.due_at > message.due_at,
            and_(
                OutgoingMessageRow.due_at == message.due_at,
                OutgoingMessageRow.id > (message.id or 0),
            ),
        )
        found = self._s.scalar(
            select(OutgoingMessageRow.id)
            .where(
                OutgoingMessageRow.team_id == message.team_id,
                OutgoingMessageRow.coalesce_key == message.coalesce_key,
                OutgoingMessageRow.status.in_(
                    (MessageStatus.PENDING.value, MessageStatus.SENDING.value)
                ),
                OutgoingMessageRow.due_at <= now,
                OutgoingMessageRow.id != message.id,
                newer,
            )
            .limit(1)
        )
        return found is not None

    def sent(self, team_id: str, key_prefix: str) -> list[OutgoingMessage]:
        rows = self._s.scalars(
            select(OutgoingMessageRow)
            .where(
                OutgoingMessageRow.team_id == team_id,
                _key_starts_with(key_prefix),
                OutgoingMessageRow.status == MessageStatus.SENT.value,
            )
            .order_by(OutgoingMessageRow.id)
        )
        return [_message(row) for row in rows]

    def tally(self, team_id: str, key_prefix: str) -> OutboxTally:
        rows = self._s.execute(
            select(OutgoingMessageRow.status, OutgoingMessageRow.last_error, func.count())
            .where(OutgoingMessageRow.team_id == team_id, _key_starts_with(key_prefix))
            .group_by(OutgoingMessageRow.status, OutgoingMessageRow.last_error)
        )
        by_status: dict[MessageStatus, int] = {}
        failures: dict[str, int] = {}
        for status, error, count in rows:
            state = MessageStatus(status)
            by_status[state] = by_status.get(state, 0) + int(count)
            if state is MessageStatus.FAILED:
                reason = error or "unknown"
                failures[reason] = failures.get(reason, 0) + int(count)
        return OutboxTally(by_status=by_status, failures=failures)

    def status_of(self, team_id: str, key: str) -> MessageStatus | None:
        status = self._s.scalar(
            select(OutgoingMessageRow.status).where(
                OutgoingMessageRow.team_id == team_id, OutgoingMessageRow.key == key
            )
        )
        return None if status is None else MessageStatus(status)

    def due_preview(self, *, now: datetime, limit: int) -> list[OutgoingMessage]:
        rows = self._s.scalars(
            select(OutgoingMessageRow)
            .where(self._due(now))
            .order_by(OutgoingMessageRow.due_at, OutgoingMessageRow.id)
            .limit(limit)
        )
        return [_message(row) for row in rows]


class SqlEventLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def first_delivery(self, team_id: str, event_id: str, at: datetime) -> bool:
        if self._s.get(ProcessedEventRow, event_id) is not None:
            return False
        try:
            with self._s.begin_nested():
                self._s.add(ProcessedEventRow(event_id=event_id, team_id=team_id, received_at=at))
        except IntegrityError:  # the retry raced the original
            return False
        return True
