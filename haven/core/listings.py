"""A version number for what the public offer listing shows.

The listing is the same for everyone who browses, so its rendered cards are cached
(a few seconds; ``web/offer_list.html``) under a key that includes this version. Every
write that changes what the listing shows — an offer posted, edited, paused, closed,
confirmed or counted; its owner frozen, unfrozen, re-tiered or erased; a listing hidden
by reports or shown again — moves the version on (at once and after its transaction
commits), so a freeze or a hide is never served from the cache: the next request
renders afresh.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

KEY = "listings:version:v1"
# How long rendered cards and listed offers are kept (a stale card can only be a few
# seconds old, or "confirmed N minutes ago" off by that; a change never waits).
CACHE_SECONDS = 15


def listings_version() -> int:
    return int(cache.get(KEY) or 0)


def _bump() -> None:
    cache.add(KEY, 0, timeout=None)
    try:
        cache.incr(KEY)
    except ValueError:  # evicted between add and incr
        cache.set(KEY, 1, timeout=None)


def listings_changed() -> None:
    """Call from any write that changes what the public listing shows. Moves the
    version on at once and again when the current transaction commits: a reader that
    rendered the old rows in between cached them under a version that is then gone."""
    _bump()
    transaction.on_commit(_bump)
