"""files.* (the two-step external upload) and usergroups.users.list.

Uploads keep their content, so tests read exactly the file the app shared (an .ics, say).
"""

from __future__ import annotations

import mimetypes
from typing import Any

from sandbox.slack.records import (
    BOT_USER_ID,
    UPLOAD_CHANNEL,
    ApiReply,
    PendingFile,
    Upload,
    invalid_arguments,
    slack_error,
    text_of,
)
from sandbox.slack.server import first_file_part
from sandbox.slack.state import SlackState


class FileMethods(SlackState):
    """files.getUploadURLExternal, the upload itself, files.completeUploadExternal; usergroups."""

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return list(self._uploads)

    def uploaded_file(self, file_id: str) -> bytes:
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None or pending.content is None:
                known = sorted(k for k, v in self._pending_files.items() if v.content is not None)
                raise AssertionError(f"no content uploaded for {file_id!r}; uploaded: {known}")
            return pending.content

    def set_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        with self._lock:
            self._usergroups[usergroup_id] = list(users)

    # ---- Web API methods (called with the lock held) -----------------------------------------

    def _files_get_upload_url(self, p: dict[str, Any]) -> dict[str, Any]:
        filename = text_of(p.get("filename"))
        if not filename:
            return invalid_arguments(["missing required field: filename"])
        try:
            length = int(text_of(p.get("length")))
        except ValueError:
            return invalid_arguments(["missing required field: length"])
        if length < 0:
            return invalid_arguments(["must be at least 0 [json-pointer:/length]"])
        file_id = self._next_id("F")
        self._pending_files[file_id] = PendingFile(filename, length)
        return {"ok": True, "upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def _store_upload(self, path: str, content_type: str, body: bytes) -> ApiReply:
        file_id = path.rsplit("/", 1)[-1]
        pending = self._pending_files.get(file_id)
        if pending is None:
            return ApiReply(404, b"file_not_found", "error:file_not_found", "text/plain")
        if content_type.lower().startswith("multipart/form-data"):
            body = first_file_part(body, content_type)
        pending.content = body
        return ApiReply(200, f"OK - {len(body)}".encode(), "ok", "text/plain; charset=utf-8")

    def _files_complete_upload(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if not isinstance(files, list) or not files:
            return invalid_arguments(["missing required field: files"])
        channels = [c for c in text_of(p.get("channels")).split(",") if c]
        channel_id = text_of(p.get("channel_id"))
        if channel_id:
            channels.insert(0, channel_id)
        for name, value in [("channel_id", channel_id)] + [("channels", c) for c in channels]:
            if value and not UPLOAD_CHANNEL.match(value):
                return invalid_arguments(
                    [
                        f"input must match regex pattern: ^[CGDZ][A-Z0-9]{{8,}}$ "
                        f"[json-pointer:/{name}]"
                    ]
                )
        answered: list[dict[str, Any]] = []
        shared: list[Upload] = []
        for entry in files:
            file_id = text_of(entry.get("id")) if isinstance(entry, dict) else ""
            pending = self._pending_files.get(file_id)
            if pending is None or pending.content is None:
                return slack_error("file_not_found")
            title = text_of(entry.get("title")) or pending.filename
            answered.append(
                {
                    "id": file_id,
                    "name": pending.filename,
                    "title": title,
                    "size": len(pending.content),
                    "mimetype": mimetypes.guess_type(pending.filename)[0] or "text/plain",
                    "user": BOT_USER_ID,
                    "channels": list(channels),
                }
            )
            comment = p.get("initial_comment")
            shared.append(
                Upload(
                    ts=self._next_ts(),
                    file_id=file_id,
                    filename=pending.filename,
                    title=title,
                    channel=channels[0] if channels else None,
                    content=pending.content,
                    initial_comment=text_of(comment) if comment is not None else None,
                )
            )
        self._uploads.extend(shared)
        return {"ok": True, "files": answered}

    def _usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        if not text_of(p.get("usergroup")):
            return invalid_arguments(["missing required field: usergroup"])
        users = self._usergroups.get(text_of(p.get("usergroup")))
        if users is None:
            return slack_error("no_such_subteam")
        return {"ok": True, "users": list(users)}
