"""The proposal lifecycle (M3) and matching runs (M1, M2).

proposed → seeker picks (others withdrawn) → host accepts (a shelter accepts itself)
→ contacts revealed to both, audited → moved in → ended / no-show; or declined,
expired, withdrawn → the need goes back to the pool. A declined pair never returns.

Capacity is reserved atomically: the offer rows are locked in primary-key order and
the reservation is re-counted inside the lock; the unique constraints on Proposal are
the last line of defence.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.crypto import salted_hmac

from haven.accounts.enums import Role
from haven.accounts.models import User
from haven.aid import services as aid_services
from haven.aid.enums import NeedCloseReason, NeedKind, NeedStatus, OfferKind, OfferStatus
from haven.aid.models import Need, Offer
from haven.core import clock, ratelimit
from haven.core.errors import HavenError
from haven.core.listings import listings_changed
from haven.matching import engine
from haven.matching.adapter import engine_instance
from haven.matching.enums import (
    COMMITTED,
    PENDING,
    RESERVING,
    EndReason,
    HoldStatus,
    ProposalStatus,
    RunStatus,
)
from haven.matching.models import MatchLock, MatchRun, Proposal, ShelterHold
from haven.privacy import crypto
from haven.privacy import services as privacy

log = logging.getLogger(__name__)

MATCHED_OFFER_KINDS = (OfferKind.BED, OfferKind.ROOM, OfferKind.FLAT, OfferKind.SHELTER)
MAX_ALTERNATIVES = 2


# ---------------------------------------------------------------- people kept apart (P4)

# Reads pairs of user ids that must never be proposed to each other: ``among`` limits
# the people asked about (None: everybody). The blocks live in the safety app, a layer
# above this one, so it registers its reader here at start-up (safety.apps); matching
# never imports safety.
ApartReader = Callable[[Collection[int] | None], Iterable[tuple[int, int]]]
_apart_readers: list[ApartReader] = []


def apart_reader_register(*, reader: ApartReader) -> None:
    """Add a reader of kept-apart pairs (idempotent). Called from an AppConfig.ready."""
    if reader not in _apart_readers:
        _apart_readers.append(reader)


def people_apart(*, among: Collection[int] | None = None) -> set[frozenset[int]]:
    """Every pair of people kept apart, each as a frozenset of two user ids."""
    return {frozenset(pair) for reader in _apart_readers for pair in reader(among) if pair[0] != pair[1]}


# ---------------------------------------------------------------- capacity

def _base_capacity(offer: Offer) -> int:
    return int(offer.free_places or 0) if offer.is_shelter else offer.capacity


def shelter_window() -> dt.timedelta:
    """How long a shelter keeps places for an arrival: a walk-in's hold, or a proposal."""
    return dt.timedelta(hours=settings.HAVEN_SHELTER_HOLD_HOURS)


def shelter_lapsed_q(now: dt.datetime) -> Q:
    """Proposals to a shelter left unanswered past the shelter's short window: they stop
    holding places at once, whether or not housekeeping has marked them expired."""
    cutoff = now - shelter_window()
    return Q(offer__kind=OfferKind.SHELTER) & (
        Q(status=ProposalStatus.PROPOSED, created_at__lt=cutoff)
        | Q(status=ProposalStatus.SEEKER_ACCEPTED, seeker_answered_at__lt=cutoff)
    )


