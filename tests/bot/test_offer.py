"""Offering help in the chat (N2): a guided, resumable conversation validated by the
web's OfferForm and saved through aid.services; managing one's offers with the
offer-status actions; and what a seeker is told instead."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from haven.aid.models import Offer
from haven.bot.models import Conversation
from tests.bot.leaks import assert_nothing_personal_sent

pytestmark = pytest.mark.django_db

PHONE, HANDLE = "+7 701 555 0199", "@canary_handle_x"
TITLE = "Room by the market"
NOTE = "No smoking inside. Quiet after ten."


@pytest.fixture
def host(telegram: Any) -> Any:
    tg = telegram(2001)
    tg.send("/start")
    tg.press("l:en")
    tg.press("a:host")
    return tg


def _today() -> str:
    return timezone.localdate().isoformat()


def _post_room(tg: Any) -> None:
    tg.press("f:kind:room")
    tg.send(TITLE)
    tg.press("f:host_kind:family")
    tg.press("f:city:uralsk")
    tg.press(f"f:date_from:{_today()}")
    tg.send("30")
    tg.send("3")
    tg.press("f:rules:pets_ok")
    tg.press("f:rules:children_ok")
    tg.press("f:rules:done")
    tg.press("f:languages:ru")
    tg.press("f:languages:done")
    tg.send("5000")
    tg.send(NOTE)


def test_start_can_create_a_host_account_that_offers_help(host: Any) -> None:
    from haven.bot.models import TelegramLink

    user = TelegramLink.objects.get().user
    assert user is not None
    assert user.role == "host"
    assert host.buttons() == ["m:offer", "m:offers", "m:proposals", "m:border", "m:board"]


def test_a_host_posts_a_room_with_buttons_and_typed_answers(host: Any, fake_telegram: Any) -> None:
    host.press("m:offer")
    assert host.last_text() == "What do you offer?"
    assert host.buttons() == [
        "f:kind:bed",
        "f:kind:room",
        "f:kind:flat",
        "f:kind:ride",
        "f:kind:service",
    ]  # no shelter for a private host, as on the web
    _post_room(host)
    summary = host.last_text()
    assert summary.startswith("Please check your offer:\nWhat: Room\nWho hosts: A family\n")
    assert "3 places or seats" in summary
    assert "Pets welcome" in summary
    assert "Children welcome" not in summary
    assert "Languages: Russian, English" in summary
    assert "Price: 5000 tenge a night" in summary
    assert host.buttons() == ["f:confirm:yes", "f:confirm:restart", "f:confirm:cancel"]
    host.press("f:confirm:yes")
    assert host.texts()[-1] == "Your offer is published. Thank you."
    offer = Offer.objects.get()
    assert (offer.kind, offer.title, offer.host_kind, offer.city.slug, offer.capacity) == (
        "room",
        TITLE,
        "family",
        "uralsk",
        3,
    )
    assert (offer.pets_ok, offer.children_ok, offer.smoking, offer.exclusive) == (
        True,
        False,
        False,
        False,
    )
    assert (offer.languages, offer.price_per_night, offer.notes, offer.status) == (
        ["ru", "en"],
        5000,
        NOTE,
        "active",
    )
    assert offer.date_from == timezone.localdate()
    assert offer.date_to == timezone.localdate() + dt.timedelta(days=30)
    assert Conversation.objects.get().flow == ""
    # The free text a person typed is never repeated in the chat.
    assert_nothing_personal_sent(fake_telegram, "market", "Quiet after")


def test_contact_details_in_the_title_or_note_are_refused_and_never_repeated(
    host: Any, fake_telegram: Any
) -> None:
    host.press("m:offer")
    host.press("f:kind:room")
    host.send(f"Room by the market, call {PHONE}")
    assert "Please remove contact details" in host.texts()[-2]
    assert host.last_text().startswith("Type a short title")
    host.send(TITLE)
    assert host.last_text() == "Who hosts?"
    assert Offer.objects.count() == 0
    assert_nothing_personal_sent(fake_telegram, "555 0199", "canary_handle")


def test_ticking_a_house_rule_redraws_the_same_message(host: Any, fake_telegram: Any) -> None:
    host.send("/offer")
    host.press("f:kind:bed")
    host.send("Sofa")
    host.press("f:host_kind:woman")
    host.press("f:city:almaty")
    host.press(f"f:date_from:{_today()}")
    host.press("f:nights:7")
    host.press("f:capacity:1")
    assert host.buttons()[-1] == "f:rules:done"
    sent = len(fake_telegram.messages())
    host.press("f:rules:step_free")
    assert fake_telegram.calls[-1][0] == "editMessageText"
    assert len(fake_telegram.messages()) == sent + 1
    assert (
        "✅ Step-free access"
        in fake_telegram.messages()[-1]["reply_markup"]["inline_keyboard"][3][0]["text"]
    )
    conversation = Conversation.objects.get()
    assert (conversation.step, conversation.data["step_free"]) == ("rules", True)


def test_an_organisation_posts_a_shelter_without_the_host_question(linked: Any, olga: Any) -> None:
    tg = linked(olga, 2004)
    tg.send("/offer")
    assert "f:kind:shelter" in tg.buttons()
    tg.press("f:kind:shelter")
    tg.send("Sports hall")
    assert tg.last_text() == "In which city?"  # a shelter is hosted by the organisation
    tg.press("f:city:uralsk")
    tg.press(f"f:date_from:{_today()}")
    tg.press("f:nights:30")
    tg.send("120")
    assert "f:rules:exclusive" not in tg.buttons()
    tg.press("f:rules:done")
    tg.press("f:languages:done")
    tg.press("f:price:0")
    tg.press("f:notes:-")
    tg.press("f:confirm:yes")
    offer = Offer.objects.get()
    assert (offer.kind, offer.host_kind, offer.capacity, offer.free_places, offer.is_free) == (
        "shelter",
        "organisation",
        120,
        120,
        True,
    )


def test_a_ride_asks_where_it_goes_and_a_service_what_kind(host: Any) -> None:
    host.send("/offer")
    host.press("f:kind:ride")
    host.send("Two seats to Almaty")
    host.press("f:host_kind:man")
    host.press("f:city:uralsk")
    assert host.last_text() == "Where does the ride go?"
    host.press("f:destination:almaty")
    host.press(f"f:date_from:{_today()}")
    host.press("f:nights:1")
    host.press("f:capacity:2")
    host.press("f:rules:done")
    host.press("f:languages:done")
    host.press("f:price:0")
    host.press("f:notes:-")
    host.press("f:confirm:yes")
    host.send("/offer")
    host.press("f:kind:service")
    assert host.last_text() == "What kind of service?"
    host.press("f:service_kind:legal")
    host.send("Advice on registration")
    host.press("f:host_kind:woman")
    host.press("f:city:almaty")
    host.press(f"f:date_from:{_today()}")
    host.press("f:nights:14")
    host.press("f:capacity:5")
    assert host.last_text().startswith("Which languages are spoken?")  # no house rules
    host.press("f:languages:done")
    host.press("f:price:0")
    host.press("f:notes:-")
    host.press("f:confirm:yes")
    ride, service = Offer.objects.order_by("pk")
    assert (ride.kind, ride.destination.slug, ride.capacity) == ("ride", "almaty", 2)
    assert (service.kind, service.service_kind, service.destination) == ("service", "legal", None)


def test_an_interrupted_offer_resumes_after_a_detour_to_the_border(host: Any) -> None:
    host.send("/offer")
    host.press("f:kind:flat")
    host.send("Flat in the centre")
    # A detour: a queue report needs a typed number, so it has a conversation of its own.
    host.press("b:qgo:syrym:entry:car")
    host.press("q:measure:position")
    host.send("40")
    assert host.last_text() == (
        "Counted: your report from the queue (Entering Kazakhstan, Car). "
        "The estimate now rests on 1 report, yours included."
    )
    host.send("/offer")
    assert host.last_text() == "You have an offer you did not finish. Continue it or start again?"
    assert host.buttons() == ["f:resume", "f:restart"]
    host.press("f:resume")
    assert host.last_text() == "Who hosts?"
    conversation = Conversation.objects.get()
    assert (conversation.flow, conversation.step, conversation.parked) == ("offer", "host_kind", {})
    assert conversation.data == {"kind": "flat", "title": "Flat in the centre"}


def test_starting_the_offer_again_forgets_the_draft(host: Any) -> None:
    host.send("/offer")
    host.press("f:kind:flat")
    host.send("/offer")
    host.press("f:restart")
    assert host.last_text() == "What do you offer?"
    assert Conversation.objects.get().data == {}


def test_bad_answers_in_the_offer_change_nothing(host: Any) -> None:
    host.send("/offer")
    host.send("a room please")
    assert host.texts()[-2:] == ["Please use the buttons.", "What do you offer?"]
    host.press("f:kind:shelter")  # not a private host's kind
    assert host.texts()[-2] == "Please choose one of the buttons."
    host.press("f:kind:room")
    host.send("x" * 121)
    assert host.texts()[-2] == "Ensure this value has at most 120 characters (it has 121)."
    host.send("x" * 1001)
    assert host.last_text() == "This message is too long. Please keep it under 1000 characters."
    host.post(host.message_update(None, sticker={"file_id": "x", "emoji": "🏠"}))
    assert host.last_text() == "I can read only text messages and buttons."
    host.press("f:city:uralsk")  # a button of a later step
    assert host.last_answer() == "This button is out of date."
    host.send("Room")
    host.press("f:host_kind:family")
    host.press("f:city:uralsk")
    host.send("yesterday")
    assert host.texts()[-2] == "Enter a valid date."
    host.press(f"f:date_from:{_today()}")
    host.send("400")
    assert host.texts()[-2] == "Ensure this value is less than or equal to 366."
    host.send("7")
    host.send("0")
    assert host.texts()[-2] == "Ensure this value is greater than or equal to 1."
    host.send("2")
    host.press("f:rules:garden")
    assert host.texts()[-2] == "Please choose one of the buttons."
    host.send("done")
    assert host.texts()[-2] == "Please use the buttons."
    conversation = Conversation.objects.get()
    assert (conversation.step, conversation.data["capacity"]) == ("rules", 2)
    assert "pets_ok" not in conversation.data
    assert Offer.objects.count() == 0


def test_cancelling_the_offer_publishes_nothing(host: Any) -> None:
    host.send("/offer")
    host.press("f:kind:room")
    host.send("/cancel")
    host.send("A title typed after cancelling")
    assert host.last_text() == "I did not understand that. Please use the buttons or send /help."
    assert Offer.objects.count() == 0


def test_the_same_publish_update_replayed_ten_times_publishes_one_offer(
    host: Any, fake_telegram: Any
) -> None:
    host.send("/offer")
    _post_room(host)
    publish = host.callback_update("f:confirm:yes")
    for _ in range(10):
        assert host.post(publish).status_code == 200
    assert Offer.objects.count() == 1
    assert host.texts().count("Your offer is published. Thank you.") == 1


def test_the_web_rate_limit_on_offers_holds_in_the_chat(host: Any, settings: Any) -> None:
    settings.HAVEN_RATE_OFFERS_PER_HOUR = 1
    for _ in range(2):
        host.send("/offer")
        _post_room(host)
        host.press("f:confirm:yes")
    assert host.last_text() == "Too many requests. Please wait a little."
    assert Offer.objects.count() == 1
    assert Conversation.objects.get().step == "confirm"  # the draft is kept for later


def test_a_host_pauses_resumes_and_closes_an_offer(
    linked: Any, bob: Any, bobs_offer: Offer, fake_telegram: Any
) -> None:
    tg = linked(bob, 2002)
    tg.press("m:offers")
    assert tg.last_text().startswith("Room in Uralsk, from ")
    assert tg.last_text().endswith("3 places or seats.\nStatus: Active")
    assert tg.buttons() == [f"o:pause:{bobs_offer.public_id}", f"o:close:{bobs_offer.public_id}"]
    tg.press(f"o:pause:{bobs_offer.public_id}")
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "paused"
    assert tg.last_answer() == "Saved."
    assert fake_telegram.calls[-1][0] == "editMessageText"
    assert tg.buttons() == [f"o:resume:{bobs_offer.public_id}", f"o:close:{bobs_offer.public_id}"]
    tg.press(f"o:resume:{bobs_offer.public_id}")
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "active"
    tg.press(f"o:close:{bobs_offer.public_id}")
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "closed"
    assert tg.last_text().endswith("Status: Closed")
    tg.press(f"o:resume:{bobs_offer.public_id}")  # an old button
    assert tg.last_text() == "A closed listing cannot be changed."
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "closed"
    tg.send("/offers")
    assert tg.last_text() == "You have no open offers. Send /offer to publish one."
    assert_nothing_personal_sent(fake_telegram, bobs_offer.title)


def test_a_pause_replayed_ten_times_is_one_change(
    linked: Any, bob: Any, bobs_offer: Offer, fake_telegram: Any
) -> None:
    tg = linked(bob, 2002)
    pause = tg.callback_update(f"o:pause:{bobs_offer.public_id}")
    before = len(fake_telegram.calls)
    for _ in range(10):
        tg.post(pause)
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "paused"
    assert [method for method, _body in fake_telegram.calls[before:]] == [
        "answerCallbackQuery",
        "editMessageText",
    ]


def test_a_seeker_is_told_how_to_offer_and_cannot_touch_offers(
    telegram: Any, linked: Any, alice: Any, bobs_offer: Offer
) -> None:
    seeker = linked(alice, 2003)
    assert "m:offer" not in seeker.buttons()
    explanation = (
        "Your account is for asking for help, so it cannot offer places yet. To offer a bed, "
        "a room or a flat, open your page on the Haven site and choose “Also offer help as a "
        "private host”; an organisation is set up with a coordinator."
    )
    seeker.send("/offer")
    assert seeker.last_text() == explanation
    seeker.send("/offers")
    assert seeker.last_text() == explanation
    seeker.press("m:offer")
    assert (seeker.last_answer(), seeker.last_text()) == (
        "Your account type cannot do this.",
        explanation,
    )
    for data in ("f:kind:room", "f:resume", "f:confirm:yes"):
        seeker.press(data)
        assert seeker.last_answer() == "This button is out of date."
    for action in ("pause", "close"):
        seeker.press(f"o:{action}:{bobs_offer.public_id}")
        assert seeker.last_answer() == "This button is out of date."
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "active"
    assert Offer.objects.count() == 1
    assert Conversation.objects.filter(flow="offer").count() == 0
