"""Words and layout on the need and offer pages (issue 11, problem 9): plural forms, month
names as Russian writes them, "confirmed ... ago" that reads as a phrase, facts that wrap."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from haven.aid.models import Need, Offer
from haven.core import clock

pytestmark = pytest.mark.django_db


def _fact(html: str, term: str) -> str:
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.S)
    assert found is not None, term
    return found.group(1)


@pytest.mark.parametrize(
    ("adults", "language", "expected"),
    [(1, "ru", "1 человек"), (2, "ru", "2 человека"), (5, "ru", "5 человек"), (21, "ru", "21 человек"),
     (1, "en", "1 person"), (2, "en", "2 people")],
)
def test_the_party_size_takes_the_languages_plural_form(client_for, alice, alices_need, adults, language, expected):
    Need.objects.filter(pk=alices_need.pk).update(adults=adults, children=0)
    html = client_for(alice, language=language).get(f"/needs/{alices_need.public_id}/").content.decode()
    party = "Группа" if language == "ru" else "Party"
    assert _fact(html, party) == expected


@pytest.mark.parametrize(
    ("last_night", "language", "expected"),
    [(30, "ru", "30 ноября 2026 – 30 ноября 2026 · 1 ночь"),
     (31, "ru", "30 ноября 2026 – 1 декабря 2026 · 2 ночи"),
     (34, "ru", "30 ноября 2026 – 4 декабря 2026 · 5 ночей"),
     (30, "en", "30 November 2026 – 30 November 2026 · 1 night"),
     (34, "en", "30 November 2026 – 4 December 2026 · 5 nights")],
)
def test_a_housing_need_shows_its_dates_with_month_names_and_its_nights(
    client_for, alice, alices_need, last_night, language, expected
):
    """"Until" is the last night, as the matcher counts it."""
    start = dt.date(2026, 11, 30)
    Need.objects.filter(pk=alices_need.pk).update(date_from=start, date_to=start + dt.timedelta(days=last_night - 30))
    html = client_for(alice, language=language).get(f"/needs/{alices_need.public_id}/").content.decode()
    assert _fact(html, "Даты" if language == "ru" else "Dates") == expected


def test_an_offer_shows_its_dates_with_russian_month_names(client_for, charlie, bobs_offer):
    Offer.objects.filter(pk=bobs_offer.pk).update(date_from=dt.date(2026, 11, 30), date_to=dt.date(2027, 1, 3))
    html = client_for(charlie, language="ru").get(f"/offers/{bobs_offer.public_id}/").content.decode()
    assert _fact(html, "Даты") == "30 ноября 2026 – 3 января 2027"


def _confirmed(model, obj, **ago):
    model.objects.filter(pk=obj.pk).update(confirmed_at=clock.now() - dt.timedelta(**ago))


@pytest.mark.parametrize(
    ("ago", "language", "expected"),
    [({"seconds": 0}, "ru", "только что"), ({"seconds": 59}, "ru", "только что"),
     ({"minutes": 1}, "ru", "1 минуту назад"), ({"minutes": 2}, "ru", "2 минуты назад"),
     ({"minutes": 5}, "ru", "5 минут назад"), ({"hours": 3}, "ru", "3 часа назад"),
     ({"days": 2}, "ru", "2 дня назад"), ({"days": 5}, "ru", "5 дней назад"),
     ({"seconds": 0}, "en", "just now"), ({"minutes": 1}, "en", "1 minute ago"),
     ({"minutes": 5}, "en", "5 minutes ago"), ({"hours": 1}, "en", "1 hour ago"), ({"days": 2}, "en", "2 days ago")],
)
def test_the_need_page_says_when_it_was_last_confirmed_as_a_phrase(client_for, alice, alices_need, ago, language, expected):
    _confirmed(Need, alices_need, **ago)
    html = client_for(alice, language=language).get(f"/needs/{alices_need.public_id}/").content.decode()
    assert _fact(html, "Последнее подтверждение" if language == "ru" else "Last confirmed") == expected


def test_a_fresh_offer_reads_confirmed_just_now_on_its_page_and_its_card(client_for, charlie, bobs_offer):
    client = client_for(charlie, language="ru")
    page = client.get(f"/offers/{bobs_offer.public_id}/").content.decode()
    assert _fact(page, "Последнее подтверждение") == "только что"
    cards = client.get("/offers/").content.decode()
    assert '<small class="muted">подтверждено только что</small>' in cards
    assert "0 минут" not in page + cards


def test_an_offer_card_reads_confirmed_five_minutes_ago_in_both_languages(client_for, charlie, bobs_offer):
    _confirmed(Offer, bobs_offer, minutes=5, seconds=10)
    russian = client_for(charlie, language="ru").get("/offers/").content.decode()
    assert '<small class="muted">подтверждено 5 минут назад</small>' in russian
    english = client_for(charlie, language="en").get("/offers/").content.decode()
    assert '<small class="muted">confirmed 5 minutes ago</small>' in english


def test_facts_lists_wrap_long_words_and_stack_on_a_narrow_phone():
    path = finders.find("web/haven.css")
    assert path is not None
    css = Path(path).read_text(encoding="utf-8")
    assert ".facts dt, .facts dd { min-width:0; overflow-wrap:anywhere; }" in css
    narrow = re.search(r"@media \(max-width: 30rem\) \{(.*?)\n\}", css, re.S)
    assert narrow is not None
    assert ".facts { grid-template-columns: minmax(0, 1fr);" in narrow.group(1)
