import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from haven.matching.services import matching_run, proposals_housekeeping


class Command(BaseCommand):
    help = "Run the matcher every few minutes (HAVEN_MATCH_INTERVAL_SECONDS) and expire stale proposals."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            housekeeping = proposals_housekeeping()
            run = matching_run()
            if run is None:
                self.stdout.write("another worker is matching; skipped")
            else:
                self.stdout.write(
                    f"run {run.pk}: {run.status}, {run.needs} needs × {run.offers} offers → "
                    f"{run.proposals} proposals, gap {run.gap:.2%}, {run.seconds:.1f}s; "
                    f"expired {housekeeping['expired']}, reminded {housekeeping['reminded']}"
                )
            if options["once"]:
                return
            deadline = time.monotonic() + settings.HAVEN_MATCH_INTERVAL_SECONDS
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
            if stopping:
                return
