"""Channels and Slack Connect: conversations.create, conversations.invite, conversations.list,
conversations.inviteShared, conversations.archive, and the events Slack sends as an invitation
is answered.

Each workspace has a Slack Connect policy (``set_slack_connect``): ``"paid"`` allows shared
channels, ``"free"`` answers ``not_paid`` (Slack Connect is part of the paid plans, the default
here as for most workspaces), ``"restricted"`` answers ``restricted_action`` (an admin setting
forbids apps to send invitations). What the invited person and the admins do happens in their
Slack, not through the Web API: ``accept_shared_invite``, ``approve_shared_invite``,
``decline_shared_invite`` and ``change_channel_id`` do it here, and return the ``event`` Slack
then sends, in the shape Slack documents (docs.slack.dev/reference/events/...), for a test to
deliver through the signed edge.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal

from sandbox.slack.records import (
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    is_user_id,
    slack_error,
    text_of,
    truthy,
)
from sandbox.slack.state import SlackState

ConnectPolicy = Literal["paid", "free", "restricted"]

CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")
INVITE_DAYS = 14  # an invitation is good for two weeks (the documented date_invalid)


def _names(raw: object) -> list[str]:
    values = raw if isinstance(raw, list) else text_of(raw).split(",")
    return [text_of(v).strip() for v in values if text_of(v).strip()]


class ConnectMethods(SlackState):
    """Channels the app creates, and the Slack Connect invitations it sends for them."""

    # ---- fixtures and what people do in their own Slack --------------------------------------

    def set_slack_connect(self, team_id: str, policy: ConnectPolicy) -> None:
        with self._lock:
            self._connect_policy[team_id] = policy

    def channel(self, channel_id: str) -> dict[str, Any] | None:
        """The channel as conversations.info would show it, members included."""
        with self._lock:
            found = self._channels.get(channel_id)
            return copy.deepcopy(found) if found is not None else None

    def channels_of(self, team_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(c) for c in self._channels.values() if c["team"] == team_id]

    def shared_invite(self, invite_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._invites.get(invite_id)
            return copy.deepcopy(found) if found is not None else None

    def accept_shared_invite(
        self, invite_id: str, *, approval_required: bool = False
    ) -> dict[str, Any]:
        """The invited person accepts in their Slack: the ``shared_channel_invite_accepted``
        event. Without approval they are in the channel at once; with it, once approved."""
        with self._lock:
            invite = self._open_invite(invite_id, "sent")
            invite["status"] = "accepted" if approval_required else "approved"
            if not approval_required:
                self._join(invite)
            return {
                "type": "shared_channel_invite_accepted",
                "approval_required": approval_required,
                "invite": self._invite_object(invite),
                "channel": self._channel_object(invite["channel"]),
                "teams_in_channel": self._teams_object(invite["channel"]),
                "accepting_user": self._user_object(invite["recipient_user_id"]),
                "event_ts": self._next_ts(),
            }

    def approve_shared_invite(self, invite_id: str, *, by_team: str) -> dict[str, Any]:
        """An admin of ``by_team`` approves: ``shared_channel_invite_approved``."""
        with self._lock:
            invite = self._open_invite(invite_id, "accepted")
            invite["status"] = "approved"
            self._join(invite)
            return {
                "type": "shared_channel_invite_approved",
                "invite": self._invite_object(invite),
                "channel": self._channel_object(invite["channel"]),
                "approving_team_id": by_team,
                "teams_in_channel": self._teams_object(invite["channel"]),
                "approving_user": self._user_object(f"UADMIN{by_team}", team_id=by_team),
                "event_ts": self._next_ts(),
            }

    def decline_shared_invite(self, invite_id: str, *, by_team: str) -> dict[str, Any]:
        """The invited person (or an admin of ``by_team``) declines:
        ``shared_channel_invite_declined``."""
        with self._lock:
            invite = self._invites[invite_id]
            invite["status"] = "declined"
            decliner = invite["recipient_user_id"] or f"UADMIN{by_team}"
            return {
                "type": "shared_channel_invite_declined",
                "invite": self._invite_object(invite),
                "channel": self._channel_object(invite["channel"]),
                "declining_team_id": by_team,
                "teams_in_channel": self._teams_object(invite["channel"]),
                "declining_user": self._user_object(decliner, team_id=by_team),
                "event_ts": self._next_ts(),
            }

    def change_channel_id(self, old: str, new: str | None = None) -> dict[str, Any]:
        """Sharing a private channel gives it a new ID for good: its messages and members move,
        the old ID answers ``channel_not_found``; the ``channel_id_changed`` event."""
        with self._lock:
            new = new or self._next_id("C")
            channel = self._channels.pop(old)
            channel["id"] = new
            self._channels[new] = channel
            if old in self._messages:
                self._messages[new] = self._messages.pop(old)
            for invite in self._invites.values():
                if invite["channel"] == old:
                    invite["channel"] = new
            self._retired_channels.add(old)
            self._version += 1
            return {
                "type": "channel_id_changed",
                "old_channel_id": old,
                "new_channel_id": new,
                "event_ts": self._next_ts(),
            }

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _conversations_create(self, p: dict[str, Any]) -> dict[str, Any]:
        team = self._caller_team or TEAM_ID
        name = text_of(p.get("name"))
        if not name:
            return slack_error("invalid_name_required")
        if len(name) > 80:
            return slack_error("invalid_name_maxlength")
        if not CHANNEL_NAME.match(name):
            return slack_error("invalid_name_specials")
        if any(c["team"] == team and c["name"] == name for c in self._channels.values()):
            return slack_error("name_taken")
        channel_id = self._next_id("C")
        private = truthy(p.get("is_private"))
        self._channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "team": team,
            "is_channel": True,
            "is_group": False,
            "is_private": private,
            "is_shared": False,
            "is_ext_shared": False,
            "creator": BOT_USER_ID,
            "members": [BOT_USER_ID],
            "connected_teams": [],
        }
        answer = {k: v for k, v in self._channels[channel_id].items() if k != "members"}
        answer.pop("team")
        answer["context_team_id"] = team
        return {"ok": True, "channel": copy.deepcopy(answer)}

    def _conversations_invite(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channels.get(text_of(p.get("channel")))
        if channel is None or channel["team"] != (self._caller_team or TEAM_ID):
            return slack_error("channel_not_found")
        if BOT_USER_ID not in channel["members"]:
            return slack_error("not_in_channel")
        users = _names(p.get("users"))
        if not users:
            return slack_error("no_user")
        if len(users) > 1000:
            return slack_error("too_many_users")
        for user in users:
            if user == BOT_USER_ID:
                return slack_error("cant_invite_self")
            problem = self._user_problem(user, unknown="user_not_found", inactive="user_not_found")
            if problem:
                return slack_error(problem)
        if all(user in channel["members"] for user in users):
            return slack_error("already_in_channel")
        channel["members"] += [u for u in users if u not in channel["members"]]
        return {"ok": True, "channel": self._channel_object(channel["id"])}

    def _conversations_archive(self, p: dict[str, Any]) -> dict[str, Any]:
        """As Slack answers it: the channel must be the caller's (or shared with it), the bot
        in it; archiving twice is ``already_archived``; a posted message then fails with
        ``is_archived``."""
        channel_id = text_of(p.get("channel"))
        if not channel_id:
            return slack_error("channel_not_found")
        if channel_id in self._retired_channels:
            return slack_error("channel_not_found")
        channel = self._channels.get(channel_id)
        team = self._caller_team or TEAM_ID
        if channel is None or team not in (channel["team"], *channel["connected_teams"]):
            return slack_error("channel_not_found")
        if channel.get("is_archived"):
            return slack_error("already_archived")
        if BOT_USER_ID not in channel["members"]:
            return slack_error("not_in_channel")
        channel["is_archived"] = True
        return {"ok": True}

    def _conversations_invite_shared(self, p: dict[str, Any]) -> dict[str, Any]:
        team = self._caller_team or TEAM_ID
        channel = self._channels.get(text_of(p.get("channel")))
        if channel is None or channel["team"] != team:
            return slack_error("channel_not_found")
        policy = self._connect_policy.get(team, "free")
        if policy == "free":
            return slack_error("not_paid")
        if policy == "restricted":
            return slack_error("restricted_action")
        emails, user_ids = _names(p.get("emails")), _names(p.get("user_ids"))
        if not emails and not user_ids:
            return slack_error("recipients_not_specified")
        if len(emails) + len(user_ids) > 1:
            return slack_error("too_many_emails")
        if any(
            i["channel"] == channel["id"] and i["status"] == "sent" for i in self._invites.values()
        ):
            return slack_error("connection_limit_exceeded_pending")
        if emails:
            email = emails[0]
            if "@" not in email.strip("@"):
                return slack_error("invalid_email")
            recipient = next(
                (u for u in self._users.values() if u["profile"].get("email") == email), None
            )
        else:
            recipient = self._users.get(user_ids[0]) if is_user_id(user_ids[0]) else None
            if recipient is None:
                return slack_error("user_not_found")
            email = str(recipient["profile"].get("email") or "")
        if recipient is not None and recipient["team_id"] == team:
            return slack_error(
                "already_in_channel" if recipient["id"] in channel["members"] else "not_supported"
            )
        invite_id = self._next_id("I")
        self._invites[invite_id] = {
            "id": invite_id,
            "channel": channel["id"],
            "inviting_team": team,
            "recipient_email": email,
            "recipient_user_id": recipient["id"] if recipient is not None else "",
            "recipient_team": recipient["team_id"] if recipient is not None else "",
            "external_limited": truthy(p.get("external_limited", True)),
            "status": "sent",
            "created": self._now_seconds(),
        }
        answer: dict[str, Any] = {
            "ok": True,
            "invite_id": invite_id,
            "is_legacy_shared_channel": False,
        }
        if not self._invites[invite_id]["external_limited"]:  # the link only for a full invite
            answer.update(url=f"https://join.slack.com/share/{invite_id}", conf_code=invite_id[-6:])
        return answer

    def _conversations_list(self, p: dict[str, Any]) -> dict[str, Any]:
        """The caller's channels of the asked types (``public_channel`` by default, as Slack);
        private ones only if the bot is in them. Paged by ``cursor``/``limit``."""
        team = self._caller_team or TEAM_ID
        types = set(_names(p.get("types")) or ["public_channel"])
        unknown = types - {"public_channel", "private_channel", "mpim", "im"}
        if unknown:
            return slack_error("invalid_types")
        try:
            limit = max(1, min(int(text_of(p.get("limit")) or 100), 1000))
        except ValueError:
            return slack_error("invalid_limit")
        found = [
            self._channel_object(c["id"])
            for c in self._channels.values()
            if c["team"] == team
            and ("private_channel" if c["is_private"] else "public_channel") in types
            and (not c["is_private"] or BOT_USER_ID in c["members"])
            and not (truthy(p.get("exclude_archived")) and c.get("is_archived"))
        ]
        cursor = text_of(p.get("cursor"))
        start = int(cursor.removeprefix("next:")) if cursor.startswith("next:") else 0
        more = start + limit < len(found)
        return {
            "ok": True,
            "channels": found[start : start + limit],
            "response_metadata": {"next_cursor": f"next:{start + limit}" if more else ""},
        }

    # ---- the shapes Slack's events use (called with the lock held) ---------------------------

    def _open_invite(self, invite_id: str, status: str) -> dict[str, Any]:
        invite = self._invites.get(invite_id)
        if invite is None or invite["status"] != status:
            raise ValueError(f"no {status} invitation {invite_id}")
        return invite

    def _join(self, invite: dict[str, Any]) -> None:
        channel = self._channels[invite["channel"]]
        channel.update(is_shared=True, is_ext_shared=True)
        if invite["recipient_team"] and invite["recipient_team"] not in channel["connected_teams"]:
            channel["connected_teams"].append(invite["recipient_team"])
        if invite["recipient_user_id"] and invite["recipient_user_id"] not in channel["members"]:
            channel["members"].append(invite["recipient_user_id"])
        self._version += 1

    def _now_seconds(self) -> int:
        return int(float(self._next_ts()))

    @staticmethod
    def _team_name(team_id: str) -> str:
        return TEAM_NAME if team_id == TEAM_ID else f"Workspace {team_id}"

    def _team_object(self, team_id: str) -> dict[str, Any]:
        return {
            "id": team_id,
            "name": self._team_name(team_id),
            "icon": {"image_default": True},
            "is_verified": False,
            "domain": team_id.lower(),
            "date_created": 1480946400,
        }

    def _user_object(self, user_id: str, *, team_id: str = "") -> dict[str, Any]:
        user = self._users.get(user_id)
        profile = copy.deepcopy(user["profile"]) if user is not None else {}
        return {
            "id": user_id,
            "team_id": user["team_id"] if user is not None else team_id,
            "name": user["name"] if user is not None else user_id.lower(),
            "updated": 1608081902,
            "profile": profile,
        }

    def _invite_object(self, invite: dict[str, Any]) -> dict[str, Any]:
        created = int(invite["created"])
        shown: dict[str, Any] = {
            "id": invite["id"],
            "date_created": created,
            "date_invalid": created + INVITE_DAYS * 86400,
            "inviting_team": self._team_object(invite["inviting_team"]),
            "inviting_user": self._user_object(BOT_USER_ID, team_id=invite["inviting_team"]),
            "recipient_email": invite["recipient_email"],
        }
        if invite["recipient_user_id"]:
            shown["recipient_user_id"] = invite["recipient_user_id"]
        return shown

    def _channel_object(self, channel_id: str) -> dict[str, Any]:
        channel = self._channels[channel_id]
        return {
            "id": channel["id"],
            "is_private": channel["is_private"],
            "is_im": False,
            "name": channel["name"],
        }

    def _teams_object(self, channel_id: str) -> list[dict[str, Any]]:
        channel = self._channels[channel_id]
        return [self._team_object(t) for t in [channel["team"], *channel["connected_teams"]]]
