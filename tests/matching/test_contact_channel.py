"""Problem 3 of issue #11: nobody is left without a way to be reached. Posting asks for
contacts or the coordinator desk; picking or accepting without either says so first;
the region's desk is shown where a coordinator is to help. And (8, 9) revealed contacts
are tappable, hosts read host-side words and tips and see which offer a proposal is for."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from haven.matching import services
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from tests.factories import need_form, offer_form

pytestmark = pytest.mark.django_db

URALSK_DESK = {"en": "Uralsk help desk for new arrivals (demo)", "ru": "Уральский пункт помощи приехавшим (демо)"}


@pytest.fixture
def proposal(alices_need, bobs_offer) -> Proposal:
    planned = services.Planned(need=alices_need, offers=((bobs_offer, 1.0),))
    return services.proposals_create(planned=planned)[0]


def picked(proposal: Proposal) -> Proposal:
    services.proposal_pick(proposal=proposal)
    proposal.refresh_from_db()
    return proposal


def accepted(proposal: Proposal) -> Proposal:
    picked(proposal)
    services.proposal_host_answer(proposal=proposal, accept=True)
    proposal.refresh_from_db()
    return proposal


# ---------------------------------------------------------------- asked after posting


@pytest.mark.parametrize("language", ["en", "ru"])
def test_posting_a_request_without_contacts_asks_how_to_be_reached_and_shows_the_regions_desk(
    client_for, alice, uralsk, language
):
    client = client_for(alice, language)
    response = client.post("/needs/new/", need_form())
    need = alice.needs.get()
    url = urlsplit(response["Location"])
    assert (url.path, parse_qs(url.query)) == (
        "/me/contacts/", {"next": [f"/needs/{need.public_id}/"], "region": [uralsk.region_id]}
    )
    page = client.get(response["Location"]).content.decode()
    assert {"en": "How can the other side reach you?", "ru": "Как с вами связаться?"}[language] in page
    assert URALSK_DESK[language] in page
    assert 'href="tel:+77112000001"' in page
    assert f'name="next" value="/needs/{need.public_id}/"' in page


def test_posting_an_offer_without_contacts_asks_too(client_for, bob, uralsk):
    response = client_for(bob).post("/offers/new/", offer_form())
    offer = bob.offers.get()
    assert response["Location"] == f"/me/contacts/?next=%2Foffers%2F{offer.public_id}%2F&region={uralsk.region_id}"


def test_someone_with_contacts_or_the_desk_goes_straight_to_what_they_posted(client_for, alice, bob, uralsk):
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(telegram="alice_on_the_move"))
    privacy.contacts_choose_desk(user=bob)
    response = client_for(alice).post("/needs/new/", need_form())
    assert response["Location"] == f"/needs/{alice.needs.get().public_id}/"
    response = client_for(bob).post("/offers/new/", offer_form())
    assert response["Location"] == f"/offers/{bob.offers.get().public_id}/"


def test_saving_contacts_from_the_question_goes_back_to_the_request(client_for, alice, alices_need):
    back = f"/needs/{alices_need.public_id}/"
    response = client_for(alice).post("/me/contacts/", {"phone": "+7 701 555 0101", "next": back})
    assert response["Location"] == back
    assert privacy.contacts_get_own(user=alice) == privacy.Contacts(phone="+7 701 555 0101")
    assert privacy.contacts_channel(user=alice) == "contacts"


def test_choosing_the_coordinator_desk_is_stored_as_a_choice_not_a_contact(client_for, alice, alices_need):
    back = f"/needs/{alices_need.public_id}/"
    response = client_for(alice).post("/me/contacts/desk/", {"via_desk": "1", "next": back})
    assert response["Location"] == back
    assert privacy.contacts_channel(user=alice) == "desk"
    assert privacy.contacts_get_own(user=alice) == privacy.Contacts()
    page = client_for(alice).get("/me/contacts/").content.decode()
    assert "You chose to be reached through the coordinator desk." in page
    assert URALSK_DESK["en"] in page  # the region of her latest request


def test_a_next_address_on_another_site_is_ignored(client_for, alice):
    response = client_for(alice).post("/me/contacts/desk/", {"via_desk": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/me/contacts/"
    response = client_for(alice).post("/me/contacts/", {"phone": "+7 701 555 0101", "next": "//evil.example/"})
    assert response["Location"] == "/me/contacts/"


def test_the_phone_field_of_my_contacts_is_a_telephone_field(client_for, alice):
    page = client_for(alice).get("/me/contacts/").content.decode()
    assert 'type="tel" name="phone"' in page
    assert 'autocomplete="tel"' in page
    assert 'type="email" name="email"' in page


# ---------------------------------------------------------------- before picking or accepting


@pytest.mark.parametrize("language", ["en", "ru"])
def test_picking_without_any_way_to_be_reached_says_so_first_and_changes_nothing(
    client_for, alice, proposal, language
):
    response = client_for(alice, language).post(f"/proposals/{proposal.public_id}/pick/")
    assert response.status_code == 200
    page = response.content.decode()
    words = {
        "en": ("Add my contacts", "Continue through the coordinator desk"),
        "ru": ("Добавить мои контакты", "Продолжить через пункт координаторов"),
    }[language]
    assert all(w in page for w in words)
    assert f"/me/contacts/?next=%2Fproposals%2F{proposal.public_id}%2F" in page
    assert URALSK_DESK[language] in page
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert privacy.contacts_channel(user=alice) == "none"


def test_continuing_through_the_desk_picks_and_remembers_the_choice(client_for, alice, proposal):
    response = client_for(alice).post(f"/proposals/{proposal.public_id}/pick/", {"via_desk": "1"})
    assert response["Location"] == f"/proposals/{proposal.public_id}/"
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"
    assert privacy.contacts_channel(user=alice) == "desk"


def test_accepting_without_any_way_to_be_reached_says_so_first(client_for, bob, proposal):
    picked(proposal)
    page = client_for(bob).post(f"/proposals/{proposal.public_id}/accept/").content.decode()
    assert "Once you accept, the guests will see that you left no contacts" in page
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"
    client_for(bob).post(f"/proposals/{proposal.public_id}/accept/", {"via_desk": "1"})
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_someone_with_contacts_picks_at_once(client_for, alice, proposal):
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(email="alice@example.org"))
    response = client_for(alice).post(f"/proposals/{proposal.public_id}/pick/")
    assert response["Location"] == f"/proposals/{proposal.public_id}/"
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"


def test_declining_never_asks_for_contacts(client_for, alice, proposal):
    client_for(alice).post(f"/proposals/{proposal.public_id}/decline/")
    proposal.refresh_from_db()
    assert proposal.status == "declined_seeker"


# ---------------------------------------------------------------- after the reveal


@pytest.mark.parametrize("language", ["en", "ru"])
def test_when_the_other_side_left_no_contacts_the_contacts_page_shows_the_regions_desk(
    client_for, alice, proposal, language
):
    accepted(proposal)
    page = client_for(alice, language).post(f"/proposals/{proposal.public_id}/contacts/").content.decode()
    assert {
        "en": "The other side has not left any contacts. The coordinator desk below can put you in touch.",
        "ru": "Другая сторона не оставила контактов. Пункт координаторов ниже поможет связаться.",
    }[language] in page
    assert URALSK_DESK[language] in page
    assert 'href="tel:+77112000001"' in page
    assert page.count('id="help-desk"') == 1
    assert {"en": "Demo data", "ru": "Демо-данные"}[language] in page


def test_revealed_contacts_are_tappable_and_escaped(client_for, alice, bob, proposal):
    privacy.contacts_set(
        user=bob, contacts=privacy.Contacts(phone="+7 (701) 555-01-01", telegram="bob_hosts", email="bob+x@example.org")
    )
    accepted(proposal)
    page = client_for(alice).post(f"/proposals/{proposal.public_id}/contacts/").content.decode()
    assert '<a href="tel:+77015550101">+7 (701) 555-01-01</a>' in page
    assert '<a href="https://t.me/bob_hosts" rel="noopener noreferrer">@bob_hosts</a>' in page
    assert '<a href="mailto:bob+x@example.org">bob+x@example.org</a>' in page


def test_a_phone_without_a_plus_is_dialled_as_written(client_for, alice, bob, proposal):
    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="8 701 555 01 01"))
    accepted(proposal)
    page = client_for(alice).post(f"/proposals/{proposal.public_id}/contacts/").content.decode()
    assert '<a href="tel:87015550101">8 701 555 01 01</a>' in page


# ---------------------------------------------------------------- words for each side (9)


@pytest.mark.parametrize(
    ("language", "mine", "theirs"),
    [("en", "Waiting for your answer", "Waiting for the host"), ("ru", "Ждём вашего ответа", "Ждём ответа хозяина")],
)
def test_the_host_never_reads_that_we_are_waiting_for_the_host(client_for, bob, bobs_offer, proposal, language, mine, theirs):
    picked(proposal)
    for url in (f"/proposals/{proposal.public_id}/", "/me/"):
        page = client_for(bob, language).get(url).content.decode()
        assert mine in page
        assert theirs not in page


def test_the_host_sees_which_of_their_offers_a_proposal_is_for(client_for, bob, bobs_offer, proposal):
    picked(proposal)
    link = f'<a href="/offers/{bobs_offer.public_id}/">Room near the market</a>'
    assert f"For your offer: {link}" in client_for(bob).get(f"/proposals/{proposal.public_id}/").content.decode()
    assert link in client_for(bob).get("/me/").content.decode()


def test_the_seeker_reads_the_seekers_words(client_for, alice, proposal):
    picked(proposal)
    page = client_for(alice, "ru").get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "Ждём ответа принимающей стороны" in page
    assert "Ждём вашего ответа" not in page


def test_hosts_read_safety_tips_for_hosts_and_guests_tips_for_guests(client_for, alice, bob, proposal):
    picked(proposal)
    host = client_for(bob).get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "Never ask for or keep your guests’ passports or documents." in host
    assert "Nobody but an official may take your passport." not in host
    guest = client_for(alice).get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "Nobody but an official may take your passport." in guest
    assert "Never ask for or keep your guests" not in guest
    # "Tell a coordinator": both are told where the region's desk is.
    assert URALSK_DESK["en"] in host
    assert URALSK_DESK["en"] in guest
    host_ru = client_for(bob, "ru").get(f"/proposals/{proposal.public_id}/contacts/").content.decode()
    assert "Никогда не просите и не храните паспорта или документы гостей." in host_ru


# ---------------------------------------------------------------- the API


def test_the_api_tells_the_caller_has_no_channel_and_refuses_only_when_asked(client_for, alice, proposal):
    client = client_for(alice)
    got = client.get(f"/api/proposals/{proposal.public_id}").json()
    assert (got["my_contact_channel"], got["help_desk"]["name"], got["help_desk"]["demo"]) == (
        "none", URALSK_DESK["en"], True
    )
    refused = client.post(f"/api/proposals/{proposal.public_id}/pick?require_contact_channel=true")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_contact_channel")
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    chosen = client.put("/api/accounts/contact-channel", {"via_desk": True}, content_type="application/json")
    assert chosen.json() == {"channel": "desk"}
    done = client.post(f"/api/proposals/{proposal.public_id}/pick?require_contact_channel=true")
    assert (done.status_code, done.json()["status"], done.json()["my_contact_channel"]) == (200, "seeker_accepted", "desk")


def test_the_api_still_picks_without_a_channel_when_the_client_does_not_ask(client_for, alice, proposal):
    response = client_for(alice).post(f"/api/proposals/{proposal.public_id}/pick")
    assert (response.status_code, response.json()["status"], response.json()["my_contact_channel"]) == (
        200, "seeker_accepted", "none"
    )


def test_the_question_is_never_put_to_the_side_that_may_not_answer(client_for, bob, proposal):
    picked(proposal)
    assert client_for(bob).post(f"/proposals/{proposal.public_id}/pick/").status_code == 404
