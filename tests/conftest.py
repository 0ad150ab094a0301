"""Shared fixtures. People follow the alice/bob/charlie convention:
alice is a seeker who owns things, bob a host, charlie a stranger with no access;
olga runs an organisation; cora coordinates Uralsk's region, dmitri Almaty's.
Django is imported inside the fixtures so the pure engine tests never need it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import clean, make_user, need_form, offer_form

# The instants a date-sensitive test is run at (marker `region_midnight`): the region's day
# and UTC's differ from 19:00 to 24:00 UTC in Almaty, and a month ends in between.
REGION_INSTANTS = {
    "23:30-almaty": "2026-03-31T23:30:00+05:00",
    "00:30-almaty": "2026-04-01T00:30:00+05:00",  # 19:30 UTC on the 31st
    "00:00-utc": "2026-04-01T00:00:00+00:00",  # 05:00 in Almaty
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("region_midnight") is None:
        return
    metafunc.fixturenames.append("region_instant")
    metafunc.parametrize("region_instant", list(REGION_INSTANTS), indirect=True)


@pytest.fixture(autouse=True)
def _region_clock(request: pytest.FixtureRequest) -> None:
    """First of the autouse fixtures, so everything a marked test builds is built at the
    pinned instant."""
    if request.node.get_closest_marker("region_midnight") is not None:
        request.getfixturevalue("region_instant")


@pytest.fixture
def region_instant(request: pytest.FixtureRequest) -> Any:
    """Travel to one of REGION_INSTANTS (the clock keeps ticking from there)."""
    import datetime as dt

    import time_machine

    moment = dt.datetime.fromisoformat(REGION_INSTANTS[request.param])
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rows a test writes straight through the ORM
    never announce themselves (haven.core.listings), so a card cached by an earlier test
    must not be served to this one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reference_geography(request: pytest.FixtureRequest) -> None:
    """The geography comes from a data migration; a transactional test's flush removes
    it, so put it back for any test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from haven.geo.loader import sync_geography
    from haven.geo.models import City

    if not City.objects.exists():
        sync_geography(apps)
        from haven.accounts.apps import ensure_coordinator_group

        ensure_coordinator_group(app_config=apps.get_app_config("matching"))


@pytest.fixture
def uralsk(db: Any) -> Any:
    from haven.geo.models import City

    return City.objects.get(slug="uralsk")


@pytest.fixture
def almaty(db: Any) -> Any:
    from haven.geo.models import City

    return City.objects.get(slug="almaty")


@pytest.fixture
def alice(db: Any) -> Any:
    return make_user("alice")


@pytest.fixture
def bob(db: Any) -> Any:
    return make_user("bob", "host")


@pytest.fixture
def charlie(db: Any) -> Any:
    return make_user("charlie")


@pytest.fixture
def olga(db: Any) -> Any:
    return make_user("olga", "organisation", 2)


def _coordinator(name: str, city: Any) -> Any:
    from haven.accounts.services import coordinator_grant

    user = make_user(name)
    coordinator_grant(user=user, regions=[city.region])
    return user


@pytest.fixture
def cora(db: Any, uralsk: Any) -> Any:
    return _coordinator("cora", uralsk)


@pytest.fixture
def dmitri(db: Any, almaty: Any) -> Any:
    return _coordinator("dmitri", almaty)


@pytest.fixture
def client_for() -> Callable[..., Any]:
    from django.test import Client

    def make(user: Any, language: str = "en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def alices_need(alice: Any, uralsk: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import NeedForm

    return services.need_create(owner=alice, data=clean(NeedForm, need_form()))


@pytest.fixture
def bobs_offer(bob: Any, uralsk: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import OfferForm

    return services.offer_create(owner=bob, data=clean(OfferForm, offer_form(), role="host"))


@pytest.fixture
def olgas_shelter(olga: Any, uralsk: Any) -> Any:
    from haven.aid import services
    from haven.aid.forms import OfferForm

    data = offer_form(kind="shelter", title="Cinema floor", capacity="80", host_kind="organisation")
    return services.offer_create(owner=olga, data=clean(OfferForm, data, role="organisation"))
