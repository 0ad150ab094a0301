"""The bot's /shelter tells the desk how many places are held for people on their way."""

from __future__ import annotations

from typing import Any

from haven.aid.models import Offer
from haven.matching import services
from tests.factories import make_user


def test_the_shelter_command_shows_places_held_for_arrivals(linked: Any, olga: Any, olgas_shelter: Offer) -> None:
    services.shelter_hold_create(seeker=make_user("walkin"), offer=olgas_shelter, adults=3)
    tg = linked(olga, 1004)
    tg.send("/shelter")
    assert tg.last_text() == (
        "Cinema floor: 80 places of 80 are free.\n"
        "3 of them are held for people on their way (arrival codes on the web page)."
    )
