from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    SEEKER = "seeker", pgettext_lazy("role", "Looking for help")
    HOST = "host", pgettext_lazy("role", "Private host")
    ORGANISATION = "organisation", pgettext_lazy("role", "Organisation")
    DRIVER = "driver", pgettext_lazy("role", "Volunteer driver")
    COORDINATOR = "coordinator", pgettext_lazy("role", "Coordinator")
    ADMIN = "admin", pgettext_lazy("role", "Administrator")


# A person picks one of these at sign-up; the rest are granted by an administrator.
SELF_CHOSEN_ROLES = (Role.SEEKER, Role.HOST, Role.ORGANISATION, Role.DRIVER)
GRANTED_ROLES = (Role.COORDINATOR, Role.ADMIN)
GIVER_ROLES = (Role.HOST, Role.ORGANISATION, Role.DRIVER)
# The one role a person may add to the one they signed up with, from their page: a seeker
# may also host privately, a host may also ask for help. Organisations and drivers are
# never self-service upgrades (a coordinator verifies organisations).
ADDABLE_ROLE: dict[str, str] = {Role.SEEKER: Role.HOST, Role.HOST: Role.SEEKER}


class Tier(models.IntegerChoices):
    SELF_DECLARED = 0, _("Self-declared")
    VOUCHED = 1, _("Vouched by a verified organisation")
    CHECKED = 2, _("Checked by a coordinator")
