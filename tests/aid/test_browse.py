import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.accounts.enums import Role
from haven.aid import services
from haven.aid.forms import OfferForm
from haven.aid.models import Offer
from tests.factories import clean, make_user, offer_form

pytestmark = pytest.mark.django_db


def post_offer(owner, **overrides):
    return services.offer_create(owner=owner, data=clean(OfferForm, offer_form(**overrides), role=owner.offer_role))


def titles(response):
    return sorted(o.title for o in response.context["page"].object_list)


@pytest.fixture
def listings(bob, olga):
    dave = make_user("dave", Role.HOST)
    post_offer(bob, title="Pets room", pets_ok="on", children_ok=None)
    post_offer(bob, title="Step-free flat", kind="flat", step_free="on", price_per_night="5000")
    post_offer(dave, title="English sofa", kind="bed", languages=["en"], city="almaty")
    post_offer(olga, title="Cinema floor", kind="shelter", capacity="80", host_kind="organisation")
    return dave


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Cinema floor", "English sofa", "Pets room", "Step-free flat"]),
        ("?city=uralsk", ["Cinema floor", "Pets room", "Step-free flat"]),
        ("?city=almaty", ["English sofa"]),
        ("?kind=shelter", ["Cinema floor"]),
        ("?pets=on", ["Pets room"]),
        ("?children=on", ["Cinema floor", "English sofa", "Step-free flat"]),
        ("?step_free=on", ["Step-free flat"]),
        ("?free=on", ["Cinema floor", "English sofa", "Pets room"]),
        ("?language=en", ["English sofa"]),
        ("?city=uralsk&free=on&pets=on", ["Pets room"]),
    ],
)
def test_offers_are_filtered_by_city_kind_rules_language_and_price(client_for, listings, query, expected):
    assert titles(client_for(None).get("/offers/" + query)) == expected


def test_an_unknown_filter_value_is_an_error_not_everything(client_for, listings):
    response = client_for(None).get("/offers/?city=atlantis")
    assert titles(response) == []
    assert "Unknown city" in response.content.decode()


def test_paused_closed_stale_expired_and_frozen_offers_are_not_listed(client_for, bob, listings):
    dave = listings
    Offer.objects.filter(title="Pets room").update(status="paused")
    Offer.objects.filter(title="Step-free flat").update(confirmed_at=timezone.now() - dt.timedelta(days=8))
    dave.frozen_at = timezone.now()
    dave.save()
    assert titles(client_for(None).get("/offers/")) == ["Cinema floor"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Offer.objects.filter(title="Cinema floor").update(date_from=yesterday - dt.timedelta(days=3), date_to=yesterday)
    assert titles(client_for(None).get("/offers/")) == []


def test_the_list_shows_coarse_location_and_no_owner_identity(client_for, bob, uralsk):
    district = uralsk.districts.first()
    post_offer(bob, district_slug=district.slug)
    page = client_for(None, language="en").get("/offers/").content.decode()
    assert f"{uralsk.name_en}, {district.name_en}" in page
    assert "bob" not in page


def test_the_offer_list_makes_a_fixed_number_of_queries(client_for, bob):
    client = client_for(None)
    for i in range(3):
        post_offer(bob, title=f"Room {i}")
    cache.clear()  # both renders in full (the cached fragments would read nothing)
    with CaptureQueriesContext(connection) as few:
        client.get("/offers/")
    for i in range(3, 20):
        post_offer(bob, title=f"Room {i}")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/offers/")
    assert len(many) == len(few)


def test_an_anonymous_visitor_sees_a_listed_offer_and_is_sent_to_log_in_for_anything_else(client_for, bobs_offer):
    """The public facts of a listed offer (tests/web/test_first_contact.py has the rest);
    a paused one is not listed, so the visitor is asked to log in, as for every offer before."""
    client = client_for(None)
    assert client.get(f"/offers/{bobs_offer.public_id}/").status_code == 200
    Offer.objects.filter(pk=bobs_offer.pk).update(status="paused")
    response = client.get(f"/offers/{bobs_offer.public_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/offers/{bobs_offer.public_id}/"
