"""Writes to accounts. Every state change of a person goes through one of these."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.enums import ADDABLE_ROLE, GRANTED_ROLES, SELF_CHOSEN_ROLES, Role, Tier
from haven.accounts.models import ApiToken, StaffEnrolment, User, Verification
from haven.core import clock
from haven.core.errors import HavenError
from haven.core.listings import listings_changed
from haven.geo.models import Region

RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def _normalise_recovery_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))


def user_signup(*, username: str, password: str, role: str, language: str = "ru") -> tuple[User, str]:
    """Create a pseudonymous account. Returns the user and the one-time recovery code,
    which is shown once and stored only as a hash."""
    if role not in SELF_CHOSEN_ROLES:
        raise HavenError("role_not_allowed")
    code = _new_recovery_code()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise HavenError("pseudonym_taken")
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            language=language,
            recovery_code_hash=make_password(code),
        )
    return user, code


def user_recover(*, username: str, recovery_code: str, new_password: str) -> tuple[User, str]:
    """Reset a password with the recovery code. The code is spent: a new one is returned."""
    user = User.objects.filter(username__iexact=username).first()
    normalised = _normalise_recovery_code(recovery_code)
    if user is None or not user.recovery_code_hash or not check_password(normalised, user.recovery_code_hash):
        raise HavenError("recovery_failed")
    code = _new_recovery_code()
    user.set_password(new_password)
    user.recovery_code_hash = make_password(code)
    user.save(update_fields=["password", "recovery_code_hash"])
    return user, code


def user_add_role(*, user: User, role: str) -> None:
    """Add the one role a person may add themselves (``enums.ADDABLE_ROLE``): a seeker
    also offers as a private host, a host also asks for help. Organisation, driver and
    the granted roles are refused (``role_not_addable``); adding a role one already has
    changes nothing. Records when (``added_role_at``), the trail of the change.

    Side effects: none on listings or matching by itself; the person's first offer or
    request is matched like anyone's, never with their own."""
    if role in user.roles:
        return
    if user.is_frozen:
        raise HavenError("account_frozen")
    if user.added_role or ADDABLE_ROLE.get(user.role) != role:
        raise HavenError("role_not_addable")
    now = clock.now()
    # Conditional, so two tabs cannot add two different roles.
    if User.objects.filter(pk=user.pk, role=user.role, added_role="").update(added_role=role, added_role_at=now) != 1:
        raise HavenError("role_not_addable")
    user.added_role = role
    user.added_role_at = now


def user_recovery_code_matches(*, user: User, code: str) -> bool:
    """Whether ``code`` is the person's current recovery code. Changes nothing."""
    normalised = _normalise_recovery_code(code)
    return bool(normalised and user.recovery_code_hash and check_password(normalised, user.recovery_code_hash))


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def user_freeze(*, user: User, by: User, reason: str = "") -> None:
    """Freeze an account at once: it can no longer log in, and its listings are hidden
    (selectors exclude frozen owners). Idempotent."""
    if user.frozen_at is not None:
        return
    user.frozen_at = clock.now()
    user.frozen_reason = reason[:200]
    user.save(update_fields=["frozen_at", "frozen_reason"])
    listings_changed()


def user_unfreeze(*, user: User, by: User) -> None:
    user.frozen_at = None
    user.frozen_reason = ""
    user.save(update_fields=["frozen_at", "frozen_reason"])
    listings_changed()


def user_set_tier(*, subject: User, by: User, tier: int, note: str = "") -> Verification:
    """Record a verification decision and update the subject's badge."""
    if tier not in Tier.values:
        raise HavenError("invalid_tier")
    # A coordinator sets any tier; a verified organisation may vouch (tier 1), never more.
    may_vouch = by.role == Role.ORGANISATION and by.tier >= Tier.CHECKED and tier == Tier.VOUCHED
    if not by.is_coordinator and not may_vouch:
        raise HavenError("forbidden")
    with transaction.atomic():
        subject.tier = tier
        subject.save(update_fields=["tier"])
        listings_changed()
        return Verification.objects.create(subject=subject, verified_by=by, tier=tier, note=note[:200])


def coordinator_grant(*, user: User, regions: Iterable[Region], role: str = Role.COORDINATOR) -> None:
    """Make someone a coordinator (or admin) for some regions. Granted, never chosen."""
    if role not in GRANTED_ROLES:
        raise HavenError("role_not_allowed")
    from django.contrib.auth.models import Group

    with transaction.atomic():
        user.role = role
        user.is_staff = True
        user.save(update_fields=["role", "is_staff"])
        user.regions.set(list(regions))
        group = Group.objects.filter(name="Coordinators").first()
        if group is not None:
            user.groups.add(group)


# ---------------------------------------------------------------- authenticator enrolment (P7)

