"""The page structure assistive technology relies on (issue #11): a skip link to <main>,
groups of radios and tick boxes as fieldsets named by a legend, each error tied to its
field, and ids unique on every page. axe-core checks the rendered pages in
test_accessibility_browser.py; these are the same rules, fast, in the HTML."""

from __future__ import annotations

import re
from collections import Counter

import pytest

pytestmark = pytest.mark.django_db


def _ids(html: str) -> Counter[str]:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches_and_leads_to_main(client_for):
    html = client_for(None, language="ru").get("/").content.decode()
    body = html.split("<body>", 1)[1]
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>[^<]*", body)
    assert first_focusable is not None
    assert first_focusable.group(0) == '<a class="skip" href="#content">Перейти к содержанию'
    assert '<main id="content" tabindex="-1">' in body


def test_the_role_on_the_sign_up_page_is_a_fieldset_named_by_its_legend(client_for):
    html = client_for(None).get("/signup/").content.decode()
    fieldset = re.search(r'<fieldset class="field group" id="field-role">\s*<legend>I am here to</legend>(.*?)</fieldset>', html, re.S)
    assert fieldset is not None
    assert fieldset.group(1).count('type="radio" name="role"') == 4


def test_every_group_of_tick_boxes_on_the_need_form_is_a_fieldset(client_for, alice):
    html = client_for(alice).get("/needs/new/").content.decode()
    groups = re.findall(r'<fieldset class="field group" id="field-(\w+)">\s*<legend>([^<]+)</legend>', html)
    assert [name for name, _legend in groups] == ["languages", "host_preference"]
    assert html.count('type="checkbox" name="languages"') + html.count('name="languages" type="checkbox"') >= 1
    assert all(f'for="id_{name}"' not in html for name, _legend in groups)


def test_a_field_with_an_error_is_marked_invalid_and_described_by_its_message(client_for):
    html = client_for(None).post("/signup/", {"username": "ok-name", "password": "short", "role": "seeker"}).content.decode()
    password = re.search(r"<input[^>]*name=\"password\"[^>]*>", html)
    assert password is not None
    assert 'aria-invalid="true"' in password.group(0)
    assert 'aria-describedby="id_password_error"' in password.group(0)
    error = re.search(r'<div class="error" id="id_password_error">(.*?)</div>', html, re.S)
    assert error is not None
    assert "This password is too short" in error.group(1)
    # The summary at the top is the one alert; it links to the field.
    assert html.count('role="alert"') == 1
    assert '<a href="#id_password">Password: This password is too short' in html


def test_an_error_on_a_radio_group_links_to_the_group(client_for):
    html = client_for(None).post("/signup/", {"username": "ok-name", "password": "a-long-enough-passphrase", "role": "nonsense"}).content.decode()
    assert '<a href="#field-role">I am here to: ' in html
    assert 'id="field-role"' in html
    assert re.search(r'<fieldset[^>]*id="field-role"[^>]*aria-describedby="id_role_error"', html)


@pytest.mark.parametrize("path", ["/", "/offers/", "/signup/", "/login/", "/border/", "/border/syrym/report/"])
def test_ids_are_unique_on_the_page(client_for, alice, path):
    html = client_for(alice).get(path).content.decode()
    assert [i for i, n in _ids(html).items() if n > 1] == []


def test_ids_are_unique_when_a_border_report_form_comes_back_with_errors(client_for, alice):
    html = client_for(alice).post("/border/syrym/report/", {"action": "timed"}).content.decode()
    assert "error-summary" in html
    assert [i for i, n in _ids(html).items() if n > 1] == []
