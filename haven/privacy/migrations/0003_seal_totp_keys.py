"""Seal every existing TOTP secret under the master key (the hex secret is replaced by
``crypto.seal_text``'s output, bound to the device's account). Reversible."""

import binascii

from django.db import migrations

from haven.privacy import crypto


def _context(user_id: int) -> str:
    return f"totp:{user_id}"  # as haven.privacy.models.totp_context


def seal_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    for device in device_model.objects.all().only("pk", "user_id", "key"):
        if crypto.is_sealed_text(device.key):
            continue
        device.key = crypto.seal_text(context=_context(device.user_id), secret=binascii.unhexlify(device.key))
        device.save(update_fields=["key"])


def unseal_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    device_model = apps.get_model("otp_totp", "TOTPDevice")
    for device in device_model.objects.all().only("pk", "user_id", "key"):
        if not crypto.is_sealed_text(device.key):
            continue
        device.key = binascii.hexlify(crypto.open_text(context=_context(device.user_id), sealed=device.key)).decode()
        device.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_stafftotpdevice_accesslog"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_keys, unseal_keys)]
