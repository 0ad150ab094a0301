"""Two-factor login for coordinators (P7): a password alone opens nothing — not the
console, not the site, not the API by session — until a TOTP code is confirmed; and
coordinators' sessions end after 30 idle minutes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _two_factor_on(settings: Any) -> Any:
    settings.HAVEN_STAFF_2FA_REQUIRED = True
    cache.clear()
    yield
    cache.clear()


def _code(device: Any, offset: int = 0) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def _password_login(client: Any, username: str) -> None:
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302


def test_a_coordinator_with_only_a_password_is_sent_to_set_up_two_factor(client_for: Any, cora: Any) -> None:
    client = client_for(None)
    _password_login(client, "cora")
    response = client.get("/coordinate/")
    assert response.status_code == 302
    assert response["Location"] == "/me/2fa/?next=/coordinate/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="totp-secret"' in page
    assert "data:image/svg+xml;base64," in page


def test_setting_up_and_confirming_a_code_opens_the_console(client_for: Any, cora: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = client_for(None)
    _password_login(client, "cora")
    client.get("/me/2fa/")
    device = TOTPDevice.objects.get(user=cora)
    assert device.confirmed is False

    wrong = client.post("/me/2fa/", {"otp_token": "000000" if _code(device) != "000000" else "111111", "next": "/coordinate/"})
    assert wrong.status_code == 200
    assert "This code is not correct or has expired." in wrong.content.decode()
    assert client.get("/coordinate/").status_code == 302
    # django-otp throttles the device after a failure; let that delay pass.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)

    right = client.post("/me/2fa/", {"otp_token": _code(device), "next": "/coordinate/"})
    assert right.status_code == 302
    assert right["Location"] == "/coordinate/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/coordinate/").status_code == 200


def test_the_next_login_asks_for_a_code_without_showing_the_secret_again(client_for: Any, cora: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=cora, name="Haven", confirmed=True)
    client = client_for(None)
    _password_login(client, "cora")
    page = client.get("/me/2fa/").content.decode()
    assert 'id="totp-secret"' not in page
    assert client.post("/me/2fa/", {"otp_token": _code(device)}).status_code == 302
    assert client.get("/coordinate/aid/need/").status_code == 200


def test_a_code_cannot_be_used_twice(client_for: Any, cora: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=cora, name="Haven", confirmed=True)
    code = _code(device)
    first = client_for(None)
    _password_login(first, "cora")
    assert first.post("/me/2fa/", {"otp_token": code}).status_code == 302
    second = client_for(None)
    _password_login(second, "cora")
    assert second.post("/me/2fa/", {"otp_token": code}).status_code == 200
    assert second.get("/coordinate/").status_code == 302


def test_an_unverified_coordinator_cannot_read_needs_on_the_site_or_the_api(client_for: Any, cora: Any, alices_need: Any) -> None:
    client = client_for(None)
    _password_login(client, "cora")
    page = client.get(f"/needs/{alices_need.public_id}/")
    assert page.status_code == 302
    assert page["Location"].startswith("/me/2fa/")
    api = client.get(f"/api/needs/{alices_need.public_id}")
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"


def test_people_who_are_not_coordinators_never_see_the_second_step(client_for: Any, alice: Any) -> None:
    client = client_for(None)
    _password_login(client, "alice")
    assert client.get("/me/").status_code == 200
    assert client.get("/me/2fa/")["Location"] == "/me/"


def test_a_coordinators_session_ends_after_thirty_idle_minutes_and_a_seekers_does_not(client_for: Any, cora: Any, alice: Any, settings: Any) -> None:
    settings.HAVEN_STAFF_2FA_REQUIRED = False
    coordinator, seeker = client_for(cora), client_for(alice)
    coordinator.get("/me/")
    seeker.get("/me/")
    assert coordinator.session.get_expiry_age() == 30 * 60
    assert seeker.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_the_second_step_refuses_to_redirect_off_site(client_for: Any, cora: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=cora, name="Haven", confirmed=True)
    client = client_for(None)
    _password_login(client, "cora")
    response = client.post("/me/2fa/", {"otp_token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/coordinate/"


def test_production_refuses_to_start_without_two_factor(monkeypatch: Any) -> None:
    import subprocess
    import sys

    env = {
        "HAVEN_ENV": "production", "SECRET_KEY": "x" * 50, "HAVEN_MASTER_KEY": "A" * 43 + "=",
        "ALLOWED_HOSTS": "example.org", "HAVEN_STAFF_2FA_REQUIRED": "false", "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='haven.settings'; django.setup()"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "HAVEN_STAFF_2FA_REQUIRED cannot be turned off in production" in result.stderr


def test_logging_in_on_the_console_still_asks_for_the_code(client_for: Any, cora: Any) -> None:
    client = client_for(None)
    response = client.post("/coordinate/login/?next=/coordinate/", {"username": "cora", "password": PASSWORD, "next": "/coordinate/"})
    assert response.status_code == 302
    following = client.get(response["Location"])
    assert following.status_code == 302
    assert following["Location"].startswith("/me/2fa/")
