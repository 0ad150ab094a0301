"""Login lockout (P7): after repeated failures on a pseudonym or from an address, no
password is checked at all, on the site, the console and the API's password checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _login(client: Any, username: str, password: str, path: str = "/login/") -> Any:
    return client.post(path, {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_pseudonym_even_against_the_right_one(client_for: Any, alice: Any) -> None:
    client = client_for(None)
    for _ in range(5):
        response = _login(client, "alice", "wrong-password-123")
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts. Please wait a few minutes and try again." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_pseudonym_gets_no_password_check_at_all(client_for: Any, alice: Any, monkeypatch: Any) -> None:
    from haven.accounts.models import User

    for _ in range(5):
        _login(client_for(None), "alice", "wrong-password-123")
    checked: list[str] = []
    original = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, raw: checked.append(raw) or original(self, raw))
    _login(client_for(None), "alice", PASSWORD)
    assert checked == []


def test_the_lock_is_per_pseudonym_so_others_can_still_log_in(client_for: Any, alice: Any, bob: Any) -> None:
    client = client_for(None)
    for _ in range(5):
        _login(client, "alice", "wrong-password-123")
    response = _login(client, "bob", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_one_address_trying_many_pseudonyms_is_locked_out(client_for: Any, alice: Any, settings: Any) -> None:
    settings.HAVEN_LOGIN_FAILURES_PER_ADDRESS = 20
    client = client_for(None)
    for i in range(20):
        _login(client, f"guess-{i}", "wrong-password-123")
    response = _login(client, "alice", PASSWORD)
    assert "Too many failed attempts" in response.content.decode()
    # Another address is not affected.
    other = client_for(None)
    assert other.post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_lock_expires_with_its_window(client_for: Any, alice: Any) -> None:
    client = client_for(None)
    for _ in range(5):
        _login(client, "alice", "wrong-password-123")
    cache.clear()  # the cache entry's 15-minute timeout elapsing
    assert _login(client, "alice", PASSWORD).status_code == 302


def test_the_console_login_is_locked_out_too(client_for: Any, cora: Any) -> None:
    client = client_for(None)
    for _ in range(5):
        _login(client, "cora", "wrong-password-123", "/coordinate/login/")
    response = _login(client, "cora", PASSWORD, "/coordinate/login/")
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_the_api_password_confirmation_counts_failures_and_locks(api_for: Any, alice: Any) -> None:
    from haven.accounts.models import User

    client = api_for(alice)
    for _ in range(5):
        response = client.delete("/api/accounts/me", {"password": "wrong"}, content_type="application/json")
        assert response.status_code == 403
        assert response.json()["code"] == "wrong_password"
    response = client.delete("/api/accounts/me", {"password": PASSWORD}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert User.objects.filter(pk=alice.pk).exists()


def test_behind_a_proxy_the_client_is_read_from_the_right_of_x_forwarded_for(settings: Any, rf: Any) -> None:
    from haven.accounts.services import client_address

    settings.HAVEN_FORWARDED_FOR_DEPTH = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "203.0.113.7"
    settings.HAVEN_FORWARDED_FOR_DEPTH = 0
    assert client_address(request) == "10.0.0.1"
