"""Erasing one person from a workspace's records, down to the last mention of their ID.

What is theirs is deleted; what others need (a partnership row the partner's reflections hang
on, a session log the program's numbers count) stays with the person's ID replaced by a
placeholder that ties to nobody. The last step walks every text and JSON column of every
table, so a column added later is covered without anyone remembering to list it here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, or_, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.model.erasure import Erasure
from bot.model.partnership import ProposalStatus
from storage.models.base import SEALED_MARK, Base, PrivateText, Sealed, SealedPayload
from storage.models.conversation import DmNoteRow
from storage.models.journal import GoalRow, JournalPreferencesRow, MilestoneRow, ReflectionRow
from storage.models.matching import (
    MatchProposalRow,
    MentorProfileRow,
    MentorRequestRow,
    PartnershipRow,
)
from storage.models.outbox import OutgoingMessageRow
from storage.models.rhythm import ProgressCheckRow, RiskFlagRow
from storage.models.sessions import MemberPreferencesRow, SessionSlotRow


def mentions(user_id: str) -> re.Pattern[str]:
    """The ID as a whole token: ``U1`` in ``rhythm:3:pulse:U1``, never inside ``U10``."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(user_id)}(?![A-Za-z0-9])")


def _replace(value: Any, swap: Callable[[str], str]) -> Any:
    if isinstance(value, str):  # a sealed payload string stays sealed
        return Sealed(swap(value)) if isinstance(value, Sealed) else swap(value)
    if isinstance(value, list):
        return [_replace(v, swap) for v in value]
    if isinstance(value, dict):
        return {swap(k): _replace(v, swap) for k, v in value.items()}
    return value


def _like(column: Any, user_id: str) -> ColumnElement[bool]:
    """A cheap SQL filter that finds at least every row mentioning the ID (as text)."""
    escaped = user_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    is_json = isinstance(column.type, JSON | SealedPayload)
    as_text = cast(column, Text) if is_json else type_coerce(column, Text)
    return as_text.like(f"%{escaped}%", escape="\\")


def _text_columns(table: Table) -> Iterator[Any]:
    for column in table.columns:
        if column.primary_key:
            continue
        if isinstance(column.type, String | JSON | PrivateText | SealedPayload):
            yield column


