"""Hypothesis strategies for tiny matching instances (brute force stays cheap)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from haven.matching.engine import HostKind, Instance, Need, Offer, Pair, Party, Tier

NOW = datetime(2022, 9, 27, 12, tzinfo=UTC)
DAY0 = date(2022, 9, 27)
PLACES = [("Uralsk", 51.23, 51.37), ("Uralsk", 51.26, 51.40), ("Aktobe", 50.28, 57.17)]


@st.composite
def needs(draw: st.DrawFn, index: int) -> Need:
    city, lat, lon = draw(st.sampled_from(PLACES))
    minors = draw(st.booleans().filter(lambda _: True)) and draw(st.integers(0, 9)) == 0
    adults = 0 if minors else draw(st.integers(1, 3))
    start = draw(st.integers(0, 6))
    return Need(
        id=f"n{index}",
        party=Party(
            adults=adults,
            children=draw(st.integers(1 if minors else 0, 3)),
            elderly=0 if minors else draw(st.integers(0, 1)),
            pets=draw(st.integers(0, 1)),
        ),
        city=city,
        lat=lat,
        lon=lon,
        date_from=DAY0 + timedelta(days=start),
        date_to=DAY0 + timedelta(days=start + draw(st.integers(1, 8))),
        waiting_since=NOW - timedelta(hours=draw(st.integers(0, 400))),
        max_distance_km=draw(st.sampled_from([5.0, 30.0, 600.0])),
        min_nights=draw(st.none() | st.integers(1, 4)),
        budget_per_night=draw(st.sampled_from([None, 0.0, 5000.0])),
        min_tier=draw(st.sampled_from(list(Tier))),
        languages=draw(st.sampled_from([(), ("ru",), ("uk",)])),
        accessibility=draw(st.integers(0, 5)) == 0,
        women_children_only=not minors and draw(st.booleans()),
        unaccompanied_minors=minors,
        women_hosts_only=draw(st.integers(0, 6)) == 0,
        collective_only=draw(st.integers(0, 6)) == 0,
        no_smoking=draw(st.booleans()),
        prefers_collective=draw(st.booleans()),
    )


@st.composite
def offers(draw: st.DrawFn, index: int) -> Offer:
    city, lat, lon = draw(st.sampled_from(PLACES))
    start = draw(st.integers(-2, 6))
    kind = draw(st.sampled_from(list(HostKind)))
    return Offer(
        id=f"o{index}",
        capacity=draw(st.integers(1, 6)),
        city=city,
        lat=lat + 0.01,
        lon=lon,
        date_from=DAY0 + timedelta(days=start),
        date_to=DAY0 + timedelta(days=start + draw(st.integers(1, 12))),
        host_kind=kind,
        tier=draw(st.sampled_from(list(Tier))),
        exclusive=kind is not HostKind.ORGANISATION and draw(st.booleans()),
        price_per_night=draw(st.sampled_from([0.0, 3000.0, 8000.0])),
        pets_allowed=draw(st.booleans()),
        children_allowed=draw(st.booleans()),
        accessible=draw(st.booleans()),
        smoking=draw(st.booleans()),
        languages=draw(st.sampled_from([(), ("ru",), ("ru", "kk")])),
    )


@st.composite
def instances(draw: st.DrawFn, max_needs: int = 5, max_offers: int = 3) -> Instance:
    n = draw(st.integers(1, max_needs))
    m = draw(st.integers(1, max_offers))
    ns = tuple(draw(needs(i)) for i in range(n))
    os_ = tuple(draw(offers(j)) for j in range(m))
    forbidden = tuple(
        Pair(f"n{i}", f"o{j}") for i in range(n) for j in range(m) if draw(st.integers(0, 7)) == 0
    )
    return Instance(needs=ns, offers=os_, now=NOW, forbidden=forbidden)


# --------------------------------------------------------------------------------------------

import itertools  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402

from haven.matching.engine import (  # noqa: E402
    Result,
    SolveOptions,
    greedy,
    is_compatible,
    pair_weight,
    solve,
    verify_certificate,
)
from haven.matching.engine._pairs import collect_pairs  # noqa: E402
from haven.matching.engine._problem import compile_problem  # noqa: E402
from haven.matching.engine._rules import waiting_days  # noqa: E402

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def weights_of(instance: Instance) -> dict[tuple[str, str], float]:
    """Every eligible pair by the plain rules, with its weight."""
    out = {}
    for n in instance.needs:
        for o in instance.offers:
            if Pair(n.id, o.id) in instance.forbidden or not is_compatible(n, o):
                continue
            w = pair_weight(n, o, instance.weights, waiting_days(n, instance))
            if w > 0:
                out[n.id, o.id] = w
    return out


def brute_force(instance: Instance) -> float:
    """The best plan by enumeration."""
    w = weights_of(instance)
    offers = {o.id: o for o in instance.offers}
    best = 0.0
    choices = [
        [None, *[o.id for o in instance.offers if (n.id, o.id) in w]] for n in instance.needs
    ]
    for pick in itertools.product(*choices):
        used: dict[str, int] = {}
        ok = True
        for n, oid in zip(instance.needs, pick, strict=True):
            if oid is None:
                continue
            used[oid] = used.get(oid, 0) + (1 if offers[oid].exclusive else n.party.size)
            if used[oid] > (1 if offers[oid].exclusive else offers[oid].capacity):
                ok = False
                break
        if ok:
            best = max(
                best, sum(w[n.id, o] for n, o in zip(instance.needs, pick, strict=True) if o)
            )
    return best


def assert_valid(instance: Instance, result: Result) -> None:
    needs = {n.id: n for n in instance.needs}
    offers = {o.id: o for o in instance.offers}
    placed = [a.need for a in result.assignments]
    assert len(placed) == len(set(placed)), "a need placed twice (a split party)"
    load: dict[str, int] = {}
    parties: dict[str, int] = {}
    for a in result.assignments:
        n, o = needs[a.need], offers[a.offer]
        assert is_compatible(n, o), (a, "breaks a hard rule")
        assert not n.unaccompanied_minors
        assert Pair(a.need, a.offer) not in instance.forbidden
        load[a.offer] = load.get(a.offer, 0) + n.party.size
        parties[a.offer] = parties.get(a.offer, 0) + 1
    for oid, people in load.items():
        assert people <= offers[oid].capacity
        if offers[oid].exclusive:
            assert parties[oid] == 1
    assert set(result.flagged) == {n.id for n in instance.needs if n.unaccompanied_minors}


@FAST
@given(instances())
def test_the_vectorised_pairs_are_exactly_the_plain_rules(instance: Instance) -> None:
    p = compile_problem(instance)
    pairs = collect_pairs(p, None, workers=1)
    got = {
        (p.need_ids[n], p.offer_ids[o]): w
        for n, o, w in zip(pairs.need.tolist(), pairs.offer.tolist(), pairs.w.tolist(), strict=True)
    }
    want = weights_of(instance)
    assert got.keys() == want.keys()
    for key, w in want.items():
        assert abs(got[key] - w) < 1e-9


@FAST
@given(instances())
def test_the_exact_plan_is_valid_optimal_and_certified(instance: Instance) -> None:
    result = solve(instance, SolveOptions(time_limit_s=10))
    assert_valid(instance, result)
    optimum = brute_force(instance)
    assert abs(result.objective - optimum) < 1e-6
    assert result.bound >= optimum - 1e-9
    checked = verify_certificate(instance, result.certificate)
    assert abs(checked - result.certificate.lagrangian_bound) < 1e-6
    assert checked >= optimum - 1e-9
    assert result.objective >= greedy(instance).objective - 1e-9


@FAST
@given(instances(max_needs=6, max_offers=4))
def test_the_price_heuristic_is_valid_and_its_bound_holds(instance: Instance) -> None:
    result = solve(instance, SolveOptions(time_limit_s=5, exact_max_needs=0))
    assert_valid(instance, result)
    assert result.bound >= result.objective - 1e-9
    optimum = brute_force(instance) if len(instance.needs) <= 5 else result.objective
    assert result.bound >= optimum - 1e-6
    checked = verify_certificate(instance, result.certificate)
    assert abs(checked - result.certificate.lagrangian_bound) < 1e-6
    assert result.objective >= greedy(instance).objective - 1e-9


@FAST
@given(instances(max_needs=5, max_offers=3))
def test_greedy_plans_are_valid(instance: Instance) -> None:
    assert_valid(instance, greedy(instance))
