"""Bot tests: a stand-in for Telegram's Bot API on loopback (records what the bot
sends, serves getUpdates, fails on request), and Telegram users who talk to the bot
through the webhook with real-shaped update payloads."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

TOKEN = "123456:TEST-TOKEN"
SECRET = "webhook-secret_0123456789"
SITE = "https://haven.example"
_update_ids = itertools.count(500_000)


class FakeTelegram:
    """Records every Bot API call; ``fail[chat_id] = (status, description)`` makes
    sends to that chat fail; ``fail_next`` fails the next calls whatever they are
    (``(status, description)`` or ``(status, description, parameters)``)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self.fail: dict[int, tuple[int, str]] = {}
        self.fail_next: list[tuple[Any, ...]] = []
        self.tokens: set[str] = set()
        self.url = ""
        self._message_ids = itertools.count(1)
        self.lock = threading.Lock()

    def respond(self, token: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.tokens.add(token)
            if method == "getUpdates":
                updates, self.updates = self.updates, []
                return 200, {"ok": True, "result": updates}
            if self.fail_next:
                status, description, *parameters = self.fail_next.pop(0)
                refusal: dict[str, Any] = {
                    "ok": False, "error_code": status, "description": description
                }
                if parameters:
                    refusal["parameters"] = parameters[0]
                return status, refusal
            chat = body.get("chat_id")
            if isinstance(chat, int) and chat in self.fail:
                status, description = self.fail[chat]
                return status, {"ok": False, "error_code": status, "description": description}
            self.calls.append((method, body))
            if method in ("sendMessage", "editMessageText"):
                return 200, {
                    "ok": True,
                    "result": {
                        "message_id": body.get("message_id") or next(self._message_ids),
                        "date": 1664000000,
                        "chat": {"id": chat, "type": "private"},
                        "from": {"id": 1, "is_bot": True, "first_name": "Haven"},
                        "text": body.get("text", ""),
                    },
                }
            return 200, {"ok": True, "result": True}

    # what a test reads
    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            body
            for method, body in self.calls
            if method in ("sendMessage", "editMessageText")
            and (chat_id is None or body.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [m["text"] for m in self.messages(chat_id)]

    def answers(self) -> list[dict[str, Any]]:
        return [body for method, body in self.calls if method == "answerCallbackQuery"]

    def all_outgoing_text(self) -> str:
        parts = []
        for _method, body in self.calls:
            parts.append(json.dumps(body, ensure_ascii=False))
        return "\n".join(parts)


# Bot API parameters that are strings even when they look like JSON.
_STRING_FIELDS = frozenset({"text", "callback_query_id", "url", "secret_token"})


def _decode(content_type: str, raw: bytes) -> dict[str, Any]:
    """A request body as Telegram reads it: JSON, or form fields (what python-telegram-bot
    sends) whose non-string values are JSON-encoded."""
    if content_type.startswith("application/json"):
        body = json.loads(raw or b"{}")
        return body if isinstance(body, dict) else {}
    fields = parse_qs(raw.decode(), keep_blank_values=True)
    decoded: dict[str, Any] = {}
    for name, values in fields.items():
        value = values[-1]
        if name in _STRING_FIELDS:
            decoded[name] = value
            continue
        try:
            decoded[name] = json.loads(value)
        except ValueError:
            decoded[name] = value
    return decoded


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = _decode(self.headers.get("Content-Type", ""), self.rfile.read(length))
            _empty, bot, method = self.path.split("/", 2)
            status, payload = fake.respond(bot.removeprefix("bot"), method, body)
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield fake
    from haven.bot import transport

    transport.shared_close()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def bot_settings(settings: Any, fake_telegram: FakeTelegram) -> None:
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.TELEGRAM_API_BASE = fake_telegram.url
    settings.TELEGRAM_BOT_USERNAME = "haven_test_bot"
    settings.HAVEN_SITE_URL = SITE


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def update_id() -> int:
    return next(_update_ids)


class TelegramUser:
    """A person in Telegram talking to the bot in a private chat."""

    def __init__(
        self, client: Any, fake: FakeTelegram, telegram_id: int, language: str = "en"
    ) -> None:
        self.client, self.fake, self.id, self.language = client, fake, telegram_id, language
        self._message_ids = itertools.count(1)

    def _from(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": "Test",
            "username": f"tg_user_{self.id}",
            "language_code": self.language,
        }

    def _chat(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_name": "Test",
            "username": f"tg_user_{self.id}",
            "type": "private",
        }

    def message_update(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self._from(),
            "chat": self._chat(),
            "date": 1664000000,
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [
                    {"offset": 0, "length": len(text.split(" ")[0]), "type": "bot_command"}
                ]
        return {"update_id": update_id(), "message": message}

    def callback_update(self, data: str, message_id: int = 1) -> dict[str, Any]:
        return {
            "update_id": update_id(),
            "callback_query": {
                "id": f"cb{update_id()}",
                "from": self._from(),
                "chat_instance": "42",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "from": {"id": 1, "is_bot": True, "first_name": "Haven"},
                    "chat": self._chat(),
                    "date": 1664000000,
                    "text": "...",
                },
            },
        }

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> Any:
        headers = {} if secret is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}
        return self.client.post(
            "/telegram/webhook/",
            data=json.dumps(update),
            content_type="application/json",
            **headers,
        )

    def send(self, text: str) -> Any:
        response = self.post(self.message_update(text))
        assert response.status_code == 200
        return response

    def press(self, data: str) -> Any:
        response = self.post(self.callback_update(data))
        assert response.status_code == 200
        return response

    # what the bot said to this person
    def texts(self) -> list[str]:
        return self.fake.texts(self.id)

    def last_text(self) -> str:
        return self.texts()[-1]

    def buttons(self) -> list[str]:
        """callback_data of the buttons of the bot's last message that had any."""
        for message in reversed(self.fake.messages(self.id)):
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            if keyboard:
                return [b["callback_data"] for row in keyboard for b in row]
        return []

    def last_answer(self) -> str:
        answers = self.fake.answers()
        return str(answers[-1].get("text", "")) if answers else ""


@pytest.fixture
def telegram(fake_telegram: FakeTelegram, db: Any) -> Any:
    from django.test import Client

    def make(telegram_id: int, language: str = "en") -> TelegramUser:
        return TelegramUser(Client(), fake_telegram, telegram_id, language)

    return make


@pytest.fixture
def linked(telegram: Any) -> Any:
    """A Telegram user connected to an existing Haven account (as from the site's
    "Connect Telegram" page), in English."""
    from haven.bot import services

    def make(user: Any, telegram_id: int) -> TelegramUser:
        tg = telegram(telegram_id)
        code = services.token_create(user=user, purpose="connect")
        tg.send(f"/start {code}")
        return tg

    return make
