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

from sqlalchemy import (
    String,
    Table,
    Text,
    and_,
    cast,
    delete,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.model.erasure import Erasure
from bot.model.partnership import ProposalStatus
from storage.models.base import (
    SEALED_MARK,
    STORED_AS_JSON,
    Base,
    PrivateText,
    Sealed,
    SealedPayload,
)
from storage.models.conversation import DmNoteRow
from storage.models.journal import GoalRow, JournalPreferencesRow, MilestoneRow, ReflectionRow
from storage.models.matching import (
    MatchProposalRow,
    MentorProfileRow,
    MentorRequestRow,
    PartnershipRow,
)
from storage.models.outbox import OutgoingMessageRow
from storage.models.pair_channels import PairChannelRow
from storage.models.rhythm import ProgressCheckRow, RiskFlagRow
from storage.models.sessions import MemberPreferencesRow, SessionSlotRow
from storage.models.zones import PersonZoneRow


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
    is_json = isinstance(column.type, STORED_AS_JSON)
    as_text = cast(column, Text) if is_json else type_coerce(column, Text)
    return as_text.like(f"%{escaped}%", escape="\\")


def _text_columns(table: Table) -> Iterator[Any]:
    for column in table.columns:
        if column.primary_key:
            continue
        if isinstance(column.type, (String, PrivateText, *STORED_AS_JSON)):
            yield column


class SqlPersonalData:
    def __init__(self, session: Session) -> None:
        self._s = session

    def erase(self, team_id: str, user_id: str, *, placeholder: str) -> Erasure:
        partnership_ids = self._pairs_of(team_id, user_id)
        waiting = self._s.execute(
            select(MatchProposalRow.request_id, MatchProposalRow.mentee_team_id).where(
                MatchProposalRow.mentor_team_id == team_id,
                MatchProposalRow.mentor_id == user_id,
                MatchProposalRow.status == ProposalStatus.PENDING.value,
            )
        ).all()
        counts: dict[str, int] = {}
        drop = self._dropper(team_id, counts)

        drop("mentor_profiles", MentorProfileRow, MentorProfileRow.user_id == user_id)
        drop("preferences", MemberPreferencesRow, MemberPreferencesRow.user_id == user_id)
        drop("preferences", JournalPreferencesRow, JournalPreferencesRow.user_id == user_id)
        # a proposal of a program shared with their workspace is the host's row: found by
        # the person's own workspace, whatever program it was in
        self._drop_anywhere(counts, "proposals", MatchProposalRow, _proposals_of(team_id, user_id))
        drop("requests", MentorRequestRow, MentorRequestRow.mentee_id == user_id)
        drop("reflections", ReflectionRow, ReflectionRow.author_id == user_id)
        drop("progress_checks", ProgressCheckRow, ProgressCheckRow.user_id == user_id)
        drop("dm_notes", DmNoteRow, DmNoteRow.author_id == user_id)
        drop("person_zones", PersonZoneRow, PersonZoneRow.user_id == user_id)
        self._drop_of_pairs(counts, partnership_ids)
        counts["messages"] = self._drop_messages(team_id, user_id, set(partnership_ids))
        counts["messages"] += self._drop_pair_messages(team_id, set(partnership_ids))
        counts["replaced"] = self._replace_everywhere(team_id, user_id, placeholder)
        counts["replaced"] += self._replace_in_pairs(team_id, user_id, partnership_ids, placeholder)
        self._s.expire_all()  # objects this session loaded earlier still hold the old values
        return Erasure(
            partnership_ids=partnership_ids,
            waiting_request_ids=[request_id for request_id, _ in waiting],
            counts=counts,
            waiting_teams={request_id: team or team_id for request_id, team in waiting},
        )

    def erase_in_program(
        self,
        team_id: str,
        user_id: str,
        *,
        host_team_id: str,
        program_id: int,
        placeholder: str,
    ) -> Erasure:
        """Only what the person of ``team_id`` has in another workspace's program: their
        profile and requests in it, their proposals and partnerships there (the rows stay,
        under ``placeholder``, for the program's numbers) with what hangs off those, and
        what they wrote about them. Their own workspace's programs are untouched."""
        partnership_ids = list(
            self._s.scalars(
                select(PartnershipRow.id).where(
                    PartnershipRow.team_id == host_team_id,
                    PartnershipRow.program_id == program_id,
                    _pair_of(team_id, user_id),
                )
            )
        )
        request_ids = list(
            self._s.scalars(
                select(MentorRequestRow.id).where(
                    MentorRequestRow.team_id == team_id,
                    MentorRequestRow.mentee_id == user_id,
                    MentorRequestRow.host_team_id == host_team_id,
                    MentorRequestRow.program_id == program_id,
                )
            )
        )
        counts: dict[str, int] = {}
        drop = self._dropper(team_id, counts)
        drop(
            "mentor_profiles",
            MentorProfileRow,
            MentorProfileRow.user_id == user_id,
            MentorProfileRow.host_team_id == host_team_id,
            MentorProfileRow.program_id == program_id,
        )
        self._drop_anywhere(
            counts,
            "proposals",
            MatchProposalRow,
            MatchProposalRow.team_id == host_team_id,
            or_(
                MatchProposalRow.request_id.in_(request_ids),
                and_(
                    MatchProposalRow.mentor_team_id == team_id,
                    MatchProposalRow.mentor_id == user_id,
                ),
            ),
        )
        drop("requests", MentorRequestRow, MentorRequestRow.id.in_(request_ids))
        if partnership_ids:
            drop(
                "reflections",
                ReflectionRow,
                ReflectionRow.author_id == user_id,
                ReflectionRow.partnership_id.in_(partnership_ids),
            )
            drop(
                "dm_notes",
                DmNoteRow,
                DmNoteRow.author_id == user_id,
                DmNoteRow.partnership_id.in_(partnership_ids),
            )
        self._drop_of_pairs(counts, partnership_ids)
        counts["messages"] = self._drop_pair_messages("", set(partnership_ids))
        counts["replaced"] = self._replace_in_pairs("", user_id, partnership_ids, placeholder)
        self._s.expire_all()
        return Erasure(partnership_ids=partnership_ids, counts=counts)

    def _pairs_of(self, team_id: str, user_id: str) -> list[int]:
        """Every partnership of the person, by their own workspace: a program of theirs or
        another workspace's shared with it."""
        return list(self._s.scalars(select(PartnershipRow.id).where(_pair_of(team_id, user_id))))

    def _dropper(self, team_id: str, counts: dict[str, int]) -> Callable[..., None]:
        def drop(name: str, row_type: type[Base], *where: Any) -> None:
            table = _table(row_type)
            self._drop_anywhere(counts, name, row_type, table.c.team_id == team_id, *where)

        return drop

    def _drop_anywhere(
        self, counts: dict[str, int], name: str, row_type: type[Base], *where: Any
    ) -> None:
        table = _table(row_type)
        result = self._s.execute(
            delete(table).where(*where), execution_options={"synchronize_session": False}
        )
        counts[name] = counts.get(name, 0) + int(getattr(result, "rowcount", 0) or 0)

    def _drop_of_pairs(self, counts: dict[str, int], partnership_ids: list[int]) -> None:
        """What hangs off their partnerships, in whichever workspace keeps it (the host's,
        for a program shared across workspaces): the partner keeps their reflections only."""
        if not partnership_ids:
            return
        of_theirs = list(partnership_ids)
        # the pair's channel (kept by the workspace it lives in) forgets both names: the row
        # stays, so Slack's later events about the channel still find it
        channels = _table(PairChannelRow)
        result = self._s.execute(
            update(channels)
            .where(
                channels.c.partnership_id.in_(of_theirs),
                or_(channels.c.host_name != "", channels.c.partner_name != ""),
            )
            .values(
                host_name="",
                partner_name="",
                name="mentoring-" + cast(channels.c.partnership_id, String),
            ),
            execution_options={"synchronize_session": False},
        )
        counts["pair_channels"] = int(getattr(result, "rowcount", 0) or 0)
        for name, row_type in (
            ("goals", GoalRow),
            ("milestones", MilestoneRow),
            # check-ins about the partnership are about them too, whoever answered
            ("progress_checks", ProgressCheckRow),
            ("risk_flags", RiskFlagRow),
            ("session_slots", SessionSlotRow),
        ):
            table = _table(row_type)
            self._drop_anywhere(counts, name, row_type, table.c.partnership_id.in_(of_theirs))

    def _drop_pair_messages(self, except_team: str, partnership_ids: set[int]) -> int:
        """Messages and jobs of their partnerships kept in other workspaces (to a partner of
        another company, or the host's jobs): found by the partnership, never by a user ID
        alone, which may be someone else's there."""
        if not partnership_ids:
            return 0
        table = _table(OutgoingMessageRow)
        narrow = []
        for partnership_id in sorted(partnership_ids):
            field = json.dumps({"partnership_id": partnership_id})[1:-1]
            narrow += [_like(table.c.payload, field + end) for end in (",", "}")]
        narrow += [_like(table.c.payload, SEALED_MARK)]
        rows = self._s.execute(
            select(table.c.id, table.c.payload).where(table.c.team_id != except_team, or_(*narrow))
        )
        doomed = [row.id for row in rows if _of_theirs(row.payload, partnership_ids)]
        for start in range(0, len(doomed), 500):
            self._s.execute(
                delete(table).where(table.c.id.in_(doomed[start : start + 500])),
                execution_options={"synchronize_session": False},
            )
        return len(doomed)

    def _replace_in_pairs(
        self, except_team: str, user_id: str, partnership_ids: list[int], placeholder: str
    ) -> int:
        """Their ID in rows of their partnerships kept in other workspaces (the partnership
        row itself, its session logs, the partner's reflections), and nowhere else there."""
        if not partnership_ids:
            return 0
        token = mentions(user_id)

        def swap(text: str) -> str:
            return token.sub(placeholder, text)

        changed = 0
        for table in Base.metadata.sorted_tables:
            if "team_id" not in table.c:
                continue
            if table.name == "partnerships":
                tied = table.c.id.in_(partnership_ids)
            elif "partnership_id" in table.c:
                tied = table.c.partnership_id.in_(partnership_ids)
            else:
                continue
            columns = [c for c in _text_columns(table) if c.name != "team_id"]
            sealed = [c for c in columns if isinstance(c.type, PrivateText | SealedPayload)]
            narrow = [_like(c, user_id) for c in columns]
            narrow += [_like(c, SEALED_MARK) for c in sealed]
            where = (table.c.team_id != except_team, tied, or_(*narrow))
            changed += self._swap_rows(table, columns, where, token, swap)
        return changed

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
            where = (table.c.team_id == team_id, or_(*narrow))
            changed += self._swap_rows(table, columns, where, token, swap)
        return changed

    def _swap_rows(
        self,
        table: Table,
        columns: list[Any],
        where: tuple[Any, ...],
        token: re.Pattern[str],
        swap: Callable[[str], str],
    ) -> int:
        """Rewrite each row ``where`` selects whose ``columns`` hold ``token`` (opened here
        when sealed); how many rows changed."""
        key = next(iter(table.primary_key.columns))
        changed = 0
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


def _pair_of(team_id: str, user_id: str) -> ColumnElement[bool]:
    return or_(
        and_(PartnershipRow.mentor_team_id == team_id, PartnershipRow.mentor_id == user_id),
        and_(PartnershipRow.mentee_team_id == team_id, PartnershipRow.mentee_id == user_id),
    )


def _proposals_of(team_id: str, user_id: str) -> ColumnElement[bool]:
    return or_(
        and_(MatchProposalRow.mentor_team_id == team_id, MatchProposalRow.mentor_id == user_id),
        and_(MatchProposalRow.mentee_team_id == team_id, MatchProposalRow.mentee_id == user_id),
    )


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
