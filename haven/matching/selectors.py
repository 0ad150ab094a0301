"""Reads of proposals, each checking who asks: the seeker of the need, the host of the
offer, or a coordinator of the need's region. Nobody else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from haven.accounts.models import User
from haven.matching.enums import ProposalStatus
from haven.matching.models import MatchRun, Proposal

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
