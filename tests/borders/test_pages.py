import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.borders import selectors
from haven.borders.models import BorderReport
from haven.web.views_borders import duration
from tests.borders.helpers import ago, local, make_reporters, queue_post, submit_timed, timed_post

pytestmark = pytest.mark.django_db

NEVER = "Haven never gives directions for crossing outside a checkpoint."


def syrym_car(board):
    item = next(c for c in board["checkpoints"] if c["slug"] == "syrym")
    return next(e for e in item["estimates"] if (e["direction"], e["mode"]) == ("entry", "car"))


def test_the_board_lists_every_checkpoint_and_the_estimate_with_its_freshness(client_for, syrym):
    for user, hours in zip(make_reporters(3), (5, 6, 7), strict=True):
        submit_timed(user, syrym, hours)
    page = client_for(None).get("/border/")
    html = page.content.decode()
    assert page.status_code == 200
    estimate = syrym_car(selectors.board())
    assert estimate["reports"] == 3
    card = html[html.index('id="cp-syrym"'):]
    card = card[: card.index("</li>")]
    assert "Entering Kazakhstan · Car" in card
    assert f"about {duration(estimate['wait_h'])}" in card
    assert "3 reports, the newest just now" in card
    assert '<svg class="spark"' in card
    assert NEVER in html
    # Quiet crossings are listed too, so every checkpoint can be found and reported from.
    assert 'href="/border/kyakhta/"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline JS (CSP)
    assert "style=" not in html


def test_the_board_is_cached_a_second_visit_costs_no_query(client_for, syrym):
    submit_timed(make_reporters(1)[0], syrym, 4)
    client = client_for(None)
    first = client.get("/border/")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/border/")
    assert second.status_code == 200
    assert len(queries) == 0
    board_of = lambda response: response.content.decode().split('id="border-board"')[1].split("</ul>")[0]  # noqa: E731
    assert board_of(second) == board_of(first)


