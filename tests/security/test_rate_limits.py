"""Rate limits (P6): sign-up and browsing per client address, posting and contact reveals
per account. Each limit lets N requests through, refuses the N+1-th with 429
``rate_limited`` (a translated message on the site) and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache

from tests.factories import need_form, offer_form, today
from tests.security.conftest import chosen_proposal, post_need, post_offer

LIMITED_EN = "Too many requests. Please wait a little."
LIMITED_RU = "Слишком много запросов. Подождите немного."


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _need_json() -> dict[str, Any]:
    return {
        "kind": "housing", "city": "uralsk", "date_from": today().isoformat(),
        "date_to": (today() + dt.timedelta(days=5)).isoformat(), "adults": 1, "free_only": True,
    }


def _offer_json() -> dict[str, Any]:
    return {
        "kind": "room", "title": "Room with a view", "host_kind": "family", "city": "uralsk",
        "date_from": today().isoformat(), "date_to": (today() + dt.timedelta(days=20)).isoformat(),
        "capacity": 2, "price_per_night": 0,
    }


def _signup_form(name: str) -> dict[str, str]:
    return {"username": name, "password": "a-long-enough-pass", "role": "seeker"}


# ---------------------------------------------------------------- sign-up, per address

def test_site_signup_trips_at_n_plus_one_and_creates_nobody(settings: Any, client_for: Any, db: Any) -> None:
    from haven.accounts.models import User

    settings.HAVEN_RATE_SIGNUPS_PER_HOUR = 2
    for name in ("quiet-river-1", "quiet-river-2"):
        response = client_for(None).post("/signup/", _signup_form(name))
        assert response.status_code == 302
    before = User.objects.count()
    response = client_for(None, "ru").post("/signup/", _signup_form("quiet-river-3"))
    assert response.status_code == 429
    assert LIMITED_RU in response.content.decode()
    assert User.objects.count() == before
    assert not User.objects.filter(username="quiet-river-3").exists()


def test_api_signup_trips_at_n_plus_one_and_creates_nobody(settings: Any, api_for: Any, db: Any) -> None:
    from haven.accounts.models import User

    settings.HAVEN_RATE_SIGNUPS_PER_HOUR = 2
    body = {"password": "a-long-enough-pass", "role": "seeker"}
    for name in ("calm-lake-1", "calm-lake-2"):
        response = api_for(None).post("/api/accounts/signup", {**body, "pseudonym": name}, content_type="application/json")
        assert response.status_code == 201
    before = User.objects.count()
    response = api_for(None).post("/api/accounts/signup", {**body, "pseudonym": "calm-lake-3"}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response.json()["message"] == LIMITED_EN
    assert User.objects.count() == before


def test_signup_limit_is_per_client_address_behind_a_proxy(settings: Any, client_for: Any, db: Any) -> None:
    """Same address logic as the login lockout: the proxy's X-Forwarded-For entry."""
    settings.HAVEN_RATE_SIGNUPS_PER_HOUR = 1
    settings.HAVEN_FORWARDED_FOR_DEPTH = 1
    first = client_for(None).post("/signup/", _signup_form("far-hill-1"), HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert first.status_code == 302
    again = client_for(None).post("/signup/", _signup_form("far-hill-2"), HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert again.status_code == 429
    other = client_for(None).post("/signup/", _signup_form("far-hill-3"), HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert other.status_code == 302


def test_an_invalid_signup_form_does_not_use_up_the_limit(settings: Any, client_for: Any, db: Any) -> None:
    settings.HAVEN_RATE_SIGNUPS_PER_HOUR = 1
    for _ in range(3):
        bad = client_for(None).post("/signup/", {"username": "", "password": "x", "role": "seeker"})
        assert bad.status_code == 200
    assert client_for(None).post("/signup/", _signup_form("late-dawn-1")).status_code == 302


# ---------------------------------------------------------------- posting, per account

def test_site_need_posting_trips_at_n_plus_one(settings: Any, client_for: Any, alice: Any, uralsk: Any) -> None:
    from haven.aid.models import Need

    settings.HAVEN_RATE_NEEDS_PER_HOUR = 2
    client = client_for(alice)
    for _ in range(2):
        assert client.post("/needs/new/", need_form()).status_code == 302
    response = client.post("/needs/new/", need_form())
    assert response.status_code == 429
    assert LIMITED_EN in response.content.decode()
    assert Need.objects.filter(owner=alice).count() == 2


def test_api_need_posting_trips_at_n_plus_one_per_account(
    settings: Any, api_for: Any, alice: Any, charlie: Any, uralsk: Any
) -> None:
    from haven.aid.models import Need

    settings.HAVEN_RATE_NEEDS_PER_HOUR = 2
    client = api_for(alice)
    for _ in range(2):
        assert client.post("/api/needs", _need_json(), content_type="application/json").status_code == 201
    response = client.post("/api/needs", _need_json(), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert Need.objects.filter(owner=alice).count() == 2
    # Another account is not affected.
    assert api_for(charlie).post("/api/needs", _need_json(), content_type="application/json").status_code == 201


def test_site_offer_posting_trips_at_n_plus_one(settings: Any, client_for: Any, bob: Any, uralsk: Any) -> None:
    from haven.aid.models import Offer

    settings.HAVEN_RATE_OFFERS_PER_HOUR = 2
    client = client_for(bob, "ru")
    for _ in range(2):
        assert client.post("/offers/new/", offer_form()).status_code == 302
    response = client.post("/offers/new/", offer_form())
    assert response.status_code == 429
    assert LIMITED_RU in response.content.decode()
    assert Offer.objects.filter(owner=bob).count() == 2


def test_api_offer_posting_trips_at_n_plus_one(settings: Any, api_for: Any, bob: Any, uralsk: Any) -> None:
    from haven.aid.models import Offer

    settings.HAVEN_RATE_OFFERS_PER_HOUR = 2
    client = api_for(bob)
    for _ in range(2):
        assert client.post("/api/offers", _offer_json(), content_type="application/json").status_code == 201
    response = client.post("/api/offers", _offer_json(), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert Offer.objects.filter(owner=bob).count() == 2


def test_services_are_not_limited_so_the_demo_loader_is_unaffected(settings: Any, alice: Any, uralsk: Any) -> None:
    settings.HAVEN_RATE_NEEDS_PER_HOUR = 1
    for _ in range(3):
        post_need(alice)


# ---------------------------------------------------------------- browsing, per address

def test_site_offer_browsing_trips_at_n_plus_one_and_lists_nothing(
    settings: Any, client_for: Any, bob: Any, uralsk: Any
) -> None:
    settings.HAVEN_RATE_BROWSE_PER_MINUTE = 3
    offer = post_offer(bob, title="Warm corner room")
    client = client_for(None)
    for _ in range(3):
        response = client.get("/offers/")
        assert response.status_code == 200
        assert offer.title in response.content.decode()
    response = client.get("/offers/?city=uralsk")
    assert response.status_code == 429
    page = response.content.decode()
    assert LIMITED_EN in page
    assert offer.title not in page


def test_api_offer_browsing_trips_at_n_plus_one(settings: Any, api_for: Any, bob: Any, uralsk: Any) -> None:
    settings.HAVEN_RATE_BROWSE_PER_MINUTE = 3
    post_offer(bob)
    client = api_for(None, "ru")
    for _ in range(3):
        assert len(client.get("/api/offers").json()["items"]) == 1
    response = client.get("/api/offers")
    assert response.status_code == 429
    assert response.json() == {"code": "rate_limited", "message": LIMITED_RU, "fields": {}}


# ---------------------------------------------------------------- reveals, per account

def test_api_contact_reveals_trip_at_n_plus_one_and_log_nothing(
    settings: Any, api_for: Any, alice: Any, bob: Any, uralsk: Any
) -> None:
    from haven.matching import services as matching
    from haven.privacy import services as privacy
    from haven.privacy.models import Reveal

    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 555 0101"))
    proposal = chosen_proposal(post_need(alice), post_offer(bob))
    matching.proposal_host_answer(proposal=proposal, accept=True)
    settings.HAVEN_RATE_REVEALS_PER_HOUR = 2
    client = api_for(alice)
    url = f"/api/proposals/{proposal.public_id}/contacts"
    for _ in range(2):
        assert client.post(url).json()["phone"] == "+7 701 555 0101"
    logged = Reveal.objects.count()
    response = client.post(url)
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert "+7 701" not in response.content.decode()
    assert Reveal.objects.count() == logged
    # The other side has its own count.
    assert api_for(bob).post(url).status_code == 200


def test_limits_are_off_when_set_to_zero(settings: Any, api_for: Any, db: Any) -> None:
    settings.HAVEN_RATE_BROWSE_PER_MINUTE = 0
    client = api_for(None)
    for _ in range(5):
        assert client.get("/api/offers").status_code == 200


def test_site_contact_reveals_trip_at_n_plus_one_and_log_nothing(
    settings: Any, client_for: Any, alice: Any, bob: Any, uralsk: Any
) -> None:
    from haven.matching import services as matching
    from haven.privacy import services as privacy
    from haven.privacy.models import Reveal

    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 555 0101"))
    proposal = chosen_proposal(post_need(alice), post_offer(bob))
    matching.proposal_host_answer(proposal=proposal, accept=True)
    settings.HAVEN_RATE_REVEALS_PER_HOUR = 2
    client = client_for(alice)
    url = f"/proposals/{proposal.public_id}/contacts/"
    for _ in range(2):
        assert "+7 701 555 0101" in client.post(url).content.decode()
    logged = Reveal.objects.count()
    refused = client.post(url, follow=True).content.decode()
    assert "Too many requests. Please wait a little." in refused
    assert "+7 701 555 0101" not in refused
    assert Reveal.objects.count() == logged
