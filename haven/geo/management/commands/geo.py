from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from haven.geo.loader import sync_geography


class Command(BaseCommand):
    help = "geo sync: load haven/geo/data/geography.json into the database (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["sync"])

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sync_geography(apps)
        self.stdout.write(", ".join(f"{v} {k}" for k, v in counts.items()))
