"""The solver: exact for small instances, prices + repair + local search for large ones,
always with a certified bound."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from . import _solver
from ._model import Assignment, Certificate, Instance, Result, SolveOptions, TracePoint
from ._pairs import (
    Pairs,
    collect_pairs,
    lagrangian,
    make_pairs,
    merge_pairs,
    price_all,
    scan_all,
)
from ._primal import assign_by_prices, first_come_first_served, improve, plan_value
from ._problem import F64, I64, Problem, compile_problem


def _warm_prices(p: Problem, instance: Instance) -> F64:
    lam = np.zeros(p.n_offers)
    if instance.prices:
        for j, oid in enumerate(p.offer_ids):
            lam[j] = max(0.0, float(instance.prices.get(oid, 0.0)))
    return lam


def certified_bound(p: Problem, lam: F64) -> float:
    """The Lagrangian bound over every eligible pair (one full scan)."""
    best = price_all(p, lam)[0]
    return float(np.dot(lam, p.cap) + best.sum())


def _result(
    p: Problem,
    pairs: Pairs,
    chosen: I64,
    lam: F64,
    lagrangian_bound: float,
    mip_bound: float | None,
    *,
    method: str,
    optimal: bool,
    first_plan_s: float,
    final_plan_s: float,
    trace: list[TracePoint],
) -> Result:
    placed = np.flatnonzero(chosen >= 0)
    ks = chosen[placed]
    assignments = tuple(
        Assignment(p.need_ids[n], p.offer_ids[o], float(w))
        for n, o, w in zip(
            placed.tolist(), pairs.offer[ks].tolist(), pairs.w[ks].tolist(), strict=True
        )
    )
    objective = plan_value(pairs, chosen)
    bound = lagrangian_bound if mip_bound is None else min(lagrangian_bound, mip_bound)
    bound = max(bound, objective)  # guards float noise only; the bounds are >= any plan
    prices = {p.offer_ids[j]: float(lam[j]) for j in np.flatnonzero(lam > 0).tolist()}
    return Result(
        assignments=assignments,
        objective=objective,
        bound=bound,
        certificate=Certificate(prices, lagrangian_bound, mip_bound),
        flagged=p.flagged,
        people_housed=int(p.size[placed].sum()),
        proven_optimal=optimal,
        method=method,
        first_plan_s=first_plan_s,
        final_plan_s=final_plan_s,
        trace=tuple(trace),
    )


def waiting_order(p: Problem) -> I64:
    since = np.array([n.waiting_since.timestamp() for n in p.instance.needs])
    return np.argsort(since, kind="stable")


def greedy(instance: Instance, *, per_need: int = 64, seed: int = 0) -> Result:
    """First-come-first-served baseline: by waiting time, each need takes its best offer
    (among ``per_need`` candidates) that still has room. Its bound is the zero-price one."""
    t0 = time.monotonic()
    p = compile_problem(instance)
    pairs = collect_pairs(p, per_need, seed)
    chosen = first_come_first_served(p, pairs, waiting_order(p))
    elapsed = time.monotonic() - t0
    lam = np.zeros(p.n_offers)
    bound = certified_bound(p, lam)
    value = plan_value(pairs, chosen)
    return _result(
        p, pairs, chosen, lam, bound, None,
        method="fcfs", optimal=False, first_plan_s=elapsed, final_plan_s=elapsed,
        trace=[TracePoint(elapsed, value, bound)],
    )  # fmt: skip


def solve(
    instance: Instance,
    options: SolveOptions | None = None,
    *,
    on_progress: Callable[[TracePoint], None] | None = None,
) -> Result:
    """Match needs to offers. Never splits a party, never exceeds capacity, never breaks a
    hard rule (dates, safeguarding, tiers, ...); returns the plan with a certified bound.
    Pure: no side effects besides ``on_progress`` calls; may fork worker processes."""
    opt = options or SolveOptions()
    t0 = time.monotonic()
    deadline = t0 + opt.time_limit_s
    trace: list[TracePoint] = []

    def mark(value: float, bound: float) -> None:
        point = TracePoint(time.monotonic() - t0, value, bound)
        trace.append(point)
        if on_progress is not None:
            on_progress(point)

    p = compile_problem(instance)
    lam = _warm_prices(p, instance)
    if int(p.active.sum()) <= opt.exact_max_needs:
        pairs = collect_pairs(p, None, opt.seed)
        chosen = assign_by_prices(p, pairs, lam)
        first_plan_s = time.monotonic() - t0
        mark(plan_value(pairs, chosen), float("inf"))
        return _solve_exact(p, pairs, chosen, lam, opt, t0, deadline, first_plan_s, trace, mark)

    # 1. A quick plan from a sample of the offers.
    quick = collect_pairs(p, 12, opt.seed, sample=256)
    chosen = assign_by_prices(p, quick, lam)
    first_plan_s = time.monotonic() - t0
    mark(plan_value(quick, chosen), float("inf"))
    # 2. Every eligible pair, once; candidates: each need's cheapest offers and a sample.
    full = scan_all(p)
    per_need = opt.candidates_per_need if full.size < 20_000_000 else opt.candidates_per_need // 2
    pairs, chosen = _merge(p, quick, full.candidates(p, per_need, opt.seed), chosen)
    # 3. Prices: start from each city's market-clearing price per place, then minimise the
    #    smoothed Lagrangian on the candidates; plan from them.
    scan_s = 0.05 + full.size / 2e7  # a pricing pass, roughly
    reserve = 2 * scan_s + 0.15 * opt.time_limit_s  # a pricing pass, greedy, local search
    bound_lam = lam if instance.prices else _market_prices(p)
    bound = float(np.dot(bound_lam, p.cap) + full.price(p, bound_lam)[0].sum())
    mark(plan_value(pairs, chosen), bound)  # after the scan
    taus = ((0.2, 60), (0.05, 60), (0.015, 60)) if pairs.size < 1_000_000 else ((0.03, 60),)
    lam = _prices(p, pairs, bound_lam, taus, deadline - reserve)
    chosen = _better(pairs, chosen, assign_by_prices(p, pairs, lam))
    mark(plan_value(pairs, chosen), bound)  # after pricing the candidates
    # 4. Price every eligible pair: a certified bound, and the pairs the candidates missed.
    last = float("inf")
    while True:
        cand = np.zeros(p.n_needs)
        if pairs.size:
            cand[pairs.needs] = np.maximum.reduceat(
                pairs.w - lam[pairs.offer] * pairs.load, pairs.starts
            )
        t_scan = time.monotonic()
        best, arg, wbest, found = full.price(p, lam, thr=np.maximum(cand, 0.0), extra=6)
        scan_s = time.monotonic() - t_scan
        round_bound = float(np.dot(lam, p.cap) + best.sum())
        settled = round_bound > last * (1.0 - 1e-4)  # the last round gained under 0.01%
        last = round_bound
        if round_bound < bound:
            bound, bound_lam = round_bound, lam
        mark(plan_value(pairs, chosen), bound)
        if found[0].size == 0 or settled or time.monotonic() + reserve > deadline:
            break
        missing = np.flatnonzero(arg >= 0)
        extra = make_pairs(
            p,
            np.concatenate([found[0], missing]),
            np.concatenate([found[1], arg[missing]]),
            np.concatenate([found[2], wbest[missing]]),
        )
        pairs, chosen = _merge(p, pairs, extra, chosen)
        lam = _prices(p, pairs, lam, ((0.015, 40),), deadline - reserve)
        chosen = _better(pairs, chosen, assign_by_prices(p, pairs, lam))
    # 5. Never worse than first-come-first-served; then local search with what time is left.
    chosen = _better(pairs, chosen, first_come_first_served(p, pairs, waiting_order(p)))
    chosen = improve(p, pairs, chosen, deadline - 0.2)
    mark(plan_value(pairs, chosen), bound)
    return _result(
        p, pairs, chosen, bound_lam, bound, None,
        method="prices", optimal=False, first_plan_s=first_plan_s,
        final_plan_s=time.monotonic() - t0, trace=trace,
    )  # fmt: skip


def _market_prices(p: Problem) -> F64:
    """Per city, the value per place of the last party that would fit if places went to
    the highest value per place first: a cheap first guess at the prices."""
    lam = np.zeros(p.n_offers)
    for c in range(p.n_cities):
        nn = np.flatnonzero((p.n_city == c) & p.active)
        oo = np.flatnonzero((p.o_city == c) & (p.cap > 0))
        if nn.size == 0 or oo.size == 0:
            continue
        mean_size = float(p.size[nn].mean())
        per_party = np.minimum(p.fit[oo], mean_size)
        supply = float(np.where(p.exclusive[oo], per_party, p.cap[oo]).sum())
        density = p.base[nn] / p.size[nn]
        order = np.argsort(-density)
        k = int(np.searchsorted(np.cumsum(p.size[nn][order]), supply))
        price = 0.85 * float(density[order[k]]) if k < nn.size else 0.0
        lam[oo] = np.where(p.exclusive[oo], price * per_party, price)
    return lam


def _prices(
    p: Problem, pairs: Pairs, lam: F64, taus: tuple[tuple[float, int], ...], until: float
) -> F64:
    """Smoothed-dual prices, by decreasing temperature (and at most so many evaluations
    each), while time allows."""
    for tau, evals in taus:
        if time.monotonic() > until:
            break
        lam = _solver.smoothed_prices(
            pairs.offer, pairs.w, pairs.load, pairs.starts, p.cap, lam, tau, evals, until
        )
    return lam


def _merge(p: Problem, a: Pairs, b: Pairs, chosen: I64) -> tuple[Pairs, I64]:
    """``a`` and ``b`` together, and ``chosen`` (indices into ``a``) re-indexed."""
    merged = merge_pairs(p, a, b.need, b.offer, b.w)
    return merged, _remap(p, a, merged, chosen)


def _better(pairs: Pairs, a: I64, b: I64) -> I64:
    return b if plan_value(pairs, b) > plan_value(pairs, a) else a


def _remap(p: Problem, old: Pairs, new: Pairs, chosen: I64) -> I64:
    """The same plan, as indices into ``new`` (a superset of ``old``)."""
    out = chosen.copy()
    placed = np.flatnonzero(chosen >= 0)
    ks = chosen[placed]
    new_keys = new.need * p.n_offers + new.offer
    out[placed] = np.searchsorted(new_keys, old.need[ks] * p.n_offers + old.offer[ks])
    return out


def _solve_exact(
    p: Problem,
    pairs: Pairs,
    chosen: I64,
    lam: F64,
    opt: SolveOptions,
    t0: float,
    deadline: float,
    first_plan_s: float,
    trace: list[TracePoint],
    mark: Callable[[float, float], None],
) -> Result:
    needs_local = np.searchsorted(pairs.needs, pairs.need)
    left = max(0.5, deadline - time.monotonic())
    lp = _solver.lp_prices(needs_local, pairs.offer, pairs.w, pairs.load, p.cap, left / 3)
    taus = ((0.1, 80), (0.03, 80), (0.01, 80))
    lam = lp if lp is not None else _prices(p, pairs, lam, taus, deadline - left / 2)
    bound = lagrangian(p, pairs, lam)  # every eligible pair is in ``pairs``
    chosen = _better(pairs, chosen, assign_by_prices(p, pairs, lam))
    mark(plan_value(pairs, chosen), bound)
    left = max(0.5, 0.9 * (deadline - time.monotonic()))  # keep a little for local search
    answer = _solver.mip(needs_local, pairs.offer, pairs.w, pairs.load, p.cap, left, opt.mip_gap)
    mip_bound: float | None = None
    optimal = False
    if answer is not None:
        mip_chosen = np.full(p.n_needs, -1, dtype=np.int64)
        ks = np.flatnonzero(answer.x > 0.5)
        mip_chosen[pairs.need[ks]] = ks
        chosen = _better(pairs, chosen, mip_chosen)
        mip_bound = answer.bound
        optimal = answer.optimal
    if not optimal:
        chosen = _better(pairs, chosen, first_come_first_served(p, pairs, waiting_order(p)))
        chosen = improve(p, pairs, chosen, deadline)
    value = plan_value(pairs, chosen)
    mark(value, bound if mip_bound is None else min(bound, mip_bound))
    return _result(
        p, pairs, chosen, lam, bound, mip_bound,
        method="mip" if answer is not None else "prices", optimal=optimal,
        first_plan_s=first_plan_s, final_plan_s=time.monotonic() - t0, trace=trace,
    )  # fmt: skip
