"""The first night (issue #11), walked in real Chromium in Russian at 390 px, from the home
page: a family signs up, saves its recovery card, posts a housing request, leaves a phone,
asks the cinema for places, gets an arrival code and the desk checks it in; a host signs up
from "Я могу помочь", posts a room, sees the proposal waiting with its countdown, accepts it,
and both sides get contacts they can tap. Screenshots of each step: docs/screenshots/first-night-*."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from haven.core import clock
from tests.factories import make_user
from tests.security.conftest import post_offer
from tests.web.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Latin words that may stand on a Russian page: the brand, Telegram, the API link.
LATIN_ALLOWED = {"Haven", "Telegram", "API"}


@pytest.fixture
def russian(browser: Any) -> Iterator[Any]:
    """A phone whose browser asks for Russian; a new context (cookies) per person."""
    contexts: list[Any] = []

    def open_phone() -> Any:
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="ru-RU", is_mobile=True, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def shot(page: Any, step: int, name: str) -> None:
    """Screenshot, after checking what every step must be: nothing sideways off a
    390-pixel screen and no English among the Russian (pseudonyms and codes aside)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    assert page.evaluate("document.documentElement.lang") == "ru"
    text = page.inner_text("body")
    # Not words: pseudonyms (golden-oak-8059), recovery codes, addresses, Telegram handles.
    for machine_made in (r"\b[a-z]+(?:-[a-z]+)+-\d{3,4}\b", r"\b[A-Z0-9]{4,6}(?:-[A-Z0-9]{4,6})+\b", r"https?://\S+", r"@?\w*_\w+"):
        text = re.sub(machine_made, "", text)
    latin = set(re.findall(r"[A-Za-z]{3,}", text)) - LATIN_ALLOWED
    assert latin == set(), f"English on a Russian page ({page.url}): {sorted(latin)}"
    screenshot(page, f"first-night-{step:02d}-{name}")


def save_the_card(page: Any, pseudonym: str) -> str:
    assert page.text_content("#recovery-pseudonym") == pseudonym
    code = (page.text_content("#recovery-code") or "").strip()
    assert len(code) == 23
    with page.expect_download() as download:
        page.click("form[action='/welcome/card/'] button")
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert pseudonym in saved
    assert code in saved
    return code


