"""Signed payloads between a lab installation and a network hub.

A payload is a JSON object: `lab` (the lab's identifier at the hub, its
slug), `sequence` (given once per payload by the lab and kept across
retries), `nonce` (random, new on every attempt), `timestamp` (UTC, ISO
8601), `kind`, `content` and `content_hash` (SHA-256 of the canonical JSON of
`content`). The lab signs the canonical JSON of the whole payload with its
Ed25519 key; the hub verifies it against the key registered for that lab.

Canonical JSON: keys sorted, no spaces, UTF-8.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def content_hash(content: Any) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "network" / "lab_ed25519.pem"


def keys_generate(*, force: bool = False) -> Ed25519PrivateKey:
    """Create the lab's key pair in the data folder (mode 0600), once."""
    path = key_path()
    if path.exists() and not force:
        return keys_load()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.replace(temp, path)
    return key


def keys_load() -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(key_path().read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("The key file does not hold an Ed25519 key.")
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key, base64 (44 characters)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode()


def fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, hex in groups of four, to read aloud."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def public_key_parse(text: str) -> Ed25519PublicKey:
    raw = base64.b64decode(text, validate=True)
    return Ed25519PublicKey.from_public_bytes(raw)


def payload_make(
    *,
    lab: str,
    sequence: int,
    kind: str,
    content: Any,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    return {
        "lab": lab,
        "sequence": sequence,
        "nonce": secrets.token_hex(16),
        "timestamp": (now or dt.datetime.now(dt.UTC)).isoformat(),
        "kind": kind,
        "content": content,
        "content_hash": content_hash(content),
    }


def sign(payload: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The envelope sent to the hub: the payload and its signature."""
    signature = key.sign(canonical(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode()}


class Rejected(Exception):
    """A payload the hub refuses; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str, code: str = ""):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code


def signature_check(payload: dict[str, Any], signature: str, public_key: str) -> None:
    try:
        key = public_key_parse(public_key)
        key.verify(base64.b64decode(signature, validate=True), canonical(payload))
    except (InvalidSignature, ValueError) as exc:
        raise Rejected(401, "The signature does not match the lab's key.") from exc
    if content_hash(payload.get("content")) != payload.get("content_hash"):
        raise Rejected(401, "The content does not match its hash.")


def timestamp_check(text: str, *, window_seconds: int) -> dt.datetime:
    try:
        sent_at = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise Rejected(400, "The timestamp is not a date and time.") from exc
    if sent_at.tzinfo is None:
        raise Rejected(400, "The timestamp has no time zone.")
    skew = abs((dt.datetime.now(dt.UTC) - sent_at).total_seconds())
    if skew > window_seconds:
        raise Rejected(400, "The payload is too old or from the future.", "stale")
    return sent_at
