"""axe-core (axe-playwright-python) over every page of the site, in Russian and in English,
on a 390-pixel phone: no serious or critical violation anywhere. Every page a URL pattern
of haven/web/urls.py (and urls_borders.py) serves is visited by the person who would see
it; a new pattern with no visit here fails `test_every_web_page_is_checked_by_axe`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from tests.borders.helpers import submit_timed
from tests.factories import make_user
from tests.security.conftest import chosen_proposal, post_need, post_offer
from tests.web.conftest import PHONE

# Routes that only take a POST and answer with a redirect: no page of their own.
ACTIONS = {
    "logout", "proposal_end", "proposal_action", "proposal_block", "need_close", "need_confirm",
    "offer_confirm", "offer_status", "offer_block", "shelter_move",
    "border_report_hide", "border_reporter_freeze", "border_flag_decide",
    "city_districts",  # JSON for the need form's district list, not a page
    "role_add", "recovery_card",  # a POST that redirects; a text file to save
    "shelter_hold_cancel", "shelter_arrival", "contacts_desk",
}  # fmt: skip
BLOCKING = {"serious", "critical"}


def _web_route_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _web_route_names(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace == "web" and entry.name:
            yield entry.name


class Walk:
    """Who opens which page, and how: (visitor, route name, what to do on the page)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, Callable[[Any, str], None]]] = []

    def page(self, who: str, name: str, path: str) -> None:
        self.steps.append((who, name, lambda page, base: _goto(page, base + path)))

    def do(self, who: str, name: str, action: Callable[[Any, str], None]) -> None:
        self.steps.append((who, name, action))

    @property
    def names(self) -> set[str]:
        return {name for _who, name, _action in self.steps}


