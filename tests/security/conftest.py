"""Helpers for the security suite: people in two regions, objects they own, and clients
for the site (session) and the API (bearer token), as real clients use them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import clean, make_user, need_form, offer_form


def post_need(owner: Any, city: str = "uralsk", **overrides: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import NeedForm

    return services.need_create(owner=owner, data=clean(NeedForm, need_form(city=city, **overrides)))


def post_offer(owner: Any, city: str = "uralsk", **overrides: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import OfferForm

    return services.offer_create(
        owner=owner, data=clean(OfferForm, offer_form(city=city, **overrides), role=owner.offer_role)
    )


def chosen_proposal(need: Any, offer: Any) -> Any:
    """A proposal the seeker has picked, so that both sides may see it."""
    from haven.matching import services as matching

    (proposal,) = matching.proposals_create(planned=matching.Planned(need=need, offers=((offer, 1.0),)))
    return matching.proposal_pick(proposal=proposal)


@pytest.fixture
def api_for() -> Callable[..., Any]:
    """A Django test client that authenticates to /api with a bearer token."""
    from django.test import Client

    from haven.accounts.services import api_token_create

    def make(user: Any, language: str = "en") -> Client:
        if user is None:
            return Client(HTTP_ACCEPT_LANGUAGE=language)
        _token, raw = api_token_create(user=user, name="test")
        return Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def make_person(db: Any) -> Callable[..., Any]:
    return make_user
