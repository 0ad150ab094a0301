"""Border tests: pages through Django's test client, the API over real HTTP to a live
server (as in tests/api), a clean cache for every test (the board and the rate limits
live there)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest


def _pure(request: pytest.FixtureRequest) -> bool:
    # tests/borders/estimator/ tests the pure estimator: no Django there.
    return "estimator" in request.node.path.parts


@pytest.fixture(autouse=True)
def _border_urls(request: pytest.FixtureRequest) -> None:
    if _pure(request):
        return
    request.getfixturevalue("settings").ROOT_URLCONF = "tests.borders.urls"


@pytest.fixture(autouse=True)
def _clean_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    if _pure(request):
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(live_server: Any) -> Iterator[Callable[..., httpx.Client]]:
    clients: list[httpx.Client] = []

    from haven.accounts.services import api_token_create

    def make(user: Any = None, language: str = "en") -> httpx.Client:
        headers = {"Accept-Language": language}
        if user is not None:
            _token, raw = api_token_create(user=user, name="test")
            headers["Authorization"] = f"Bearer {raw}"
        client = httpx.Client(base_url=f"{live_server.url}/api", headers=headers, timeout=20)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def syrym(db: Any) -> Any:
    from haven.geo.models import Checkpoint

    return Checkpoint.objects.get(slug="syrym")


@pytest.fixture
def lars(db: Any) -> Any:
    from haven.geo.models import Checkpoint

    return Checkpoint.objects.get(slug="verkhny-lars")


@pytest.fixture
def veteran(db: Any) -> Any:
    """An account a month old: an established reporter."""
    from django.utils import timezone

    from tests.factories import make_user

    user = make_user("veteran")
    user.date_joined = timezone.now() - dt.timedelta(days=30)
    user.save(update_fields=["date_joined"])
    return user
