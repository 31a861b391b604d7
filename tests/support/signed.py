"""Sends requests to the bot the way Slack does: signed, form-encoded or JSON, over HTTP."""

from __future__ import annotations

import json
import time
from itertools import count
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.edge import EdgeReply, signed_post
from sandbox.state import fill

_ids = count(1)


Reply = EdgeReply


class SignedSlack:
    """Plays Slack's side of the HTTP edge for one bot URL and signing secret."""

    def __init__(
        self, *, url: str, signing_secret: str, team_id: str, response_url: Any = None
    ) -> None:
        self.url = url
        self.team_id = team_id
        self._signing_secret = signing_secret
        self._verifier = SignatureVerifier(signing_secret)
        self._response_url = response_url  # callable(name) -> URL on the fake Slack

    # -- the raw edge ------------------------------------------------------------------------

    def post(
        self,
        body: str,
        *,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> Reply:
        return signed_post(
            self.url.rstrip("/") + path,
            body,
            signing_secret=self._signing_secret,
            content_type=content_type,
            timestamp=timestamp,
            signature=signature,
            extra_headers=extra_headers,
        )

    def _form(self, fields: dict[str, str], **kwargs: Any) -> Reply:
        return self.post(
            urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs
        )

    def _payload(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self._form({"payload": json.dumps(payload)}, **kwargs)

    def _url(self, name: str) -> str:
        if self._response_url is None:
            return "https://hooks.slack.com/commands/T/1/x"
        return str(self._response_url(name))

    # -- what people do ----------------------------------------------------------------------

    def command(self, text: str, *, user: str, command: str = "/mentor", **kwargs: Any) -> Reply:
        """Someone types ``/mentor <text>`` in a channel."""
        n = next(_ids)
        return self._form(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "team_domain": "test",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A0MENTOR",
                "is_enterprise_install": "false",
                "response_url": self._url(f"command-{n}"),
                "trigger_id": f"{n}.{n}.trigger",
            },
            **kwargs,
        )

    def click(
        self,
        action_id: str,
        *,
        user: str,
        value: str = "",
        channel: str = "D0BOT",
        message_ts: str = "1700000000.000100",
        view: dict[str, Any] | None = None,
        block_id: str = "b",
        selected: str = "",
        selected_date: str = "",
        **kwargs: Any,
    ) -> Reply:
        """Someone clicks a button in a message (or, with ``view``, in the App Home).

        With ``selected``, they pick that option's value from an overflow menu instead; with
        ``selected_date``, that day ("YYYY-MM-DD") in a date picker.
        """
        n = next(_ids)
        container: dict[str, Any]
        if view is not None:
            container = {"type": "view", "view_id": view.get("id", "VHOME")}
        else:
            container = {"type": "message", "message_ts": message_ts, "channel_id": channel}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "container": container,
            "trigger_id": f"{n}.{n}.trigger",
            "team": {"id": self.team_id, "domain": "test"},
            "is_enterprise_install": False,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "text": {"type": "plain_text", "text": "Button"},
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if selected:
            payload["actions"][0] = {
                "action_id": action_id,
                "block_id": block_id,
                "type": "overflow",
                "selected_option": {"text": {"type": "plain_text", "text": "?"}, "value": selected},
                "action_ts": f"{time.time():.6f}",
            }
        if selected_date:
            payload["actions"][0] = {
                "action_id": action_id,
                "block_id": block_id,
                "type": "datepicker",
                "selected_date": selected_date,
                "initial_date": None,
                "action_ts": f"{time.time():.6f}",
            }
        if view is not None:
            payload["view"] = view  # as Slack: a click in a view has no response_url
        else:
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = {"type": "message", "ts": message_ts, "text": ""}
            payload["response_url"] = self._url(f"action-{n}")
        return self._payload(payload, **kwargs)

    def submit(
        self, view: dict[str, Any], *, user: str, values: dict[str, Any], **kwargs: Any
    ) -> Reply:
        """Someone fills in a modal the bot opened and presses its submit button."""
        submitted = {
            **view,
            "id": view.get("id", "V0MODAL"),
            "team_id": self.team_id,
            "state": {"values": fill(view, values)},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(_ids)}.trigger",
            "view": submitted,
            "is_enterprise_install": False,
        }
        return self._payload(payload, **kwargs)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **kwargs: Any,
    ) -> Reply:
        body = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0MENTOR",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True}],
        }
        headers = dict(kwargs.pop("extra_headers", {}) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.post(
            json.dumps(body), content_type="application/json", extra_headers=headers, **kwargs
        )
