import pytest

from storage.crypto import Cipher, CipherError


def test_round_trip_hides_the_text() -> None:
    cipher = Cipher(Cipher.generate_key())
    stored = cipher.encrypt("I felt unheard today")
    assert "unheard" not in stored
    assert cipher.decrypt(stored) == "I felt unheard today"


def test_without_a_key_text_passes_through_and_old_plain_values_still_read() -> None:
    assert Cipher(None).encrypt("plain") == "plain"
    assert Cipher(Cipher.generate_key()).decrypt("written before the key") == (
        "written before the key"
    )


def test_rotation_first_key_encrypts_every_key_decrypts() -> None:
    old, new = Cipher.generate_key(), Cipher.generate_key()
    written_with_old = Cipher(old).encrypt("xoxb-1")
    rotated = Cipher(f"{new},{old}")
    assert rotated.decrypt(written_with_old) == "xoxb-1"
    assert Cipher(new).decrypt(rotated.encrypt("xoxb-2")) == "xoxb-2"


def test_wrong_key_and_bad_key_are_clear_errors() -> None:
    stored = Cipher(Cipher.generate_key()).encrypt("secret")
    with pytest.raises(CipherError, match="no configured key"):
        Cipher(Cipher.generate_key()).decrypt(stored)
    with pytest.raises(CipherError, match="set MENTORBOT_ENCRYPTION_KEY"):
        Cipher(None).decrypt(stored)
    with pytest.raises(CipherError, match="not a Fernet key"):
        Cipher("not-a-key")