def test_a_new_report_refreshes_the_board_in_the_writer_not_in_the_readers(
    client_for, syrym, django_capture_on_commit_callbacks
):
    alice_like, bob_like = make_reporters(2)
    submit_timed(alice_like, syrym, 4)
    assert syrym_car(selectors.board())["reports"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        submit_timed(bob_like, syrym, 8)
    with CaptureQueriesContext(connection) as queries:
        board = selectors.board()
    assert len(queries) == 0
    assert syrym_car(board)["reports"] == 2


def test_the_detail_page_has_a_72_hour_chart_and_flag_statuses(client_for, syrym, cora):
    people = make_reporters(3)
    for user in people:
        submit_timed(user, syrym, 5, passed_ago_min=90)
    from haven.borders import services

    services.flag_decide(checkpoint=syrym, direction="entry", flag="no_water", verdict="confirm", by=cora)
    html = client_for(None).get("/border/syrym/").content.decode()
    assert "<figure class=\"chart\">" in html
    assert "Entering Kazakhstan · Car · the last 72 hours" in html
    assert '<polyline class="chart-line"' in html
    assert "72 h ago" in html
    flags = html[html.index('<ul class="flags">'):]
    assert "Confirmed</span> No drinking water in the queue" in flags
    assert "decided by a coordinator" in flags
    assert NEVER in html


def test_an_unknown_checkpoint_is_a_404(client_for, db):
    assert client_for(None).get("/border/atlantis/").status_code == 404


def test_the_report_page_needs_an_account(client_for, syrym):
    response = client_for(None).get("/border/syrym/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_two_button_flow_sends_a_timed_report(client_for, alice, syrym):
    client = client_for(alice)
    page = client.get("/border/syrym/report/").content.decode()
    assert "I joined the queue now" in page
    response = client.post(
        "/border/syrym/report/",
        {"action": "join", "join-direction": "entry", "join-mode": "car", "join-at_checkpoint": "on"},
    )
    assert response.status_code == 302
    pending = BorderReport.objects.get()
    assert (pending.reporter, pending.kind, pending.passed_at, pending.submitted_at) == (alice, "timed", None, None)
    # Nothing counts while the clock runs.
    assert syrym_car_absent()
    # Three hours later (the clock moved back instead of waiting).
    BorderReport.objects.filter(pk=pending.pk).update(joined_at=ago(hours=3))
    page = client.get("/border/syrym/report/").content.decode()
    assert "— 3 hours ago (Entering Kazakhstan, Car)." in page
    response = client.post("/border/syrym/report/", {"action": "pass"})
    assert response.status_code == 302
    assert response["Location"] == "/border/syrym/"
    report = BorderReport.objects.get()
    assert report.passed_at is not None
    assert report.submitted_at == report.passed_at
    assert round(report.wait_hours, 2) == 3.0
    assert syrym_car(selectors.board())["reports"] == 1


def syrym_car_absent():
    item = next(c for c in selectors.board()["checkpoints"] if c["slug"] == "syrym")
    return item["estimates"] == []


def test_passing_control_without_joining_says_so_and_saves_nothing(client_for, alice, syrym):
    response = client_for(alice).post("/border/syrym/report/", {"action": "pass"})
    assert response.status_code == 409
    assert "You have not said that you joined the queue at this checkpoint." in response.content.decode()
    assert BorderReport.objects.count() == 0


def test_leaving_the_queue_forgets_the_clock(client_for, alice, syrym):
    client = client_for(alice)
    client.post("/border/syrym/report/", {"action": "join", "join-direction": "entry", "join-mode": "car"})
    client.post("/border/syrym/report/", {"action": "cancel"})
    assert BorderReport.objects.count() == 0


def test_both_times_entered_by_hand_make_a_report(client_for, alice, syrym):
    response = client_for(alice).post("/border/syrym/report/", timed_post(ago(hours=6, minutes=30), ago(minutes=30)))
    assert response.status_code == 302
    report = BorderReport.objects.get()
    assert (report.kind, report.direction, report.mode, report.at_checkpoint) == ("timed", "entry", "car", True)
    assert round(report.wait_hours, 1) == 6.0


def test_a_queue_report_and_a_flag_report_are_saved(client_for, alice, syrym):
    client = client_for(alice)
    assert client.post("/border/syrym/report/", queue_post(**{"queue-vehicles_ahead": "240"})).status_code == 302
    flag = {"action": "flag", "flag-direction": "entry", "flag-flag": "no_fuel", "flag-value": "true"}
    assert client.post("/border/syrym/report/", flag).status_code == 302
    queue, flagged = BorderReport.objects.order_by("pk")
    assert (queue.kind, queue.vehicles_ahead) == ("queue", 240)
    assert (flagged.kind, flagged.flag, flagged.value, flagged.mode) == ("flag", "no_fuel", True, "car")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (timed_post(ago(hours=1), ago(hours=3)), "passed_at", "You cannot pass control before you joined the queue."),
        (timed_post(ago(days=16), ago(hours=1)), "passed_at", "A wait longer than 14 days is not possible. Please check the dates."),
        (timed_post(ago(hours=2), ago(hours=-3)), "passed_at", "This time is in the future."),
        (timed_post(ago(hours=-2), ago(hours=-3)), "joined_at", "This time is in the future."),
        (timed_post(ago(hours=2), ago(hours=1), **{"timed-passed_at": ""}), "passed_at", "This field is required."),
        (timed_post(ago(hours=2), ago(hours=1), **{"timed-joined_at": "yesterday"}), "joined_at", "Enter a valid date/time."),
        (queue_post(**{"queue-position": "-5"}), "position", "This cannot be a negative number."),
        (queue_post(**{"queue-km": "-1.5"}), "km", "This cannot be a negative number."),
        (queue_post(**{"queue-km": "800"}), "km", "This number is too large."),
        (queue_post(), "position", "Give your place in the queue, the number of vehicles ahead of you or the length of the queue in kilometres."),
        (queue_post(**{"queue-position": "10", "queue-joined_at": local(ago(hours=-2))}), "joined_at", "This time is in the future."),
        (queue_post(**{"queue-position": "10", "queue-mode": "train"}), "mode", "Select a valid choice. train is not one of the available choices."),
    ],
)
def test_an_impossible_report_gets_a_clear_message_and_nothing_is_saved(client_for, alice, syrym, data, field, message):
    response = client_for(alice).post("/border/syrym/report/", data)
    assert response.status_code == 422
    form = response.context[f"{data['action']}_form"]
    assert [str(m) for m in form.errors[field]] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert BorderReport.objects.count() == 0