def _enrolment_digest(code: str) -> str:
    return hashlib.sha256(_normalise_recovery_code(code).encode()).hexdigest()


def staff_enrolment_issue(*, user: User, now: dt.datetime | None = None) -> str:
    """Issue the one-time code with which ``user`` (a coordinator or administrator) enrols
    an authenticator app. Returns the code, to be handed over out of band; only its hash
    is stored.

    Side effects: replaces any earlier code (it stops working) and deletes the person's
    authenticator devices, so a lost phone, or an authenticator someone else enrolled, no
    longer opens anything: every session of theirs must confirm a code from the new one.
    """
    if not (user.is_coordinator or user.is_superuser):
        raise HavenError("role_not_allowed")
    now = now or clock.now()
    code = _new_recovery_code()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaffEnrolment.objects.update_or_create(
            user=user,
            defaults={
                "code_hash": _enrolment_digest(code),
                "created_at": now,
                "expires_at": now + dt.timedelta(hours=settings.HAVEN_STAFF_ENROLMENT_HOURS),
                "used_at": None,
            },
        )
    return code


def staff_enrolment_check(*, user: User, code: str, now: dt.datetime | None = None) -> StaffEnrolment:
    """The person's enrolment if ``code`` is theirs, unused and unexpired; otherwise
    ``enrolment_code_invalid``, ``enrolment_code_used`` or ``enrolment_code_expired``
    (the last two only once the code itself matched). Changes nothing."""
    now = now or clock.now()
    enrolment = StaffEnrolment.objects.filter(user=user).first()
    if enrolment is None or not hmac.compare_digest(enrolment.code_hash, _enrolment_digest(code)):
        raise HavenError("enrolment_code_invalid")
    if enrolment.used_at is not None:
        raise HavenError("enrolment_code_used")
    if enrolment.expires_at <= now:
        raise HavenError("enrolment_code_expired")
    return enrolment


def staff_enrolment_spend(*, enrolment: StaffEnrolment, now: dt.datetime | None = None) -> None:
    """Mark the code used. One conditional UPDATE that must hit exactly one row, so of two
    browsers finishing at once only one enrols; the other gets ``enrolment_code_used``."""
    now = now or clock.now()
    spent = StaffEnrolment.objects.filter(
        pk=enrolment.pk, code_hash=enrolment.code_hash, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if spent != 1:
        raise HavenError("enrolment_code_used")


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    raw = "hvn_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:60], prefix=raw[4:12], token_hash=_token_digest(raw))
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.user.is_frozen:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


# ---------------------------------------------------------------- login lockout (P7)

def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or the N-th X-Forwarded-For entry from the right
    when settings say N proxies append to it (the leftmost entries are the client's own)."""
    if request is None:
        return "unknown"
    depth = settings.HAVEN_FORWARDED_FOR_DEPTH
    if depth > 0:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= depth:
            return hops[-depth]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def address_key(request: HttpRequest | None) -> str:
    """The rate-limit key of a request by its client's address (sign-up, browsing)."""
    return "addr:" + client_address(request)


def _lockout_keys(username: str, address: str) -> tuple[str, str]:
    # Hashed so the cache (Redis) holds no pseudonyms or addresses in clear.
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    addr = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"lockout:user:{name}", f"lockout:addr:{addr}"


def login_allowed(*, username: str, address: str) -> bool:
    """False while the pseudonym or the address has too many recent failures: then no
    password is even checked."""
    user_key, addr_key = _lockout_keys(username, address)
    counts = cache.get_many([user_key, addr_key])
    user_failures = int(counts.get(user_key, 0))
    address_failures = int(counts.get(addr_key, 0))
    return (
        user_failures < settings.HAVEN_LOGIN_FAILURES_PER_USER
        and address_failures < settings.HAVEN_LOGIN_FAILURES_PER_ADDRESS
    )


def login_failed(*, username: str, address: str) -> None:
    """Count one failure for the pseudonym and for the address (the window starts at the
    first failure)."""
    for key in _lockout_keys(username, address):
        cache.add(key, 0, timeout=settings.HAVEN_LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.HAVEN_LOGIN_LOCKOUT_SECONDS)


def login_succeeded(*, username: str) -> None:
    """A correct password clears the pseudonym's count (not the address's)."""
    cache.delete(_lockout_keys(username, "")[0])


def user_confirm_password(*, user: User, password: str, address: str) -> None:
    """Check a password typed to confirm a dangerous action, under the same lockout as
    logging in. Raises ``too_many_attempts`` or ``wrong_password``."""
    if not login_allowed(username=user.username, address=address):
        raise HavenError("too_many_attempts")
    if not user.check_password(password):
        login_failed(username=user.username, address=address)
        raise HavenError("wrong_password")
    login_succeeded(username=user.username)
