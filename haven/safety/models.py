"""Abuse reports (P4): anyone reports an offer, a request, a proposal, a border report or
an account; coordinators of the region triage them."""

from django.conf import settings
from django.db import models

from haven.core.models import PublicIdField
from haven.safety.enums import ReportReason, ReportStatus, TargetKind


class Report(models.Model):
    public_id = PublicIdField()
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    # The reported object's public id (never a primary key); it dies with the object.
    target_public_id = models.CharField(max_length=16)
    # The account behind the target, so a coordinator can freeze it in one action.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_about"
    )
    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    note = models.TextField(max_length=1000, blank=True)
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
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["reporter", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} {self.target_public_id}: {self.get_reason_display()}"
