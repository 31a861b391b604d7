"""Reflections after a session: the reflect modal, reading one, editing one's own.

A reflection is private unless its author shares it; anyone else asking for one gets the
same "not found" whether it exists or not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.errors import DomainError, NotFound
from bot.journal.service import ReflectionDraft
from bot.model.journal import Visibility
from bot.model.partnership import partner_of
from bot.sessions.service import parse_stamp
from handlers.journal import blocks as journal_blocks
from handlers.journal.base import OUT_OF_DATE, JournalListeners
from handlers.kit.context import team_of, user_of
from handlers.kit.forms import ViewForm, int_or_none
from handlers.kit.refusals import guarded, refusing
from handlers.kit.replies import confirmation, open_modal

NOT_FOUND = "I can't find that reflection."


class ReflectionHandlers(JournalListeners):
    def register(self, app: App) -> None:
        app.view("journal_reflect")(
            ack=guarded("topics", self.submit_reflection), lazy=[self.after_submit]
        )
        app.action("open_reflect")(ack=self.ack_only, lazy=[refusing(self.open_reflect_button)])
        app.action("reflection_open")(ack=self.ack_only, lazy=[refusing(self.open_reflection)])
        app.action("reflection_edit")(ack=self.ack_only, lazy=[refusing(self.edit_reflection)])

    def open_reflect_button(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """From the Home tab (partnership ID) or a "we met" message (ID and session)."""
        partnership_part, _, stamp = str(action.get("value", "")).partition(":")
        partnership_id = int_or_none(partnership_part)
        team_id, user_id = team_of(context), user_of(context)
        if partnership_id is None:
            raise DomainError(OUT_OF_DATE)
        try:
            session_start = parse_stamp(stamp) if stamp else None
        except ValueError:
            raise DomainError(OUT_OF_DATE) from None
        partnership = self._journal.membership(team_id, user_id, partnership_id)
        open_modal(
            client,
            body,
            self.name_partner(
                journal_blocks.reflection_modal(
                    partnership_id=partnership_id,
                    partner_id=partner_of(partnership, user_id),
                    session_start=session_start,
                ),
                partnership,
                user_id,
                ask=False,
            ),
        )

    def submit_reflection(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        form = ViewForm(view)
        partnership_id = form.partnership_id(field="topics")
        chosen = form.selected("visibility")
        visibility = Visibility(chosen) if chosen in set(Visibility) else Visibility.PRIVATE
        draft = ReflectionDraft(
            topics=form.text("topics"),
            learned=form.text("learned"),
            next_steps=form.text("next_steps"),
            visibility=visibility,
        )
        errors = self._journal.check_reflection(draft)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        session = form.metadata.get("session")
        try:
            session_start = datetime.fromisoformat(session) if isinstance(session, str) else None
        except ValueError:
            session_start = None
        reflection = self._journal.reflect(
            team_id=team_of(context),
            user_id=user_of(context),
            partnership_id=partnership_id,
            draft=draft,
            session_start=session_start,
            reflection_id=int_or_none(form.metadata.get("reflection_id")),
        )
        where = (
            "Shared with your partner: they can read it from my App Home."
            if reflection.visibility is Visibility.SHARED
            else "Private: only you can read it."
        )
        ack(
            response_action="update",
            view=confirmation("Reflection", f":notebook: Saved. {where}"),
        )

    def open_reflection(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Show one reflection, if this person may read it."""
        reflection_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        if reflection_id is None:
            raise NotFound(NOT_FOUND)
        reflection = self._journal.reflection(team_id, user_id, reflection_id)
        partnership = self._journal.membership(
            team_id, user_id, reflection.partnership_id, live=False
        )
        view = journal_blocks.reflection_view(
            reflection, viewer_id=user_id, partner_id=partner_of(partnership, user_id)
        )
        open_modal(client, body, view)

    def edit_reflection(
        self, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        reflection_id = int_or_none(action.get("value"))
        team_id, user_id = team_of(context), user_of(context)
        if reflection_id is None:
            raise NotFound(NOT_FOUND)
        reflection = self._journal.reflection(team_id, user_id, reflection_id)
        if reflection.author_id != user_id:
            raise NotFound(NOT_FOUND)
        partnership = self._journal.membership(
            team_id, user_id, reflection.partnership_id, live=False
        )
        assert partnership.id is not None
        open_modal(
            client,
            body,
            self.name_partner(
                journal_blocks.reflection_modal(
                    partnership_id=partnership.id,
                    partner_id=partner_of(partnership, user_id),
                    reflection=reflection,
                ),
                partnership,
                user_id,
                ask=False,
            ),
        )
