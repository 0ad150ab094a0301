"""Reads of border status.

The board is public and must survive a stampede: it is computed by the estimator once,
kept in the shared cache under a versioned key with a generation number, and recomputed
only when a write moves the generation on (reports, moderation, purge) or the entry is a
minute old. At most one process recomputes at a time (a cache lock); the others keep
serving the previous board meanwhile. A warm read costs two cache gets and no query.

Reports themselves are never listed publicly; coordinators of a checkpoint's region see
the recent ones to moderate them.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet, Subquery

from haven.accounts.models import User
from haven.borders import estimator
from haven.borders.enums import FlagVerdict, ReportKind
from haven.borders.models import BorderReport, FlagDecision, ReporterTrust
from haven.core import clock
from haven.geo.models import Checkpoint

SHOWN_FOR = dt.timedelta(hours=72)
BOARD_KEY = "borders:board:v1"
GENERATION_KEY = "borders:generation:v1"
LOCK_KEY = "borders:board:lock:v1"
# Who counted in each estimate of the cached board: kept apart from the public board.
COUNTED_KEY = "borders:counted:v1"
DETAIL_KEY = "borders:detail:v1:{slug}:{generation}:{bucket}"
MAX_AGE = dt.timedelta(seconds=60)
LOCK_SECONDS = 30
COLD_WAIT_SECONDS = 5.0
SPARK_HOURS = 24
SERIES_HOURS = 72
SERIES_STEP = dt.timedelta(hours=1)
DETAIL_SECONDS = 300

_VERDICT_ACTIONS = {
    FlagVerdict.CONFIRM: estimator.Action.CONFIRM_FLAG,
    FlagVerdict.REFUTE: estimator.Action.REFUTE_FLAG,
    FlagVerdict.CLEAR: estimator.Action.CLEAR_FLAG,
}
_REPORT_COLUMNS = (
    "public_id", "checkpoint__slug", "direction", "mode", "kind", "reporter__public_id",
    "reporter__date_joined", "at_checkpoint", "submitted_at", "joined_at", "passed_at",
    "position", "vehicles_ahead", "km", "flag", "value",
)


# ----- permissions ------------------------------------------------------------------------------


def can_moderate(*, viewer: User | Any, checkpoint: Checkpoint) -> bool:
    """Coordinators moderate the checkpoints of their own regions; administrators all."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if not viewer.is_coordinator:
        return False
    if viewer.is_frozen:
        return False
    if viewer.is_superuser:
        return True
    if checkpoint.region_id is None:
        return False
    return bool(viewer.regions.filter(pk=checkpoint.region_id).exists())


def reports_for_moderation(*, viewer: User | Any, checkpoint: Checkpoint) -> QuerySet[BorderReport]:
    """The checkpoint's reports of the last 72 hours, for a coordinator of its region;
    nothing for anyone else."""
    if not can_moderate(viewer=viewer, checkpoint=checkpoint):
        return BorderReport.objects.none()
    return (
        BorderReport.objects.filter(checkpoint=checkpoint, submitted_at__gte=clock.now() - SHOWN_FOR)
        .select_related("reporter")
        .order_by("-submitted_at")[:200]
    )


def pending_report(*, reporter: User, checkpoint: Checkpoint) -> BorderReport | None:
    """The reporter's "I joined the queue" clock at this checkpoint, if running."""
    return BorderReport.objects.filter(
        reporter=reporter, checkpoint=checkpoint, kind=ReportKind.TIMED, passed_at__isnull=True
    ).first()


def checkpoint_get(*, slug: str) -> Checkpoint | None:
    return Checkpoint.objects.select_related("region__country").filter(slug=slug).first()


def report_get(*, public_id: str) -> BorderReport | None:
    return BorderReport.objects.select_related("checkpoint", "reporter").filter(public_id=public_id).first()


