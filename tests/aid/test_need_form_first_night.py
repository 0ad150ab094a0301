"""The need form a family fills in on arriving at night (issue 11, problem 8): dates that
start filled in, a destination only for transport, cities and districts in the reader's
alphabet, and the districts of the chosen city only, without JavaScript too."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from haven.aid.models import Need, Offer
from haven.core import clock
from haven.geo.models import City
from tests.factories import need_form, offer_form

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of every option of the select called ``name``."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def _value(html: str, name: str) -> str | None:
    found = re.search(rf'<input type="[a-z]+" name="{name}"(?: value="([^"]*)")?', html)
    assert found is not None, name
    return found.group(1)


# ---------------------------------------------------------------- default dates


@pytest.mark.region_midnight
def test_a_new_need_form_starts_on_the_regions_today_and_ends_a_week_later(client_for, alice):
    html = client_for(alice).get("/needs/new/").content.decode()
    today = clock.today()
    assert (_value(html, "date_from"), _value(html, "date_to")) == (
        today.isoformat(), (today + dt.timedelta(days=7)).isoformat(),
    )


@pytest.mark.region_midnight
def test_a_new_offer_form_starts_on_the_regions_today_and_ends_a_week_later(client_for, bob):
    html = client_for(bob).get("/offers/new/").content.decode()
    today = clock.today()
    assert (_value(html, "date_from"), _value(html, "date_to")) == (
        today.isoformat(), (today + dt.timedelta(days=7)).isoformat(),
    )


def test_the_edit_form_shows_the_needs_own_dates_in_the_date_inputs_format(client_for, alice, alices_need):
    Need.objects.filter(pk=alices_need.pk).update(date_from=dt.date(2026, 11, 30), date_to=dt.date(2026, 12, 2))
    html = client_for(alice, language="ru").get(f"/needs/{alices_need.public_id}/edit/").content.decode()
    assert (_value(html, "date_from"), _value(html, "date_to")) == ("2026-11-30", "2026-12-02")


@pytest.mark.region_midnight
def test_the_offer_form_takes_the_regions_today_and_a_travellers_yesterday_like_the_need_form(client_for, bob):
    client = client_for(bob)
    today = clock.today()
    end = (today + dt.timedelta(days=3)).isoformat()
    for start in (today, today - dt.timedelta(days=1)):
        response = client.post("/offers/new/", offer_form(date_from=start.isoformat(), date_to=end))
        assert response.status_code == 302, start
    page = client.post("/offers/new/", offer_form(date_from=(today - dt.timedelta(days=2)).isoformat(), date_to=end))
    assert "The start date is in the past." in page.content.decode()
    assert sorted(Offer.objects.values_list("date_from", flat=True)) == [today - dt.timedelta(days=1), today]


# ---------------------------------------------------------------- fields by kind


def test_a_housing_need_drops_a_destination_sent_with_it(client_for, alice):
    client = client_for(alice)
    response = client.post("/needs/new/", need_form(kind="housing", destination="astana"))
    need = Need.objects.get()
    assert response.status_code == 302
    assert need.destination is None
    detail = client.get(f"/needs/{need.public_id}/").content.decode()
    assert "Destination" not in detail


def test_a_transport_need_keeps_its_destination_and_shows_it(client_for, alice):
    client = client_for(alice)
    client.post("/needs/new/", need_form(kind="transport", destination="astana"))
    need = Need.objects.get()
    assert need.destination == City.objects.get(slug="astana")
    detail = client.get(f"/needs/{need.public_id}/").content.decode()
    assert "<dt>Destination</dt><dd>Astana</dd>" in detail


def test_changing_a_transport_need_to_housing_clears_its_destination(client_for, alice):
    client = client_for(alice)
    client.post("/needs/new/", need_form(kind="transport", destination="astana"))
    need = Need.objects.get()
    client.post(f"/needs/{need.public_id}/edit/", need_form(kind="housing", destination="astana"))
    need.refresh_from_db()
    assert (need.kind, need.destination) == ("housing", None)


def test_the_destination_is_hidden_by_the_stylesheet_unless_the_kind_is_transport(client_for, alice):
    """No JavaScript: the field is in the page, and CSS :has() on the kind select hides it
    for every kind but transport (a browser without :has() shows it, labelled)."""
    html = client_for(alice).get("/needs/new/").content.decode()
    form = re.search(r'<form method="post" class="form" id="need-form".*?</form>', html, re.S)
    assert form is not None
    assert '<select name="kind"' in form.group(0)
    assert 'id="field-destination"' in form.group(0)
    path = finders.find("web/haven.css")
    assert path is not None
    css = Path(path).read_text(encoding="utf-8")
    assert "#need-form:has(select[name=kind] option:checked:not([value=transport])) #field-destination" in css


# ---------------------------------------------------------------- cities in the reader's alphabet


def test_collation_puts_yo_with_ye_and_numbers_by_value():
    from haven.geo.names import by_name, collation_key

    class Place:
        def __init__(self, name: str) -> None:
            self.name = name

    names = ["Яблоново", "Ёлкино", "Жаркент", "Елец", "Егорьевск", "14-й", "2-й", "ель"]
    assert [p.name for p in by_name(Place(n) for n in names)] == [
        "2-й", "14-й", "Егорьевск", "Елец", "Ёлкино", "ель", "Жаркент", "Яблоново",
    ]
    assert collation_key("Ёж") > collation_key("Еж")


RUSSIAN_SAMPLE = ["Актобе", "Жезказган", "Караганда", "Уральск", "Усть-Каменогорск"]
ENGLISH_SAMPLE = ["Aktobe", "Karaganda", "Oskemen", "Uralsk", "Zhezkazgan"]


@pytest.mark.parametrize(
    ("url", "user", "name"),
    [("/needs/new/", "alice", "city"), ("/needs/new/", "alice", "destination"),
     ("/offers/new/", "bob", "city"), ("/offers/?kind=", None, "city")],
)
@pytest.mark.parametrize(("language", "sample"), [("ru", RUSSIAN_SAMPLE), ("en", ENGLISH_SAMPLE)])
def test_city_lists_follow_the_page_languages_alphabet(request, client_for, url, user, name, language, sample):
    person = request.getfixturevalue(user) if user else None
    html = client_for(person, language=language).get(url).content.decode()
    labels = [label for _value, label in _options(html, name)]
    assert [label for label in labels if label in sample] == sample


# ---------------------------------------------------------------- districts of the chosen city


def test_a_new_need_form_lists_no_district_before_a_city_is_chosen(client_for, alice):
    html = client_for(alice).get("/needs/new/").content.decode()
    assert _options(html, "district_slug") == [("", "—")]
    assert 'name="step" value="district"' in html
    assert '<input type="hidden" name="districts_of" value="" data-districts-of>' in html
    assert 'id="district-step-note"' not in html


def test_the_district_step_brings_the_form_back_with_that_citys_districts_and_what_was_typed(client_for, alice):
    client = client_for(alice, language="ru")
    typed = need_form(city="aktobe", adults="4", children="2", notes="Приедем ночью", step="district")
    response = client.post("/needs/new/", typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert Need.objects.count() == 0
    assert _options(html, "district_slug") == [
        ("", "—"), ("kurmysh", "Курмыш"), ("almaty-district", "район Алматы"),
        ("astana-district", "район Астана"), ("shanghai", "Шанхай"),
    ]
    assert '<option value="aktobe" selected>Актобе</option>' in html
    assert (_value(html, "adults"), _value(html, "children")) == ("4", "2")
    assert "Приедем ночью</textarea>" in html
    assert 'id="error-summary"' not in html
    assert 'id="district-step-note"' in html
    assert '<input type="hidden" name="districts_of" value="aktobe" data-districts-of>' in html
    # Then the form is posted with a district of that city.
    response = client.post("/needs/new/", need_form(city="aktobe", district_slug="kurmysh", adults="4"))
    need = Need.objects.get()
    assert response.status_code == 302
    assert (need.city.slug, need.district.slug, need.adults) == ("aktobe", "kurmysh", 4)


def test_the_district_button_with_the_listed_city_unchanged_sends_the_form(client_for, alice):
    """Enter in a field submits with the form's first button, the district one: when the
    city is the one whose districts are listed, that is taken as sending the form."""
    client = client_for(alice)
    response = client.post("/needs/new/", need_form(city="aktobe", districts_of="aktobe", step="district"))
    assert response.status_code == 302
    assert Need.objects.get().city.slug == "aktobe"
    page = client.post("/needs/new/", need_form(city="", districts_of="", step="district")).content.decode()
    assert "This field is required." in page
    assert Need.objects.count() == 1


def test_the_edit_form_lists_the_needs_city_districts_only_with_its_own_selected(client_for, alice, alices_need):
    client = client_for(alice)
    client.post(f"/needs/{alices_need.public_id}/edit/", need_form(district_slug="derkul"))
    html = client.get(f"/needs/{alices_need.public_id}/edit/").content.decode()
    assert [value for value, _label in _options(html, "district_slug")] == [
        "", "derkul", "severo-vostok", "zachagansk", "zhuldyz",
    ]
    assert '<option value="derkul" selected>Derkul</option>' in html


def test_the_offer_form_has_the_same_district_step(client_for, bob):
    client = client_for(bob)
    html = client.post("/offers/new/", offer_form(city="aktau", title="Sofa", step="district")).content.decode()
    assert Offer.objects.count() == 0
    assert [value for value, _label in _options(html, "district_slug")] == ["", "mkr-2", "mkr-3", "mkr-14", "mkr-36"]
    assert 'value="Sofa"' in html


def test_the_district_list_endpoint_gives_a_citys_districts_in_the_page_language(client_for):
    client = client_for(None, language="ru")
    response = client.get("/places/districts/", {"city": "aktobe"})
    assert response.status_code == 200
    assert response.json() == {"districts": [
        ["kurmysh", "Курмыш"], ["almaty-district", "район Алматы"],
        ["astana-district", "район Астана"], ["shanghai", "Шанхай"],
    ]}
    english = client_for(None, language="en").get("/places/districts/", {"city": "aktobe"}).json()
    assert [name for _slug, name in english["districts"]] == ["Almaty District", "Astana District", "Kurmysh", "Shanghai"]


def test_the_district_list_endpoint_answers_an_unknown_city_with_an_empty_404(client_for):
    response = client_for(None).get("/places/districts/", {"city": "atlantis"})
    assert (response.status_code, response.json()) == (404, {"districts": []})
    assert client_for(None).get("/places/districts/").json() == {"districts": []}


def test_the_forms_load_the_live_district_script_from_a_static_file(client_for, alice, bob):
    for client, url in ((client_for(alice), "/needs/new/"), (client_for(bob), "/offers/new/")):
        html = client.get(url).content.decode()
        assert re.search(r'<script src="/static/web/districts[^"]*\.js" defer></script>', html), url
        assert 'data-districts-url="/places/districts/"' in html
        assert "<script>" not in html
    assert finders.find("web/districts.js") is not None
