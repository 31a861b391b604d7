"""One encode/decode pair between typed payloads and the JSON stored in the outbox.

Encoding is generic (any frozen dataclass, nested dataclasses such as ``SessionSlot`` or
``ProgramHealth``, enums, dates), written out by hand rather than by pydantic's serializer so
the stored JSON stays exactly what the dict-building code wrote before payloads were typed
(``isoformat()`` with ``+00:00``, fields with a None default left out while None). Decoding
is pydantic's (``TypeAdapter``), which reads those strings back into dates and enums.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from pydantic import TypeAdapter, ValidationError

from bot.model.messages.base import PRIVATE, Payload, Unreadable
from bot.model.messages.registry import payload_type

JSON = dict[str, Any]


def encode(payload: Payload) -> JSON:
    """The payload as stored: JSON-ready, every field by its own name."""
    if isinstance(payload, Unreadable):
        return dict(payload.data)
    encoded = _plain(payload)
    assert isinstance(encoded, dict)
    return encoded


def decode(kind: str, data: Mapping[str, Any]) -> Payload:
    """A stored payload back to its kind's type; raises ``pydantic.ValidationError`` if the
    JSON does not fit it (and ``KeyError`` for a kind nobody registered)."""
    payload = _adapter(payload_type(kind)).validate_python(dict(data))
    assert isinstance(payload, Payload)
    return payload


def load(kind: str, data: Mapping[str, Any]) -> Payload:
    """``decode`` for the outbox's reader: a row that does not fit becomes ``Unreadable``
    (failed when its turn comes) rather than stopping every other row from being read."""
    try:
        return decode(kind, data)
    except (KeyError, ValidationError) as error:
        return Unreadable(data=dict(data), error=f"{type(error).__name__}: {error}"[:200])


def check(kind: str, payload: Payload) -> None:
    """Refuse to queue a payload under a kind it does not belong to."""
    expected = payload_type(kind)
    if type(payload) is not expected and not isinstance(payload, Unreadable):
        raise TypeError(f"{kind} carries {expected.__name__}, not {type(payload).__name__}")


def mark_private(kind: str, data: JSON, mark: Callable[[str], str]) -> JSON:
    """``data`` (a stored payload of ``kind``) with ``mark`` applied to every string of the
    fields typed ``PrivateText``, however nested; the rest untouched. The storage layer seals
    with it; a migration can use it to seal or open rows already queued."""
    try:
        cls = payload_type(kind)
    except KeyError:
        return data  # a kind this release doesn't know: nothing it can tell is private
    walked = _walk(cls, data, mark)
    assert isinstance(walked, dict)
    return walked


# -- encoding --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.default is None and getattr(value, f.name) is None)
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    raise TypeError(f"a payload can't hold {type(value).__name__}")


_ADAPTERS: dict[type[Payload], TypeAdapter[Any]] = {}


def _adapter(cls: type[Payload]) -> TypeAdapter[Any]:
    if cls not in _ADAPTERS:  # built once per type: building one costs milliseconds
        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


# -- the private fields ----------------------------------------------------------------------


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls, include_extras=True)


@cache
def _has_private(hint: Any) -> bool:
    if get_origin(hint) is Annotated:
        inner, *extras = get_args(hint)
        return any(e is PRIVATE for e in extras) or _has_private(inner)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return any(_has_private(h) for h in _hints(hint).values())
    return any(_has_private(arg) for arg in get_args(hint) if arg is not Ellipsis)


def _walk(hint: Any, value: Any, mark: Callable[[str], str]) -> Any:
    if value is None or not _has_private(hint):
        return value
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        if any(e is PRIVATE for e in args[1:]):
            return _every_string(value, mark)
        return _walk(args[0], value, mark)
    if origin is Union or origin is types.UnionType:
        return _walk_union(args, value, mark)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type) and isinstance(value, dict):
        hints = _hints(hint)
        return {k: _walk(hints[k], v, mark) if k in hints else v for k, v in value.items()}
    if isinstance(value, list) and args:
        return [_walk(args[0], v, mark) for v in value]
    if isinstance(value, dict) and len(args) == 2:
        return {k: _walk(args[1], v, mark) for k, v in value.items()}
    return value


def _walk_union(args: tuple[Any, ...], value: Any, mark: Callable[[str], str]) -> Any:
    for arg in args:
        if arg is type(None):
            continue
        shape = get_origin(arg) or arg
        if get_origin(arg) is Annotated:
            shape = get_origin(get_args(arg)[0]) or get_args(arg)[0]
        if isinstance(shape, type) and (
            isinstance(value, shape)
            or (isinstance(value, dict) and dataclasses.is_dataclass(shape))
        ):
            return _walk(arg, value, mark)
    return value


def _every_string(value: Any, mark: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mark(value) if value else value
    if isinstance(value, list):
        return [_every_string(v, mark) for v in value]
    if isinstance(value, dict):
        return {k: _every_string(v, mark) for k, v in value.items()}
    return value
