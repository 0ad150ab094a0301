"""Envelope encryption for contact details (crypto-shredding).

Each person has a random 256-bit data key. It is stored only *wrapped* (AES-256-GCM)
under the master key, which comes from the environment and never touches the
database. Contacts are encrypted under the person's data key. Erasing a person
deletes the wrapped key: their ciphertext — in the live database and in every old
backup — can then no longer be decrypted by anyone, master key or not.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


def master_key() -> bytes:
    raw = settings.HAVEN_MASTER_KEY
    key = base64.urlsafe_b64decode(raw.encode())
    if len(key) != 32:
        raise ValueError("HAVEN_MASTER_KEY must be 32 bytes, base64-encoded")
    return key


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)


def new_wrapped_key(*, context: str) -> bytes:
    """A fresh data key, returned wrapped under the master key."""
    return _seal(master_key(), AESGCM.generate_key(bit_length=256), b"key:" + context.encode())


def encrypt(*, wrapped_key: bytes, context: str, plaintext: str) -> bytes:
    data_key = _open(master_key(), wrapped_key, b"key:" + context.encode())
    return _seal(data_key, plaintext.encode(), b"data:" + context.encode())


def decrypt(*, wrapped_key: bytes, context: str, sealed: bytes) -> str:
    data_key = _open(master_key(), wrapped_key, b"key:" + context.encode())
    return _open(data_key, sealed, b"data:" + context.encode()).decode()


# Small secrets sealed directly under the master key, as text: coordinators' TOTP secrets.
# No per-person key: nothing about them needs crypto-shredding (the device row is deleted).
SEALED_TEXT_PREFIX = "v1:"


def seal_text(*, context: str, secret: bytes) -> str:
    """``secret`` sealed (AES-256-GCM) under the master key, bound to ``context``, as
    ``v1:`` + base64url: 67 characters for a 20-byte TOTP secret, so it fits the column
    (CharField(80)) that held the hex secret."""
    sealed = _seal(master_key(), secret, b"text:" + context.encode())
    return SEALED_TEXT_PREFIX + base64.urlsafe_b64encode(sealed).decode()


def is_sealed_text(value: str) -> bool:
    return value.startswith(SEALED_TEXT_PREFIX)


def open_text(*, context: str, sealed: str) -> bytes:
    """The secret inside ``seal_text``'s output. Raises ``ValueError`` for anything else
    (a plaintext value is never accepted) and ``InvalidTag`` for a wrong key or context."""
    if not is_sealed_text(sealed):
        raise ValueError("not a sealed value")
    return _open(master_key(), base64.urlsafe_b64decode(sealed[len(SEALED_TEXT_PREFIX):].encode()), b"text:" + context.encode())
