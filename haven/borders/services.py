"""Writes to border reports. The web, the API, the demo and the purge command change
state only through these functions. ``data`` dicts are a report form's ``cleaned_data``
(``haven.borders.forms``); the estimator's validation runs again here, so nothing
impossible is saved whichever door it came through.

Every write that changes what the board shows calls ``_board_changed``: the board's
cache generation moves on at once and again after the commit, when the board is
recomputed by the writer, so readers never have to.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from haven.accounts.models import User
from haven.accounts.services import user_freeze
from haven.borders import estimator, selectors
from haven.borders.enums import FlagVerdict, ReportKind
from haven.borders.forms import MIN_TIMED_WAIT, report_record
from haven.borders.models import BorderReport, FlagDecision, ReporterTrust
from haven.core import clock
from haven.core.errors import HavenError
from haven.geo.models import Checkpoint

RATE_WINDOW_SECONDS = 600
PENDING_MAX = dt.timedelta(hours=estimator.DEFAULT_PARAMS.max_wait_h)


def _reports_per_window() -> int:
    return int(getattr(settings, "HAVEN_BORDER_REPORTS_PER_10_MIN", 10))


def _ensure_active(user: User) -> None:
    if user.is_frozen:
        raise HavenError("account_frozen")


def _rate_limit(user: User) -> None:
    """At most N reports per account per 10-minute window (counted in the shared cache,
    so it holds across app processes)."""
    window = int(time.time() // RATE_WINDOW_SECONDS)
    key = f"borders:rate:{user.pk}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS + 60)
        count = 1
    if count > _reports_per_window():
        raise HavenError("rate_limited")


def _board_changed() -> None:
    generation = selectors.board_bump()

    def refresh() -> None:
        # Only the last write of a transaction (or of a burst) recomputes.
        if selectors.board_generation() == generation:
            selectors.board_bump()
            selectors.board_refresh()

    transaction.on_commit(refresh)


def _revalidate(record: dict[str, Any], now: dt.datetime) -> None:
    if estimator.validate(record, now=now):
        raise HavenError("invalid")


def report_submit(
    *, reporter: User, data: dict[str, Any], now: dt.datetime | None = None, limit: bool = True
) -> BorderReport:
    """Save one report (timed, queue or flag). Raises ``rate_limited`` past the
    per-account limit (``limit=False`` for the demo loader), ``account_frozen``,
    ``wait_too_short`` for a timed wait under ``MIN_TIMED_WAIT``, or ``invalid`` if the
    estimator refuses it. Refreshes the board after the commit."""
    _ensure_active(reporter)
    now = now or clock.now()
    kind = data["kind"]
    fields: dict[str, Any] = {}
    if kind == ReportKind.TIMED:
        fields = {"joined_at": data["joined_at"], "passed_at": data["passed_at"]}
        if dt.timedelta(0) <= fields["passed_at"] - fields["joined_at"] < MIN_TIMED_WAIT:
            raise HavenError("wait_too_short")
    elif kind == ReportKind.QUEUE:
        fields = {name: data.get(name) for name in ("position", "vehicles_ahead", "km", "joined_at")}
    elif kind == ReportKind.FLAG:
        fields = {"flag": data["flag"], "value": data["value"]}
    else:
        raise HavenError("invalid")
    measures = {k: v for k, v in fields.items() if v is not None}
    _revalidate(report_record(data, reporter=reporter, submitted_at=now, measures=measures), now)
    if limit:
        _rate_limit(reporter)
    report = BorderReport.objects.create(
        checkpoint=data["checkpoint"],
        direction=data["direction"],
        mode=data["mode"],
        kind=kind,
        at_checkpoint=bool(data.get("at_checkpoint")),
        reporter=reporter,
        created_at=now,
        submitted_at=now,
        **fields,
    )
    _board_changed()
    return report


def report_join(
    *, reporter: User, data: dict[str, Any], now: dt.datetime | None = None, limit: bool = True
) -> BorderReport:
    """"I joined the queue now": store T0 as a pending timed report for this person and
    checkpoint (pressing it again restarts the clock). It counts for nothing until
    ``report_pass`` completes it."""
    _ensure_active(reporter)
    now = now or clock.now()
    if limit:
        _rate_limit(reporter)
    checkpoint: Checkpoint = data["checkpoint"]
    try:
        with transaction.atomic():
            BorderReport.objects.filter(
                reporter=reporter, checkpoint=checkpoint, kind=ReportKind.TIMED, passed_at__isnull=True
            ).delete()
            return BorderReport.objects.create(
                checkpoint=checkpoint,
                direction=data["direction"],
                mode=data["mode"],
                kind=ReportKind.TIMED,
                at_checkpoint=bool(data.get("at_checkpoint", True)),
                joined_at=now,
                reporter=reporter,
                created_at=now,
            )
    except IntegrityError:
        # A double tap: the other request's clock (one pending per person and checkpoint) stands.
        pending = selectors.pending_report(reporter=reporter, checkpoint=checkpoint)
        if pending is None:
            raise
        return pending


def report_pass(*, reporter: User, checkpoint: Checkpoint, now: dt.datetime | None = None) -> BorderReport:
    """"I passed control now": complete the pending timed report with T1 = now. Raises
    ``no_pending_report``, ``pending_expired`` (the clock is dropped) or ``wait_too_short``
    (under ``MIN_TIMED_WAIT``; the clock keeps running)."""
    _ensure_active(reporter)
    now = now or clock.now()
    pending = selectors.pending_report(reporter=reporter, checkpoint=checkpoint)
    if pending is None:
        raise HavenError("no_pending_report")
    assert pending.joined_at is not None  # noqa: S101 - a pending report always has T0
    if now - pending.joined_at > PENDING_MAX:
        pending.delete()
        raise HavenError("pending_expired")
    if now - pending.joined_at < MIN_TIMED_WAIT:
        # A tap on "passed" right after "joined": refused, and the clock keeps running.
        raise HavenError("wait_too_short")
    data = {
        "checkpoint": checkpoint, "direction": pending.direction, "mode": pending.mode,
        "kind": ReportKind.TIMED, "at_checkpoint": pending.at_checkpoint,
    }
    measures = {"joined_at": pending.joined_at, "passed_at": now}
    _revalidate(report_record(data, reporter=reporter, submitted_at=now, measures=measures), now)
    updated = BorderReport.objects.filter(pk=pending.pk, passed_at__isnull=True).update(
        passed_at=now, submitted_at=now
    )
    if updated != 1:  # a second tab completed it a moment ago
        raise HavenError("no_pending_report")
    pending.passed_at = pending.submitted_at = now
    _board_changed()
    return pending


def report_pending_cancel(*, reporter: User, checkpoint: Checkpoint) -> int:
    """"I left the queue": forget the pending T0. Returns how many were removed (0 or 1)."""
    deleted, _ = BorderReport.objects.filter(
        reporter=reporter, checkpoint=checkpoint, kind=ReportKind.TIMED, passed_at__isnull=True
    ).delete()
    return deleted


def _ensure_moderator(by: User, checkpoint: Checkpoint) -> None:
    if not selectors.can_moderate(viewer=by, checkpoint=checkpoint):
        raise HavenError("forbidden")


def report_hide(*, report: BorderReport, by: User) -> None:
    """A coordinator of the checkpoint's region hides a report: it stops counting at
    once. Idempotent."""
    _ensure_moderator(by, report.checkpoint)
    if report.hidden_at is not None:
        return
    report.hidden_at = clock.now()
    report.hidden_by = by
    report.save(update_fields=["hidden_at", "hidden_by"])
    _board_changed()


def flag_decide(
    *,
    checkpoint: Checkpoint,
    direction: str,
    flag: str,
    verdict: str,
    by: User,
    now: dt.datetime | None = None,
) -> FlagDecision:
    """A coordinator confirms or refutes a flag (or hands it back to the reporters).
    The estimator holds a coordinator's word for a day unless a newer decision comes."""
    _ensure_moderator(by, checkpoint)
    if verdict not in FlagVerdict.values or direction not in checkpoint.directions:
        raise HavenError("invalid")
    decision = FlagDecision.objects.create(
        checkpoint=checkpoint, direction=direction, flag=flag, verdict=verdict, coordinator=by,
        at=now or clock.now(),
    )
    _board_changed()
    return decision


