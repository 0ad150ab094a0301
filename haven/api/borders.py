"""Border status over the API: the cached public board, one checkpoint with its 72-hour
series, and sending a report (validated by the same forms as the web pages)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from haven.accounts.types import AuthedRequest
from haven.api import errors
from haven.api.schemas import ErrorOut, Strict
from haven.borders import selectors, services
from haven.borders.forms import REPORT_FORMS
from haven.borders.models import BorderReport

ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut,
}


class EstimateOut(Schema):
    direction: str
    mode: str
    wait_h: float | None = Field(description="Expected wait in hours for someone joining now")
    low_h: float | None = Field(description="Low end of a roughly 80% interval, hours")
    high_h: float | None = Field(description="High end of a roughly 80% interval, hours")
    reports: int
    reporters: int
    newest_report_at: str | None
    trend: str = Field(description="rising, falling, steady or unknown")
    trend_h_per_h: float | None
    spark: list[float | None] = Field(description="Hourly wait over the last 24 hours, oldest first")


class FlagOut(Schema):
    direction: str
    flag: str
    status: str = Field(description="unconfirmed, confirmed or refuted")
    decided_by: str = Field(description="coordinator, reporters or empty while unconfirmed")
    reporters_for: int
    reporters_against: int
    last_report_at: str | None


class CheckpointOut(Schema):
    slug: str
    name_en: str
    name_ru: str
    counterpart_en: str
    counterpart_ru: str
    type: str
    country: str | None = Field(description="Country of the checkpoint's region; directions are relative to it")
    official_url: str | None
    modes: list[str]
    directions: list[str]
    busy_2022: bool
    estimates: list[EstimateOut]
    flags: list[FlagOut]


class BoardOut(Schema):
    at: str
    checkpoints: list[CheckpointOut]


class PointOut(Schema):
    at: str
    wait_h: float | None
    low_h: float | None
    high_h: float | None


class SeriesOut(Schema):
    direction: str
    mode: str
    points: list[PointOut]


class CheckpointDetailOut(CheckpointOut):
    series: list[SeriesOut]


class ReportIn(Strict):
    checkpoint: str = Field(description="Checkpoint slug from /api/border/checkpoints")
    kind: Literal["timed", "queue", "flag"]
    direction: str = Field(description="entry or exit, relative to the checkpoint's country")
    mode: str | None = Field(None, description="car, bus, pedestrian or truck (optional for flags)")
    at_checkpoint: bool = True
    joined_at: str | None = Field(None, description="ISO 8601 with offset; timed (required) and queue (optional)")
    passed_at: str | None = Field(None, description="ISO 8601 with offset; timed")
    position: int | None = None
    vehicles_ahead: int | None = None
    km: float | None = None
    flag: str | None = None
    value: bool | None = None


class ReportOut(Schema):
    id: str
    checkpoint: str
    kind: str
    direction: str
    mode: str
    submitted_at: str | None


def report_out(report: BorderReport) -> dict[str, Any]:
    return {
        "id": report.public_id, "checkpoint": report.checkpoint.slug, "kind": report.kind,
        "direction": report.direction, "mode": report.mode,
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
    }


router = Router(tags=["border"])


@router.get("/checkpoints", response=BoardOut, auth=None)
def checkpoints(request: AuthedRequest) -> dict[str, Any]:
    """Every checkpoint with its current wait estimates and flags (public, cached)."""
    return selectors.board()


@router.get("/checkpoints/{slug}", response={200: CheckpointDetailOut, **ERRORS}, auth=None)
def checkpoint(request: AuthedRequest, slug: str) -> dict[str, Any]:
    """One checkpoint from the board plus an hourly series of the last 72 hours."""
    item = selectors.checkpoint_detail(slug=slug)
    if item is None:
        raise Http404
    return item


@router.post("/reports", response={201: ReportOut, **ERRORS})
def report_create(request: AuthedRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    """Send a report: ``timed`` (joined_at and passed_at), ``queue`` (position,
    vehicles_ahead or km) or ``flag`` (flag and value). Refused with 422 and a code per
    field when impossible; 429 past the per-account rate limit."""
    data: dict[str, Any] = {}
    for key, value in payload.model_dump(exclude_none=True).items():
        if isinstance(value, bool):
            if key == "value":
                data[key] = "true" if value else "false"
            elif value:  # a ticked checkbox, exactly as a browser sends it
                data[key] = "on"
        else:
            data[key] = value
    form = REPORT_FORMS[payload.kind](data=data, reporter=request.user)
    if not form.is_valid():
        raise errors.FormInvalid(form)
    report = services.report_submit(reporter=request.user, data=form.cleaned_data)
    return Status(201, report_out(report))
