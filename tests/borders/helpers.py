"""What a browser posts on the report page, and reports made through the forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def local(moment: dt.datetime) -> str:
    """A datetime-local input's value in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def timed_post(joined: dt.datetime, passed: dt.datetime, **overrides: Any) -> dict[str, Any]:
    data = {
        "action": "timed", "timed-direction": "entry", "timed-mode": "car", "timed-at_checkpoint": "on",
        "timed-joined_at": local(joined), "timed-passed_at": local(passed),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def queue_post(**overrides: Any) -> dict[str, Any]:
    data = {"action": "queue", "queue-direction": "entry", "queue-mode": "car", "queue-at_checkpoint": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit_timed(user: Any, checkpoint: Any, hours: float, *, passed_ago_min: float = 10, direction: str = "entry", mode: str = "car") -> Any:
    """A timed report through the form and the service, as the page would send it."""
    from haven.borders import services
    from haven.borders.forms import TimedReportForm

    passed = ago(minutes=passed_ago_min)
    joined = passed - dt.timedelta(hours=hours)
    form = TimedReportForm(
        data={"direction": direction, "mode": mode, "at_checkpoint": "on", "joined_at": joined.isoformat(), "passed_at": passed.isoformat()},
        checkpoint=checkpoint, reporter=user,
    )
    assert form.is_valid(), form.errors
    return services.report_submit(reporter=user, data=form.cleaned_data, limit=False)


def make_reporters(count: int, *, prefix: str = "traveller", days_old: float = 30) -> list[Any]:
    from tests.factories import make_user

    people = []
    for i in range(count):
        user = make_user(f"{prefix}-{i:02d}")
        user.date_joined = timezone.now() - dt.timedelta(days=days_old)
        user.save(update_fields=["date_joined"])
        people.append(user)
    return people
