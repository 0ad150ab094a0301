"""Choices of border reports. The values are the estimator's own (haven.borders.estimator),
so a stored report converts to the estimator's input without a mapping table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    # Relative to the country of the checkpoint's region (Syrym: entering Kazakhstan).
    ENTRY = "entry", pgettext_lazy("border direction", "Entering")
    EXIT = "exit", pgettext_lazy("border direction", "Leaving")


class Mode(models.TextChoices):
    CAR = "car", pgettext_lazy("crossing mode", "Car")
    BUS = "bus", pgettext_lazy("crossing mode", "Bus")
    PEDESTRIAN = "pedestrian", pgettext_lazy("crossing mode", "On foot")
    TRUCK = "truck", pgettext_lazy("crossing mode", "Truck")


class ReportKind(models.TextChoices):
    TIMED = "timed", _("I crossed: when I joined the queue and when I passed control")
    QUEUE = "queue", _("I am in the queue now")
    FLAG = "flag", _("A rule or amenity at the checkpoint")


class FlagName(models.TextChoices):
    CLOSED = "closed", _("The checkpoint is closed")
    PEDESTRIANS_NOT_ALLOWED = "pedestrians_not_allowed", _("Pedestrians are not allowed through")
    DRAFT_AGE_TURNED_BACK = "draft_age_turned_back", _("Men of draft age are turned back")
    NO_WATER = "no_water", _("No drinking water in the queue")
    NO_FUEL = "no_fuel", _("No fuel near the queue")


class FlagStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", pgettext_lazy("flag status", "Unconfirmed")
    CONFIRMED = "confirmed", pgettext_lazy("flag status", "Confirmed")
    REFUTED = "refuted", pgettext_lazy("flag status", "Refuted")


class FlagVerdict(models.TextChoices):
    CONFIRM = "confirm", pgettext_lazy("flag verdict", "Confirm")
    REFUTE = "refute", pgettext_lazy("flag verdict", "Refute")
    CLEAR = "clear", pgettext_lazy("flag verdict", "Leave it to the reporters")
