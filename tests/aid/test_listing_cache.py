"""The public offer listing is rendered once per filter, page and language every few
seconds under a stampede (haven.core.listings), and any change to what it shows is
visible on the very next request: a freeze, a hide, a pause never waits for the cache."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.accounts.services import user_set_tier
from haven.aid import services as aid
from haven.safety import services as safety

pytestmark = pytest.mark.django_db

URL = "/offers/?city=uralsk"


def _listing(client: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return page, len(queries)


def test_the_second_visitor_gets_the_cards_without_rendering_them_again(client_for, bobs_offer, charlie):
    first, first_queries = _listing(client_for(None))
    second, second_queries = _listing(client_for(None))
    assert bobs_offer.title in first
    cards = first[first.index('id="offer-count"') :]
    assert second[second.index('id="offer-count"') :] == cards  # the same cards (the form's token differs)
    assert second_queries < first_queries  # the cards' rows were not read again


def test_each_language_has_its_own_cards(client_for, bobs_offer):
    client = client_for(None)
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    russian = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "1 offer" in english
    assert "1 предложение" in russian


def _pause(offer: Any, **_: Any) -> None:
    aid.offer_set_status(offer=offer, status="paused")


def _freeze(offer: Any, cora: Any, **_: Any) -> None:
    safety.account_freeze(user=offer.owner, by=cora, reason="reported")


def _erase(offer: Any, **_: Any) -> None:
    safety.person_erase(user=offer.owner)


@pytest.mark.parametrize("change", [_pause, _freeze, _erase], ids=["paused", "owner frozen", "owner erased"])
def test_a_change_is_seen_on_the_very_next_request(
    client_for: Callable[..., Any], bobs_offer: Any, cora: Any, change: Callable[..., None]
) -> None:
    client = client_for(None)
    assert bobs_offer.title in _listing(client)[0]
    change(bobs_offer, cora=cora)
    assert bobs_offer.title not in _listing(client)[0]


def test_a_new_offer_and_a_new_badge_are_seen_at_once(client_for, bob, bobs_offer, cora):
    from haven.aid.forms import OfferForm
    from tests.factories import clean, offer_form

    client = client_for(None)
    before, _ = _listing(client)
    assert "Second room" not in before
    aid.offer_create(owner=bob, data=clean(OfferForm, offer_form(title="Second room"), role="host"))
    assert "Second room" in _listing(client)[0]
    user_set_tier(subject=bob, by=cora, tier=2, note="checked")
    assert "tier-2" in _listing(client)[0]


def test_reports_that_hide_an_offer_take_it_off_the_cached_listing(client_for, bobs_offer, settings):
    from tests.factories import make_user

    settings.HAVEN_REPORTS_TO_HIDE = 2
    client = client_for(None)
    assert bobs_offer.title in _listing(client)[0]
    for n in range(2):
        reporter = make_user(f"reporter{n}", role="seeker")
        reporter.date_joined = reporter.date_joined.replace(year=2020)
        reporter.save(update_fields=["date_joined"])
        safety.report_submit(
            reporter=reporter, target_kind="offer", target_public_id=bobs_offer.public_id, reason="fake"
        )
    bobs_offer.refresh_from_db()
    assert bobs_offer.hidden_at is not None
    assert bobs_offer.title not in _listing(client)[0]
