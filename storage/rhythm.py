"""Progress checks and risk flags."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.model.progress import CheckKind, ProgressCheck, RiskFlag
from storage.models.rhythm import ProgressCheckRow, RiskFlagRow
from storage.rows import _CHECK_ENUMS, _FLAG_ENUMS, _copy_into, _save, _to_domain


class SqlProgressRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def check(
        self, team_id: str, partnership_id: int, user_id: str, kind: CheckKind, round_no: int
    ) -> ProgressCheck | None:
        row = self._s.scalar(
            select(ProgressCheckRow).where(
                ProgressCheckRow.team_id == team_id,
                ProgressCheckRow.partnership_id == partnership_id,
                ProgressCheckRow.user_id == user_id,
                ProgressCheckRow.kind == kind.value,
                ProgressCheckRow.round == round_no,
            )
        )
        return None if row is None else _to_domain(ProgressCheck, row, _CHECK_ENUMS)

    def save_check(self, check: ProgressCheck) -> ProgressCheck:
        _save(self._s, ProgressCheckRow, check)
        return check

    def checks(self, team_id: str, partnership_id: int) -> list[ProgressCheck]:
        rows = self._s.scalars(
            select(ProgressCheckRow)
            .where(
                ProgressCheckRow.team_id == team_id,
                ProgressCheckRow.partnership_id == partnership_id,
            )
            .order_by(ProgressCheckRow.id)
        )
        return [_to_domain(ProgressCheck, row, _CHECK_ENUMS) for row in rows]

    def checks_of_kind(self, team_id: str, kind: CheckKind) -> list[ProgressCheck]:
        rows = self._s.scalars(
            select(ProgressCheckRow)
            .where(ProgressCheckRow.team_id == team_id, ProgressCheckRow.kind == kind.value)
            .order_by(ProgressCheckRow.id)
        )
        return [_to_domain(ProgressCheck, row, _CHECK_ENUMS) for row in rows]

    def add_flag(self, flag: RiskFlag) -> bool:
        exists = self._s.scalar(
            select(RiskFlagRow.id).where(
                RiskFlagRow.team_id == flag.team_id,
                RiskFlagRow.partnership_id == flag.partnership_id,
                RiskFlagRow.signal == flag.signal.value,
                RiskFlagRow.occasion == flag.occasion,
            )
        )
        if exists is not None:
            return False
        try:
            with self._s.begin_nested():
                row = RiskFlagRow()
                _copy_into(row, flag)
                self._s.add(row)
        except IntegrityError:  # another transaction raised it first
            return False
        flag.id = row.id
        return True

    def flags(self, team_id: str) -> list[RiskFlag]:
        rows = self._s.scalars(
            select(RiskFlagRow).where(RiskFlagRow.team_id == team_id).order_by(RiskFlagRow.id)
        )
        return [_to_domain(RiskFlag, row, _FLAG_ENUMS) for row in rows]
