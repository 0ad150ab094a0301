"""`haven bot`: the Telegram bot in polling mode (development), one notification round
(`--notify`, for the worker or cron), or webhook registration (`--set-webhook URL`)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.bot import handlers, services, transport
from haven.bot.transport import TelegramError


class Command(BaseCommand):
    help = "Run the Telegram bot by long polling (development), or send due notifications."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one getUpdates round, then exit")
        parser.add_argument(
            "--timeout", type=int, default=25, help="long-polling timeout in seconds"
        )
        parser.add_argument(
            "--notify", action="store_true", help="queue and send due notifications once, then exit"
        )
        parser.add_argument(
            "--set-webhook", metavar="URL", help="register URL as the webhook, with the secret"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not transport.configured():
            raise CommandError("TELEGRAM_BOT_TOKEN is not set")
        bot = transport.from_settings()
        try:
            if options["set_webhook"]:
                secret = str(getattr(settings, "TELEGRAM_WEBHOOK_SECRET", "") or "")
                if not secret:
                    raise CommandError("TELEGRAM_WEBHOOK_SECRET is not set")
                bot.set_webhook(url=options["set_webhook"], secret_token=secret)
                self.stdout.write("webhook set")
                return
            if options["notify"]:
                queued = services.notifications_collect()
                counts = services.outbox_drain(transport=bot)
                self.stdout.write(
                    f"queued {queued}; sent {counts['sent']}, retry {counts['retry']}, failed {counts['failed']}"
                )
                return
            self._poll(bot, once=options["once"], timeout=options["timeout"])
        finally:
            bot.close()

    def _poll(self, bot: transport.Transport, *, once: bool, timeout: int) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            bot.delete_webhook()  # getUpdates refuses to work while a webhook is set
        offset: int | None = None
        while not stopping:
            try:
                offset = handlers.poll_once(bot, offset=offset, timeout=0 if once else timeout)
            except TelegramError as error:
                self.stderr.write(f"getUpdates failed: {error.status}")
                if once:
                    raise CommandError("getUpdates failed") from None
                time.sleep(5)
            if once:
                return
