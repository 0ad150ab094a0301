import pytest

from haven.matching.models import MatchRun, Proposal
from tests.matching.conftest import post_need, post_offer

pytestmark = pytest.mark.django_db


def test_a_coordinator_runs_the_matcher_from_the_console_and_sees_the_gap(client_for, cora, alice, bob, uralsk):
    post_need(alice)
    post_offer(bob)
    response = client_for(cora).post("/coordinate/matching/matchrun/", {"action": "run_now"}, follow=True)
    assert "Done: 1 new proposal." in response.content.decode()
    run = MatchRun.objects.get()
    assert (run.status, run.proposals) == ("done", 1)
    listing = client_for(cora).get("/coordinate/matching/matchrun/").content.decode()
    assert "0.00%" in listing


def test_a_coordinator_proposes_by_hand_and_cancels(client_for, cora, alice, bob, uralsk):
    need = post_need(alice)
    offer = post_offer(bob)
    client = client_for(cora)
    response = client.post("/coordinate/matching/proposal/add/", {"need": need.pk, "offer": offer.pk})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.need, proposal.offer, proposal.proposed_by, proposal.status) == (need, offer, cora, "proposed")
    again = client.post("/coordinate/matching/proposal/add/", {"need": need.pk, "offer": offer.pk}, follow=True)
    assert Proposal.objects.count() == 1
    assert again.status_code == 200
    client.post("/coordinate/matching/proposal/", {"action": "cancel", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_a_coordinator_of_another_region_sees_no_proposals_there(client_for, dmitri, alice, bob, uralsk):
    post_need(alice)
    post_offer(bob)
    client_for(dmitri).post("/coordinate/matching/matchrun/", {"action": "run_now"})
    assert Proposal.objects.count() == 1
    assert Proposal.objects.get().public_id not in client_for(dmitri).get("/coordinate/matching/proposal/").content.decode()