def reserved_places(offer_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """offer id -> (places reserved, reservations), the one accounting of places held:
    proposals by the rules in enums.RESERVING, and shelter holds whose window has not
    ended. Computed on read, so a lapsed hold or proposal frees its places the moment
    its window ends, without waiting for the worker."""
    ids = list(offer_ids)
    now = clock.now()
    rows = (
        Proposal.objects.filter(offer_id__in=ids, status__in=RESERVING)
        .exclude(status=ProposalStatus.MOVED_IN, offer__kind=OfferKind.SHELTER)
        .exclude(shelter_lapsed_q(now))
        .values("offer_id")
        .annotate(places=Sum("places"), n=Count("id"))
    )
    found = {r["offer_id"]: (int(r["places"] or 0), int(r["n"] or 0)) for r in rows}
    holds = (
        ShelterHold.objects.filter(offer_id__in=ids, status=HoldStatus.ACTIVE, expires_at__gt=now)
        .values("offer_id")
        .annotate(places=Sum("places"), n=Count("id"))
    )
    for r in holds:
        places, count = found.get(r["offer_id"], (0, 0))
        found[r["offer_id"]] = (places + int(r["places"] or 0), count + int(r["n"] or 0))
    return found


def spare_places(offer: Offer, reserved: tuple[int, int] = (0, 0)) -> int:
    places, count = reserved
    if offer.exclusive and count:
        return 0
    return max(0, _base_capacity(offer) - places)


def offer_spare(offer: Offer) -> int:
    return spare_places(offer, reserved_places([offer.pk]).get(offer.pk, (0, 0)))


def _matchable_offers() -> list[Offer]:
    fresh = clock.now() - dt.timedelta(days=settings.HAVEN_FRESHNESS_DAYS)
    return list(
        Offer.objects.filter(
            status=OfferStatus.ACTIVE, kind__in=MATCHED_OFFER_KINDS, confirmed_at__gte=fresh,
            date_to__gte=clock.today(), owner__frozen_at__isnull=True, hidden_at__isnull=True,
        ).select_related("city", "district", "owner")
    )


def _matchable_needs() -> list[Need]:
    """Open, fresh housing needs with nothing pending or committed, not hidden for review."""
    fresh = clock.now() - dt.timedelta(days=settings.HAVEN_FRESHNESS_DAYS)
    busy = Proposal.objects.filter(status__in=(*PENDING, *COMMITTED)).values("need_id")
    return list(
        Need.objects.filter(
            status=NeedStatus.OPEN, kind=NeedKind.HOUSING, confirmed_at__gte=fresh,
            date_to__gte=clock.today(), owner__frozen_at__isnull=True, hidden_at__isnull=True,
        )
        .exclude(pk__in=busy)
        .select_related("city")
        .order_by("created_at")
    )


# ---------------------------------------------------------------- creating proposals

@dataclass(frozen=True)
class Planned:
    need: Need
    offers: tuple[tuple[Offer, float], ...]  # (offer, weight), the engine's choice first


def proposals_create(*, planned: Planned, run: MatchRun | None = None, by: User | None = None) -> list[Proposal]:
    """Create one need's proposals (its choice and alternatives) if the places are still
    free. Locks the offers in primary-key order; skips any offer that filled up since
    the plan was made. Returns the proposals created (possibly none)."""
    need = planned.need
    places = need.people
    created: list[Proposal] = []
    with transaction.atomic():
        ids = sorted(o.pk for o, _ in planned.offers)
        locked = {o.pk: o for o in Offer.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        Need.objects.select_for_update().filter(pk=need.pk).first()
        if Proposal.objects.filter(need=need, status__in=(*PENDING, *COMMITTED)).exists():
            return []
        # The last line of defence for blocks made since the plan (or a manual pick).
        apart = people_apart(among={need.owner_id, *(o.owner_id for o in locked.values())})
        reserved = reserved_places(ids)
        for offer, weight in planned.offers:
            current = locked.get(offer.pk)
            if current is None or current.status != OfferStatus.ACTIVE or current.hidden_at is not None:
                continue
            if current.owner_id == need.owner_id or frozenset((need.owner_id, current.owner_id)) in apart:
                continue
            if spare_places(current, reserved.get(offer.pk, (0, 0))) < places:
                continue
            try:
                with transaction.atomic():
                    proposal = Proposal.objects.create(
                        need=need, offer=current, run=run, proposed_by=by, rank=len(created),
                        places=places, weight=weight,
                    )
            except IntegrityError:  # the pair was proposed before (maybe declined): never again
                continue
            created.append(proposal)
            used, count = reserved.get(offer.pk, (0, 0))
            reserved[offer.pk] = (used + places, count + 1)
    return created


def proposal_create_manual(*, coordinator: User, need: Need, offer: Offer) -> Proposal:
    """A coordinator proposes a pair by hand (manual override). Same capacity rules."""
    if not coordinator.is_coordinator:
        raise HavenError("forbidden")
    if need.status != NeedStatus.OPEN:
        raise HavenError("need_not_open")
    if need.owner_id == offer.owner_id:
        raise HavenError("pair_own")
    if Proposal.objects.filter(need=need, offer=offer).exists():
        raise HavenError("pair_declined")
    if frozenset((need.owner_id, offer.owner_id)) in people_apart(among={need.owner_id, offer.owner_id}):
        raise HavenError("pair_blocked")
    created = proposals_create(planned=Planned(need=need, offers=((offer, 0.0),)), by=coordinator)
    if not created:
        raise HavenError("capacity_taken")
    return created[0]


# ---------------------------------------------------------------- answering

def proposal_side(*, proposal: Proposal, user: User) -> str:
    """"seeker", "host" or "" (neither): whose answer ``user`` may give."""
    if proposal.need.owner_id == user.pk:
        return "seeker"
    if proposal.offer.owner_id == user.pk:
        return "host"
    return ""


def proposal_act(*, proposal: Proposal, user: User, action: str) -> None:
    """One of PROPOSAL_ACTIONS by the side allowed to take it; anyone else gets
    ``forbidden``. The web, the API and the bot call this rather than the steps."""
    if action not in PROPOSAL_ACTIONS:
        raise HavenError("invalid")
    side, act = PROPOSAL_ACTIONS[action]
    mine = proposal_side(proposal=proposal, user=user)
    if not mine or side not in (mine, "either"):
        raise HavenError("forbidden")
    act(proposal, user)

def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("need", "offer", "offer__owner", "need__owner").get(
        pk=proposal.pk
    )


def proposal_pick(*, proposal: Proposal) -> Proposal:
    """The seeker chooses this proposal; the group's others are withdrawn, freeing
    their places. A shelter with room accepts at once."""
    with transaction.atomic():
        p = _locked(proposal)
        now = clock.now()
        if p.status != ProposalStatus.PROPOSED:
            raise HavenError("proposal_not_open")
        if p.lapsed_at_shelter(now):  # its places are free again
            raise HavenError("proposal_not_open")
        Proposal.objects.filter(need=p.need, status=ProposalStatus.PROPOSED).exclude(pk=p.pk).update(
            status=ProposalStatus.WITHDRAWN, updated_at=now
        )
        p.status = ProposalStatus.SEEKER_ACCEPTED
        p.seeker_answered_at = now
        if p.offer.is_shelter:
            p.status = ProposalStatus.ACCEPTED
            p.host_answered_at = now
        p.save(update_fields=["status", "seeker_answered_at", "host_answered_at", "updated_at"])
    return p


def proposal_decline_by_seeker(*, proposal: Proposal) -> None:
    with transaction.atomic():
        p = _locked(proposal)
        if p.status not in (ProposalStatus.PROPOSED, ProposalStatus.SEEKER_ACCEPTED):
            raise HavenError("proposal_not_open")
        p.status = ProposalStatus.DECLINED_SEEKER
        p.seeker_answered_at = clock.now()
        p.save(update_fields=["status", "seeker_answered_at", "updated_at"])


def proposal_host_answer(*, proposal: Proposal, accept: bool) -> Proposal:
    with transaction.atomic():
        p = _locked(proposal)
        if p.status != ProposalStatus.SEEKER_ACCEPTED:
            raise HavenError("proposal_not_open")
        p.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED_HOST
        p.host_answered_at = clock.now()
        p.save(update_fields=["status", "host_answered_at", "updated_at"])
    return p


def proposal_contacts(*, proposal: Proposal, viewer: User) -> privacy.Contacts:
    """The other side's contacts, only once both accepted; every call is logged."""
    if not proposal.both_accepted:
        raise HavenError("not_both_accepted")
    seeker, host = proposal.need.owner, proposal.offer.owner
    if viewer.pk == seeker.pk:
        other = host
    elif viewer.pk == host.pk:
        other = seeker
    else:
        raise HavenError("forbidden")
    return privacy.contacts_reveal(viewer=viewer, owner=other, proposal_public_id=proposal.public_id)


def proposal_moved_in(*, proposal: Proposal, by: User) -> None:
    """The guests arrived. A shelter's count goes down; the need is closed as found."""
    with transaction.atomic():
        p = _locked(proposal)
        if p.status != ProposalStatus.ACCEPTED:
            raise HavenError("proposal_not_open")
        if p.offer.is_shelter:
            aid_services.shelter_check_in(offer=p.offer, by=by, count=p.places)
        p.status = ProposalStatus.MOVED_IN
        p.moved_in_at = clock.now()
        p.save(update_fields=["status", "moved_in_at", "updated_at"])
        aid_services.need_close(need=p.need, reason=NeedCloseReason.FOUND_HERE)


def proposal_no_show(*, proposal: Proposal) -> None:
    with transaction.atomic():
        p = _locked(proposal)
        if p.status != ProposalStatus.ACCEPTED:
            raise HavenError("proposal_not_open")
        p.status = ProposalStatus.NO_SHOW
        p.ended_at = clock.now()
        p.save(update_fields=["status", "ended_at", "updated_at"])


def proposal_end(*, proposal: Proposal, reason: str, by: User) -> None:
    """The stay is over: places are free again (a shelter checks the guests out)."""
    if reason not in EndReason.values:
        reason = EndReason.OTHER
    with transaction.atomic():
        p = _locked(proposal)
        if p.status != ProposalStatus.MOVED_IN:
            raise HavenError("proposal_not_open")
        if p.offer.is_shelter:
            aid_services.shelter_check_out(offer=p.offer, by=by, count=p.places)
        p.status = ProposalStatus.ENDED
        p.end_reason = reason
        p.ended_at = clock.now()
        p.save(update_fields=["status", "end_reason", "ended_at", "updated_at"])


def proposal_cancel(*, proposal: Proposal, coordinator: User) -> None:
    """A coordinator withdraws a proposal that has not started yet."""
    if not coordinator.is_coordinator:
        raise HavenError("forbidden")
    with transaction.atomic():
        p = _locked(proposal)
        if p.status not in (*PENDING, ProposalStatus.ACCEPTED):
            raise HavenError("proposal_not_open")
        p.status = ProposalStatus.WITHDRAWN
        p.save(update_fields=["status", "updated_at"])


def proposals_housekeeping(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind after 24 h, expire after 72 h (N4); a proposal to a shelter expires after
    the shelter's short window (HAVEN_SHELTER_HOLD_HOURS). Each row is claimed by a
    conditional UPDATE, so two workers never remind or expire the same proposal twice."""
    now = now or clock.now()
    lapsed = Proposal.objects.filter(shelter_lapsed_q(now)).values("pk")
    at_shelters = Proposal.objects.filter(pk__in=lapsed).update(status=ProposalStatus.EXPIRED, updated_at=now)
    remind_before = now - dt.timedelta(hours=settings.HAVEN_PROPOSAL_REMIND_HOURS)
    expire_before = now - dt.timedelta(hours=settings.HAVEN_PROPOSAL_EXPIRE_HOURS)
    waiting_since = Q(status=ProposalStatus.PROPOSED, created_at__lt=expire_before) | Q(
        status=ProposalStatus.SEEKER_ACCEPTED, seeker_answered_at__lt=expire_before
    )
    expired = at_shelters + Proposal.objects.filter(waiting_since).update(
        status=ProposalStatus.EXPIRED, updated_at=now
    )
    remind = Q(status=ProposalStatus.PROPOSED, created_at__lt=remind_before) | Q(
        status=ProposalStatus.SEEKER_ACCEPTED, seeker_answered_at__lt=remind_before
    )
    reminded = Proposal.objects.filter(remind, reminded_at__isnull=True).update(reminded_at=now)
    return {"expired": expired, "reminded": reminded}


# ---------------------------------------------------------------- shelter holds (N3)

ARRIVAL_CODE_DIGITS = 8  # 10^8 codes per shelter; tries at a desk are rate-limited


def arrival_code_normalise(raw: str) -> str:
    """The digits of a code as typed or read aloud ("4821 0937", "4821-0937")."""
    return re.sub(r"[\s\-]", "", raw or "")


def _arrival_code_digest(offer_id: int, code: str) -> str:
    # Keyed by SECRET_KEY: a copy of the database alone cannot be searched for codes.
    return salted_hmac("haven.matching.arrival_code", f"{offer_id}:{code}", algorithm="sha256").hexdigest()


def _spoken(code: str) -> str:
    """A code as the desk hears it: two groups of four ("4821 0937")."""
    return f"{code[:4]} {code[4:]}"


def _hold_context(hold: ShelterHold) -> str:
    return f"hold:{hold.public_id}"


def hold_arrival_code(*, hold: ShelterHold) -> str:
    """The hold's code, as the seeker shows it at the desk ("4821 0937"). Only the
    seeker's own pages call this (``matching.selectors.hold_get_own``)."""
    return _spoken(crypto.open_text(context=_hold_context(hold), sealed=hold.code_sealed).decode())


def _shelter_takes_arrivals(offer: Offer) -> bool:
    today = clock.today()
    return (
        offer.is_shelter
        and offer.status == OfferStatus.ACTIVE
        and offer.hidden_at is None
        and not offer.owner.is_frozen
        and offer.date_from <= today <= offer.date_to
    )


def shelter_hold_create(
    *,
    seeker: User,
    offer: Offer,
    adults: int,
    children: int = 0,
    elderly: int = 0,
    pets: int = 0,
    hours: int | None = None,
    need: Need | None = None,
) -> tuple[ShelterHold, str]:
    """A walk-in asks a shelter for places: hold them until the arrival window ends
    (at most HAVEN_SHELTER_HOLD_HOURS) and return the hold with its arrival code (shown
    once here; the seeker can read it again on the hold's page). The offer row is locked
    and its spare places re-counted inside the lock, by the same accounting as
    proposals, so holds, proposals and check-ins never exceed capacity.

    Raises (and changes nothing): ``account_frozen``, ``wrong_role`` (not a seeker),
    ``forbidden`` (someone else's need), ``rate_limited``, ``not_a_shelter``,
    ``shelter_not_open`` (paused, closed, frozen or hidden, or not running today),
    ``shelter_no_pets``, ``hold_exists`` (one active hold per seeker per shelter),
    ``shelter_no_room``."""
    if seeker.is_frozen:
        raise HavenError("account_frozen")
    if Role.SEEKER not in seeker.roles:  # a host who also asks for help may hold places
        raise HavenError("wrong_role")
    if need is not None and need.owner_id != seeker.pk:
        raise HavenError("forbidden")
    if not offer.is_shelter:
        raise HavenError("not_a_shelter")
    places = adults + children + elderly
    if places < 1 or min(adults, children, elderly, pets) < 0:
        raise HavenError("invalid")
    window = max(1, min(hours or settings.HAVEN_SHELTER_HOLD_HOURS, settings.HAVEN_SHELTER_HOLD_HOURS))
    ratelimit.limit("hold", f"user:{seeker.pk}")
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        locked.owner = offer.owner
        if not _shelter_takes_arrivals(locked):
            raise HavenError("shelter_not_open")
        if pets and not locked.pets_ok:
            raise HavenError("shelter_no_pets")
        now = clock.now()
        mine = ShelterHold.objects.filter(seeker=seeker, offer=locked, status=HoldStatus.ACTIVE)
        if mine.filter(expires_at__gt=now).exists():
            raise HavenError("hold_exists")
        if offer_spare(locked) < places:
            raise HavenError("shelter_no_room")
        # A lapsed hold of theirs is marked expired first, for the one-active constraint.
        mine.update(status=HoldStatus.EXPIRED, ended_at=now)
        taken = set(
            ShelterHold.objects.filter(offer=locked, status=HoldStatus.ACTIVE).values_list("code_digest", flat=True)
        )
        while True:
            code = "".join(secrets.choice("0123456789") for _ in range(ARRIVAL_CODE_DIGITS))
            digest = _arrival_code_digest(locked.pk, code)
            if digest not in taken:
                break
        hold = ShelterHold(
            offer=locked, seeker=seeker, need=need, adults=adults, children=children, elderly=elderly, pets=pets,
            places=places, code_digest=digest, expires_at=now + dt.timedelta(hours=window),
        )  # fmt: skip
        hold.code_sealed = crypto.seal_text(context=_hold_context(hold), secret=code.encode())
        hold.save()
        listings_changed()
    return hold, _spoken(code)


def shelter_hold_cancel(*, hold: ShelterHold, by: User) -> None:
    """The seeker gives the places back. ``hold_not_active`` if they no longer count."""
    if hold.seeker_id != by.pk:
        raise HavenError("forbidden")
    now = clock.now()
    hit = ShelterHold.objects.filter(pk=hold.pk, status=HoldStatus.ACTIVE, expires_at__gt=now).update(
        status=HoldStatus.CANCELLED, ended_at=now
    )
    if hit != 1:
        raise HavenError("hold_not_active")
    hold.status = HoldStatus.CANCELLED
    listings_changed()


def shelter_desk_allowed(*, user: User, offer: Offer) -> bool:
    """The shelter's organisation, and coordinators of its region, run its desk."""
    if offer.owner_id == user.pk:
        return True
    if not user.is_coordinator:
        return False
    return user.is_superuser or user.regions.filter(pk=offer.city.region_id).exists()


def shelter_arrival_check_in(*, offer: Offer, by: User, code: str) -> ShelterHold:
    """The desk checks a party in by its arrival code: the hold becomes occupied places
    through ``aid.services.shelter_check_in`` (the conditional UPDATE), and a request the
    seeker linked is closed as found. A code works once.

    Raises (and changes nothing): ``forbidden``, ``rate_limited``, ``arrival_code_wrong``
    (no such code, or cancelled), ``arrival_code_used``, ``arrival_code_expired``, and
    the check-in's own ``not_editable`` / ``shelter_full``."""
    if not shelter_desk_allowed(user=by, offer=offer):
        raise HavenError("forbidden")
    ratelimit.limit("arrival_code", f"user:{by.pk}")
    digits = arrival_code_normalise(code)
    if not digits.isdigit() or len(digits) != ARRIVAL_CODE_DIGITS:
        raise HavenError("arrival_code_wrong")
    digest = _arrival_code_digest(offer.pk, digits)
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        hold = (
            ShelterHold.objects.select_for_update()
            .filter(offer=locked, code_digest=digest)
            .order_by("-created_at")
            .first()
        )
        now = clock.now()
        if hold is None or hold.status == HoldStatus.CANCELLED:
            raise HavenError("arrival_code_wrong")
        if hold.status == HoldStatus.CHECKED_IN:
            raise HavenError("arrival_code_used")
        if hold.status == HoldStatus.EXPIRED or hold.expires_at <= now:
            raise HavenError("arrival_code_expired")
        # The hold stops counting and the check-in count takes the places, in one transaction.
        hold.status = HoldStatus.CHECKED_IN
        hold.ended_at = now
        hold.save(update_fields=["status", "ended_at"])
        aid_services.shelter_check_in(offer=locked, by=by, count=hold.places)
        if hold.need_id is not None:
            Proposal.objects.filter(need_id=hold.need_id, status__in=PENDING).update(
                status=ProposalStatus.WITHDRAWN, updated_at=now
            )
            need = Need.objects.get(pk=hold.need_id)
            aid_services.need_close(need=need, reason=NeedCloseReason.FOUND_HERE)
    offer.free_places = locked.free_places
    return hold


def shelter_holds_release_for(*, seeker: User) -> int:
    """Give back every place held for ``seeker`` (their account is frozen)."""
    released = ShelterHold.objects.filter(seeker=seeker, status=HoldStatus.ACTIVE).update(
        status=HoldStatus.CANCELLED, ended_at=clock.now()
    )
    if released:
        listings_changed()
    return released


def shelter_holds_expire(*, now: dt.datetime | None = None) -> int:
    """Mark holds whose window ended as expired (for ``haven worker``). They stopped
    counting already when the window ended; this only tidies their status."""
    now = now or clock.now()
    expired = ShelterHold.objects.filter(status=HoldStatus.ACTIVE, expires_at__lte=now).update(
        status=HoldStatus.EXPIRED, ended_at=now
    )
    if expired:
        listings_changed()
    return expired


# ---------------------------------------------------------------- running the matcher

def _claim_lock(holder: str, seconds: int) -> bool:
    now = clock.now()
    try:
        with transaction.atomic():
            MatchLock.objects.get_or_create(name="matcher", defaults={"until": now - dt.timedelta(seconds=1)})
    except IntegrityError:  # another worker created it at the same moment
        pass
    return MatchLock.objects.filter(name="matcher", until__lt=now).update(
        holder=holder, until=now + dt.timedelta(seconds=seconds)
    ) == 1


def _release_lock(holder: str) -> None:
    MatchLock.objects.filter(name="matcher", holder=holder).update(until=clock.now())


def _alternatives(
    instance: engine.Instance,
    need: engine.Need,
    chosen: str,
    offers: dict[str, engine.Offer],
    spare: dict[str, int],
    by_city: dict[str, list[str]],
    forbidden: Collection[engine.Pair] = frozenset(),
) -> list[tuple[str, float]]:
    """Up to two more offers in the same city that still have room after the plan and
    pass every hard rule, best first."""
    days = max(0.0, (instance.now - need.waiting_since).total_seconds() / 86400.0)
    found = []
    for oid in by_city.get(need.city, ()):
        offer = offers[oid]
        if oid == chosen or spare[oid] < need.party.size or not engine.is_compatible(need, offer):
            continue
        if engine.Pair(need=need.id, offer=oid) in forbidden:  # proposed before, or a block
            continue
        if offer.exclusive and spare[oid] < offer.capacity:
            continue
        weight = engine.pair_weight(need, offer, instance.weights, days)
        if weight > 0:
            found.append((oid, weight))
    found.sort(key=lambda item: -item[1])
    return found[:MAX_ALTERNATIVES]


def matching_run(*, trigger: str = "schedule", time_limit_s: float | None = None) -> MatchRun | None:
    """Run the engine over every matchable need and offer and turn its plan into
    proposals (plus up to two alternatives each where spare places allow). Returns None
    when another worker holds the matcher. Side effects: a MatchRun row, proposals."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns()}"
    limit = time_limit_s or float(settings.HAVEN_MATCH_TIME_LIMIT_SECONDS)
    if not _claim_lock(holder, int(limit) + 120):
        return None
    run = MatchRun.objects.create(trigger=trigger)
    started = time.monotonic()
    try:
        needs = _matchable_needs()
        offers = _matchable_offers()
        reserved = reserved_places(o.pk for o in offers)
        spare_rows = [(o, spare_places(o, reserved.get(o.pk, (0, 0)))) for o in offers]
        need_ids = [n.pk for n in needs]
        forbidden = Proposal.objects.filter(need_id__in=need_ids).values_list("need__public_id", "offer__public_id")
        instance = engine_instance(
            needs=needs, offers=spare_rows, forbidden=list(forbidden), now=clock.now(), apart=people_apart()
        )
        result = engine.solve(instance, engine.SolveOptions(time_limit_s=limit))
        by_id_need = {n.public_id: n for n in needs}
        by_id_offer = {o.public_id: o for o, _ in spare_rows}
        engine_offers = {o.id: o for o in instance.offers}
        spare = {o.id: o.capacity for o in instance.offers}
        for a in result.assignments:
            spare[a.offer] -= by_id_need[a.need].people
        by_city: dict[str, list[str]] = defaultdict(list)
        for o in instance.offers:
            by_city[o.city].append(o.id)
        engine_needs = {n.id: n for n in instance.needs}
        forbidden_pairs = set(instance.forbidden)
        created = 0
        for a in result.assignments:
            need_row = by_id_need[a.need]
            alternatives = _alternatives(
                instance, engine_needs[a.need], a.offer, engine_offers, spare, by_city, forbidden_pairs
            )
            for oid, _ in alternatives:
                spare[oid] -= need_row.people
            planned = Planned(
                need=need_row,
                offers=((by_id_offer[a.offer], a.weight), *((by_id_offer[o], w) for o, w in alternatives)),
            )
            created += len(proposals_create(planned=planned, run=run))
        run.status = RunStatus.DONE
        run.needs, run.offers, run.proposals = len(instance.needs), len(instance.offers), created
        run.people_housed = result.people_housed
        run.objective, run.bound, run.gap, run.method = result.objective, result.bound, result.gap, result.method
        run.flagged = list(result.flagged)
        run.certificate = {
            "prices": dict(result.certificate.prices),
            "lagrangian_bound": result.certificate.lagrangian_bound,
            "mip_bound": result.certificate.mip_bound,
        }
    except Exception as error:  # the run is recorded as failed; the worker goes on
        log.exception("matching run %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.error = f"{type(error).__name__}: {error}"[:2000]
    finally:
        run.seconds = time.monotonic() - started
        run.finished_at = clock.now()
        run.save()
        _release_lock(holder)
    return run


# action -> (who may take it: seeker, host or either; what it does)
# The actions that commit a side to a proposal and so lead to the reveal: whoever takes
# one with no way to be reached is asked first (web) or may ask to be refused (API).
COMMITTING_ACTIONS = ("pick", "accept")

PROPOSAL_ACTIONS: dict[str, tuple[str, Callable[[Proposal, User], object]]] = {
    "pick": ("seeker", lambda p, u: proposal_pick(proposal=p)),
    "decline": ("seeker", lambda p, u: proposal_decline_by_seeker(proposal=p)),
    "accept": ("host", lambda p, u: proposal_host_answer(proposal=p, accept=True)),
    "refuse": ("host", lambda p, u: proposal_host_answer(proposal=p, accept=False)),
    "moved-in": ("either", lambda p, u: proposal_moved_in(proposal=p, by=u)),
    "no-show": ("host", lambda p, u: proposal_no_show(proposal=p)),
}
