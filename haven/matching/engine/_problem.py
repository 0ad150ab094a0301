"""The instance compiled to arrays, and the vectorised scan over candidate pairs.

Candidate pairs are sparse: a need only reaches offers within its radius, so the scan
buckets both sides by city and only compares buckets whose centres are close enough (the
triangle inequality makes the skip exact). Within a bucket, pairs are tested in blocks of
rows (needs) against columns (offers) with numpy, using the same rules as ``_rules``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from ._model import HostKind, Instance, Need, Offer
from ._rules import (
    EARTH_RADIUS_KM,
    allowed_host_kinds,
    min_cosine,
    need_value,
    needed_nights,
    unit_vector,
    waiting_days,
)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
B = npt.NDArray[np.bool_]

_KIND_BIT = {kind: 1 << i for i, kind in enumerate(HostKind)}
_BLOCK_CELLS = 1 << 16  # small blocks stay in cache: 3x faster than 1 << 20
T = TypeVar("T")


class InstanceError(ValueError):
    """A malformed or inconsistent instance. The message starts with the path of the field
    at fault, e.g. ``needs[3].party.adults: must be an integer >= 0``."""


@dataclass(frozen=True, eq=False)
class Problem:
    """Struct-of-arrays view of an :class:`Instance`; needs and offers keep their order."""

    instance: Instance
    need_ids: tuple[str, ...]
    offer_ids: tuple[str, ...]
    # needs
    size: I64
    active: B  # free, not a minor, not locked: may be placed by this run
    base: F64  # need_value(): worth of housing the party, before penalties
    nxyz: F64  # unit vectors, shape (n, 3)
    min_cos: F64  # reach: cosine of the largest angle accepted
    radius: F64
    d_from: I32
    d_to: I32
    nights: I32
    budget: F64
    no_smoking: B
    prefers_collective: B
    n_code: I64  # index into ``compatible`` rows: flags, tier, host kinds, languages
    n_city: I64
    # offers
    cap: I64  # free capacity: places (shared) or 1/0 slot (exclusive)
    fit: I64  # the largest party the offer can take: beds (exclusive) or free places
    exclusive: B
    oxyz: F64
    oxyz_t: F64  # the same, transposed and contiguous: a 15x faster product
    o_from: I32
    o_to: I32
    price: F64
    smoking: B
    org: B
    o_code: I64
    o_city: I64
    compatible: B  # (need codes, offer codes): the pair-independent hard rules
    forbidden: I64  # sorted keys need * n_offers + offer
    flagged: tuple[str, ...]
    n_cities: int

    @property
    def n_needs(self) -> int:
        return len(self.need_ids)

    @property
    def n_offers(self) -> int:
        return len(self.offer_ids)

    def load(self, rows: I64, cols: I64) -> I64:
        """Places a need takes from an offer: its size (shared) or the one slot (exclusive)."""
        out: I64 = np.where(self.exclusive[cols], 1, self.size[rows])
        return out


def _bool(values: list[bool]) -> B:
    return np.array(values, dtype=np.bool_)


def _codes(words: list[tuple[Any, ...]]) -> tuple[I64, list[tuple[Any, ...]]]:
    index: dict[tuple[Any, ...], int] = {}
    codes = np.array([index.setdefault(w, len(index)) for w in words], dtype=np.int64)
    return codes, list(index)


def _word_ok(nw: tuple[Any, ...], ow: tuple[Any, ...]) -> bool:
    pets, children, access, min_tier, kinds, nlang = nw
    pets_ok, children_ok, accessible, tier, kind, olang = ow
    return (
        (pets_ok or not pets)
        and (children_ok or not children)
        and (accessible or not access)
        and tier >= min_tier
        and kind in kinds
        and (not nlang or not olang or bool(nlang & olang))
    )


def compile_problem(instance: Instance) -> Problem:
    """Build the arrays; raises :class:`InstanceError` on dangling ids or broken locks."""
    needs, offers, w = instance.needs, instance.offers, instance.weights
    need_index = {n.id: i for i, n in enumerate(needs)}
    offer_index = {o.id: j for j, o in enumerate(offers)}
    if len(need_index) != len(needs):
        raise InstanceError("needs: ids must be unique")
    if len(offer_index) != len(offers):
        raise InstanceError("offers: ids must be unique")

    items: list[Need | Offer] = [*needs, *offers]
    languages: dict[str, int] = {}
    for item in items:
        for code in item.languages:
            languages.setdefault(code, len(languages))

    def lang_mask(codes: tuple[str, ...]) -> int:
        mask = 0
        for code in codes:
            mask |= 1 << languages[code]
        return mask

    cities: dict[str, int] = {}
    for item in items:
        cities.setdefault(item.city, len(cities))

    size = np.array([n.party.size for n in needs], dtype=np.int64)
    beds = np.array([o.capacity for o in offers], dtype=np.int64)
    exclusive = _bool([o.exclusive for o in offers])
    free_cap = np.where(exclusive, 1, beds)
    active = np.array([not n.unaccompanied_minors for n in needs], dtype=np.bool_)
    for k, pair in enumerate(instance.locked):
        i = need_index.get(pair.need)
        j = offer_index.get(pair.offer)
        if i is None:
            raise InstanceError(f"locked[{k}].need: unknown need {pair.need!r}")
        if j is None:
            raise InstanceError(f"locked[{k}].offer: unknown offer {pair.offer!r}")
        if not active[i]:
            raise InstanceError(
                f"locked[{k}].need: need {pair.need!r} is locked twice or cannot be placed"
            )
        active[i] = False
        free_cap[j] -= 1 if exclusive[j] else size[i]
        if free_cap[j] < 0 or size[i] > beds[j]:
            raise InstanceError(
                f"locked[{k}].offer: offer {pair.offer!r} is over capacity with its locked needs"
            )
    keys: list[int] = []
    for k, pair in enumerate(instance.forbidden):
        i = need_index.get(pair.need)
        j = offer_index.get(pair.offer)
        if i is None:
            raise InstanceError(f"forbidden[{k}].need: unknown need {pair.need!r}")
        if j is None:
            raise InstanceError(f"forbidden[{k}].offer: unknown offer {pair.offer!r}")
        keys.append(i * len(offers) + j)

    n_code, n_words = _codes(
        [
            (
                n.party.pets > 0,
                n.party.children > 0,
                n.accessibility,
                int(n.min_tier),
                allowed_host_kinds(n),
                lang_mask(n.languages),
            )
            for n in needs
        ]
    )
    o_code, o_words = _codes(
        [
            (
                o.pets_allowed,
                o.children_allowed,
                o.accessible,
                int(o.tier),
                o.host_kind,
                lang_mask(o.languages),
            )
            for o in offers
        ]
    )
    compatible = np.array(
        [[_word_ok(nw, ow) for ow in o_words] for nw in n_words], dtype=np.bool_
    ).reshape(len(n_words), len(o_words))
    fit = np.where(exclusive & (free_cap > 0), beds, free_cap)
    oxyz = np.array([unit_vector(o.lat, o.lon) for o in offers], dtype=float).reshape(-1, 3)
    return Problem(
        instance=instance,
        need_ids=tuple(need_index),
        offer_ids=tuple(offer_index),
        size=size,
        active=active & (size > 0),
        base=np.array([need_value(n, w, waiting_days(n, instance)) for n in needs], dtype=float),
        nxyz=np.array([unit_vector(n.lat, n.lon) for n in needs], dtype=float).reshape(-1, 3),
        min_cos=np.array([min_cosine(n.max_distance_km) for n in needs], dtype=float),
        radius=np.array([n.max_distance_km for n in needs], dtype=float),
        d_from=np.array([n.date_from.toordinal() for n in needs], dtype=np.int32),
        d_to=np.array([n.date_to.toordinal() for n in needs], dtype=np.int32),
        nights=np.array([max(1, needed_nights(n)) for n in needs], dtype=np.int32),
        budget=np.array(
            [np.inf if n.budget_per_night is None else n.budget_per_night for n in needs],
            dtype=float,
        ),
        no_smoking=_bool([n.no_smoking for n in needs]),
        prefers_collective=_bool([n.prefers_collective for n in needs]),
        n_code=n_code,
        n_city=np.array([cities[n.city] for n in needs], dtype=np.int64),
        cap=free_cap,
        fit=fit,
        exclusive=exclusive,
        oxyz=oxyz,
        oxyz_t=np.ascontiguousarray(oxyz.T),
        o_from=np.array([o.date_from.toordinal() for o in offers], dtype=np.int32),
        o_to=np.array([o.date_to.toordinal() for o in offers], dtype=np.int32),
        price=np.array([o.price_per_night for o in offers], dtype=float),
        smoking=_bool([o.smoking for o in offers]),
        org=_bool([o.host_kind is HostKind.ORGANISATION for o in offers]),
        o_code=o_code,
        o_city=np.array([cities[o.city] for o in offers], dtype=np.int64),
        compatible=compatible,
        forbidden=np.unique(np.array(keys, dtype=np.int64)),
        flagged=tuple(n.id for n in needs if n.unaccompanied_minors),
        n_cities=len(cities),
    )


def _angle(a: F64, b: F64) -> F64:
    out: F64 = np.arccos(np.clip(a @ b.T, -1.0, 1.0))
    return out


def block_pairs(p: Problem, rows: I64, cols: I64) -> tuple[I64, I64, F64]:
    """The eligible pairs of a block, as (need, offer, weight), grouped by need in the order
    of ``rows``. ``rows`` must be active needs, ``cols`` offers with free capacity."""
    # (fancy indexing on the second axis yields a Fortran-ordered array: 4x slower below)
    ok = np.ascontiguousarray(p.compatible[p.n_code[rows]][:, p.o_code[cols]])
    ok &= p.size[rows][:, None] <= p.fit[cols][None, :]
    overlap = np.minimum(p.d_to[rows][:, None], p.o_to[cols][None, :])
    overlap -= np.maximum(p.d_from[rows][:, None], p.o_from[cols][None, :])
    ok &= overlap >= p.nights[rows][:, None]
    ok &= p.price[cols][None, :] <= p.budget[rows][:, None]
    cos = p.nxyz[rows] @ p.oxyz_t[:, cols]
    ok &= cos >= p.min_cos[rows][:, None]
    flat = np.flatnonzero(ok)  # much faster than np.nonzero on a 2-D array
    r = flat // cols.size
    c = flat - r * cols.size
    cos1 = cos.ravel()[flat]
    n, o = rows[r], cols[c]
    if p.forbidden.size:
        keep = ~np.isin(n * p.n_offers + o, p.forbidden)
        n, o, cos1 = n[keep], o[keep], cos1[keep]
    wts = p.instance.weights
    dist = EARTH_RADIUS_KM * np.arccos(np.clip(cos1, -1.0, 1.0))
    w = p.base[n] - wts.distance_per_km * dist
    w -= wts.price_per_1000 * p.price[o] / 1000.0
    w -= wts.smoking_penalty * (p.no_smoking[n] & p.smoking[o])
    w -= wts.collective_penalty * (p.prefers_collective[n] & ~p.org[o])
    keep = w > 0
    return n[keep], o[keep], w[keep]


def iter_pairs(
    p: Problem, needs: I64 | None = None, sample: int | None = None
) -> Iterator[tuple[I64, I64, F64]]:
    """Yield blocks ``(need, offer, weight)`` covering every eligible pair among ``needs``
    (default: all active needs) and offers with free capacity, each pair exactly once.
    Within a block, pairs are grouped by need. ``sample`` looks at only about that many
    offers per city (spread over the price range): a quick first look, not a full scan."""
    if needs is None:
        needs = np.flatnonzero(p.active)
    open_offers = np.flatnonzero(p.cap > 0)
    if needs.size == 0 or open_offers.size == 0:
        return
    # Any point per city serves as its centre; the triangle inequality makes skips exact.
    n_c = np.zeros((p.n_cities, 3))
    np.add.at(n_c, p.n_city, p.nxyz)
    np.add.at(n_c, p.o_city, p.oxyz)
    n_c /= np.maximum(np.linalg.norm(n_c, axis=1), 1e-12)[:, None]
    oc = p.o_city[open_offers]
    o_spread = np.zeros(p.n_cities)
    np.maximum.at(o_spread, oc, np.arccos(np.clip((p.oxyz[open_offers] * n_c[oc]).sum(1), -1, 1)))
    by_price = open_offers[np.lexsort((p.price[open_offers], oc))]
    bounds_o = np.searchsorted(p.o_city[by_price], np.arange(p.n_cities + 1))
    centre_angle = _angle(n_c, n_c)

    order = np.lexsort((p.budget[needs], p.radius[needs], p.n_city[needs]))
    needs = needs[order]
    spread = np.arccos(np.clip((p.nxyz[needs] * n_c[p.n_city[needs]]).sum(1), -1, 1))
    cities, starts = np.unique(p.n_city[needs], return_index=True)
    bounds = [*starts.tolist(), needs.size]
    for c, lo, hi in zip(cities.tolist(), bounds[:-1], bounds[1:], strict=True):
        for c2 in range(p.n_cities):
            cols_all = by_price[bounds_o[c2] : bounds_o[c2 + 1]]
            if cols_all.size == 0:
                continue
            width = cols_all.size if sample is None else min(cols_all.size, sample)
            step = max(1, _BLOCK_CELLS // width)
            for s in range(lo, hi, step):
                rows = needs[s : min(hi, s + step)]
                cols = cols_all
                if sample is not None and cols_all.size > sample:  # each chunk its own share
                    stride = -(-cols_all.size // sample)
                    cols = cols_all[(s // step) % stride :: stride]
                reach = float(p.radius[rows].max()) / EARTH_RADIUS_KM + float(
                    spread[s : min(hi, s + step)].max()
                )
                if centre_angle[c, c2] - o_spread[c2] > reach + 1e-9:
                    continue
                k = int(np.searchsorted(p.price[cols], p.budget[rows].max(), side="right"))
                if k:
                    yield block_pairs(p, rows, cols[:k])


def _child(conn: Any, fn: Callable[[I64], Any], needs: I64) -> None:
    try:
        conn.send(fn(needs))
    finally:
        conn.close()
        os._exit(0)


def map_needs(p: Problem, fn: Callable[[I64], T], workers: int = 2) -> list[T]:
    """Run ``fn`` on interleaved shares of the active needs, in forked processes when
    there are enough needs to pay for them (Linux only); one result per share."""
    needs = np.flatnonzero(p.active)
    if workers <= 1 or needs.size < 20_000 or not sys.platform.startswith("linux"):
        return [fn(needs)]
    ctx = multiprocessing.get_context("fork")
    shares = [needs[k::workers] for k in range(workers)]
    procs = []
    for share in shares[1:]:
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(child, fn, share), daemon=True)
        proc.start()
        child.close()
        procs.append((proc, parent))
    results = [fn(shares[0])]
    for proc, parent in procs:
        try:
            results.append(parent.recv())
        except EOFError:
            raise RuntimeError("a worker scanning candidate pairs died") from None
        finally:
            parent.close()
            proc.join()
    return results
