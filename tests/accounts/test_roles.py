"""Problem 2 of issue #11: "I can help" signs a host up as a host, and a person adds the
other role later from /me/ (a seeker also hosts privately, a host also asks for help);
organisation and driver are never self-service. A person who is both is never proposed
their own offer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from haven.accounts.models import User
from tests.factories import PASSWORD, need_form, offer_form

pytestmark = pytest.mark.django_db


def checked_role(page: str) -> str:
    match = re.search(r'name="role" value="(\w+)"[^>]*\bchecked\b', page)
    assert match is not None, "no role is checked"
    return match.group(1)


def test_i_can_help_on_the_home_page_signs_a_person_up_as_a_host(client_for: Any, uralsk: Any) -> None:
    client = client_for(None, language="ru")
    home = client.get("/").content.decode()
    link = re.search(r'href="(/signup/\?role=host)">Я могу помочь<', home)
    assert link is not None
    page = client.get(link.group(1)).content.decode()
    assert checked_role(page) == "host"
    # What the browser posts: the checked role.
    response = client.post("/signup/", {"username": "kind-host-1234", "password": PASSWORD, "role": checked_role(page)})
    assert response.status_code == 302
    assert User.objects.get(username="kind-host-1234").role == "host"
    client.get("/welcome/")
    form = client.get("/offers/new/")
    assert form.status_code == 200
    assert "Ваш тип аккаунта этого не позволяет" not in form.content.decode()
    posted = client.post("/offers/new/", offer_form(title="Sofa for a night"))
    assert posted.status_code == 302
    assert User.objects.get(username="kind-host-1234").offers.get().title == "Sofa for a night"


@pytest.mark.parametrize("role", ["", "coordinator", "admin", "<script>", "HOST"])
def test_an_unknown_role_in_the_link_falls_back_to_looking_for_help(client_for: Any, role: str) -> None:
    response = client_for(None).get("/signup/", {"role": role})
    assert response.status_code == 200
    page = response.content.decode()
    assert checked_role(page) == "seeker"
    assert "<script>" not in page.split("<main", 1)[1].split(">", 1)[1]


def test_a_seeker_adds_hosting_from_their_page_and_then_offers_a_room_and_still_asks(client_for: Any, alice: Any, uralsk: Any) -> None:
    client = client_for(alice)
    assert client.get("/offers/new/").status_code == 302  # a seeker only, as before
    page = client.get("/me/").content.decode()
    assert 'name="role" value="host"' in page
    assert "Also offer help as a private host" in page

    response = client.post("/me/roles/", {"role": "host"})

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    alice.refresh_from_db()
    assert (alice.role, alice.added_role) == ("seeker", "host")
    assert alice.added_role_at is not None
    after = client.get("/me/").content.decode()
    assert "You can now offer help as a private host." in after
    assert "Also offer help as a private host" not in after
    form = client.get("/offers/new/").content.decode()
    kinds = re.findall(r'<option value="(\w+)"', form.split('name="kind"')[1].split("</select>")[0])
    assert kinds == ["bed", "room", "flat", "ride", "service"]  # a private host's kinds, never a shelter
    assert client.post("/offers/new/", offer_form(title="Alice's spare room")).status_code == 302
    assert client.post("/needs/new/", need_form()).status_code == 302
    assert (alice.offers.count(), alice.needs.count()) == (1, 1)


def test_a_host_adds_asking_for_help_and_posts_a_request(client_for: Any, bob: Any, uralsk: Any) -> None:
    client = client_for(bob, language="ru")
    assert client.get("/needs/new/").status_code == 302
    assert "Также попросить о помощи" in client.get("/me/").content.decode()

    client.post("/me/roles/", {"role": "seeker"})

    bob.refresh_from_db()
    assert (bob.role, bob.added_role) == ("host", "seeker")
    assert client.get("/needs/new/").status_code == 200
    assert client.post("/needs/new/", need_form()).status_code == 302
    assert bob.needs.count() == 1
    assert client.get("/offers/new/").status_code == 200


@pytest.mark.parametrize("role", ["organisation", "driver", "coordinator", "admin", "nonsense", ""])
def test_organisation_driver_and_granted_roles_cannot_be_added_and_nothing_changes(client_for: Any, alice: Any, role: str) -> None:
    client = client_for(alice)
    response = client.post("/me/roles/", {"role": role})
    assert response.status_code == 302
    assert "This role cannot be added here." in client.get("/me/").content.decode()
    alice.refresh_from_db()
    assert (alice.role, alice.added_role, alice.added_role_at) == ("seeker", "", None)


def test_a_second_role_is_added_once_and_never_swapped(client_for: Any, alice: Any) -> None:
    client = client_for(alice)
    client.post("/me/roles/", {"role": "host"})
    client.post("/me/roles/", {"role": "driver"})
    client.post("/me/roles/", {"role": "host"})  # already has it: nothing changes
    alice.refresh_from_db()
    assert (alice.role, alice.added_role) == ("seeker", "host")


def test_organisations_see_no_upgrade_button_and_are_told_a_coordinator_verifies_them(client_for: Any, olga: Any) -> None:
    page = client_for(olga, language="ru").get("/me/").content.decode()
    assert 'action="/me/roles/"' not in page
    assert "координатор проверяет организации" in page


def test_adding_a_role_needs_a_post_with_a_csrf_token(client_for: Any, alice: Any) -> None:
    from django.test import Client

    assert client_for(alice).get("/me/roles/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/me/roles/", {"role": "host"}).status_code == 403
    anonymous = client_for(None).post("/me/roles/", {"role": "host"})
    assert anonymous["Location"].startswith("/login/")
    alice.refresh_from_db()
    assert alice.added_role == ""


def api_for(user: Any) -> Any:
    from django.test import Client

    from haven.accounts.services import api_token_create

    _token, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_lets_a_seeker_who_added_hosting_post_an_offer(alice: Any, uralsk: Any) -> None:
    from haven.accounts.services import user_add_role

    body = {"kind": "room", "title": "Room by the river", "host_kind": "family", "city": "uralsk",
            "date_from": "2030-01-01", "date_to": "2030-01-10", "capacity": 2}
    assert api_for(alice).post("/api/offers", body, content_type="application/json").status_code == 422  # "room" is no seeker's kind
    user_add_role(user=alice, role="host")
    response = api_for(alice).post("/api/offers", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert alice.offers.get().title == "Room by the river"
    me = api_for(alice).get("/api/accounts/me").json()
    assert (me["role"], me["added_role"]) == ("seeker", "host")


def test_a_person_who_asks_and_offers_is_never_proposed_their_own_offer(client_for: Any, alice: Any, charlie: Any, uralsk: Any) -> None:
    from haven.accounts.services import user_add_role
    from haven.matching import services
    from haven.matching.models import Proposal
    from tests.matching.conftest import post_need, post_offer

    user_add_role(user=alice, role="host")
    alice.refresh_from_db()
    own_room = post_offer(alice, title="Alice's room")
    alices_need = post_need(alice)
    charlies_need = post_need(charlie)

    result = services.matching_run(trigger="test", time_limit_s=20)

    assert result is not None
    assert result.status == "done", result.error
    assert list(Proposal.objects.filter(need=alices_need)) == []
    assert list(Proposal.objects.filter(need=charlies_need).values_list("offer", flat=True)) == [own_room.pk]


def test_a_coordinator_is_never_proposed_an_offer_they_posted_themselves(cora: Any, uralsk: Any) -> None:
    """A coordinator could already both ask and offer; the matcher proposed their own."""
    from haven.matching import services
    from haven.matching.models import Proposal
    from tests.matching.conftest import post_need, post_offer

    post_offer(cora, title="Desk's spare room")
    need = post_need(cora)
    services.matching_run(trigger="test", time_limit_s=20)
    assert Proposal.objects.filter(need=need).count() == 0


def test_a_coordinator_cannot_propose_a_persons_own_offer_to_them_by_hand(cora: Any, alice: Any, uralsk: Any) -> None:
    from haven.accounts.services import user_add_role
    from haven.core.errors import HavenError
    from haven.matching import services
    from tests.matching.conftest import post_need, post_offer

    user_add_role(user=alice, role="host")
    alice.refresh_from_db()
    room = post_offer(alice)
    with pytest.raises(HavenError) as refused:
        services.proposal_create_manual(coordinator=cora, need=post_need(alice), offer=room)
    assert refused.value.code == "pair_own"


def test_the_bot_menu_offers_asking_for_help_to_a_host_who_added_it(bob: Any) -> None:
    from haven.accounts.services import user_add_role
    from haven.bot.texts import menu_buttons

    def callbacks() -> list[str]:
        return [b["callback_data"] for row in menu_buttons(bob) for b in row]

    assert "m:need" not in callbacks()
    user_add_role(user=bob, role="seeker")
    assert "m:need" in callbacks()
    assert "m:offer" in callbacks()



def test_a_seeker_who_opens_the_offer_form_is_told_where_to_add_hosting_in_russian(client_for: Any, alice: Any) -> None:
    client = client_for(alice, language="ru")
    response = client.get("/offers/new/")
    assert response.status_code == 302
    assert response["Location"] == "/me/#roles"
    page = client.get("/me/").content.decode()
    assert "Чтобы предложить помощь, сначала выберите «Также помогать как частное лицо» на своей странице." in page
    assert "Ваш тип аккаунта этого не позволяет" not in page


def test_a_driver_who_opens_the_request_form_is_told_the_account_type_cannot(client_for: Any) -> None:
    from tests.factories import make_user

    client = client_for(make_user("dina", "driver"))
    assert client.get("/needs/new/")["Location"] == "/me/#roles"
    page = client.get("/me/").content.decode()
    assert "Your account type cannot do this." in page
    assert 'action="/me/roles/"' not in page
