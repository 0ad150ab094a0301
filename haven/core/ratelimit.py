"""Fixed-window rate limits (P6), counted in Django's cache: Redis when ``REDIS_URL`` is
set (so a limit holds across app processes), the local memory cache otherwise.

The caller names the scope and who is counted (an account id or a client address, see
``haven.accounts.services.client_address``); both are hashed, so the cache holds no
pseudonyms or addresses in clear. A limit of 0 or less means "no limit".
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from haven.core.errors import HavenError


def _key(scope: str, ident: str, window_seconds: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    window = int(time.time() // window_seconds)
    return f"rate:{scope}:{digest}:{window}"


def hit(scope: str, ident: str, *, window_seconds: int) -> int:
    """Count one request and return the count so far in this window."""
    key = _key(scope, ident, window_seconds)
    cache.add(key, 0, timeout=window_seconds + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds + 60)
        return 1


def check(scope: str, ident: str, *, limit: int, window_seconds: int) -> None:
    """Count one request; raise ``HavenError("rate_limited")`` (429) past ``limit`` per
    window. Call it before the request changes anything."""
    if limit <= 0:
        return
    if hit(scope, ident, window_seconds=window_seconds) > limit:
        raise HavenError("rate_limited")


# scope -> (the setting holding the limit, the window in seconds)
LIMITS = {
    "signup": ("HAVEN_RATE_SIGNUPS_PER_HOUR", 3600),
    "need": ("HAVEN_RATE_NEEDS_PER_HOUR", 3600),
    "offer": ("HAVEN_RATE_OFFERS_PER_HOUR", 3600),
    "browse": ("HAVEN_RATE_BROWSE_PER_MINUTE", 60),
    "reveal": ("HAVEN_RATE_REVEALS_PER_HOUR", 3600),
    "hold": ("HAVEN_RATE_HOLDS_PER_HOUR", 3600),
    "arrival_code": ("HAVEN_RATE_ARRIVAL_CODES_PER_HOUR", 3600),
}


def limit(scope: str, ident: str) -> None:
    """``check`` with the limit and window that settings give ``scope``."""
    setting, window_seconds = LIMITS[scope]
    check(scope, ident, limit=int(getattr(settings, setting)), window_seconds=window_seconds)
