"""`haven border_purge [--hours N]`: delete old border reports (run it hourly from cron or
a timer). Reports are shown for 72 hours; the reporters' reputation is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.borders.services import border_reports_purge

DEFAULT_HOURS = 7 * 24


class Command(BaseCommand):
    help = "Delete border reports older than --hours (default a week), keeping reputation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=DEFAULT_HOURS, help="age of the oldest report kept")

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if hours < 72:
            self.stderr.write("Reports are shown for 72 hours; --hours must be at least 72.")
            raise SystemExit(2)
        counts = border_reports_purge(older_than=dt.timedelta(hours=hours))
        self.stdout.write(
            f"purged {counts['reports']} reports, {counts['pending']} stale pending clocks, "
            f"{counts['decisions']} flag decisions; reputation kept for {counts['reporters']} reporters"
        )
