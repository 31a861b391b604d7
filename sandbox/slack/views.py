"""views.*: modals (stacked as Slack stacks them, at most three) and each person's Home tab.

The sandbox page also acts on modals the way Slack's client does (a submit's
``response_action`` replaces, pushes or closes them), so those people's-side moves live here
beside the methods that open them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any, Literal

from sandbox.blockkit import validate_view
from sandbox.slack.records import (
    APP_ID,
    BOT_ID,
    TEAM_ID,
    invalid_arguments,
    slack_error,
    text_of,
)
from sandbox.slack.state import SlackState


class ViewMethods(SlackState):
    """views.open, views.push, views.update, views.publish, and the modal stacks they build."""

    # ---- the people's side -------------------------------------------------------------------

    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for a request ``user_id`` makes: a modal opened with it is theirs."""
        with self._lock:
            trigger = f"{self._next_id('')}.{user_id}.trigger"
            self._triggers[trigger] = user_id
            return trigger

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    def modals(self, callback_id: str) -> list[dict[str, Any]]:
        """Modals with this callback ID as Slack holds them (with their IDs), oldest first."""
        with self._lock:
            return [
                copy.deepcopy(v)
                for v in self._views.values()
                if v.get("type") == "modal" and v.get("callback_id") == callback_id
            ]

    def view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view is not None else None

    def modal_stack(self, user: str) -> list[dict[str, Any]]:
        """The modals open for ``user``, bottom first (Slack stacks up to three)."""
        with self._lock:
            ids = self._modal_stacks.get(user, [])
            return [copy.deepcopy(self._views[v]) for v in ids if v in self._views]

    def replace_modal(self, user: str, view_id: str, view: dict[str, Any]) -> list[str]:
        """``response_action: update``: the same modal shows ``view``; Slack's reasons when it
        refuses it (then the modal stays as it was)."""
        problems = validate_view(view, surface="modal")
        if problems:
            return problems
        with self._lock:
            current = self._views.get(view_id)
            if current is None or view_id not in self._modal_stacks.get(user, []):
                return [f"no open modal {view_id}"]
            self._materialize_view(
                view,
                view_id=view_id,
                root_view_id=current["root_view_id"],
                previous_view_id=current["previous_view_id"],
            )
            self._version += 1
            return []

    def push_modal(self, user: str, view: dict[str, Any]) -> list[str]:
        """``response_action: push``: a new modal on top of the stack."""
        problems = validate_view(view, surface="modal")
        if problems:
            return problems
        with self._lock:
            self._modal_stacks.setdefault(user, [])
            self._stack_modal(user, view)
            return []

    def close_modal(self, user: str, *, everything: bool = False) -> None:
        """The top modal closes (its close button, a successful submit); or all of them."""
        with self._lock:
            stack = self._modal_stacks.get(user, [])
            if everything:
                stack.clear()
            elif stack:
                stack.pop()
            self._version += 1

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        view, user, error = self._modal_for_trigger(p)
        if error or view is None:
            return error or slack_error("invalid_arguments")
        if user is not None:
            self._modal_stacks[user] = []
        answered = self._stack_modal(user, view)
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        view, user, error = self._modal_for_trigger(p)
        if error or view is None:
            return error or slack_error("invalid_arguments")
        answered = self._stack_modal(user, view)
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = text_of(p.get("view_id")), text_of(p.get("external_id"))
        if not view_id and not external_id:
            return invalid_arguments(["missing required field: view_id or external_id"])
        current = self._views.get(view_id) if view_id else None
        if current is None and external_id:
            current = next(
                (v for v in self._views.values() if v.get("external_id") == external_id), None
            )
        if current is None:
            return slack_error("not_found")
        if p.get("hash") and text_of(p["hash"]) != current["hash"]:
            return slack_error("hash_conflict")
        surface: Literal["modal", "home"] = "home" if current.get("type") == "home" else "modal"
        view, error = self._view_arg(p, surface)
        if error or view is None:
            return error or slack_error("invalid_arguments")
        answered = self._materialize_view(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        for user_id, home in self._home_views.items():
            if home["id"] == answered["id"]:
                self._home_views[user_id] = answered
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = text_of(p.get("user_id"))
        if not user_id:
            return invalid_arguments(["missing required field: user_id"])
        problem = self._user_problem(user_id, unknown="user_not_found", inactive="user_not_found")
        if problem:
            return slack_error(problem)
        view, error = self._view_arg(p, "home")
        if error or view is None:
            return error or slack_error("invalid_arguments")
        current = self._home_views.get(user_id)
        if current is not None and p.get("hash") and text_of(p["hash"]) != current["hash"]:
            return slack_error("hash_conflict")
        view_id = current["id"] if current is not None else self._next_id("V")
        answered = self._materialize_view(view, view_id=view_id)
        self._home_views[user_id] = answered
        return {"ok": True, "view": copy.deepcopy(answered)}

    def _modal_for_trigger(
        self, p: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str | None, dict[str, Any] | None]:
        """The modal of a views.open or views.push call, whose person the trigger names."""
        if not p.get("trigger_id"):
            return None, None, invalid_arguments(["missing required field: trigger_id"])
        view, error = self._view_arg(p, "modal")
        if error or view is None:
            return None, None, error or slack_error("invalid_arguments")
        return view, self._triggers.pop(text_of(p["trigger_id"]), None), None

    def _view_arg(
        self, p: dict[str, Any], surface: Literal["modal", "home"]
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        view = p.get("view")
        if view is None:
            return None, invalid_arguments(["missing required field: view"])
        if not isinstance(view, dict):
            return None, invalid_arguments(["must be an object [json-pointer:/view]"])
        problems = validate_view(view, surface=surface)
        if problems:
            return None, invalid_arguments(problems)
        return view, None

    def _stack_modal(self, user: str | None, view: dict[str, Any]) -> dict[str, Any]:
        """Put ``view`` on top of ``user``'s modals (Slack stacks at most three)."""
        stack = self._modal_stacks.get(user) if user is not None else None
        answered = self._materialize_view(
            view,
            view_id=self._next_id("V"),
            root_view_id=stack[0] if stack else None,
            previous_view_id=stack[-1] if stack else None,
        )
        if stack is not None and len(stack) < 3:
            stack.append(answered["id"])
        self._version += 1
        return answered

    def _materialize_view(
        self,
        view: dict[str, Any],
        *,
        view_id: str,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        self._seq += 1
        digest = hashlib.sha1(
            json.dumps(view, sort_keys=True).encode(), usedforsecurity=False
        ).hexdigest()
        answered: dict[str, Any] = {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "submit": None,
            "close": None,
            **copy.deepcopy(view),
            "id": view_id,
            "team_id": TEAM_ID,
            "state": {"values": {}},
            "hash": f"{1_700_000_000 + self._seq}.{digest[:8]}",
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = answered
        return answered
