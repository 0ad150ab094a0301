"""The one module that talks to the solver library (scipy.optimize: HiGHS and L-BFGS-B).

HiGHS calls run in a child process that is killed if it overruns its time limit: HiGHS has
been seen to ignore its own limit.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

# scipy is imported inside the functions that call it: it costs seconds to import, and
# every web process and command imports the engine (for its types) but few ever solve.

from ._problem import F64, I64


@dataclass(frozen=True)
class MipAnswer:
    x: F64  # 0/1 per pair
    objective: float
    bound: float  # the solver's proven upper bound
    optimal: bool


def _matrix(need: I64, offer: I64, load: I64, n_rows: int, n_offers: int) -> sparse.csr_array:
    from scipy import sparse

    k = np.arange(need.size)
    rows = np.concatenate([need, n_rows + offer])
    vals = np.concatenate([np.ones(need.size), load.astype(float)])
    return sparse.csr_array(
        (vals, (rows, np.concatenate([k, k]))), shape=(n_rows + n_offers, need.size)
    )


def _lp_prices(need: I64, offer: I64, w: F64, load: I64, cap: I64) -> F64:
    from scipy.optimize import linprog

    n_rows = int(need.max()) + 1
    a = _matrix(need, offer, load, n_rows, cap.size)
    b = np.concatenate([np.ones(n_rows), cap.astype(float)])
    res = linprog(-w, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"LP failed: {res.message}")
    lam: F64 = np.maximum(0.0, -np.asarray(res.ineqlin.marginals)[n_rows:])
    return lam


def _mip(
    need: I64, offer: I64, w: F64, load: I64, cap: I64, time_limit: float, gap: float
) -> MipAnswer | None:
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_rows = int(need.max()) + 1
    a = _matrix(need, offer, load, n_rows, cap.size)
    ub = np.concatenate([np.ones(n_rows), cap.astype(float)])
    res = milp(
        -w,
        constraints=LinearConstraint(a, -np.inf, ub),
        integrality=np.ones(w.size),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if res.x is None:
        return None
    x = np.round(res.x)
    bound = -float(res.mip_dual_bound) if res.mip_dual_bound is not None else np.inf
    return MipAnswer(x, float(w @ x), max(bound, float(w @ x)), res.status == 0)


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)  # HiGHS prints from C++; keep stdout clean
    os.dup2(devnull, 1)
    try:
        conn.send(("ok", fn(*args)))
    except Exception as exc:  # reported to the parent, which decides
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def _run(fn: Callable[..., Any], args: tuple[Any, ...], limit: float) -> Any:
    """Run ``fn(*args)`` in a child process; None if it fails or overruns ``limit``."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(limit):
            status, value = parent.recv()
            return value if status == "ok" else None
        return None
    except EOFError:
        return None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1.0)
        parent.close()


def lp_prices(need: I64, offer: I64, w: F64, load: I64, cap: I64, limit: float) -> F64 | None:
    """Optimal LP dual prices of the offers' capacity rows (needs are local 0..n-1)."""
    if need.size == 0:
        return np.zeros(cap.size)
    out: F64 | None = _run(_lp_prices, (need, offer, w, load, cap), limit)
    return out


def mip(
    need: I64, offer: I64, w: F64, load: I64, cap: I64, limit: float, gap: float
) -> MipAnswer | None:
    """Exact assignment by branch and bound, under a hard time limit."""
    if need.size == 0:
        return MipAnswer(np.zeros(0), 0.0, 0.0, True)
    out: MipAnswer | None = _run(
        _mip, (need, offer, w, load, cap, max(0.1, limit - 0.5), gap), limit + 2.0
    )
    return out


def smoothed_prices(
    offer: I64,
    w: F64,
    load: I64,
    starts: I64,
    cap: I64,
    lam: F64,
    tau: float,
    max_evals: int,
    until: float,
) -> F64:
    """Minimise the entropy-smoothed Lagrangian
    ``lam @ cap + sum_n tau * log(1 + sum_o exp((w_no - lam_o * load_no) / tau))``
    (an upper bound on the Lagrangian, within ``tau * log(1 + K)`` per need) with L-BFGS-B.
    Smoothing spreads each need's demand over near-equal offers, which plain subgradient
    steps on this very degenerate problem do not."""
    from scipy.optimize import Bounds, minimize

    if w.size == 0:
        return lam
    seg = np.repeat(np.arange(starts.size), np.diff(np.append(starts, w.size)))
    capf = cap.astype(float)
    loadf = load.astype(float)

    best: list[Any] = [np.inf, lam]

    def f(x: F64) -> tuple[float, F64]:
        if time.monotonic() > until:
            raise _OutOfTime
        r = w - x[offer] * loadf
        m = np.maximum(np.maximum.reduceat(r, starts), 0.0)
        e = np.exp((r - m[seg]) / tau)
        s = np.exp(-m / tau) + np.add.reduceat(e, starts)
        value = float(x @ capf + (m + tau * np.log(s)).sum())
        share = e / s[seg]
        grad: F64 = capf - np.bincount(offer, weights=loadf * share, minlength=capf.size)
        if value < best[0]:
            best[0], best[1] = value, x.copy()
        return value, grad

    try:
        res = minimize(
            f,
            lam,
            jac=True,
            method="L-BFGS-B",
            bounds=Bounds(np.zeros(lam.size), np.full(lam.size, np.inf)),
            options={"maxfun": max_evals, "maxiter": max_evals},
        )
        x = res.x if res.fun <= best[0] else best[1]
    except _OutOfTime:
        x = best[1]
    out: F64 = np.maximum(np.asarray(x, dtype=float), 0.0)
    return out


class _OutOfTime(Exception):
    pass
