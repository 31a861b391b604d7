"""Slack's side of the bot's HTTP edge: signed requests to ``/slack/events``.

The sandbox reaches the bot only this way, as Slack does, so the signature check, the parsing
and the 3-second ack path are the ones production runs. The tests' signed client builds on it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

__all__ = ["EdgeReply", "signed_post"]


@dataclass
class EdgeReply:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def signed_post(
    url: str,
    body: str,
    *,
    signing_secret: str,
    content_type: str,
    timestamp: int | None = None,
    signature: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> EdgeReply:
    """POST ``body`` signed with ``signing_secret`` as Slack signs it (v0, HMAC-SHA256).

    ``timestamp`` and ``signature`` override the real ones, to test the refusals.
    """
    ts = str(timestamp if timestamp is not None else int(time.time()))
    if signature is None:
        signature = SignatureVerifier(signing_secret).generate_signature(timestamp=ts, body=body)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature or "",
        **(extra_headers or {}),
    }
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url}")
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return EdgeReply(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return EdgeReply(error.code, error.read(), dict(error.headers))
