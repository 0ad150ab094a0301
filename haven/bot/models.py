"""The Telegram bot's own state. Nothing here identifies a person by their Telegram
account: the link is keyed by an HMAC of the Telegram user id, and the chat id needed
to deliver notifications is stored only encrypted (haven.privacy.crypto), under a key
of its own that disappears with the link."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TelegramLink(models.Model):
    """One Telegram account ↔ one Haven account (the user is empty until /start ends)."""

    tg_hash = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="telegram_link",
    )
    wrapped_key = models.BinaryField()
    sealed_chat = models.BinaryField()
    language = models.CharField(max_length=8, default="ru")
    created_at = models.DateTimeField(auto_now_add=True)
    blocked_at = models.DateTimeField(
        null=True, blank=True
    )  # the person blocked the bot (HTTP 403)

    def __str__(self) -> str:
        return f"telegram link {self.pk} → {self.user or 'no account yet'}"


class Conversation(models.Model):
    """Where a person is in a guided conversation, so an interrupted one resumes.
    ``flow``/``step``/``data`` are the conversation in progress; ``parked`` keeps the
    unfinished drafts of other flows ({flow: {"step": ..., "data": ...}}), so a short
    detour (an in-queue report in the middle of an offer) loses nothing."""

    link = models.OneToOneField(TelegramLink, on_delete=models.CASCADE, related_name="conversation")
    flow = models.CharField(max_length=16, blank=True)
    step = models.CharField(max_length=24, blank=True)
    data = models.JSONField(default=dict, blank=True)
    parked = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.flow or 'idle'}:{self.step}"


class ProcessedUpdate(models.Model):
    """Telegram delivers an update at least once; the unique update_id makes it once."""

    update_id = models.BigIntegerField(unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.update_id)


class OneTimeToken(models.Model):
    """A single-use secret sent in a chat: to connect an existing account to Telegram
    (purpose "connect") or to open a page on the site after logging in ("login").
    Only its SHA-256 is stored."""

    class Purpose(models.TextChoices):
        CONNECT = "connect"
        LOGIN = "login"

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    next_path = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} token {self.pk}"


class Outbox(models.Model):
    """A notification waiting to be sent by the worker, rendered in the recipient's
    language. ``dedupe_key`` makes each event notified once, however often it is seen."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=80, unique=True)
    text = models.TextField()
    buttons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.dedupe_key} ({self.status})"


class SafetyCheckIn(models.Model):
    """M6: "are you safe?" at arrival, after 24 hours and after 7 days."""

    class Stage(models.TextChoices):
        ARRIVAL = "arrival"
        DAY = "day"
        WEEK = "week"

    class Answer(models.TextChoices):
        SAFE = "safe"
        NOT_SAFE = "not_safe"

    token = models.CharField(max_length=24, unique=True)
    proposal = models.ForeignKey("matching.Proposal", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    due_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=8, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "stage"], name="bot_checkin_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"check-in {self.stage} for proposal {self.proposal_id}"
