import logging

from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "haven.bot"
    label = "bot"
    verbose_name = "Telegram bot"

    def ready(self) -> None:
        # httpx logs every request URL at INFO, and a Bot API URL carries the bot token;
        # python-telegram-bot logs every call's parameters (message texts) at DEBUG.
        for name in ("httpx", "telegram"):
            logger = logging.getLogger(name)
            if logger.level < logging.WARNING:
                logger.setLevel(logging.WARNING)
