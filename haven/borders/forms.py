"""The one place where border reports are validated.

Each form checks its own fields, then hands the report to the estimator's validation
(``haven.borders.estimator.validate``) so that the web, the API and the demo refuse the
same impossible reports (negative waits, control passed before the queue was joined,
waits over 14 days, times in the future) with a translated message per stable code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from haven.accounts.forms import HavenForm
from haven.accounts.models import User
from haven.borders import estimator
from haven.borders.enums import Direction, FlagName, FlagVerdict, Mode, ReportKind
from haven.core import clock
from haven.core.errors import MESSAGES
from haven.geo.models import Checkpoint

ESTIMATOR_MODES = frozenset(m.value for m in estimator.Mode)

# A timed wait shorter than this is not a queue: it is a double tap ("I joined" then "I
# passed" a moment later), a test, or the same minute typed twice. Passport control alone
# takes a few minutes, so such a report says nothing about the queue, and the estimator,
# which works on log waits, would take "1 minute" against "3 hours" as an extreme outlier
# (it is then silenced by the first-in, first-out check, so the page said "counted" while
# the board did not change). A crossing with no queue at all is reported as "0 vehicles
# ahead of me" instead. The web, the API and the bot share this floor
# (docs/border-estimator.md, "Validation").
MIN_TIMED_WAIT = dt.timedelta(minutes=5)


def reportable_modes(checkpoint: Checkpoint) -> list[str]:
    """The checkpoint's modes the estimator knows (a rail crossing has none)."""
    return [m for m in checkpoint.modes if m in ESTIMATOR_MODES]


