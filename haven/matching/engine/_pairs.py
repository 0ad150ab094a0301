"""Sparse candidate pairs, prices and the Lagrangian bound.

For prices ``lam[o] >= 0`` on offer capacity, the Lagrangian function

    L(lam) = sum_o lam[o] * cap[o] + sum_n max(0, max_o (w[n, o] - lam[o] * load[n, o]))

is an upper bound on the LP relaxation, hence on every feasible plan, whatever ``lam`` is.
Its minimum over ``lam`` is the LP bound. Prices also steer the primal heuristics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._problem import F64, I64, Problem, iter_pairs, map_needs


@dataclass(frozen=True, eq=False)
class Pairs:
    """Candidate pairs sorted by need; ``starts``/``needs`` describe the segments."""

    need: I64
    offer: I64
    w: F64
    load: I64
    needs: I64  # the needs having at least one pair, ascending
    starts: I64  # first pair of each of those needs

    @property
    def size(self) -> int:
        return int(self.need.size)


def make_pairs(p: Problem, need: I64, offer: I64, w: F64) -> Pairs:
    key = need * p.n_offers + offer
    key, first = np.unique(key, return_index=True)  # sorts by need then offer, drops repeats
    need, offer, w = need[first], offer[first], w[first]
    needs, starts = np.unique(need, return_index=True)
    return Pairs(need, offer, w, p.load(need, offer), needs, starts)


def merge_pairs(p: Problem, a: Pairs, need: I64, offer: I64, w: F64) -> Pairs:
    return make_pairs(
        p,
        np.concatenate([a.need, need]),
        np.concatenate([a.offer, offer]),
        np.concatenate([a.w, w]),
    )


def _groups(n: npt.NDArray[np.integer[Any]]) -> tuple[I64, I64]:
    """Starts and lengths of the runs of equal values in ``n``."""
    starts = np.flatnonzero(np.r_[True, n[1:] != n[:-1]])
    return starts, np.diff(np.r_[starts, n.size])


def _collect(
    p: Problem, needs: I64, per_need: int | None, seed: int, sample: int | None
) -> tuple[I64, I64, F64]:
    rng = np.random.default_rng(seed + int(needs[0]) if needs.size else seed)
    parts_n: list[I64] = []
    parts_o: list[I64] = []
    parts_w: list[F64] = []
    for n, o, w in iter_pairs(p, needs, sample):
        if per_need is not None and n.size:
            starts, lengths = _groups(n)
            rank = np.arange(n.size) - np.repeat(starts, lengths)
            half = per_need // 2
            # the cheapest (offers come in price order) and a random sample of the rest
            keep = (rank < half) | (rng.random(n.size) < half / np.repeat(lengths, lengths))
            n, o, w = n[keep], o[keep], w[keep]
        parts_n.append(n)
        parts_o.append(o)
        parts_w.append(w)
    if not parts_n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(parts_n), np.concatenate(parts_o), np.concatenate(parts_w)


def collect_pairs(
    p: Problem,
    per_need: int | None,
    seed: int = 0,
    workers: int = 2,
    sample: int | None = None,
) -> Pairs:
    """All eligible pairs (``per_need=None``) or, per need and city reached, the
    ``per_need // 2`` cheapest and about as many others drawn at random. ``sample``: see
    :func:`iter_pairs`."""
    parts = map_needs(p, lambda needs: _collect(p, needs, per_need, seed, sample), workers)
    return make_pairs(
        p,
        np.concatenate([x[0] for x in parts]),
        np.concatenate([x[1] for x in parts]),
        np.concatenate([x[2] for x in parts]),
    )


def best_per_need(pairs: Pairs, values: F64) -> tuple[F64, I64]:
    """Max of ``values`` over each need's segment, and the index of the pair reaching it."""
    if pairs.size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    best = np.maximum.reduceat(values, pairs.starts)
    seg = np.repeat(np.arange(pairs.starts.size), np.diff(np.append(pairs.starts, pairs.size)))
    hit = values == best[seg]
    idx = np.flatnonzero(hit)
    first = np.unique(seg[idx], return_index=True)[1]
    return best, idx[first]


def lagrangian(p: Problem, pairs: Pairs, lam: F64) -> float:
    """L(lam) restricted to ``pairs`` (a bound only when pairs hold every eligible pair)."""
    reduced = pairs.w - lam[pairs.offer] * pairs.load
    best, _ = best_per_need(pairs, reduced)
    return float(np.dot(lam, p.cap) + np.maximum(best, 0.0).sum())


def _price(
    p: Problem, lam: F64, needs: I64, thr: F64 | None, extra: int
) -> tuple[I64, F64, I64, F64, tuple[I64, I64, F64]]:
    best = np.zeros(p.n_needs)
    arg = np.full(p.n_needs, -1, dtype=np.int64)
    wbest = np.zeros(p.n_needs)
    found_n: list[I64] = []
    found_o: list[I64] = []
    found_w: list[F64] = []
    for n, o, w in iter_pairs(p, needs):
        if n.size == 0:
            continue
        red = w - lam[o] * p.load(n, o)
        starts, lengths = _groups(n)
        top = np.maximum.reduceat(red, starts)
        hit = np.flatnonzero(red == np.repeat(top, lengths))
        hit = hit[np.r_[True, n[hit][1:] != n[hit][:-1]]]  # first best pair of each need
        better = red[hit] > best[n[hit]]
        k = hit[better]
        best[n[k]] = red[k]
        arg[n[k]] = o[k]
        wbest[n[k]] = w[k]
        if thr is not None and extra > 0:
            v = np.flatnonzero(red > thr[n] + 1e-9)
            if v.size:
                vs, vl = _groups(n[v])
                v = v[(np.arange(v.size) - np.repeat(vs, vl)) < extra]
                found_n.append(n[v])
                found_o.append(o[v])
                found_w.append(w[v])
    cat = (
        (np.concatenate(found_n), np.concatenate(found_o), np.concatenate(found_w))
        if found_n
        else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    )
    return needs, best[needs], arg[needs], wbest[needs], cat


