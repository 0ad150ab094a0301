"""The running "I joined the queue" clocks, for the self-contained include
web/borders/_running_timer.html (a checkpoint's pages and /me/)."""

from __future__ import annotations

from typing import Any

from django import template

from haven.borders import phrases, selectors
from haven.core import clock

register = template.Library()


@register.simple_tag
def running_clocks(user: Any, slug: str = "") -> list[dict[str, Any]]:
    """The person's running clocks (only the checkpoint ``slug``'s when given), each with
    its sentence; none for a visitor who is not logged in."""
    now = clock.now()
    return [
        {"slug": r.checkpoint.slug, "name": r.checkpoint.name, "sentence": phrases.clock_running(r, now=now)}
        for r in selectors.pending_reports(reporter=user)
        if r.joined_at is not None and (not slug or r.checkpoint.slug == slug)
    ]
