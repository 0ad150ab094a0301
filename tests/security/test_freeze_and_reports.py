"""Reports and freezing (P4): a report from an offer or proposal page lands in the triage
queue of the region's coordinators only; freezing from there (or from the accounts
console) hides the offers, refuses reveals and withdraws open proposals at once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import chosen_proposal, post_need, post_offer


def test_a_seeker_reports_an_offer_from_its_page(client_for: Any, alice: Any, bobs_offer: Any) -> None:
    from haven.safety.models import Report

    client = client_for(alice)
    page = client.get(f"/offers/{bobs_offer.public_id}/")
    assert f"/offers/{bobs_offer.public_id}/report/" in page.content.decode()
    response = client.post(f"/offers/{bobs_offer.public_id}/report/", {"reason": "trafficking", "note": "asked for passports"})
    assert response.status_code == 302
    assert response["Location"] == f"/offers/{bobs_offer.public_id}/"
    report = Report.objects.get()
    assert (report.target_kind, report.target_public_id, report.subject, report.reporter, report.reason, report.status) == (
        "offer", bobs_offer.public_id, bobs_offer.owner, alice, "trafficking", "open",
    )
    assert report.region == bobs_offer.city.region


def test_a_party_reports_the_other_side_of_a_proposal(client_for: Any, alice: Any, bob: Any, alices_need: Any, bobs_offer: Any) -> None:
    from haven.safety.models import Report

    proposal = chosen_proposal(alices_need, bobs_offer)
    response = client_for(bob).post(f"/proposals/{proposal.public_id}/report/", {"reason": "unsafe"})
    assert response.status_code == 302
    assert Report.objects.get().subject == alice


def test_nobody_can_report_a_proposal_they_are_not_part_of(client_for: Any, charlie: Any, alices_need: Any, bobs_offer: Any) -> None:
    from haven.safety.models import Report

    proposal = chosen_proposal(alices_need, bobs_offer)
    assert client_for(charlie).get(f"/proposals/{proposal.public_id}/report/").status_code == 404
    assert client_for(charlie).post(f"/proposals/{proposal.public_id}/report/", {"reason": "spam"}).status_code == 404
    assert Report.objects.count() == 0


def test_reports_are_limited_per_day(client_for: Any, alice: Any, bobs_offer: Any, settings: Any) -> None:
    from haven.safety.models import Report

    settings.HAVEN_REPORTS_PER_DAY = 2
    client = client_for(alice)
    for _ in range(3):
        response = client.post(f"/offers/{bobs_offer.public_id}/report/", {"reason": "spam"})
    assert response.status_code == 200
    assert "You have sent many reports today." in response.content.decode()
    assert Report.objects.count() == 2


def test_the_api_files_a_report(api_for: Any, alice: Any, bobs_offer: Any) -> None:
    response = api_for(alice).post(
        "/api/reports", {"target_kind": "offer", "target_id": bobs_offer.public_id, "reason": "fake"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    missing = api_for(alice).post(
        "/api/reports", {"target_kind": "offer", "target_id": "x" * 16, "reason": "fake"}, content_type="application/json"
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "report_target_not_found")


def test_the_triage_queue_is_scoped_to_the_coordinators_region(client_for: Any, alice: Any, bobs_offer: Any, cora: Any, dmitri: Any) -> None:
    from haven.safety.services import report_submit

    report = report_submit(reporter=alice, target_kind="offer", target_public_id=bobs_offer.public_id, reason="fake")
    assert report.target_public_id == bobs_offer.public_id
    assert bobs_offer.public_id in client_for(cora).get("/coordinate/safety/report/").content.decode()
    assert bobs_offer.public_id not in client_for(dmitri).get("/coordinate/safety/report/").content.decode()
    assert client_for(alice).get("/coordinate/safety/report/").status_code == 302


@pytest.fixture
def bob_in_the_middle_of_things(alice: Any, bob: Any, charlie: Any, uralsk: Any) -> dict[str, Any]:
    """bob hosts alice (accepted by both) and charlie has picked bob's second offer."""
    from haven.matching import services as matching
    from haven.privacy import services as privacy

    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 000 0001"))
    offer = post_offer(bob)
    accepted = matching.proposal_host_answer(proposal=chosen_proposal(post_need(alice), offer), accept=True)
    waiting = chosen_proposal(post_need(charlie), post_offer(bob, title="Sofa"))
    return {"offer": offer, "accepted": accepted, "waiting": waiting}


def test_freezing_from_the_triage_queue_acts_everywhere_at_once(
    client_for: Any, alice: Any, bob: Any, cora: Any, bob_in_the_middle_of_things: Any
) -> None:
    from haven.core.errors import HavenError
    from haven.matching import services as matching
    from haven.matching.models import Proposal
    from haven.safety.models import Report
    from haven.safety.services import report_submit

    things = bob_in_the_middle_of_things
    bobs_client = client_for(bob)
    report = report_submit(reporter=alice, target_kind="offer", target_public_id=things["offer"].public_id, reason="unsafe")
    assert things["offer"].title in client_for(None).get("/offers/").content.decode()

    client_for(cora).post("/coordinate/safety/report/", {"action": "freeze_subject", "_selected_action": [report.pk]})

    bob.refresh_from_db()
    assert bob.is_frozen
    assert things["offer"].title not in client_for(None).get("/offers/").content.decode()
    assert set(Proposal.objects.values_list("status", flat=True)) == {"withdrawn"}
    with pytest.raises(HavenError) as refused:
        matching.proposal_contacts(proposal=Proposal.objects.get(pk=things["accepted"].pk), viewer=alice)
    assert refused.value.code in ("not_both_accepted", "account_frozen")
    assert bobs_client.get("/me/").status_code == 302  # logged out on his next request
    assert Report.objects.get().status == "actioned"


def test_the_accounts_console_freeze_also_withdraws_proposals(client_for: Any, bob: Any, cora: Any, bob_in_the_middle_of_things: Any) -> None:
    from haven.matching.models import Proposal

    client_for(cora).post("/coordinate/accounts/user/", {"action": "freeze", "_selected_action": [bob.pk]})
    assert set(Proposal.objects.values_list("status", flat=True)) == {"withdrawn"}
    # bob's places are free again for the matcher.
    from haven.matching.services import offer_spare

    assert offer_spare(bob_in_the_middle_of_things["offer"]) == bob_in_the_middle_of_things["offer"].capacity


def test_a_frozen_persons_contacts_are_refused_even_on_an_accepted_proposal(alice: Any, bob: Any, cora: Any, bob_in_the_middle_of_things: Any) -> None:
    from haven.accounts.services import user_freeze
    from haven.core.errors import HavenError
    from haven.privacy import services as privacy

    user_freeze(user=bob, by=cora)
    with pytest.raises(HavenError) as refused:
        privacy.contacts_reveal(viewer=alice, owner=bob, proposal_public_id=bob_in_the_middle_of_things["accepted"].public_id)
    assert refused.value.code == "account_frozen"


def test_a_coordinator_is_never_frozen_from_a_report(alice: Any, cora: Any, dmitri: Any) -> None:
    from haven.safety.services import report_freeze_subject, report_submit

    report = report_submit(reporter=alice, target_kind="user", target_public_id=dmitri.public_id, reason="agent")
    assert report_freeze_subject(report=report, by=cora) is False
    dmitri.refresh_from_db()
    assert not dmitri.is_frozen
