"""Writes to needs, offers and shelters. Views, the API, the admin and the demo loader
all change state only through these functions. Input has been validated by
``haven.aid.forms`` (the ``data`` dicts are a form's ``cleaned_data``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from haven.accounts.models import User
from haven.aid.enums import NeedCloseReason, NeedStatus, OfferKind, OfferStatus
from haven.aid.forms import OFFER_KINDS_BY_ROLE
from haven.aid.models import Need, Offer, ShelterMovement
from haven.core import clock
from haven.core.errors import HavenError
from haven.core.listings import listings_changed

NEED_FIELDS = (
    "kind", "city", "district", "destination", "date_from", "date_to", "adults", "children",
    "elderly", "pets", "women_only", "step_free", "disability", "languages", "free_only",
    "max_price", "host_preference", "min_tier", "notes",
)
OFFER_FIELDS = (
    "kind", "service_kind", "title", "host_kind", "city", "district", "destination", "date_from",
    "date_to", "capacity", "exclusive", "pets_ok", "children_ok", "smoking", "step_free",
    "languages", "price_per_night", "notes", "address", "directions",
)


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in fields if name in data}


def _ensure_active(user: User) -> None:
    if user.is_frozen:
        raise HavenError("account_frozen")


def need_create(
    *, owner: User, data: dict[str, Any], on_behalf: bool = False, behalf_reference: str = ""
) -> Need:
    """Post a need. A coordinator may post on behalf of someone without a phone (N5)."""
    _ensure_active(owner)
    if on_behalf:
        if not owner.is_coordinator:
            raise HavenError("forbidden")
    elif not owner.can_ask:
        raise HavenError("wrong_role")
    return Need.objects.create(
        owner=owner,
        on_behalf=on_behalf,
        behalf_reference=behalf_reference[:80],
        confirmed_at=clock.now(),
        **_pick(data, NEED_FIELDS),
    )


def need_update(*, need: Need, data: dict[str, Any]) -> Need:
    """Change a need; editing also re-confirms it (it is evidently still wanted)."""
    if need.status == NeedStatus.CLOSED:
        raise HavenError("not_editable")
    fields = _pick(data, NEED_FIELDS)
    for name, value in fields.items():
        setattr(need, name, value)
    need.confirmed_at = clock.now()
    need.save(update_fields=[*fields, "confirmed_at", "updated_at"])
    return need


def need_confirm(*, need: Need) -> None:
    """Say the need still stands (N4 freshness)."""
    if need.status == NeedStatus.CLOSED:
        raise HavenError("not_editable")
    need.confirmed_at = clock.now()
    need.save(update_fields=["confirmed_at", "updated_at"])


def need_close(*, need: Need, reason: str) -> None:
    if reason not in NeedCloseReason.values:
        reason = NeedCloseReason.OTHER
    if need.status == NeedStatus.CLOSED:
        return
    need.status = NeedStatus.CLOSED
    need.close_reason = reason
    need.closed_at = clock.now()
    need.save(update_fields=["status", "close_reason", "closed_at", "updated_at"])


def offer_create(*, owner: User, data: dict[str, Any]) -> Offer:
    """Post an offer. A shelter starts with all its places free."""
    _ensure_active(owner)
    if data.get("kind") not in OFFER_KINDS_BY_ROLE.get(owner.offer_role, ()):
        raise HavenError("wrong_role")
    fields = _pick(data, OFFER_FIELDS)
    if fields["kind"] == OfferKind.SHELTER:
        fields["free_places"] = fields["capacity"]
        fields["exclusive"] = False
    offer = Offer.objects.create(owner=owner, confirmed_at=clock.now(), **fields)
    listings_changed()
    return offer


def offer_update(*, offer: Offer, data: dict[str, Any]) -> Offer:
    """Change an offer. For a shelter a new capacity keeps the number checked in."""
    if offer.status == OfferStatus.CLOSED:
        raise HavenError("not_editable")
    fields = _pick(data, OFFER_FIELDS)
    fields.pop("kind", None)  # the kind of an offer is fixed once posted
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if locked.is_shelter and "capacity" in fields:
            occupied = locked.capacity - (locked.free_places or 0)
            if fields["capacity"] < occupied:
                raise HavenError("shelter_full")
            fields["free_places"] = fields["capacity"] - occupied
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.confirmed_at = clock.now()
        locked.save(update_fields=[*fields, "confirmed_at", "updated_at"])
        listings_changed()
    return locked


def offer_set_status(*, offer: Offer, status: str) -> None:
    """Pause, resume or close an offer. Closing is final."""
    if offer.status == OfferStatus.CLOSED:
        raise HavenError("not_editable")
    offer.status = status
    update = ["status", "updated_at"]
    if status == OfferStatus.CLOSED:
        offer.closed_at = clock.now()
        update.append("closed_at")
    elif status == OfferStatus.ACTIVE:
        offer.confirmed_at = clock.now()
        update.append("confirmed_at")
    offer.save(update_fields=update)
    listings_changed()


def offer_confirm(*, offer: Offer) -> None:
    if offer.status == OfferStatus.CLOSED:
        raise HavenError("not_editable")
    offer.confirmed_at = clock.now()
    offer.save(update_fields=["confirmed_at", "updated_at"])
    listings_changed()


def _shelter_move(*, offer: Offer, by: User, delta: int) -> int:
    """Move the free-place count by ``-delta`` in one conditional UPDATE that must hit
    exactly one row, so two desks checking people in at once never overbook."""
    if not offer.is_shelter:
        raise HavenError("not_a_shelter")
    if offer.status != OfferStatus.ACTIVE:
        raise HavenError("not_editable")
    with transaction.atomic():
        if delta > 0:
            hit = Offer.objects.filter(pk=offer.pk, free_places__gte=delta).update(
                free_places=F("free_places") - delta, updated_at=clock.now()
            )
            if hit != 1:
                raise HavenError("shelter_full")
        else:
            hit = Offer.objects.filter(
                pk=offer.pk, free_places__lte=F("capacity") + delta
            ).update(free_places=F("free_places") - delta, updated_at=clock.now())
            if hit != 1:
                raise HavenError("shelter_empty")
        free = Offer.objects.values_list("free_places", flat=True).get(pk=offer.pk) or 0
        ShelterMovement.objects.create(offer=offer, delta=delta, free_after=free, by=by)
        listings_changed()
    offer.free_places = free
    return free


def shelter_check_in(*, offer: Offer, by: User, count: int = 1) -> int:
    """Check ``count`` people in; returns the free places left."""
    return _shelter_move(offer=offer, by=by, delta=count)


def shelter_check_out(*, offer: Offer, by: User, count: int = 1) -> int:
    """Check ``count`` people out; returns the free places left."""
    return _shelter_move(offer=offer, by=by, delta=-count)
