import datetime as dt

import pytest

from haven.aid.models import Need
from haven.privacy import services as privacy
from tests.factories import need_form, today

pytestmark = pytest.mark.django_db


def test_a_seeker_posts_a_need_and_sees_it_on_their_page(client_for, alice, uralsk):
    # Reachable, so straight to what was posted (else asked first: tests/matching/test_contact_channel.py).
    privacy.contacts_choose_desk(user=alice)
    client = client_for(alice)
    response = client.post("/needs/new/", need_form(notes="We have a small dog"))
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/needs/{need.public_id}/"
    assert (need.owner, need.city, need.adults, need.children, need.people) == (alice, uralsk, 2, 1, 3)
    assert need.status == "open"
    dashboard = client.get("/me/").content.decode()
    assert f"/needs/{need.public_id}/" in dashboard
    detail = client.get(f"/needs/{need.public_id}/").content.decode()
    assert "We have a small dog" in detail
    assert "3 people" in detail


def test_a_need_is_edited_and_closed_with_a_reason(client_for, alice, alices_need):
    client = client_for(alice)
    url = f"/needs/{alices_need.public_id}/"
    response = client.post(url + "edit/", need_form(adults="1", children="2", district_slug=""))
    assert response.status_code == 302
    alices_need.refresh_from_db()
    assert (alices_need.adults, alices_need.children) == (1, 2)
    client.post(url + "close/", {"reason": "found_elsewhere"})
    alices_need.refresh_from_db()
    assert (alices_need.status, alices_need.close_reason) == ("closed", "found_elsewhere")
    assert alices_need.closed_at is not None
    # A closed need cannot be edited any more, and nothing changes.
    page = client.post(url + "edit/", need_form(adults="5")).content.decode()
    assert "A closed listing cannot be changed" in page
    alices_need.refresh_from_db()
    assert alices_need.adults == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"adults": "0", "children": "0"}, "adults", "A party needs at least one person."),
        ({"adults": "-1"}, "adults", "Ensure this value is greater than or equal to 0."),
        ({"date_from": (today() - dt.timedelta(days=2)).isoformat()}, "date_from", "The start date is in the past."),
        (
            {"date_from": (today() + dt.timedelta(days=5)).isoformat(), "date_to": (today() + dt.timedelta(days=2)).isoformat()},
            "date_to",
            "The end date is before the start date.",
        ),
        ({"city": "atlantis"}, "city", "Unknown city. Please choose one from the list."),
        ({"district_slug": "no-such-district"}, "district_slug", "This district is not in the chosen city."),
        ({"free_only": None, "max_price": "-5"}, "max_price", "Ensure this value is greater than or equal to 0."),
        ({"free_only": None, "max_price": ""}, "max_price", "Give the most you can pay"),
        ({"notes": "x" * 1001}, "notes", "Ensure this value has at most 1000 characters (it has 1001)."),
        ({"kind": "transport"}, "destination", "Where do you need to go?"),
        ({"date_from": "tomorrow"}, "date_from", "Enter a valid date."),
    ],
)
def test_bad_need_input_gets_a_clear_message_and_saves_nothing(client_for, alice, overrides, field, message):
    response = client_for(alice).post("/needs/new/", need_form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in error for error in errors[field])
    assert Need.objects.count() == 0


def test_bad_input_messages_are_translated_to_russian(client_for, alice):
    response = client_for(alice, language="ru").post("/needs/new/", need_form(adults="0", children="0"))
    assert "В группе должен быть хотя бы один человек." in response.content.decode()


def test_script_in_notes_is_shown_as_text_never_run(client_for, alice):
    client = client_for(alice)
    client.post("/needs/new/", need_form(notes='<script>alert("x")</script><b>bold</b>'))
    need = Need.objects.get()
    page = client.get(f"/needs/{need.public_id}/").content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_a_host_cannot_post_a_need(client_for, bob):
    response = client_for(bob).get("/needs/new/")
    assert response.status_code == 302
    assert Need.objects.count() == 0
