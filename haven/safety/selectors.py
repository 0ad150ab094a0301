"""Reads for safety: who keeps whom apart (blocks)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from haven.safety.models import Block


def block_pairs(among: Collection[int] | None = None) -> Iterable[tuple[int, int]]:
    """(blocker id, blocked id) for every block, or only those between ``among``.
    Registered with matching (``apart_reader_register``) by safety.apps, so the matcher
    and manual proposals keep blocked people apart without importing this app."""
    qs = Block.objects.all()
    if among is not None:
        qs = qs.filter(blocker_id__in=list(among), blocked_id__in=list(among))
    return list(qs.values_list("blocker_id", "blocked_id"))
