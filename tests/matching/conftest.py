from typing import Any

import pytest

from tests.factories import clean, make_user, need_form, offer_form


def post_need(owner: Any, **overrides: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import NeedForm

    return services.need_create(owner=owner, data=clean(NeedForm, need_form(**overrides)))


def post_offer(owner: Any, **overrides: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import OfferForm

    return services.offer_create(owner=owner, data=clean(OfferForm, offer_form(**overrides), role=owner.offer_role))


@pytest.fixture
def dave(db: Any) -> Any:
    return make_user("dave", "host")
