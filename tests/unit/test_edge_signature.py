"""The edge's signature check says what slack_sdk's ``SignatureVerifier`` says, for every
secret, body, timestamp and signature, on the bytes as they came, from one HMAC of the secret
copied for each request (so one request's check never changes the next one's)."""

from __future__ import annotations

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from mentorbot.edge import SIGNATURE_WINDOW, SlackSignature

NOW = 1_767_225_600.25
SECRETS = ["8f14e45fceea167a5a36dedd4bea2543", "k", "a-secret-longer-than-a-block-" * 4]
BODIES = [
    "",
    "command=%2Fmentor&text=help&team_id=T0001&user_id=U1",
    '{"type": "event_callback", "event": {"text": "caf\u00e9 \u2713 \U0001f389"}}',
]
OFFSETS = [0, 1, -1, SIGNATURE_WINDOW - 1, SIGNATURE_WINDOW, SIGNATURE_WINDOW + 1]
OFFSETS += [-SIGNATURE_WINDOW, -SIGNATURE_WINDOW - 1, 10**6]


class At(Clock):
    def now(self) -> float:
        return NOW


def signatures(secret: str, timestamp: str, body: str) -> list[str]:
    right = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body) or ""
    wrong = SignatureVerifier(secret + "x").generate_signature(timestamp=timestamp, body=body)
    return [right, wrong or "", right.upper(), right[:-1], right + "0", right[3:], "", "v0="]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("body", BODIES)
def test_the_edge_and_slack_sdk_agree(secret: str, body: str) -> None:
    reference = SignatureVerifier(secret, clock=At())
    ours = SlackSignature(secret, now=lambda: NOW)  # one for all: as the edge keeps it
    for offset in OFFSETS:
        timestamp = str(int(NOW) + offset)
        for signature in signatures(secret, timestamp, body) * 2:
            expected = reference.is_valid(body=body, timestamp=timestamp, signature=signature)
            assert ours.valid(body.encode(), timestamp=timestamp, signature=signature) == expected
        right = signatures(secret, timestamp, body)[0]
        within = abs(NOW - int(timestamp)) <= SIGNATURE_WINDOW
        assert ours.valid(body.encode(), timestamp=timestamp, signature=right) == within


def test_a_signature_that_is_not_ascii_is_refused_not_raised() -> None:
    """slack_sdk's ``compare_digest`` of non-ASCII text raises: at the edge that was a 500."""
    ours = SlackSignature(SECRETS[0], now=lambda: NOW)
    for signature in ("v0=" + "\u00e9" * 64, "v0=\u2713", "\udcff"):
        assert not ours.valid(b"command=%2Fmentor", timestamp=str(int(NOW)), signature=signature)
