"""Report builders for the pure estimator tests (no Django, no database)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from haven.borders.estimator import Flag, Kind, Mode, Report

NOW = datetime(2022, 9, 25, 12, 0, tzinfo=UTC)
CP = "kz-syrym"
DIR = "ru-kz"
_ids = itertools.count(1)


def hours(h: float) -> timedelta:
    return timedelta(hours=h)


def account(age_days: float, *, at: datetime = NOW) -> datetime:
    return at - timedelta(days=age_days)


def timed(
    reporter: str,
    wait_h: float,
    *,
    passed_ago_h: float = 0.2,
    age_days: float = 60.0,
    now: datetime = NOW,
    checkpoint: str = CP,
    mode: Mode = Mode.CAR,
) -> Report:
    passed = now - hours(passed_ago_h)
    return Report(
        id=f"t{next(_ids)}",
        checkpoint=checkpoint,
        direction=DIR,
        mode=mode,
        kind=Kind.TIMED,
        reporter=reporter,
        reporter_created_at=account(age_days, at=now),
        at_checkpoint=True,
        submitted_at=passed + hours(0.05 if not 0 <= passed_ago_h < 0.05 else passed_ago_h),
        joined_at=passed - hours(wait_h),
        passed_at=passed,
    )


def queue(
    reporter: str,
    position: int,
    *,
    ago_h: float = 0.1,
    queued_h: float = 0.0,
    age_days: float = 60.0,
    now: datetime = NOW,
) -> Report:
    at = now - hours(ago_h)
    return Report(
        id=f"q{next(_ids)}",
        checkpoint=CP,
        direction=DIR,
        mode=Mode.CAR,
        kind=Kind.QUEUE,
        reporter=reporter,
        reporter_created_at=account(age_days, at=now),
        at_checkpoint=True,
        submitted_at=at,
        joined_at=at - hours(queued_h),
        position=position,
    )


def flag(
    reporter: str,
    value: bool,
    *,
    which: Flag = Flag.CLOSED,
    ago_h: float = 1.5,
    age_days: float = 60.0,
    now: datetime = NOW,
) -> Report:
    at = now - hours(ago_h)
    return Report(
        id=f"f{next(_ids)}",
        checkpoint=CP,
        direction=DIR,
        mode=Mode.CAR,
        kind=Kind.FLAG,
        reporter=reporter,
        reporter_created_at=account(age_days, at=now),
        at_checkpoint=True,
        submitted_at=at,
        flag=which,
        value=value,
    )


def record(**overrides: object) -> dict[str, object]:
    """A valid raw timed report (as JSON or a form would carry it), with overrides."""
    base: dict[str, object] = {
        "id": "r1",
        "checkpoint": CP,
        "direction": DIR,
        "mode": "car",
        "kind": "timed",
        "reporter": "p:alice",
        "reporter_created_at": "2022-09-01T00:00:00+00:00",
        "at_checkpoint": True,
        "submitted_at": "2022-09-25T11:00:00+00:00",
        "joined_at": "2022-09-24T23:00:00+00:00",
        "passed_at": "2022-09-25T10:45:00+00:00",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}
