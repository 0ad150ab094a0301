from django.db import models
from django.utils.translation import pgettext_lazy


class AccessKind(models.TextChoices):
    """What kind of person-level object a coordinator or administrator opened."""

    ACCOUNT = "account", pgettext_lazy("access log", "Account")
    NEED = "need", pgettext_lazy("access log", "Request for help")
    OFFER = "offer", pgettext_lazy("access log", "Offer")
    PROPOSAL = "proposal", pgettext_lazy("access log", "Proposal")
    BORDER_REPORT = "border_report", pgettext_lazy("access log", "Border report")
    ABUSE_REPORT = "abuse_report", pgettext_lazy("access log", "Abuse report")


# The console's (Django admin's) person-level models and the kind each is logged as.
CONSOLE_AUDITED_MODELS = {
    "accounts.user": AccessKind.ACCOUNT,
    "aid.need": AccessKind.NEED,
    "aid.offer": AccessKind.OFFER,
    "matching.proposal": AccessKind.PROPOSAL,
    "borders.borderreport": AccessKind.BORDER_REPORT,
    "safety.report": AccessKind.ABUSE_REPORT,
}
