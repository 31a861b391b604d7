"""Typed payloads of outgoing messages and jobs: one frozen dataclass per kind, one codec.

A service builds the payload type of the kind it queues; the outbox repository encodes it to
JSON (sealing the ``PrivateText`` fields when the database has a key) and decodes it back;
the messenger's renderers and the jobs receive the typed object.

A new kind: add it to ``Kind``, write its dataclass (subclass ``Payload``, or ``Zoned`` /
``PairPrompt`` for a prompt held to the recipient's hours; ``PrivateText`` on every field
holding a person's words), map it in ``registry.PAYLOADS``, and register its renderer (or
job). New fields with a None default change no stored row.
"""

from __future__ import annotations

from bot.model.messages.base import (
    PRIVATE,
    InPlace,
    NoPayload,
    PairPrompt,
    Payload,
    PrivateText,
    Unreadable,
    Zoned,
)
from bot.model.messages.codec import check, decode, encode, load, mark_private
from bot.model.messages.registry import PAYLOADS, payload_type

__all__ = [
    "PAYLOADS",
    "PRIVATE",
    "InPlace",
    "NoPayload",
    "PairPrompt",
    "Payload",
    "PrivateText",
    "Unreadable",
    "Zoned",
    "check",
    "decode",
    "encode",
    "load",
    "mark_private",
    "payload_type",
]
