"""Sentences about border reports that the web and the bot both say: how long a wait or a
running clock took, and what the board made of a report just sent (so the message and the
board agree; ``selectors.report_standing``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from haven.borders.enums import Mode, ReportKind
from haven.borders.forms import direction_labels
from haven.borders.models import BorderReport
from haven.core import clock


def hours_minutes(delta: dt.timedelta) -> str:
    """"3 hours 20 minutes", "45 minutes", "2 hours" (whole minutes, rounded down)."""
    total = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(total, 60)
    hours_part = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes_part = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if hours and minutes:
        return pgettext("a duration", "%(hours)s %(minutes)s") % {"hours": hours_part, "minutes": minutes_part}
    if hours:
        return hours_part
    return minutes_part


def since(delta: dt.timedelta) -> str:
    """"just now" under a minute (never "0 minutes ago"), else "3 hours 20 minutes ago"."""
    if delta < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(duration)s ago") % {"duration": hours_minutes(delta)}


def where(report: BorderReport) -> str:
    direction = direction_labels(report.checkpoint).get(report.direction, report.direction)
    mode = Mode(report.mode).label if report.mode in Mode.values else report.mode
    return _("%(direction)s, %(mode)s") % {"direction": direction, "mode": mode}


def report_outcome(*, report: BorderReport, standing: dict[str, Any] | None) -> str:
    """What was counted: the wait (or the queue report) and how many reports the estimate
    on the board rests on now, or that the estimate gives it no weight for now."""
    if report.kind == ReportKind.FLAG:
        return _(
            "Thank you. Your report is saved. A rule or condition is confirmed only when several "
            "independent travellers or a coordinator say so."
        )
    if standing is None:
        return _("Thank you. Your report is saved; the board will show it within a minute.")
    count = standing["reports"]
    if not standing["counted"]:
        return ngettext(
            "Your report is saved, but the estimate does not count it for now: it is far from what "
            "other travellers at this checkpoint report. The estimate rests on %(count)d report.",
            "Your report is saved, but the estimate does not count it for now: it is far from what "
            "other travellers at this checkpoint report. The estimate rests on %(count)d reports.",
            count,
        ) % {"count": count}
    if report.kind == ReportKind.TIMED and report.joined_at is not None and report.passed_at is not None:
        return ngettext(
            "Counted: you waited %(wait)s (%(where)s). The estimate now rests on %(count)d report, "
            "yours included.",
            "Counted: you waited %(wait)s (%(where)s). The estimate now rests on %(count)d reports, "
            "yours included.",
            count,
        ) % {"wait": hours_minutes(report.passed_at - report.joined_at), "where": where(report), "count": count}
    return ngettext(
        "Counted: your report from the queue (%(where)s). The estimate now rests on %(count)d "
        "report, yours included.",
        "Counted: your report from the queue (%(where)s). The estimate now rests on %(count)d "
        "reports, yours included.",
        count,
    ) % {"where": where(report), "count": count}


def clock_running(report: BorderReport, *, now: dt.datetime) -> str:
    """"You joined the queue at 14:05 — 3 hours 20 minutes ago (Entering Kazakhstan, Car).",
    with the date when it was not today (region's day)."""
    assert report.joined_at is not None  # noqa: S101 - a running clock always has T0
    return _("You joined the queue at %(time)s — %(since)s (%(where)s).") % {
        "time": clock.wall_time(report.joined_at, now=now), "since": since(now - report.joined_at), "where": where(report),
    }
