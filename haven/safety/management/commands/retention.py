"""`haven retention`: purge closed records past their retention period (run it daily
from cron, beside `haven border_purge`). Periods: settings HAVEN_RETENTION_*."""

from typing import Any

from django.core.management.base import BaseCommand

from haven.safety.services import retention_purge


class Command(BaseCommand):
    help = "Delete closed needs and offers, finished proposals, old reveal rows and handled reports."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = retention_purge()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
