"""Builders for test data: what a browser would post, and people with roles.
Django is imported lazily so the pure engine tests never need it."""

from __future__ import annotations

import datetime as dt
from typing import Any

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, role: str = "seeker", tier: int = 0) -> Any:
    from haven.accounts.models import User

    return User.objects.create_user(username=username, password=PASSWORD, role=role, tier=tier)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def need_form(**overrides: Any) -> dict[str, Any]:
    """What a browser posts for a typical need: a couple with a child in Uralsk."""
    data: dict[str, Any] = {
        "kind": "housing", "city": "uralsk", "district_slug": "", "destination": "",
        "date_from": today().isoformat(), "date_to": (today() + dt.timedelta(days=7)).isoformat(),
        "adults": "2", "children": "1", "elderly": "0", "pets": "0",
        "free_only": "on", "max_price": "", "host_preference": "any", "min_tier": "0", "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def offer_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "room", "service_kind": "", "title": "Room near the market", "host_kind": "family",
        "city": "uralsk", "district_slug": "", "destination": "",
        "date_from": today().isoformat(), "date_to": (today() + dt.timedelta(days=30)).isoformat(),
        "capacity": "3", "children_ok": "on", "languages": ["ru"], "price_per_night": "0", "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def clean(form_class: Any, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    form = form_class(data=data, **kwargs)
    assert form.is_valid(), form.errors
    return dict(form.cleaned_data)
