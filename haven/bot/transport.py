"""The one door to Telegram's Bot API: plain HTTPS POSTs of JSON with httpx.

Tests point it at a stand-in server on loopback through ``base_url``; nothing else in
Haven talks to Telegram. The bot token is part of every URL, so URLs are never logged.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from django.conf import settings

DEFAULT_API_BASE = "https://api.telegram.org"
PERMANENT_STATUSES = frozenset({400, 401, 403, 404})


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


class Transport:
    def __init__(
        self, *, token: str, base_url: str = DEFAULT_API_BASE, timeout: float = 10.0
    ) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, payload: dict[str, Any], *, timeout: float | None = None) -> Any:
        """POST one Bot API method; returns its ``result`` or raises ``TelegramError``."""
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            response = self._client.post(
                url, json=payload, timeout=timeout or httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as error:
            raise TelegramError(0, type(error).__name__) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code == 200 and body.get("ok") is True:
            return body.get("result")
        raw_parameters = body.get("parameters")
        parameters: dict[str, Any] = raw_parameters if isinstance(raw_parameters, dict) else {}
        retry_after = (
            parameters.get("retry_after")
            if isinstance(parameters.get("retry_after"), int)
            else None
        )
        status = (
            response.status_code
            if response.status_code != 200
            else int(body.get("error_code") or 500)
        )
        raise TelegramError(status, str(body.get("description", "")), retry_after=retry_after)

    # The few methods the bot uses.
    def send_message(
        self, *, chat_id: int, text: str, buttons: list[list[dict[str, str]]] | None = None
    ) -> Any:
        payload: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text,
            "link_preview_options": {"is_disabled": True},
        }
        if buttons:
            payload["reply_markup"] = {"inline_keyboard": buttons}
        return self.call("sendMessage", payload)

    def edit_message_text(
        self,
        *,
        chat_id: int,
        message_id: int,
        text: str,
        buttons: list[list[dict[str, str]]] | None = None,
    ) -> Any:
        payload: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "link_preview_options": {"is_disabled": True},
            "reply_markup": {"inline_keyboard": buttons or []},
        }
        return self.call("editMessageText", payload)

    def answer_callback_query(self, *, callback_query_id: str, text: str = "") -> Any:
        payload: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            payload["text"] = text
        return self.call("answerCallbackQuery", payload)

    def get_updates(self, *, offset: int | None, timeout: int = 25) -> list[Any]:
        payload: dict[str, Any] = {
            "timeout": timeout,
            "allowed_updates": ["message", "edited_message", "callback_query"],
        }
        if offset is not None:
            payload["offset"] = offset
        result = self.call("getUpdates", payload, timeout=timeout + 10)
        return result if isinstance(result, list) else []

    def set_webhook(self, *, url: str, secret_token: str) -> Any:
        return self.call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret_token,
                "allowed_updates": ["message", "edited_message", "callback_query"],
            },
        )

    def delete_webhook(self) -> Any:
        return self.call("deleteWebhook", {})


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
