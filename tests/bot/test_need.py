"""Posting a need in a guided conversation: buttons, typed answers, validation by
NeedForm, resuming after an interruption, stale buttons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from haven.aid.models import Need
from haven.bot.models import Conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeker(telegram: Any) -> Any:
    tg = telegram(1001)
    tg.send("/start")
    tg.press("l:en")
    tg.press("a:new")
    return tg


def _today() -> str:
    return timezone.localdate().isoformat()


def test_a_seeker_posts_a_housing_need_with_buttons_and_typed_numbers(seeker: Any) -> None:
    seeker.press("m:need")
    assert seeker.last_text() == "What do you need?"
    assert "n:kind:housing" in seeker.buttons()
    seeker.press("n:kind:housing")
    assert "n:city:uralsk" in seeker.buttons()
    seeker.press("n:city:uralsk")
    seeker.press(f"n:date_from:{_today()}")
    seeker.send("7")
    seeker.press("n:adults:2")
    seeker.send("1")
    seeker.press("n:elderly:0")
    seeker.press("n:pets:1")
    seeker.press("n:party:done")
    seeker.press("n:languages:done")
    seeker.send("15000")
    assert seeker.buttons() == [
        "n:host_preference:any",
        "n:host_preference:women_families",
        "n:host_preference:collective",
    ]
    seeker.press("n:host_preference:collective")
    seeker.press("n:min_tier:0")
    seeker.press("n:notes:-")
    summary = seeker.last_text()
    assert "Party: 3 people" in summary
    assert "With 1 pet" in summary
    assert "Budget: up to 15000 tenge a night" in summary
    seeker.press("n:confirm:yes")
    need = Need.objects.get()
    assert (
        seeker.last_text()
        == "Your request is posted. We will write to you here as soon as we find a match."
    )
    assert (need.kind, need.city.slug, need.adults, need.children, need.elderly, need.pets) == (
        "housing",
        "uralsk",
        2,
        1,
        0,
        1,
    )
    assert (need.free_only, need.max_price, need.host_preference) == (False, 15000, "collective")
    assert need.date_from == timezone.localdate()
    assert need.date_to == timezone.localdate() + dt.timedelta(days=7)
    assert need.owner.telegram_link.tg_hash
    assert Conversation.objects.get().flow == ""


def test_a_transport_need_asks_for_the_destination_and_not_for_a_host(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:transport")
    seeker.press("n:city:uralsk")
    assert seeker.last_text() == "Where do you need to go?"
    seeker.press("n:destination:almaty")
    seeker.press(f"n:date_from:{_today()}")
    seeker.press("n:nights:1")
    seeker.press("n:adults:1")
    seeker.press("n:children:0")
    seeker.press("n:elderly:0")
    seeker.press("n:pets:0")
    seeker.press("n:party:done")
    seeker.press("n:languages:done")
    seeker.press("n:budget:free")
    seeker.press("n:min_tier:1")
    assert seeker.buttons() == ["n:notes:-"]
    seeker.send("We travel with a wheelchair.")
    seeker.press("n:confirm:yes")
    need = Need.objects.get()
    assert (need.kind, need.destination.slug, need.free_only, need.notes, need.min_tier) == (
        "transport",
        "almaty",
        True,
        "We travel with a wheelchair.",
        1,
    )


def test_an_interrupted_request_resumes_where_it_stopped(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:housing")
    seeker.press("n:city:uralsk")
    seeker.send("/board")  # wandered off
    seeker.send("/need")
    assert (
        seeker.last_text() == "You have a request you did not finish. Continue it or start again?"
    )
    assert seeker.buttons() == ["n:resume", "n:restart"]
    seeker.press("n:resume")
    assert seeker.last_text().startswith("From which day?")
    assert Conversation.objects.get().data == {"kind": "housing", "city": "uralsk"}
    seeker.press(f"n:date_from:{_today()}")
    for answer in ("3", "1", "0", "0", "0"):
        seeker.send(answer)
    seeker.press("n:party:done")
    seeker.press("n:languages:done")
    seeker.press("n:budget:free")
    seeker.press("n:host_preference:any")
    seeker.press("n:min_tier:0")
    seeker.press("n:notes:-")
    seeker.press("n:confirm:yes")
    assert Need.objects.get().adults == 1


def test_starting_again_forgets_the_draft(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:legal")
    seeker.send("/need")
    seeker.press("n:restart")
    assert seeker.last_text() == "What do you need?"
    assert Conversation.objects.get().data == {}


def test_a_stale_button_from_an_earlier_step_changes_nothing(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:housing")
    seeker.press("n:city:uralsk")
    before = Conversation.objects.get()
    seeker.press("n:kind:legal")
    assert seeker.last_answer() == "This button is out of date."
    after = Conversation.objects.get()
    assert (
        (after.step, after.data)
        == (before.step, before.data)
        == ("date_from", {"kind": "housing", "city": "uralsk"})
    )


def test_wrong_answers_are_explained_and_the_question_asked_again(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:housing")
    seeker.send("Uralsk please")
    assert seeker.texts()[-2] == "Please use the buttons."
    seeker.press("n:city:uralsk")
    seeker.send("2000-01-01")
    assert seeker.texts()[-2] == "The start date is in the past."
    seeker.send("tomorrow-ish")
    assert seeker.texts()[-2] == "Enter a valid date."
    seeker.press(f"n:date_from:{_today()}")
    seeker.send("0")
    assert seeker.texts()[-2] == "Ensure this value is greater than or equal to 1."
    seeker.send("2")
    seeker.send("99")
    assert seeker.texts()[-2] == "Ensure this value is less than or equal to 20."
    seeker.send("x" * 1200)
    assert seeker.last_text() == "This message is too long. Please keep it under 1000 characters."
    assert Conversation.objects.get().step == "adults"
    assert Need.objects.count() == 0


def test_a_party_of_nobody_is_refused_by_the_need_form(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:information")
    seeker.press("n:city:almaty")
    seeker.press(f"n:date_from:{_today()}")
    seeker.press("n:nights:3")
    for answer in ("0", "0", "0", "0"):
        seeker.send(answer)
    seeker.press("n:party:done")
    seeker.press("n:languages:done")
    seeker.press("n:budget:free")
    seeker.press("n:notes:-")
    seeker.press("n:confirm:yes")
    assert "A party needs at least one person." in seeker.texts()[-2]
    assert Need.objects.count() == 0


def test_cancelling_posts_nothing(seeker: Any) -> None:
    seeker.send("/need")
    seeker.press("n:kind:housing")
    seeker.send("/cancel")
    assert Conversation.objects.get().flow == ""
    seeker.press("n:city:uralsk")
    assert seeker.last_answer() == "This button is out of date."
    assert Need.objects.count() == 0


def test_a_host_cannot_post_a_need(linked: Any, bob: Any) -> None:
    tg = linked(bob, 1002)
    tg.send("/need")
    assert tg.last_text() == "Your account type cannot do this."
    assert Conversation.objects.filter(flow="need").count() == 0
