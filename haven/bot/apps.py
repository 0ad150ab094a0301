import logging

from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "haven.bot"
    label = "bot"
    verbose_name = "Telegram bot"

    def ready(self) -> None:
        from haven.bot.selectors import checkins_due
        from haven.matching.selectors import checkin_reader_register

        # /me/ lists due check-ins; matching (and the web) cannot import this app (layers).
        checkin_reader_register(reader=checkins_due)
        # httpx logs every request URL at INFO, and a Bot API URL carries the bot token;
        # python-telegram-bot logs every call's parameters (message texts) at DEBUG.
        for name in ("httpx", "telegram"):
            logger = logging.getLogger(name)
            if logger.level < logging.WARNING:
                logger.setLevel(logging.WARNING)
