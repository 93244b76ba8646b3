"""Encryption at rest: one set of keys, one format, for fields and files.

Keys come from `settings.OPENMIL_ENCRYPTION_KEYS` (the environment variable
of the same name, or a key file in the data folder on a laptop); the first
key encrypts, every key decrypts, so a key can be rotated in and the old one
removed once `openmil rotate-keys` has re-encrypted everything.

Each value is a Fernet token (AES-128-CBC with HMAC-SHA256, random IV)
preceded by a marker and the id of the key that made it:

    text:  "omenc1:<key id>:<fernet token>"
    file:  b"omenc1:<key id>:" + fernet token bytes

The key id is a short digest of the key: it names the key without
revealing it, lets rotation skip values already under the current key, and
turns a missing key into a clear error instead of garbage.
"""

import binascii
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MARKER = "omenc1"
_TEXT_PREFIX = MARKER + ":"
_BYTES_PREFIX = _TEXT_PREFIX.encode()
KEY_ID_LENGTH = 12


class EncryptionKeyError(ImproperlyConfigured):
    """The configured keys cannot encrypt or cannot open a stored value."""


def generate_key() -> str:
    """A new random key in the form OPENMIL_ENCRYPTION_KEYS expects."""
    return Fernet.generate_key().decode()


def key_id(key: str) -> str:
    """The public name of a key: the start of the SHA-256 of its bytes."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:KEY_ID_LENGTH]


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> tuple[str, dict[str, Fernet]]:
    if not keys:
        raise EncryptionKeyError(
            "No encryption key is configured: set OPENMIL_ENCRYPTION_KEYS "
            "(comma-separated; the first key encrypts)."
        )
    ring: dict[str, Fernet] = {}
    for position, key in enumerate(keys, start=1):
        try:
            ring[key_id(key)] = Fernet(key.strip().encode())
        except (ValueError, binascii.Error):
            raise EncryptionKeyError(
                f"Encryption key number {position} of OPENMIL_ENCRYPTION_KEYS is "
                "not a valid key (32 bytes, URL-safe base64; make one with "
                "`openmil rotate-keys --generate`)."
            ) from None
    return key_id(keys[0]), ring


def keyring() -> tuple[str, dict[str, Fernet]]:
    """(id of the current key, {key id: Fernet}) for the configured keys."""
    keys = tuple(k for k in getattr(settings, "OPENMIL_ENCRYPTION_KEYS", []) if k)
    return _keyring(keys)


def current_key_id() -> str:
    return keyring()[0]


def configured_key_ids() -> list[str]:
    return list(keyring()[1])


def _fernet_for(kid: str) -> Fernet:
    fernet = keyring()[1].get(kid)
    if fernet is None:
        raise EncryptionKeyError(
            f"A stored value was encrypted with key {kid}, which is not among "
            "OPENMIL_ENCRYPTION_KEYS. Add that key back (after the current one) "
            "to read it."
        )
    return fernet


def _open(kid: str, token: bytes) -> bytes:
    try:
        return _fernet_for(kid).decrypt(token)
    except InvalidToken:
        raise EncryptionKeyError(
            f"A stored value marked with key {kid} does not decrypt with that "
            "key: the value is damaged or was altered."
        ) from None


# -- text (database fields) -------------------------------------------------


def is_encrypted_text(value: str) -> bool:
    return value.startswith(_TEXT_PREFIX)


def text_key_id(value: str) -> str | None:
    """The id of the key a stored text was encrypted with; None if plain."""
    if not is_encrypted_text(value):
        return None
    return value[len(_TEXT_PREFIX) :].split(":", 1)[0]


def encrypt_text(value: str) -> str:
    kid, ring = keyring()
    token = ring[kid].encrypt(value.encode("utf-8")).decode("ascii")
    return f"{_TEXT_PREFIX}{kid}:{token}"


def decrypt_text(value: str) -> str:
    """The plain text of a stored value; a value stored plain passes as is."""
    if not is_encrypted_text(value):
        return value
    kid, _sep, token = value[len(_TEXT_PREFIX) :].partition(":")
    return _open(kid, token.encode("ascii")).decode("utf-8")


# -- bytes (files) ----------------------------------------------------------


def is_encrypted_bytes(data: bytes) -> bool:
    return data.startswith(_BYTES_PREFIX)


def bytes_key_id(data: bytes) -> str | None:
    if not is_encrypted_bytes(data):
        return None
    return data[len(_BYTES_PREFIX) :].split(b":", 1)[0].decode("ascii", "replace")


def encrypt_bytes(data: bytes) -> bytes:
    kid, ring = keyring()
    return _BYTES_PREFIX + kid.encode() + b":" + ring[kid].encrypt(data)


def decrypt_bytes(data: bytes) -> bytes:
    """The plain content of a stored file; a file stored plain passes as is."""
    if not is_encrypted_bytes(data):
        return data
    kid, _sep, token = data[len(_BYTES_PREFIX) :].partition(b":")
    return _open(kid.decode("ascii", "replace"), token)
