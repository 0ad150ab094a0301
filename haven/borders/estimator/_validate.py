"""Validation and loading of reports. The same checks serve the JSONL loader, forms and the API."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ._model import DEFAULT_PARAMS, Flag, Kind, Mode, Params, Problem, Report

__all__ = [
    "InvalidReport",
    "LoadError",
    "load_jsonl",
    "parse_report",
    "report_to_record",
    "validate",
]

_MAX_TEXT = 128
_QUEUE_FIELDS = ("position", "vehicles_ahead", "km")


class InvalidReport(ValueError):
    """A report failed validation; `problems` lists (field, code) pairs."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))


class LoadError(ValueError):
    """A JSONL line failed to load; names the 1-based line number and its problems."""

    def __init__(self, line: int, problems: list[Problem]) -> None:
        self.line = line
        self.problems = problems
        detail = ", ".join(f"{p.field or '(line)'}: {p.code}" for p in problems)
        super().__init__(f"line {line}: {detail}")


def _text(record: Mapping[str, Any], name: str, problems: list[Problem]) -> str | None:
    value = record.get(name)
    if value is None:
        problems.append(Problem(name, "missing"))
        return None
    if not isinstance(value, str):
        problems.append(Problem(name, "wrong_type"))
        return None
    value = value.strip()
    if not value:
        problems.append(Problem(name, "missing"))
        return None
    if len(value) > _MAX_TEXT:
        problems.append(Problem(name, "too_long"))
        return None
    return value


def _time(
    record: Mapping[str, Any], name: str, problems: list[Problem], *, required: bool = True
) -> datetime | None:
    value = record.get(name)
    if value is None:
        if required:
            problems.append(Problem(name, "missing"))
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            problems.append(Problem(name, "bad_datetime"))
            return None
    else:
        problems.append(Problem(name, "wrong_type"))
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        problems.append(Problem(name, "naive_datetime"))
        return None
    return parsed


def _number(
    record: Mapping[str, Any], name: str, problems: list[Problem], *, limit: float, integer: bool
) -> float | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(name, "wrong_type"))
        return None
    if not math.isfinite(value):
        problems.append(Problem(name, "wrong_type"))
        return None
    if integer and value != int(value):
        problems.append(Problem(name, "not_integer"))
        return None
    if value < 0:
        problems.append(Problem(name, "negative"))
        return None
    if value > limit:
        problems.append(Problem(name, "too_large"))
        return None
    return float(value)


def _choice(record: Mapping[str, Any], name: str, enum_type: Any, problems: list[Problem]) -> Any:
    value = record.get(name)
    if value is None:
        problems.append(Problem(name, "missing"))
        return None
    if not isinstance(value, str):
        problems.append(Problem(name, "wrong_type"))
        return None
    try:
        return enum_type(value.strip().lower())
    except ValueError:
        problems.append(Problem(name, f"unknown_{name}"))
        return None


def _check(
    record: Mapping[str, Any], now: datetime, params: Params
) -> tuple[list[Problem], Report | None]:
    problems: list[Problem] = []
    if not isinstance(record, Mapping):
        return [Problem("", "not_object")], None
    report_id = _text(record, "id", problems)
    checkpoint = _text(record, "checkpoint", problems)
    direction = _text(record, "direction", problems)
    reporter = _text(record, "reporter", problems)
    mode = _choice(record, "mode", Mode, problems)
    kind = _choice(record, "kind", Kind, problems)
    at_checkpoint = record.get("at_checkpoint")
    if at_checkpoint is None:
        problems.append(Problem("at_checkpoint", "missing"))
    elif not isinstance(at_checkpoint, bool):
        problems.append(Problem("at_checkpoint", "wrong_type"))
    tolerance = timedelta(seconds=params.future_tolerance_s)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    submitted = _time(record, "submitted_at", problems)
    if submitted is not None and submitted > now + tolerance:
        problems.append(Problem("submitted_at", "from_future"))
    created = _reporter_created_at(record, submitted, problems)
    if created is not None and submitted is not None and created > submitted + tolerance:
        problems.append(Problem("reporter_created_at", "after_submitted"))

    joined = passed = None
    numbers: dict[str, float | None] = {}
    flag: Flag | None = None
    value: bool | None = None
    if kind is Kind.TIMED:
        joined = _time(record, "joined_at", problems)
        passed = _time(record, "passed_at", problems)
        for name, moment in (("joined_at", joined), ("passed_at", passed)):
            if moment is None:
                continue
            if moment > now + tolerance:
                problems.append(Problem(name, "from_future"))
            elif submitted is not None and moment > submitted + tolerance:
                problems.append(Problem(name, "after_submitted"))
        if joined is not None and passed is not None:
            wait_h = (passed - joined).total_seconds() / 3600.0
            if wait_h < 0:
                problems.append(Problem("passed_at", "passed_before_joined"))
            elif wait_h > params.max_wait_h:
                problems.append(Problem("passed_at", "wait_too_long"))
    elif kind is Kind.QUEUE:
        numbers["position"] = _number(
            record, "position", problems, limit=params.max_position, integer=True
        )
        numbers["vehicles_ahead"] = _number(
            record, "vehicles_ahead", problems, limit=params.max_position, integer=True
        )
        numbers["km"] = _number(record, "km", problems, limit=params.max_km, integer=False)
        if all(record.get(name) is None for name in _QUEUE_FIELDS):
            problems.append(Problem("position", "missing_measure"))
        # Optional: when the reporter joined this queue (turns a position into a total wait).
        joined = _time(record, "joined_at", problems, required=False)
        if joined is not None:
            if joined > now + tolerance:
                problems.append(Problem("joined_at", "from_future"))
            elif submitted is not None and joined > submitted + tolerance:
                problems.append(Problem("joined_at", "after_submitted"))
            elif (
                submitted is not None
                and (submitted - joined).total_seconds() / 3600.0 > params.max_wait_h
            ):
                problems.append(Problem("joined_at", "wait_too_long"))
    elif kind is Kind.FLAG:
        flag = _choice(record, "flag", Flag, problems)
        raw = record.get("value")
        if raw is None:
            problems.append(Problem("value", "missing"))
        elif not isinstance(raw, bool):
            problems.append(Problem("value", "wrong_type"))
        else:
            value = raw

    if problems:
        return problems, None
    if not (report_id and checkpoint and direction and reporter and submitted and created):
        return [Problem("", "invalid")], None  # unreachable: each missing field added a problem
    position = numbers.get("position")
    vehicles = numbers.get("vehicles_ahead")
    return [], Report(
        id=report_id,
        checkpoint=checkpoint,
        direction=direction,
        mode=mode,
        kind=kind,
        reporter=reporter,
        reporter_created_at=created,
        at_checkpoint=bool(at_checkpoint),
        submitted_at=submitted,
        joined_at=joined,
        passed_at=passed,
        position=None if position is None else int(position),
        vehicles_ahead=None if vehicles is None else int(vehicles),
        km=numbers.get("km"),
        flag=flag,
        value=value,
    )


