"""Dates are the region's calendar day at every hour (marker region_midnight: 23:30 and
00:30 in Almaty and midnight UTC, across a month's end)."""

import datetime as dt

import pytest
from django.conf import settings

from haven.aid.models import Need, Offer
from haven.core import clock
from haven.core.listings import listings_changed
from tests.factories import need_form

pytestmark = [pytest.mark.django_db, pytest.mark.region_midnight]

REGION_DAY = {
    "23:30-almaty": dt.date(2026, 3, 31),
    "00:30-almaty": dt.date(2026, 4, 1),
    "00:00-utc": dt.date(2026, 4, 1),
}


def _day(request: pytest.FixtureRequest) -> dt.date:
    return REGION_DAY[request.node.callspec.params["region_instant"]]


def test_today_is_the_regions_calendar_day(request):
    assert clock.today() == _day(request)
    assert clock.day_of(clock.now()) == _day(request)
    assert clock.earliest_start() == _day(request) - dt.timedelta(days=1)


def test_the_need_form_takes_the_regions_today_and_a_travellers_yesterday(request, client_for, alice, uralsk):
    client = client_for(alice)
    day = _day(request)
    for start in (day, day - dt.timedelta(days=1)):
        response = client.post("/needs/new/", need_form(date_from=start.isoformat(), date_to=(day + dt.timedelta(days=3)).isoformat()))
        assert response.status_code == 302, start
    assert sorted(Need.objects.values_list("date_from", flat=True)) == [day - dt.timedelta(days=1), day]


def test_the_need_form_refuses_the_day_before_yesterday(request, client_for, alice, uralsk):
    start = _day(request) - dt.timedelta(days=2)
    page = client_for(alice).post("/needs/new/", need_form(date_from=start.isoformat())).content.decode()
    assert "The start date is in the past." in page
    assert Need.objects.count() == 0


def test_an_offer_ending_on_the_regions_today_is_listed_and_one_ending_yesterday_is_not(request, client_for, bobs_offer):
    day = _day(request)
    Offer.objects.filter(pk=bobs_offer.pk).update(date_from=day - dt.timedelta(days=5), date_to=day)
    assert bobs_offer.public_id in client_for(None).get("/offers/?city=uralsk").content.decode()
    Offer.objects.filter(pk=bobs_offer.pk).update(date_to=day - dt.timedelta(days=1))
    listings_changed()  # a write through the ORM does not announce itself
    assert bobs_offer.public_id not in client_for(None).get("/offers/?city=uralsk").content.decode()


def test_retention_purges_by_the_regions_day(request, alices_need):
    from haven.safety.services import retention_purge

    cutoff = _day(request) - dt.timedelta(days=settings.HAVEN_RETENTION_CLOSED_DAYS)
    Need.objects.filter(pk=alices_need.pk).update(date_from=cutoff - dt.timedelta(days=3), date_to=cutoff)
    assert retention_purge()["needs"] == 0
    Need.objects.filter(pk=alices_need.pk).update(date_to=cutoff - dt.timedelta(days=1))
    assert retention_purge()["needs"] == 1
