"""A traveller times their wait with the two buttons on a phone, then reads the board."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from haven.borders.models import BorderReport
from tests.factories import PASSWORD
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _border_urls(settings):
    # The border pages, mounted whether or not haven/web/urls.py includes them yet.
    settings.ROOT_URLCONF = "tests.borders.urls"
    cache.clear()
    yield
    cache.clear()


def test_a_traveller_times_the_queue_with_two_buttons_and_reads_the_board(phone, live_server, alice):
    base = live_server.url
    phone.goto(f"{base}/login/")
    phone.fill("#id_username", "alice")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    phone.goto(f"{base}/border/syrym/report/")
    assert phone.is_visible("text=Haven never gives directions for crossing outside a checkpoint.")
    phone.select_option("#id_join-direction", "entry")
    phone.select_option("#id_join-mode", "car")
    phone.click("#joined-now")
    assert phone.is_visible("text=Your clock is running.")
    pending = BorderReport.objects.get(reporter=alice)
    assert (pending.direction, pending.mode, pending.passed_at) == ("entry", "car", None)
    # Four hours in the queue, without waiting four hours.
    BorderReport.objects.filter(pk=pending.pk).update(joined_at=timezone.now() - dt.timedelta(hours=4))
    phone.reload()
    assert phone.is_visible("text=— 4 hours ago (Entering Kazakhstan, Car).")
    phone.click("#passed-now")
    assert phone.is_visible("text=Counted: you waited 4 hours (Entering Kazakhstan, Car).")
    assert phone.url == f"{base}/border/syrym/"
    report = BorderReport.objects.get(reporter=alice)
    assert round(report.wait_hours, 1) == 4.0
    phone.goto(f"{base}/border/")
    card = phone.locator("#cp-syrym")
    assert card.locator(".estimate-head").inner_text() == "Entering Kazakhstan · Car"
    assert card.locator(".wait").inner_text() == "about 4 hours"
    assert card.locator(".freshness").inner_text() == "1 report, the newest just now"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "border-board-390")
