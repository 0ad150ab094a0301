import pytest

from haven.matching import services
from haven.matching.models import Proposal
from haven.privacy import services as privacy
from tests.matching.conftest import post_need, post_offer

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lifecycle_through_the_api(api, alice, bob, charlie, uralsk):
    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 555 0101"))
    post_need(alice)
    post_offer(bob)
    services.matching_run(trigger="test", time_limit_s=20)
    proposal_id = Proposal.objects.get().public_id
    seeker, host, stranger = api(alice), api(bob), api(charlie)
    assert host.get("/proposals").json()["items"] == []  # not chosen yet: invisible to the host
    mine = seeker.get("/proposals").json()["items"]
    assert [(p["id"], p["status"], p["my_side"]) for p in mine] == [(proposal_id, "proposed", "seeker")]
    assert stranger.get(f"/proposals/{proposal_id}").status_code == 404
    early = seeker.post(f"/proposals/{proposal_id}/contacts")
    assert (early.status_code, early.json()["code"]) == (403, "not_both_accepted")
    assert seeker.post(f"/proposals/{proposal_id}/pick").json()["status"] == "seeker_accepted"
    assert seeker.post(f"/proposals/{proposal_id}/accept").status_code == 404
    assert host.post(f"/proposals/{proposal_id}/accept").json()["status"] == "accepted"
    assert seeker.post(f"/proposals/{proposal_id}/contacts").json() == {"phone": "+7 701 555 0101", "telegram": "", "email": ""}
    assert [r["viewer"] for r in host.get("/accounts/reveals").json()] == ["alice"]
    assert host.post(f"/proposals/{proposal_id}/moved-in").json()["status"] == "moved_in"
    bad = host.post(f"/proposals/{proposal_id}/end", json={"reason": "whatever"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
    assert host.post(f"/proposals/{proposal_id}/end", json={"reason": "planned"}).json()["status"] == "ended"


def test_contacts_are_set_and_read_back_through_the_api(api, alice):
    client = api(alice)
    bad = client.put("/accounts/contacts", json={"phone": "not a phone"})
    assert (bad.status_code, bad.json()["fields"]["phone"][0]["code"]) == (422, "phone_invalid")
    ok = client.put("/accounts/contacts", json={"telegram": "@alice_mobile"})
    assert ok.json() == {"phone": "", "telegram": "alice_mobile", "email": ""}
    assert client.get("/accounts/contacts").json()["telegram"] == "alice_mobile"
