"""Abuse reports (P4): anyone reports an offer, a request, a proposal, a border report or
an account; coordinators of the region triage them. Blocks: a person keeps another
away from themselves (never proposed to each other again)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from haven.core.models import PublicIdField
from haven.safety.enums import ListingKind, ReportPriority, ReportReason, ReportStatus, TargetKind


class Report(models.Model):
    public_id = PublicIdField()
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    # The reported object's public id (never a primary key). The object may be erased or
    # purged later; the report stays, with the snapshot below.
    target_public_id = models.CharField(max_length=16)
    # The account behind the target, so a coordinator can freeze it in one action.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_about"
    )
    # Taken when the report is filed, so that it stays useful when the subject erases
    # themselves or retention purges the target: the pseudonym and the target's
    # structured facts (kind, city, dates, party size; never free text).
    subject_pseudonym = models.CharField(max_length=150, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    # The offer or request this report counts against for the auto-hide (blank for
    # reports about border reports and accounts).
    listing_kind = models.CharField(max_length=8, choices=ListingKind.choices, blank=True)
    listing_public_id = models.CharField(max_length=16, blank=True)
    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    priority = models.PositiveSmallIntegerField(choices=ReportPriority.choices, default=ReportPriority.NORMAL)
    note = models.TextField(max_length=1000, blank=True)
    # Cut (and the note wiped) when the reporter erases their account.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_made"
    )
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["reporter", "created_at"]),
            models.Index(fields=["listing_public_id", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} {self.target_public_id}: {self.get_reason_display()}"


class Block(models.Model):
    """``blocker`` never wants to deal with ``blocked`` again: the two are never
    proposed to each other, and ``blocked`` is never told. Deleted with either account."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"block {self.pk}"
