"""Encryption at rest for the few columns that must not be readable from a database dump.

One key (``MENTORBOT_ENCRYPTION_KEY``, a Fernet key) protects Slack tokens and what people
write privately. Several keys separated by commas rotate: the first encrypts, all decrypt.
Without a key the cipher passes text through, so single-workspace installs need no setup;
values written before a key was set still read back (they carry no Fernet prefix).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with version byte 0x80, which is "gAAAAA" in urlsafe base64.
_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


class CipherError(ValueError):
    """A key that can't be used, or a stored value no configured key opens."""


class Cipher:
    """Encrypts text for storage and reads it back; a no-op without a key."""

    def __init__(self, keys: str | None = None) -> None:
        parts = [k.strip() for k in (keys or "").split(",") if k.strip()]
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts]) if parts else None
        except (ValueError, TypeError):
            raise CipherError(
                "MENTORBOT_ENCRYPTION_KEY is not a Fernet key: make one with "
                '`python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`'
            ) from None

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, text: str) -> str:
        if self._fernet is None:
            return text
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if self._fernet is None or not stored.startswith(_TOKEN_PREFIX):
            if stored.startswith(_TOKEN_PREFIX) and self._fernet is None:
                raise CipherError("this value is encrypted: set MENTORBOT_ENCRYPTION_KEY")
            return stored
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise CipherError("no configured key opens this value") from None

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()
