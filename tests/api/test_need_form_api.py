"""The API judges a need exactly as the web form does (issue 11, problem 8)."""

import datetime as dt

import pytest

from haven.aid.models import Need
from haven.core import clock
from tests.api.test_api import need_json

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_housing_need_posted_with_a_destination_is_saved_without_it(api, alice):
    created = api(alice).post("/needs", json=need_json(kind="housing", destination="astana"))
    assert created.status_code == 201, created.text
    assert created.json()["destination"] is None
    assert Need.objects.get().destination is None


def test_a_transport_need_keeps_its_destination_until_it_becomes_housing(api, alice):
    client = api(alice)
    created = client.post("/needs", json=need_json(kind="transport", destination="astana"))
    assert created.json()["destination"] == "astana"
    patched = client.patch(f"/needs/{created.json()['id']}", json={"kind": "housing"})
    assert (patched.json()["kind"], patched.json()["destination"]) == ("housing", None)


@pytest.mark.region_midnight
def test_the_api_takes_the_regions_today_and_a_travellers_yesterday_but_not_the_day_before(api, alice):
    client = api(alice)
    today = clock.today()
    end = (today + dt.timedelta(days=3)).isoformat()
    for start in (today, today - dt.timedelta(days=1)):
        response = client.post("/needs", json=need_json(date_from=start.isoformat(), date_to=end))
        assert response.status_code == 201, (start, response.text)
    refused = client.post("/needs", json=need_json(date_from=(today - dt.timedelta(days=2)).isoformat(), date_to=end))
    assert refused.status_code == 422
    assert refused.json()["fields"]["date_from"][0]["code"] == "date_past"


def test_the_city_list_follows_the_callers_alphabet(api):
    russian = api(language="ru").get("/cities").json()
    names = [c["name"] for c in russian]
    assert [n for n in names if n in ("Актобе", "Жезказган", "Уральск", "Усть-Каменогорск")] == [
        "Актобе", "Жезказган", "Уральск", "Усть-Каменогорск",
    ]
    aktobe = next(c for c in russian if c["slug"] == "aktobe")
    assert [d["name"] for d in aktobe["districts"]] == ["Курмыш", "район Алматы", "район Астана", "Шанхай"]
    english = [c["name"] for c in api(language="en").get("/cities").json()]
    assert [n for n in english if n in ("Aktobe", "Oskemen", "Uralsk", "Zhezkazgan")] == [
        "Aktobe", "Oskemen", "Uralsk", "Zhezkazgan",
    ]
