"""Reads of proposals, each checking who asks: the seeker of the need, the host of the
offer, or a coordinator of the need's region. Nobody else."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from haven.accounts.models import User
from haven.aid.models import Offer
from haven.core import clock
from haven.matching.enums import HoldStatus, ProposalStatus
from haven.matching.models import MatchRun, Proposal, ShelterHold
from haven.matching.services import reserved_places, shelter_desk_allowed, spare_places

RELATED = ("need", "need__city", "need__owner", "offer", "offer__city", "offer__district", "offer__owner")


def _coordinates_region(user: User, region_id: str) -> bool:
    if not user.is_coordinator:
        return False
    return user.is_superuser or user.regions.filter(pk=region_id).exists()


def proposal_get_visible(*, viewer: User | Any, public_id: str) -> Proposal | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    proposal = Proposal.objects.select_related(*RELATED).filter(public_id=public_id).first()
    if proposal is None:
        return None
    if proposal.need.owner_id == viewer.pk:
        return proposal
    # A host learns of a party only once the party has chosen the host.
    if proposal.offer.owner_id == viewer.pk and proposal.status != ProposalStatus.PROPOSED:
        return proposal
    if _coordinates_region(viewer, proposal.need.city.region_id):
        return proposal
    return None


def proposals_for_seeker(*, user: User) -> QuerySet[Proposal]:
    return Proposal.objects.filter(need__owner=user).select_related(*RELATED).order_by("-created_at", "rank")


def proposals_for_host(*, user: User) -> QuerySet[Proposal]:
    """What a host sees: proposals the seeker has already chosen (never the raw list of
    people the engine considered; hosts never browse seekers)."""
    return (
        Proposal.objects.filter(offer__owner=user)
        .exclude(status=ProposalStatus.PROPOSED)
        .select_related(*RELATED)
        .order_by("-created_at")
    )


def proposals_of(*, user: User) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(Q(need__owner=user) | (Q(offer__owner=user) & ~Q(status=ProposalStatus.PROPOSED)))
        .select_related(*RELATED)
        .order_by("-created_at", "rank")
    )


def latest_runs(*, limit: int = 20) -> QuerySet[MatchRun]:
    return MatchRun.objects.all()[:limit]


# ---------------------------------------------------------------- shelters (N3)

def shelter_places(*, offers: Iterable[Offer]) -> None:
    """Set ``free_now`` (places anyone can still have) and ``held`` (places kept for
    arrivals: walk-in holds and proposals) on each shelter among ``offers``, in one
    query, by the same accounting that reserves them."""
    shelters = [o for o in offers if o.is_shelter]
    if not shelters:
        return
    reserved = reserved_places(o.pk for o in shelters)
    for offer in shelters:
        held = reserved.get(offer.pk, (0, 0))
        offer.free_now = spare_places(offer, held)  # type: ignore[attr-defined]
        offer.held = held[0]  # type: ignore[attr-defined]


def hold_get_own(*, viewer: User | Any, public_id: str) -> ShelterHold | None:
    """A hold, for the seeker who made it and nobody else (it carries the arrival code)."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    return (
        ShelterHold.objects.select_related("offer", "offer__city", "offer__district")
        .filter(public_id=public_id, seeker=viewer)
        .first()
    )


def hold_active_of(*, seeker: User | Any, offer: Offer) -> ShelterHold | None:
    if not getattr(seeker, "is_authenticated", False):
        return None
    return ShelterHold.objects.filter(
        seeker=seeker, offer=offer, status=HoldStatus.ACTIVE, expires_at__gt=clock.now()
    ).first()


def holds_of(*, user: User) -> QuerySet[ShelterHold]:
    """A seeker's holds still counting (their /me/ page)."""
    return ShelterHold.objects.filter(
        seeker=user, status=HoldStatus.ACTIVE, expires_at__gt=clock.now()
    ).select_related("offer", "offer__city")


def arrivals_expected(*, viewer: User | Any, offer: Offer) -> list[ShelterHold] | None:
    """The desk's list: holds at this shelter still counting, soonest window end first,
    with the seeker's pseudonym only. None for anyone but the shelter's organisation
    and coordinators of its region."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    if not shelter_desk_allowed(user=viewer, offer=offer):
        return None
    return list(
        ShelterHold.objects.filter(offer=offer, status=HoldStatus.ACTIVE, expires_at__gt=clock.now())
        .select_related("seeker")
        .only("public_id", "places", "adults", "children", "elderly", "pets", "expires_at", "seeker__username")
        .order_by("expires_at")
    )
