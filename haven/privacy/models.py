"""Encrypted contact details, the append-only log of every reveal, coordinators' TOTP
devices with their secrets sealed, and the append-only log of what coordinators opened."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.privacy import crypto
from haven.privacy.enums import AccessKind


class ContactVault(models.Model):
    """A person's contacts, encrypted under their own data key (see crypto.py).
    The table holds no plaintext and no usable key without the master key."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault")
    wrapped_key = models.BinaryField()
    sealed = models.BinaryField(null=True)
    # "Reach me through the coordinator desk": a choice, not a contact; holds nothing personal.
    via_desk = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"vault #{self.pk}"


class Reveal(models.Model):
    """Append-only: who saw whose contacts, when, and through which proposal."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reveals_of_me")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reveals_seen")
    proposal_public_id = models.CharField(max_length=16)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["viewer", "at"])]

    def __str__(self) -> str:
        return f"{self.viewer} saw {self.owner} at {self.at:%Y-%m-%d %H:%M}"


def totp_context(user_id: int) -> str:
    # Bound to the account: a sealed secret copied onto someone else's device won't open.
    return f"totp:{user_id}"


class StaffTOTPDevice(TOTPDevice):  # type: ignore[misc]  # django-otp ships no types
    """django-otp's TOTP device, whose ``key`` column holds the secret sealed under the
    master key instead of hex (``crypto.seal_text``). Only ``bin_key`` differs, so
    django-otp's own verification, replay protection, throttling and drift all apply.
    Create these with ``privacy.services.totp_device_start``, never with a default key."""

    class Meta:
        proxy = True
        verbose_name = "staff TOTP device"

    @property
    def bin_key(self) -> bytes:
        return crypto.open_text(context=totp_context(self.user_id), sealed=self.key)


class AccessLog(models.Model):
    """Append-only: which coordinator or administrator opened which person-level object
    (by its public id), through which view, when. Never contact details or content."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The pseudonym at the time, so the trail outlives the viewer's account.
    viewer_name = models.CharField(max_length=40)
    kind = models.CharField(max_length=16, choices=AccessKind.choices)
    object_public_id = models.CharField(max_length=16)
    view = models.CharField(max_length=100)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["viewer", "at"])]

    def __str__(self) -> str:
        return f"{self.viewer_name} opened {self.kind} {self.object_public_id} at {self.at:%Y-%m-%d %H:%M}"
