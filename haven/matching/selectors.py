"""Reads of proposals, each checking who asks: the seeker of the need, the host of the
offer, or a coordinator of the need's region. Nobody else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from haven.accounts.models import User
from haven.aid.models import Offer
from haven.core import clock
from haven.matching.enums import HoldStatus, ProposalStatus
from haven.matching.models import MatchRun, Proposal, ShelterHold
from haven.matching.services import (
    reserved_places,
    shelter_desk_allowed,
    shelter_lapsed_q,
    spare_places,
)

RELATED = ("need", "need__city", "need__city__region", "need__owner", "offer", "offer__city", "offer__district", "offer__owner")


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


# ---------------------------------------------------------------- what waits for a person's answer


@dataclass(frozen=True)
class CheckInDue:
    """A safety check-in (M6) the seeker has not answered yet."""

    proposal: Proposal
    stage: str
    due_at: dt.datetime


# Safety check-ins live in the bot app, a layer above this one: it registers its reader
# here at start-up (bot.apps), so /me/ lists them without matching importing the bot.
CheckInReader = Callable[[User], list[CheckInDue]]
_checkin_readers: list[CheckInReader] = []


def checkin_reader_register(*, reader: CheckInReader) -> None:
    """Add a reader of a person's unanswered, due check-ins (idempotent)."""
    if reader not in _checkin_readers:
        _checkin_readers.append(reader)


@dataclass(frozen=True)
class Choice:
    """One of a seeker's requests with the proposals to choose from (one answer awaited)."""

    need: Any
    proposals: list[Proposal]

    @property
    def answer_by(self) -> dt.datetime | None:
        return min((p.answer_by for p in self.proposals if p.answer_by), default=None)


@dataclass(frozen=True)
class Waiting:
    to_pick: list[Choice]  # a seeker's requests with proposals to choose from
    to_accept: list[Proposal]  # a host's parties who chose them
    checkins: list[CheckInDue]

    @property
    def count(self) -> int:
        return len(self.to_pick) + len(self.to_accept) + len(self.checkins)


def _still_open(now: dt.datetime) -> Q:
    """PENDING and not yet past the expiry that the worker's housekeeping will apply."""
    since = now - dt.timedelta(hours=settings.HAVEN_PROPOSAL_EXPIRE_HOURS)
    return (
        Q(status=ProposalStatus.PROPOSED, created_at__gte=since)
        | Q(status=ProposalStatus.SEEKER_ACCEPTED, seeker_answered_at__gte=since)
    ) & ~shelter_lapsed_q(now)  # a shelter's proposals lapse sooner


def _to_pick(user: User) -> Q:
    return Q(need__owner=user, status=ProposalStatus.PROPOSED)


def _to_accept(user: User) -> Q:
    return Q(offer__owner=user, status=ProposalStatus.SEEKER_ACCEPTED)


def waiting_for(*, user: User) -> Waiting:
    """What waits for ``user``'s answer, the soonest to expire first: proposals to pick
    (seeker), parties to accept (host), and due safety check-ins."""
    now = clock.now()
    rows = list(
        Proposal.objects.filter(_still_open(now) & (_to_pick(user) | _to_accept(user))).select_related(*RELATED)[:50]
    )
    rows.sort(key=lambda p: (p.answer_by or now, p.rank))
    checkins = sorted(
        (c for reader in _checkin_readers for c in reader(user)), key=lambda c: c.due_at
    )
    choices: dict[int, Choice] = {}
    for p in rows:
        if p.need.owner_id == user.pk and p.status == ProposalStatus.PROPOSED:
            choices.setdefault(p.need_id, Choice(need=p.need, proposals=[])).proposals.append(p)
    return Waiting(
        to_pick=list(choices.values()),
        to_accept=[p for p in rows if p.offer.owner_id == user.pk and p.status == ProposalStatus.SEEKER_ACCEPTED],
        checkins=checkins,
    )


def waiting_count(*, user: User) -> int:
    """How many answers are awaited from ``user`` (the header's badge): one query. A
    seeker's alternatives for one request count once, as one choice is to be made."""
    counts = Proposal.objects.filter(_still_open(clock.now()) & (_to_pick(user) | _to_accept(user))).aggregate(
        pick=Count("need", distinct=True, filter=_to_pick(user)),
        accept=Count("id", filter=_to_accept(user)),
    )
    return int(counts["pick"] or 0) + int(counts["accept"] or 0)


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
