"""Tables. Every row carries the Slack workspace (``team_id``); timestamps are UTC."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    DateTime,
    MetaData,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

from storage.crypto import Cipher, CipherError

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


SEALED_MARK = "gAAAAA"  # how every Fernet token begins (storage/crypto.py)


class Sealed(str):
    """A payload string that is encrypted at rest: the outbox repository marks the fields
    the payload's type calls ``PrivateText`` (``bot.model.messages.mark_private``), and a
    value read back open is marked again, so rewriting a row (an erasure) keeps it sealed."""

    __slots__ = ()


def _strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _strings(v, change) for k, v in value.items()}
    return value


class SealedPayload(TypeDecorator[dict[str, Any]]):
    """An outgoing message's payload as JSON, its ``Sealed`` strings encrypted under a key.

    Which strings are private is the payload type's business, not a list of key names here:
    the repository marks them before the row is written. Reading opens every encrypted
    string (rows queued by older code sealed whole keys: ``note``, ``shared_note``, ``goals``).
    A plain string that merely looks encrypted is left as it is; the repository refuses a
    private field that stays encrypted (no configured key opens it).
    """

    impl = JSON
    cache_ok = True

    def process_bind_param(
        self, value: dict[str, Any] | None, dialect: Dialect
    ) -> dict[str, Any] | None:
        if value is None:
            return None
        cipher = cipher_of(dialect)

        def seal(text: str) -> str:
            if isinstance(text, Sealed) and text:
                return cipher.encrypt(text)
            return str(text)

        sealed = _strings(value, seal)
        assert isinstance(sealed, dict)
        return sealed

    def process_result_value(
        self, value: dict[str, Any] | None, dialect: Dialect
    ) -> dict[str, Any] | None:
        if value is None:
            return None
        cipher = cipher_of(dialect)

        def open_(text: str) -> str:
            if not text.startswith(SEALED_MARK) or not cipher.enabled:
                return text
            try:
                return Sealed(cipher.decrypt(text))
            except CipherError:
                return text

        opened = _strings(value, open_)
        assert isinstance(opened, dict)
        return opened


class PlainJSON(TypeDecorator[Any]):
    """JSON of strings, integers, booleans, lists and string-keyed dicts only, written by
    orjson: a cohort plan's 10,000 pairs took ``json.dumps`` 18 ms, orjson 1. Read back as
    any JSON column is (the text differs only in spacing and escapes, never in what it
    holds). A value orjson refuses is written by ``json`` as before."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str]:
        def process(value: Any) -> str:
            try:
                return orjson.dumps(value).decode()
            except TypeError:
                return json.dumps(value)

        return process


STORED_AS_JSON = (JSON, SealedPayload, PlainJSON)
"""Every column type kept as JSON: what an erasure searches and rewrites as JSON."""


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
