"""Free text that other people read never carries contact details: they belong in the
encrypted vault, revealed only on mutual acceptance (P1, P2)."""

import pytest

from haven.aid.models import Need
from haven.core.validators import contact_details_in
from tests.factories import need_form


@pytest.mark.parametrize(
    "text",
    [
        "call me +7 701 555 01 99",
        "звоните 8 (701) 555-01-99",
        "WhatsApp 87015550199",
        "+77015550199",
        "write to anna.k@mail.ru",
        "telegram @anna_uralsk",
        "пишите в телегу @AnnaK_2022",
        "t.me/anna_uralsk",
        "https://wa.me/77015550199",
        "vk.com/id12345",
        "my number 701.555.01.99",
    ],
)
def test_contact_details_are_recognised(text: str) -> None:
    assert contact_details_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "We have a small dog and two cats",
        "from 25.09.2022 to 30.09.2022",
        "25.09.2022-30.09.2022, arriving at 14:30",
        "2022-09-25 – 2022-10-01",
        "budget 15000 tenge per night, 3 nights",
        "room 12, floor 4, 2 beds, 1 sofa",
        "квартира 45 м², 2 комнаты, 5 минут до вокзала",
        "no smoking @ home",
        "children 3, 7 and 11 years old",
    ],
)
def test_ordinary_notes_pass(text: str) -> None:
    assert not contact_details_in(text)


@pytest.mark.django_db
def test_a_phone_number_in_a_requests_notes_is_refused_on_the_site(client_for, alice):
    page = client_for(alice).post("/needs/new/", need_form(notes="call me +7 701 555 0199")).content.decode()
    assert "Please remove contact details" in page
    assert Need.objects.count() == 0


@pytest.mark.django_db
def test_russian_speakers_are_told_in_russian(client_for, alice):
    client = client_for(alice)
    client.cookies["django_language"] = "ru"
    page = client.post(
        "/needs/new/", need_form(notes="@anna_uralsk"), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert "Уберите, пожалуйста, контактные данные" in page
    assert Need.objects.count() == 0
