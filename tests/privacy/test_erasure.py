""""Delete my data now" (P5): after erasure, nothing of the person is left in any table
— searched as raw rows of every table for the pseudonym, the public id and canary
strings planted in every place a person can write — and the other side's places are
free again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from tests.borders.helpers import submit_timed
from tests.factories import PASSWORD, clean, make_user, need_form, offer_form

PSEUDONYM = "quiet-heron-4821"
CANARIES = ("+7 701 555 1234", "heron_canary_tg", "heron@canary.example", "CANARY-NOTE-NEED", "CANARY-NOTE-REPORT")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _everything_in_the_database() -> list[tuple[str, str]]:
    """Every row of every table as text (bytes decoded loosely), with its table name."""
    rows: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("utf-8", "replace") if isinstance(v, (bytes, memoryview)) else str(v) for v in row
                )
                rows.append((table, text))
    return rows


def _traces(needles: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(table, needle) for table, text in _everything_in_the_database() for needle in needles if needle in text]


@pytest.fixture
def heron(db: Any, bob: Any, cora: Any, uralsk: Any) -> dict[str, Any]:
    """A seeker who has used everything: contacts, a request matched with bob and
    accepted by both, contacts revealed both ways, a border report, an API token, an
    abuse report, and a coordinator's console edit about her."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from haven.accounts.services import api_token_create
    from haven.aid import services as aid
    from haven.aid.forms import NeedForm, OfferForm
    from haven.geo.models import Checkpoint
    from haven.matching import services as matching
    from haven.matching.models import MatchRun
    from haven.privacy import services as privacy
    from haven.safety.services import report_submit

    heron = make_user(PSEUDONYM)
    privacy.contacts_set(user=heron, contacts=privacy.Contacts(phone=CANARIES[0], telegram=CANARIES[1], email=CANARIES[2]))
    privacy.contacts_set(user=bob, contacts=privacy.Contacts(phone="+7 701 000 0001"))
    need = aid.need_create(owner=heron, data=clean(NeedForm, need_form(notes=CANARIES[3])))
    offer = aid.offer_create(owner=bob, data=clean(OfferForm, offer_form(), role="host"))
    (proposal,) = matching.proposals_create(planned=matching.Planned(need=need, offers=((offer, 1.0),)))
    matching.proposal_pick(proposal=proposal)
    proposal = matching.proposal_host_answer(proposal=proposal, accept=True)
    matching.proposal_contacts(proposal=proposal, viewer=heron)
    matching.proposal_contacts(proposal=proposal, viewer=bob)
    submit_timed(heron, Checkpoint.objects.order_by("pk").first(), hours=2)
    api_token_create(user=heron, name="phone")
    report_submit(reporter=heron, target_kind="offer", target_public_id=offer.public_id, reason="other", note=CANARIES[4])
    MatchRun.objects.create(status="done", flagged=[need.public_id, "someone-else-00"])
    LogEntry.objects.create(
        user=cora, content_type=ContentType.objects.get_for_model(heron), object_id=str(heron.pk),
        object_repr=PSEUDONYM, action_flag=CHANGE, change_message="[]",
    )
    return {"user": heron, "offer": offer, "proposal": proposal, "public_id": heron.public_id, "need": need.public_id}


def test_the_planted_traces_are_there_before_erasure(heron: dict[str, Any]) -> None:
    found = {needle for _table, needle in _traces((PSEUDONYM, heron["public_id"], heron["need"], *CANARIES))}
    # Contacts are encrypted at rest, so even before erasure they are never found in clear.
    assert found == {PSEUDONYM, heron["public_id"], heron["need"], CANARIES[3], CANARIES[4]}


def test_deleting_my_data_on_the_site_leaves_nothing_of_me_anywhere(client_for: Any, heron: dict[str, Any]) -> None:
    from haven.accounts.models import User
    from haven.matching.services import offer_spare
    from haven.privacy.models import ContactVault, Reveal

    client = client_for(heron["user"])
    page = client.get("/me/delete/")
    assert page.status_code == 200
    response = client.post("/me/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _traces((PSEUDONYM, heron["public_id"], heron["need"], *CANARIES)) == []
    assert not User.objects.filter(username=PSEUDONYM).exists()
    assert ContactVault.objects.filter(user__username=PSEUDONYM).count() == 0
    assert Reveal.objects.count() == 0  # both reveal rows were about her
    # bob's room is free again, and he is still here.
    assert offer_spare(heron["offer"]) == heron["offer"].capacity
    assert client.get("/me/").status_code == 302  # logged out


def test_a_wrong_password_erases_nothing(client_for: Any, heron: dict[str, Any]) -> None:
    from haven.accounts.models import User

    response = client_for(heron["user"]).post("/me/delete/", {"password": "not-my-password"})
    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    assert User.objects.filter(username=PSEUDONYM).exists()


def test_deleting_my_data_through_the_api(api_for: Any, heron: dict[str, Any]) -> None:
    from haven.accounts.models import User

    response = api_for(heron["user"]).delete("/api/accounts/me", {"password": PASSWORD}, content_type="application/json")
    assert response.status_code == 204
    assert not User.objects.filter(username=PSEUDONYM).exists()
    assert _traces((PSEUDONYM, heron["public_id"], heron["need"], *CANARIES)) == []


def test_an_erased_seekers_place_in_a_shelter_is_given_back(olga: Any, uralsk: Any) -> None:
    from haven.aid import services as aid
    from haven.aid.forms import NeedForm, OfferForm
    from haven.matching import services as matching
    from haven.safety.services import person_erase

    seeker = make_user("leaving-seeker")
    shelter = aid.offer_create(
        owner=olga,
        data=clean(OfferForm, offer_form(kind="shelter", title="Hall", capacity="10", host_kind="organisation"), role="organisation"),
    )
    need = aid.need_create(owner=seeker, data=clean(NeedForm, need_form()))
    (proposal,) = matching.proposals_create(planned=matching.Planned(need=need, offers=((shelter, 1.0),)))
    proposal = matching.proposal_pick(proposal=proposal)
    matching.proposal_moved_in(proposal=proposal, by=olga)
    shelter.refresh_from_db()
    assert shelter.free_places == 10 - need.people

    person_erase(user=seeker)

    shelter.refresh_from_db()
    assert shelter.free_places == 10


def test_when_a_host_erases_the_seekers_request_goes_back_to_the_pool(alice: Any, bob: Any, alices_need: Any, bobs_offer: Any) -> None:
    from haven.matching import services as matching
    from haven.matching.models import Proposal
    from haven.safety.services import person_erase

    (proposal,) = matching.proposals_create(planned=matching.Planned(need=alices_need, offers=((bobs_offer, 1.0),)))
    matching.proposal_pick(proposal=proposal)
    person_erase(user=bob)
    assert Proposal.objects.count() == 0
    assert [n.pk for n in matching._matchable_needs()] == [alices_need.pk]


def test_a_coordinator_cannot_erase_their_own_audit_trail(client_for: Any, cora: Any) -> None:
    from haven.accounts.models import User

    response = client_for(cora).post("/me/delete/", {"password": PASSWORD})
    assert response.status_code == 200
    assert "so that the audit log stays whole" in response.content.decode()
    assert User.objects.filter(pk=cora.pk).exists()
