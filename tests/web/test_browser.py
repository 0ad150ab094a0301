import datetime as dt

import pytest
from django.utils import timezone

from haven.aid.models import Need, Offer
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_up(page, base, role_label):
    page.goto(f"{base}/signup/")
    pseudonym = page.input_value("#id_username")
    assert pseudonym
    page.fill("#id_password", "a-long-enough-passphrase")
    page.get_by_label(role_label).check()
    page.click("button[type=submit]:has-text('Create account')")
    code = page.text_content("#recovery-code")
    assert code
    assert len(code) == 23
    page.click(".card-actions a.button")  # "I have saved it"
    return pseudonym


def test_the_home_page_is_clean_on_a_phone(phone, live_server, bobs_offer):
    phone.goto(live_server.url + "/")
    assert phone.title() == "Help for people on the move · Haven"
    assert phone.is_visible("text=I need help")
    # Nothing overflows a 390-pixel screen sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "home-390")


def test_a_seeker_signs_up_and_posts_a_need_in_the_browser(phone, live_server, uralsk):
    base = live_server.url
    pseudonym = sign_up(phone, base, "Looking for help")
    phone.click("text=Ask for help")
    phone.select_option("#id_city", "uralsk")
    start = timezone.localdate() + dt.timedelta(days=1)
    phone.fill("#id_date_from", start.isoformat())
    phone.fill("#id_date_to", (start + dt.timedelta(days=10)).isoformat())
    phone.fill("#id_adults", "2")
    phone.fill("#id_children", "2")
    phone.fill("#id_pets", "1")
    phone.fill("#id_notes", "Two children, 4 and 9, and a calm dog.")
    screenshot(phone, "need-form-390")
    phone.click("button:has-text('Post my request')")
    assert phone.is_visible("text=Your request is posted")
    # Nobody could reach a new account yet: asked first, then on to the request.
    assert phone.is_visible("text=How can the other side reach you?")
    phone.click("#choose-desk")
    need = Need.objects.get(owner__username=pseudonym)
    assert (need.adults, need.children, need.pets, need.date_from) == (2, 2, 1, start)
    assert phone.url.endswith(f"/needs/{need.public_id}/")


def test_a_bad_need_shows_the_errors_and_keeps_what_was_typed(phone, live_server, uralsk):
    sign_up(phone, live_server.url, "Looking for help")
    phone.goto(live_server.url + "/needs/new/")
    phone.select_option("#id_city", "uralsk")
    phone.fill("#id_date_from", (timezone.localdate() + dt.timedelta(days=5)).isoformat())
    phone.fill("#id_date_to", (timezone.localdate() + dt.timedelta(days=2)).isoformat())
    phone.fill("#id_adults", "0")
    phone.fill("#id_notes", "keep me")
    phone.click("button:has-text('Post my request')")
    assert phone.is_visible("text=A party needs at least one person.")
    assert phone.is_visible("text=The end date is before the start date.")
    assert phone.input_value("#id_notes") == "keep me"
    assert Need.objects.count() == 0


def test_a_host_posts_an_offer_and_finds_it_in_the_filtered_list(phone, live_server, uralsk):
    base = live_server.url
    sign_up(phone, base, "Private host")
    phone.goto(base + "/offers/new/")
    phone.select_option("#id_kind", "room")
    phone.fill("#id_title", "Warm room, cat-friendly")
    phone.select_option("#id_host_kind", "couple")
    phone.select_option("#id_city", "uralsk")
    phone.fill("#id_date_from", timezone.localdate().isoformat())
    phone.fill("#id_date_to", (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    phone.fill("#id_capacity", "2")
    phone.check("#id_pets_ok")
    phone.click("button:has-text('Publish the offer')")
    assert phone.is_visible("text=Your offer is published")
    offer = Offer.objects.get(title="Warm room, cat-friendly")
    assert (offer.capacity, offer.pets_ok, offer.host_kind) == (2, True, "couple")
    phone.goto(base + "/offers/")
    phone.click("summary:has-text('Filters')")
    phone.select_option("#id_city", "uralsk")
    phone.check("#id_pets")
    phone.click("button:has-text('Show')")
    assert phone.text_content("#offer-count").strip() == "1 offer"
    assert phone.is_visible("text=Warm room, cat-friendly")
    screenshot(phone, "offer-list-390")


def test_the_site_switches_to_russian(phone, live_server):
    phone.goto(live_server.url + "/")
    phone.click("button[name=language][value=ru]")
    assert phone.is_visible("text=Мне нужна помощь")
