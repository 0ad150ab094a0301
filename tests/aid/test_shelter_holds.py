"""Shelters take walk-ins (issue #11, problem 1): "ask for a place here" holds places for
an arrival window and gives an arrival code; the desk checks the party in by the code;
unclaimed holds and unanswered proposals to shelters return their places by themselves;
the page tells free places from places held for arrivals."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.utils import timezone

from haven.aid.models import Offer
from haven.core import clock
from haven.matching import services
from haven.matching.enums import HoldStatus, ProposalStatus
from haven.matching.models import Proposal, ShelterHold
from tests.factories import make_user, offer_form

PARTY = {"adults": "2", "children": "2", "elderly": "0", "pets": "0", "hours": "6", "need": ""}
CODE = re.compile(r'id="arrival-code">(\d{4} \d{4})<')


def _shelter(owner: Any, capacity: int = 80, **overrides: Any) -> Offer:
    from haven.aid import services as aid_services
    from haven.aid.forms import OfferForm

    data = offer_form(
        **{"kind": "shelter", "title": "Cinema floor", "capacity": str(capacity), "host_kind": "organisation", **overrides}
    )
    form = OfferForm(data=data, role=owner.role)
    assert form.is_valid(), form.errors
    return aid_services.offer_create(owner=owner, data=form.cleaned_data)


def _ask(client: Any, offer: Offer, **party: str) -> Any:
    return client.post(f"/offers/{offer.public_id}/hold/", {**PARTY, **party})


def _hold_for(seeker: Any, offer: Offer, places: int, hours: int = 6) -> ShelterHold:
    hold, _code = services.shelter_hold_create(seeker=seeker, offer=offer, adults=places, hours=hours)
    return hold


def _free_places(offer: Offer) -> int:
    return int(Offer.objects.values_list("free_places", flat=True).get(pk=offer.pk) or 0)


@pytest.mark.region_midnight
def test_a_family_holds_places_shows_its_code_and_the_desk_checks_it_in_by_that_code(
    client_for, alice, olga, olgas_shelter
):
    seeker, desk = client_for(alice), client_for(olga)
    page = seeker.get(f"/offers/{olgas_shelter.public_id}/").content.decode()
    assert f'href="/offers/{olgas_shelter.public_id}/hold/"' in page

    response = _ask(seeker, olgas_shelter)
    hold = ShelterHold.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/holds/{hold.public_id}/"
    assert (hold.seeker, hold.places, hold.status) == (alice, 4, HoldStatus.ACTIVE)
    assert abs(hold.expires_at - hold.created_at - dt.timedelta(hours=6)) < dt.timedelta(seconds=5)
    code = CODE.findall(seeker.get(response["Location"]).content.decode())
    assert len(code) == 1
    mine = seeker.get("/me/").content.decode()
    assert f'href="/holds/{hold.public_id}/">Cinema floor</a>' in mine
    assert f"4 places until {timezone.localtime(hold.expires_at):%H:%M}" in mine
    assert code[0].replace(" ", "") not in hold.code_digest + hold.code_sealed  # stored hashed and sealed

    desk_page = desk.get(f"/offers/{olgas_shelter.public_id}/").content.decode()
    until = timezone.localtime(hold.expires_at).strftime("%H:%M")
    assert f"alice · 4 people\n      · held until {until}" in desk_page
    assert code[0] not in desk_page
    assert "4 held for arriving people" in desk_page
    assert "76 places free now" in desk_page

    checked = desk.post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": code[0]}, follow=True)
    assert "Checked in: alice, 4 people." in checked.content.decode()
    hold.refresh_from_db()
    assert hold.status == HoldStatus.CHECKED_IN
    assert _free_places(olgas_shelter) == 76
    after = desk.get(f"/offers/{olgas_shelter.public_id}/").content.decode()
    assert "76 places free now" in after
    assert "held for arriving people" not in after
    assert "Nobody is on the way with an arrival code right now." in after


def test_the_arrival_code_is_shown_to_the_seeker_alone(client_for, alice, bob, olga, cora, olgas_shelter):
    _ask(client_for(alice), olgas_shelter)
    hold = ShelterHold.objects.get()
    assert CODE.search(client_for(alice).get(f"/holds/{hold.public_id}/").content.decode())
    for other in (bob, olga, cora):
        assert client_for(other).get(f"/holds/{hold.public_id}/").status_code == 404


def test_a_shelter_with_too_few_free_places_refuses_the_party_and_holds_nothing(client_for, alice, olga):
    shelter = _shelter(olga, capacity=5)
    _hold_for(make_user("early"), shelter, 2)
    response = _ask(client_for(alice), shelter)  # four people, three places left
    assert response.status_code == 409
    assert (
        "This shelter has no free places for a party of this size right now. Nothing was reserved."
        in response.content.decode()
    )
    assert ShelterHold.objects.filter(seeker=alice).count() == 0
    assert services.offer_spare(shelter) == 3


def test_a_shelter_with_every_place_held_says_so_instead_of_offering_a_button(client_for, alice, olga):
    shelter = _shelter(olga, capacity=3)
    _hold_for(make_user("early"), shelter, 3)
    page = client_for(alice, "ru").get(f"/offers/{shelter.public_id}/").content.decode()
    assert 'id="ask-place"' not in page
    assert "Сейчас свободных мест нет." in page
    assert "свободно 0 мест · 3 места ждут прибывающих" in re.sub(r"<[^>]+>", "", page)


def test_an_anonymous_visitor_sees_free_now_and_held_apart_too(client_for, olga):
    shelter = _shelter(olga, capacity=5)
    _hold_for(make_user("early"), shelter, 2)
    page = re.sub(r"<[^>]+>", "", client_for(None, "ru").get(f"/offers/{shelter.public_id}/").content.decode())
    assert "свободно 3 места · 2 места ждут прибывающих · вместимость 5" in page
    assert "только что" in page


def test_a_full_shelter_refuses_in_russian(client_for, alice, olga):
    shelter = _shelter(olga, capacity=3)
    response = _ask(client_for(alice, "ru"), shelter)
    assert response.status_code == 409
    assert "В этом приюте сейчас нет свободных мест для группы такого размера. Ничего не забронировано." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("bob", "Your account type cannot do this."),
        ("olga", "Your account type cannot do this."),
    ],
)
def test_only_a_seeker_can_ask_for_a_place(client_for, bob, olga, olgas_shelter, who, message):
    user = {"bob": bob, "olga": olga}[who]
    response = _ask(client_for(user), olgas_shelter)
    assert response.status_code == 403
    assert message in response.content.decode()
    assert ShelterHold.objects.count() == 0


@pytest.mark.parametrize("state", ["pause", "close", "freeze"])
def test_a_paused_closed_or_frozen_shelter_says_it_takes_no_arrivals(client_for, alice, olga, cora, olgas_shelter, state):
    if state == "freeze":
        from haven.safety.services import account_freeze

        account_freeze(user=olga, by=cora)
    else:
        client_for(olga).post(f"/offers/{olgas_shelter.public_id}/{state}/")
    response = _ask(client_for(alice, "ru"), olgas_shelter)
    assert response.status_code == 302
    assert response["Location"] == "/offers/"
    seeker = client_for(alice, "ru")
    page = seeker.post(f"/offers/{olgas_shelter.public_id}/hold/", PARTY, follow=True).content.decode()
    assert "Этот приют сейчас не принимает людей." in page
    assert ShelterHold.objects.count() == 0


def test_a_shelter_not_yet_open_refuses_arrivals(client_for, alice, olga):
    shelter = _shelter(olga, date_from=(clock.today() + dt.timedelta(days=2)).isoformat())
    response = _ask(client_for(alice), shelter)
    assert response.status_code == 409
    assert "This shelter is not taking arrivals right now." in response.content.decode()
    assert ShelterHold.objects.count() == 0


def test_a_seeker_holds_places_at_one_shelter_once(client_for, alice, olgas_shelter):
    client = client_for(alice)
    assert _ask(client, olgas_shelter).status_code == 302
    again = _ask(client, olgas_shelter, adults="1", children="0")
    assert again.status_code == 409
    assert "You already have places held at this shelter. Cancel them first to ask again." in again.content.decode()
    assert ShelterHold.objects.filter(seeker=alice).count() == 1


def test_asking_for_places_is_rate_limited_per_account(client_for, alice, olga, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HAVEN_RATE_HOLDS_PER_HOUR = 1
    shelters = [_shelter(olga, capacity=10, title=f"Hall {i}") for i in range(2)]
    client = client_for(alice)
    assert _ask(client, shelters[0]).status_code == 302
    refused = _ask(client, shelters[1])
    assert refused.status_code == 429
    assert "Too many requests. Please wait a little." in refused.content.decode()
    assert ShelterHold.objects.filter(seeker=alice).count() == 1
    cache.clear()


def test_trying_arrival_codes_at_the_desk_is_rate_limited(client_for, alice, olga, olgas_shelter, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HAVEN_RATE_ARRIVAL_CODES_PER_HOUR = 2
    _hold, code = services.shelter_hold_create(seeker=alice, offer=olgas_shelter, adults=2)
    desk = client_for(olga)
    for guess in ("1111 1111", "2222 2222"):
        desk.post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": guess})
    refused = desk.post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": code}, follow=True)
    assert "Too many requests. Please wait a little." in refused.content.decode()
    assert _free_places(olgas_shelter) == 80
    cache.clear()


def test_a_party_of_nobody_is_refused(client_for, alice, olgas_shelter):
    response = _ask(client_for(alice), olgas_shelter, adults="0", children="0")
    assert response.status_code == 200
    assert "A party needs at least one person." in response.content.decode()
    assert ShelterHold.objects.count() == 0


def test_a_request_of_the_seekers_fills_in_the_party(client_for, alice, alices_need, olgas_shelter):
    client = client_for(alice)
    page = client.get(f"/offers/{olgas_shelter.public_id}/hold/?need={alices_need.public_id}").content.decode()
    assert 'name="adults" value="2"' in page
    assert 'name="children" value="1"' in page
    assert f'name="need" value="{alices_need.public_id}"' in page
    _ask(client, olgas_shelter, adults="2", children="1", need=alices_need.public_id)
    assert ShelterHold.objects.get().need == alices_need


def test_a_wrong_code_says_so_and_changes_nothing(client_for, alice, olga, olgas_shelter):
    hold = _hold_for(alice, olgas_shelter, 3)
    response = client_for(olga).post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": "0000 0000"}, follow=True)
    page = response.content.decode()
    assert "No expected arrival has this code. Check the code and try again." in page
    hold.refresh_from_db()
    assert hold.status == HoldStatus.ACTIVE
    assert _free_places(olgas_shelter) == 80
    assert "77 places free now" in page


def test_an_arrival_code_works_once(client_for, alice, olga, olgas_shelter):
    hold, code = services.shelter_hold_create(seeker=alice, offer=olgas_shelter, adults=2)
    desk = client_for(olga)
    desk.post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": code})
    again = desk.post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": code.replace(" ", "-")}, follow=True)
    assert "This code has already been used: the party is checked in." in again.content.decode()
    assert _free_places(olgas_shelter) == 78
    assert ShelterHold.objects.get(pk=hold.pk).status == HoldStatus.CHECKED_IN


def test_only_the_shelter_and_the_regions_coordinators_run_the_desk(client_for, alice, bob, dmitri, cora, olgas_shelter):
    _hold, code = services.shelter_hold_create(seeker=alice, offer=olgas_shelter, adults=2)
    for outsider in (bob, alice):
        assert "Expected arrivals" not in client_for(outsider).get(f"/offers/{olgas_shelter.public_id}/").content.decode()
        assert client_for(outsider).post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": code}).status_code == 404
    assert _free_places(olgas_shelter) == 80
    assert "alice · 2 people" in client_for(cora).get(f"/offers/{olgas_shelter.public_id}/").content.decode()
    client_for(cora).post(f"/offers/{olgas_shelter.public_id}/arrivals/", {"code": code})
    assert _free_places(olgas_shelter) == 78


def test_an_unclaimed_hold_frees_its_places_when_its_window_ends_without_any_job(client_for, alice, charlie, olga):
    shelter = _shelter(olga, capacity=4)
    hold = _hold_for(alice, shelter, 4, hours=1)
    assert _ask(client_for(charlie), shelter, hours="6").status_code == 409
    with time_machine.travel(hold.expires_at + dt.timedelta(seconds=1), tick=False):
        page = client_for(charlie).get(f"/offers/{shelter.public_id}/").content.decode()
        assert "4 places free now" in page
        assert "held for arriving people" not in page
        assert ShelterHold.objects.get(pk=hold.pk).status == HoldStatus.ACTIVE  # no job has run
        assert _ask(client_for(charlie), shelter).status_code == 302
        # Its code no longer checks anyone in.
        assert services.shelter_holds_expire() == 1
    assert ShelterHold.objects.get(pk=hold.pk).status == HoldStatus.EXPIRED


def test_a_frozen_seekers_held_places_return_at_once(client_for, alice, cora, olgas_shelter):
    from haven.safety.services import account_freeze

    _hold_for(alice, olgas_shelter, 4)
    account_freeze(user=alice, by=cora)
    assert services.offer_spare(olgas_shelter) == 80
    assert ShelterHold.objects.get().status == HoldStatus.CANCELLED


def test_the_seeker_cancels_and_the_places_return(client_for, alice, olgas_shelter):
    client = client_for(alice)
    _ask(client, olgas_shelter)
    hold = ShelterHold.objects.get()
    response = client.post(f"/holds/{hold.public_id}/cancel/", follow=True)
    assert "Cancelled. The places are free for others again." in response.content.decode()
    assert "80 places free now" in response.content.decode()
    assert ShelterHold.objects.get().status == HoldStatus.CANCELLED


def test_a_proposal_to_a_shelter_holds_places_for_the_short_window_not_72_hours(
    client_for, alice, bob, olgas_shelter, alices_need
):
    from tests.matching.conftest import post_need

    need_for_room = post_need(make_user("roomseeker"), adults="1", children="0")
    room = _room(bob)
    shelter_p = services.proposals_create(planned=services.Planned(need=alices_need, offers=((olgas_shelter, 1.0),)))
    room_p = services.proposals_create(planned=services.Planned(need=need_for_room, offers=((room, 1.0),)))
    assert services.offer_spare(olgas_shelter) == 77
    later = clock.now() + dt.timedelta(hours=6, minutes=1)
    with time_machine.travel(later, tick=False):
        assert services.offer_spare(olgas_shelter) == 80  # freed on read
        assert services.offer_spare(room) == 2
        # The seeker can no longer take it, even before the worker marks it expired.
        picked = client_for(alice).post(f"/proposals/{shelter_p[0].public_id}/pick/", follow=True)
        assert "This proposal is no longer open." in picked.content.decode()
        assert services.proposals_housekeeping()["expired"] == 1
    assert Proposal.objects.get(pk=shelter_p[0].pk).status == ProposalStatus.EXPIRED
    assert Proposal.objects.get(pk=room_p[0].pk).status == ProposalStatus.PROPOSED


def _room(bob: Any) -> Offer:
    from tests.matching.conftest import post_offer

    return post_offer(bob)


@pytest.mark.parametrize(
    ("held", "free_text", "held_text"),
    [
        (37, "свободно 43 места", "37 мест ждут прибывающих"),
        (1, "свободно 79 мест", "1 место ждёт прибывающих"),
        (5, "свободно 75 мест", "5 мест ждут прибывающих"),
        (79, "свободно 1 место", "79 мест ждут прибывающих"),
        (3, "свободно 77 мест", "3 места ждут прибывающих"),
    ],
)
def test_the_shelter_page_shows_free_and_held_places_apart_in_russian_with_right_plurals(
    client_for, alice, olgas_shelter, held, free_text, held_text
):
    _hold_for(make_user("walkin"), olgas_shelter, held)
    for path in (f"/offers/{olgas_shelter.public_id}/", "/offers/?city=uralsk&kind=shelter"):
        page = client_for(alice, "ru").get(path).content.decode()
        assert free_text in page, path
        assert held_text in page, path
        assert "вместимость 80" in page, path


def test_the_organisations_page_shows_free_and_held_places(client_for, olga, olgas_shelter):
    _hold_for(make_user("walkin"), olgas_shelter, 37)
    page = client_for(olga).get("/me/").content.decode()
    assert "43 places free now" in page
    assert "37 held for arriving people" in page


def test_the_api_gives_free_now_and_held_places(client_for, alice, olgas_shelter):
    _hold_for(make_user("walkin"), olgas_shelter, 5)
    item = client_for(alice).get(f"/api/offers/{olgas_shelter.public_id}").json()
    assert (item["free_places"], item["held_places"], item["free_now"]) == (80, 5, 75)


def test_an_organisation_publishes_its_shelters_address_and_the_page_shows_it(client_for, olga, alice):
    data = offer_form(
        kind="shelter", title="Cinema", capacity="80", host_kind="organisation",
        address="ул. Достык 12, кинотеатр «Арман»", directions="Автобус 5 до рынка; вход со двора.",
    )  # fmt: skip
    response = client_for(olga).post("/offers/new/", data)
    offer = Offer.objects.get(owner=olga)
    assert response.status_code == 302
    assert (offer.address, offer.directions) == ("ул. Достык 12, кинотеатр «Арман»", "Автобус 5 до рынка; вход со двора.")
    page = client_for(alice).get(f"/offers/{offer.public_id}/").content.decode()
    assert "ул. Достык 12, кинотеатр «Арман»" in page
    assert "Автобус 5 до рынка; вход со двора." in page


def test_a_phone_number_is_still_refused_in_the_address(client_for, olga):
    data = offer_form(kind="shelter", title="Cinema", capacity="80", address="ул. Достык 12, тел. +7 701 123 45 67")
    response = client_for(olga).post("/offers/new/", data)
    assert response.status_code == 200
    assert "Please remove contact details" in response.content.decode()
    assert not Offer.objects.filter(owner=olga).exists()


def test_a_private_host_cannot_publish_an_address(client_for, bob, bobs_offer):
    host = client_for(bob)
    assert 'name="address"' not in host.get("/offers/new/").content.decode()
    response = host.post("/offers/new/", offer_form(title="My flat", address="ул. Абая 5, кв. 12"))
    assert response.status_code == 200
    assert "Only organisations may publish an address" in response.content.decode()
    assert Offer.objects.filter(owner=bob).count() == 1
    edit = host.post(f"/offers/{bobs_offer.public_id}/edit/", offer_form(directions="Second door on the left"))
    assert "Only organisations may publish an address" in edit.content.decode()
    bobs_offer.refresh_from_db()
    assert (bobs_offer.address, bobs_offer.directions) == ("", "")


def test_the_retention_job_purges_holds_after_they_end(alice, charlie, olgas_shelter):
    from haven.safety.services import retention_purge

    ended = _hold_for(alice, olgas_shelter, 2, hours=1)
    services.shelter_hold_cancel(hold=ended, by=alice)
    running = _hold_for(charlie, olgas_shelter, 2)
    with time_machine.travel(clock.now() + dt.timedelta(hours=6, minutes=30), tick=False):
        assert retention_purge()["shelter_holds"] == 1
    assert list(ShelterHold.objects.values_list("pk", flat=True)) == [running.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are a PostgreSQL matter")
def test_two_families_racing_for_the_last_places_cannot_both_hold_them(olga, uralsk):
    shelter = _shelter(olga, capacity=4)
    seekers = [make_user(f"racer-{i}") for i in range(6)]
    barrier = threading.Barrier(len(seekers))
    outcomes: list[str] = []

    def worker(seeker: Any) -> None:
        try:
            barrier.wait()
            try:
                services.shelter_hold_create(seeker=seeker, offer=shelter, adults=3)
                outcomes.append("held")
            except services.HavenError as error:
                outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(s,)) for s in seekers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["held"] + ["shelter_no_room"] * 5
    assert services.offer_spare(shelter) == 1
    assert connection.vendor == "postgresql"
