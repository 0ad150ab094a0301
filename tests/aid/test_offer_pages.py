import pytest

from haven.aid.models import Offer, ShelterMovement
from haven.aid.services import shelter_check_in
from haven.privacy import services as privacy
from tests.factories import offer_form

pytestmark = pytest.mark.django_db


def test_a_host_posts_edits_pauses_resumes_and_closes_an_offer(client_for, bob, uralsk):
    # Reachable, so straight to what was posted (else asked first: tests/matching/test_contact_channel.py).
    privacy.contacts_choose_desk(user=bob)
    client = client_for(bob)
    response = client.post("/offers/new/", offer_form(district_slug=uralsk.districts.first().slug))
    offer = Offer.objects.get()
    assert response["Location"] == f"/offers/{offer.public_id}/"
    assert (offer.owner, offer.kind, offer.capacity, offer.status) == (bob, "room", 3, "active")
    url = f"/offers/{offer.public_id}/"
    client.post(url + "edit/", offer_form(capacity="4", title="Bigger room", kind="flat"))
    offer.refresh_from_db()
    assert (offer.capacity, offer.title, offer.kind) == (4, "Bigger room", "room")  # the kind is fixed
    client.post(url + "pause/")
    offer.refresh_from_db()
    assert offer.status == "paused"
    client.post(url + "resume/")
    offer.refresh_from_db()
    assert offer.status == "active"
    client.post(url + "close/")
    offer.refresh_from_db()
    assert offer.status == "closed"
    assert offer.closed_at is not None
    client.post(url + "resume/")
    offer.refresh_from_db()
    assert offer.status == "closed"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"capacity": "0"}, "capacity", "Ensure this value is greater than or equal to 1."),
        ({"price_per_night": "-100"}, "price_per_night", "Ensure this value is greater than or equal to 0."),
        ({"city": "gotham"}, "city", "Unknown city"),
        ({"kind": "shelter"}, "kind", "Select a valid choice"),
        ({"kind": "ride"}, "destination", "Where does the ride go?"),
        ({"title": "t" * 121}, "title", "at most 120 characters"),
    ],
)
def test_bad_offer_input_gets_a_clear_message_and_saves_nothing(client_for, bob, overrides, field, message):
    response = client_for(bob).post("/offers/new/", offer_form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert Offer.objects.count() == 0


def test_a_shelter_counts_check_ins_and_check_outs_and_never_overbooks(client_for, olga, olgas_shelter):
    client = client_for(olga)
    url = f"/offers/{olgas_shelter.public_id}/shelter/"
    assert (olgas_shelter.capacity, olgas_shelter.free_places, olgas_shelter.shelter_status) == (80, 80, "open")
    client.post(url + "in/", {"count": "78"})
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 2
    page = client.post(url + "in/", {"count": "3"}, follow=True).content.decode()
    assert "The shelter has no free places left." in page
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.free_places == 2
    client.post(url + "in/", {"count": "2"})
    olgas_shelter.refresh_from_db()
    assert (olgas_shelter.free_places, olgas_shelter.shelter_status) == (0, "full")
    client.post(url + "out/", {"count": "5"})
    olgas_shelter.refresh_from_db()
    assert (olgas_shelter.free_places, olgas_shelter.shelter_status) == (5, "open")
    page = client.post(url + "out/", {"count": "76"}, follow=True).content.decode()
    assert "Nobody is checked in" in page
    assert list(ShelterMovement.objects.order_by("at", "pk").values_list("delta", "free_after")) == [
        (78, 2), (2, 0), (-5, 5),
    ]
    client.post(f"/offers/{olgas_shelter.public_id}/close/")
    olgas_shelter.refresh_from_db()
    assert olgas_shelter.shelter_status == "closed"


def test_a_full_shelter_is_not_listed_but_an_open_one_is(client_for, olga, olgas_shelter, charlie):
    listing = client_for(charlie).get("/offers/?city=uralsk&kind=shelter").content.decode()
    assert "Cinema floor" in listing
    shelter_check_in(offer=olgas_shelter, by=olga, count=olgas_shelter.capacity)  # at the desk
    listing = client_for(charlie).get("/offers/?city=uralsk&kind=shelter").content.decode()
    assert "Cinema floor" not in listing


def test_reducing_a_shelter_below_the_people_inside_is_refused(client_for, olga, olgas_shelter):
    client = client_for(olga)
    client.post(f"/offers/{olgas_shelter.public_id}/shelter/in/", {"count": "50"})
    response = client.post(
        f"/offers/{olgas_shelter.public_id}/edit/",
        offer_form(kind="shelter", title="Cinema floor", capacity="40", host_kind="organisation"),
    )
    assert "More people are checked in than this capacity" in response.content.decode()
    olgas_shelter.refresh_from_db()
    assert (olgas_shelter.capacity, olgas_shelter.free_places) == (80, 30)
    client.post(
        f"/offers/{olgas_shelter.public_id}/edit/",
        offer_form(kind="shelter", title="Cinema floor", capacity="100", host_kind="organisation"),
    )
    olgas_shelter.refresh_from_db()
    assert (olgas_shelter.capacity, olgas_shelter.free_places) == (100, 50)