def _reporter_created_at(
    record: Mapping[str, Any], submitted: datetime | None, problems: list[Problem]
) -> datetime | None:
    """Account creation time, given directly or as `reporter_age_days` at submission."""
    if record.get("reporter_created_at") is not None:
        return _time(record, "reporter_created_at", problems)
    age = record.get("reporter_age_days")
    if age is None:
        problems.append(Problem("reporter_created_at", "missing"))
        return None
    if isinstance(age, bool) or not isinstance(age, int | float) or not math.isfinite(age):
        problems.append(Problem("reporter_age_days", "wrong_type"))
        return None
    if age < 0:
        problems.append(Problem("reporter_age_days", "negative"))
        return None
    if age > 365 * 100:
        problems.append(Problem("reporter_age_days", "too_large"))
        return None
    if submitted is None:
        return None
    return submitted - timedelta(days=float(age))


def validate(
    record: Mapping[str, Any], *, now: datetime, params: Params = DEFAULT_PARAMS
) -> list[Problem]:
    """Return every problem with a raw report (a JSON object or form data); [] if it is valid.

    Unknown keys are ignored so that form and API payloads can carry their own extras.
    """
    return _check(record, now, params)[0]


def parse_report(
    record: Mapping[str, Any], *, now: datetime, params: Params = DEFAULT_PARAMS
) -> Report:
    """Validate and convert one raw report; raise `InvalidReport` listing all problems."""
    problems, report = _check(record, now, params)
    if report is None:
        raise InvalidReport(problems)
    return report


def load_jsonl(
    source: str | os.PathLike[str] | Iterable[str],
    *,
    now: datetime,
    params: Params = DEFAULT_PARAMS,
) -> list[Report]:
    """Load one report per line (blank lines skipped); raise `LoadError` at the first bad line.

    Reports are returned sorted by `submitted_at`; a duplicate id is an error.
    """
    if isinstance(source, str | os.PathLike):
        with Path(source).open(encoding="utf-8") as handle:
            return _load_lines(handle, now, params)
    return _load_lines(source, now, params)


def _load_lines(lines: Iterable[str], now: datetime, params: Params) -> list[Report]:
    reports: list[Report] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise LoadError(number, [Problem("", "bad_json")]) from None
        if not isinstance(record, dict):
            raise LoadError(number, [Problem("", "not_object")])
        problems, report = _check(record, now, params)
        if report is None:
            raise LoadError(number, problems)
        if report.id in seen:
            raise LoadError(number, [Problem("id", "duplicate_id")])
        seen.add(report.id)
        reports.append(report)
    reports.sort(key=lambda r: r.submitted_at)
    return reports


def report_to_record(report: Report) -> dict[str, object]:
    """The JSONL form of a report (inverse of `parse_report`)."""
    record: dict[str, object] = {
        "id": report.id,
        "checkpoint": report.checkpoint,
        "direction": report.direction,
        "mode": str(report.mode),
        "kind": str(report.kind),
        "reporter": report.reporter,
        "reporter_created_at": report.reporter_created_at.isoformat(),
        "at_checkpoint": report.at_checkpoint,
        "submitted_at": report.submitted_at.isoformat(),
    }
    if report.kind is Kind.TIMED:
        for name in ("joined_at", "passed_at"):
            moment = getattr(report, name)
            record[name] = None if moment is None else moment.isoformat()
    elif report.kind is Kind.QUEUE:
        if report.joined_at is not None:
            record["joined_at"] = report.joined_at.isoformat()
        for name in _QUEUE_FIELDS:
            value = getattr(report, name)
            if value is not None:
                record[name] = value
    else:
        record["flag"] = str(report.flag)
        record["value"] = report.value
    return record
