"""The API refuses contact details in free text, like the site (haven.core.validators)."""

import pytest

from haven.aid.models import Need, Offer
from tests.api.test_api import need_json, offer_json


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/needs", need_json(notes="WhatsApp 87015550199"), "notes"),
        ("/offers", offer_json(title="Room, call +7 702 555 0188"), "title"),
        ("/offers", offer_json(notes="write to host@example.org"), "notes"),
    ],
)
def test_the_api_refuses_contact_details_in_free_text(api, alice, bob, path, body, field):
    caller = api(alice if path == "/needs" else bob)
    response = caller.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["fields"][field][0]["code"] == "contact_details"
    assert Need.objects.count() == Offer.objects.count() == 0
