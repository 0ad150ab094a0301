"""Encrypted contact details and the append-only log of every reveal."""

from django.conf import settings
from django.db import models


class ContactVault(models.Model):
    """A person's contacts, encrypted under their own data key (see crypto.py).
    The table holds no plaintext and no usable key without the master key."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault")
    wrapped_key = models.BinaryField()
    sealed = models.BinaryField(null=True)
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
