"""Border reports with the timer, reading a checkpoint's board, and an organisation
checking people in and out of its shelter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from haven.aid.models import Offer
from haven.borders.models import BorderReport

pytestmark = pytest.mark.django_db


def test_the_timer_from_joining_the_queue_to_passing_control_makes_one_timed_report(
    linked: Any, alice: Any
) -> None:
    tg = linked(alice, 1001)
    tg.send("/border")
    assert "b:cp:syrym" in tg.buttons()
    tg.press("b:cp:syrym")
    assert tg.buttons() == ["b:join:syrym", "b:queue:syrym", "b:flag:syrym", "b:show:syrym"]
    tg.press("b:join:syrym")
    assert tg.buttons() == ["b:dir:syrym:entry", "b:dir:syrym:exit"]
    tg.press("b:dir:syrym:entry")
    assert tg.buttons() == [
        "b:go:syrym:entry:car",
        "b:go:syrym:entry:bus",
        "b:go:syrym:entry:truck",
        "b:go:syrym:entry:pedestrian",
    ]
    tg.press("b:go:syrym:entry:car")
    assert (
        tg.last_text()
        == "The clock is running. When you pass passport control, press the button below."
    )
    pending = BorderReport.objects.get()
    assert (pending.direction, pending.mode, pending.passed_at) == ("entry", "car", None)
    assert pending.joined_at is not None
    # Six and a half hours in the queue (the clock is the one thing moved by hand).
    BorderReport.objects.filter(pk=pending.pk).update(
        joined_at=pending.joined_at - dt.timedelta(hours=6, minutes=30)
    )
    tg.press("b:cp:syrym")
    assert tg.buttons() == ["b:pass:syrym", "b:leave:syrym", "b:show:syrym"]
    tg.press("b:pass:syrym")
    assert tg.last_text() == (
        "Counted: you waited 6 hours 30 minutes (Entering Kazakhstan, Car). "
        "The estimate now rests on 1 report, yours included."
    )
    report = BorderReport.objects.get()
    assert report.passed_at is not None
    assert report.submitted_at is not None


def test_passing_control_without_a_running_clock_is_explained(linked: Any, alice: Any) -> None:
    tg = linked(alice, 1001)
    tg.press("b:pass:syrym")
    assert tg.last_text() == "You have not said that you joined the queue at this checkpoint."
    assert BorderReport.objects.count() == 0


def test_leaving_the_queue_forgets_the_clock(linked: Any, alice: Any) -> None:
    tg = linked(alice, 1001)
    tg.press("b:go:syrym:exit:pedestrian")
    assert BorderReport.objects.count() == 1
    tg.press("b:leave:syrym")
    assert tg.last_text() == "The clock is stopped and forgotten."
    assert BorderReport.objects.count() == 0


def test_an_impossible_direction_or_mode_is_refused(linked: Any, alice: Any) -> None:
    tg = linked(alice, 1001)
    tg.press("b:go:syrym:sideways:car")
    tg.press("b:go:syrym:entry:rocket")
    tg.press("b:cp:nowhere")
    assert tg.last_answer() == "This button is out of date."
    assert BorderReport.objects.count() == 0


def test_the_board_of_a_checkpoint_reads_in_the_chat(
    linked: Any, alice: Any, bob: Any, charlie: Any
) -> None:
    from django.utils import timezone

    from haven.borders.services import report_submit
    from haven.geo.models import Checkpoint

    syrym = Checkpoint.objects.get(slug="syrym")
    now = timezone.now()
    for hours, reporter in ((5, alice), (6, bob), (7, charlie)):
        BorderReport.objects.filter(reporter=reporter).delete()
        report_submit(
            reporter=reporter,
            data={
                "checkpoint": syrym,
                "direction": "entry",
                "mode": "car",
                "kind": "timed",
                "at_checkpoint": True,
                "joined_at": now - dt.timedelta(hours=hours + 1),
                "passed_at": now - dt.timedelta(hours=1),
            },
        )
    tg = linked(alice, 1001)
    tg.send("/board")
    tg.press("b:show:syrym")
    text = tg.last_text()
    assert text.startswith("Syrym")
    assert "Entering Kazakhstan, Car: about" in text
    assert "3 reports" in text
    assert text.endswith("Haven never gives directions for crossing a border outside a checkpoint.")


def test_a_quiet_checkpoint_says_there_are_no_reports(linked: Any, alice: Any) -> None:
    tg = linked(alice, 1001)
    tg.press("b:show:kurmangazy")
    assert "No recent reports for this checkpoint." in tg.last_text()


def test_an_organisation_checks_people_in_and_out(
    linked: Any, olga: Any, olgas_shelter: Offer
) -> None:
    tg = linked(olga, 1004)
    assert "m:shelter" in tg.buttons()
    tg.send("/shelter")
    assert tg.last_text() == "Cinema floor: 80 places of 80 are free."
    tg.press(f"s:in:{olgas_shelter.public_id}")
    tg.press(f"s:in:{olgas_shelter.public_id}")
    assert tg.last_text() == "Cinema floor: 78 places of 80 are free."
    tg.press(f"s:out:{olgas_shelter.public_id}")
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 79


def test_checking_out_of_an_empty_shelter_is_refused(
    linked: Any, olga: Any, olgas_shelter: Offer
) -> None:
    tg = linked(olga, 1004)
    tg.press(f"s:out:{olgas_shelter.public_id}")
    assert tg.last_text() == "Nobody is checked in, so nobody can check out."
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 80


def test_nobody_else_checks_people_into_a_shelter(
    linked: Any, charlie: Any, olgas_shelter: Offer
) -> None:
    tg = linked(charlie, 1003)
    tg.press(f"s:in:{olgas_shelter.public_id}")
    assert tg.last_answer() == "This button is out of date."
    tg.send("/shelter")
    assert tg.last_text() == "You have no open shelter."
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 80


SHORT_EN = (
    "A wait shorter than 5 minutes is not a queue, so it is not counted. "
    "If there was no queue at all, report 0 vehicles ahead of you instead."
)


def test_passed_pressed_seconds_after_joined_is_refused_and_the_clock_keeps_running(
    linked: Any, alice: Any
) -> None:
    tg = linked(alice, 1001)
    tg.press("b:go:syrym:entry:car")
    tg.press("b:pass:syrym")  # two seconds later, as a double tap
    assert tg.last_text() == SHORT_EN
    assert tg.buttons() == ["b:pass:syrym", "b:leave:syrym"]
    pending = BorderReport.objects.get()
    assert (pending.passed_at, pending.submitted_at) == (None, None)


def test_the_clock_in_russian_says_when_and_how_long_with_neutral_buttons(
    linked: Any, alice: Any, fake_telegram: Any
) -> None:
    from django.utils import timezone

    from haven.bot.models import TelegramLink

    tg = linked(alice, 1001)
    TelegramLink.objects.update(language="ru")
    tg.press("b:go:syrym:entry:car")
    tg.press("b:cp:syrym")
    pending = BorderReport.objects.get()
    joined = timezone.localtime(pending.joined_at).strftime("%H:%M")
    assert tg.last_text() == (
        f"Сырым: Вы встали в очередь в {joined} — только что "
        "(Казахстан: въезд, Легковой автомобиль)."
    )
    keyboard = fake_telegram.messages(1001)[-1]["reply_markup"]["inline_keyboard"]
    assert [b["text"] for row in keyboard for b in row] == [
        "Контроль пройден",
        "Я больше не в очереди",
        "Время ожидания",
    ]
    tg.press("b:pass:syrym")
    assert tg.last_text() == (
        "Ожидание короче 5 минут — это не очередь, поэтому оно не учитывается. "
        "Если очереди не было совсем, сообщите, что перед вами 0 машин."
    )
    BorderReport.objects.filter(pk=pending.pk).update(
        joined_at=pending.joined_at - dt.timedelta(hours=2, minutes=1)
    )
    tg.press("b:cp:syrym")
    assert "— 2 часа 1 минуту назад (Казахстан: въезд" in tg.last_text()
