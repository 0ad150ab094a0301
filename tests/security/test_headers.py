"""Every page carries the security headers: walk EVERY URL pattern of the site (the web
pages, the API and its docs page, the Telegram views, the language switch and the
coordination console), fill in its parameters with real objects where the page shows one,
and check each response, for an anonymous visitor, a seeker and a coordinator. A page
added anywhere is walked too: a parameter this test does not know fails it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from tests.borders.helpers import submit_timed
from tests.security.conftest import chosen_proposal, post_need, post_offer

# Web pages that only accept POST (their GET answers 405 or a redirect, and is checked too).
POST_ONLY = {
    "logout", "token_create", "proposal_end", "proposal_action", "need_close", "need_confirm",
    "border_report_hide", "border_reporter_freeze", "border_flag_decide", "offer_confirm", "offer_status",
    "shelter_move", "shelter_arrival", "shelter_hold_cancel",
}
EXPECTED = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# A route parameter: <conv:name>, <name> (django-ninja) or a regex group (the console).
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
# Which object a web page's public id belongs to, by the start of its route.
PUBLIC_ID_KIND = {
    "proposals/": "proposal", "needs/": "need", "offers/": "offer", "border/reports/": "border_report",
    "holds/": "hold",
}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(full route, namespaced name or "", pattern) for every endpoint under ``resolver``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        else:
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield prefix + str(entry.pattern), name, entry


def _url(route: str, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name == "public_id":
            kind = next((k for start, k in PUBLIC_ID_KIND.items() if route.startswith(start)), None)
            if kind is None:
                pytest.fail(f"{route}: a page with a public id of a new kind; add it to PUBLIC_ID_KIND")
            return values[kind]
        if name not in values:
            pytest.fail(f"{route}: unknown parameter {name!r}; give it a value in this test")
        return values[name]

    return "/" + PARAMETER.sub(fill, route).replace("^", "").replace("$", "")


def _shelter_hold(seeker: Any, organisation: Any) -> Any:
    """A walk-in's places held at a shelter (its page is the seeker's alone)."""
    from haven.aid import services as aid_services
    from haven.aid.forms import OfferForm
    from haven.matching import services
    from tests.factories import clean, offer_form

    data = offer_form(kind="shelter", title="Hall", capacity="20", host_kind="organisation")
    shelter = aid_services.offer_create(owner=organisation, data=clean(OfferForm, data, role="organisation"))
    hold, _code = services.shelter_hold_create(seeker=seeker, offer=shelter, adults=2)
    return hold


def _assert_headers(response: Any, url: str) -> None:
    for header, value in EXPECTED.items():
        assert value in response.get(header, ""), f"{url}: {header} is {response.get(header)!r}"


@pytest.mark.parametrize("part", ["site", "console"])
def test_every_page_sends_the_security_headers(part: str, client_for: Any, make_person: Any, uralsk: Any) -> None:
    """"site" is everything but the coordination console (/coordinate/), "console" the
    console alone (split only so that the two halves run in parallel)."""
    from django.core.cache import cache
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.accounts.services import coordinator_grant
    from haven.geo.models import Checkpoint

    cache.clear()
    seeker, host, coordinator = make_person("sam"), make_person("hana", "host"), make_person("cora")
    coordinator_grant(user=coordinator, regions=[uralsk.region])
    need, offer = post_need(seeker), post_offer(host)
    proposal = chosen_proposal(need, offer)
    checkpoint = Checkpoint.objects.get(slug="syrym")
    border_report = submit_timed(make_person("traveller"), checkpoint, 2)
    hold = _shelter_hold(seeker, make_person("orla", "organisation"))
    # django_otp's device pages answer a missing pk with a 500 (TOTPDevice.DoesNotExist
    # before its permission check): give them a real device, someone else's.
    device = TOTPDevice.objects.create(user=host, name="Haven", confirmed=True)
    values = {
        "proposal": proposal.public_id, "need": need.public_id, "offer": offer.public_id,
        "border_report": border_report.public_id, "hold": hold.public_id,
        # the API's names for the same ids
        "proposal_id": proposal.public_id, "need_id": need.public_id, "offer_id": offer.public_id,
        "slug": checkpoint.slug, "direction": "in", "token": "no-such-login-token",
        # the console
        "app_label": "aid", "object_id": "0", "pk": str(device.pk), "content_type_id": "0", "url": "no-such-page/",
    }
    clients = [client_for(user) for user in (None, seeker, coordinator)]
    seen: dict[str, str] = {}
    for route, name, _pattern in _patterns(get_resolver()):
        if route.startswith("coordinate/") is not (part == "console"):
            continue
        url = _url(route, dict(values, action="pause" if name == "web:offer_status" else "pick"))
        if url in seen.values():
            continue  # one route, several methods (the API): one request covers it
        for client in clients:
            response = client.get(url)
            assert response.status_code < 500, url
            if name.startswith("web:") and name.removeprefix("web:") in POST_ONLY:
                assert response.status_code in (302, 405), url
            _assert_headers(response, url)
        seen[name or route] = url

    if part == "console":
        assert {f"admin:{m._meta.app_label}_{m._meta.model_name}_change" for m in admin.site._registry} <= set(seen)
        return
    web = {name.removeprefix("web:") for name in seen if name.startswith("web:")}
    assert {"home", "delete_me", "two_factor", "offer_list", "offer_report", "proposal_report",
            "need_report", "border_report_abuse", "border_detail", "border_report"} <= web
    for start in ("i18n/", "api/", "telegram/", "border/", "needs/", "offers/", "proposals/", "me/"):
        assert any(url.startswith("/" + start) for url in seen.values()), start
    assert "/api/docs" in seen.values()
    assert f"/border/reports/{border_report.public_id}/report/" in seen.values()


def test_every_console_page_sends_the_security_headers(client_for: Any, make_person: Any, uralsk: Any) -> None:
    from haven.accounts.services import coordinator_grant

    coordinator = make_person("cora")
    coordinator_grant(user=coordinator, regions=[uralsk.region])
    client = client_for(coordinator)
    urls = [reverse("admin:index"), reverse("admin:login")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        _assert_headers(response, url)
