import re

import pytest

from haven.matching import services
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from haven.privacy.models import Reveal
from tests.matching.conftest import post_need, post_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(alice, bob, uralsk):
    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 555 0101", email="bob@example.org"))
    privacy.contacts_set(user=alice, contacts=privacy.Contacts(telegram="alice_on_the_move"))
    post_need(alice, notes="Quiet family, one cat-allergic child")
    post_offer(bob, title="Room by the river")
    services.matching_run(trigger="test", time_limit_s=20)
    return Proposal.objects.get()


def test_the_seeker_sees_the_proposal_on_the_need_and_chooses_it(client_for, alice, proposal):
    client = client_for(alice)
    need_page = client.get(f"/needs/{proposal.need.public_id}/").content.decode()
    assert f"/proposals/{proposal.public_id}/" in need_page
    page = client.get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "Room by the river" in page
    assert "+7 701 555 0101" not in page
    client.post(f"/proposals/{proposal.public_id}/pick/")
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"


def test_a_host_sees_a_party_only_after_the_seeker_chose_them(client_for, alice, bob, proposal):
    host = client_for(bob)
    assert proposal.public_id not in host.get("/me/").content.decode()
    assert host.get(f"/proposals/{proposal.public_id}/").status_code == 404
    client_for(alice).post(f"/proposals/{proposal.public_id}/pick/")
    dashboard = host.get("/me/").content.decode()
    assert f"/proposals/{proposal.public_id}/" in dashboard
    page = host.get(f"/proposals/{proposal.public_id}/").content.decode()
    assert "Quiet family, one cat-allergic child" in page
    assert "alice" not in page


def test_contacts_are_shown_after_both_accept_behind_the_safety_advice_and_logged(client_for, alice, bob, proposal):
    seeker, host = client_for(alice), client_for(bob)
    url = f"/proposals/{proposal.public_id}/contacts/"
    early = seeker.post(url, follow=True).content.decode()
    assert "Contacts are shared only after both sides accept." in early
    seeker.post(f"/proposals/{proposal.public_id}/pick/")
    host.post(f"/proposals/{proposal.public_id}/accept/")
    advice = seeker.get(url).content.decode()
    assert "Nobody but an official may take your passport." in advice
    assert "+7 701 555 0101" not in advice
    assert Reveal.objects.count() == 0
    shown = seeker.post(url)
    assert shown["Cache-Control"] == "no-store"
    assert "+7 701 555 0101" in shown.content.decode()
    assert "bob@example.org" in shown.content.decode()
    assert "@alice_on_the_move" in host.post(url).content.decode()
    mine = host.get("/me/contacts/").content.decode()
    assert re.search(r"alice · \d", mine)


@pytest.mark.parametrize("who", ["charlie", "dmitri"])
def test_strangers_cannot_see_or_act_on_a_proposal(request, client_for, proposal, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/proposals/{proposal.public_id}/").status_code == 404
    assert client.post(f"/proposals/{proposal.public_id}/pick/").status_code == 404
    assert client.post(f"/proposals/{proposal.public_id}/contacts/").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_the_host_cannot_choose_for_the_seeker_nor_the_seeker_accept_for_the_host(client_for, alice, bob, proposal):
    assert client_for(bob).post(f"/proposals/{proposal.public_id}/pick/").status_code == 404
    client_for(alice).post(f"/proposals/{proposal.public_id}/pick/")
    assert client_for(alice).post(f"/proposals/{proposal.public_id}/accept/").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "seeker_accepted"


def test_a_coordinator_of_the_region_can_look_but_not_reveal(client_for, cora, alice, bob, proposal):
    client_for(alice).post(f"/proposals/{proposal.public_id}/pick/")
    client_for(bob).post(f"/proposals/{proposal.public_id}/accept/")
    client = client_for(cora)
    assert client.get(f"/proposals/{proposal.public_id}/").status_code == 200
    assert client.post(f"/proposals/{proposal.public_id}/contacts/").status_code == 404
    assert Reveal.objects.count() == 0


def test_contacts_form_validates_and_stores_encrypted(client_for, alice):
    client = client_for(alice)
    bad = client.post("/me/contacts/", {"phone": "call me maybe", "telegram": "@x", "email": "nope"})
    errors = bad.context["form"].errors
    assert set(errors) == {"phone", "telegram", "email"}
    assert privacy.contacts_get_own(user=alice).empty
    client.post("/me/contacts/", {"phone": "+7 701 123 4567", "telegram": "@alice_mobile", "email": ""})
    assert privacy.contacts_get_own(user=alice) == privacy.Contacts(phone="+7 701 123 4567", telegram="alice_mobile")
