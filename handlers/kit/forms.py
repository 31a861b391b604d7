"""Reading what people typed into modals, defensively: a crafted or odd payload never raises."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.errors import DomainError


class ViewForm:
    """The submitted values of a modal, by block ID (each input's action ID is ``value``)."""

    def __init__(self, view: Any) -> None:
        view = view if isinstance(view, dict) else {}
        state = view.get("state")
        values = state.get("values") if isinstance(state, dict) else None
        self._values: dict[str, Any] = values if isinstance(values, dict) else {}
        self.metadata = _metadata(view.get("private_metadata"))

    def partnership_id(self, *, field: str | None = None) -> int:
        """The partnership the form was opened for; a form whose metadata names none (opened
        before a change, or crafted) is refused on ``field``, never a traceback."""
        value = int_or_none(self.metadata.get("partnership_id"))
        if value is None:
            raise DomainError("This form is out of date; please close it.", field=field)
        return value

    def _element(self, block_id: str) -> dict[str, Any]:
        block = self._values.get(block_id)
        if not isinstance(block, dict):
            return {}
        element = block.get("value")
        if not isinstance(element, dict):
            element = next((v for v in block.values() if isinstance(v, dict)), {})
        return element

    def text(self, block_id: str) -> str:
        value = self._element(block_id).get("value")
        return clean(value) if isinstance(value, str) else ""

    def selected(self, block_id: str) -> str:
        chosen = self._element(block_id).get("selected_option")
        if isinstance(chosen, dict) and isinstance(chosen.get("value"), str):
            return clean(str(chosen["value"]))
        return ""

    def multi(self, block_id: str) -> list[str]:
        chosen = self._element(block_id).get("selected_options")
        if not isinstance(chosen, list):
            return []
        return [clean(str(o["value"])) for o in chosen if isinstance(o, dict) and "value" in o]

    def channel(self, block_id: str) -> str:
        """A channels_select's channel ID."""
        value = self._element(block_id).get("selected_channel")
        return clean(value) if isinstance(value, str) else ""

    def users(self, block_id: str) -> list[str]:
        """A multi_users_select's user IDs."""
        chosen = self._element(block_id).get("selected_users")
        if not isinstance(chosen, list):
            return []
        return [clean(u) for u in chosen if isinstance(u, str)]

    def picked_time(self, block_id: str) -> tuple[int, int] | None:
        """A timepicker's "HH:MM", as (hour, minute)."""
        value = self._element(block_id).get("selected_time")
        if not isinstance(value, str):
            return None
        hour, _, minute = value.partition(":")
        h, m = int_or_none(hour), int_or_none(minute)
        if h is None or m is None or not (0 <= h < 24 and 0 <= m < 60):
            return None
        return h, m

    def picked_date(self, block_id: str) -> date | None:
        """A datepicker's "YYYY-MM-DD"."""
        value = self._element(block_id).get("selected_date")
        if not isinstance(value, str):
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None

    def checked(self, block_id: str, value: str) -> bool:
        return value in self.multi(block_id)


def clean(text: str) -> str:
    """Without NUL characters: nobody types them, and PostgreSQL refuses to store them (a
    crafted submission with one got "something went wrong" instead of being read)."""
    return text.replace("\x00", "")


def _metadata(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {k: clean(v) if isinstance(v, str) else v for k, v in parsed.items()}


def int_or_none(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def button_id(action: dict[str, Any]) -> int:
    """The row a button names in its value; a value that names none (a message from before a
    change, or a crafted click) is refused kindly, never a traceback."""
    value = int_or_none(action.get("value"))
    if value is None:
        raise DomainError("That button is out of date.")
    return value
