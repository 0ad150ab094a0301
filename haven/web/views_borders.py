"""Border status pages: the public board, a checkpoint's detail with a 72-hour chart, the
report form (the timed flow works with two buttons and no JavaScript), and the
coordinators' moderation buttons. Thin: forms validate, services write, selectors read;
this module only turns the cached board into words and SVG coordinates."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext, npgettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts.types import AuthedRequest
from haven.borders import phrases, selectors, services
from haven.borders.enums import FlagName, FlagStatus, FlagVerdict, Mode
from haven.borders.forms import (
    REPORT_FORMS,
    ClockForm,
    FlagDecisionForm,
    FreezeForm,
    JoinForm,
    direction_labels,
    reportable_modes,
)
from haven.core import clock
from haven.core.errors import HavenError
from haven.geo.models import Checkpoint
from haven.safety import services as safety
from haven.safety.enums import TargetKind
from haven.web.views import report_page

TREND_ARROWS = {"rising": "↑", "falling": "↓", "steady": "→"}
SPARK_W, SPARK_H = 100, 24
BOARD_HTML_SECONDS = 30
CHART_W, CHART_H, CHART_LEFT, CHART_TOP, CHART_BOTTOM = 320, 170, 34, 8, 146


# ----- words --------------------------------------------------------------------------------


def _russian() -> bool:
    return (get_language() or "ru").startswith(("ru", "kk", "uk"))


def _localised(item: dict[str, Any], name: str) -> str:
    return str(item.get(f"{name}_ru" if _russian() else f"{name}_en") or "")


def duration(hours: float) -> str:
    """A wait in words: minutes under an hour, then hours."""
    if hours < 1:
        minutes = max(1, round(hours * 60 / 5) * 5) if hours * 60 >= 5 else max(1, round(hours * 60))
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    whole = round(hours)
    return ngettext("%(count)d hour", "%(count)d hours", whole) % {"count": whole}


def age(moment: dt.datetime, now: dt.datetime) -> str:
    """How long ago, for "... ago" sentences (its own context: Russian declines it)."""
    minutes = max(1, round((now - moment).total_seconds() / 60))
    if minutes < 60:
        return npgettext("time ago", "%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = round(minutes / 60)
    return npgettext("time ago", "%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _direction_label(item: dict[str, Any], direction: str) -> str:
    country = _localised(item, "country")
    if not country:
        return direction
    if direction == "entry":
        return _("Entering %(country)s") % {"country": country}
    return _("Leaving %(country)s") % {"country": country}


def _spark(points: list[float | None]) -> str:
    values = [p for p in points if p is not None]
    if len(points) < 2 or not values:
        return ""
    top = max(values) or 1.0
    step = SPARK_W / (len(points) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_H - 1 - (p / top) * (SPARK_H - 2):.1f}"
        for i, p in enumerate(points)
        if p is not None
    )


def _estimate_row(item: dict[str, Any], e: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    newest = dt.datetime.fromisoformat(e["newest_report_at"]) if e["newest_report_at"] else None
    freshness = ""
    if newest is not None and now - newest < dt.timedelta(minutes=1):
        # Never "the newest 0 minutes ago" (nor a rounded-up "1 minute ago").
        freshness = ngettext(
            "%(count)d report, the newest just now",
            "%(count)d reports, the newest just now",
            e["reports"],
        ) % {"count": e["reports"]}
    elif newest is not None:
        freshness = ngettext(
            "%(count)d report, the newest %(age)s ago",
            "%(count)d reports, the newest %(age)s ago",
            e["reports"],
        ) % {"count": e["reports"], "age": age(newest, now)}
    interval = ""
    if e["low_h"] is not None and e["high_h"] is not None:
        interval = _("likely between %(low)s and %(high)s") % {
            "low": duration(e["low_h"]), "high": duration(e["high_h"]),
        }
    trend_words = {
        "rising": pgettext("wait trend", "rising"),
        "falling": pgettext("wait trend", "falling"),
        "steady": pgettext("wait trend", "steady"),
    }
    return {
        "direction": e["direction"],
        "direction_label": _direction_label(item, e["direction"]),
        "mode": e["mode"],
        "mode_label": Mode(e["mode"]).label if e["mode"] in Mode.values else e["mode"],
        "wait": duration(e["wait_h"]),
        "interval": interval,
        "freshness": freshness,
        "stale": newest is None or now - newest > dt.timedelta(hours=6),
        "trend": e["trend"],
        "arrow": TREND_ARROWS.get(e["trend"], ""),
        "trend_label": trend_words.get(e["trend"], ""),
        "spark": _spark(e.get("spark") or []),
    }


def _flag_rows(item: dict[str, Any]) -> list[dict[str, Any]]:
    labels = dict(FlagName.choices)
    statuses = dict(FlagStatus.choices)
    return [
        {
            **f,
            "direction_label": _direction_label(item, f["direction"]),
            "label": labels.get(f["flag"], f["flag"]),
            "status_label": statuses.get(f["status"], f["status"]),
            "by_coordinator": f["decided_by"] == "coordinator",
        }
        for f in item["flags"]
    ]


def _present(item: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "slug": item["slug"],
        "name": _localised(item, "name"),
        "counterpart": _localised(item, "counterpart"),
        "country": _localised(item, "country"),
        "official_url": item["official_url"],
        "estimates": [_estimate_row(item, e, now) for e in item["estimates"]],
        "flags": [f for f in _flag_rows(item) if f["status"] != "refuted" or f["by_coordinator"]],
        "reportable": any(m in Mode.values for m in item["modes"]),
    }


# ----- the chart --------------------------------------------------------------------------


def _y(value: float, top: float) -> float:
    return CHART_BOTTOM - (value / top) * (CHART_BOTTOM - CHART_TOP)


def _chart(item: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    points = line["points"]
    n = len(points)
    highs = [p["high_h"] for p in points if p["high_h"] is not None] + [p["wait_h"] for p in points if p["wait_h"] is not None]
    top = max(highs or [1.0]) * 1.05 or 1.0
    width = CHART_W - CHART_LEFT - 4
    xs = [CHART_LEFT + i * width / max(1, n - 1) for i in range(n)]
    lines: list[str] = []
    bands: list[str] = []
    segment: list[int] = []

    def close() -> None:
        if not segment:
            return
        lines.append(" ".join(f"{xs[i]:.1f},{_y(points[i]['wait_h'], top):.1f}" for i in segment))
        with_band = [i for i in segment if points[i]["low_h"] is not None and points[i]["high_h"] is not None]
        if len(with_band) >= 2:
            upper = [f"{xs[i]:.1f},{_y(points[i]['high_h'], top):.1f}" for i in with_band]
            lower = [f"{xs[i]:.1f},{_y(points[i]['low_h'], top):.1f}" for i in reversed(with_band)]
            bands.append(" ".join(upper + lower))
        segment.clear()

    for i, p in enumerate(points):
        if p["wait_h"] is None:
            close()
        else:
            segment.append(i)
    close()
    ticks = [
        {"x": f"{CHART_LEFT + width * k / 3:.1f}", "label": label}
        for k, label in enumerate((_("72 h ago"), _("48 h ago"), _("24 h ago"), pgettext("chart axis", "now")))
    ]
    return {
        "title": f"{_direction_label(item, line['direction'])} · {Mode(line['mode']).label if line['mode'] in Mode.values else line['mode']}",
        "lines": lines,
        "bands": bands,
        "top_label": duration(top),
        "ticks": ticks,
        "width": CHART_W,
        "height": CHART_H,
        "left": CHART_LEFT,
        "top_y": CHART_TOP,
        "bottom_y": CHART_BOTTOM,
        "right": CHART_W - 4,
        "label_y": CHART_H - 6,
    }


# ----- pages ----------------------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    data = selectors.board()
    # The board's words change with the board itself, the language and the minute ("newest
    # 5 minutes ago"): render them once per combination, not once per visitor.
    bucket = int(time.time() // BOARD_HTML_SECONDS)
    key = f"borders:board-html:v1:{get_language()}:{data['at']}:{bucket}"
    html = cache.get(key)
    if html is None:
        now = clock.now()
        checkpoints = [_present(item, now) for item in data["checkpoints"]]
        with_data = [c for c in checkpoints if c["estimates"] or c["flags"]]
        quiet = [c for c in checkpoints if not (c["estimates"] or c["flags"])]
        html = render_to_string("web/borders/_board.html", {"with_data": with_data, "quiet": quiet})
        cache.set(key, html, timeout=BOARD_HTML_SECONDS * 2)
    return render(request, "web/borders/board.html", {"board_html": mark_safe(html)})  # noqa: S308 - our own template's output


def detail(
    request: HttpRequest, slug: str, *, decide_form: FlagDecisionForm | None = None, status: int = 200
) -> HttpResponse:
    item = selectors.checkpoint_detail(slug=slug)
    if item is None:
        raise Http404
    now = clock.now()
    context: dict[str, Any] = {
        "cp": _present(item, now),
        "all_flags": _flag_rows(item),
        "charts": [_chart(item, line) for line in item["series"]],
        "decide_form": decide_form,
    }
    if getattr(request.user, "is_coordinator", False):
        checkpoint = selectors.checkpoint_get(slug=slug)
        if checkpoint is not None and selectors.can_moderate(viewer=request.user, checkpoint=checkpoint):
            context["moderation"] = {
                "reports": selectors.reports_for_moderation(viewer=request.user, checkpoint=checkpoint),
                "directions": direction_labels(checkpoint),
                "flags": FlagName.choices,
                "verdicts": FlagVerdict.choices,
            }
    return render(request, "web/borders/detail.html", context, status=status)


def _checkpoint_or_404(slug: str) -> Checkpoint:
    checkpoint = selectors.checkpoint_get(slug=slug)
    if checkpoint is None:
        raise Http404
    return checkpoint


REPORT_ACTIONS = ("join", "pass", "cancel", "timed", "queue", "flag")


@login_required
def report(request: AuthedRequest, slug: str) -> HttpResponse:
    """The report page. A refused report is shown again (422 or the error's status) with
    the one error summary first on the page, above the heading (so a browser without
    JavaScript shows it on the first screen, not 1,400 px down inside its form), listing
    the posted form's errors with links to their fields. A report sent says what was
    counted, as the board shows it."""
    checkpoint = _checkpoint_or_404(slug)
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action not in REPORT_ACTIONS:
        action = ""
    kwargs: dict[str, Any] = {"checkpoint": checkpoint, "reporter": user}
    forms: dict[str, Any] = {
        kind: form_class(request.POST if action == kind else None, prefix=kind, **kwargs)
        for kind, form_class in REPORT_FORMS.items()
    }
    forms["join"] = JoinForm(request.POST if action == "join" else None, prefix="join", **kwargs)
    clock_form = ClockForm({})
    posted = clock_form if action in ("pass", "cancel") else forms.get(action)
    sent = None
    status = 422 if action else 200
    try:
        if action == "join" and forms["join"].is_valid():
            services.report_join(reporter=user, data=forms["join"].cleaned_data)
            messages.success(request, _("Your clock is running. Press “I passed control now” when you are through."))
            return redirect("web:border_report", slug=slug)
        if action == "pass":
            sent = services.report_pass(reporter=user, checkpoint=checkpoint)
        elif action == "cancel":
            services.report_pending_cancel(reporter=user, checkpoint=checkpoint)
            messages.success(request, _("Your clock is stopped and nothing was reported."))
            return redirect("web:border_report", slug=slug)
        elif action in REPORT_FORMS and forms[action].is_valid():
            sent = services.report_submit(reporter=user, data=forms[action].cleaned_data)
    except HavenError as error:
        status = error.status
        if posted is not None:
            posted.add_error(None, error.message)
        else:
            messages.error(request, error.message)
    if sent is not None:
        standing = selectors.report_standing(report=sent)
        messages.success(request, phrases.report_outcome(report=sent, standing=standing))
        return redirect("web:border_detail", slug=slug)
    pending = selectors.pending_report(reporter=user, checkpoint=checkpoint)
    context = {
        "checkpoint": checkpoint,
        "reportable": bool(reportable_modes(checkpoint)),
        "pending": pending,
        "join_form": forms["join"],
        "timed_form": forms["timed"],
        "queue_form": forms["queue"],
        "flag_form": forms["flag"],
        "failed": posted if posted is not None and posted.errors else None,
        "action": action,
    }
    return render(request, "web/borders/report.html", context, status=status)


@login_required
@require_POST
def flag_decide(request: AuthedRequest, slug: str) -> HttpResponse:
    checkpoint = _checkpoint_or_404(slug)
    if not selectors.can_moderate(viewer=request.user, checkpoint=checkpoint):
        # A public page: anyone else is sent back to it with a message.
        messages.error(request, HavenError("forbidden").message)
        return redirect("web:border_detail", slug=slug)
    form = FlagDecisionForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.flag_decide(checkpoint=checkpoint, by=request.user, **form.cleaned_data)
        except HavenError as error:
            status = error.status
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your decision is on the board."))
            return redirect("web:border_detail", slug=slug)
    # Shown again, with the error summary at the top of the page.
    return detail(request, slug, decide_form=form, status=status)


def _report_or_404(request: AuthedRequest, public_id: str) -> Any:
    """A report the person may see (its reporter, or a coordinator of its checkpoint's
    region); for anyone else it does not exist."""
    found = selectors.report_get_visible(viewer=request.user, public_id=public_id)
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def report_hide(request: AuthedRequest, public_id: str) -> HttpResponse:
    found = _report_or_404(request, public_id)
    try:
        services.report_hide(report=found, by=request.user)
    except HavenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The report is hidden and no longer counts."))
    return redirect("web:border_detail", slug=found.checkpoint.slug)


@login_required
@require_POST
def reporter_freeze(request: AuthedRequest, public_id: str) -> HttpResponse:
    found = _report_or_404(request, public_id)
    form = FreezeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.reporter_freeze(report=found, by=request.user, reason=reason)
        # The freeze takes effect everywhere: their open proposals are withdrawn too.
        safety.account_freeze(user=found.reporter, by=request.user, reason=reason)
    except HavenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The account is frozen; none of its reports count any more."))
    return redirect("web:border_detail", slug=found.checkpoint.slug)


@login_required
def report_abuse(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Report a border report to the triage queue (P4). Individual reports are shown only
    in the moderation list of the checkpoint page, so in practice its coordinators use it;
    for anyone who cannot see the report it is a 404."""
    found = _report_or_404(request, public_id)
    back = reverse("web:border_detail", args=[found.checkpoint.slug]) + "#report-" + found.public_id
    return report_page(request, target_kind=TargetKind.BORDER_REPORT, public_id=found.public_id, back=back)