def test_past_the_rate_limit_the_page_says_wait_and_saves_nothing_more(client_for, alice, syrym, settings):
    settings.HAVEN_BORDER_REPORTS_PER_10_MIN = 2
    client = client_for(alice)
    for minutes in (50, 40):
        assert client.post("/border/syrym/report/", timed_post(ago(hours=5), ago(minutes=minutes))).status_code == 302
    response = client.post("/border/syrym/report/", timed_post(ago(hours=5), ago(minutes=30)))
    assert response.status_code == 429
    assert "Too many requests. Please wait a little." in response.content.decode()
    assert BorderReport.objects.count() == 2


def test_a_frozen_account_cannot_report(client_for, alice, syrym, cora):
    from haven.accounts.services import user_freeze
    from haven.borders import services

    client = client_for(alice)
    user_freeze(user=alice, by=cora)
    alice.refresh_from_db()
    with pytest.raises(services.HavenError) as caught:
        services.report_submit(
            reporter=alice,
            data={"checkpoint": syrym, "direction": "entry", "mode": "car", "kind": "queue", "position": 4, "at_checkpoint": True},
        )
    assert caught.value.code == "account_frozen"
    # The site itself logs the frozen account out on its next request.
    assert client.get("/border/syrym/report/").status_code == 302
    assert BorderReport.objects.count() == 0


def test_the_page_links_the_official_queue_system_where_there_is_one(client_for, syrym):
    assert "Official queue or booking system" not in client_for(None).get("/border/syrym/").content.decode()
    syrym.official_url = "https://example.org/queue"
    syrym.save(update_fields=["official_url"])
    # The registry changes rarely (haven geo sync); the board shows it once its minute is up.
    cache.clear()
    html = client_for(None).get("/border/syrym/").content.decode()
    assert '<a href="https://example.org/queue" rel="noopener noreferrer">Official queue or booking system</a>' in html


def test_a_rail_crossing_takes_flags_but_no_wait_reports(client_for, alice, db):
    page = client_for(alice).get("/border/petropavl-rail/report/").content.decode()
    assert "Wait reports are not collected for this crossing yet." in page
    assert 'id="timed-form"' not in page
    assert 'id="flag-form"' in page


def test_the_board_in_russian(client_for, syrym):
    submit_timed(make_reporters(1)[0], syrym, 5)
    html = client_for(None, language="ru").get("/border/").content.decode()
    assert "Сырым" in html


def test_reports_are_shown_72_hours(client_for, syrym):
    old = submit_timed(make_reporters(1)[0], syrym, 5)
    BorderReport.objects.filter(pk=old.pk).update(submitted_at=ago(hours=73), passed_at=ago(hours=73), joined_at=ago(hours=78))
    assert syrym_car_absent()
    assert dt.timedelta(hours=72) == selectors.SHOWN_FOR


def test_while_one_process_recomputes_the_others_serve_the_previous_board(syrym):
    submit_timed(make_reporters(1)[0], syrym, 4)
    before = selectors.board()
    submit_timed(make_reporters(1, prefix="second")[0], syrym, 6)  # the board is stale now
    cache.add(selectors.LOCK_KEY, 1, timeout=30)  # someone else is recomputing
    with CaptureQueriesContext(connection) as queries:
        served = selectors.board()
    assert len(queries) == 0
    assert served == before
    cache.delete(selectors.LOCK_KEY)
    assert syrym_car(selectors.board())["reports"] == 2
