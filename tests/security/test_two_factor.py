"""Two-factor login for coordinators (P7): a password alone opens nothing — not the
console, not the site, not the API by session — until a TOTP code is confirmed; enrolling
an authenticator needs the one-time code `haven grant` printed (so a phished password
cannot enrol the phisher's app); and coordinators' sessions end after 30 idle minutes."""

from __future__ import annotations

import base64
import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from tests.factories import PASSWORD

SECRET_MARK = 'id="totp-secret"'


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


def _wrong(device: Any) -> str:
    return "000000" if _code(device) != "000000" else "111111"


def _password_login(client: Any, username: str) -> None:
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302


def _grant(pseudonym: str, *args: str) -> str:
    """Run `haven grant` as an operator would and return the enrolment code it printed."""
    out = StringIO()
    call_command("grant", pseudonym, "--region", "KZ-ZAP", *args, stdout=out)
    found = re.search(r"\b([A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5})\b", out.getvalue())
    assert found is not None, out.getvalue()
    return found.group(1)


def _enrolled_device(user: Any) -> Any:
    """A confirmed authenticator, as enrolment leaves it."""
    from haven.accounts.services import staff_enrolment_issue
    from haven.privacy import services as privacy

    device = privacy.totp_device_start(user=user, enrolment_code=staff_enrolment_issue(user=user))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def _devices(user: Any) -> list[tuple[bool, str]]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return list(TOTPDevice.objects.filter(user=user).values_list("confirmed", "key"))


def _unthrottle(device: Any) -> None:
    # django-otp throttles a device after a failure; let that delay pass.
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)


def test_a_coordinator_with_only_a_password_is_asked_for_the_enrolment_code_not_shown_a_secret(client_for: Any, cora: Any) -> None:
    client = client_for(None)
    _password_login(client, "cora")
    response = client.get("/coordinate/")
    assert response.status_code == 302
    assert response["Location"] == "/me/2fa/?next=/coordinate/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'name="enrolment_code"' in html
    assert SECRET_MARK not in html
    assert "data:image/svg+xml;base64," not in html
    assert page["Cache-Control"] == "no-store"
    assert _devices(cora) == []


