"""The estimator proper: reputation, Little's-law rates, robust recency-weighted waits, flags.

Times are float hours since the Unix epoch inside this module; datetimes only at the edges.
Everything is causal: an answer "at t" uses only reports submitted and decisions taken by t.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from ._model import (
    DEFAULT_PARAMS,
    Action,
    Board,
    Decision,
    Estimate,
    Flag,
    FlagState,
    FlagStatus,
    Kind,
    Mode,
    Params,
    Report,
    ReporterTrust,
    Trend,
    TrustState,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
GroupKey = tuple[str, str, Mode]

_INF = math.inf
_MIN_WAIT_H = 1.0 / 60.0
_MIN_UNITS = 0.5
_FLAG_ORDER = tuple(Flag)


def _hours(moment: datetime) -> float:
    return moment.timestamp() / 3600.0


def _datetime(hours: float) -> datetime:
    return datetime.fromtimestamp(hours * 3600.0, tz=UTC)


def weighted_quantile(values: Floats, weights: Floats, q: float) -> float:
    """Quantile of a weighted sample, interpolated between weight midpoints."""
    order = np.argsort(values, kind="stable")
    v = values[order]
    w = weights[order]
    total = float(w.sum())
    if v.size == 1 or total <= 0:
        return float(v[0]) if total > 0 or v.size == 1 else float(np.median(v))
    positions = (np.cumsum(w) - 0.5 * w) / total
    return float(np.interp(q, positions, v))


def _latest_per_reporter(idx: Ints, reporters: Ints, times: Floats) -> Ints:
    """Keep, for each reporter, only the index whose time is latest (one account, one vote)."""
    if idx.size <= 1:
        return idx
    ordered = idx[np.argsort(times[idx], kind="stable")][::-1]
    _, first = np.unique(reporters[ordered], return_index=True)
    return np.sort(ordered[first])


@dataclass(slots=True)
class _Group:
    key: GroupKey
    t_obs: Floats  # when the observed wait applied (joined_at, or submission for queue reports)
    avail: Floats  # when the estimator could know it (submitted_at)
    val: Floats  # log wait hours (timed) or log queue units (queue)
    isq: Bools
    elapsed: Floats  # queue reports: hours in the queue so far (t_obs to submission)
    base: Floats  # kind x at-checkpoint x account-age weight
    rep: Ints
    hidden_from: Floats
    first_avail: float
    pair_avail: Floats  # Little's law: same reporter's queue report, then passed control
    pair_logmu: Floats
    pair_rep: Ints
    pair_hidden_from: Floats


@dataclass(slots=True)
class _Claims:
    t: Floats
    rep: Ints
    flag: Ints
    value: Bools
    base: Floats
    hidden_from: Floats
    pass_t: Floats  # passed_at of timed reports, any mode (evidence against "closed")
    pass_avail: Floats
    pass_rep: Ints
    pass_hidden_from: Floats


class _Engine:
    def __init__(
        self,
        reports: Sequence[Report],
        decisions: Sequence[Decision],
        params: Params,
        trust: TrustState | None,
    ) -> None:
        self.p = params
        p = params
        self.decisions = sorted(decisions, key=lambda d: d.at)
        self.decision_times = [_hours(d.at) for d in self.decisions]
        hide_at: dict[str, float] = {}
        for d in self.decisions:
            if d.action is Action.HIDE_REPORT and d.report_id is not None:
                hide_at.setdefault(d.report_id, _hours(d.at))

        self.names: list[str] = []
        self.index: dict[str, int] = {}
        created: list[float] = []

        def reporter(name: str, created_at: datetime) -> int:
            at = self.index.get(name)
            if at is None:
                at = len(self.names)
                self.index[name] = at
                self.names.append(name)
                created.append(_hours(created_at))
            else:
                created[at] = min(created[at], _hours(created_at))
            return at

        if trust is not None:
            for item in trust.reporters:
                reporter(item.reporter, item.created_at)
        ordered = sorted(reports, key=lambda r: (r.submitted_at, r.id))
        rows = [(r, reporter(r.reporter, r.reporter_created_at)) for r in ordered]
        self.created = np.array(created, dtype=np.float64)
        n = len(self.names)
        self.good = np.zeros(n)
        self.bad = np.zeros(n)
        self.judged = np.zeros(n, dtype=np.int64)
        self.as_of = -_INF
        if trust is not None:
            for item in trust.reporters:
                i = self.index[item.reporter]
                self.good[i], self.bad[i], self.judged[i] = item.good, item.bad, item.judged
            if trust.as_of is not None:
                self.as_of = _hours(trust.as_of)
        self.version = 0
        self._trust_cache: tuple[float, int, int, Floats, Bools] | None = None
        self._frozen_cache: dict[int, Bools] = {}
        self._rate_cache: dict[tuple[GroupKey, int, int], float] = {}

        est_h = p.established_age_days * 24.0
        floor = p.new_account_floor

        def base_weight(r: Report, kind_weight: float) -> float:
            age = (_hours(r.submitted_at) - _hours(r.reporter_created_at)) / est_h
            age_factor = floor + (1.0 - floor) * min(1.0, max(0.0, age))
            return (
                kind_weight * (1.0 if r.at_checkpoint else p.weight_not_at_checkpoint) * age_factor
            )

        raw: dict[GroupKey, list[tuple[float, float, float, bool, float, int, float, float]]] = {}
        first_queue: dict[tuple[GroupKey, int], float] = {}
        firsts: dict[GroupKey, float] = {}
        queue_by_rep: dict[tuple[GroupKey, int], list[tuple[float, float, float]]] = {}
        pairs: dict[GroupKey, list[tuple[float, float, int, float]]] = {}
        claims: dict[tuple[str, str], list[tuple[float, int, int, bool, float, float]]] = {}
        passes: dict[tuple[str, str], list[tuple[float, float, int, float]]] = {}
        for r, ri in rows:
            key: GroupKey = (r.checkpoint, r.direction, r.mode)
            sub = _hours(r.submitted_at)
            hid = hide_at.get(r.id, _INF)
            firsts.setdefault(key, sub)
            raw.setdefault(key, [])
            if r.kind is Kind.TIMED and r.joined_at is not None and r.passed_at is not None:
                t0, t1 = _hours(r.joined_at), _hours(r.passed_at)
                wait = max(t1 - t0, _MIN_WAIT_H)
                raw[key].append(
                    (t0, sub, math.log(wait), False, base_weight(r, p.weight_timed), ri, hid, 0.0)
                )
                first_queue.pop((key, ri), None)
                passes.setdefault((r.checkpoint, r.direction), []).append((t1, sub, ri, hid))
                for tq, units, qhid in queue_by_rep.get((key, ri), ()):
                    if t0 - 0.5 <= tq <= t1 - 0.1:
                        mu = max(units, _MIN_UNITS) / (t1 - tq)
                        pairs.setdefault(key, []).append((sub, math.log(mu), ri, min(hid, qhid)))
            elif r.kind is Kind.QUEUE:
                if r.position is not None:
                    units, kind_weight = float(r.position), p.weight_queue
                elif r.vehicles_ahead is not None:
                    units, kind_weight = float(r.vehicles_ahead), p.weight_queue
                else:
                    units = float(r.km or 0.0) * p.units_per_km[r.mode]
                    kind_weight = p.weight_km
                # When did this reporter join? As told, else their first position report since
                # they last passed control here, else now (a position seen on joining).
                joined = first_queue.setdefault((key, ri), sub)
                if r.joined_at is not None:
                    joined = min(_hours(r.joined_at), sub)
                else:
                    kind_weight *= p.weight_join_guessed
                raw[key].append(
                    (
                        joined,
                        sub,
                        math.log(max(units, _MIN_UNITS)),
                        True,
                        base_weight(r, kind_weight),
                        ri,
                        hid,
                        sub - joined,
                    )
                )
                queue_by_rep.setdefault((key, ri), []).append((sub, units, hid))
            elif r.kind is Kind.FLAG and r.flag is not None and r.value is not None:
                claims.setdefault((r.checkpoint, r.direction), []).append(
                    (sub, ri, _FLAG_ORDER.index(r.flag), r.value, base_weight(r, 1.0), hid)
                )

        self.groups: dict[GroupKey, _Group] = {}
        for key, items in raw.items():
            items.sort(key=lambda x: x[0])
            pr = pairs.get(key, [])
            self.groups[key] = _Group(
                key=key,
                t_obs=np.array([x[0] for x in items], dtype=np.float64),
                avail=np.array([x[1] for x in items], dtype=np.float64),
                val=np.array([x[2] for x in items], dtype=np.float64),
                isq=np.array([x[3] for x in items], dtype=np.bool_),
                elapsed=np.array([x[7] for x in items], dtype=np.float64),
                base=np.array([x[4] for x in items], dtype=np.float64),
                rep=np.array([x[5] for x in items], dtype=np.int64),
                hidden_from=np.array([x[6] for x in items], dtype=np.float64),
                first_avail=firsts[key],
                pair_avail=np.array([x[0] for x in pr], dtype=np.float64),
                pair_logmu=np.array([x[1] for x in pr], dtype=np.float64),
                pair_rep=np.array([x[2] for x in pr], dtype=np.int64),
                pair_hidden_from=np.array([x[3] for x in pr], dtype=np.float64),
            )
        self.claims: dict[tuple[str, str], _Claims] = {}
        for cd in {k[:2] for k in self.groups}:
            cl = claims.get(cd, [])
            ps = passes.get(cd, [])
            self.claims[cd] = _Claims(
                t=np.array([x[0] for x in cl], dtype=np.float64),
                rep=np.array([x[1] for x in cl], dtype=np.int64),
                flag=np.array([x[2] for x in cl], dtype=np.int64),
                value=np.array([x[3] for x in cl], dtype=np.bool_),
                base=np.array([x[4] for x in cl], dtype=np.float64),
                hidden_from=np.array([x[5] for x in cl], dtype=np.float64),
                pass_t=np.array([x[0] for x in ps], dtype=np.float64),
                pass_avail=np.array([x[1] for x in ps], dtype=np.float64),
                pass_rep=np.array([x[2] for x in ps], dtype=np.int64),
                pass_hidden_from=np.array([x[3] for x in ps], dtype=np.float64),
            )

        # Every report is judged once, settle_h after it arrives, against the consensus then.
        jobs: list[tuple[float, int, GroupKey | tuple[str, str], int]] = []
        for key, g in self.groups.items():
            jobs.extend((float(a) + p.settle_h, 0, key, i) for i, a in enumerate(g.avail))
        for cd, c in self.claims.items():
            jobs.extend((float(a) + p.settle_h, 1, cd, i) for i, a in enumerate(c.t))
        jobs.sort(key=lambda j: (j[0], j[1]))
        self.jobs = jobs
        self.job_times = [j[0] for j in jobs]
        self.next_job = bisect.bisect_right(self.job_times, self.as_of)

    # ----- decisions and reputation ---------------------------------------------------------

    def frozen(self, t: float) -> Bools:
        count = bisect.bisect_right(self.decision_times, t)
        cached = self._frozen_cache.get(count)
        if cached is not None:
            return cached
        frozen = np.zeros(len(self.names), dtype=np.bool_)
        for d in self.decisions[:count]:
            if d.reporter is None or d.reporter not in self.index:
                continue
            if d.action is Action.FREEZE_REPORTER:
                frozen[self.index[d.reporter]] = True
            elif d.action is Action.UNFREEZE_REPORTER:
                frozen[self.index[d.reporter]] = False
        self._frozen_cache[count] = frozen
        return frozen

    def trust_at(self, t: float) -> tuple[Floats, Bools]:
        """Per-reporter score in [0, 1] and whether the reporter is established, at time t."""
        cache = self._trust_cache
        count = bisect.bisect_right(self.decision_times, t)
        if cache is not None and cache[0] == t and cache[1] == self.version and cache[2] == count:
            return cache[3], cache[4]
        p = self.p
        age_frac = np.clip((t - self.created) / (p.established_age_days * 24.0), 0.0, 1.0)
        prior_good = 1.0 + 2.0 * age_frac
        score = (self.good + prior_good) / (
            self.good + prior_good + 1.0 + p.disagree_penalty * self.bad
        )
        established = ((age_frac >= 1.0) & (score >= p.established_min_score)) | (
            (self.good >= p.earned_good) & (score >= p.earned_min_score)
        )
        frozen = self.frozen(t)
        score = np.where(frozen, 0.0, score)
        established = established & ~frozen
        self._trust_cache = (t, self.version, count, score, established)
        return score, established

    def advance(self, t: float) -> None:
        """Judge every report whose settle time is at or before t, in settle order."""
        while self.next_job < len(self.jobs) and self.jobs[self.next_job][0] <= t:
            settle, _kind, key, i = self.jobs[self.next_job]
            self.next_job += 1
            if len(key) == 3:
                self._judge_wait(key, i, settle)
            elif len(key) == 2:
                self._judge_claim(key, i, settle)
        self.as_of = max(self.as_of, t)

    def _mark(self, reporter: int, good: float, bad: float) -> None:
        self.good[reporter] += good
        self.bad[reporter] += bad
        self.judged[reporter] += 1
        self.version += 1

    def _judge_wait(self, key: GroupKey, i: int, s: float) -> None:
        p = self.p
        g = self.groups[key]
        if g.hidden_from[i] <= s:
            return
        r = int(g.rep[i])
        t0 = g.t_obs[i]
        lo = int(np.searchsorted(g.t_obs, t0 - p.judge_window_h, "left"))
        hi = int(np.searchsorted(g.t_obs, t0 + p.judge_window_h, "right"))
        idx = np.arange(lo, hi)
        score, established = self.trust_at(s)
        keep = (g.avail[idx] <= s) & (g.hidden_from[idx] > s) & (g.rep[idx] != r)
        idx = idx[keep]
        idx = idx[score[g.rep[idx]] > 0]
        idx = _latest_per_reporter(idx, g.rep, g.avail)
        if idx.size < p.judge_min_reporters:
            return
        mu = self.rate(key, s)
        vals = self._waits(g, idx, mu)
        own = float(self._waits(g, np.array([i], dtype=np.int64), mu)[0])
        kernel = 1.0 - np.abs(g.t_obs[idx] - t0) / (p.judge_window_h * 1.0001)
        w = g.base[idx] * score[g.rep[idx]] ** 2 * kernel
        w = self._budget(w, established[g.rep[idx]], idx.size)
        if w.sum() <= 0:
            return
        resid = abs(own - weighted_quantile(vals, w, 0.5))
        if resid <= math.log(p.agree_ratio):
            self._mark(r, 1.0, 0.0)
        elif resid >= math.log(p.disagree_ratio):
            self._mark(r, 0.0, 1.0)
        else:
            self._mark(r, 0.0, 0.0)

    def _judge_claim(self, cd: tuple[str, str], j: int, s: float) -> None:
        p = self.p
        c = self.claims[cd]
        if c.hidden_from[j] <= s:
            return
        r = int(c.rep[j])
        flag = _FLAG_ORDER[int(c.flag[j])]
        value = bool(c.value[j])
        coordinator = self._coordinator(cd, flag, s)
        if coordinator is not None and s - _hours(coordinator.at) <= p.coordinator_hold_h:
            truth = coordinator.action is Action.CONFIRM_FLAG
            self._mark(r, float(truth == value), float(truth != value))
            return
        if flag is Flag.CLOSED:
            passers = self._passers(cd, c.t[j], s, exclude=r)
            if passers >= p.closed_contradicting_weight:
                self._mark(r, float(not value), float(value))
                return
        state = self._flag_state(cd, flag, s, exclude=r)
        if state is None or state.status is FlagStatus.UNCONFIRMED:
            return
        truth = state.status is FlagStatus.CONFIRMED
        self._mark(r, float(truth == value), float(truth != value))

    # ----- Little's law ---------------------------------------------------------------------

    def rate(self, key: GroupKey, t: float) -> float:
        """Processing rate (units per hour) from reporters' own queue-then-passed pairs."""
        p = self.p
        bucket = math.floor(t * 4.0)
        cache_key = (key, bucket, self.version)
        cached = self._rate_cache.get(cache_key)
        if cached is not None:
            return cached
        g = self.groups[key]
        prior = math.log(p.default_rate_per_h[key[2]])
        m = (g.pair_avail <= t) & (g.pair_hidden_from > t)
        if not m.any():
            value = math.exp(prior)
        else:
            score, _ = self.trust_at(t)
            reps = g.pair_rep[m]
            w = score[reps] ** 2 * 0.5 ** ((t - g.pair_avail[m]) / p.rate_half_life_h)
            vals = np.append(g.pair_logmu[m], prior)
            w = np.append(w, p.rate_prior_weight)
            value = math.exp(weighted_quantile(vals, w, 0.5))
        if len(self._rate_cache) > 100_000:
            self._rate_cache.clear()
        self._rate_cache[cache_key] = value
        return value

    def _waits(self, g: _Group, idx: Ints, mu: float) -> Floats:
        """Log total wait of each observation; queue reports: time so far + units / rate."""
        queued = g.elapsed[idx] + np.exp(g.val[idx]) / mu
        return np.where(g.isq[idx], np.log(np.maximum(queued, _MIN_WAIT_H)), g.val[idx])

    def _slope(
        self, vals: Floats, age: Floats, base: Floats, isq: Bools, est: Bools
    ) -> float | None:
        """Trend of the wait (hours per hour) against join time over the last few hours.

        Siegel's repeated median on recent joiners, refitted without the newest reports and
        the flatter fit kept. When hardly anyone joined lately although
        many did before, arrivals have collapsed and the queue drains: `drain_slope`.
        """
        p = self.p
        # The weight of a typical report that counts: the weight-weighted median, so that many
        # reports the consistency check has all but silenced do not pass for typical ones.
        typical = weighted_quantile(base, base, 0.5) if float(base.sum()) > 0 else 1.0
        m = (age <= p.slope_window_h) & (base > 0.05 * typical)
        slope = None
        if float(base[m].sum()) / typical >= 4:
            slope = self._siegel(vals[m], age[m], base[m] * 0.5 ** (age[m] / p.slope_half_life_h))
        if slope is None:
            # Only queue reports show who joined lately (a timed report arrives a wait later).
            # Count established reporters only: a burst of fresh accounts claiming to have
            # just joined a short queue must not hide that real arrivals have stopped.
            recent = float(base[m & isq & est].sum()) / typical
            before = float(base[(age > p.slope_window_h) & isq].sum()) / typical
            return p.drain_slope if recent < 2 and before >= 10 else None
        # A trend must not rest on the newest one or two reports: refit without them and keep
        # whichever slope is closer to flat. "Two reports" counts weight, not reports: a
        # light newest report must not push a typical one out of the refit in its place.
        order = np.argsort(age[m], kind="stable")
        cum = np.cumsum(base[m][order])
        drop = 0
        if p.slope_leave_out > 0:
            drop = int(np.searchsorted(cum, p.slope_leave_out * typical * 0.999, "left")) + 1
        # Refit leaving out one more report as well: otherwise a single new report could
        # take a leave-out place, keep an older one in and so switch a trend on by itself.
        leave_out = max(drop, p.slope_leave_out)
        for count in (leave_out, leave_out + 1):
            keep = np.ones(int(m.sum()), dtype=np.bool_)
            keep[order[: min(count, order.size)]] = False
            sub = np.nonzero(m)[0][keep]
            other = self._siegel(
                vals[sub], age[sub], base[sub] * 0.5 ** (age[sub] / p.slope_half_life_h)
            )
            if other is None:
                return None
            if (other > 0) != (slope > 0):
                return 0.0
            slope = slope if abs(slope) < abs(other) else other
        return slope

    def _siegel(self, vals: Floats, age: Floats, w: Floats) -> float | None:
        p = self.p
        if vals.size < 4 or float(w.sum()) <= 0:
            return None
        # Without a real spread of join times there is no trend to see, only noise to amplify.
        spread = weighted_quantile(age, w, 0.75) - weighted_quantile(age, w, 0.25)
        if spread < p.slope_min_spread_h:
            return None
        t, v = -age, np.exp(vals)
        if w.size > 60:  # keep the pairwise step cheap
            top = np.argsort(w)[-60:]
            w, t, v = w[top], t[top], v[top]
        # Siegel's repeated median: each observation votes with the median of its own pair
        # slopes, so no single report can swing the trend however extreme it is.
        dt = t[None, :] - t[:, None]
        ok = np.abs(dt) >= p.slope_min_gap_h
        slopes = np.divide(v[None, :] - v[:, None], dt, out=np.zeros_like(dt), where=ok)
        votes: list[float] = []
        vote_w: list[float] = []
        for k in range(w.size):
            row = ok[k]
            if int(row.sum()) >= 2:
                votes.append(weighted_quantile(slopes[k][row], w[row], 0.5))
                vote_w.append(float(w[k]))
        if len(votes) < 4 or sum(vote_w) <= 0:
            return None
        v_arr, w_arr = np.array(votes), np.array(vote_w)
        slope = weighted_quantile(v_arr, w_arr, 0.5)
        # Shrink towards flat by the slope's own uncertainty: noise must not become a trend.
        mad = weighted_quantile(np.abs(v_arr - slope), w_arr, 0.5)
        n_eff = float(w_arr.sum()) ** 2 / float((w_arr * w_arr).sum())
        margin = p.slope_shrink * 1.4826 * mad / math.sqrt(n_eff)
        slope = math.copysign(max(0.0, abs(slope) - margin), slope)
        return max(-1.0, min(p.max_slope, slope))

    def _fifo(self, vals: Floats, age: Floats, remaining: Floats, base: Floats) -> Floats:
        """Consistency with first-in, first-out: a factor in [0, 1] per observation.

        Whoever joined later cannot pass control earlier. Each observation implies a pass
        time P = joined + wait; a report whose P is earlier than the pass times of many who
        joined before it (or later than of many who joined after it) is contradicted by the
        weight of those reports and loses its own weight. Honest noise sits inside the
        tolerance; "no queue" claimed while established reporters are still queueing does not.
        """
        p = self.p
        n = vals.size
        factor = np.ones(n)
        if n < 3:
            return factor
        sel = np.arange(n)
        if n > 400:
            sel = np.argsort(base)[-400:]
        wait = np.exp(vals[sel])
        joined = -age[sel]
        passed = joined + wait
        w = base[sel]
        # Only pairs that queued together say anything: i joined after j while j still waited.
        later = (joined[:, None] >= joined[None, :] + p.fifo_min_gap_h) & (
            passed[None, :] > joined[:, None]
        )
        earlier = (joined[:, None] <= joined[None, :] - p.fifo_min_gap_h) & (
            joined[None, :] < passed[:, None]
        )
        # Pass times are known to within the guessed part: the remaining wait of a queue report.
        rem = remaining[sel]
        tol = p.fifo_tolerance * (rem[:, None] + rem[None, :]) + p.fifo_slack_h
        gap = passed[:, None] - passed[None, :]
        bad = (later & (gap < -tol)) | (earlier & (gap > tol))
        comparable = later | earlier
        against = (bad * w[None, :]).sum(axis=1)
        total = (comparable * w[None, :]).sum(axis=1)
        share = np.divide(against, total, out=np.zeros_like(against), where=total > 0)
        lo, hi = p.fifo_share_ok, p.fifo_share_out
        factor[sel] = np.clip((hi - share) / (hi - lo), 0.0, 1.0)
        return factor

    def _recency(self, base: Floats, age: Floats) -> Floats:
        """Weight halves with every `target_n_eff` typical reports that are newer than it.

        Counting newer reports rather than hours adapts to traffic: at a busy crossing only
        the last hour counts; when nobody joined for a day, the last joiners still speak.
        """
        p = self.p
        order = np.argsort(age, kind="stable")
        typical = float(np.median(base[base > 0])) if bool((base > 0).any()) else 1.0
        count = np.minimum(1.0, base / typical)  # a strong report counts once, a weak one less
        newer = np.empty_like(base)
        newer[order] = np.cumsum(count[order]) - count[order]
        w = base * 0.5 ** (newer / p.target_n_eff)
        return w * 0.5 ** (age / p.max_half_life_h)

    # ----- combining --------------------------------------------------------------------------

    def _budget(self, w: Floats, established: Bools, reporters: int) -> Floats:
        """Cap any single report's share of the weight, then newcomers' share."""
        p = self.p
        if reporters * p.max_share_per_report >= 1.0:
            for _ in range(3):
                w = np.minimum(w, p.max_share_per_report * float(w.sum()))
        n_est = int(established.sum())
        if 0 < n_est < established.size:
            fullness = min(1.0, n_est / p.newcomer_share_full_at)
            cap = 1.0 - (1.0 - p.newcomer_share) * fullness
            w_est = float(w[established].sum())
            w_new = float(w[~established].sum())
            limit = cap / (1.0 - cap) * w_est
            if w_new > limit > 0:
                w = np.where(established, w, w * (limit / w_new))
        return w

    def estimate_group(self, key: GroupKey, t: float) -> Estimate:
        p = self.p
        g = self.groups[key]
        at = _datetime(t)
        flags = self.flags(key[:2], t)
        empty = replace(_blank(key, at), flags=flags)
        lo = int(np.searchsorted(g.t_obs, t - p.max_obs_age_h, "left"))
        hi = int(np.searchsorted(g.t_obs, t, "right"))
        idx = np.arange(lo, hi)
        idx = idx[(g.avail[idx] <= t) & (g.hidden_from[idx] > t)]
        score, established = self.trust_at(t)
        idx = idx[score[g.rep[idx]] > 0]
        idx = _latest_per_reporter(idx, g.rep, g.avail)
        if idx.size == 0:
            return empty
        mu = self.rate(key, t)
        vals = self._waits(g, idx, mu)  # log of the wait for someone who joined at t_obs
        age = t - g.t_obs[idx]
        base = g.base[idx] * score[g.rep[idx]] ** 2
        est = established[g.rep[idx]]
        if p.fifo_check:
            remaining = np.where(g.isq[idx], np.exp(g.val[idx]) / mu, 0.0)
            checked = base * self._fifo(vals, age, remaining, base)
            # If nearly everything contradicts everything, the check says nothing: skip it.
            if float(checked.sum()) >= p.fifo_keep_min * float(base.sum()):
                base = checked
        w = self._recency(base, age)
        w = self._budget(w, est, idx.size)
        slope = self._slope(vals, age, base, g.isq[idx], est) if p.trend_correction else None
        if slope is not None:
            # Carry each observation forward to now along the local trend, fitted on the same
            # window. With slope >= -1 a queue report never lands below the reporter's own
            # remaining wait, which is a hard floor for anyone joining behind them.
            # A falling queue bottoms out: carrying forward never takes a report below the
            # smaller of its own wait and `falling_floor_h`.
            waits = np.exp(vals)
            floor = np.minimum(waits, p.falling_floor_h)
            vals = np.log(np.maximum(np.maximum(waits + slope * age, floor), _MIN_WAIT_H))
        total = float(w.sum())
        if total <= 1e-12:
            return empty
        keep = w > total * 1e-4
        idx, vals, age, w, est = idx[keep], vals[keep], age[keep], w[keep], est[keep]
        total = float(w.sum())
        n_eff = total * total / float((w * w).sum())
        q = p.centre_quantile
        centre = weighted_quantile(vals, w, q)
        spread = 1.2816 * 0.5 / math.sqrt(n_eff)
        low = weighted_quantile(vals, w, max(0.05, q - spread))
        high = weighted_quantile(vals, w, min(0.95, q + spread))
        pad = 0.3 / math.sqrt(n_eff)
        wait = math.exp(centre)
        trend = Trend.UNKNOWN
        if slope is not None:
            if slope > max(0.25, 0.05 * wait):
                trend = Trend.RISING
            elif slope < -max(0.25, 0.05 * wait):
                trend = Trend.FALLING
            else:
                trend = Trend.STEADY
        avail_age = (t - g.avail[idx]) * 60.0
        return Estimate(
            checkpoint=key[0],
            direction=key[1],
            mode=key[2],
            at=at,
            wait_h=wait,
            low_h=min(wait, math.exp(low - pad)),
            high_h=max(wait, math.exp(high + pad)),
            reports=int(idx.size),
            reporters=int(np.unique(g.rep[idx]).size),
            newest_report_age_min=float(avail_age.min()),
            median_report_age_min=weighted_quantile(avail_age, w, 0.5),
            trend=trend,
            trend_h_per_h=slope,
            rate_per_h=mu,
            established_share=float(w[est].sum() / total),
            flags=flags,
            counted_reporters=frozenset(self.names[i] for i in np.unique(g.rep[idx])),
        )

    # ----- flags -------------------------------------------------------------------------------

    def _coordinator(self, cd: tuple[str, str], flag: Flag, t: float) -> Decision | None:
        count = bisect.bisect_right(self.decision_times, t)
        for d in reversed(self.decisions[:count]):
            if (
                d.action in (Action.CONFIRM_FLAG, Action.REFUTE_FLAG, Action.CLEAR_FLAG)
                and d.flag is flag
                and (d.checkpoint, d.direction) == cd
            ):
                return d
        return None

    def _reporter_weight(self, reps: Ints, t: float) -> Floats:
        """Weight of each reporter's voice at t: trust squared times the account-age factor."""
        p = self.p
        score, _ = self.trust_at(t)
        age = np.clip((t - self.created[reps]) / (p.established_age_days * 24.0), 0.0, 1.0)
        return score[reps] ** 2 * (p.new_account_floor + (1.0 - p.new_account_floor) * age)

    def _passers(self, cd: tuple[str, str], since: float, t: float, *, exclude: int = -1) -> float:
        """Weight of distinct reporters who passed control after `since` (against "closed")."""
        c = self.claims[cd]
        m = (
            (c.pass_t > since)
            & (c.pass_t <= t)
            & (c.pass_avail <= t)
            & (c.pass_hidden_from > t)
            & (c.pass_rep != exclude)
        )
        if not m.any():
            return 0.0
        reps = np.unique(c.pass_rep[m])
        _, established = self.trust_at(t)
        reps = reps[established[reps]]  # fresh accounts' "passes" must not block a closure
        return float(self._reporter_weight(reps, t).sum())

    def _flag_state(
        self, cd: tuple[str, str], flag: Flag, t: float, *, exclude: int = -1
    ) -> FlagState | None:
        p = self.p
        c = self.claims[cd]
        decision = self._coordinator(cd, flag, t)
        start = t - p.flag_window_h
        if decision is not None:
            start = max(start, _hours(decision.at))
        fi = _FLAG_ORDER.index(flag)
        m = (c.flag == fi) & (c.t > start) & (c.t <= t) & (c.hidden_from > t) & (c.rep != exclude)
        score, established = self.trust_at(t)
        idx = np.nonzero(m)[0]
        idx = idx[score[c.rep[idx]] > 0]
        idx = _latest_per_reporter(idx.astype(np.int64), c.rep, c.t)
        if (
            decision is not None
            and decision.action is not Action.CLEAR_FLAG
            and t - _hours(decision.at) <= p.coordinator_hold_h
        ):
            status = (
                FlagStatus.CONFIRMED
                if decision.action is Action.CONFIRM_FLAG
                else FlagStatus.REFUTED
            )
            n_for = int(c.value[idx].sum())
            last = _datetime(float(c.t[idx].max())) if idx.size else None
            return FlagState(flag, status, "coordinator", n_for, int(idx.size) - n_for, last)
        if idx.size == 0:
            return None
        reps = c.rep[idx]
        values = c.value[idx]
        times = c.t[idx]
        weights = c.base[idx] * score[reps] ** 2
        if flag is Flag.CLOSED:
            # Someone who passed control after the window opened says "not closed" by doing so,
            # unless they themselves claimed otherwise later.
            pm = (
                (c.pass_t > start)
                & (c.pass_t <= t)
                & (c.pass_avail <= t)
                & (c.pass_hidden_from > t)
                & (c.pass_rep != exclude)
            )
            pidx = np.nonzero(pm)[0].astype(np.int64)
            pidx = pidx[score[c.pass_rep[pidx]] > 0]
            pidx = _latest_per_reporter(pidx, c.pass_rep, c.pass_t)
            latest_claim = dict(zip(reps.tolist(), times.tolist(), strict=True))
            extra = [
                int(k) for k in pidx if latest_claim.get(int(c.pass_rep[k]), -_INF) < c.pass_t[k]
            ]
            if extra:
                ex = np.array(extra, dtype=np.int64)
                keep_claims = ~np.isin(reps, c.pass_rep[ex])
                reps = np.concatenate([reps[keep_claims], c.pass_rep[ex]])
                values = np.concatenate([values[keep_claims], np.zeros(ex.size, dtype=np.bool_)])
                times = np.concatenate([times[keep_claims], c.pass_t[ex]])
                weights = np.concatenate(
                    [weights[keep_claims], self._reporter_weight(c.pass_rep[ex], t)]
                )
        est = established[reps]
        w_for = float(weights[values].sum())
        w_against = float(weights[~values].sum())
        n_for = int(values.sum())
        n_against = int((~values).sum())
        est_for = values & est
        est_against = ~values & est
        last = _datetime(float(c.t[idx].max()))
        status = FlagStatus.UNCONFIRMED
        if (
            int(est_for.sum()) >= p.flag_quorum
            and w_for >= p.flag_majority * w_against
            and float(times[est_for].min()) <= t - p.flag_settle_h
        ):
            first = float(times[est_for].min())
            if flag is not Flag.CLOSED or (
                self._passers(cd, first, t, exclude=exclude) < p.closed_contradicting_weight
            ):
                status = FlagStatus.CONFIRMED
        elif int(est_against.sum()) >= p.flag_quorum and w_against >= p.flag_majority * w_for:
            status = FlagStatus.REFUTED
        decided = "" if status is FlagStatus.UNCONFIRMED else "reporters"
        return FlagState(flag, status, decided, n_for, n_against, last)

    def flags(self, cd: tuple[str, str], t: float) -> tuple[FlagState, ...]:
        out = []
        for flag in _FLAG_ORDER:
            state = self._flag_state(cd, flag, t)
            if state is not None:
                out.append(state)
        return tuple(out)

    # ----- outputs -----------------------------------------------------------------------------

    def keys_at(self, t: float) -> list[GroupKey]:
        return sorted(k for k, g in self.groups.items() if g.first_avail <= t)

    def trust_state(self, t: float) -> TrustState:
        created = self.created
        items = tuple(
            ReporterTrust(
                reporter=name,
                created_at=_datetime(float(created[i])),
                good=float(self.good[i]),
                bad=float(self.bad[i]),
                judged=int(self.judged[i]),
            )
            for i, name in enumerate(self.names)
        )
        return TrustState(as_of=_datetime(t), reporters=items)