def _goto(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status < 500, url


def _the_site(walk: Walk) -> dict[str, Any]:
    """People and things for every page: a seeker with a need picked by a host's offer
    (accepted, so contacts show), a traveller's border report, a coordinator."""
    from haven.accounts.services import coordinator_grant
    from haven.geo.models import Checkpoint, City
    from haven.matching import services as matching
    from haven.privacy import services as privacy

    uralsk = City.objects.get(slug="uralsk")

    seeker, host, coordinator, traveller = (
        make_user("alice"), make_user("bob", "host"), make_user("cora"), make_user("traveller"),
    )  # fmt: skip
    coordinator_grant(user=coordinator, regions=[uralsk.region])
    privacy.contacts_set(user=host, contacts=privacy.Contacts(phone="+7 701 555 0101"))
    privacy.contacts_set(user=seeker, contacts=privacy.Contacts(telegram="alice_on_the_move"))
    need, offer = post_need(seeker), post_offer(host, title="Room by the river")
    proposal = chosen_proposal(need, offer)
    matching.proposal_act(proposal=proposal, user=host, action="accept")
    other_offer = post_offer(host, title="Sofa in the old town")
    checkpoint = Checkpoint.objects.get(slug="syrym")
    border_report = submit_timed(traveller, checkpoint, 2)
    cinema = post_offer(
        make_user("olga", "organisation"), kind="shelter", title="Cinema floor", capacity="80",
        host_kind="organisation", address="Dostyk avenue 12", directions="Side door, ask at the desk.",
    )  # fmt: skip
    hold, _code = matching.shelter_hold_create(seeker=seeker, offer=cinema, adults=2, children=2, hours=6)

    walk.page("anonymous", "home", "/")
    walk.page("anonymous", "offer_list", "/offers/")
    walk.page("anonymous", "offer_list", "/offers/?city=uralsk&kind=room")
    walk.page("anonymous", "offer_list", "/offers/?date_from=not-a-date")
    walk.page("anonymous", "offer_detail", f"/offers/{other_offer.public_id}/")
    walk.page("anonymous", "offer_detail", f"/offers/{cinema.public_id}/")
    walk.do("anonymous", "signup", _sign_up_with_a_mistake_first)
    walk.do("anonymous", "welcome", _written_down_not_yet)
    walk.page("anonymous", "login", "/login/")
    walk.do("anonymous", "login", _log_in_wrongly)
    walk.page("anonymous", "recover", "/recover/")
    walk.page("anonymous", "border_board", "/border/")
    walk.page("anonymous", "border_detail", f"/border/{checkpoint.slug}/")
    walk.page("anonymous", "not_found", "/no-such-page/")
    walk.do("anonymous", "expired_form", _expired_form)

    walk.page("seeker", "dashboard", "/me/")
    walk.do("seeker", "token_create", _create_a_token)
    walk.page("seeker", "offer_detail", f"/offers/{other_offer.public_id}/")
    walk.page("seeker", "need_new", "/needs/new/")
    walk.page("seeker", "offer_detail", f"/offers/{cinema.public_id}/")
    walk.page("seeker", "shelter_hold", f"/holds/{hold.public_id}/")
    walk.do("seeker", "need_new", _post_a_bad_need)
    walk.page("seeker", "need_detail", f"/needs/{need.public_id}/")
    walk.page("seeker", "need_edit", f"/needs/{need.public_id}/edit/")
    walk.page("seeker", "proposal_detail", f"/proposals/{proposal.public_id}/")
    walk.page("seeker", "proposal_contacts", f"/proposals/{proposal.public_id}/contacts/")
    walk.page("seeker", "proposal_report", f"/proposals/{proposal.public_id}/report/")
    walk.page("seeker", "offer_report", f"/offers/{offer.public_id}/report/")
    walk.page("seeker", "my_contacts", "/me/contacts/")
    walk.page("seeker", "border_report", f"/border/{checkpoint.slug}/report/")
    walk.page("seeker", "border_report_abuse", f"/border/reports/{border_report.public_id}/report/")
    walk.page("seeker", "delete_me", "/me/delete/")
    walk.page("seeker", "not_allowed", "/offers/new/")

    walk.page("host", "dashboard", "/me/")
    walk.page("host", "offer_new", "/offers/new/")
    walk.page("host", "offer_detail", f"/offers/{offer.public_id}/")
    walk.page("host", "offer_edit", f"/offers/{offer.public_id}/edit/")
    walk.page("host", "proposal_detail", f"/proposals/{proposal.public_id}/")
    walk.page("host", "proposal_contacts", f"/proposals/{proposal.public_id}/contacts/")
    walk.page("host", "need_report", f"/needs/{need.public_id}/report/")

    walk.page("coordinator", "two_factor", "/me/2fa/")
    walk.page("coordinator", "border_detail", f"/border/{checkpoint.slug}/")
    walk.page("coordinator", "offer_detail", f"/offers/{cinema.public_id}/")  # the desk: expected arrivals
    walk.page("host", "shelter_hold_new", f"/offers/{cinema.public_id}/hold/")  # a host is refused, politely
    return {"seeker": seeker, "host": host, "coordinator": coordinator}


def _sign_up_with_a_mistake_first(page: Any, base: str) -> None:
    _goto(page, base + "/signup/")
    page.fill("#id_password", "short")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-summary")


def _written_down_not_yet(page: Any, base: str) -> None:
    """The welcome page with the recovery code, straight after a sign-up."""
    _goto(page, base + "/signup/")
    page.fill("#id_password", "a-long-enough-passphrase")
    page.check("input[name=role][value=seeker]")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/welcome/")


def _log_in_wrongly(page: Any, base: str) -> None:
    page.context.clear_cookies()
    _goto(page, base + "/login/")
    page.fill("#id_username", "nobody-at-all-1234")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary, .errorlist")


def _expired_form(page: Any, base: str) -> None:
    """A form left open overnight: its CSRF cookie is gone."""
    _goto(page, base + "/login/")
    page.context.clear_cookies()
    page.fill("#id_username", "nobody-at-all-1234")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _create_a_token(page: Any, base: str) -> None:
    _goto(page, base + "/me/")
    page.fill("#token-name", "my phone")
    page.click("form[action='/me/tokens/'] button[type=submit]")
    page.wait_for_url(base + "/me/tokens/")


def _post_a_bad_need(page: Any, base: str) -> None:
    _goto(page, base + "/needs/new/")
    page.fill("#id_adults", "0")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#error-summary")


# Pages that no URL pattern names: error pages and a refusal.
NOT_ROUTES = {"not_found", "expired_form", "not_allowed"}


@pytest.mark.django_db
def test_every_web_page_is_checked_by_axe() -> None:
    walk = Walk()
    _the_site(walk)
    routes = set(_web_route_names())
    assert routes - ACTIONS - walk.names == set(), "pages with no axe check: add a visit to _the_site"
    assert walk.names - routes == NOT_ROUTES
    assert routes >= ACTIONS


def _session(page_context: Any, base: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page_context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


def _violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    # target-size (WCAG 2.2: 24 px) is off by default in axe-core; Haven asks for it.
    results = Axe().run(page, options={"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}})
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets[:5]}")
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_page_has_a_serious_or_critical_axe_violation(browser: Any, live_server: Any, language: str) -> None:
    walk = Walk()
    people = _the_site(walk)
    base = live_server.url
    pages: dict[str, Any] = {}
    contexts = []
    failures: list[str] = []
    try:
        # axe runs and reports: a nameless button is a critical violation.
        probe = browser.new_context(bypass_csp=True)
        contexts.append(probe)
        probe_page = probe.new_page()
        probe_page.set_content('<html lang="en"><title>t</title><main><button></button></main></html>')
        assert [v.split(" ")[0] for v in _violations(probe_page)] == ["button-name"]
        for who, name, action in walk.steps:
            if who not in pages:
                context = browser.new_context(
                    viewport=PHONE, device_scale_factor=1, is_mobile=True, bypass_csp=True,
                    locale="ru-RU" if language == "ru" else "en-GB",
                )  # fmt: skip
                context.add_cookies([{"name": "haven_language", "value": language, "url": base}])
                if who in people:
                    _session(context, base, people[who])
                contexts.append(context)
                pages[who] = context.new_page()
                pages[who].set_default_timeout(15000)
            page = pages[who]
            action(page, base)
            assert page.evaluate("document.documentElement.lang") == language, f"{who} {name} {page.url}"
            ids = page.evaluate(
                "() => { const seen = {}; for (const e of document.querySelectorAll('[id]')) seen[e.id] = (seen[e.id] || 0) + 1;"
                " return Object.keys(seen).filter(k => seen[k] > 1); }"
            )
            if ids:
                failures.append(f"{language} {who} {name} {page.url}: duplicate ids {ids}")
            for violation in _violations(page):
                failures.append(f"{language} {who} {name} {page.url}: {violation}")
    finally:
        for context in contexts:
            context.close()
    assert not failures, "\n" + "\n".join(failures)
