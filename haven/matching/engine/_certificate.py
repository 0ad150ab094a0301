"""Checking a certificate: the bound recomputed from the instance and the prices alone."""

from __future__ import annotations

import math

import numpy as np

from ._model import Certificate, Instance
from ._pairs import price_all
from ._problem import InstanceError, compile_problem


def verify_certificate(instance: Instance, certificate: Certificate) -> float:
    """Recompute ``sum_o price_o * free_cap_o + sum_n max(0, max_o w_no - price_o * load_no)``
    over every eligible pair of ``instance`` and return it. It is an upper bound on the value
    of any plan for that instance, whatever the prices are, so a caller only has to compare
    it with the objective claimed. Offers without a price have price 0."""
    p = compile_problem(instance)
    lam = np.zeros(p.n_offers)
    index = {oid: j for j, oid in enumerate(p.offer_ids)}
    for oid, price in certificate.prices.items():
        j = index.get(oid)
        if j is None:
            raise InstanceError(f"certificate.prices: unknown offer {oid!r}")
        if not math.isfinite(price) or price < 0:
            raise InstanceError(f"certificate.prices[{oid!r}]: must be a number >= 0")
        lam[j] = price
    best = price_all(p, lam)[0]
    return float(np.dot(lam, p.cap) + best.sum())
