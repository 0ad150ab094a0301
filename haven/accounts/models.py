"""Pseudonymous accounts: no real name, no e-mail, no document numbers.

A person is known by a generated pseudonym and recovers access with a one-time
recovery code shown once at sign-up (only its hash is stored).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from haven.accounts.enums import ADDABLE_ROLE, GIVER_ROLES, GRANTED_ROLES, Role, Tier
from haven.core.models import PublicIdField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: object) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = PublicIdField()
    username = models.CharField("pseudonym", max_length=40, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SEEKER)
    # A second role added later from /me/ (enums.ADDABLE_ROLE), and when: the trail of it.
    added_role = models.CharField(max_length=16, choices=Role.choices, blank=True, default="")
    added_role_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="ru")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.SELF_DECLARED)
    # Coordinators act only inside these regions.
    regions = models.ManyToManyField("geo.Region", blank=True, related_name="coordinators")
    recovery_code_hash = models.CharField(max_length=256, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_reason = models.CharField(max_length=200, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_coordinator(self) -> bool:
        return self.role in GRANTED_ROLES

    @property
    def is_organisation(self) -> bool:
        return self.role == Role.ORGANISATION

    @property
    def roles(self) -> tuple[str, ...]:
        """The role signed up with, then the one added later, if any."""
        return (self.role, self.added_role) if self.added_role else (self.role,)

    @property
    def can_ask(self) -> bool:
        """May post a request for help (a coordinator also on someone's behalf)."""
        return Role.SEEKER in self.roles or self.is_coordinator

    @property
    def can_offer(self) -> bool:
        return any(role in GIVER_ROLES for role in self.roles) or self.is_coordinator

    @property
    def role_to_add(self) -> str:
        """The role this person may still add themselves from their page, or ""."""
        return "" if self.added_role else ADDABLE_ROLE.get(self.role, "")

    @property
    def offer_role(self) -> str:
        """The role whose kinds of offer this person may post: a seeker who added hosting
        offers as a private host."""
        return Role.HOST if self.role == Role.SEEKER and self.added_role == Role.HOST else self.role


class Verification(models.Model):
    """The trail of who raised (or lowered) whose verification tier, and when."""

    subject = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    verified_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="verifications_given"
    )
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → tier {self.tier}"


class ApiToken(models.Model):
    """A partner's API token. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (hvn_{self.prefix}…)"


class StaffEnrolment(models.Model):
    """The one-time code a coordinator or administrator needs to enrol an authenticator
    app (P7). ``haven grant`` issues it and prints it once; only its SHA-256 is stored
    (the code is 100 random bits, so a plain hash cannot be brute-forced). One row per
    person: granting again replaces the code, so the old one stops working."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_enrolment")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"
