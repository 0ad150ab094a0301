from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("proposal status", "Waiting for your choice")
    SEEKER_ACCEPTED = "seeker_accepted", pgettext_lazy("proposal status", "Waiting for the host")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted by both")
    MOVED_IN = "moved_in", pgettext_lazy("proposal status", "Moved in")
    ENDED = "ended", pgettext_lazy("proposal status", "Ended")
    NO_SHOW = "no_show", pgettext_lazy("proposal status", "Did not arrive")
    DECLINED_SEEKER = "declined_seeker", pgettext_lazy("proposal status", "Declined by the guest")
    DECLINED_HOST = "declined_host", pgettext_lazy("proposal status", "Declined by the host")
    EXPIRED = "expired", pgettext_lazy("proposal status", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")


# Proposals that hold places in an offer. A shelter's moved-in guests are counted by
# its check-in count instead, so for shelters MOVED_IN does not reserve.
RESERVING = (ProposalStatus.PROPOSED, ProposalStatus.SEEKER_ACCEPTED, ProposalStatus.ACCEPTED, ProposalStatus.MOVED_IN)
# At most one of these per need at a time (a party is housed once).
COMMITTED = (ProposalStatus.SEEKER_ACCEPTED, ProposalStatus.ACCEPTED, ProposalStatus.MOVED_IN)
# Waiting for somebody's answer: reminded, then expired.
PENDING = (ProposalStatus.PROPOSED, ProposalStatus.SEEKER_ACCEPTED)


class EndReason(models.TextChoices):
    PLANNED = "planned", _("The stay ended as planned")
    MOVED_ON = "moved_on", _("The guests moved on early")
    CONFLICT = "conflict", _("It did not work out")
    SAFETY = "safety", _("A safety concern")
    OTHER = "other", _("Other reason")


class RunStatus(models.TextChoices):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class HoldStatus(models.TextChoices):
    """A walk-in's places held at a shelter (ShelterHold). ACTIVE past its window end
    no longer counts, whether or not the worker has marked it EXPIRED yet."""

    ACTIVE = "active", pgettext_lazy("hold status", "Places held")
    CHECKED_IN = "checked_in", pgettext_lazy("hold status", "Checked in")
    CANCELLED = "cancelled", pgettext_lazy("hold status", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("hold status", "Expired")
