"""API tests go over real HTTP to a live server, as a partner's client would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from haven.accounts.models import User
from haven.accounts.services import api_token_create


@pytest.fixture
def api(live_server: Any) -> Callable[..., httpx.Client]:
    clients: list[httpx.Client] = []

    def make(user: User | None = None, language: str = "en") -> httpx.Client:
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
