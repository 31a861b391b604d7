"""Copying between rows and the core's dataclasses, field by field."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from typing import Any, TypeVar

import orjson
from sqlalchemy.orm import Session

from bot.model.announcements import AnnouncementStatus, Audience
from bot.model.journal import (
    GoalStatus,
    Visibility,
)
from bot.model.outbox import MessageStatus
from bot.model.partnership import (
    PartnershipStatus,
    ProposalStatus,
    RequestStatus,
)
from bot.model.progress import CheckKind, RiskSignal
from bot.model.sessions import SessionOutcome
from storage.models.base import Base

D = TypeVar("D")


R = TypeVar("R", bound=Base)


def _to_domain(cls: type[D], row: object, enums: dict[str, type[StrEnum]]) -> D:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.metadata.get("stored") is False:
            continue
        value = getattr(row, f.name)
        if f.name in enums and value is not None:
            value = enums[f.name](value)
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        values[f.name] = value
    return cls(**values)


def _column_values(obj: Any) -> dict[str, Any]:
    """The columns a domain object sets on its row (all but the ID and fields not stored),
    enums as their values and lists and dicts as copies, so the row never shares them."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name == "id" or f.metadata.get("stored") is False:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, StrEnum):
            value = value.value
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        values[f.name] = value
    return values


def _copy_into(row: Base, obj: Any) -> None:
    for name, value in _column_values(obj).items():
        setattr(row, name, value)


def _save(session: Session, row_type: type[R], obj: Any) -> R:
    row = session.get(row_type, obj.id) if obj.id is not None else None
    if row is None:
        row = row_type()
        session.add(row)
    _copy_into(row, obj)
    session.flush()
    obj.id = row.id  # type: ignore[attr-defined]
    return row


_REQUEST_ENUMS: dict[str, type[StrEnum]] = {"status": RequestStatus}


_PROPOSAL_ENUMS: dict[str, type[StrEnum]] = {"status": ProposalStatus}


_PARTNERSHIP_ENUMS: dict[str, type[StrEnum]] = {"status": PartnershipStatus}


_MESSAGE_ENUMS: dict[str, type[StrEnum]] = {"status": MessageStatus}


_LOG_ENUMS: dict[str, type[StrEnum]] = {"outcome": SessionOutcome}


_ANNOUNCEMENT_ENUMS: dict[str, type[StrEnum]] = {
    "audience": Audience,
    "status": AnnouncementStatus,
}


_GOAL_ENUMS: dict[str, type[StrEnum]] = {"status": GoalStatus}


_REFLECTION_ENUMS: dict[str, type[StrEnum]] = {"visibility": Visibility}


_CHECK_ENUMS: dict[str, type[StrEnum]] = {"kind": CheckKind}


_FLAG_ENUMS: dict[str, type[StrEnum]] = {"signal": RiskSignal}


def json_loads(text: str | bytes) -> Any:
    """JSON columns as read back: orjson (2-4 us a claimed outbox row less than ``json.loads``),
    and ``json.loads`` for what orjson refuses and Python's ``json`` wrote (``NaN``, integers
    past 64 bits), so every row reads as it did."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