def test_the_first_night_of_a_family_and_a_host(russian: Any, live_server: Any) -> None:
    from haven.accounts.models import User
    from haven.aid.models import Need, Offer
    from haven.matching import services as matching
    from haven.matching.models import ShelterHold
    from haven.privacy import services as privacy

    base = live_server.url
    olga = make_user("olga-cinema-desk-1001", "organisation")
    cinema = post_offer(
        olga, kind="shelter", title="Кинотеатр «Арман», зал 2", capacity="80", host_kind="organisation",
        address="пр. Достык, 12", directions="Вход сбоку, дежурный у кассы.",
    )  # fmt: skip

    # --- The family arrives at night.
    family = russian()
    family.goto(base + "/")
    shot(family, 1, "home")
    family.click("main a[href='/signup/']")
    assert family.is_checked("input[name=role][value=seeker]")
    assert family.is_visible("#recovery-notice")  # both the pseudonym and the code are needed
    pseudonym = family.input_value("#id_username")
    family.fill("#id_password", "a-long-enough-passphrase")
    shot(family, 2, "signup")
    family.click("main form button[type=submit]")
    family.wait_for_url(base + "/welcome/")
    shot(family, 3, "recovery-card")
    save_the_card(family, pseudonym)
    family.click(".card-actions a.button")

    family.goto(base + "/needs/new/")
    today = clock.today()
    assert family.input_value("#id_date_from") == today.isoformat()
    assert family.input_value("#id_date_to") == (today + dt.timedelta(days=7)).isoformat()
    assert not family.is_visible("#field-destination")  # no "where to" on a housing request
    family.select_option("#id_city", "uralsk")
    family.fill("#id_adults", "2")
    family.fill("#id_children", "2")
    shot(family, 4, "need-form")
    family.click("main form button.button[type=submit]:not(.district-step)")
    family.wait_for_url(re.compile(r"/me/contacts/\?"))
    assert family.is_visible("#contacts-ask")
    shot(family, 5, "how-to-reach-you")
    family.fill("#id_phone", "+7 701 555 0101")
    family.click("main form button[type=submit] >> nth=0")
    need = Need.objects.get(owner__username=pseudonym)
    family.wait_for_url(base + f"/needs/{need.public_id}/")

    family.goto(base + f"/offers/{cinema.public_id}/")
    assert "пр. Достык, 12" in family.inner_text("main")  # a public venue shows its address
    shot(family, 6, "cinema")
    family.click("#ask-place")
    family.click(f"#use-need a[href='?need={need.public_id}']")
    assert family.input_value("#id_adults") == "2"
    assert family.input_value("#id_children") == "2"
    family.click("#hold-form button[type=submit]")
    family.wait_for_selector("#arrival-code")
    code = (family.text_content("#arrival-code") or "").strip()
    assert re.fullmatch(r"\d{4} \d{4}", code)
    shot(family, 7, "arrival-code")

    # --- The cinema's desk checks the family in by its code.
    desk = russian()
    client = Client()
    client.force_login(olga)
    desk.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    desk.goto(base + f"/offers/{cinema.public_id}/")
    assert pseudonym in desk.inner_text("#arrivals")
    desk.fill("#arrival-code", code)
    shot(desk, 8, "desk-expected")
    desk.click("#arrival-form button[type=submit]")
    desk.wait_for_selector(".messages")
    shot(desk, 9, "desk-checked-in")
    hold = ShelterHold.objects.get(seeker__username=pseudonym)
    assert hold.status == "checked_in"
    cinema.refresh_from_db()
    assert cinema.free_places == 76

    # --- A host who pressed "Я могу помочь".
    host = russian()
    host.goto(base + "/")
    host.click("main a[href='/signup/?role=host']")
    assert host.is_checked("input[name=role][value=host]")
    host_name = host.input_value("#id_username")
    host.fill("#id_password", "another-long-passphrase")
    host.click("main form button[type=submit]")
    host.wait_for_url(base + "/welcome/")
    save_the_card(host, host_name)
    host.click(".card-actions a.button")
    assert User.objects.get(username=host_name).can_offer

    host.goto(base + "/offers/new/")
    host.select_option("#id_kind", "room")
    host.fill("#id_title", "Комната у реки")
    host.select_option("#id_host_kind", "couple")
    host.select_option("#id_city", "uralsk")
    host.fill("#id_capacity", "3")
    shot(host, 10, "offer-form")
    host.click("main form button.button[type=submit]:not(.district-step)")
    host.wait_for_url(re.compile(r"/me/contacts/\?"))
    host.fill("#id_telegram", "host_by_the_river")
    host.click("main form button[type=submit] >> nth=0")
    room = Offer.objects.get(owner__username=host_name)
    host.wait_for_url(base + f"/offers/{room.public_id}/")

    # Another family in Uralsk; the matcher proposes the room and they choose it.
    dina = make_user("dina-arrives-late-2002")
    privacy.contacts_set(user=dina, contacts=privacy.Contacts(phone="+7 702 444 0202"))
    from tests.security.conftest import post_need

    dinas_need = post_need(dina)
    (proposal,) = matching.proposals_create(planned=matching.Planned(need=dinas_need, offers=((room, 1.0),)))
    matching.proposal_pick(proposal=proposal)

    host.goto(base + "/me/")
    waiting = host.inner_text("#waiting")
    assert "Ответьте до" in waiting
    assert host.is_visible("#nav-me .count-badge")
    shot(host, 11, "waiting-with-countdown")
    host.goto(base + f"/proposals/{proposal.public_id}/")
    assert "Комната у реки" in host.inner_text("main")  # which offer it is for
    shot(host, 12, "proposal-for-host")
    host.click(f"form[action='/proposals/{proposal.public_id}/accept/'] button")
    host.goto(base + f"/proposals/{proposal.public_id}/contacts/")
    host.click("main form button[type=submit]")
    host.wait_for_selector("#contacts a[href^='tel:']")
    assert host.get_attribute("#contacts a[href^='tel:']", "href") == "tel:+77024440202"
    shot(host, 13, "host-sees-tappable-contacts")

    guest = russian()
    client = Client()
    client.force_login(dina)
    guest.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    guest.goto(base + f"/proposals/{proposal.public_id}/contacts/")
    guest.click("main form button[type=submit]")
    guest.wait_for_selector("#contacts a[href^='https://t.me/']")
    assert guest.get_attribute("#contacts a[href^='https://t.me/']", "href") == "https://t.me/host_by_the_river"
    shot(guest, 14, "guest-sees-tappable-contacts")
