"""The matcher and manual proposals never pair two people when one has blocked the
other (P4), however many offers and requests they post; everybody else is matched as
before. Runs the real matcher through its service."""

from __future__ import annotations

from typing import Any

import pytest

from haven.core.errors import HavenError
from haven.matching import services
from haven.matching.models import Proposal
from tests.matching.conftest import post_need, post_offer

pytestmark = pytest.mark.django_db


def run() -> Any:
    result = services.matching_run(trigger="test", time_limit_s=20)
    assert result is not None
    assert result.status == "done", result.error
    return result


def offers_proposed_for(need: Any) -> list[str]:
    return sorted(Proposal.objects.filter(need=need).values_list("offer__title", flat=True))


def test_without_a_block_both_hosts_are_proposed(alice: Any, bob: Any, dave: Any, uralsk: Any) -> None:
    need = post_need(alice)
    post_offer(bob, title="Bob's room")
    post_offer(dave, title="Dave's room")
    run()
    assert offers_proposed_for(need) == ["Bob's room", "Dave's room"]


def test_a_seeker_who_blocked_a_host_is_never_proposed_any_of_his_offers(alice: Any, bob: Any, dave: Any, uralsk: Any) -> None:
    from haven.safety.services import block_create

    bobs = post_offer(bob, title="Bob's room")
    post_offer(bob, title="Bob's other room")
    post_offer(dave, title="Dave's room")
    block_create(blocker=alice, target_kind="offer", target_public_id=bobs.public_id)
    need = post_need(alice)

    run()

    assert offers_proposed_for(need) == ["Dave's room"]


def test_a_host_who_blocked_a_guest_is_never_proposed_her_again(alice: Any, bob: Any, charlie: Any, uralsk: Any) -> None:
    from haven.safety.services import block_create

    first = post_need(alice)
    room = post_offer(bob, title="Bob's room")
    (proposal,) = services.proposals_create(planned=services.Planned(need=first, offers=((room, 1.0),)))
    services.proposal_pick(proposal=proposal)
    block_create(blocker=bob, target_kind="proposal", target_public_id=proposal.public_id)
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"
    again = post_need(alice, kind="housing", notes="second request")
    others = post_need(charlie)

    run()

    assert offers_proposed_for(first) == ["Bob's room"]  # only the withdrawn one, from before
    assert offers_proposed_for(again) == []
    assert offers_proposed_for(others) == ["Bob's room"]


def test_a_coordinator_cannot_propose_a_blocked_pair_by_hand(alice: Any, bob: Any, cora: Any, uralsk: Any) -> None:
    from haven.safety.services import block_create

    room = post_offer(bob)
    block_create(blocker=alice, target_kind="offer", target_public_id=room.public_id)
    with pytest.raises(HavenError) as refused:
        services.proposal_create_manual(coordinator=cora, need=post_need(alice), offer=room)
    assert refused.value.code == "pair_blocked"
    assert Proposal.objects.count() == 0


def test_a_plan_made_before_the_block_is_not_written(alice: Any, bob: Any, uralsk: Any) -> None:
    """proposals_create re-checks inside its lock, so a block made while the engine was
    solving still keeps the two apart."""
    from haven.safety.services import block_create

    room = post_offer(bob)
    need = post_need(alice)
    block_create(blocker=alice, target_kind="offer", target_public_id=room.public_id)
    assert services.proposals_create(planned=services.Planned(need=need, offers=((room, 1.0),))) == []


def test_a_declined_pair_whose_offer_has_gone_does_not_fail_the_run(alice: Any, bob: Any, dave: Any, uralsk: Any) -> None:
    from haven.aid.services import offer_set_status

    need = post_need(alice)
    paused = post_offer(bob, title="Bob's room")
    (proposal,) = services.proposals_create(planned=services.Planned(need=need, offers=((paused, 1.0),)))
    services.proposal_decline_by_seeker(proposal=proposal)
    offer_set_status(offer=paused, status="paused")
    post_offer(dave, title="Dave's room")

    run()

    assert offers_proposed_for(need) == ["Bob's room", "Dave's room"]
