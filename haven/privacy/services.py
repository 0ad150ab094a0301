"""Contacts: stored encrypted, read by their owner, and revealed to someone else only
through ``contacts_reveal`` — the one audited door (P1, P2)."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from haven.accounts import services as accounts
from haven.accounts.middleware import is_staff_account
from haven.accounts.models import User
from haven.core import clock
from haven.core.errors import HavenError
from haven.privacy import crypto
from haven.privacy.enums import AccessKind
from haven.privacy.models import AccessLog, ContactVault, Reveal, StaffTOTPDevice, totp_context


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


class Channel:
    """How a person can be reached once a proposal is accepted by both sides."""

    CONTACTS = "contacts"  # at least one of phone, Telegram, e-mail
    DESK = "desk"  # no contact: they chose to be reached through the region's coordinator desk
    NONE = "none"  # neither: they have not said yet


def contacts_channel(*, user: User) -> str:
    """One of ``Channel``'s values, from one indexed query and without decrypting."""
    row = ContactVault.objects.filter(user=user).values_list("sealed", "via_desk").first()
    if row is None:
        return Channel.NONE
    sealed, via_desk = row
    if sealed is not None:
        return Channel.CONTACTS
    return Channel.DESK if via_desk else Channel.NONE


def contacts_choose_desk(*, user: User, via_desk: bool = True) -> None:
    """Record (or withdraw) the choice to be reached through the coordinator desk rather
    than by a contact of one's own. Stores no contact; contacts already saved are kept."""
    with transaction.atomic():
        vault = ContactVault.objects.select_for_update().filter(user=user).first()
        if vault is None:
            vault = ContactVault(user=user, wrapped_key=crypto.new_wrapped_key(context=_context(user)))
        vault.via_desk = via_desk
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
    since = clock.now() - dt.timedelta(hours=24)
    return Reveal.objects.filter(viewer=viewer, at__gte=since).values("owner").distinct().count()


def reveal_quota(*, viewer: User) -> int:
    """New and unverified accounts may collect only a few contacts a day (P2)."""
    young = clock.now() - viewer.date_joined < dt.timedelta(days=settings.HAVEN_NEW_ACCOUNT_DAYS)
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


# ---------------------------------------------------------------- coordinators' authenticators (P7)

TOTP_SECRET_BYTES = 20


def totp_device_confirmed(*, user: User) -> StaffTOTPDevice | None:
    device: StaffTOTPDevice | None = StaffTOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def totp_device_start(*, user: User, enrolment_code: str) -> StaffTOTPDevice:
    """First step of enrolling an authenticator: with the one-time code from ``haven
    grant``, the person's unconfirmed device (a new secret, sealed under the master key,
    or the one already shown to them). Without a valid code: a HavenError, nothing changes.
    The secret is shown only after this, so a phished password alone enrols nothing."""
    accounts.staff_enrolment_check(user=user, code=enrolment_code)
    device: StaffTOTPDevice | None = StaffTOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = StaffTOTPDevice.objects.create(
            user=user, name="Haven", confirmed=False,
            key=crypto.seal_text(context=totp_context(user.pk), secret=os.urandom(TOTP_SECRET_BYTES)),
        )
    return device


def totp_device_confirm(*, user: User, enrolment_code: str, token: str) -> StaffTOTPDevice:
    """Second step: a code from the newly scanned app confirms the device and spends the
    enrolment code. Raises ``enrolment_code_*`` or ``otp_wrong``; then no device is
    confirmed (a wrong TOTP code counts towards django-otp's throttling)."""
    enrolment = accounts.staff_enrolment_check(user=user, code=enrolment_code)
    device: StaffTOTPDevice | None = StaffTOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise HavenError("enrolment_code_invalid")
    # Outside the transaction below, so that a failure's throttling is kept.
    if not device.verify_token(token):
        raise HavenError("otp_wrong")
    with transaction.atomic():
        accounts.staff_enrolment_spend(enrolment=enrolment)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def totp_verify(*, user: User, token: str) -> StaffTOTPDevice:
    """A later login: the code from the person's confirmed authenticator, or ``otp_wrong``."""
    device = totp_device_confirmed(user=user)
    if device is None or not device.verify_token(token):
        raise HavenError("otp_wrong")
    return device


# ---------------------------------------------------------------- coordinators' read audit (P7)

def access_log_record(*, viewer: User, kind: AccessKind | str, public_id: str, view: str) -> AccessLog | None:
    """Record that a coordinator or administrator opened a person-level object. The one
    function that writes the access log: the console (``privacy.middleware``), the site
    and the API call it. Does nothing for anyone else (people reading their own data).

    Side effects: one ``AccessLog`` row per call."""
    if not is_staff_account(viewer):
        return None
    return AccessLog.objects.create(
        viewer=viewer, viewer_name=viewer.username, kind=kind, object_public_id=public_id[:16], view=view[:100]
    )


def access_log_opened(*, request: HttpRequest, kind: AccessKind | str, public_id: str) -> AccessLog | None:
    """``access_log_record`` for the page or API route serving ``request``: its URL name,
    with the method when it is not a read (an API path serves several methods)."""
    match = request.resolver_match
    view = match.view_name if match is not None else request.path
    if request.method not in ("GET", "HEAD"):
        view = f"{view} {request.method}"
    return access_log_record(viewer=request.user, kind=kind, public_id=public_id, view=view)  # type: ignore[arg-type]


def access_log_purge(*, now: dt.datetime | None = None) -> int:
    """Delete access-log rows older than ``HAVEN_RETENTION_ACCESS_LOG_DAYS``; for the daily
    retention job. Returns how many rows went."""
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=settings.HAVEN_RETENTION_ACCESS_LOG_DAYS)
    deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
    return deleted
