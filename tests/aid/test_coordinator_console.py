import pytest

from haven.accounts.models import User, Verification
from haven.aid.models import Need
from tests.factories import need_form

pytestmark = pytest.mark.django_db


def test_a_coordinator_sees_only_the_needs_of_their_region_in_the_console(client_for, cora, dmitri, alices_need):
    assert alices_need.public_id in client_for(cora).get("/coordinate/aid/need/").content.decode()
    assert alices_need.public_id not in client_for(dmitri).get("/coordinate/aid/need/").content.decode()


def test_ordinary_people_cannot_open_the_console(client_for, alice, bob):
    for user in (alice, bob):
        response = client_for(user).get("/coordinate/aid/need/")
        assert response.status_code == 302
        assert response["Location"].startswith("/coordinate/login/")


def test_a_coordinator_verifies_a_host_and_the_trail_records_who(client_for, cora, bob):
    response = client_for(cora).post(
        "/coordinate/accounts/user/", {"action": "verify_checked", "_selected_action": [bob.pk]}
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.tier == 2
    trail = Verification.objects.get(subject=bob)
    assert (trail.verified_by, trail.tier) == (cora, 2)


def test_a_coordinator_freezes_an_account_and_its_offers_disappear(client_for, cora, bob, bobs_offer):
    assert bobs_offer.title in client_for(None).get("/offers/").content.decode()
    client_for(cora).post("/coordinate/accounts/user/", {"action": "freeze", "_selected_action": [bob.pk]})
    assert User.objects.get(pk=bob.pk).frozen_at is not None
    assert bobs_offer.title not in client_for(None).get("/offers/").content.decode()


def test_a_coordinator_posts_a_need_on_behalf_of_someone_without_a_phone(client_for, cora, uralsk):
    data = need_form(adults="0", elderly="2", children="0", behalf_reference="station help desk")
    response = client_for(cora).post("/coordinate/aid/need/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    assert (need.owner, need.on_behalf, need.behalf_reference, need.elderly) == (cora, True, "station help desk", 2)


def test_the_console_refuses_an_invalid_need_with_the_same_rules_as_the_site(client_for, cora, uralsk):
    response = client_for(cora).post("/coordinate/aid/need/add/", need_form(adults="0", children="0"))
    assert response.status_code == 200
    assert "A party needs at least one person." in response.content.decode()
    assert Need.objects.count() == 0
