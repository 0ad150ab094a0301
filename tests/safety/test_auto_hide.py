"""Auto-hide (P4): when independent people (HAVEN_REPORTS_TO_HIDE, 3 by default) have
open reports about the same offer, it leaves browsing and matching at once pending a
coordinator's review — not deleted, its owner not told; the triage queue shows it;
dismissing every report as unfounded shows it again. A reporter's account younger
than a day counts half; one person reporting twice counts once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_user
from tests.safety.conftest import established, post_need, post_offer


def _report(reporter: Any, offer: Any, reason: str = "fake") -> Any:
    from haven.safety.services import report_submit

    return report_submit(reporter=reporter, target_kind="offer", target_public_id=offer.public_id, reason=reason)


def _listed(client_for: Any, offer: Any) -> bool:
    return offer.public_id in client_for(None).get("/offers/", {"city": "uralsk"}).content.decode()


@pytest.fixture
def offer(bob: Any, uralsk: Any) -> Any:
    return post_offer(bob, title="Too good to be true")


def test_three_independent_reports_hide_the_offer_at_once(
    client_for: Any, api_for: Any, bob: Any, cora: Any, offer: Any, settings: Any
) -> None:
    from haven.matching import services as matching
    from haven.matching.models import Proposal

    settings.HAVEN_REPORTS_TO_HIDE = 3
    unseen = matching.proposals_create(planned=matching.Planned(need=post_need(make_user("seeker-x")), offers=((offer, 1.0),)))
    reporters = [established(f"reporter-{i}") for i in range(3)]
    _report(reporters[0], offer)
    _report(reporters[1], offer)
    assert _listed(client_for, offer)

    _report(reporters[2], offer)

    offer.refresh_from_db()
    assert offer.hidden_at is not None
    assert not _listed(client_for, offer)
    assert offer.public_id not in api_for(None).get("/api/offers?city=uralsk").content.decode()
    assert client_for(reporters[0]).get(f"/offers/{offer.public_id}/").status_code == 404
    assert client_for(bob).get(f"/offers/{offer.public_id}/").status_code == 200  # not deleted; still his
    assert offer.pk not in {o.pk for o in matching._matchable_offers()}
    assert list(Proposal.objects.filter(pk=unseen[0].pk).values_list("status", flat=True)) == ["withdrawn"]
    triage = client_for(cora).get("/coordinate/safety/report/").content.decode()
    assert triage.count("Hidden pending review") == 3


def test_the_real_matcher_does_not_propose_a_hidden_offer(alice: Any, offer: Any, settings: Any) -> None:
    from haven.matching import services as matching
    from haven.matching.models import Proposal

    settings.HAVEN_REPORTS_TO_HIDE = 3
    for i in range(3):
        _report(established(f"reporter-{i}"), offer)
    need = post_need(alice)
    run = matching.matching_run(trigger="test", time_limit_s=20)
    assert run is not None
    assert run.status == "done"
    assert Proposal.objects.filter(need=need).count() == 0


def test_one_person_reporting_again_and_again_counts_once(client_for: Any, offer: Any, settings: Any) -> None:
    settings.HAVEN_REPORTS_TO_HIDE = 3
    persistent = established("persistent")
    for reason in ("fake", "money", "spam", "other"):
        _report(persistent, offer, reason)
    _report(established("second"), offer)
    offer.refresh_from_db()
    assert offer.hidden_at is None
    assert _listed(client_for, offer)


def test_accounts_younger_than_a_day_count_half(offer: Any, settings: Any) -> None:
    settings.HAVEN_REPORTS_TO_HIDE = 3
    newcomers = [make_user(f"newcomer-{i}") for i in range(6)]
    for newcomer in newcomers[:5]:
        _report(newcomer, offer)
    offer.refresh_from_db()
    assert offer.hidden_at is None
    _report(newcomers[5], offer)
    offer.refresh_from_db()
    assert offer.hidden_at is not None


def test_reports_from_frozen_accounts_do_not_count(cora: Any, offer: Any, settings: Any) -> None:
    from haven.accounts.services import user_freeze

    settings.HAVEN_REPORTS_TO_HIDE = 3
    first, second, third = (established(f"reporter-{i}") for i in range(3))
    _report(first, offer)
    _report(second, offer)
    user_freeze(user=first, by=cora)
    _report(third, offer)
    offer.refresh_from_db()
    assert offer.hidden_at is None


def test_dismissing_every_report_as_unfounded_shows_the_offer_again(client_for: Any, cora: Any, offer: Any, settings: Any) -> None:
    from haven.safety.services import report_resolve

    settings.HAVEN_REPORTS_TO_HIDE = 3
    reports = [_report(established(f"reporter-{i}"), offer) for i in range(3)]
    for report in reports[:2]:
        report_resolve(report=report, by=cora, status="dismissed")
    offer.refresh_from_db()
    assert offer.hidden_at is not None  # one report is still open

    client_for(cora).post("/coordinate/safety/report/", {"action": "dismiss", "_selected_action": [reports[2].pk]})

    offer.refresh_from_db()
    assert offer.hidden_at is None
    assert _listed(client_for, offer)


def test_an_offer_stays_hidden_when_a_coordinator_acted_on_a_report(cora: Any, offer: Any, settings: Any) -> None:
    from haven.safety.services import listing_unhide, report_resolve

    settings.HAVEN_REPORTS_TO_HIDE = 3
    reports = [_report(established(f"reporter-{i}"), offer) for i in range(3)]
    report_resolve(report=reports[0], by=cora, status="actioned")
    for report in reports[1:]:
        report_resolve(report=report, by=cora, status="dismissed")
    offer.refresh_from_db()
    assert offer.hidden_at is not None
    # The coordinator can still decide to show it again.
    assert listing_unhide(kind="offer", public_id=offer.public_id, by=cora) is True
    offer.refresh_from_db()
    assert offer.hidden_at is None


def test_a_request_is_hidden_by_the_hosts_who_reported_its_proposals(alice: Any, settings: Any, uralsk: Any) -> None:
    """A host sees a request only through a proposal the seeker chose, so reports about
    those proposals count against the request."""
    from haven.matching import services as matching
    from haven.safety.services import report_submit

    settings.HAVEN_REPORTS_TO_HIDE = 3
    need = post_need(alice)
    for i in range(3):
        host = established(f"host-{i}", "host")
        (proposal,) = matching.proposals_create(planned=matching.Planned(need=need, offers=((post_offer(host), 1.0),)))
        proposal = matching.proposal_pick(proposal=proposal)
        matching.proposal_host_answer(proposal=proposal, accept=False)
        report_submit(reporter=host, target_kind="proposal", target_public_id=proposal.public_id, reason="harassment")
    need.refresh_from_db()
    assert need.hidden_at is not None
    assert need.pk not in {n.pk for n in matching._matchable_needs()}


def test_check_in_alerts_do_not_count_towards_hiding(alice: Any, bob: Any, offer: Any, settings: Any) -> None:
    from haven.matching import services as matching
    from haven.safety.services import report_unsafe_checkin

    settings.HAVEN_REPORTS_TO_HIDE = 1
    (proposal,) = matching.proposals_create(planned=matching.Planned(need=post_need(alice), offers=((offer, 1.0),)))
    report_unsafe_checkin(guest=alice, proposal=matching.proposal_pick(proposal=proposal))
    offer.refresh_from_db()
    assert offer.hidden_at is None
