"""Block on the offer page (P4): a seeker keeps a host away for good; the host is never
told, and nothing else changes for anyone else."""

import pytest

from haven.safety.models import Block

pytestmark = pytest.mark.django_db


def test_a_seeker_blocks_the_host_of_an_offer(client_for, alice, bob, bobs_offer):
    client = client_for(alice)
    page = client.get(f"/offers/{bobs_offer.public_id}/").content.decode()
    assert 'id="block-form"' in page
    response = client.post(f"/offers/{bobs_offer.public_id}/block/")
    assert response.status_code == 302
    assert list(Block.objects.values_list("blocker", "blocked")) == [(alice.pk, bob.pk)]
    client.post(f"/offers/{bobs_offer.public_id}/block/")  # twice is once
    assert Block.objects.count() == 1
    assert 'id="block-form"' not in client_for(bob).get(f"/offers/{bobs_offer.public_id}/").content.decode()


@pytest.mark.parametrize("who", ["owner", "stranger_unknown_id", "anonymous"])
def test_blocking_what_one_cannot_block_changes_nothing(client_for, alice, bob, bobs_offer, who):
    if who == "owner":
        response = client_for(bob).post(f"/offers/{bobs_offer.public_id}/block/")
        assert response.status_code == 404
    elif who == "stranger_unknown_id":
        response = client_for(alice).post("/offers/AAAAAAAAAAAAAAAA/block/")
        assert response.status_code == 404
    else:
        response = client_for(None).post(f"/offers/{bobs_offer.public_id}/block/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert Block.objects.count() == 0


def test_a_get_blocks_nothing(client_for, alice, bobs_offer):
    assert client_for(alice).get(f"/offers/{bobs_offer.public_id}/block/").status_code == 405
    assert Block.objects.count() == 0