def reporter_freeze(*, report: BorderReport, by: User, reason: str = "") -> None:
    """Freeze the author of a report at a checkpoint the coordinator moderates: the
    account is logged out and every report of theirs stops counting."""
    _ensure_moderator(by, report.checkpoint)
    author = report.reporter
    if author.is_coordinator or author.pk == by.pk:
        raise HavenError("forbidden")
    user_freeze(user=author, by=by, reason=reason or "border reports")
    _board_changed()


def trust_persist(*, now: dt.datetime | None = None) -> int:
    """Fold what the stored reports taught about their reporters into ``ReporterTrust``
    (so it survives the purge). Returns the number of reporters written."""
    now = now or clock.now()
    reports, decisions, trust = selectors.estimator_inputs(start=None, end=now)
    board = estimator.estimate(reports, now=now, decisions=decisions, trust=trust)
    by_public_id = dict(
        User.objects.filter(public_id__in=[t.reporter for t in board.trust.reporters]).values_list("public_id", "pk")
    )
    rows = [
        ReporterTrust(reporter_id=by_public_id[t.reporter], good=t.good, bad=t.bad, judged=t.judged, as_of=now)
        for t in board.trust.reporters
        if t.reporter in by_public_id
    ]
    ReporterTrust.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["reporter"],
        update_fields=["good", "bad", "judged", "as_of"],
        batch_size=500,
    )
    return len(rows)


def border_reports_purge(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete reports submitted more than ``older_than`` ago, pending "joined the queue"
    clocks older than the longest possible wait, and old flag decisions; first the
    reporters' reputation is persisted so it outlives their reports."""
    now = now or clock.now()
    cutoff = now - older_than
    with transaction.atomic():
        trusted = trust_persist(now=now)
        reports, _ = BorderReport.objects.filter(submitted_at__lt=cutoff).delete()
        pending, _ = BorderReport.objects.filter(
            kind=ReportKind.TIMED, passed_at__isnull=True, created_at__lt=now - PENDING_MAX
        ).delete()
        decisions, _ = FlagDecision.objects.filter(at__lt=cutoff).delete()
    _board_changed()
    return {"reports": reports, "pending": pending, "decisions": decisions, "reporters": trusted}
