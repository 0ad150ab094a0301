"""The webhook door: the secret header, strict parsing, de-duplication, polling."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from haven.bot.models import ProcessedUpdate, TelegramLink

pytestmark = pytest.mark.django_db


def _post(body: Any, **headers: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return Client().post("/telegram/webhook/", data=raw, content_type="application/json", **headers)


def test_a_call_without_the_secret_is_refused_and_changes_nothing(
    telegram: Any, fake_telegram: Any
) -> None:
    tg = telegram(1001)
    response = tg.post(tg.message_update("/start"), secret=None)
    assert response.status_code == 403
    assert ProcessedUpdate.objects.count() == 0
    assert TelegramLink.objects.count() == 0
    assert fake_telegram.calls == []


def test_a_call_with_a_wrong_secret_is_refused_and_changes_nothing(
    telegram: Any, fake_telegram: Any
) -> None:
    tg = telegram(1001)
    for wrong in ("", "webhook-secret_012345678", "webhook-secret_0123456789x"):
        response = tg.post(tg.message_update("/start"), secret=wrong)
        assert response.status_code == 403
    assert ProcessedUpdate.objects.count() == 0
    assert TelegramLink.objects.count() == 0
    assert fake_telegram.calls == []


def test_the_webhook_is_closed_when_no_secret_is_configured(telegram: Any, settings: Any) -> None:
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    tg = telegram(1001)
    assert tg.post(tg.message_update("/start"), secret="").status_code == 403
    assert TelegramLink.objects.count() == 0


def test_only_post_is_allowed(db: Any) -> None:
    assert Client().get("/telegram/webhook/").status_code == 405


def test_a_body_that_is_not_json_is_a_bad_request(settings: Any) -> None:
    response = _post(
        "{not json", HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=settings.TELEGRAM_WEBHOOK_SECRET
    )
    assert response.status_code == 400
    assert ProcessedUpdate.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"no": "update id"},
        {"update_id": "7"},
        {
            "update_id": 7,
            "channel_post": {
                "message_id": 1,
                "chat": {"id": -100, "type": "channel"},
                "text": "hi",
            },
        },
        {"update_id": 8, "message": {"message_id": 1, "chat": "nope", "text": "/start"}},
        {"update_id": 9, "callback_query": {"id": 5, "data": "l:en"}},
        {"update_id": 10, "my_chat_member": {}},
    ],
)
def test_updates_the_bot_does_not_know_get_200_and_no_answer(
    settings: Any, fake_telegram: Any, body: Any
) -> None:
    response = _post(body, HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=settings.TELEGRAM_WEBHOOK_SECRET)
    assert response.status_code == 200
    assert TelegramLink.objects.count() == 0
    assert fake_telegram.calls == []


def test_messages_in_a_group_are_never_answered(telegram: Any, fake_telegram: Any) -> None:
    tg = telegram(1001)
    update = tg.message_update("/start")
    update["message"]["chat"] = {"id": -4001, "type": "group", "title": "Relocation chat"}
    assert tg.post(update).status_code == 200
    assert fake_telegram.calls == []
    assert TelegramLink.objects.count() == 0


def test_the_same_update_replayed_ten_times_has_one_effect(
    telegram: Any, fake_telegram: Any
) -> None:
    tg = telegram(1001)
    tg.send("/start")
    press = tg.callback_update("l:en")
    for _ in range(10):
        assert tg.post(press).status_code == 200
    create = tg.callback_update("a:new")
    for _ in range(10):
        assert tg.post(create).status_code == 200
    link = TelegramLink.objects.get()
    assert link.user is not None
    assert link.language == "en"
    assert len(fake_telegram.answers()) == 2
    # the language prompt, the welcome, the account message and its menu
    assert len(tg.texts()) == 4
    assert ProcessedUpdate.objects.count() == 3


def test_the_polling_loop_handles_updates_once(telegram: Any, fake_telegram: Any) -> None:
    tg = telegram(1001)
    start, language = tg.message_update("/start"), tg.callback_update("l:ru")
    fake_telegram.updates = [start, language]
    call_command("bot", "--once")
    assert tg.buttons() == ["a:new", "a:host", "a:have"]
    assert TelegramLink.objects.get().language == "ru"
    sent = len(fake_telegram.calls)
    fake_telegram.updates = [start, language]  # Telegram re-delivers after a crash
    call_command("bot", "--once")
    assert len(fake_telegram.calls) == sent
    assert fake_telegram.tokens == {"123456:TEST-TOKEN"}
