"""Tables. Every row carries the Slack workspace (``team_id``); timestamps are UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    MetaData,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

from storage.crypto import Cipher

_NO_CIPHER = Cipher(None)


CIPHER_ATTRIBUTE = "mentorbot_cipher"


def cipher_of(dialect: Dialect) -> Cipher:
    """The cipher the database was given (``Database.use_cipher``), kept on its dialect: the
    one object SQLAlchemy hands every type, so rows encrypt alike from any session."""
    cipher = getattr(dialect, CIPHER_ATTRIBUTE, None)
    return cipher if isinstance(cipher, Cipher) else _NO_CIPHER


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python on both databases (SQLite has no time zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: attach a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class PrivateText(TypeDecorator[str]):
    """What a person wrote for themselves or their partner: ciphertext at rest under a key.

    Empty text stays empty (nothing to hide, and "was a note left?" needs no key). Never
    compare these columns in SQL: each encryption of the same text differs.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return cipher_of(dialect).encrypt(value) if value else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return cipher_of(dialect).decrypt(value) if value else value


PRIVATE_PAYLOAD_KEYS = frozenset({"note", "shared_note", "goals", "reason"})  # a match's
# reason may quote the mentee's goals


def _seal(value: Any, seal: Any) -> Any:
    if isinstance(value, str):
        return seal(value) if value else value
    if isinstance(value, list):
        return [_seal(v, seal) for v in value]
    if isinstance(value, dict):
        return {k: _seal(v, seal) for k, v in value.items()}
    return value


class PrivatePayload(TypeDecorator[dict[str, Any]]):
    """An outgoing message's payload whose private parts (notes for the program team, a
    mentee's goals) are encrypted at rest; every string under those keys, however nested."""

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: dict[str, Any] | None, dialect: Dialect
    ) -> dict[str, Any] | None:
        if value is None:
            return None
        cipher = cipher_of(dialect)
        if not cipher.enabled:
            return value
        return {
            k: _seal(v, cipher.encrypt) if k in PRIVATE_PAYLOAD_KEYS else v
            for k, v in value.items()
        }

    def process_result_value(
        self, value: dict[str, Any] | None, dialect: Dialect
    ) -> dict[str, Any] | None:
        if value is None:
            return None
        cipher = cipher_of(dialect)
        return {
            k: _seal(v, cipher.decrypt) if k in PRIVATE_PAYLOAD_KEYS else v
            for k, v in value.items()
        }


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}
