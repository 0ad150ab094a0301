"""The engine's vocabulary: frozen dataclasses in, frozen dataclasses out."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


class HostKind(enum.StrEnum):
    """Who hosts; safeguarding rules are written in these terms (M4)."""

    WOMAN = "woman"
    FAMILY = "family"
    COUPLE = "couple"
    MAN = "man"
    ORGANISATION = "organisation"


class Tier(enum.IntEnum):
    """Host verification tiers (P3), ordered: a seeker accepts a tier and everything above."""

    SELF_DECLARED = 0
    VOUCHED = 1
    CHECKED = 2


#: Host kinds a women-and/or-children-only party may go to by default (M4).
SAFE_FOR_WOMEN_CHILDREN = frozenset(
    {HostKind.WOMAN, HostKind.FAMILY, HostKind.COUPLE, HostKind.ORGANISATION}
)
#: Host kinds accepted by a seeker who opted into "women or families as hosts only".
WOMEN_FAMILY_HOSTS = frozenset({HostKind.WOMAN, HostKind.FAMILY})


@dataclass(frozen=True, slots=True)
class Party:
    """Who travels together. A party is never split; ``pets`` take no place."""

    adults: int = 1
    children: int = 0
    elderly: int = 0
    pets: int = 0
    disabled: int = 0  # people in the party (already counted above) living with a disability

    @property
    def size(self) -> int:
        return self.adults + self.children + self.elderly


@dataclass(frozen=True, slots=True)
class Need:
    """A request for housing. Dates are nights: ``date_to`` is the check-out day."""

    id: str
    party: Party
    city: str
    lat: float
    lon: float
    date_from: date
    date_to: date
    waiting_since: datetime
    max_distance_km: float = 30.0
    min_nights: int | None = None  # None: the whole stay; otherwise the least overlap accepted
    budget_per_night: float | None = None  # None: any price; 0: free only
    min_tier: Tier = Tier.SELF_DECLARED
    languages: tuple[str, ...] = ()  # empty: no requirement
    accessibility: bool = False  # needs step-free access
    women_children_only: bool = False  # the party is only women and/or children
    unaccompanied_minors: bool = False  # never auto-matched; flagged for a coordinator
    allow_any_host: bool = False  # coordinator override of the women/children default
    women_hosts_only: bool = False  # opt-in: women or families as hosts only
    collective_only: bool = False  # opt-in: organisation shelters only
    no_smoking: bool = False  # soft
    prefers_collective: bool = False  # soft


@dataclass(frozen=True, slots=True)
class Offer:
    """A bed, room, flat or shelter. ``exclusive`` offers take one party."""

    id: str
    capacity: int
    city: str
    lat: float
    lon: float
    date_from: date
    date_to: date
    host_kind: HostKind
    tier: Tier = Tier.SELF_DECLARED
    exclusive: bool = False
    district: str = ""
    price_per_night: float = 0.0
    pets_allowed: bool = False
    children_allowed: bool = True
    accessible: bool = False
    smoking: bool = False
    languages: tuple[str, ...] = ()  # empty: no constraint


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective configuration; see docs/matching.md for the meaning of each weight.

    The value of housing need n at offer o is
    ``people_value(n) * waiting_factor(n) - distance - price - soft penalties``;
    pairs worth nothing or less are never candidates.
    """

    adult: float = 1.0
    child: float = 1.5
    elderly: float = 1.4
    disabled: float = 0.5  # extra per person living with a disability
    woman_alone: float = 0.5  # extra for a women/children-only party with at most one adult
    waiting_per_day: float = 0.1  # value grows 10% a day of waiting ...
    waiting_cap_days: float = 14.0  # ... up to this many days (x2.4)
    distance_per_km: float = 0.002  # per party, so 100 km costs 0.2
    price_per_1000: float = 0.02  # per party, per 1,000 (local currency) a night
    smoking_penalty: float = 0.2  # non-smoking party with a smoking host
    collective_penalty: float = 0.2  # party preferring a collective shelter, placed privately


@dataclass(frozen=True, slots=True)
class Pair:
    """A (need, offer) pair by id: a locked (accepted) assignment or a declined pair."""

    need: str
    offer: str


@dataclass(frozen=True, slots=True)
class Instance:
    """One matching problem. ``locked`` pairs are kept as they are and consume capacity;
    ``forbidden`` pairs (declined) are never proposed. ``prices`` warm-starts the solver."""

    needs: tuple[Need, ...]
    offers: tuple[Offer, ...]
    now: datetime
    locked: tuple[Pair, ...] = ()
    forbidden: tuple[Pair, ...] = ()
    weights: Weights = field(default_factory=Weights)
    prices: Mapping[str, float] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Assignment:
    need: str
    offer: str
    weight: float


@dataclass(frozen=True, slots=True)
class Certificate:
    """Lagrangian prices, one per offer with free capacity: anyone can recompute the
    bound ``sum_o price_o * cap_o + sum_n max(0, max_o w_no - price_o * load_no)`` with
    :func:`verify_certificate`. ``mip_bound`` is the MIP solver's own proven bound when it
    ran (checkable only by re-running it); the reported bound is the smaller of the two."""

    prices: Mapping[str, float]
    lagrangian_bound: float
    mip_bound: float | None = None


@dataclass(frozen=True, slots=True)
class TracePoint:
    seconds: float
    objective: float
    bound: float


@dataclass(frozen=True, slots=True)
class Result:
    """A plan for the free needs. ``assignments`` holds only new pairs (locked ones stay as
    they were); ``objective`` and ``bound`` are about those new pairs."""

    assignments: tuple[Assignment, ...]
    objective: float
    bound: float
    certificate: Certificate
    flagged: tuple[str, ...]  # needs a coordinator must handle (unaccompanied minors)
    people_housed: int
    proven_optimal: bool
    method: str
    first_plan_s: float
    final_plan_s: float
    trace: tuple[TracePoint, ...] = ()

    @property
    def gap(self) -> float:
        """Relative gap to the certified bound (0.0 when the plan is proven optimal)."""
        if self.bound <= 0.0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


@dataclass(frozen=True, slots=True)
class SolveOptions:
    time_limit_s: float = 60.0
    exact_max_needs: int = 2000  # instances with up to this many free needs: exact MIP
    candidates_per_need: int = 24
    mip_gap: float = 1e-4
    seed: int = 0
