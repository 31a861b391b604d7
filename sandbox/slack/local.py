"""Slack's Web API on loopback: the sandbox's stand-in for Slack, and the tests' fake.

The bot talks to Slack only through slack_sdk's ``WebClient``; pointing ``SLACK_API_URL`` at
this server exercises the real request encoding, response parsing and error raising of the SDK.
The answers, error codes and Block Kit limits follow Slack's documentation (see
/work/shared/slack) so that what works here works in Slack, and what Slack refuses is refused
here first. It keeps what Slack keeps (messages, ephemeral messages, views, files,
conversations) so the sandbox page can show it, and records every call so tests can read them.

``LocalSlack`` is assembled from one mixin per family of Web API methods (``chat``,
``conversations``, ``connect``, ``views``, ``files``, ``installs``) over the state they share
(``state``); this module serves them over HTTP and dispatches each Web API call by name in one
place, ``LocalSlack._call_api``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from sandbox.slack.calls import RecordedCalls
from sandbox.slack.chat import ChatMethods
from sandbox.slack.connect import ConnectMethods
from sandbox.slack.conversations import ConversationMethods
from sandbox.slack.files import FileMethods
from sandbox.slack.installs import InstallMethods
from sandbox.slack.records import ApiReply, Refusal, json_reply, slack_error, text_of
from sandbox.slack.server import LoopbackServer, RequestHandler, read_request, send_reply
from sandbox.slack.views import ViewMethods

__all__ = ["TOKENLESS_METHODS", "LocalSlack"]

# oauth.v2.access authenticates with the client id and secret, never with a token.
TOKENLESS_METHODS = frozenset({"oauth.v2.access", "oauth.v2.exchange", "oauth.access"})

WebApiMethod = Callable[[dict[str, Any]], dict[str, Any]]


class LocalSlack(
    ChatMethods,
    ConversationMethods,
    ConnectMethods,
    ViewMethods,
    FileMethods,
    InstallMethods,
    RecordedCalls,
):
    """Slack's Web API on 127.0.0.1: records every call, answers and fails the way Slack does.

    ``strict_users`` (default) makes user IDs that were not registered with ``add_user`` fail
    as Slack fails for users outside the workspace, so a test cannot pass by accident with an
    ID the app invented.
    """

    def __init__(
        self, *, strict_users: bool = True, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(strict_users=strict_users, clock=clock)
        self._api: dict[str, WebApiMethod] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.create": self._conversations_create,
            "conversations.invite": self._conversations_invite,
            "conversations.inviteShared": self._conversations_invite_shared,
            "conversations.list": self._conversations_list,
            "conversations.archive": self._conversations_archive,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "usergroups.users.list": self._usergroups_users_list,
            "oauth.v2.access": self._oauth_v2_access,
        }

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self, port: int = 0) -> Self:
        """Listen on ``port`` (0: any free one); a test can bring Slack up where the bot
        already looks for it."""
        if self._server is not None:
            raise RuntimeError("LocalSlack already started")
        self._server = LoopbackServer(self, port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="local-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- request handling --------------------------------------------------------------------

    def _serve(self, h: RequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length > 0 else b""
        split = urlsplit(h.path)
        path = split.path
        if path.startswith("/api/"):
            method = path[len("/api/") :]
        elif path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/upload/"):
            method = "upload"
        else:
            send_reply(h, ApiReply(404, b"not found", "404", "text/plain; charset=utf-8"))
            return

        params, token, parse_error = read_request(h, method, path, split.query, body)
        with self._lock:
            interference, delay = self._interfere(method)
        if delay > 0:
            time.sleep(delay)  # a test asked for a slow answer: the one deliberate stall
        with self._lock:
            if interference == "drop":
                self._record(method, params, token, "dropped")
                reply = None
            elif interference is not None and interference != "lost":
                reply = interference
                self._record(method, params, token, reply.outcome)
            else:
                if parse_error is not None:
                    reply = json_reply(slack_error(parse_error))
                elif method == "response_url":
                    reply = self._respond(path, params)
                elif method == "upload":
                    reply = self._store_upload(path, h.headers.get("Content-Type", ""), body)
                    params["length"] = len(body)
                else:
                    reply = self._call_api(method, params, token)
                self._record(method, params, token, reply.outcome)
                if interference == "lost":
                    reply = None
            hold = self._hold(method)
        if hold is not None:
            hold.wait(timeout=30)
        if reply is None:
            h.close_connection = True  # hang up without a status line, like a dropped connection
            return
        send_reply(h, reply)

    def _call_api(self, method: str, params: dict[str, Any], token: str | None) -> ApiReply:
        """Answer one Web API call: the one place a method's name meets its handler, so what
        Slack checks for every method (the token, its workspace) is checked here, once.

        Called with the lock held. A refused call is kept for the page (``refusals``).
        """
        handler = self._api.get(method)
        if handler is None:
            return json_reply(slack_error("unknown_method"))
        if method not in TOKENLESS_METHODS:
            if token is None:
                return json_reply(slack_error("not_authed"))
            if not token.startswith("xox"):
                return json_reply(slack_error("invalid_auth"))
            if token in self._revoked:
                return json_reply(slack_error("token_revoked"))
        self._caller_team = self._token_teams.get(token or "")
        try:
            answer = handler(params)
        finally:
            self._caller_team = None
        if not answer.get("ok"):
            messages = (answer.get("response_metadata") or {}).get("messages") or []
            self._refusals.append(
                Refusal(method, text_of(answer.get("error")), tuple(text_of(m) for m in messages))
            )
            self._version += 1
        return json_reply(answer)
