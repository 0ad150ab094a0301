"""Needs (what people on the move ask for) and offers (what hosts, drivers and
organisations give). Locations are a city and an optional district, never an address,
except that an organisation may publish its shelter's address: a public venue is not a
private home (the offer form refuses an address from anyone else)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from haven.accounts.enums import Tier
from haven.aid.enums import (
    HostKind,
    HostPreference,
    NeedCloseReason,
    NeedKind,
    NeedStatus,
    OfferKind,
    OfferStatus,
    ServiceKind,
    ShelterStatus,
)
from haven.core.models import PublicIdField, TimeStamped

NOTES_MAX = 1000
ADDRESS_MAX = 200


class Need(TimeStamped):
    public_id = PublicIdField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="needs")
    # Set when a coordinator posts for someone without a phone (N5).
    on_behalf = models.BooleanField(default=False)
    behalf_reference = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=16, choices=NeedKind.choices, default=NeedKind.HOUSING)
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    elderly = models.PositiveSmallIntegerField(default=0)
    pets = models.PositiveSmallIntegerField(default=0)
    women_only = models.BooleanField(default=False)
    step_free = models.BooleanField(default=False)
    disability = models.BooleanField(default=False)
    languages = models.JSONField(default=list, blank=True)
    city = models.ForeignKey("geo.City", on_delete=models.PROTECT, related_name="needs")
    district = models.ForeignKey("geo.District", null=True, blank=True, on_delete=models.SET_NULL)
    destination = models.ForeignKey(
        "geo.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    free_only = models.BooleanField(default=True)
    max_price = models.PositiveIntegerField(null=True, blank=True)
    host_preference = models.CharField(
        max_length=16, choices=HostPreference.choices, default=HostPreference.ANY
    )
    min_tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.SELF_DECLARED)
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    status = models.CharField(max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    close_reason = models.CharField(max_length=16, choices=NeedCloseReason.choices, blank=True)
    confirmed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Hidden from browsing and matching pending a coordinator's review, after reports
    # from several independent people (set and cleared by haven.safety only).
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "city"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(adults__gt=0) | Q(children__gt=0) | Q(elderly__gt=0),
                name="need_party_not_empty",
            ),
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="need_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.city} · {self.people}"

    @property
    def people(self) -> int:
        return self.adults + self.children + self.elderly

    @property
    def unaccompanied_minors(self) -> bool:
        return self.children > 0 and self.adults == 0 and self.elderly == 0


class Offer(TimeStamped):
    public_id = PublicIdField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=16, choices=OfferKind.choices, default=OfferKind.BED)
    service_kind = models.CharField(max_length=16, choices=ServiceKind.choices, blank=True)
    title = models.CharField(max_length=120)
    host_kind = models.CharField(max_length=16, choices=HostKind.choices, default=HostKind.FAMILY)
    capacity = models.PositiveIntegerField(default=1)
    # Shelters only: places free right now, moved by check-in and check-out.
    free_places = models.PositiveIntegerField(null=True, blank=True)
    exclusive = models.BooleanField(default=False)
    city = models.ForeignKey("geo.City", on_delete=models.PROTECT, related_name="offers")
    district = models.ForeignKey("geo.District", null=True, blank=True, on_delete=models.SET_NULL)
    destination = models.ForeignKey(
        "geo.City", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    pets_ok = models.BooleanField(default=False)
    children_ok = models.BooleanField(default=True)
    smoking = models.BooleanField(default=False)
    step_free = models.BooleanField(default=False)
    languages = models.JSONField(default=list, blank=True)
    price_per_night = models.PositiveIntegerField(default=0)
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    # Organisations' shelters only (aid.forms.OfferForm): where the venue is, how to get there.
    address = models.CharField(max_length=ADDRESS_MAX, blank=True)
    directions = models.TextField(max_length=NOTES_MAX, blank=True)
    status = models.CharField(max_length=8, choices=OfferStatus.choices, default=OfferStatus.ACTIVE)
    confirmed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Hidden from browsing and matching pending a coordinator's review, after reports
    # from several independent people (set and cleared by haven.safety only).
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confirmed_at"]
        indexes = [models.Index(fields=["status", "city", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="offer_capacity_positive"),
            models.CheckConstraint(
                condition=Q(free_places__isnull=True) | Q(free_places__lte=F("capacity")),
                name="offer_free_places_within_capacity",
            ),
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="offer_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shelter(self) -> bool:
        return self.kind == OfferKind.SHELTER

    @property
    def is_free(self) -> bool:
        return self.price_per_night == 0

    @property
    def shelter_status(self) -> str | None:
        if not self.is_shelter:
            return None
        if self.status != OfferStatus.ACTIVE:
            return ShelterStatus.CLOSED
        # ``free_now`` (free places minus those held for arrivals) is set by
        # matching.selectors.shelter_places where a page shows the count.
        if not getattr(self, "free_now", self.free_places):
            return ShelterStatus.FULL
        return ShelterStatus.OPEN

    def get_shelter_status_display(self) -> str:
        status = self.shelter_status
        return str(ShelterStatus(status).label) if status else ""


class ShelterMovement(models.Model):
    """Every check-in and check-out of a shelter, so the live count has a history."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="movements")
    delta = models.SmallIntegerField()
    free_after = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.offer} {self.delta:+d} → {self.free_after}"
