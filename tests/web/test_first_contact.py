"""Problem 7 of issue #11: first contact. An anonymous visitor who opens a listed offer
sees what the public list shows of it and how to ask for it (post a request), with
"Sign up" and "Log in" side by side carrying ?next= back; anything not listed goes to
the login page as before. The login page says why, links to sign-up, and is translated
to the last word (no "Pseudonym:")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from haven.core import clock
from tests.factories import PASSWORD, clean, make_user, offer_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(uralsk: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import OfferForm

    host = make_user("quiet-host-4242", "host", 1)
    data = offer_form(title="Warm room by the park", notes="Ring twice at the green gate", pets_ok="on")
    return services.offer_create(owner=host, data=clean(OfferForm, data, role="host"))


def test_an_anonymous_visitor_sees_the_public_facts_of_an_offer_and_how_to_ask(client_for: Any, offer: Any) -> None:
    response = client_for(None).get(f"/offers/{offer.public_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    main = page.split("<main", 1)[1].split(">", 1)[1]
    assert "<h1>Warm room by the park</h1>" in main
    assert "Room · Uralsk" in main
    assert '<span class="badge tier-1">' in main
    today = clock.today()
    assert f"<dt>Dates</dt><dd>{today:%-d %B %Y} – {today + dt.timedelta(days=30):%-d %B %Y}</dd>" in main
    assert "<dt>Places</dt><dd>3 places</dd>" in main
    assert "<dt>Rules</dt><dd>pets welcome · children welcome · no smoking</dd>" in main
    assert "Hosts never browse people" in main
    assert "Haven proposes matching offers to you" in main
    target = f"/offers/{offer.public_id}/"
    buttons = re.findall(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', main)
    assert buttons == [(f"/signup/?next={target}", "Sign up"), (f"/login/?next={target}", "Log in")]


def test_the_anonymous_offer_page_shows_nothing_the_public_list_does_not(client_for: Any, offer: Any) -> None:
    main = client_for(None).get(f"/offers/{offer.public_id}/").content.decode().split("<main", 1)[1].split(">", 1)[1]
    assert offer.notes == "Ring twice at the green gate"  # there is something to leak
    assert "green gate" not in main
    assert "quiet-host-4242" not in main
    assert "Report this offer" not in main
    assert "block-form" not in main


def test_the_anonymous_offer_page_is_in_russian_for_a_russian_browser(client_for: Any, offer: Any) -> None:
    main = client_for(None, language="ru").get(f"/offers/{offer.public_id}/").content.decode().split("<main", 1)[1].split(">", 1)[1]
    assert "Как попросить о таком месте" in main
    assert "Принимающие стороны никогда не просматривают людей" in main
    assert ">Регистрация</a>" in main
    assert ">Войти</a>" in main
    assert "Hosts never" not in main


@pytest.mark.parametrize("state", ["paused", "unknown", "frozen", "hidden", "stale"])
def test_an_offer_the_public_list_does_not_show_sends_the_visitor_to_log_in(client_for: Any, offer: Any, state: str) -> None:
    from haven.accounts.models import User
    from haven.aid.models import Offer

    public_id = offer.public_id
    if state == "paused":
        Offer.objects.filter(pk=offer.pk).update(status="paused")
    elif state == "unknown":
        public_id = "AAAAAAAAAAAAAAAA"
    elif state == "frozen":
        User.objects.filter(pk=offer.owner_id).update(frozen_at=clock.now())
    elif state == "hidden":
        Offer.objects.filter(pk=offer.pk).update(hidden_at=clock.now())
    else:
        Offer.objects.filter(pk=offer.pk).update(confirmed_at=clock.now() - dt.timedelta(days=30))

    response = client_for(None).get(f"/offers/{public_id}/")

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/offers/{public_id}/"


def test_logged_in_people_still_see_the_full_offer_page(client_for: Any, offer: Any, alice: Any) -> None:
    main = client_for(alice).get(f"/offers/{offer.public_id}/").content.decode().split("<main", 1)[1].split(">", 1)[1]
    assert "Ring twice at the green gate" in main
    assert "Report this offer" in main
    assert 'id="how-to-ask"' not in main


def test_the_login_page_says_why_and_links_to_sign_up_carrying_next(client_for: Any, offer: Any) -> None:
    target = f"/offers/{offer.public_id}/"
    page = client_for(None).get("/login/", {"next": target}).content.decode()
    assert "The page you opened is for people with a Haven account." in page
    assert f'<a href="/signup/?next={target}">Sign up</a>' in page
    assert '<label for="id_username">Pseudonym</label>' in page
    assert "The pseudonym you chose when you signed up" in page


def test_the_login_page_is_russian_to_the_last_word(client_for: Any) -> None:
    page = client_for(None, language="ru").get("/login/").content.decode()
    main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>")[0]
    assert '<label for="id_username">Псевдоним</label>' in main
    assert '<label for="id_password">Пароль</label>' in main
    assert "Псевдоним, который вы выбрали при регистрации" in main
    assert 'href="/signup/">Регистрация</a>' in main
    assert "Pseudonym" not in main
    assert re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]*>|quiet-river-1234|Haven", "", main)) is None


def test_logging_in_from_an_offer_returns_to_it(client_for: Any, offer: Any, alice: Any) -> None:
    target = f"/offers/{offer.public_id}/"
    response = client_for(None).post("/login/", {"username": "alice", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_login_page_never_sends_anyone_off_the_site(client_for: Any, alice: Any, target: str) -> None:
    client = client_for(None)
    assert "evil" not in client.get("/login/", {"next": target}).content.decode().split("<main", 1)[1].split(">", 1)[1]
    response = client.post("/login/", {"username": "alice", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
