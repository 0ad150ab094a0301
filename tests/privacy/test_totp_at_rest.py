"""Coordinators' TOTP secrets are sealed under the master key (P5, P7): a seized database or
backup yields no second factor, while django-otp's verification, replay protection,
throttling and drift handling keep working on the sealed device."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.services import coordinator_grant, staff_enrolment_issue
from haven.core.errors import HavenError
from haven.privacy import crypto
from haven.privacy import services as privacy
from haven.privacy.models import StaffTOTPDevice, totp_context
from tests.privacy.test_contacts import dump_database

pytestmark = pytest.mark.django_db(transaction=True)

# A seeded secret, as an authenticator app would hold it.
CANARY_SECRET = b"haven-canary-secret!"  # 20 bytes


def _code(device: Any, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def _canaries(secret: bytes) -> list[bytes]:
    hexed = binascii.hexlify(secret)
    b32 = base64.b32encode(secret)
    return [secret, hexed, hexed.upper(), b32, b32.rstrip(b"="), b32.lower()]


@pytest.fixture
def coordinator(uralsk: Any) -> Any:
    from tests.factories import make_user

    user = make_user("cora")
    coordinator_grant(user=user, regions=[uralsk.region])
    return user


def _seeded_device(user: Any, *, confirmed: bool = True) -> Any:
    return StaffTOTPDevice.objects.create(
        user=user, name="Haven", confirmed=confirmed,
        key=crypto.seal_text(context=totp_context(user.pk), secret=CANARY_SECRET),
    )


def test_a_seeded_secret_appears_nowhere_in_the_database_dump(coordinator: Any) -> None:
    device = _seeded_device(coordinator)
    assert device.bin_key == CANARY_SECRET
    dump = dump_database()
    assert b"otp_totp_totpdevice" in dump  # the dump is real
    assert device.key.encode() in dump  # and holds the sealed value
    for canary in _canaries(CANARY_SECRET):
        assert canary not in dump


def test_a_secret_made_at_enrolment_appears_nowhere_in_the_database_dump(coordinator: Any) -> None:
    device = privacy.totp_device_start(user=coordinator, enrolment_code=staff_enrolment_issue(user=coordinator))
    assert device.key.startswith("v1:")
    assert len(device.key) <= 80  # django-otp's column
    secret = StaffTOTPDevice.objects.get(pk=device.pk).bin_key
    assert len(secret) == 20
    dump = dump_database()
    for canary in _canaries(secret):
        assert canary not in dump


def test_verification_replay_protection_drift_and_throttling_still_work(coordinator: Any) -> None:
    device = _seeded_device(coordinator)
    sealed = device.key
    # A phone one step ahead: accepted within the tolerance, and the drift is learnt.
    assert privacy.totp_verify(user=coordinator, token=_code(device, offset=1)) is not None
    device.refresh_from_db()
    assert device.drift == 1
    assert device.key == sealed  # verification never rewrites the secret in clear
    # The same code again: refused (replay).
    with pytest.raises(HavenError, match="otp_wrong"):
        privacy.totp_verify(user=coordinator, token=_code(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Throttled: even the next right code is refused until the delay passes.
    with pytest.raises(HavenError, match="otp_wrong"):
        privacy.totp_verify(user=coordinator, token=_code(device, offset=1))


def test_a_sealed_secret_copied_to_another_account_does_not_open(coordinator: Any) -> None:
    from tests.factories import make_user

    other = make_user("mallory")
    stolen = _seeded_device(coordinator).key
    planted = StaffTOTPDevice.objects.create(user=other, name="Haven", confirmed=True, key=stolen)
    with pytest.raises(InvalidTag):
        _ = planted.bin_key


def test_a_plaintext_key_is_never_accepted(coordinator: Any) -> None:
    device = StaffTOTPDevice.objects.create(user=coordinator, name="Haven", confirmed=True, key=CANARY_SECRET.hex())
    with pytest.raises(ValueError, match="not a sealed value"):
        _ = device.bin_key


def test_the_migration_seals_existing_devices_and_can_undo_it(coordinator: Any) -> None:
    import importlib

    migration = importlib.import_module("haven.privacy.migrations.0003_seal_totp_keys")
    legacy = TOTPDevice.objects.create(user=coordinator, name="Haven", confirmed=True, key=CANARY_SECRET.hex())
    migration.seal_keys(apps, None)
    migration.seal_keys(apps, None)  # idempotent: sealed keys are left alone

    sealed = StaffTOTPDevice.objects.get(pk=legacy.pk)
    assert sealed.key.startswith("v1:")
    assert sealed.bin_key == CANARY_SECRET
    dump = dump_database()
    for canary in _canaries(CANARY_SECRET):
        assert canary not in dump
    # The device keeps working for its coordinator.
    assert privacy.totp_verify(user=coordinator, token=_code(sealed)).pk == legacy.pk

    migration.unseal_keys(apps, None)
    assert TOTPDevice.objects.get(pk=legacy.pk).key == CANARY_SECRET.hex()
