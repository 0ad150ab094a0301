"""The region's clock. Every "today" and "now" in Haven comes from here, so a date is
always the region's calendar day (settings.TIME_ZONE, Asia/Almaty in the demo), never
the server's or UTC's: between 19:00 and 24:00 UTC the two differ in Almaty."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format

# A traveller's phone may still be on the time zone they came from: a start date one day
# before the region's "today" is taken as today, not refused as past.
TRAVELLER_TOLERANCE = dt.timedelta(days=1)


def now() -> dt.datetime:
    """The current moment, aware (UTC, as stored; pages show it in the region's zone)."""
    return timezone.now()


def today() -> dt.date:
    """The region's calendar day now."""
    return timezone.localdate()


def day_of(moment: dt.datetime) -> dt.date:
    """The region's calendar day at an aware moment."""
    return timezone.localdate(moment)


def earliest_start() -> dt.date:
    """The earliest start date a person may enter: the region's yesterday (see
    TRAVELLER_TOLERANCE)."""
    return today() - TRAVELLER_TOLERANCE


def wall_time(moment: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """The region's wall-clock time of ``moment`` ("14:30"), with the day ("3 April, 14:30")
    when that is not the region's day of ``now``."""
    local = timezone.localtime(moment)
    same_day = local.date() == day_of(now or timezone.now())
    return date_format(local, "H:i" if same_day else "j E, H:i")