def _wait_too_long() -> str:
    days = int(estimator.DEFAULT_PARAMS.max_wait_h // 24)
    return ngettext(
        "A wait longer than %(days)d day is not possible. Please check the dates.",
        "A wait longer than %(days)d days is not possible. Please check the dates.",
        days,
    ) % {"days": days}


# The estimator's problem codes, in words. Unknown codes fall back to "not valid".
PROBLEM_MESSAGES: dict[str, Any] = {
    "missing": lambda: _("This field is required."),
    "from_future": lambda: _("This time is in the future."),
    "after_submitted": lambda: _("This time is in the future."),
    "passed_before_joined": lambda: _("You cannot pass control before you joined the queue."),
    "wait_too_long": _wait_too_long,
    "negative": lambda: _("This cannot be a negative number."),
    "too_large": lambda: _("This number is too large."),
    "not_integer": lambda: _("Enter a whole number."),
    "missing_measure": lambda: _(
        "Give your place in the queue, the number of vehicles ahead of you or the length of the queue in kilometres."
    ),
    "bad_datetime": lambda: _("Enter a date and time."),
    "naive_datetime": lambda: _("Enter a date and time."),
    "unknown_mode": lambda: _("This checkpoint cannot be crossed this way."),
    "unknown_flag": lambda: _("This value is not one of the allowed choices."),
}


def wait_too_short_message() -> str:
    return str(MESSAGES["wait_too_short"][0])


def problem_message(code: str) -> str:
    return str(PROBLEM_MESSAGES.get(code, lambda: _("This value is not valid."))())


class CheckpointField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Checkpoint.objects.all(),
            to_field_name="slug",
            error_messages={"invalid_choice": _("Unknown checkpoint. Please choose one from the list.")},
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class BorderReportForm(HavenForm):
    """Fields every report has. Pass ``checkpoint`` when the page already names it (the
    field disappears); otherwise the checkpoint slug is a field (the API)."""

    kind: ClassVar[str] = ""

    checkpoint = CheckpointField(label=_("Checkpoint"))
    direction = forms.ChoiceField(choices=Direction.choices, label=_("Direction"))
    mode = forms.ChoiceField(choices=Mode.choices, label=_("How you cross"))
    at_checkpoint = forms.BooleanField(
        required=False, initial=True, label=_("I am at the checkpoint (or was, when this happened)")
    )

    def __init__(
        self,
        *args: Any,
        checkpoint: Checkpoint | None = None,
        reporter: User | None = None,
        now: dt.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_checkpoint = checkpoint
        self.reporter = reporter
        self.now = now or clock.now()
        if checkpoint is not None:
            del self.fields["checkpoint"]
            labels = direction_labels(checkpoint)
            direction_field: Any = self.fields["direction"]
            direction_field.choices = [(d, labels[d]) for d in checkpoint.directions if d in labels]
            mode_field: Any = self.fields["mode"]
            modes = reportable_modes(checkpoint)
            mode_field.choices = [(m, label) for m, label in Mode.choices if m in modes]

    def _checkpoint(self) -> Checkpoint | None:
        return self.fixed_checkpoint or self.cleaned_data.get("checkpoint")

    def measures(self, data: dict[str, Any]) -> dict[str, Any]:
        """The kind's own fields, as the estimator's record wants them."""
        return {}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        checkpoint = self._checkpoint()
        data["checkpoint"] = checkpoint
        data["kind"] = self.kind
        if checkpoint is None:
            return data
        direction, mode = data.get("direction"), data.get("mode")
        if direction and direction not in checkpoint.directions:
            self.add_error(
                "direction",
                ValidationError(_("This checkpoint has no such direction."), code="unknown_direction"),
            )
        # A flag is about the checkpoint and direction; its mode is only the estimator's key.
        if mode and self.kind != ReportKind.FLAG and mode not in reportable_modes(checkpoint):
            self.add_error("mode", ValidationError(problem_message("unknown_mode"), code="unknown_mode"))
        if self.errors:
            return data
        record = report_record(
            data, reporter=self.reporter, submitted_at=self.now, measures=self.measures(data)
        )
        for problem in estimator.validate(record, now=self.now):
            field = problem.field if problem.field in self.fields else None
            if field is not None and field in self.errors:
                continue
            self.add_error(field, ValidationError(problem_message(problem.code), code=problem.code))
        return data


def report_record(
    data: dict[str, Any],
    *,
    reporter: User | None,
    submitted_at: dt.datetime,
    measures: dict[str, Any],
) -> dict[str, Any]:
    """A report in the estimator's raw shape, for ``estimator.validate``."""
    checkpoint = data["checkpoint"]
    return {
        "id": "new",
        "checkpoint": checkpoint.slug,
        "direction": data.get("direction"),
        "mode": data.get("mode"),
        "kind": data.get("kind"),
        "reporter": reporter.public_id if reporter is not None else "anonymous",
        "reporter_created_at": min(reporter.date_joined, submitted_at) if reporter is not None else submitted_at,
        "at_checkpoint": bool(data.get("at_checkpoint")),
        "submitted_at": submitted_at,
        **measures,
    }


class TimedReportForm(BorderReportForm):
    """I crossed: joined the queue at T0, passed control at T1 (the best signal)."""

    kind = ReportKind.TIMED

    joined_at = forms.DateTimeField(widget=DateTimeLocalInput(), label=_("I joined the queue at"))
    passed_at = forms.DateTimeField(widget=DateTimeLocalInput(), label=_("I passed control at"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["passed_at"].help_text = _("Times are in the %(zone)s time zone.") % {"zone": zone}

    def measures(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"joined_at": data.get("joined_at"), "passed_at": data.get("passed_at")}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        joined, passed = data.get("joined_at"), data.get("passed_at")
        if joined is None or passed is None or "passed_at" in self.errors:
            return data
        if dt.timedelta(0) <= passed - joined < MIN_TIMED_WAIT:
            self.add_error("passed_at", ValidationError(wait_too_short_message(), code="wait_too_short"))
        return data


class QueueReportForm(BorderReportForm):
    """I am in the queue now: my place, the vehicles ahead, or the queue's length."""

    kind = ReportKind.QUEUE

    position = forms.IntegerField(required=False, label=_("My place in the queue"))
    vehicles_ahead = forms.IntegerField(required=False, label=_("Vehicles ahead of me"))
    km = forms.FloatField(required=False, label=_("Length of the queue (km)"))
    joined_at = forms.DateTimeField(
        required=False, widget=DateTimeLocalInput(), label=_("I joined the queue at (optional)")
    )

    def measures(self, data: dict[str, Any]) -> dict[str, Any]:
        record = {name: data.get(name) for name in ("position", "vehicles_ahead", "km")}
        if data.get("joined_at") is not None:
            record["joined_at"] = data["joined_at"]
        return record


class FlagReportForm(BorderReportForm):
    """A rule or an amenity: closed, pedestrians not allowed, men of draft age turned
    back, no water, no fuel, said to be so or said not to be so."""

    kind = ReportKind.FLAG

    flag = forms.ChoiceField(choices=FlagName.choices, label=_("What is it about?"))
    value = forms.TypedChoiceField(
        choices=[("true", _("Yes, this is so now")), ("false", _("No, this is not so now"))],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
        label=_("Is it so?"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].required = False
        self.fields["mode"].widget = forms.HiddenInput()

    def clean_mode(self) -> str:
        mode: str = self.cleaned_data.get("mode") or ""
        if mode:
            return mode
        checkpoint = self._checkpoint()
        modes = reportable_modes(checkpoint) if checkpoint is not None else []
        return modes[0] if modes else Mode.CAR

    def measures(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"flag": data.get("flag"), "value": data.get("value")}


REPORT_FORMS: dict[str, type[BorderReportForm]] = {
    ReportKind.TIMED: TimedReportForm,
    ReportKind.QUEUE: QueueReportForm,
    ReportKind.FLAG: FlagReportForm,
}


class JoinForm(BorderReportForm):
    """"I joined the queue now": stores T0; "I passed control now" completes the report."""

    kind = ReportKind.TIMED

    def clean(self) -> dict[str, Any]:
        # Only direction and mode are checked now; the times are checked on passing control.
        forms.Form.clean(self)
        data = self.cleaned_data
        checkpoint = self._checkpoint()
        data["checkpoint"] = checkpoint
        data["kind"] = self.kind
        if checkpoint is not None:
            if data.get("direction") and data["direction"] not in checkpoint.directions:
                self.add_error(
                    "direction",
                    ValidationError(_("This checkpoint has no such direction."), code="unknown_direction"),
                )
            if data.get("mode") and data["mode"] not in reportable_modes(checkpoint):
                self.add_error("mode", ValidationError(problem_message("unknown_mode"), code="unknown_mode"))
        return data


class ClockForm(HavenForm):
    """The clock's two buttons ("I passed control now", "I left the queue") have no
    fields; their refusals go to the page's error summary like any form's."""


class FlagDecisionForm(HavenForm):
    """A coordinator's decision on a flag. The checkpoint page renders its fields by hand
    with the ids ``decide-<field>`` (``auto_id``), so its error summary links to them."""

    direction = forms.ChoiceField(choices=Direction.choices, label=_("Direction"))
    flag = forms.ChoiceField(choices=FlagName.choices, label=pgettext_lazy("border report", "Flag"))
    verdict = forms.ChoiceField(choices=FlagVerdict.choices, label=pgettext_lazy("border flag", "Decision"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "decide-%s")
        super().__init__(*args, **kwargs)


class FreezeForm(HavenForm):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason (seen only by coordinators)"))


def direction_labels(checkpoint: Checkpoint) -> dict[str, str | Promise]:
    """'Entering Kazakhstan' / 'Leaving Kazakhstan': directions are relative to the country
    of the checkpoint's region."""
    region = checkpoint.region
    if region is None:
        return dict(Direction.choices)
    country = region.country.name
    return {
        Direction.ENTRY: _("Entering %(country)s") % {"country": country},
        Direction.EXIT: _("Leaving %(country)s") % {"country": country},
    }