class SqlPersonalData:
    def __init__(self, session: Session) -> None:
        self._s = session

    def erase(self, team_id: str, user_id: str, *, placeholder: str) -> Erasure:
        partnership_ids = list(
            self._s.scalars(
                select(PartnershipRow.id).where(
                    PartnershipRow.team_id == team_id,
                    or_(PartnershipRow.mentor_id == user_id, PartnershipRow.mentee_id == user_id),
                )
            )
        )
        waiting = list(
            self._s.scalars(
                select(MatchProposalRow.request_id).where(
                    MatchProposalRow.team_id == team_id,
                    MatchProposalRow.mentor_id == user_id,
                    MatchProposalRow.status == ProposalStatus.PENDING.value,
                )
            )
        )
        counts: dict[str, int] = {}

        def drop(name: str, row_type: type[Base], *where: Any) -> None:
            table = _table(row_type)
            result = self._s.execute(
                delete(table).where(table.c.team_id == team_id, *where),
                execution_options={"synchronize_session": False},
            )
            counts[name] = counts.get(name, 0) + int(getattr(result, "rowcount", 0) or 0)

        drop("mentor_profiles", MentorProfileRow, MentorProfileRow.user_id == user_id)
        drop("preferences", MemberPreferencesRow, MemberPreferencesRow.user_id == user_id)
        drop("preferences", JournalPreferencesRow, JournalPreferencesRow.user_id == user_id)
        drop(
            "proposals",
            MatchProposalRow,
            or_(MatchProposalRow.mentee_id == user_id, MatchProposalRow.mentor_id == user_id),
        )
        drop("requests", MentorRequestRow, MentorRequestRow.mentee_id == user_id)
        drop("reflections", ReflectionRow, ReflectionRow.author_id == user_id)
        drop("progress_checks", ProgressCheckRow, ProgressCheckRow.user_id == user_id)
        drop("dm_notes", DmNoteRow, DmNoteRow.author_id == user_id)
        if partnership_ids:
            of_theirs = list(partnership_ids)
            drop("goals", GoalRow, GoalRow.partnership_id.in_(of_theirs))
            drop("milestones", MilestoneRow, MilestoneRow.partnership_id.in_(of_theirs))
            # check-ins about the partnership are about them too, whoever answered
            drop(
                "progress_checks", ProgressCheckRow, ProgressCheckRow.partnership_id.in_(of_theirs)
            )
            drop("risk_flags", RiskFlagRow, RiskFlagRow.partnership_id.in_(of_theirs))
            drop("session_slots", SessionSlotRow, SessionSlotRow.partnership_id.in_(of_theirs))
        counts["messages"] = self._drop_messages(team_id, user_id, set(partnership_ids))
        counts["replaced"] = self._replace_everywhere(team_id, user_id, placeholder)
        self._s.expire_all()  # objects this session loaded earlier still hold the old values
        return Erasure(partnership_ids=partnership_ids, waiting_request_ids=waiting, counts=counts)

    def _drop_messages(self, team_id: str, user_id: str, partnership_ids: set[int]) -> int:
        """Every outgoing message or job to or about them, or of their partnerships (copies of
        goals, notes, milestones), whatever its state: a sent row's key and payload tell as
        much as a pending one's."""
        token = mentions(user_id)
        table = _table(OutgoingMessageRow)
        columns = [c for c in _text_columns(table) if c.name != "team_id"]
        narrow = [_like(c, user_id) for c in columns]
        narrow += [_like(table.c.payload, SEALED_MARK)]
        for partnership_id in sorted(partnership_ids):
            # as the JSON serializer (json.dumps) writes it: `"partnership_id": 7,` or `...7}`
            field = json.dumps({"partnership_id": partnership_id})[1:-1]
            narrow += [_like(table.c.payload, field + end) for end in (",", "}")]
        rows = self._s.execute(
            select(table.c.id, *columns).where(table.c.team_id == team_id, or_(*narrow))
        )
        doomed = [
            row.id
            for row in rows
            if _of_theirs(row._mapping["payload"], partnership_ids)
            or any(token.search(_as_text(row._mapping[c.name])) for c in columns)
        ]
        for start in range(0, len(doomed), 500):
            self._s.execute(
                delete(table).where(table.c.id.in_(doomed[start : start + 500])),
                execution_options={"synchronize_session": False},
            )
        return len(doomed)

    def _replace_everywhere(self, team_id: str, user_id: str, placeholder: str) -> int:
        """Swap every remaining mention for ``placeholder`` in every table of the workspace.

        Rows are narrowed in SQL; encrypted values can only be opened here (the ID may be
        inside the ciphertext), which an erasure, done rarely, can afford.
        """
        token = mentions(user_id)

        def swap(text: str) -> str:
            return token.sub(placeholder, text)

        changed = 0
        for table in Base.metadata.sorted_tables:
            if "team_id" not in table.c:
                continue
            columns = [c for c in _text_columns(table) if c.name != "team_id"]
            if not columns:
                continue
            sealed = [c for c in columns if isinstance(c.type, PrivateText | SealedPayload)]
            # narrowed in SQL: a plain mention, or a value encrypted (it may hide one)
            narrow = [_like(c, user_id) for c in columns]
            narrow += [_like(c, SEALED_MARK) for c in sealed]
            where: list[Any] = [table.c.team_id == team_id, or_(*narrow)]
            key = next(iter(table.primary_key.columns))
            for row in self._s.execute(select(key, *columns).where(*where)).all():
                values = {}
                for column in columns:
                    value = row._mapping[column.name]
                    if value is not None and token.search(_as_text(value)):
                        values[column.name] = _replace(value, swap)
                if values:
                    self._s.execute(
                        update(table).where(key == row._mapping[key.name]).values(**values),
                        execution_options={"synchronize_session": False},
                    )
                    changed += 1
        return changed


def _of_theirs(payload: Any, partnership_ids: set[int]) -> bool:
    if not isinstance(payload, dict):
        return False
    value = payload.get("partnership_id")
    return isinstance(value, int) and value in partnership_ids


def _table(row_type: type[Base]) -> Table:
    return Base.metadata.tables[str(row_type.__tablename__)]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return repr(value)
