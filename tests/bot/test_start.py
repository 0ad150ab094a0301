"""/start: a language, the explanation and safety guidance, a pseudonymous account;
connecting an existing account; answers to things the bot does not expect."""

from __future__ import annotations

from typing import Any

import pytest

from haven.accounts.models import User
from haven.bot import services
from haven.bot.models import Conversation, TelegramLink

pytestmark = pytest.mark.django_db


def test_start_asks_the_language_then_explains_and_creates_a_pseudonymous_account(
    telegram: Any,
) -> None:
    tg = telegram(777000111)
    tg.send("/start")
    assert tg.buttons() == ["l:ru", "l:en"]
    tg.press("l:en")
    welcome = tg.last_text()
    assert "pseudonymous" in welcome
    assert "Nobody but an official may take your passport" in welcome
    assert tg.buttons() == ["a:new", "a:host", "a:have"]
    tg.press("a:new")
    link = TelegramLink.objects.get()
    user = link.user
    assert user is not None
    assert user.role == "seeker"
    assert user.language == "en"
    assert f"Your pseudonymous account is ready: {user.username}." in tg.texts()[-2]
    assert tg.buttons() == ["m:need", "m:proposals", "m:border", "m:board"]


def test_the_telegram_id_and_username_are_never_stored_in_clear(telegram: Any) -> None:
    tg = telegram(777000111)
    tg.send("/start")
    tg.press("l:en")
    tg.press("a:new")
    link = TelegramLink.objects.get()
    assert link.tg_hash == services.telegram_hash(777000111)
    assert "777000111" not in link.tg_hash
    assert b"777000111" not in bytes(link.sealed_chat)
    assert services.link_chat_id(link) == 777000111
    assert link.user is not None
    assert "tg_user" not in link.user.username


def test_choosing_russian_sets_the_language_of_the_link_and_the_account(telegram: Any) -> None:
    tg = telegram(1001, language="ru")
    tg.send("/start")
    tg.press("l:ru")
    tg.press("a:new")
    link = TelegramLink.objects.get()
    assert link.language == "ru"
    assert link.user is not None
    assert link.user.language == "ru"


def test_an_existing_account_connects_with_a_one_time_code(telegram: Any, bob: Any) -> None:
    code = services.token_create(user=bob, purpose="connect")
    tg = telegram(1002)
    tg.send(f"/start {code}")
    assert TelegramLink.objects.get().user == bob
    assert "connected to your Haven account bob" in tg.texts()[0]
    other = telegram(1003)
    other.send(f"/start {code}")
    assert (
        other.last_text() == "This link is not valid any more. Ask for a new one on the Haven site."
    )
    assert TelegramLink.objects.get(tg_hash=services.telegram_hash(1003)).user is None


def test_the_connect_page_gives_a_deep_link_to_a_logged_in_person(
    client_for: Any, bob: Any
) -> None:
    response = client_for(bob).get("/telegram/connect/")
    assert response.status_code == 200
    assert "https://t.me/haven_test_bot?start=" in response.content.decode()


def test_before_start_any_message_asks_for_start_and_stores_nothing(telegram: Any) -> None:
    tg = telegram(1001)
    tg.send("hello")
    tg.send("/need")
    assert tg.texts() == ["Please send /start to begin.", "Please send /start to begin."]
    assert TelegramLink.objects.count() == 0


def _seeker(telegram: Any) -> Any:
    tg = telegram(1001)
    tg.send("/start")
    tg.press("l:en")
    tg.press("a:new")
    return tg


def test_stickers_edits_long_text_and_unknown_commands_get_a_short_answer_and_change_nothing(
    telegram: Any,
) -> None:
    tg = _seeker(telegram)
    users = User.objects.count()
    tg.post(tg.message_update(None, sticker={"file_id": "x", "emoji": "🙂"}))
    assert tg.last_text() == "I can read only text messages and buttons."
    edited = tg.message_update("changed")
    edited["edited_message"] = edited.pop("message")
    tg.post(edited)
    assert tg.last_text() == "I do not read edited messages. Please send a new message instead."
    tg.send("x" * 5000)
    assert tg.last_text() == "This message is too long. Please keep it under 1000 characters."
    tg.send("/frobnicate")
    assert tg.last_text() == "I do not know this command. Send /help to see what I can do."
    tg.send("good morning")
    assert tg.last_text() == "I did not understand that. Please use the buttons or send /help."
    tg.press("zz:what")
    assert tg.last_answer() == "This button is out of date."
    assert User.objects.count() == users
    assert Conversation.objects.filter(flow="").count() == Conversation.objects.count()


def test_a_stale_account_button_changes_nothing(telegram: Any) -> None:
    tg = _seeker(telegram)
    tg.press("a:new")
    assert tg.last_answer() == "This button is out of date."
    assert User.objects.count() == 1


def test_help_and_safety_are_always_at_hand(telegram: Any) -> None:
    tg = _seeker(telegram)
    tg.send("/help")
    assert "/need" in tg.last_text()
    tg.send("/safety")
    assert "Help through Haven is free" in tg.last_text()


def test_a_frozen_account_can_do_nothing_in_the_chat(linked: Any, alice: Any, cora: Any) -> None:
    from haven.accounts.services import user_freeze

    tg = linked(alice, 1001)
    user_freeze(user=alice, by=cora, reason="test")
    tg.send("/need")
    assert tg.last_text() == "This account is frozen. Contact a coordinator."
    tg.press("m:need")
    assert tg.last_answer() == "This account is frozen. Contact a coordinator."
    assert Conversation.objects.filter(flow="need").count() == 0
