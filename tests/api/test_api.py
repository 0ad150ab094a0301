import datetime as dt

import pytest

from haven.aid.models import Need, Offer
from tests.factories import today

pytestmark = pytest.mark.django_db(transaction=True)


def need_json(**overrides):
    data = {
        "kind": "housing", "city": "uralsk", "date_from": today().isoformat(),
        "date_to": (today() + dt.timedelta(days=5)).isoformat(), "adults": 1, "children": 2,
        "free_only": True, "host_preference": "women_families", "languages": ["ru", "kk"],
        "women_only": True,
    }
    data.update(overrides)
    return data


def offer_json(**overrides):
    data = {
        "kind": "room", "title": "Room with a view", "host_kind": "woman", "city": "uralsk",
        "date_from": today().isoformat(), "date_to": (today() + dt.timedelta(days=20)).isoformat(),
        "capacity": 2, "children_ok": True, "price_per_night": 0,
    }
    data.update(overrides)
    return data


def test_signup_through_the_api_returns_a_recovery_code_and_a_working_token(api):
    client = api()
    suggestion = client.get("/accounts/pseudonym").json()["pseudonym"]
    response = client.post("/accounts/signup", json={"pseudonym": suggestion, "password": "a-long-enough-pass", "role": "host"})
    assert response.status_code == 201
    body = response.json()
    assert (body["pseudonym"], body["role"]) == (suggestion, "host")
    me = client.get("/accounts/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {
        "pseudonym": suggestion, "role": "host", "added_role": "", "tier": 0, "language": "en", "regions": [],
    }


def test_a_seeker_creates_reads_updates_and_closes_a_need(api, alice):
    client = api(alice)
    created = client.post("/needs", json=need_json())
    assert created.status_code == 201, created.text
    need_id = created.json()["id"]
    assert created.json()["place"] == {"city": "uralsk", "city_name": "Uralsk", "district": None, "district_name": None}
    assert created.json()["languages"] == ["ru", "kk"]
    patched = client.patch(f"/needs/{need_id}", json={"children": 3})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["children"], patched.json()["adults"], patched.json()["women_only"]) == (3, 1, True)
    listed = client.get("/needs").json()
    assert [n["id"] for n in listed["items"]] == [need_id]
    closed = client.post(f"/needs/{need_id}/close", json={"reason": "found_here"})
    assert closed.json()["status"] == "closed"
    assert Need.objects.get(public_id=need_id).close_reason == "found_here"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"adults": 0, "children": 0}, "adults", "party_empty"),
        ({"date_from": "2022-09-21"}, "date_from", "date_past"),
        ({"date_to": (today() - dt.timedelta(days=2)).isoformat()}, "date_to", "date_past"),
        ({"city": "atlantis"}, "city", "invalid_choice"),
        ({"free_only": False, "max_price": -1}, "max_price", "min_value"),
        ({"notes": "n" * 1200}, "notes", "max_length"),
        ({"adults": "two"}, "adults", "int_parsing"),
        ({"date_from": "soon"}, "date_from", "date_from_datetime_parsing"),
        ({"surname": "Ivanov"}, "surname", "extra_forbidden"),
    ],
)
def test_bad_need_input_is_a_422_with_a_code_per_field_and_saves_nothing(api, alice, overrides, field, code):
    response = api(alice).post("/needs", json=need_json(**overrides))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Some fields are not valid."
    assert next(e["code"] for e in body["fields"][field]).startswith(code[:8])
    assert Need.objects.count() == 0


def test_error_messages_follow_the_callers_language(api, alice):
    body = api(alice, language="ru").post("/needs", json=need_json(adults=0, children=0)).json()
    assert body["message"] == "Некоторые поля заполнены неверно."
    assert body["fields"]["adults"][0]["message"] == "В группе должен быть хотя бы один человек."


def test_a_malformed_body_is_a_4xx_never_a_500(api, alice):
    response = api(alice).post("/needs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid", "bad_request")


def test_browsing_offers_needs_no_login_and_shows_no_contacts(api, bob):
    host = api(bob)
    created = host.post("/offers", json=offer_json())
    assert created.status_code == 201, created.text
    public = api().get("/offers", params={"city": "uralsk", "children": True}).json()
    assert public["count"] == 1
    item = public["items"][0]
    assert set(item) >= {"id", "title", "place", "capacity", "host_tier"}
    assert not {"owner", "username", "phone", "email", "address"} & set(item)
    assert api().get("/offers", params={"city": "atlantis"}).json()["fields"]["city"][0]["code"] == "invalid_choice"


def test_offer_details_need_authentication(api, bobs_offer):
    response = api().get(f"/offers/{bobs_offer.public_id}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_nobody_changes_another_persons_offer_through_the_api(api, charlie, bobs_offer):
    client = api(charlie)
    assert client.patch(f"/offers/{bobs_offer.public_id}", json={"title": "Mine now"}).status_code == 404
    assert client.post(f"/offers/{bobs_offer.public_id}/status", json={"action": "close"}).status_code == 404
    bobs_offer.refresh_from_db()
    assert (bobs_offer.title, bobs_offer.status) == ("Room near the market", "active")


def test_a_host_cannot_see_needs_through_the_api(api, bob, alices_need):
    client = api(bob)
    assert client.get(f"/needs/{alices_need.public_id}").status_code == 404
    assert client.get("/needs").json()["items"] == []


def test_a_coordinator_sees_the_needs_of_their_region_only(api, cora, dmitri, alices_need):
    assert [n["id"] for n in api(cora).get("/needs").json()["items"]] == [alices_need.public_id]
    assert api(dmitri).get("/needs").json()["items"] == []


def test_shelter_check_in_over_the_api_never_overbooks(api, olga, olgas_shelter):
    client = api(olga)
    url = f"/offers/{olgas_shelter.public_id}"
    assert client.post(url + "/check-in", json={"count": 79}).json() == {"free_places": 1, "shelter_status": "open"}
    full = client.post(url + "/check-in", json={"count": 2})
    assert (full.status_code, full.json()["code"]) == (409, "shelter_full")
    assert client.post(url + "/check-in", json={"count": 1}).json() == {"free_places": 0, "shelter_status": "full"}
    bad = client.post(url + "/check-out", json={"count": 0})
    assert (bad.status_code, bad.json()["fields"]["count"][0]["code"]) == (422, "min_value")
    assert Offer.objects.get(pk=olgas_shelter.pk).free_places == 0


def test_a_revoked_or_wrong_token_is_refused(api, live_server):
    import httpx

    response = httpx.get(f"{live_server.url}/api/accounts/me", headers={"Authorization": "Bearer hvn_nope"})
    assert response.status_code == 401


def test_the_openapi_schema_and_docs_are_served(api):
    client = api()
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Haven API"
    assert {"/api/needs", "/api/offers", "/api/offers/{offer_id}/check-in"} <= set(schema["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
