from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What a coordinator may do in the console; the querysets there are region-scoped.
COORDINATOR_PERMISSIONS = (
    ("accounts", "view_user"), ("accounts", "change_user"),
    ("aid", "view_need"), ("aid", "add_need"), ("aid", "change_need"),
    ("aid", "view_offer"), ("aid", "change_offer"),
    ("aid", "view_sheltermovement"),
    ("geo", "view_city"), ("geo", "view_region"), ("geo", "view_checkpoint"),
    ("matching", "view_matchrun"), ("matching", "view_proposal"), ("matching", "add_proposal"),
    ("matching", "change_proposal"),
)


def ensure_coordinator_group(**kwargs: Any) -> None:
    """(Re)build the group after each app migrates: idempotent, and complete once the
    last app's permissions exist."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Coordinators")
    wanted = [
        p for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in COORDINATOR_PERMISSIONS
    ]
    group.permissions.set(wanted)


class AccountsConfig(AppConfig):
    name = "haven.accounts"
    label = "accounts"

    def ready(self) -> None:
        post_migrate.connect(ensure_coordinator_group, dispatch_uid="haven-coordinator-group")
