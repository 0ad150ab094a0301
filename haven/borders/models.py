"""Border reports from travellers and coordinators' decisions on them.

A report names a checkpoint, never a place: there are no coordinates anywhere, and
Haven never gives directions for crossing outside a checkpoint. Reports are shown for
72 hours and purged later; what they taught about their reporters survives the purge in
``ReporterTrust``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from haven.borders.enums import Direction, FlagName, FlagVerdict, Mode, ReportKind
from haven.core.models import PublicIdField


class BorderReport(models.Model):
    public_id = PublicIdField()
    checkpoint = models.ForeignKey("geo.Checkpoint", on_delete=models.CASCADE, related_name="reports")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    kind = models.CharField(max_length=8, choices=ReportKind.choices)
    # timed: T0 and T1. A timed report with no passed_at is pending: the traveller pressed
    # "I joined the queue now" and has not yet pressed "I passed control now".
    joined_at = models.DateTimeField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    # queue: any of the three measures (joined_at optional)
    position = models.PositiveIntegerField(null=True, blank=True)
    vehicles_ahead = models.PositiveIntegerField(null=True, blank=True)
    km = models.FloatField(null=True, blank=True)
    # flag: a rule or amenity asserted true or false
    flag = models.CharField(max_length=32, choices=FlagName.choices, blank=True)
    value = models.BooleanField(null=True, blank=True)
    at_checkpoint = models.BooleanField(default=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="border_reports"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the report counts (null while a timed report is pending).
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["checkpoint", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(passed_at__isnull=True) | Q(joined_at__isnull=True) | Q(passed_at__gte=F("joined_at")),
                name="border_report_passed_after_joined",
            ),
            models.CheckConstraint(condition=Q(km__isnull=True) | Q(km__gte=0), name="border_report_km_positive"),
            # One pending "I joined the queue" per person and checkpoint.
            models.UniqueConstraint(
                fields=["reporter", "checkpoint"],
                condition=Q(kind="timed", passed_at__isnull=True),
                name="border_report_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.direction} {self.mode} {self.kind}"

    @property
    def is_pending(self) -> bool:
        return self.kind == ReportKind.TIMED and self.passed_at is None

    @property
    def wait_hours(self) -> float | None:
        if self.joined_at is None or self.passed_at is None:
            return None
        return (self.passed_at - self.joined_at).total_seconds() / 3600


class FlagDecision(models.Model):
    """A coordinator confirms or refutes a flag at a checkpoint (or hands it back to the
    reporters). The estimator takes the latest decision as an input."""

    checkpoint = models.ForeignKey("geo.Checkpoint", on_delete=models.CASCADE, related_name="flag_decisions")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    flag = models.CharField(max_length=32, choices=FlagName.choices)
    verdict = models.CharField(max_length=8, choices=FlagVerdict.choices)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.direction} {self.flag}: {self.verdict}"


class ReporterTrust(models.Model):
    """A reporter's reputation as the estimator judged it up to ``as_of``: how often their
    reports agreed or disagreed with the consensus. Written when reports are purged, so
    the judgement outlives the reports."""

    reporter = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="border_trust"
    )
    good = models.FloatField(default=0)
    bad = models.FloatField(default=0)
    judged = models.PositiveIntegerField(default=0)
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.reporter_id}: +{self.good:.1f} −{self.bad:.1f}"
