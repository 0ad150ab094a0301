"""Contacts: stored encrypted, read by their owner, and revealed to someone else only
through ``contacts_reveal`` — the one audited door (P1, P2)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haven.accounts.models import User
from haven.core.errors import HavenError
from haven.privacy import crypto
from haven.privacy.models import ContactVault, Reveal


@dataclass(frozen=True)
class Contacts:
    phone: str = ""
    telegram: str = ""
    email: str = ""

    @property
    def empty(self) -> bool:
        return not (self.phone or self.telegram or self.email)


def _context(user: User) -> str:
    return f"user:{user.public_id}"


def contacts_set(*, user: User, contacts: Contacts) -> None:
    """Store (or clear) a person's contacts, encrypted under their data key."""
    with transaction.atomic():
        vault = ContactVault.objects.select_for_update().filter(user=user).first()
        if vault is None:
            vault = ContactVault(user=user, wrapped_key=crypto.new_wrapped_key(context=_context(user)))
        vault.sealed = None if contacts.empty else crypto.encrypt(
            wrapped_key=bytes(vault.wrapped_key), context=_context(user), plaintext=json.dumps(asdict(contacts))
        )
        vault.save()


def contacts_get_own(*, user: User) -> Contacts:
    """A person reading their own contacts (their settings page)."""
    return _decrypt(user)


def _decrypt(user: User) -> Contacts:
    vault = ContactVault.objects.filter(user=user).first()
    if vault is None or vault.sealed is None:
        return Contacts()
    plaintext = crypto.decrypt(wrapped_key=bytes(vault.wrapped_key), context=_context(user), sealed=bytes(vault.sealed))
    return Contacts(**json.loads(plaintext))


def reveals_today(*, viewer: User) -> int:
    since = timezone.now() - dt.timedelta(hours=24)
    return Reveal.objects.filter(viewer=viewer, at__gte=since).values("owner").distinct().count()


def reveal_quota(*, viewer: User) -> int:
    """New and unverified accounts may collect only a few contacts a day (P2)."""
    young = timezone.now() - viewer.date_joined < dt.timedelta(days=settings.HAVEN_NEW_ACCOUNT_DAYS)
    if viewer.tier >= 1 or viewer.is_coordinator:
        return settings.HAVEN_REVEAL_QUOTA_VERIFIED
    return settings.HAVEN_REVEAL_QUOTA_NEW if young else settings.HAVEN_REVEAL_QUOTA_VERIFIED


def contacts_reveal(*, viewer: User, owner: User, proposal_public_id: str) -> Contacts:
    """Decrypt ``owner``'s contacts for ``viewer`` and log it. The caller (the matching
    service) has already checked that both sides accepted this proposal; this function
    enforces the freeze and the daily quota and writes the audit row.

    Side effects: one ``Reveal`` row per call (also when the same pair looks again).
    """
    if viewer.is_frozen or owner.is_frozen:
        raise HavenError("account_frozen")
    already = Reveal.objects.filter(viewer=viewer, owner=owner).exists()
    if not already and reveals_today(viewer=viewer) >= reveal_quota(viewer=viewer):
        raise HavenError("reveal_quota")
    Reveal.objects.create(owner=owner, viewer=viewer, proposal_public_id=proposal_public_id)
    return _decrypt(owner)


def reveals_of(*, owner: User) -> list[Reveal]:
    """Who saw my contacts, newest first (visible to their owner only)."""
    return list(Reveal.objects.filter(owner=owner).select_related("viewer")[:200])


def person_erase_contacts(*, user: User) -> None:
    """Crypto-shred: delete the wrapped key and ciphertext. Old backups become unreadable."""
    ContactVault.objects.filter(user=user).delete()
