"""Who may see and change what: alice owns a need, bob owns an offer, charlie owns
nothing; cora coordinates Uralsk's region, dmitri Almaty's."""

import pytest

from tests.factories import need_form, offer_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 404), ("charlie", 404), ("olga", 404), ("cora", 200), ("dmitri", 404)],
)
def test_only_the_owner_and_a_coordinator_of_the_region_see_a_need(
    request, client_for, alices_need, who, status
):
    user = request.getfixturevalue(who)
    response = client_for(user).get(f"/needs/{alices_need.public_id}/")
    assert response.status_code == status


def test_a_host_cannot_browse_needs_anywhere(client_for, bob, alices_need):
    client = client_for(bob)
    assert alices_need.public_id not in client.get("/me/").content.decode()
    assert alices_need.public_id not in client.get("/offers/").content.decode()


@pytest.mark.parametrize(("who", "status"), [("charlie", 404), ("alice", 404), ("dmitri", 404), ("bob", 302)])
def test_nobody_edits_another_persons_offer(request, client_for, bobs_offer, who, status):
    user = request.getfixturevalue(who)
    response = client_for(user).post(f"/offers/{bobs_offer.public_id}/edit/", offer_form(title="Hijacked"))
    assert response.status_code == status
    bobs_offer.refresh_from_db()
    assert (bobs_offer.title == "Hijacked") == (who == "bob")


@pytest.mark.parametrize("action", ["pause", "close", "confirm"])
def test_nobody_changes_the_status_of_another_persons_offer(client_for, charlie, bobs_offer, action):
    response = client_for(charlie).post(f"/offers/{bobs_offer.public_id}/{action}/")
    assert response.status_code == 404
    bobs_offer.refresh_from_db()
    assert bobs_offer.status == "active"


def test_nobody_checks_people_into_another_organisations_shelter(client_for, charlie, bob, olgas_shelter):
    for user in (charlie, bob):
        response = client_for(user).post(f"/offers/{olgas_shelter.public_id}/shelter/in/", {"count": "5"})
        assert response.status_code == 404
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 80


@pytest.mark.parametrize(("who", "status"), [("charlie", 404), ("bob", 404), ("dmitri", 404)])
def test_nobody_edits_or_closes_another_persons_need(request, client_for, alices_need, who, status):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.post(f"/needs/{alices_need.public_id}/edit/", need_form(adults="9")).status_code == status
    assert client.post(f"/needs/{alices_need.public_id}/close/", {"reason": "other"}).status_code == status
    alices_need.refresh_from_db()
    assert (alices_need.adults, alices_need.status) == (2, "open")


def test_anonymous_visitors_are_sent_to_log_in_for_personal_pages(client_for, alices_need):
    client = client_for(None)
    for url in ("/me/", "/needs/new/", f"/needs/{alices_need.public_id}/", "/offers/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
