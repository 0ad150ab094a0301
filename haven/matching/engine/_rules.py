"""The rules, one pair at a time: the plain reference the vectorised code must agree with.

Slow on purpose; used by tests, by small checks and by the documentation.
"""

from __future__ import annotations

import math

from ._model import (
    SAFE_FOR_WOMEN_CHILDREN,
    WOMEN_FAMILY_HOSTS,
    HostKind,
    Instance,
    Need,
    Offer,
    Weights,
)

EARTH_RADIUS_KM = 6371.0088


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


def cosine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Cosine of the angle between two points seen from the centre of the Earth."""
    x1, y1, z1 = unit_vector(lat1, lon1)
    x2, y2, z2 = unit_vector(lat2, lon2)
    return x1 * x2 + y1 * y2 + z1 * z2


def min_cosine(radius_km: float) -> float:
    """Points within ``radius_km`` great-circle distance have at least this cosine."""
    return math.cos(min(radius_km / EARTH_RADIUS_KM, math.pi))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    return EARTH_RADIUS_KM * math.acos(max(-1.0, min(1.0, cosine(lat1, lon1, lat2, lon2))))


def allowed_host_kinds(need: Need) -> frozenset[HostKind]:
    """Safeguarding (M4): which host kinds this need may be placed with."""
    kinds = frozenset(HostKind)
    if need.women_children_only and not need.allow_any_host:
        kinds &= SAFE_FOR_WOMEN_CHILDREN
    if need.women_hosts_only:
        kinds &= WOMEN_FAMILY_HOSTS
    if need.collective_only:
        kinds &= {HostKind.ORGANISATION}
    return kinds


def needed_nights(need: Need) -> int:
    stay = (need.date_to - need.date_from).days
    return stay if need.min_nights is None else min(need.min_nights, stay)


def waiting_days(need: Need, instance: Instance) -> float:
    return max(0.0, (instance.now - need.waiting_since).total_seconds() / 86400.0)


def need_value(need: Need, weights: Weights, days_waiting: float) -> float:
    """What housing this party is worth before distance, price and preferences."""
    p = need.party
    value = weights.adult * p.adults + weights.child * p.children + weights.elderly * p.elderly
    value += weights.disabled * p.disabled
    if need.women_children_only and p.adults <= 1:
        value += weights.woman_alone
    return value * (1.0 + weights.waiting_per_day * min(days_waiting, weights.waiting_cap_days))


def is_compatible(need: Need, offer: Offer) -> bool:
    """Hard constraints on a pair, ignoring capacity already taken by others."""
    p = need.party
    if need.unaccompanied_minors or p.size <= 0 or p.size > offer.capacity:
        return False
    if need.date_to <= need.date_from:
        return False
    overlap = (min(need.date_to, offer.date_to) - max(need.date_from, offer.date_from)).days
    if overlap < needed_nights(need) or overlap <= 0:
        return False
    if p.pets > 0 and not offer.pets_allowed:
        return False
    if p.children > 0 and not offer.children_allowed:
        return False
    if need.accessibility and not offer.accessible:
        return False
    if need.languages and offer.languages and not set(need.languages) & set(offer.languages):
        return False
    if need.budget_per_night is not None and offer.price_per_night > need.budget_per_night:
        return False
    if offer.tier < need.min_tier:
        return False
    if offer.host_kind not in allowed_host_kinds(need):
        return False
    return cosine(need.lat, need.lon, offer.lat, offer.lon) >= min_cosine(need.max_distance_km)


def pair_weight(need: Need, offer: Offer, weights: Weights, days_waiting: float) -> float:
    """The objective value of placing ``need`` at ``offer`` (may be <= 0: not a candidate)."""
    w = need_value(need, weights, days_waiting)
    w -= weights.distance_per_km * distance_km(need.lat, need.lon, offer.lat, offer.lon)
    w -= weights.price_per_1000 * offer.price_per_night / 1000.0
    if need.no_smoking and offer.smoking:
        w -= weights.smoking_penalty
    if need.prefers_collective and offer.host_kind is not HostKind.ORGANISATION:
        w -= weights.collective_penalty
    return w
