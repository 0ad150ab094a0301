import logging

from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "haven.bot"
    label = "bot"
    verbose_name = "Telegram bot"

    def ready(self) -> None:
        # httpx logs every request URL at INFO, and a Bot API URL carries the bot token.
        httpx_logger = logging.getLogger("httpx")
        if httpx_logger.level < logging.WARNING:
            httpx_logger.setLevel(logging.WARNING)
