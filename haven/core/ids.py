"""Opaque public identifiers: nothing sequential ever appears in a URL."""

import secrets

PUBLIC_ID_LENGTH = 16


def new_public_id() -> str:
    # 12 random bytes -> 16 url-safe characters, 96 bits: not guessable, not enumerable.
    return secrets.token_urlsafe(12)
