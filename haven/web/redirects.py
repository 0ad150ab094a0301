"""Where a form may send someone back to: a path on this site, never another host."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: str | None = None) -> str:
    """``value`` (by default the request's ``next``, posted or in the query) if it is a
    path on this site, else ""."""
    target = str(value if value is not None else request.POST.get("next") or request.GET.get("next") or "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
