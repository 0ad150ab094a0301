from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# Added to the Coordinators group (built by accounts.apps) for the triage queue.
TRIAGE_PERMISSIONS = (("safety", "view_report"), ("safety", "change_report"))


def ensure_triage_permissions(**kwargs: Any) -> None:
    """Runs after accounts' own group builder on every post_migrate, so the group keeps
    the triage permissions however often it is rebuilt."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name="Coordinators").first()
    if group is None:
        return
    wanted = [
        p for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in TRIAGE_PERMISSIONS
    ]
    group.permissions.add(*wanted)


class SafetyConfig(AppConfig):
    name = "haven.safety"
    label = "safety"

    def ready(self) -> None:
        from haven.matching.services import apart_reader_register
        from haven.safety.selectors import block_pairs

        post_migrate.connect(ensure_triage_permissions, dispatch_uid="haven-triage-permissions")
        # Blocks keep people apart in matching; matching cannot import this app (layers).
        apart_reader_register(reader=block_pairs)
