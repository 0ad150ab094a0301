"""Border reports besides the timer (B2): "I am in the queue now" with a typed measure
and the rule flags, through the web's report forms and borders.services (so its
validation and rate limit apply)."""

from __future__ import annotations

from typing import Any

import pytest

from haven.aid.models import Need
from haven.borders.models import BorderReport
from haven.bot.models import Conversation
from tests.bot.leaks import assert_nothing_personal_sent

pytestmark = pytest.mark.django_db

FLAG_SAVED = (
    "Thank you. Your report is saved. A rule or condition is confirmed only when several "
    "independent travellers or a coordinator say so."
)


def test_an_in_queue_report_with_a_place_in_the_queue(
    linked: Any, alice: Any, fake_telegram: Any
) -> None:
    tg = linked(alice, 3001)
    tg.send("/border")
    tg.press("b:cp:syrym")
    tg.press("b:queue:syrym")
    assert tg.buttons() == ["b:qdir:syrym:entry", "b:qdir:syrym:exit"]
    tg.press("b:qdir:syrym:exit")
    assert tg.buttons() == [
        "b:qgo:syrym:exit:car",
        "b:qgo:syrym:exit:bus",
        "b:qgo:syrym:exit:truck",
        "b:qgo:syrym:exit:pedestrian",
    ]
    tg.press("b:qgo:syrym:exit:bus")
    assert tg.last_text() == "What can you tell about the queue?"
    assert tg.buttons() == ["q:measure:position", "q:measure:vehicles_ahead", "q:measure:km"]
    tg.press("q:measure:position")
    assert tg.last_text() == "My place in the queue: type a number."
    tg.send("120")
    assert tg.last_text() == (
        "Counted: your report from the queue (Leaving Kazakhstan, Bus). "
        "The estimate now rests on 1 report, yours included."
    )
    report = BorderReport.objects.get()
    assert (report.kind, report.direction, report.mode, report.position, report.km) == (
        "queue",
        "exit",
        "bus",
        120,
        None,
    )
    assert (report.at_checkpoint, report.submitted_at is not None) == (True, True)
    assert Conversation.objects.get().flow == ""
    assert_nothing_personal_sent(fake_telegram)


def test_a_queue_length_in_kilometres_may_have_a_decimal_comma(linked: Any, alice: Any) -> None:
    tg = linked(alice, 3001)
    tg.press("b:qgo:syrym:entry:car")
    tg.press("q:measure:km")
    tg.send("2,5")
    assert BorderReport.objects.get().km == 2.5


def test_wrong_queue_answers_are_explained_and_nothing_is_saved(linked: Any, alice: Any) -> None:
    tg = linked(alice, 3001)
    tg.press("b:qgo:syrym:entry:car")
    tg.send("120")  # the measure is a button
    assert tg.texts()[-2:] == ["Please use the buttons.", "What can you tell about the queue?"]
    tg.press("q:measure:vehicles_ahead")
    tg.send("about fifty")
    assert tg.texts()[-2] == "Enter a whole number."
    tg.send("-3")
    assert tg.texts()[-2] == "This cannot be a negative number."
    tg.send("99999999")
    assert tg.texts()[-2] == "This number is too large."
    tg.press("q:measure:km")  # the step has moved on
    assert tg.last_answer() == "This button is out of date."
    tg.post(tg.message_update(None, sticker={"file_id": "x", "emoji": "🚗"}))
    assert tg.last_text() == "I can read only text messages and buttons."
    conversation = Conversation.objects.get()
    assert (conversation.flow, conversation.step) == ("queue", "value")
    assert BorderReport.objects.count() == 0
    tg.press("q:cancel:-")
    assert tg.last_text() == "Stopped. Nothing was reported."
    assert Conversation.objects.get().flow == ""
    assert BorderReport.objects.count() == 0


def test_impossible_queue_buttons_are_refused(linked: Any, alice: Any) -> None:
    tg = linked(alice, 3001)
    tg.press("b:qdir:syrym:sideways")
    assert tg.last_answer() == "This button is out of date."
    tg.press("b:qgo:syrym:entry:rocket")
    assert tg.last_text() == "Select a valid choice. rocket is not one of the available choices."
    tg.press("q:measure:position")  # no queue conversation
    assert tg.last_answer() == "This button is out of date."
    assert Conversation.objects.filter(flow="queue").count() == 0
    assert BorderReport.objects.count() == 0


