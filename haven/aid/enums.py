from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NeedKind(models.TextChoices):
    HOUSING = "housing", pgettext_lazy("need kind", "Housing")
    TRANSPORT = "transport", pgettext_lazy("need kind", "Transport")
    LEGAL = "legal", pgettext_lazy("need kind", "Legal help")
    MEDICAL = "medical", pgettext_lazy("need kind", "Medical help")
    INFORMATION = "information", pgettext_lazy("need kind", "Information")
    OTHER = "other", pgettext_lazy("need kind", "Other")


class OfferKind(models.TextChoices):
    BED = "bed", pgettext_lazy("offer kind", "Bed or sofa")
    ROOM = "room", pgettext_lazy("offer kind", "Room")
    FLAT = "flat", pgettext_lazy("offer kind", "Whole flat or house")
    SHELTER = "shelter", pgettext_lazy("offer kind", "Shelter places")
    RIDE = "ride", pgettext_lazy("offer kind", "Seats on a ride")
    SERVICE = "service", pgettext_lazy("offer kind", "Service")


HOUSING_OFFER_KINDS = (OfferKind.BED, OfferKind.ROOM, OfferKind.FLAT, OfferKind.SHELTER)


class ServiceKind(models.TextChoices):
    LEGAL = "legal", pgettext_lazy("service kind", "Legal")
    MEDICAL = "medical", pgettext_lazy("service kind", "Medical")
    INFORMATION = "information", pgettext_lazy("service kind", "Information")
    OTHER = "other", pgettext_lazy("service kind", "Other")


class HostKind(models.TextChoices):
    WOMAN = "woman", pgettext_lazy("host kind", "A woman")
    FAMILY = "family", pgettext_lazy("host kind", "A family")
    COUPLE = "couple", pgettext_lazy("host kind", "A couple")
    MAN = "man", pgettext_lazy("host kind", "A man")
    ORGANISATION = "organisation", pgettext_lazy("host kind", "An organisation")


class HostPreference(models.TextChoices):
    ANY = "any", _("Any verified-enough host")
    WOMEN_OR_FAMILIES = "women_families", _("Only women, families or couples as hosts")
    COLLECTIVE = "collective", _("A collective shelter rather than a private home")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need status", "Open")
    CLOSED = "closed", pgettext_lazy("need status", "Closed")


class NeedCloseReason(models.TextChoices):
    FOUND_HERE = "found_here", _("Found help through Haven")
    FOUND_ELSEWHERE = "found_elsewhere", _("Found help elsewhere")
    NOT_NEEDED = "not_needed", _("No longer needed")
    OTHER = "other", _("Other reason")


class OfferStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("offer status", "Active")
    PAUSED = "paused", pgettext_lazy("offer status", "Paused")
    CLOSED = "closed", pgettext_lazy("offer status", "Closed")


class ShelterStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("shelter status", "Open")
    FULL = "full", pgettext_lazy("shelter status", "Full")
    CLOSED = "closed", pgettext_lazy("shelter status", "Closed")


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")
    EN = "en", _("English")
    UK = "uk", _("Ukrainian")


# The owner's offer buttons (web and API): action -> the status it sets.
OFFER_STATUS_ACTIONS = {"pause": OfferStatus.PAUSED, "resume": OfferStatus.ACTIVE, "close": OfferStatus.CLOSED}
