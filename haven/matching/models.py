"""Proposals (a need paired with an offer, through its lifecycle) and matching runs."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from haven.aid.enums import OfferKind
from haven.core.models import PublicIdField
from haven.matching.enums import COMMITTED, EndReason, HoldStatus, ProposalStatus, RunStatus


class MatchRun(models.Model):
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    trigger = models.CharField(max_length=16, default="schedule")
    needs = models.PositiveIntegerField(default=0)
    offers = models.PositiveIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    people_housed = models.PositiveIntegerField(default=0)
    objective = models.FloatField(default=0.0)
    bound = models.FloatField(default=0.0)
    gap = models.FloatField(default=0.0)
    method = models.CharField(max_length=40, blank=True)
    seconds = models.FloatField(default=0.0)
    flagged = models.JSONField(default=list, blank=True)  # needs for a coordinator (minors)
    certificate = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"run {self.pk} {self.status} ({self.proposals} proposals)"


class MatchLock(models.Model):
    """One row. A worker claims it with a conditional UPDATE that must hit exactly one
    row, so two workers never run the matcher at the same time."""

    name = models.CharField(max_length=16, unique=True)
    holder = models.CharField(max_length=64, blank=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'}"


class Proposal(models.Model):
    public_id = PublicIdField()
    need = models.ForeignKey("aid.Need", on_delete=models.CASCADE, related_name="proposals")
    offer = models.ForeignKey("aid.Offer", on_delete=models.CASCADE, related_name="proposals")
    run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(default=0)  # 0: the engine's choice; 1-2: alternatives
    places = models.PositiveIntegerField()
    weight = models.FloatField(default=0.0)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    seeker_answered_at = models.DateTimeField(null=True, blank=True)
    host_answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    moved_in_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["rank", "-created_at"]
        constraints = [
            # A pair is proposed at most once, ever: a declined pair never comes back.
            models.UniqueConstraint(fields=["need", "offer"], name="proposal_pair_once"),
            # A party is committed to one place at a time.
            models.UniqueConstraint(
                fields=["need"], condition=Q(status__in=COMMITTED), name="proposal_one_commitment_per_need"
            ),
        ]
        indexes = [models.Index(fields=["offer", "status"]), models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.need_id} → {self.offer_id} ({self.status})"

    @property
    def answer_by(self) -> dt.datetime | None:
        """When this proposal expires unanswered (N4), or None when nobody's answer is awaited."""
        # A shelter keeps places for a short arrival window (services.shelter_window).
        shelter = self.offer.kind == OfferKind.SHELTER
        hours = dt.timedelta(hours=settings.HAVEN_SHELTER_HOLD_HOURS if shelter else settings.HAVEN_PROPOSAL_EXPIRE_HOURS)
        if self.status == ProposalStatus.PROPOSED:
            return self.created_at + hours
        if self.status == ProposalStatus.SEEKER_ACCEPTED and self.seeker_answered_at is not None:
            return self.seeker_answered_at + hours
        return None

    def lapsed_at_shelter(self, now: dt.datetime) -> bool:
        """A proposal to a shelter left unanswered past the shelter's window: its places are
        free again and it can no longer be taken (services.shelter_lapsed_q, in SQL)."""
        answer_by = self.answer_by
        return self.offer.kind == OfferKind.SHELTER and answer_by is not None and answer_by <= now

    @property
    def both_accepted(self) -> bool:
        return self.status in (ProposalStatus.ACCEPTED, ProposalStatus.MOVED_IN)


class ShelterHold(models.Model):
    """Places a shelter keeps for a walk-in party until its arrival window ends (N3).

    Counted with proposals by ``matching.services`` when spare places are worked out, so
    holds, proposals and check-ins never exceed capacity. The arrival code is stored only
    as an HMAC (for the desk's look-up) and sealed under the master key (so the seeker can
    read it again); nobody else ever sees it.
    """

    public_id = PublicIdField()
    offer = models.ForeignKey("aid.Offer", on_delete=models.CASCADE, related_name="holds")
    seeker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelter_holds")
    need = models.ForeignKey("aid.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    elderly = models.PositiveSmallIntegerField(default=0)
    pets = models.PositiveSmallIntegerField(default=0)
    places = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=HoldStatus.choices, default=HoldStatus.ACTIVE)
    code_digest = models.CharField(max_length=64)
    code_sealed = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expires_at"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="hold_places_positive"),
            # One active hold per seeker per shelter (the service expires a lapsed one first).
            models.UniqueConstraint(
                fields=["seeker", "offer"], condition=Q(status=HoldStatus.ACTIVE), name="hold_one_active_per_seeker"
            ),
        ]
        indexes = [models.Index(fields=["offer", "status", "expires_at"])]

    def __str__(self) -> str:
        return f"hold {self.places} at {self.offer_id} ({self.status})"
