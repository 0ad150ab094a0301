"""Reads of needs and offers, each checking who is asking.

Needs are personal: only their owner and a coordinator of their region see them.
Hosts never browse seekers. Offers are listed with coarse information only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from haven.accounts.models import User
from haven.aid.enums import NeedStatus, OfferKind, OfferStatus
from haven.aid.models import Need, Offer
from haven.core import clock


def _fresh_since() -> dt.datetime:
    return clock.now() - dt.timedelta(days=settings.HAVEN_FRESHNESS_DAYS)


def _coordinates(user: User | Any, region_id: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_coordinator:
        return False
    if user.is_superuser:
        return True
    return user.regions.filter(pk=region_id).exists()


def offer_browse(
    *,
    city: Any = None,
    kind: str = "",
    pets: bool = False,
    children: bool = False,
    step_free: bool = False,
    free: bool = False,
    language: str = "",
) -> QuerySet[Offer]:
    """Offers anyone may browse: active, confirmed within the freshness window, still
    running, not from a frozen account, and not hidden pending a coordinator's review."""
    qs = Offer.objects.filter(
        status=OfferStatus.ACTIVE,
        confirmed_at__gte=_fresh_since(),
        date_to__gte=clock.today(),
        owner__frozen_at__isnull=True,
        hidden_at__isnull=True,
    ).select_related("city", "district", "destination", "owner")
    if city is not None:
        qs = qs.filter(city=city)
    if kind:
        qs = qs.filter(kind=kind)
    if pets:
        qs = qs.filter(pets_ok=True)
    if children:
        qs = qs.filter(children_ok=True)
    if step_free:
        qs = qs.filter(step_free=True)
    if free:
        qs = qs.filter(price_per_night=0)
    if language:
        # JSON containment is not portable to SQLite; a quoted match on the list is.
        qs = qs.filter(languages__icontains=f'"{language}"')
    # Shelters with free places first, then the most recently confirmed.
    return qs.exclude(kind=OfferKind.SHELTER, free_places=0).order_by("-confirmed_at", "pk")


def offer_get_public(*, public_id: str) -> Offer | None:
    """An offer as an anonymous visitor may see it: only one the public list shows
    (``offer_browse``), and the page shows no more than the list's card."""
    return offer_browse().filter(public_id=public_id).first()


def offer_get_visible(*, viewer: User | Any, public_id: str) -> Offer | None:
    """An offer's detail page: any logged-in person for a listed offer; the owner and
    coordinators of its region whatever its state."""
    offer = (
        Offer.objects.select_related("city", "city__region", "district", "destination", "owner")
        .filter(public_id=public_id)
        .first()
    )
    if offer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if offer.owner_id == viewer.pk or _coordinates(viewer, offer.city.region_id):
        return offer
    if offer.status != OfferStatus.ACTIVE or offer.owner.is_frozen or offer.hidden_at is not None:
        return None
    return offer


def shelter_exists(*, public_id: str) -> bool:
    """Whether a shelter has this id, listed or not: a walk-in whose shelter paused, closed
    or was frozen meanwhile is told it takes no arrivals rather than shown a 404."""
    return Offer.objects.filter(public_id=public_id, kind=OfferKind.SHELTER).exists()


def offer_get_editable(*, user: User | Any, public_id: str) -> Offer | None:
    """Only the owner (or a coordinator of its region) may change an offer."""
    offer = Offer.objects.select_related("city", "district").filter(public_id=public_id).first()
    if offer is None or not getattr(user, "is_authenticated", False):
        return None
    if offer.owner_id == user.pk:
        return offer
    if _coordinates(user, offer.city.region_id):
        return offer
    return None


def offers_of(*, user: User) -> QuerySet[Offer]:
    return Offer.objects.filter(owner=user).select_related("city", "district").order_by(
        "status", "-created_at"
    )


def need_list_visible(*, viewer: User | Any, status: str = "") -> QuerySet[Need]:
    """The owner's needs; for a coordinator also every need in their regions."""
    if not getattr(viewer, "is_authenticated", False):
        return Need.objects.none()
    condition = Q(owner=viewer)
    if viewer.is_coordinator:
        condition |= Q() if viewer.is_superuser else Q(city__region__in=viewer.regions.all())
    qs = Need.objects.filter(condition).select_related("city", "district", "destination")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at")


def need_get_visible(*, viewer: User | Any, public_id: str) -> Need | None:
    need = Need.objects.select_related("city", "city__region", "district").filter(public_id=public_id).first()
    if need is None or not getattr(viewer, "is_authenticated", False):
        return None
    if need.owner_id == viewer.pk:
        return need
    if _coordinates(viewer, need.city.region_id):
        return need
    return None


def needs_of(*, user: User) -> QuerySet[Need]:
    return Need.objects.filter(owner=user).select_related("city", "district").order_by(
        "status", "-created_at"
    )


def open_need_count() -> int:
    return Need.objects.filter(status=NeedStatus.OPEN).count()
