"""Benchmark of Haven's matching engine against first-come-first-served and a plain MIP.

    python bench/matching.py [--size 1k|10k|100k] [--repeat N] [--seed S]

A seeded, realistic Kazakhstan generator (September 2022): needs concentrated near the
Russian border, private hosts of 1-10 places, a few shelters of 50-200 places. Prints a
table, writes JSON and a PNG chart to bench/out/, and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from haven.matching.engine import (
    HostKind,
    Instance,
    Need,
    Offer,
    Pair,
    Party,
    Result,
    SolveOptions,
    Tier,
    greedy,
    solve,
    verify_certificate,
)

OUT = Path(__file__).resolve().parent / "out"

# name: (lat, lon, share of needs, share of offers). Needs gather where people crossed.
CITIES: dict[str, tuple[float, float, float, float]] = {
    "Uralsk": (51.2333, 51.3667, 0.13, 0.07),
    "Aktobe": (50.2839, 57.1669, 0.06, 0.06),
    "Kostanay": (53.2144, 63.6246, 0.08, 0.06),
    "Rudny": (52.9667, 63.1167, 0.01, 0.02),
    "Petropavl": (54.8728, 69.1430, 0.09, 0.05),
    "Kokshetau": (53.2833, 69.3833, 0.02, 0.04),
    "Pavlodar": (52.2873, 76.9674, 0.05, 0.05),
    "Ekibastuz": (51.7236, 75.3236, 0.01, 0.02),
    "Semey": (50.4111, 80.2275, 0.06, 0.04),
    "Oskemen": (49.9483, 82.6278, 0.05, 0.05),
    "Astana": (51.1694, 71.4491, 0.12, 0.12),
    "Karaganda": (49.8047, 73.1094, 0.05, 0.07),
    "Temirtau": (50.0549, 72.9646, 0.01, 0.02),
    "Almaty": (43.2389, 76.8897, 0.12, 0.13),
    "Shymkent": (42.3417, 69.5901, 0.03, 0.06),
    "Taraz": (42.9000, 71.3667, 0.01, 0.03),
    "Kyzylorda": (44.8528, 65.5092, 0.01, 0.02),
    "Atyrau": (47.1164, 51.8827, 0.05, 0.04),
    "Aktau": (43.6481, 51.1722, 0.04, 0.05),
}
SIZES = {"1k": (1_000, 500), "10k": (10_000, 5_000), "100k": (100_000, 50_000)}
NOW = datetime(2022, 9, 27, 12, 0, tzinfo=UTC)
DAY0 = date(2022, 9, 27)
KINDS = [HostKind.WOMAN, HostKind.FAMILY, HostKind.COUPLE, HostKind.MAN]
LANGS: list[tuple[str, ...]] = [("ru",), ("ru", "kk"), ("uk",), ()]


def _choice(rng: np.random.Generator, n: int, values: list[Any], p: list[float]) -> Any:
    return rng.choice(len(values), size=n, p=np.array(p) / sum(p))


def generate_needs(rng: np.random.Generator, n: int, prefix: str = "n") -> list[Need]:
    names = list(CITIES)
    city = _choice(rng, n, names, [CITIES[c][2] for c in names])
    adults = _choice(rng, n, [1, 2, 3, 4], [0.45, 0.4, 0.1, 0.05]) + 1
    children = _choice(rng, n, [0, 1, 2, 3, 4], [0.55, 0.2, 0.15, 0.07, 0.03])
    elderly = _choice(rng, n, [0, 1, 2], [0.85, 0.1, 0.05])
    wc_only = rng.random(n) < 0.12
    minors = rng.random(n) < 0.003
    radius = np.array([25.0, 60.0, 300.0])[_choice(rng, n, [0, 1, 2], [0.7, 0.2, 0.1])]
    start = rng.integers(0, 28, n)  # arrivals over four weeks
    stay = rng.integers(3, 31, n)
    min_nights = rng.integers(2, 8, n)
    budget_kind = _choice(rng, n, [0, 1, 2], [0.4, 0.3, 0.3])
    budget = rng.integers(3, 16, n) * 1000
    tier = _choice(rng, n, [0, 1, 2], [0.7, 0.2, 0.1])
    langs = _choice(rng, n, LANGS, [0.75, 0.1, 0.03, 0.12])
    waited = np.minimum(rng.exponential(2.0, n), 14.0)
    flags = rng.random((n, 8))
    out = []
    for i in range(n):
        c = names[city[i]]
        lat, lon = CITIES[c][0], CITIES[c][1]
        a, ch, el = int(adults[i]), int(children[i]), int(elderly[i])
        if minors[i]:
            a, ch, el = 0, int(children[i]) + 1, 0
        elif wc_only[i]:
            a, el = min(a, 2), 0
        a, ch, el = min(a, 8), min(ch, 8 - min(a, 8)), min(el, max(0, 8 - a - ch))
        out.append(
            Need(
                id=f"{prefix}{i}",
                party=Party(
                    adults=a, children=ch, elderly=el,
                    pets=int(flags[i, 0] < 0.15),
                    disabled=int(flags[i, 1] < 0.05) if a + ch + el else 0,
                ),
                city=c,
                lat=lat + rng.normal(0, 0.04),
                lon=lon + rng.normal(0, 0.06),
                date_from=DAY0 + timedelta(days=int(start[i])),
                date_to=DAY0 + timedelta(days=int(start[i] + stay[i])),
                waiting_since=NOW - timedelta(days=float(waited[i])),
                max_distance_km=float(radius[i]),
                min_nights=None if flags[i, 2] < 0.5 else int(min_nights[i]),
                budget_per_night=(0.0, None, float(budget[i]))[budget_kind[i]],
                min_tier=Tier(int(tier[i])),
                languages=LANGS[langs[i]],
                accessibility=bool(flags[i, 3] < 0.04),
                women_children_only=bool(wc_only[i] and not minors[i]),
                unaccompanied_minors=bool(minors[i]),
                women_hosts_only=bool(flags[i, 4] < 0.03),
                collective_only=bool(flags[i, 5] < 0.04),
                no_smoking=bool(flags[i, 6] < 0.3),
                prefers_collective=bool(flags[i, 7] < 0.05),
            )
        )  # fmt: skip
    return out


def generate_offers(rng: np.random.Generator, n: int) -> list[Offer]:
    names = list(CITIES)
    city = _choice(rng, n, names, [CITIES[c][3] for c in names])
    shelter = rng.random(n) < 0.003
    cap = _choice(rng, n, list(range(1, 11)), [8, 20, 18, 16, 10, 8, 5, 5, 4, 6]) + 1
    shelter_cap = rng.integers(50, 201, n)
    kind = _choice(rng, n, KINDS, [0.2, 0.35, 0.25, 0.2])
    start = rng.integers(-7, 28, n)
    length = rng.integers(7, 45, n)
    price = rng.integers(2, 21, n) * 1000
    tier = _choice(rng, n, [0, 1, 2], [0.5, 0.3, 0.2])
    langs = _choice(rng, n, LANGS, [0.6, 0.3, 0.0, 0.1])
    flags = rng.random((n, 6))
    out = []
    for j in range(n):
        c = names[city[j]]
        lat, lon = CITIES[c][0], CITIES[c][1]
        is_shelter = bool(shelter[j])
        out.append(
            Offer(
                id=f"o{j}",
                capacity=int(shelter_cap[j] if is_shelter else cap[j]),
                city=c,
                district=f"{c}-{int(flags[j, 0] * 8)}",
                lat=lat + rng.normal(0, 0.04),
                lon=lon + rng.normal(0, 0.06),
                date_from=DAY0 + timedelta(days=int(start[j])),
                date_to=DAY0 + timedelta(days=int(start[j] + length[j] + (60 if is_shelter else 0))),
                host_kind=HostKind.ORGANISATION if is_shelter else KINDS[kind[j]],
                tier=Tier.CHECKED if is_shelter else Tier(int(tier[j])),
                exclusive=bool(not is_shelter and flags[j, 1] < 0.3),
                price_per_night=0.0 if is_shelter or flags[j, 2] < 0.55 else float(price[j]),
                pets_allowed=bool(flags[j, 3] < (0.2 if is_shelter else 0.35)),
                children_allowed=bool(is_shelter or flags[j, 4] < 0.8),
                accessible=bool(flags[j, 5] < (0.6 if is_shelter else 0.1)),
                smoking=bool(not is_shelter and flags[j, 0] < 0.2),
                languages=("ru", "kk") if is_shelter else LANGS[langs[j]],
            )
        )  # fmt: skip
    return out


def generate(size: str, seed: int) -> Instance:
    n, m = SIZES[size]
    rng = np.random.default_rng(seed)
    return Instance(
        needs=tuple(generate_needs(rng, n)), offers=tuple(generate_offers(rng, m)), now=NOW
    )


def most_vulnerable(need: Need) -> bool:
    p = need.party
    return need.women_children_only or p.disabled > 0 or p.elderly > 0 or p.children >= 2


def vulnerable_share(instance: Instance, result: Result) -> float:
    housed = {a.need for a in result.assignments}
    people = [(n.party.size, n.id in housed) for n in instance.needs if most_vulnerable(n)]
    total = sum(s for s, _ in people)
    return sum(s for s, h in people if h) / total if total else 0.0


def run_once(size: str, seed: int, mip_limit: float) -> dict[str, Any]:
    instance = generate(size, seed)
    limit = 10.0 if size == "1k" else 55.0
    res = solve(instance, SolveOptions(time_limit_s=limit))
    checked = verify_certificate(instance, res.certificate)  # an independent full scan
    base = greedy(instance)
    row: dict[str, Any] = {
        "size": size,
        "needs": len(instance.needs),
        "offers": len(instance.offers),
        "first_plan_s": res.first_plan_s,
        "final_plan_s": res.final_plan_s,
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "lagrangian_bound": res.certificate.lagrangian_bound,
        "verified_bound": checked,
        "method": res.method,
        "people_housed": res.people_housed,
        "vulnerable_share": vulnerable_share(instance, res),
        "greedy_s": base.final_plan_s,
        "greedy_objective": base.objective,
        "greedy_people_housed": base.people_housed,
        "greedy_vulnerable_share": vulnerable_share(instance, base),
        "greedy_ratio_to_bound": base.objective / res.bound if res.bound else 1.0,
        "trace": [[t.seconds, t.objective, t.bound] for t in res.trace],
    }
    if mip_limit > 0 and size != "100k":
        t0 = time.monotonic()
        mip = solve(instance, SolveOptions(time_limit_s=mip_limit, exact_max_needs=10**9))
        row.update(
            mip_s=time.monotonic() - t0,
            mip_objective=mip.objective,
            mip_bound=mip.bound,
            mip_gap=mip.gap,
            mip_method=mip.method,
        )
    # Incremental: 1,000 new needs arrive; everything already planned is kept as accepted.
    rng = np.random.default_rng(seed + 1)
    fresh = generate_needs(rng, 1000, prefix="new")
    later = replace(
        instance,
        needs=instance.needs + tuple(fresh),
        locked=tuple(Pair(a.need, a.offer) for a in res.assignments),
        prices=dict(res.certificate.prices),
    )
    inc = solve(later, SolveOptions(time_limit_s=5.0))
    row.update(
        incremental_s=inc.final_plan_s,
        incremental_objective=inc.objective,
        incremental_gap=inc.gap,
        incremental_people_housed=inc.people_housed,
    )
    return row


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(rows[0])
    for key, value in rows[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in rows)
    out["repeat"] = len(rows)
    return out


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'size':>5} {'who':>7} {'first s':>8} {'final s':>8} {'objective':>11} "
        f"{'bound':>11} {'gap':>7} {'housed':>8} {'vuln%':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['size']:>5} {'haven':>7} {r['first_plan_s']:8.2f} {r['final_plan_s']:8.2f} "
            f"{r['objective']:11.1f} {r['bound']:11.1f} {r['gap']:7.2%} "
            f"{r['people_housed']:8d} {r['vulnerable_share']:6.1%}"
        )
        lines.append(
            f"{'':>5} {'fcfs':>7} {r['greedy_s']:8.2f} {r['greedy_s']:8.2f} "
            f"{r['greedy_objective']:11.1f} {r['bound']:11.1f} "
            f"{1 - r['greedy_ratio_to_bound']:7.2%} {r['greedy_people_housed']:8d} "
            f"{r['greedy_vulnerable_share']:6.1%}"
        )
        if "mip_objective" in r and r.get("mip_method") == "mip":
            lines.append(
                f"{'':>5} {'mip':>7} {'':>8} {r['mip_s']:8.2f} {r['mip_objective']:11.1f} "
                f"{r['mip_bound']:11.1f} {r['mip_gap']:7.2%} {'':>8} {'':>6}"
            )
        elif "mip_objective" in r:
            lines.append(
                f"{'':>5} {'mip':>7} no MIP plan within the time limit ({r['mip_s']:.0f} s)"
            )
        else:
            lines.append(f"{'':>5} {'mip':>7} not attempted at this size")
        lines.append(
            f"{'':>5} {'':>7} incremental re-solve after 1,000 new needs: "
            f"{r['incremental_s']:.2f} s; engine/fcfs objective "
            f"{r['objective'] / max(r['greedy_objective'], 1e-9):.3f}"
        )
    return "\n".join(lines)


def chart(rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=(5 * len(rows), 4), squeeze=False)
    for ax, r in zip(axes[0], rows, strict=True):
        t = [p[0] for p in r["trace"]]
        ax.step(t, [p[1] for p in r["trace"]], where="post", label="Haven plan")
        finite = [(p[0], p[2]) for p in r["trace"] if np.isfinite(p[2])]
        if finite:
            ax.step(*zip(*finite, strict=True), where="post", linestyle="--", label="bound")
        ax.axhline(r["greedy_objective"], color="grey", linestyle=":", label="FCFS")
        ax.set_title(f"{r['size']}: {r['needs']:,} needs x {r['offers']:,} offers")
        ax.set_xlabel("seconds")
        ax.set_ylabel("weighted people housed")
        ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "matching.png", dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), action="append")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--mip-limit", type=float, default=60.0, help="0 to skip the plain MIP")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    rows = []
    for size in args.size or list(SIZES):
        runs = [run_once(size, args.seed + k, args.mip_limit) for k in range(args.repeat)]
        rows.append(median_row(runs))
        print(table(rows[-1:]), flush=True)
    (OUT / "matching.json").write_text(json.dumps(rows, indent=2))
    chart(rows)
    print(table(rows))
    last = {k: v for k, v in rows[-1].items() if k != "trace"}
    print(json.dumps(last))


if __name__ == "__main__":
    main()
