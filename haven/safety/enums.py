from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetKind(models.TextChoices):
    OFFER = "offer", pgettext_lazy("report target", "Offer")
    NEED = "need", pgettext_lazy("report target", "Request for help")
    PROPOSAL = "proposal", pgettext_lazy("report target", "Proposal")
    BORDER_REPORT = "border_report", pgettext_lazy("report target", "Border report")
    USER = "user", pgettext_lazy("report target", "Account")


class ReportReason(models.TextChoices):
    TRAFFICKING = "trafficking", _("Possible trafficking or exploitation")
    UNSAFE = "unsafe", _("Unsafe or threatening behaviour")
    AGENT = "agent", _("Seems to collect information about people (an agent or a scraper)")
    FAKE = "fake", _("Fake or misleading listing")
    MONEY = "money", _("Asks for money or gouges prices")
    HARASSMENT = "harassment", _("Harassment")
    SPAM = "spam", _("Spam")
    OTHER = "other", _("Something else")
    # Filed only by safety.services.report_unsafe_checkin, never chosen by a person.
    UNSAFE_CHECKIN = "unsafe_checkin", _("The guest answered “I am not safe” at a safety check-in")


# What a person may choose on the report form and in the API.
CHOSEN_REASONS = tuple(r for r in ReportReason if r != ReportReason.UNSAFE_CHECKIN)


class ReportPriority(models.IntegerChoices):
    NORMAL = 0, pgettext_lazy("report priority", "Normal")
    URGENT = 1, pgettext_lazy("report priority", "Urgent")


class ListingKind(models.TextChoices):
    """The listing a report counts against for the auto-hide (an offer or a request)."""

    OFFER = "offer", pgettext_lazy("report target", "Offer")
    NEED = "need", pgettext_lazy("report target", "Request for help")


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("report status", "Open")
    ACTIONED = "actioned", pgettext_lazy("report status", "Action taken")
    DISMISSED = "dismissed", pgettext_lazy("report status", "Dismissed")
