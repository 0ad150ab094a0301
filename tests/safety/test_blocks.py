"""Blocking (P4): either side of a proposal blocks the other on the proposal page or
through the API; proposals between them that have not started are withdrawn at once,
they are never proposed to each other again, and the blocked person is never told."""

from __future__ import annotations

from typing import Any

import pytest

from tests.safety.conftest import chosen_proposal, post_need, post_offer


@pytest.fixture
def picked(alice: Any, bob: Any, uralsk: Any) -> Any:
    """alice has chosen bob's room; bob has not answered yet."""
    return chosen_proposal(post_need(alice), post_offer(bob))


def test_the_seeker_blocks_the_host_from_the_proposal_page(client_for: Any, alice: Any, bob: Any, picked: Any) -> None:
    from haven.matching.services import offer_spare
    from haven.safety.models import Block

    client = client_for(alice)
    page = client.get(f"/proposals/{picked.public_id}/").content.decode()
    assert f'action="/proposals/{picked.public_id}/block/"' in page

    response = client.post(f"/proposals/{picked.public_id}/block/")

    assert (response.status_code, response["Location"]) == (302, f"/proposals/{picked.public_id}/")
    assert list(Block.objects.values_list("blocker", "blocked")) == [(alice.pk, bob.pk)]
    picked.refresh_from_db()
    assert picked.status == "withdrawn"
    assert offer_spare(picked.offer) == picked.offer.capacity
    assert "You will never be proposed to each other again" in client.get(f"/proposals/{picked.public_id}/").content.decode()


def test_the_blocked_host_sees_only_an_ordinary_withdrawal(client_for: Any, alice: Any, bob: Any, picked: Any) -> None:
    client_for(alice).post(f"/proposals/{picked.public_id}/block/")

    page = client_for(bob).get(f"/proposals/{picked.public_id}/").content.decode()
    assert '<span class="status status-withdrawn" id="proposal-status">Withdrawn</span>' in page
    assert "Blocked." not in page
    assert "has blocked" not in page


def test_the_host_blocks_the_guests_of_an_accepted_proposal(client_for: Any, alice: Any, bob: Any, picked: Any) -> None:
    from haven.matching import services as matching
    from haven.safety.models import Block

    accepted = matching.proposal_host_answer(proposal=picked, accept=True)
    response = client_for(bob).post(f"/proposals/{accepted.public_id}/block/")

    assert response.status_code == 302
    assert list(Block.objects.values_list("blocker", "blocked")) == [(bob.pk, alice.pk)]
    accepted.refresh_from_db()
    assert accepted.status == "withdrawn"


def test_a_stranger_cannot_block_through_someone_elses_proposal(client_for: Any, charlie: Any, picked: Any) -> None:
    from haven.safety.models import Block

    assert client_for(charlie).post(f"/proposals/{picked.public_id}/block/").status_code == 404
    assert client_for(charlie).get(f"/proposals/{picked.public_id}/block/").status_code in (404, 405)
    assert Block.objects.count() == 0
    picked.refresh_from_db()
    assert picked.status == "seeker_accepted"


def test_a_stay_already_under_way_is_not_withdrawn_by_a_block(alice: Any, picked: Any) -> None:
    from haven.matching import services as matching
    from haven.safety.services import block_create

    matching.proposal_moved_in(proposal=matching.proposal_host_answer(proposal=picked, accept=True), by=alice)
    outcome = block_create(blocker=alice, target_kind="proposal", target_public_id=picked.public_id)

    assert (outcome.created, outcome.proposals_withdrawn) == (True, 0)
    picked.refresh_from_db()
    assert picked.status == "moved_in"


def test_the_api_blocks_idempotently_and_names_nobody(api: Any, alice: Any, bob: Any, picked: Any) -> None:
    from haven.safety.models import Block

    client = api(alice)
    first = client.post("/blocks", json={"target_kind": "proposal", "target_id": picked.public_id})
    again = client.post("/blocks", json={"target_kind": "proposal", "target_id": picked.public_id})

    assert (first.status_code, first.json()) == (201, {"created": True, "proposals_withdrawn": 1})
    assert (again.status_code, again.json()) == (200, {"created": False, "proposals_withdrawn": 0})
    for response in (first, again):
        assert "bob" not in response.text
        assert bob.public_id not in response.text
    assert list(Block.objects.values_list("blocker", "blocked")) == [(alice.pk, bob.pk)]


def test_the_api_blocks_the_owner_of_a_listed_offer(api: Any, charlie: Any, bob: Any, picked: Any) -> None:
    from haven.safety.models import Block

    response = api(charlie).post("/blocks", json={"target_kind": "offer", "target_id": picked.offer.public_id})

    assert (response.status_code, response.json()) == (201, {"created": True, "proposals_withdrawn": 0})
    assert list(Block.objects.values_list("blocker", "blocked")) == [(charlie.pk, bob.pk)]


def test_the_api_refuses_bad_blocks_and_changes_nothing(api: Any, alice: Any, bob: Any, charlie: Any, picked: Any) -> None:
    from haven.safety.models import Block

    unknown = api(alice).post("/blocks", json={"target_kind": "proposal", "target_id": "x" * 16})
    not_mine = api(charlie).post("/blocks", json={"target_kind": "proposal", "target_id": picked.public_id})
    own_offer = api(bob).post("/blocks", json={"target_kind": "offer", "target_id": picked.offer.public_id})
    a_need_hosts_never_see = api(bob).post("/blocks", json={"target_kind": "need", "target_id": picked.need.public_id})
    wrong_kind = api(alice).post("/blocks", json={"target_kind": "user", "target_id": bob.public_id})
    anonymous = api().post("/blocks", json={"target_kind": "proposal", "target_id": picked.public_id})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "block_target_not_found")
    assert (not_mine.status_code, not_mine.json()["code"]) == (404, "block_target_not_found")
    assert (own_offer.status_code, own_offer.json()["code"]) == (403, "forbidden")
    assert (a_need_hosts_never_see.status_code, a_need_hosts_never_see.json()["code"]) == (404, "block_target_not_found")
    assert wrong_kind.status_code == 422
    assert anonymous.status_code in (401, 403)  # no credentials: refused before anything runs
    assert Block.objects.count() == 0
    picked.refresh_from_db()
    assert picked.status == "seeker_accepted"


@pytest.mark.parametrize("who_erases", ["blocker", "blocked"])
def test_erasing_either_person_deletes_their_blocks(alice: Any, bob: Any, picked: Any, who_erases: str) -> None:
    from haven.safety.models import Block
    from haven.safety.services import block_create, person_erase

    block_create(blocker=alice, target_kind="proposal", target_public_id=picked.public_id)
    counts = person_erase(user=alice if who_erases == "blocker" else bob)

    assert counts["blocks"] == 1
    assert Block.objects.count() == 0
