"""The safety suite reuses the security suite's helpers and the API suite's live-server
client (real HTTP)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api.conftest import api
from tests.factories import make_user
from tests.security.conftest import api_for, chosen_proposal, post_need, post_offer

__all__ = ["api", "api_for", "chosen_proposal", "established", "post_need", "post_offer"]


def established(username: str, role: str = "seeker") -> Any:
    """A person whose account is two days old (counts fully towards the auto-hide)."""
    from django.utils import timezone

    from haven.accounts.models import User

    user = make_user(username, role)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - dt.timedelta(days=2))
    user.refresh_from_db()
    return user