def report_get_visible(*, viewer: User | Any, public_id: str) -> BorderReport | None:
    """One report, for the only people who ever see it: its own reporter and the
    coordinators who moderate its checkpoint. Nobody else learns that it exists."""
    report = report_get(public_id=public_id)
    if report is None:
        return None
    if not getattr(viewer, "is_authenticated", False):
        return None
    if report.reporter_id == viewer.pk:
        return report
    if can_moderate(viewer=viewer, checkpoint=report.checkpoint):
        return report
    return None


# ----- estimator inputs ---------------------------------------------------------------------


def _counted(qs: QuerySet[BorderReport]) -> QuerySet[BorderReport]:
    return qs.filter(submitted_at__isnull=False, hidden_at__isnull=True, reporter__frozen_at__isnull=True)


def estimator_inputs(
    *, start: dt.datetime | None, end: dt.datetime, checkpoint: str | None = None
) -> tuple[list[estimator.Report], list[estimator.Decision], estimator.TrustState | None]:
    """Reports (not hidden, not pending, not from frozen accounts), coordinators' flag
    decisions and the persisted reputation, as the estimator's frozen dataclasses."""
    qs = _counted(BorderReport.objects.filter(submitted_at__lte=end))
    decisions_qs = FlagDecision.objects.filter(at__lte=end)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
        decisions_qs = decisions_qs.filter(at__gte=start - dt.timedelta(days=1))
    if checkpoint is not None:
        qs = qs.filter(checkpoint__slug=checkpoint)
        decisions_qs = decisions_qs.filter(checkpoint__slug=checkpoint)
    reports = [_report(row) for row in qs.values_list(*_REPORT_COLUMNS)]
    decisions = [
        estimator.Decision(
            at=at, action=_VERDICT_ACTIONS[FlagVerdict(verdict)], coordinator=coordinator or "",
            checkpoint=slug, direction=direction, flag=estimator.Flag(flag),
        )
        for at, verdict, coordinator, slug, direction, flag in decisions_qs.values_list(
            "at", "verdict", "coordinator__public_id", "checkpoint__slug", "direction", "flag"
        )
    ]
    trust_rows = ReporterTrust.objects.filter(
        reporter_id__in=Subquery(qs.values("reporter_id"))
    ).values_list("reporter__public_id", "reporter__date_joined", "good", "bad", "judged", "as_of")
    items = [
        estimator.ReporterTrust(reporter=pid, created_at=joined, good=good, bad=bad, judged=judged)
        for pid, joined, good, bad, judged, _ in trust_rows
    ]
    as_of = max((row[5] for row in trust_rows), default=None)
    trust = estimator.TrustState(as_of=as_of, reporters=tuple(items)) if items else None
    return reports, decisions, trust


def _report(row: tuple[Any, ...]) -> estimator.Report:
    (public_id, slug, direction, mode, kind, reporter, joined_account, at_checkpoint, submitted,
     joined, passed, position, vehicles, km, flag, value) = row
    return estimator.Report(
        id=public_id, checkpoint=slug, direction=direction, mode=estimator.Mode(mode),
        kind=estimator.Kind(kind), reporter=reporter,
        reporter_created_at=min(joined_account, submitted), at_checkpoint=at_checkpoint,
        submitted_at=submitted, joined_at=joined, passed_at=passed, position=position,
        vehicles_ahead=vehicles, km=km, flag=estimator.Flag(flag) if flag else None, value=value,
    )


# ----- the board ----------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _estimate_out(e: estimator.Estimate, spark: list[float | None]) -> dict[str, Any]:
    newest = None
    if e.newest_report_age_min is not None:
        newest = e.at - dt.timedelta(minutes=e.newest_report_age_min)
    return {
        "direction": e.direction,
        "mode": str(e.mode),
        "wait_h": _hours(e.wait_h),
        "low_h": _hours(e.low_h),
        "high_h": _hours(e.high_h),
        "reports": e.reports,
        "reporters": e.reporters,
        "newest_report_at": _iso(newest),
        "trend": str(e.trend),
        "trend_h_per_h": _hours(e.trend_h_per_h),
        "spark": spark,
    }