def estimate(
    reports: Iterable[Report],
    *,
    now: datetime,
    decisions: Iterable[Decision] = (),
    trust: TrustState | None = None,
    params: Params = DEFAULT_PARAMS,
) -> Board:
    """Estimate every checkpoint/direction/mode at `now` from the reports submitted by then.

    `trust` is the reputation persisted by an earlier call (`Board.trust`); reports that
    settled after `trust.as_of` are judged now. Without it, reputation is replayed from all
    the reports given, in time order. Pure: returns a new `Board`, changes nothing.
    """
    t = _hours(now)
    engine = _Engine(list(reports), list(decisions), params, trust)
    engine.advance(t)
    estimates = tuple(engine.estimate_group(key, t) for key in engine.keys_at(t))
    return Board(at=now, estimates=estimates, trust=engine.trust_state(t))


def series(
    reports: Iterable[Report],
    *,
    start: datetime,
    end: datetime,
    step: timedelta,
    decisions: Iterable[Decision] = (),
    keys: Iterable[GroupKey] | None = None,
    params: Params = DEFAULT_PARAMS,
) -> dict[GroupKey, tuple[Estimate, ...]]:
    """Estimates at start, start+step, ... up to end, each as it would have been shown then.

    Reputation advances along the way, so a point never uses a later report. Every key gets
    one estimate per time (wait None before its first report), ready for a chart.
    """
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    engine = _Engine(list(reports), list(decisions), params, None)
    wanted = sorted(engine.groups) if keys is None else [k for k in keys if k in engine.groups]
    out: dict[GroupKey, list[Estimate]] = {k: [] for k in wanted}
    moment = start
    while moment <= end:
        t = _hours(moment)
        engine.advance(t)
        for key in wanted:
            if engine.groups[key].first_avail <= t:
                out[key].append(engine.estimate_group(key, t))
            else:
                out[key].append(_blank(key, moment))
        moment += step
    return {k: tuple(v) for k, v in out.items()}


def _blank(key: GroupKey, at: datetime) -> Estimate:
    return Estimate(
        checkpoint=key[0],
        direction=key[1],
        mode=key[2],
        at=at,
        wait_h=None,
        low_h=None,
        high_h=None,
        reports=0,
        reporters=0,
        newest_report_age_min=None,
        median_report_age_min=None,
        trend=Trend.UNKNOWN,
        trend_h_per_h=None,
        rate_per_h=None,
        established_share=0.0,
        flags=(),
    )
