import datetime as dt
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from haven.borders.services import border_reports_purge
from haven.bot import services as bot_services
from haven.bot import transport as bot_transport
from haven.matching.services import matching_run, proposals_housekeeping, shelter_holds_expire
from haven.safety.services import retention_purge

BORDER_REPORTS_KEPT = dt.timedelta(days=7)


class Command(BaseCommand):
    help = (
        "Every HAVEN_MATCH_INTERVAL_SECONDS: remind and expire proposals, mark lapsed shelter "
        "holds expired, run the matcher, "
        "(when a bot token is set) queue and send Telegram notifications; hourly: purge what "
        "the retention periods say (docs/retention.md) and expired sessions."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_purge = 0.0
        while True:
            if time.monotonic() >= next_purge:
                purged = {**retention_purge(), **border_reports_purge(older_than=BORDER_REPORTS_KEPT)}
                call_command("clearsessions")
                self.stdout.write("retention: " + ", ".join(f"{k} {v}" for k, v in purged.items()))
                next_purge = time.monotonic() + 3600
            housekeeping = proposals_housekeeping()
            holds_expired = shelter_holds_expire()
            run = matching_run()
            if run is None:
                self.stdout.write("another worker is matching; skipped")
            else:
                self.stdout.write(
                    f"run {run.pk}: {run.status}, {run.needs} needs × {run.offers} offers → "
                    f"{run.proposals} proposals, gap {run.gap:.2%}, {run.seconds:.1f}s; "
                    f"expired {housekeeping['expired']}, reminded {housekeeping['reminded']}, "
                    f"shelter holds expired {holds_expired}"
                )
            if bot_transport.configured():
                queued = bot_services.notifications_collect()
                bot_services.outbox_drain(transport=bot_transport.shared())
                self.stdout.write(f"notifications queued: {queued}")
            if options["once"]:
                return
            deadline = time.monotonic() + settings.HAVEN_MATCH_INTERVAL_SECONDS
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
            if stopping:
                return