def _flag_out(direction: str, f: estimator.FlagState) -> dict[str, Any]:
    return {
        "direction": direction,
        "flag": str(f.flag),
        "status": str(f.status),
        "decided_by": f.decided_by,
        "reporters_for": f.reporters_for,
        "reporters_against": f.reporters_against,
        "last_report_at": _iso(f.last_report_at),
    }


def _checkpoint_out(cp: Checkpoint) -> dict[str, Any]:
    country = cp.region.country if cp.region is not None else None
    return {
        "slug": cp.slug,
        "name_en": cp.name_en,
        "name_ru": cp.name_ru,
        "counterpart_en": cp.counterpart_en,
        "counterpart_ru": cp.counterpart_ru,
        "type": cp.type,
        "country": country.code if country else None,
        "country_en": country.name_en if country else None,
        "country_ru": country.name_ru if country else None,
        "official_url": cp.official_url or None,
        "modes": list(cp.modes),
        "directions": list(cp.directions),
        "busy_2022": cp.busy_2022,
        "estimates": [],
        "flags": [],
    }


def board_compute(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every checkpoint with its estimates, flags and a 24-hour sparkline. JSON-ready."""
    return _compute(now or clock.now())[0]


def _counted_key(slug: str, direction: str, mode: str) -> str:
    return f"{slug}|{direction}|{mode}"


def _compute(now: dt.datetime) -> tuple[dict[str, Any], dict[str, frozenset[str]]]:
    """The board, and for each estimate on it the reporters whose reports carry weight."""
    reports, decisions, trust = estimator_inputs(start=now - SHOWN_FOR, end=now)
    result = estimator.estimate(reports, now=now, decisions=decisions, trust=trust)
    sparks = estimator.series(
        reports, start=now - dt.timedelta(hours=SPARK_HOURS), end=now, step=SERIES_STEP,
        decisions=decisions,
    )
    checkpoints = {
        cp.slug: _checkpoint_out(cp)
        for cp in Checkpoint.objects.select_related("region__country").order_by("name_en")
    }
    seen_flags: set[tuple[str, str]] = set()
    counted: dict[str, frozenset[str]] = {}
    for e in result.estimates:
        out = checkpoints.get(e.checkpoint)
        if out is None:
            continue
        if (e.checkpoint, e.direction) not in seen_flags:
            seen_flags.add((e.checkpoint, e.direction))
            out["flags"].extend(_flag_out(e.direction, f) for f in e.flags)
        if e.wait_h is None:
            continue
        points = [_hours(p.wait_h) for p in sparks.get((e.checkpoint, e.direction, e.mode), ())]
        if points:
            points[-1] = _hours(e.wait_h)  # the board's own figure, with persisted reputation
        out["estimates"].append(_estimate_out(e, points))
        counted[_counted_key(e.checkpoint, e.direction, str(e.mode))] = e.counted_reporters
    return {"at": _iso(now), "checkpoints": list(checkpoints.values())}, counted


def board_generation() -> int:
    return int(cache.get(GENERATION_KEY) or 0)


def board_bump() -> int:
    """Move the generation on: the cached board is stale from now."""
    cache.add(GENERATION_KEY, 0, timeout=None)
    try:
        return int(cache.incr(GENERATION_KEY))
    except ValueError:  # evicted between add and incr
        cache.set(GENERATION_KEY, 1, timeout=None)
        return 1


def _store(generation: int) -> dict[str, Any]:
    data, counted = _compute(clock.now())
    cache.set(COUNTED_KEY, {"at": data["at"], "counted": counted}, timeout=None)
    cache.set(BOARD_KEY, {"generation": generation, "computed_at": time.time(), "board": data}, timeout=None)
    return data


def board_refresh() -> bool:
    """Recompute the board unless another process is at it. Returns whether it did."""
    if not cache.add(LOCK_KEY, 1, timeout=LOCK_SECONDS):
        return False
    try:
        _store(board_generation())
    finally:
        cache.delete(LOCK_KEY)
    return True


def board() -> dict[str, Any]:
    """The public board (JSON-ready), from the cache whenever possible."""
    found = cache.get_many([BOARD_KEY, GENERATION_KEY])
    entry = found.get(BOARD_KEY)
    generation = int(found.get(GENERATION_KEY) or 0)
    if entry is not None:
        fresh = entry["generation"] == generation and time.time() - entry["computed_at"] < MAX_AGE.total_seconds()
        if fresh or not cache.add(LOCK_KEY, 1, timeout=LOCK_SECONDS):
            return dict(entry["board"])
        try:
            return _store(generation)
        finally:
            cache.delete(LOCK_KEY)
    # Cold cache: one process computes, the others wait a moment for its result.
    if cache.add(LOCK_KEY, 1, timeout=LOCK_SECONDS):
        try:
            return _store(generation)
        finally:
            cache.delete(LOCK_KEY)
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(BOARD_KEY)
        if entry is not None:
            return dict(entry["board"])
    return board_compute()


def board_checkpoint(*, slug: str) -> dict[str, Any] | None:
    for item in board()["checkpoints"]:
        if item["slug"] == slug:
            return dict(item)
    return None


def report_standing(*, report: BorderReport) -> dict[str, Any] | None:
    """What the board made of a wait report just sent, read from the same computation the
    board shows, so that what the reporter is told and what everyone sees agree:
    ``{"counted": bool, "reports": int}`` (whether the reporter's report carries weight in
    the estimate for its checkpoint, direction and mode, and how many reports that estimate
    rests on), or None while the board has not been computed with the report yet."""
    if report.submitted_at is None or report.kind == ReportKind.FLAG:
        return None
    data = board()
    entry = cache.get(COUNTED_KEY)
    if entry is None or entry["at"] != data["at"]:
        return None
    if dt.datetime.fromisoformat(data["at"]) < report.submitted_at:
        return None
    slug = report.checkpoint.slug
    item = next((c for c in data["checkpoints"] if c["slug"] == slug), None)
    if item is None:
        return None
    reports = next(
        (e["reports"] for e in item["estimates"] if (e["direction"], e["mode"]) == (report.direction, report.mode)),
        0,
    )
    counted = entry["counted"].get(_counted_key(slug, report.direction, report.mode), frozenset())
    return {"counted": report.reporter.public_id in counted, "reports": reports}


def pending_reports(*, reporter: User | Any) -> list[BorderReport]:
    """The person's running "I joined the queue" clocks, at every checkpoint."""
    if not getattr(reporter, "is_authenticated", False):
        return []
    return list(
        BorderReport.objects.filter(reporter=reporter, kind=ReportKind.TIMED, passed_at__isnull=True)
        .select_related("checkpoint__region__country")
        .order_by("joined_at")
    )


def checkpoint_detail(*, slug: str) -> dict[str, Any] | None:
    """One checkpoint from the board, plus a 72-hour hourly series per direction and
    mode for its chart. Cached per generation and five-minute bucket."""
    item = board_checkpoint(slug=slug)
    if item is None:
        return None
    bucket = int(time.time() // DETAIL_SECONDS)
    key = DETAIL_KEY.format(slug=slug, generation=board_generation(), bucket=bucket)
    series_out = cache.get(key)
    if series_out is None:
        series_out = _series(slug)
        cache.set(key, series_out, timeout=DETAIL_SECONDS * 2)
    item["series"] = series_out
    return item


def _series(slug: str) -> list[dict[str, Any]]:
    now = clock.now()
    start = now - dt.timedelta(hours=SERIES_HOURS)
    # The estimator looks back two days from each point: give it the reports before the window too.
    reports, decisions, _ = estimator_inputs(start=start - dt.timedelta(hours=48), end=now, checkpoint=slug)
    lines = estimator.series(reports, start=start, end=now, step=SERIES_STEP, decisions=decisions)
    out = []
    for (_cp, direction, mode), points in sorted(lines.items()):
        if all(p.wait_h is None for p in points):
            continue
        out.append({
            "direction": direction,
            "mode": str(mode),
            "points": [
                {"at": _iso(p.at), "wait_h": _hours(p.wait_h), "low_h": _hours(p.low_h), "high_h": _hours(p.high_h)}
                for p in points
            ],
        })
    return out