def test_a_wrong_enrolment_code_shows_no_secret_and_changes_nothing(client_for: Any, cora: Any) -> None:
    from haven.accounts.models import StaffEnrolment

    _grant("cora")
    before = StaffEnrolment.objects.values().get(user=cora)
    client = client_for(None)
    _password_login(client, "cora")
    response = client.post("/me/2fa/", {"step": "code", "enrolment_code": "AAAAA-BBBBB-CCCCC-DDDDD", "next": "/coordinate/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This enrolment code is not valid. Ask the administrator who gave you access for a new one." in html
    assert SECRET_MARK not in html
    assert _devices(cora) == []
    assert StaffEnrolment.objects.values().get(user=cora) == before
    assert client.get("/coordinate/").status_code == 302


def test_enrolling_with_the_code_from_grant_then_a_totp_code_opens_the_console(client_for: Any, cora: Any) -> None:
    from haven.accounts.models import StaffEnrolment
    from haven.privacy.models import StaffTOTPDevice

    code = _grant("cora")
    client = client_for(None)
    _password_login(client, "cora")
    # Typed as people type it: lower case, without the dashes.
    shown = client.post("/me/2fa/", {"step": "code", "enrolment_code": code.lower().replace("-", " "), "next": "/coordinate/"})
    html = shown.content.decode()
    assert SECRET_MARK in html
    assert "data:image/svg+xml;base64," in html
    device = StaffTOTPDevice.objects.get(user=cora)
    assert device.confirmed is False
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', html)
    assert secret is not None
    assert secret.group(1) == base64.b32encode(device.bin_key).decode()

    wrong = client.post("/me/2fa/", {"step": "scan", "enrolment_code": code, "otp_token": _wrong(device), "next": "/coordinate/"})
    assert wrong.status_code == 200
    assert "This code is not correct or has expired." in wrong.content.decode()
    assert SECRET_MARK in wrong.content.decode()  # still on the scanning step
    assert client.get("/coordinate/").status_code == 302
    assert StaffEnrolment.objects.get(user=cora).used_at is None
    _unthrottle(device)

    right = client.post("/me/2fa/", {"step": "scan", "enrolment_code": code, "otp_token": _code(device), "next": "/coordinate/"})
    assert right.status_code == 302
    assert right["Location"] == "/coordinate/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert StaffEnrolment.objects.get(user=cora).used_at is not None
    assert client.get("/coordinate/").status_code == 200


def test_the_scanning_step_without_the_enrolment_code_enrols_nothing(client_for: Any, cora: Any) -> None:
    from haven.privacy.models import StaffTOTPDevice

    code = _grant("cora")
    client = client_for(None)
    _password_login(client, "cora")
    client.post("/me/2fa/", {"step": "code", "enrolment_code": code})
    device = StaffTOTPDevice.objects.get(user=cora)
    # Someone skipping the first step with a made-up enrolment code and a right TOTP code.
    response = client.post("/me/2fa/", {"step": "scan", "enrolment_code": "AAAAA-BBBBB-CCCCC-DDDDD", "otp_token": _code(device)})
    assert response.status_code == 200
    assert "This enrolment code is not valid." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get("/coordinate/").status_code == 302


def test_the_scanning_step_never_shows_the_secret_for_a_guessed_enrolment_code(client_for: Any, cora: Any, settings: Any) -> None:
    code = _grant("cora")
    owner = client_for(None)
    _password_login(owner, "cora")
    owner.post("/me/2fa/", {"step": "code", "enrolment_code": code})  # a secret is now pending
    guesser = client_for(None)
    _password_login(guesser, "cora")
    for _ in range(settings.HAVEN_LOGIN_FAILURES_PER_USER):
        # An unusable TOTP field must not turn the page into an oracle for the code.
        response = guesser.post("/me/2fa/", {"step": "scan", "enrolment_code": "AAAAA-BBBBB-CCCCC-DDDDD", "otp_token": "x"})
        assert SECRET_MARK not in response.content.decode()
        assert "This enrolment code is not valid." in response.content.decode()
    locked = guesser.post("/me/2fa/", {"step": "scan", "enrolment_code": code, "otp_token": "x"})
    assert SECRET_MARK not in locked.content.decode()
    assert "Too many failed attempts. Please wait a few minutes and try again." in locked.content.decode()


def test_a_mistyped_totp_code_keeps_the_scanning_step_with_a_valid_enrolment_code(client_for: Any, cora: Any) -> None:
    code = _grant("cora")
    client = client_for(None)
    _password_login(client, "cora")
    client.post("/me/2fa/", {"step": "code", "enrolment_code": code})
    response = client.post("/me/2fa/", {"step": "scan", "enrolment_code": code, "otp_token": "12345"})
    html = response.content.decode()
    assert SECRET_MARK in html
    assert "Enter the 6 digits your authenticator app shows." in html


def test_a_used_enrolment_code_fails_and_changes_nothing(client_for: Any, cora: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.accounts.models import StaffEnrolment
    from haven.privacy.models import StaffTOTPDevice

    code = _grant("cora")
    first = client_for(None)
    _password_login(first, "cora")
    first.post("/me/2fa/", {"step": "code", "enrolment_code": code})
    device = StaffTOTPDevice.objects.get(user=cora)
    assert first.post("/me/2fa/", {"step": "scan", "enrolment_code": code, "otp_token": _code(device)}).status_code == 302
    # The authenticator disappears without a new grant (say, removed in the database).
    TOTPDevice.objects.filter(user=cora).delete()
    used = StaffEnrolment.objects.values().get(user=cora)

    second = client_for(None)
    _password_login(second, "cora")
    response = second.post("/me/2fa/", {"step": "code", "enrolment_code": code})
    html = response.content.decode()
    assert "This enrolment code has already been used. Ask the administrator who gave you access for a new one." in html
    assert SECRET_MARK not in html
    assert _devices(cora) == []
    assert StaffEnrolment.objects.values().get(user=cora) == used


def test_an_expired_enrolment_code_fails_and_changes_nothing(client_for: Any, cora: Any, settings: Any) -> None:
    from haven.accounts.models import StaffEnrolment
    from haven.accounts.services import staff_enrolment_issue

    code = staff_enrolment_issue(user=cora, now=timezone.now() - dt.timedelta(hours=settings.HAVEN_STAFF_ENROLMENT_HOURS, seconds=1))
    before = StaffEnrolment.objects.values().get(user=cora)
    client = client_for(None)
    _password_login(client, "cora")
    response = client.post("/me/2fa/", {"step": "code", "enrolment_code": code})
    html = response.content.decode()
    assert "This enrolment code has expired. Ask the administrator who gave you access for a new one." in html
    assert SECRET_MARK not in html
    assert _devices(cora) == []
    assert StaffEnrolment.objects.values().get(user=cora) == before


def test_granting_again_resets_a_lost_authenticator_and_the_old_code(client_for: Any, cora: Any) -> None:
    from haven.privacy.models import StaffTOTPDevice

    old_code = _grant("cora")
    phone = client_for(None)
    _password_login(phone, "cora")
    phone.post("/me/2fa/", {"step": "code", "enrolment_code": old_code})
    old_device = StaffTOTPDevice.objects.get(user=cora)
    old_secret = old_device.bin_key
    assert phone.post("/me/2fa/", {"step": "scan", "enrolment_code": old_code, "otp_token": _code(old_device)}).status_code == 302
    assert phone.get("/coordinate/").status_code == 200

    new_code = _grant("cora")  # the phone is lost: the operator grants again
    assert new_code != old_code
    assert _devices(cora) == []
    # The session verified with the lost authenticator is asked again at once.
    assert phone.get("/coordinate/")["Location"] == "/me/2fa/?next=/coordinate/"

    client = client_for(None)
    _password_login(client, "cora")
    stale = client.post("/me/2fa/", {"step": "code", "enrolment_code": old_code})
    assert "This enrolment code is not valid." in stale.content.decode()
    assert _devices(cora) == []
    client.post("/me/2fa/", {"step": "code", "enrolment_code": new_code})
    new_device = StaffTOTPDevice.objects.get(user=cora)
    assert new_device.bin_key != old_secret
    assert client.post("/me/2fa/", {"step": "scan", "enrolment_code": new_code, "otp_token": _code(new_device)}).status_code == 302
    assert client.get("/coordinate/").status_code == 200


def test_wrong_enrolment_codes_count_towards_the_lockout(client_for: Any, cora: Any, settings: Any) -> None:
    code = _grant("cora")
    client = client_for(None)
    _password_login(client, "cora")
    for _ in range(settings.HAVEN_LOGIN_FAILURES_PER_USER):
        client.post("/me/2fa/", {"step": "code", "enrolment_code": "AAAAA-BBBBB-CCCCC-DDDDD"})
    locked = client.post("/me/2fa/", {"step": "code", "enrolment_code": code})
    assert "Too many failed attempts. Please wait a few minutes and try again." in locked.content.decode()
    assert SECRET_MARK not in locked.content.decode()
    assert _devices(cora) == []


def test_the_next_login_asks_for_a_code_without_showing_the_secret_again(client_for: Any, cora: Any) -> None:
    device = _enrolled_device(cora)
    client = client_for(None)
    _password_login(client, "cora")
    page = client.get("/me/2fa/").content.decode()
    assert SECRET_MARK not in page
    assert 'name="enrolment_code"' not in page
    assert client.post("/me/2fa/", {"step": "verify", "otp_token": _code(device)}).status_code == 302
    assert client.get("/coordinate/aid/need/").status_code == 200


def test_a_wrong_code_at_login_is_refused(client_for: Any, cora: Any) -> None:
    device = _enrolled_device(cora)
    client = client_for(None)
    _password_login(client, "cora")
    response = client.post("/me/2fa/", {"step": "verify", "otp_token": _wrong(device)})
    assert response.status_code == 200
    assert "This code is not correct or has expired." in response.content.decode()
    assert client.get("/coordinate/").status_code == 302


def test_a_code_cannot_be_used_twice(client_for: Any, cora: Any) -> None:
    device = _enrolled_device(cora)
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
    device = _enrolled_device(cora)
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
