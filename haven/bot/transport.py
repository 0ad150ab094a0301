"""The one door to Telegram's Bot API: python-telegram-bot's ``Bot`` client.

Haven uses the library's Bot API client (typed methods, request encoding, Telegram's error
classes, ``retry_after``) and not its ``Application`` framework: updates are handled by
``haven.bot.handlers`` inside Django transactions, with state in the database
(docs/decisions/0005). The client is asynchronous and Haven's views and worker are not, so
each ``Transport`` owns one event loop on a daemon thread and runs the client's coroutines
there; a caller blocks until its call is answered.

Tests point it at a stand-in server on loopback through ``base_url``; nothing else in
Haven talks to Telegram. The bot token is part of every URL, so URLs are never logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from telegram import InlineKeyboardMarkup
    from telegram import error as tg_error

# The library is imported when a transport is first made: every web process imports this
# module (through the webhook's URL), and the import costs about a second.

# The library's documented opt-in to its next major version: durations (``retry_after``)
# as ``datetime.timedelta`` instead of deprecated integer seconds.
os.environ.setdefault("PTB_TIMEDELTA", "true")

DEFAULT_API_BASE = "https://api.telegram.org"
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 409})
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


class TelegramError(Exception):
    """A call that Telegram refused or that never reached it.

    ``permanent`` errors (the user blocked the bot: 403; a chat that does not exist: 400)
    will fail the same way again and are not retried; network errors, 429 and 5xx are.
    """

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description[:200]
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        return self.status in PERMANENT_STATUSES


def _translate(error: tg_error.TelegramError) -> TelegramError:
    """The library's exception classes, as the status Haven records and decides on."""
    from telegram import error as tg_error

    if isinstance(error, tg_error.RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return TelegramError(429, "Too Many Requests", retry_after=max(1, round(seconds)))
    status = 0  # never reached Telegram, timed out, or a 5xx: passing
    if isinstance(error, tg_error.Forbidden):
        status = 403
    elif isinstance(error, tg_error.InvalidToken):
        status = 401
    elif isinstance(error, tg_error.BadRequest | tg_error.ChatMigrated):
        status = 400
    elif isinstance(error, tg_error.Conflict):
        status = 409
    return TelegramError(status, error.message)


def _keyboard(buttons: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button["text"], callback_data=button.get("callback_data"), url=button.get("url")
                )
                for button in row
            ]
            for row in buttons or []
        ]
    )


class Transport:
    """Synchronous façade over ``telegram.Bot``; safe to share between threads."""

    def __init__(
        self, *, token: str, base_url: str = DEFAULT_API_BASE, timeout: float = 10.0
    ) -> None:
        from telegram import Bot, LinkPreviewOptions
        from telegram.request import HTTPXRequest

        api = base_url.rstrip("/")
        self._timeout = timeout
        self._no_preview = LinkPreviewOptions(is_disabled=True)
        general = HTTPXRequest(
            connection_pool_size=8,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
        )
        # Long polling holds its own connection for up to the poll timeout.
        polling = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout)
        self._requests = (general, polling)
        self._bot = Bot(
            token, base_url=f"{api}/bot", request=general, get_updates_request=polling
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="telegram-transport", daemon=True
        )
        self._thread.start()
        self._closed = False

    def _run(self, call: Coroutine[Any, Any, Any], *, timeout: float | None = None) -> Any:
        if self._closed:
            call.close()
            raise TelegramError(0, "transport closed")
        future = asyncio.run_coroutine_threadsafe(call, self._loop)
        try:
            return future.result(timeout=(timeout or self._timeout) + 5)
        except Exception as error:
            from telegram import error as tg_error

            if isinstance(error, tg_error.TelegramError):
                raise _translate(error) from None
            if isinstance(error, TimeoutError):
                future.cancel()
                raise TelegramError(0, "TimedOut") from None
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for request in self._requests:
            asyncio.run_coroutine_threadsafe(request.shutdown(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    # The few methods the bot uses.
    def send_message(
        self, *, chat_id: int, text: str, buttons: list[list[dict[str, str]]] | None = None
    ) -> int:
        """Send a message; returns its message id."""
        message = self._run(
            self._bot.send_message(
                chat_id=chat_id,
                text=text,
                link_preview_options=self._no_preview,
                reply_markup=_keyboard(buttons) if buttons else None,
            )
        )
        return int(message.message_id)

    def edit_message_text(
        self,
        *,
        chat_id: int,
        message_id: int,
        text: str,
        buttons: list[list[dict[str, str]]] | None = None,
    ) -> None:
        self._run(
            self._bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                link_preview_options=self._no_preview,
                # No markup removes the old buttons (they must not be pressed again).
                reply_markup=_keyboard(buttons) if buttons else None,
            )
        )

    def answer_callback_query(self, *, callback_query_id: str, text: str = "") -> None:
        self._run(
            self._bot.answer_callback_query(callback_query_id=callback_query_id, text=text or None)
        )

    def get_updates(self, *, offset: int | None, timeout: int = 25) -> list[dict[str, Any]]:
        """Long-poll for updates; returns them in the Bot API's JSON shape, which is what
        ``handlers.process`` reads whether an update came by webhook or by polling."""
        updates = self._run(
            self._bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            ),
            timeout=timeout + self._timeout,
        )
        return [update.to_dict() for update in updates]

    def set_webhook(self, *, url: str, secret_token: str) -> None:
        self._run(
            self._bot.set_webhook(
                url=url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES
            )
        )

    def delete_webhook(self) -> None:
        self._run(self._bot.delete_webhook())


def configured() -> bool:
    return bool(getattr(settings, "TELEGRAM_BOT_TOKEN", ""))


def from_settings() -> Transport:
    return Transport(
        token=getattr(settings, "TELEGRAM_BOT_TOKEN", ""),
        base_url=getattr(settings, "TELEGRAM_API_BASE", "") or DEFAULT_API_BASE,
    )


_shared: dict[tuple[str, str], Transport] = {}
_shared_lock = threading.Lock()


def shared() -> Transport:
    """One long-lived transport per process (per token and base URL): the webhook reuses
    its connections instead of paying a TLS handshake on every update."""
    key = (
        str(getattr(settings, "TELEGRAM_BOT_TOKEN", "")),
        str(getattr(settings, "TELEGRAM_API_BASE", "") or DEFAULT_API_BASE),
    )
    with _shared_lock:
        found = _shared.get(key)
        if found is None:
            found = _shared[key] = Transport(token=key[0], base_url=key[1])
        return found


def shared_close() -> None:
    """Close every shared transport (its connections and its loop thread): for process
    shutdown and for tests that change the settings between cases."""
    with _shared_lock:
        transports = list(_shared.values())
        _shared.clear()
    for found in transports:
        found.close()