def test_a_rule_flag_heard_from_others_and_one_seen_at_the_checkpoint(
    linked: Any, alice: Any
) -> None:
    tg = linked(alice, 3001)
    tg.press("b:cp:syrym")
    tg.press("b:flag:syrym")
    assert tg.buttons() == ["b:fdir:syrym:entry", "b:fdir:syrym:exit"]
    tg.press("b:fdir:syrym:exit")
    assert tg.buttons() == [
        "b:fname:syrym:exit:closed",
        "b:fname:syrym:exit:pedestrians_not_allowed",
        "b:fname:syrym:exit:draft_age_turned_back",
        "b:fname:syrym:exit:no_water",
        "b:fname:syrym:exit:no_fuel",
    ]
    tg.press("b:fname:syrym:exit:closed")
    assert tg.last_text() == "The checkpoint is closed"
    assert tg.buttons() == ["b:fset:syrym:exit:closed:true", "b:fset:syrym:exit:closed:false"]
    tg.press("b:fset:syrym:exit:closed:false")
    assert tg.buttons() == [
        "b:fat:syrym:exit:closed:false:1",
        "b:fat:syrym:exit:closed:false:0",
    ]
    tg.press("b:fat:syrym:exit:closed:false:1")
    assert tg.last_text() == FLAG_SAVED
    tg.press("b:fat:syrym:entry:no_water:true:0")
    seen, heard = BorderReport.objects.order_by("pk")
    assert (seen.kind, seen.direction, seen.flag, seen.value, seen.at_checkpoint) == (
        "flag",
        "exit",
        "closed",
        False,
        True,
    )
    assert (heard.flag, heard.value, heard.at_checkpoint, heard.mode) == (
        "no_water",
        True,
        False,
        "car",
    )


def test_impossible_flags_are_refused(linked: Any, alice: Any) -> None:
    tg = linked(alice, 3001)
    tg.press("b:fat:syrym:entry:free_beer:true:1")
    assert tg.last_text() == "Select a valid choice. free_beer is not one of the available choices."
    tg.press("b:fat:syrym:sideways:closed:true:1")
    tg.press("b:fat:syrym:entry:closed:maybe:1")
    tg.press("b:fat:syrym:entry:closed:true:2")
    assert tg.last_text() == "This button is out of date."
    assert BorderReport.objects.count() == 0


def test_a_flag_replayed_ten_times_is_one_report(linked: Any, alice: Any) -> None:
    tg = linked(alice, 3001)
    report = tg.callback_update("b:fat:syrym:entry:closed:true:1")
    for _ in range(10):
        assert tg.post(report).status_code == 200
    assert BorderReport.objects.count() == 1
    assert tg.texts().count(FLAG_SAVED) == 1


def test_the_border_rate_limit_of_the_web_holds_in_the_chat(
    linked: Any, alice: Any, settings: Any
) -> None:
    settings.HAVEN_BORDER_REPORTS_PER_10_MIN = 2
    tg = linked(alice, 3001)
    tg.press("b:fat:syrym:entry:closed:true:1")
    tg.press("b:qgo:syrym:entry:car")
    tg.press("q:measure:position")
    tg.send("10")
    tg.press("b:fat:syrym:entry:no_fuel:true:1")
    assert tg.last_text() == "Too many requests. Please wait a little."
    assert BorderReport.objects.count() == 2


def test_a_queue_report_in_the_middle_of_a_request_keeps_the_request(telegram: Any) -> None:
    tg = telegram(3002)
    tg.send("/start")
    tg.press("l:en")
    tg.press("a:new")
    tg.send("/need")
    tg.press("n:kind:housing")
    tg.press("n:city:uralsk")
    tg.press("b:qgo:syrym:entry:pedestrian")
    tg.press("q:measure:position")
    tg.send("7")
    assert BorderReport.objects.get().position == 7
    tg.send("/need")
    tg.press("n:resume")
    assert tg.last_text().startswith("From which day?")
    assert Conversation.objects.get().data == {"kind": "housing", "city": "uralsk"}
    assert Need.objects.count() == 0