def price_all(
    p: Problem, lam: F64, workers: int = 2, thr: F64 | None = None, extra: int = 0
) -> tuple[F64, I64, F64, tuple[I64, I64, F64]]:
    """One scan over every eligible pair: per need, the best positive reduced value
    ``w - lam * load`` (0 if none), its offer (-1 if none) and that pair's weight; the
    Lagrangian bound is ``lam @ cap + best.sum()``. With ``thr`` (per need), also up to
    ``extra`` pairs per need and city whose reduced value beats it: columns to add."""
    best = np.zeros(p.n_needs)
    arg = np.full(p.n_needs, -1, dtype=np.int64)
    wbest = np.zeros(p.n_needs)
    cols: list[tuple[I64, I64, F64]] = []
    for needs, b, a, wb, found in map_needs(
        p, lambda needs: _price(p, lam, needs, thr, extra), workers
    ):
        best[needs], arg[needs], wbest[needs] = b, a, wb
        cols.append(found)
    return (
        best,
        arg,
        wbest,
        (
            np.concatenate([c[0] for c in cols]),
            np.concatenate([c[1] for c in cols]),
            np.concatenate([c[2] for c in cols]),
        ),
    )


@dataclass(frozen=True, eq=False)
class AllPairs:
    """Every eligible pair, kept compactly, so that pricing passes need no new scan.

    Pairs come in runs (``gstart``) of one need (``gneed``); a need may have several runs
    (one per city it reaches). Within a run, offers are in price order."""

    need: npt.NDArray[np.int32]
    offer: npt.NDArray[np.int32]
    w: F64
    load: npt.NDArray[np.int16]
    gstart: I64
    gneed: I64

    @property
    def size(self) -> int:
        return int(self.w.size)

    def price(
        self, p: Problem, lam: F64, thr: F64 | None = None, extra: int = 0
    ) -> tuple[F64, I64, F64, tuple[I64, I64, F64]]:
        """Same as :func:`price_all`, from memory."""
        best = np.zeros(p.n_needs)
        arg = np.full(p.n_needs, -1, dtype=np.int64)
        wbest = np.zeros(p.n_needs)
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
        if self.size == 0:
            return best, arg, wbest, empty
        red = self.w - lam[self.offer] * self.load
        top = np.maximum.reduceat(red, self.gstart)
        np.maximum.at(best, self.gneed, top)
        lengths = np.diff(np.r_[self.gstart, red.size])
        hit = np.flatnonzero(red == np.repeat(best[self.gneed], lengths))
        hit = hit[red[hit] > 0]
        nh = self.need[hit]
        first = np.unique(nh, return_index=True)[1]
        k = hit[first]
        arg[self.need[k]] = self.offer[k]
        wbest[self.need[k]] = self.w[k]
        if thr is None or extra <= 0:
            return best, arg, wbest, empty
        v = np.flatnonzero(red > thr[self.need] + 1e-9)
        if v.size:
            vs, vl = _groups(self.need[v])
            v = v[(np.arange(v.size) - np.repeat(vs, vl)) < extra]
        return (
            best,
            arg,
            wbest,
            (self.need[v].astype(np.int64), self.offer[v].astype(np.int64), self.w[v]),
        )

    def candidates(self, p: Problem, per_need: int, seed: int) -> Pairs:
        """Per run, the ``per_need // 2`` cheapest pairs and a random share of the rest."""
        if self.size == 0:
            return make_pairs(p, self.need.astype(np.int64), self.offer.astype(np.int64), self.w)
        rng = np.random.default_rng(seed)
        lengths = np.diff(np.r_[self.gstart, self.size])
        rank = np.arange(self.size) - np.repeat(self.gstart, lengths)
        half = per_need // 2
        keep = (rank < half) | (rng.random(self.size) < half / np.repeat(lengths, lengths))
        k = np.flatnonzero(keep)
        return make_pairs(
            p, self.need[k].astype(np.int64), self.offer[k].astype(np.int64), self.w[k]
        )


def _scan(
    p: Problem, needs: I64
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], F64, npt.NDArray[np.int16]]:
    ns: list[npt.NDArray[np.int32]] = []
    os_: list[npt.NDArray[np.int32]] = []
    ws: list[F64] = []
    loads: list[npt.NDArray[np.int16]] = []
    for n, o, w in iter_pairs(p, needs):  # narrow types block by block, while in cache
        ns.append(n.astype(np.int32))
        os_.append(o.astype(np.int32))
        ws.append(w)
        loads.append(np.where(p.exclusive[o], 1, p.size[n]).astype(np.int16))
    if not ns:
        return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int16)
    return np.concatenate(ns), np.concatenate(os_), np.concatenate(ws), np.concatenate(loads)


def scan_all(p: Problem, workers: int = 1) -> AllPairs:
    """One scan over every eligible pair, kept in memory (about 20 bytes a pair). One
    process by default: sending tens of millions of pairs back from a worker through a
    pipe costs more than the scan it saves."""
    parts = map_needs(p, lambda needs: _scan(p, needs), workers)
    if len(parts) == 1:
        need, offer, w, load = parts[0]
    else:
        need, offer, w, load = (np.concatenate([x[k] for x in parts]) for k in range(4))
    gstart = (
        np.flatnonzero(np.r_[True, need[1:] != need[:-1]]) if need.size else np.zeros(0, np.int64)
    )
    return AllPairs(need, offer, w, load, gstart, need[gstart].astype(np.int64))
