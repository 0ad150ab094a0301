"""Database rows to the pure engine's frozen dataclasses, and nothing else."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from haven.aid.enums import HostPreference
from haven.aid.models import Need, Offer
from haven.matching import engine

ONE_DAY = dt.timedelta(days=1)


def engine_need(need: Need) -> engine.Need:
    people_are_women_or_children = need.women_only or (need.adults == 0 and need.elderly == 0)
    return engine.Need(
        id=need.public_id,
        party=engine.Party(
            adults=need.adults, children=need.children, elderly=need.elderly, pets=need.pets,
            disabled=1 if need.disability else 0,
        ),
        city=need.city.slug,
        lat=need.city.lat,
        lon=need.city.lon,
        # "Until" is the last night on the site; the engine counts nights up to check-out.
        date_from=need.date_from,
        date_to=need.date_to + ONE_DAY,
        waiting_since=need.created_at,
        budget_per_night=0.0 if need.free_only else float(need.max_price or 0),
        min_tier=engine.Tier(need.min_tier),
        languages=tuple(need.languages or ()),
        accessibility=need.step_free,
        women_children_only=people_are_women_or_children,
        unaccompanied_minors=need.unaccompanied_minors,
        women_hosts_only=need.host_preference == HostPreference.WOMEN_OR_FAMILIES,
        collective_only=need.host_preference == HostPreference.COLLECTIVE,
    )


def engine_offer(offer: Offer, *, spare: int) -> engine.Offer:
    return engine.Offer(
        id=offer.public_id,
        capacity=spare,
        city=offer.city.slug,
        lat=offer.city.lat,
        lon=offer.city.lon,
        date_from=offer.date_from,
        date_to=offer.date_to + ONE_DAY,
        host_kind=engine.HostKind(offer.host_kind),
        tier=engine.Tier(min(offer.owner.tier, 2)),
        exclusive=offer.exclusive,
        district=offer.district.slug if offer.district else "",
        price_per_night=float(offer.price_per_night),
        pets_allowed=offer.pets_ok,
        children_allowed=offer.children_ok,
        accessible=offer.step_free,
        smoking=offer.smoking,
        languages=tuple(offer.languages or ()),
    )


def engine_instance(
    *,
    needs: Iterable[Need],
    offers: Iterable[tuple[Offer, int]],
    forbidden: Iterable[tuple[str, str]],
    now: dt.datetime,
    apart: Collection[frozenset[int]] = (),
) -> engine.Instance:
    """The engine's instance. ``forbidden`` are (need, offer) public-id pairs proposed
    before; ``apart`` are pairs of user ids kept apart by a block (P4): every need of
    one of them with every offer of the other is forbidden too. Pairs naming a need or
    offer not in the instance (an offer full or paused since) are dropped."""
    need_rows = list(needs)
    offer_rows = [(o, spare) for o, spare in offers if spare > 0]
    need_ids = {n.public_id for n in need_rows}
    offer_ids = {o.public_id for o, _ in offer_rows}
    pairs = {(n, o) for n, o in forbidden if n in need_ids and o in offer_ids}
    pairs |= _blocked_pairs(need_rows, [o for o, _ in offer_rows], apart)
    pairs |= _own_pairs(need_rows, [o for o, _ in offer_rows])
    return engine.Instance(
        needs=tuple(engine_need(n) for n in need_rows),
        offers=tuple(engine_offer(o, spare=spare) for o, spare in offer_rows),
        now=now,
        forbidden=tuple(engine.Pair(need=n, offer=o) for n, o in sorted(pairs)),
    )


def _own_pairs(needs: list[Need], offers: list[Offer]) -> set[tuple[str, str]]:
    """A person who both asks and offers (a seeker who also hosts) is never proposed
    their own offer."""
    offers_of: dict[int, list[str]] = defaultdict(list)
    for offer in offers:
        offers_of[offer.owner_id].append(offer.public_id)
    return {(n.public_id, o) for n in needs for o in offers_of.get(n.owner_id, ())}


def _blocked_pairs(needs: list[Need], offers: list[Offer], apart: Collection[frozenset[int]]) -> set[tuple[str, str]]:
    if not apart:
        return set()
    needs_of: dict[int, list[str]] = defaultdict(list)
    offers_of: dict[int, list[str]] = defaultdict(list)
    for need in needs:
        needs_of[need.owner_id].append(need.public_id)
    for offer in offers:
        offers_of[offer.owner_id].append(offer.public_id)
    pairs: set[tuple[str, str]] = set()
    for people in apart:
        for seeker in people:
            for host in people:
                if seeker != host:
                    pairs.update((n, o) for n in needs_of.get(seeker, ()) for o in offers_of.get(host, ()))
    return pairs
