"""Primal plans: first-come-first-served, price-guided rounds, and local improvement.

A plan is an array ``chosen[need] = pair index`` (-1: not placed) over a :class:`Pairs`.
"""

from __future__ import annotations

import time

import numpy as np

from ._pairs import Pairs
from ._problem import F64, I64, Problem


def plan_value(pairs: Pairs, chosen: I64) -> float:
    return float(pairs.w[chosen[chosen >= 0]].sum())


def remaining(p: Problem, pairs: Pairs, chosen: I64) -> I64:
    rem = p.cap.copy()
    c = chosen[chosen >= 0]
    np.subtract.at(rem, pairs.offer[c], pairs.load[c])
    return rem


def first_come_first_served(p: Problem, pairs: Pairs, waiting_order: I64) -> I64:
    """Needs in order of waiting time; each takes its best offer (by weight) with room."""
    chosen = np.full(p.n_needs, -1, dtype=np.int64)
    rem = p.cap.copy().tolist()
    seg_of = np.full(p.n_needs, -1, dtype=np.int64)
    seg_of[pairs.needs] = np.arange(pairs.needs.size)
    ends = np.append(pairs.starts, pairs.size)
    order = np.lexsort((-pairs.w, pairs.need))  # within a need, best weight first
    offer, load = pairs.offer[order].tolist(), pairs.load[order].tolist()
    for n in waiting_order.tolist():
        s = int(seg_of[n])
        if s < 0:
            continue
        for k in range(int(ends[s]), int(ends[s + 1])):
            o = offer[k]
            if load[k] <= rem[o]:
                rem[o] -= load[k]
                chosen[n] = order[k]
                break
    return chosen


def assign_by_prices(p: Problem, pairs: Pairs, lam: F64) -> I64:
    """Rounds of proposals: every unplaced need proposes to its best offer with room, by
    reduced value ``w - lam * load``; each offer accepts the best proposals that fit.
    Pairs with a non-negative reduced value go first, then the rest fill what is left."""
    chosen = np.full(p.n_needs, -1, dtype=np.int64)
    if pairs.size == 0:
        return chosen
    rem = p.cap.copy()
    red = pairs.w - lam[pairs.offer] * pairs.load
    order = np.lexsort((-red, pairs.need))
    pn, po, pl, pr = pairs.need[order], pairs.offer[order], pairs.load[order], red[order]
    for phase_ok in (pr >= 0.0, np.ones(pr.size, dtype=np.bool_)):
        while True:
            live = phase_ok & (chosen[pn] < 0) & (pl <= rem[po])
            idx = np.flatnonzero(live)
            if idx.size == 0:
                break
            first = idx[np.r_[True, pn[idx][1:] != pn[idx][:-1]]]
            first = first[np.lexsort((-pr[first], po[first]))]
            o, a = po[first], pl[first]
            cum = np.cumsum(a)
            gstart = np.flatnonzero(np.r_[True, o[1:] != o[:-1]])
            base = np.repeat(cum[gstart] - a[gstart], np.diff(np.r_[gstart, o.size]))
            acc = first[(cum - base) <= rem[o]]
            chosen[pn[acc]] = order[acc]
            np.subtract.at(rem, po[acc], pl[acc])
    return chosen


def improve(p: Problem, pairs: Pairs, chosen: I64, deadline: float) -> I64:
    """Local search until ``deadline`` (time.monotonic()): for each unplaced need, by
    value, try (1) an offer with room, (2) moving one guest of a full offer to another offer
    with room, (3) replacing a guest worth less (who is then retried elsewhere)."""
    chosen = chosen.copy()
    rem = remaining(p, pairs, chosen).tolist()
    seg_of = {int(n): k for k, n in enumerate(pairs.needs.tolist())}
    ends = np.append(pairs.starts, pairs.size).tolist()
    offer, load, w = pairs.offer.tolist(), pairs.load.tolist(), pairs.w.tolist()
    need_of = pairs.need.tolist()
    guests: dict[int, set[int]] = {}
    for n in np.flatnonzero(chosen >= 0).tolist():
        guests.setdefault(offer[int(chosen[n])], set()).add(int(chosen[n]))
    ch = chosen.tolist()

    def place(k: int) -> None:
        n, o = need_of[k], offer[k]
        ch[n] = k
        rem[o] -= load[k]
        guests.setdefault(o, set()).add(k)

    def unplace(k: int) -> None:
        n, o = need_of[k], offer[k]
        ch[n] = -1
        rem[o] += load[k]
        guests[o].discard(k)

    def try_insert(n: int, depth: int) -> bool:
        s = seg_of.get(n)
        if s is None:
            return False
        ks = sorted(range(ends[s], ends[s + 1]), key=lambda k: -w[k])
        for k in ks:
            if load[k] <= rem[offer[k]]:
                place(k)
                return True
        for k in ks:  # shift one guest elsewhere to make room
            o = offer[k]
            for g in list(guests.get(o, ())):
                if rem[o] + load[g] < load[k]:
                    continue
                m = need_of[g]
                sm = seg_of[m]
                for k2 in range(ends[sm], ends[sm + 1]):
                    o2 = offer[k2]
                    if o2 != o and load[k2] <= rem[o2] and w[k2] - w[g] + w[k] > 1e-12:
                        unplace(g)
                        place(k2)
                        place(k)
                        return True
        if depth > 0:
            return False
        for k in ks:  # evict a cheaper guest, then try to re-home them
            o = offer[k]
            worst = None
            for g in guests.get(o, ()):
                if (
                    rem[o] + load[g] >= load[k]
                    and w[g] < w[k] - 1e-12
                    and (worst is None or w[g] < w[worst])
                ):
                    worst = g
            if worst is not None:
                unplace(worst)
                place(k)
                try_insert(need_of[worst], depth + 1)
                return True
        return False

    todo = [int(n) for n in pairs.needs.tolist() if ch[n] < 0]
    todo.sort(key=lambda n: -float(p.base[n]))
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for i, n in enumerate(todo):
            if i % 256 == 0 and time.monotonic() > deadline:
                break
            if ch[n] < 0 and try_insert(n, 0):
                improved = True
        todo = [n for n in todo if ch[n] < 0]
    return np.array(ch, dtype=np.int64)
