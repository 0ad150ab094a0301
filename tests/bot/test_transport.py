"""The transport is python-telegram-bot's ``Bot`` client pointed at the loopback stand-in:
what it sends is what Telegram reads, its refusals become Haven's permanent/passing
errors, and Telegram's own ``retry_after`` sets the next attempt."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
from typing import Any

import pytest
from django.utils import timezone

from haven.bot import services
from haven.bot.models import Outbox
from haven.bot.transport import TelegramError, Transport
from haven.matching.services import Planned, proposals_create

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
def transport(fake_telegram: Any) -> Any:
    bot = Transport(token=TOKEN, base_url=fake_telegram.url)
    yield bot
    bot.close()


def test_what_the_library_sends_is_what_telegram_reads(
    transport: Transport, fake_telegram: Any
) -> None:
    message_id = transport.send_message(
        chat_id=1001, text="Привет 123", buttons=[[{"text": "Yes", "callback_data": "y:1"}]]
    )
    transport.edit_message_text(chat_id=1001, message_id=message_id, text="done")
    transport.answer_callback_query(callback_query_id="cb1")
    (send, first), (edit, second), (answer, third) = fake_telegram.calls
    assert (send, edit, answer) == ("sendMessage", "editMessageText", "answerCallbackQuery")
    assert fake_telegram.tokens == {TOKEN}
    assert first["chat_id"] == 1001
    assert first["text"] == "Привет 123"
    assert first["reply_markup"] == {"inline_keyboard": [[{"text": "Yes", "callback_data": "y:1"}]]}
    assert first["link_preview_options"] == {"is_disabled": True}
    assert (second["message_id"], second["text"]) == (message_id, "done")
    assert "reply_markup" not in second  # an edit without markup removes the old buttons
    assert third == {"callback_query_id": "cb1"}


@pytest.mark.parametrize(
    ("status", "description", "permanent", "recorded"),
    [
        (403, "Forbidden: bot was blocked by the user", True, None),
        (400, "Bad Request: chat not found", True, "Chat not found"),  # as the library words it
        (401, "Unauthorized", True, None),
        (502, "Bad Gateway", False, None),
        (500, "Internal Server Error", False, None),
    ],
)
def test_refusals_keep_their_meaning(
    transport: Transport,
    fake_telegram: Any,
    status: int,
    description: str,
    permanent: bool,
    recorded: str | None,
) -> None:
    fake_telegram.fail_next = [(status, description)]
    with pytest.raises(TelegramError) as raised:
        transport.send_message(chat_id=1001, text="hello")
    assert raised.value.permanent is permanent
    assert raised.value.description == (recorded or description)
    assert fake_telegram.calls == []


def test_a_server_that_is_not_there_is_a_passing_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Transport(token=TOKEN, base_url=f"http://127.0.0.1:{port}", timeout=2)
    try:
        with pytest.raises(TelegramError) as raised:
            bot.send_message(chat_id=1, text="x")
    finally:
        bot.close()
    assert (raised.value.status, raised.value.permanent) == (0, False)


@pytest.mark.django_db
def test_telegrams_retry_after_sets_the_next_attempt(
    linked: Any,
    alice: Any,
    alices_need: Any,
    bobs_offer: Any,
    transport: Transport,
    fake_telegram: Any,
) -> None:
    linked(alice, 1001)
    proposals_create(planned=Planned(need=alices_need, offers=((bobs_offer, 1.0),)))
    now = timezone.now()
    services.notifications_collect(now=now)
    fake_telegram.fail_next = [(429, "Too Many Requests: retry after 7", {"retry_after": 7})]
    assert services.outbox_drain(transport=transport, now=now)["retry"] == 1
    row = Outbox.objects.get()
    assert row.next_attempt_at == now + dt.timedelta(seconds=7)
    assert row.last_error.startswith("429 ")


def test_one_shared_transport_serves_many_threads(transport: Transport, fake_telegram: Any) -> None:
    errors: list[BaseException] = []

    def send(chat: int) -> None:
        try:
            transport.send_message(chat_id=chat, text=f"to {chat}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(2000 + n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(body["chat_id"] for _m, body in fake_telegram.calls) == list(range(2000, 2016))


def test_a_closed_transport_refuses_without_calling(
    fake_telegram: Any,
) -> None:
    bot = Transport(token=TOKEN, base_url=fake_telegram.url)
    bot.close()
    bot.close()  # twice is harmless
    with pytest.raises(TelegramError):
        bot.send_message(chat_id=1, text="x")
    assert fake_telegram.calls == []


def test_neither_the_token_nor_the_text_reaches_the_logs(
    transport: Transport, fake_telegram: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    transport.send_message(chat_id=1001, text="canary-text-7731")
    fake_telegram.fail_next = [(400, "Bad Request: chat not found")]
    with pytest.raises(TelegramError):
        transport.send_message(chat_id=1001, text="canary-text-7732")
    assert fake_telegram.calls  # it was sent
    assert TOKEN not in caplog.text
    assert "canary-text" not in caplog.text
