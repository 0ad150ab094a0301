"""The API's offer list is built once per filter and language every few seconds, and a
change to what it shows is seen on the very next request (haven.core.listings)."""

import pytest

from haven.aid import services as aid
from haven.safety import services as safety

pytestmark = pytest.mark.django_db(transaction=True)


def _titles(client) -> list[str]:
    return [o["title"] for o in client.get("/offers", params={"city": "uralsk"}).json()["items"]]


def test_a_paused_or_frozen_offer_leaves_the_cached_list_at_once(api, bobs_offer, olgas_shelter, cora):
    client = api()
    assert sorted(_titles(client)) == sorted([bobs_offer.title, olgas_shelter.title])
    assert sorted(_titles(client)) == sorted([bobs_offer.title, olgas_shelter.title])  # from the cache
    aid.offer_set_status(offer=bobs_offer, status="paused")
    assert _titles(client) == [olgas_shelter.title]
    safety.account_freeze(user=olgas_shelter.owner, by=cora, reason="reported")
    assert _titles(client) == []
