"""Issue #11, problem 6 (and the border pages' words from 9): a refused border report lands
on one error summary at the top of the page; timed waits too short to be a queue are
refused with a reason; the message after a report says what the board counted; a running
timer shows on the checkpoint's page and on /me/; neutral Russian, "только что"."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from haven.borders import selectors, services
from haven.borders.forms import QueueReportForm
from haven.borders.models import BorderReport, FlagDecision
from tests.borders.helpers import ago, local, make_reporters, submit_timed, timed_post

pytestmark = pytest.mark.django_db

SHORT_RU = (
    "Ожидание короче 5 минут — это не очередь, поэтому оно не учитывается. "
    "Если очереди не было совсем, сообщите, что перед вами 0 машин."
)
SHORT_EN = (
    "A wait shorter than 5 minutes is not a queue, so it is not counted. "
    "If there was no queue at all, report 0 vehicles ahead of you instead."
)


def _summary(html: str) -> str:
    start = html.index('<div class="error-summary" id="error-summary"')
    return html[start: html.index("</div>", start)]


def _syrym_car_reports() -> int:
    item = next(c for c in selectors.board()["checkpoints"] if c["slug"] == "syrym")
    return next(e["reports"] for e in item["estimates"] if (e["direction"], e["mode"]) == ("entry", "car"))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ----- the error summary --------------------------------------------------------------------


def test_a_refused_report_lands_on_one_summary_at_the_top_that_links_to_the_field(client_for, alice, syrym):
    response = client_for(alice, language="ru").post("/border/syrym/report/", timed_post(ago(hours=1), ago(hours=3)))
    html = response.content.decode()
    assert response.status_code == 422
    assert html.count('id="error-summary"') == 1
    # First in the page, above the heading (it was 1,400 px down, inside its form), so a
    # browser without JavaScript shows it on the first screen.
    main = html[html.index("<main"):]
    assert main.index('<a href="/border/syrym/">← Сырым</a>') < main.index('id="error-summary"') < main.index("<h1>")
    assert re.findall(r"<li>.*?</li>", _summary(html)) == [
        '<li><a href="#id_timed-passed_at">Контроль пройден в: Нельзя пройти контроль раньше, чем встать в очередь.</a></li>'
    ]
    assert 'id="id_timed-passed_at"' in html
    assert BorderReport.objects.count() == 0


def test_a_clock_button_refused_says_why_in_the_summary(client_for, alice, syrym):
    response = client_for(alice, language="ru").post("/border/syrym/report/", {"action": "pass"})
    assert response.status_code == 409
    assert re.findall(r"<li>.*?</li>", _summary(response.content.decode())) == [
        "<li>Вы не отмечали, что встали в очередь на этом пункте пропуска.</li>"
    ]


def test_a_coordinators_decision_form_lists_its_error_at_the_top_with_a_link(client_for, cora, syrym):
    response = client_for(cora, language="ru").post(
        "/border/syrym/flags/", {"direction": "entry", "flag": "closed", "verdict": "maybe"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    main = html[html.index("<main"):]
    assert main.index("← ") < main.index('id="error-summary"') < main.index("<h1>") < main.index('id="flag-decide"')
    assert re.findall(r"<li>.*?</li>", _summary(html)) == [
        '<li><a href="#decide-verdict">Решение: Выберите корректный вариант. maybe нет среди допустимых значений.</a></li>'
    ]
    assert '<select id="decide-verdict" name="verdict" aria-invalid="true"' in html
    assert FlagDecision.objects.count() == 0


# ----- too short to be a queue --------------------------------------------------------------


def test_the_floor_and_its_message_say_the_same_five_minutes():
    from haven.borders.forms import MIN_TIMED_WAIT

    assert dt.timedelta(minutes=5) == MIN_TIMED_WAIT


@pytest.mark.parametrize("minutes", [0, 4])
def test_a_timed_wait_under_five_minutes_is_refused_with_a_reason(client_for, alice, syrym, minutes):
    passed = ago(minutes=10)
    response = client_for(alice, language="ru").post(
        "/border/syrym/report/", timed_post(passed - dt.timedelta(minutes=minutes), passed)
    )
    assert response.status_code == 422
    assert [str(m) for m in response.context["timed_form"].errors["passed_at"]] == [SHORT_RU]
    assert f'<a href="#id_timed-passed_at">Контроль пройден в: {SHORT_RU}</a>' in _summary(response.content.decode())
    assert BorderReport.objects.count() == 0


def test_a_five_minute_wait_is_a_queue(client_for, alice, syrym):
    passed = ago(minutes=10)
    response = client_for(alice).post("/border/syrym/report/", timed_post(passed - dt.timedelta(minutes=5), passed))
    assert response.status_code == 302
    assert BorderReport.objects.get().wait_hours == pytest.approx(5 / 60)


def test_passed_pressed_right_after_joined_is_refused_and_the_clock_keeps_running(client_for, alice, syrym):
    client = client_for(alice, language="ru")
    client.post("/border/syrym/report/", {"action": "join", "join-direction": "entry", "join-mode": "car"})
    response = client.post("/border/syrym/report/", {"action": "pass"})
    assert response.status_code == 422
    assert re.findall(r"<li>.*?</li>", _summary(response.content.decode())) == [f"<li>{SHORT_RU}</li>"]
    pending = BorderReport.objects.get()
    assert (pending.passed_at, pending.submitted_at) == (None, None)


def test_the_api_refuses_a_two_minute_wait_with_its_code(client_for, alice, syrym):
    from haven.accounts.services import api_token_create

    _token, raw = api_token_create(user=alice, name="test")
    response = client_for(None).post(
        "/api/border/reports",
        {
            "checkpoint": "syrym", "kind": "timed", "direction": "entry", "mode": "car",
            "joined_at": ago(minutes=12).isoformat(), "passed_at": ago(minutes=10).isoformat(),
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    assert response.json()["fields"]["passed_at"] == [{"code": "wait_too_short", "message": SHORT_EN}]
    assert BorderReport.objects.count() == 0


# ----- the message and the board agree ------------------------------------------------------


def test_a_counted_wait_says_what_was_counted_and_the_board_shows_the_same_count(client_for, alice, syrym):
    for user, hours in zip(make_reporters(3), (5, 6, 7), strict=True):
        submit_timed(user, syrym, hours, passed_ago_min=60)
    response = client_for(alice, language="ru").post(
        "/border/syrym/report/", timed_post(ago(hours=6, minutes=30), ago(minutes=10)), follow=True
    )
    assert _messages(response) == [
        "Учтено: вы ждали 6 часов 20 минут (Казахстан: въезд, Легковой автомобиль). "
        "Теперь оценка основана на 4 сообщениях, включая ваше."
    ]
    assert _syrym_car_reports() == 4
    assert "4 сообщения, последнее — только что" in response.content.decode()


def test_a_wait_the_estimate_gives_no_weight_is_not_called_counted(client_for, alice, syrym):
    # Five travellers joined three hours ago and still have 250 cars ahead: someone who
    # joined after them cannot have passed in 24 minutes (first in, first out).
    for user in make_reporters(5, prefix="queuer"):
        form = QueueReportForm(
            data={"direction": "entry", "mode": "car", "at_checkpoint": "on", "vehicles_ahead": "250",
                  "joined_at": local(ago(hours=3))},
            checkpoint=syrym, reporter=user,
        )
        assert form.is_valid(), form.errors
        services.report_submit(reporter=user, data=form.cleaned_data, limit=False)
    for user in make_reporters(3):
        submit_timed(user, syrym, 7, passed_ago_min=30)
    before = _syrym_car_reports()
    response = client_for(alice, language="ru").post(
        "/border/syrym/report/", timed_post(ago(minutes=25), ago(minutes=1)), follow=True
    )
    assert BorderReport.objects.filter(reporter=alice).count() == 1
    assert _syrym_car_reports() == before == 8
    assert _messages(response) == [
        "Сообщение сохранено, но пока не учитывается в оценке: оно сильно расходится с тем, что "
        "сообщают другие путешественники на этом пункте пропуска. Оценка основана на 8 сообщениях."
    ]


def test_a_second_report_from_the_same_person_replaces_the_first_in_the_count(client_for, alice, syrym):
    client = client_for(alice)
    client.post("/border/syrym/report/", timed_post(ago(hours=5), ago(minutes=40)), follow=True)
    response = client.post("/border/syrym/report/", timed_post(ago(hours=6), ago(minutes=20)), follow=True)
    assert _messages(response) == [
        "Counted: you waited 5 hours 40 minutes (Entering Kazakhstan, Car). "
        "The estimate now rests on 1 report, yours included."
    ]
    assert _syrym_car_reports() == 1


# ----- the running timer --------------------------------------------------------------------


def _join(client, minutes_ago: float) -> BorderReport:
    client.post("/border/syrym/report/", {"action": "join", "join-direction": "entry", "join-mode": "car"}, follow=True)
    BorderReport.objects.filter(passed_at__isnull=True).update(joined_at=ago(minutes=minutes_ago))
    return BorderReport.objects.get(passed_at__isnull=True)


# When the clock started, as the page writes it at each pinned instant: the time, with the
# date when that was another day in the region (3 h 20 min before 00:30 in Almaty).
JOINED_AT = {
    "2026-03-31T23:30:00+05:00": "20:10",
    "2026-04-01T00:30:00+05:00": "31 марта, 21:10",
    "2026-04-01T00:00:00+00:00": "01:40",
}


@pytest.mark.region_midnight
@pytest.mark.parametrize("page", ["/border/syrym/", "/me/"])
def test_a_running_timer_shows_on_the_checkpoint_page_and_on_my_page_with_its_buttons(
    client_for, alice, syrym, page, region_instant
):
    client = client_for(alice, language="ru")
    _join(client, 3 * 60 + 20)
    html = client.get(page).content.decode()
    timer = html[html.index('id="running-timer"'):]
    timer = timer[: timer.index("</section>")]
    joined = JOINED_AT[region_instant.isoformat()]
    assert (
        f"Вы встали в очередь в {joined} — 3 часа 20 минут назад (Казахстан: въезд, Легковой автомобиль)."
        in timer
    )
    assert "Идёт отсчёт времени в очереди" in timer
    assert timer.count('action="/border/syrym/report/"') == 2
    assert '<input type="hidden" name="action" value="pass"><button class="button" type="submit" id="passed-now">Контроль пройден</button>' in timer
    assert '<input type="hidden" name="action" value="cancel"><button class="button secondary" type="submit">Я больше не в очереди</button>' in timer


def test_my_page_sits_the_timer_right_under_my_name(client_for, alice, syrym):
    client = client_for(alice)
    _join(client, 21)
    html = client.get("/me/").content.decode()
    assert html.index("</h1>") < html.index('id="running-timer"') < html.index("<h2>My requests</h2>")
    assert "— 21 minutes ago (Entering Kazakhstan, Car)." in html
    assert '<a href="/border/syrym/">Syrym</a>:' in html


def test_the_timer_stopped_from_my_page_sends_the_report(client_for, alice, syrym):
    client = client_for(alice)
    _join(client, 90)
    response = client.post("/border/syrym/report/", {"action": "pass"}, follow=True)
    assert _messages(response) == [
        "Counted: you waited 1 hour 30 minutes (Entering Kazakhstan, Car). "
        "The estimate now rests on 1 report, yours included."
    ]
    assert 'id="running-timer"' not in client.get("/me/").content.decode()


def test_no_timer_for_someone_without_a_running_clock_or_not_logged_in(client_for, alice, bob, syrym):
    _join(client_for(alice), 30)
    assert 'id="running-timer"' not in client_for(bob).get("/border/syrym/").content.decode()
    assert 'id="running-timer"' not in client_for(bob).get("/me/").content.decode()
    assert 'id="running-timer"' not in client_for(None).get("/border/syrym/").content.decode()


# ----- words: neutral verbs, "только что" ---------------------------------------------------


def test_a_timer_just_started_says_just_now_never_zero_minutes(client_for, alice, syrym):
    client = client_for(alice, language="ru")
    client.post("/border/syrym/report/", {"action": "join", "join-direction": "entry", "join-mode": "car"})
    html = client.get("/border/syrym/report/").content.decode()
    assert "— только что (Казахстан: въезд, Легковой автомобиль)." in html
    assert "0 минут" not in html


def test_the_border_pages_in_russian_use_no_masculine_only_verbs(client_for, alice, syrym, cora):
    submit_timed(make_reporters(1)[0], syrym, 5)
    client = client_for(alice, language="ru")
    report_page = client.get("/border/syrym/report/").content.decode()
    for label in ("В очереди с", "Контроль пройден в", "Начать отсчёт: я в очереди", "Граница уже пройдена",
                  "Я на пункте пропуска (или это было при мне)"):
        assert label in report_page
    _join(client, 40)
    pages = [
        report_page,
        client.get("/border/syrym/report/").content.decode(),
        client.get("/border/syrym/").content.decode(),
        client_for(cora, language="ru").get("/border/syrym/").content.decode(),
    ]
    masculine = re.compile(r"\b(прош[её]л|встал|стоял|ушёл|пересёк|был)\b")
    for html in pages:
        assert masculine.findall(html) == []
    assert "в очереди с" in pages[3]  # the moderation list's "joined …, passed …"

